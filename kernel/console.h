/* SPDX-License-Identifier: MIT */
/*
 * console.h - the serial console as a byte stream for processes
 * (kernel/console.c): blocking reads from COM1, writes to it.
 */
#ifndef LOUPE_CONSOLE_H
#define LOUPE_CONSOLE_H

#include <stddef.h>

void console_init(void);
/* Up to len bytes into a kernel buffer; sleeps until at least one arrives. */
long console_read(char *buffer, size_t len);
void console_write(const char *buffer, size_t len);

#endif
