/* SPDX-License-Identifier: MIT */
/*
 * sched.h - the scheduler: round robin over runnable processes, with
 * preemption on the timer tick (kernel/sched.c).
 */
#ifndef LOUPE_SCHED_H
#define LOUPE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct process;

/* The timer asked for a switch: checked on the way back to user mode. */
extern volatile bool need_resched;

void sched_init(void);

/* Put a process on the run queue (it must not be on any queue). */
void sched_make_runnable(struct process *process);

/*
 * Run something else if anything is runnable; return when the caller is
 * picked again. The caller must have set its state first if it wants to
 * sleep. Any context with a process, interrupts on or off.
 */
void schedule(void);

/* Sleep until time_monotonic_ns() >= deadline_ns. Returns 0, or -EINTR if a signal came first. */
int sched_sleep_until(uint64_t deadline_ns);

/* End a sleep early (a signal arrived): the process runs again. */
void sched_wake(struct process *process);

/* Job control: the current process stops until someone makes it runnable (SIGCONT). */
void sched_stop(void);

/* The idle loop: what the CPU does when nothing is runnable. Never returns. */
__attribute__((noreturn)) void sched_idle(void);

#endif
