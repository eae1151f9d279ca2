/* SPDX-License-Identifier: MIT */
/* serial.h - COM1, the console (arch/x86_64/serial.c). */
#ifndef LOUPE_SERIAL_H
#define LOUPE_SERIAL_H

#include <stddef.h>

void serial_init(void);
/* Switch on the receive interrupt once the IDT and PIC are ready. */
void serial_enable_rx_interrupt(void);
void serial_putc(char c);
void serial_write(const char *buf, size_t len);
/* Next received byte, or -1 if the ring buffer is empty. Safe with interrupts on. */
int serial_getc(void);
/* Called from the receive interrupt for every byte (the console's line discipline hooks in). */
void serial_set_rx_hook(void (*hook)(char c));

#endif
