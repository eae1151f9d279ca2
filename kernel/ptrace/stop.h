/* SPDX-License-Identifier: MIT */
/*
 * stop.h - the stop points: where a traced process may stop
 * (kernel/ptrace/stop.c). Each is a no-op unless the process is traced
 * and that stop point is armed; the callers check `current->trace`
 * first, so an untraced process pays one predictable branch.
 */
#ifndef LOUPE_PTRACE_STOP_H
#define LOUPE_PTRACE_STOP_H

#include <stdbool.h>

struct trap_frame;

/* In syscall_dispatch, before the call runs. */
void trace_syscall_entry(struct trap_frame *frame);
/* In syscall_dispatch, after the result is in rax. */
void trace_syscall_exit(struct trap_frame *frame);
/* In proc_exit, before teardown (not for SIGKILL). */
void trace_exit(int wait_status);

#endif
