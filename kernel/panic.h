/* SPDX-License-Identifier: MIT */
/*
 * panic.h - stop the kernel when an invariant is broken.
 *
 * panic() is for "this cannot happen" only: bad user input is an error
 * return, never a panic. The report (message, trap frame, backtrace) is
 * printed by kernel/panic.c; a host unit test links its own panic().
 */
#ifndef LOUPE_PANIC_H
#define LOUPE_PANIC_H

#include <stdbool.h>

struct trap_frame;

/* Leave QEMU with a failure code after the report (set from the command line). */
extern bool panic_exits_qemu;

__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

/* The same report, with the registers of the trap that caused it. */
__attribute__((noreturn))
void panic_trap(struct trap_frame *frame, unsigned long vector, const char *why);

#endif
