/* SPDX-License-Identifier: MIT */
/*
 * stop.h - the stop points: where a traced process may stop
 * (kernel/ptrace/stop.c). Each is a no-op unless the process is traced
 * and that stop point is armed (or, for single steps and interrupts,
 * requested); the callers check `current->trace` first, so an untraced
 * process pays one predictable branch.
 */
#ifndef LOUPE_PTRACE_STOP_H
#define LOUPE_PTRACE_STOP_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame;
struct process;
struct siginfo;

/* syscall_dispatch: before the call runs. Returns true if the tracer asked to skip it (SYSEMU). */
bool trace_syscall_entry(struct trap_frame *frame);
/* syscall_dispatch: after the result is in rax (not after a skipped call). */
void trace_syscall_exit(struct trap_frame *frame);
/* signal_deliver, after building a handler's frame while stepping: stop at the handler. */
void trace_step_into_handler(struct trap_frame *frame);
/* syscall_dispatch, last: a single step over `syscall` is reported here. */
void trace_syscall_step(struct trap_frame *frame);
/* proc_exit, before teardown (not for SIGKILL). */
void trace_exit(int wait_status);
/* #DB from user mode: true if it was the tracer's single step (now reported). */
bool trace_debug_trap(struct trap_frame *frame, uint64_t dr6);
/* #BP (int3) from user mode: true if reported as a breakpoint stop (no SIGTRAP then). */
bool trace_breakpoint(struct trap_frame *frame);
/* signal_deliver, before acting on sig: returns the signal to deliver instead (0: none). */
int trace_signal(struct trap_frame *frame, int sig, struct siginfo *info);

/* SIGCONT sent to tracee: a listening stop becomes an INTERRUPT stop (PTRACE_LISTEN). */
void trace_listen_continue(struct process *tracee);

/* A job-control stop by sig: the GROUP_STOP stop if armed; true if it stopped there (and was resumed). */
bool trace_group_stop(struct trap_frame *frame, int sig);
/*
 * fork, in the parent once the child exists and before it may run: with
 * LOUPE_OPT_FOLLOW_FORK, give it a pending session whose first act will be
 * a stop (trace_birth_stop). Returns true if so.
 */
bool trace_fork_follow(struct process *child);
/* A followed child's first act (kernel/proc.c: process_first_return): its INTERRUPT stop. */
void trace_birth_stop(struct trap_frame *frame);
/* fork, in the parent, last: the FORK stop. */
void trace_fork(struct process *child);
/* execve, after success. */
void trace_exec(struct trap_frame *frame);
/* return_to_user: a pending LOUPE_RESUME_INTERRUPT becomes a stop here. */
void trace_interrupt_check(struct trap_frame *frame);

#endif
