/* SPDX-License-Identifier: MIT */
/*
 * syscall.h - the system call table and the argument registers.
 *
 * A handler is `long sys_<name>(struct trap_frame *frame)`, named after
 * the Linux call it implements; kernel/syscall.c finds it by that name
 * (a weak reference: define the function and the table picks it up).
 * It reads its arguments with syscall_arg() and returns the value or a
 * negative errno, which lands in the user's RAX.
 */
#ifndef LOUPE_SYSCALL_H
#define LOUPE_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/trap.h"

typedef long syscall_handler_t(struct trap_frame *frame);

struct syscall_entry {
	const char *name;
	syscall_handler_t *handler;     /* NULL: not implemented, -ENOSYS */
};

/* Argument n (0..5) in the Linux order: rdi, rsi, rdx, r10, r8, r9. */
static inline uint64_t syscall_arg(const struct trap_frame *frame, int n)
{
	switch (n) {
	case 0: return frame->rdi;
	case 1: return frame->rsi;
	case 2: return frame->rdx;
	case 3: return frame->r10;
	case 4: return frame->r8;
	default: return frame->r9;
	}
}

/* The Linux name of a syscall number, or NULL. */
const char *syscall_name(uint64_t number);

/* Called by syscall.asm. Returns non-zero when SYSRET may be used to return. */
uint64_t syscall_dispatch(struct trap_frame *frame);

/*
 * On the way back to user mode from a syscall (from_syscall: RAX holds its
 * result) or a trap: reschedule, deliver signals, check the frame.
 * Interrupts off.
 */
void return_to_user(struct trap_frame *frame, bool from_syscall);

#endif
