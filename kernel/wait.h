/* SPDX-License-Identifier: MIT */
/*
 * wait.h - wait queues: how a process sleeps until something happens.
 *
 * The pattern, always the same:
 *
 *     error = wait_event(&queue, condition);
 *
 * checks the condition with interrupts off, and if false puts the
 * process to sleep on the queue and schedules; whoever makes the
 * condition true calls wait_queue_wake_all(&queue). Checking and going
 * to sleep happen with interrupts off, so a wake-up from an interrupt
 * handler can never slip in between and be lost. The code is in sched.c.
 */
#ifndef LOUPE_WAIT_H
#define LOUPE_WAIT_H

#include "arch/x86_64/cpu.h"
#include "kernel/list.h"

struct wait_queue {
	struct list_node sleepers;          /* struct process, by run_link */
};

#define WAIT_QUEUE_INIT(name) { LIST_INIT((name).sleepers) }

static inline void wait_queue_init(struct wait_queue *queue)
{
	list_init(&queue->sleepers);
}

/*
 * Sleep on queue until woken. Call with interrupts off, after checking
 * the condition. Returns 0 when woken; -EINTR when a signal is pending
 * (before or after sleeping).
 */
int wait_queue_sleep(struct wait_queue *queue);

/*
 * The same with a deadline in monotonic nanoseconds (0: none); queue may
 * be NULL for a plain timed sleep. -ETIMEDOUT once the deadline has passed.
 */
int wait_queue_sleep_until(struct wait_queue *queue, uint64_t deadline_ns);

/*
 * Sleep that only SIGKILL interrupts (-EINTR): a traced process waiting
 * for its tracer must not be resumed by an ordinary signal.
 */
int wait_queue_sleep_killable(struct wait_queue *queue);

/* Make every sleeper runnable. Any context, interrupts on or off. */
void wait_queue_wake_all(struct wait_queue *queue);

#define wait_event(queue, condition) ({                                  \
	int wait_error_ = 0;                                             \
	for (;;) {                                                       \
		uint64_t wait_flags_ = irq_save();                       \
		if (condition) {                                         \
			irq_restore(wait_flags_);                        \
			break;                                           \
		}                                                        \
		wait_error_ = wait_queue_sleep(queue);                   \
		irq_restore(wait_flags_);                                \
		if (wait_error_)                                         \
			break;                                           \
	}                                                                \
	wait_error_;                                                     \
})

#endif
