/* SPDX-License-Identifier: MIT */
/*
 * session.c - tracing sessions: creating, ending, and the event queue.
 *
 * A session is born when a tracer opens /proc/<pid>/trace (handle.c),
 * lives while both sides hold it, and ends either way:
 *   - the tracer closes its last descriptor (or dies, which closes it):
 *     every stop point is disarmed and a stopped tracee runs on, or gets
 *     SIGKILL if the tracer asked for LOUPE_OPT_KILL_ON_CLOSE;
 *   - the tracee dies: the DEATH event is queued, and the tracer's reads
 *     return it and then end of file.
 * Events wait in a small ring: a tracee produces at most one stop event
 * before it is resumed, plus its DEATH, so the ring never overflows.
 *
 * The file interface is handle.c, the stop points stop.c, the
 * permission rules perm.c.
 */
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/poll.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/session.h"
#include "kernel/sched.h"
#include "kernel/signal.h"

bool trace_log;

void session_get(struct trace_session *session)
{
	session->refs++;
}

void session_put(struct trace_session *session)
{
	if (--session->refs == 0)
		kfree(session);
}

struct trace_session *session_attach(struct process *tracee, int *error)
{
	struct trace_session *session = kzalloc(sizeof(*session));

	if (!session) {
		*error = -ENOMEM;
		return NULL;
	}
	session->refs = 2;                      /* the handle and the tracee */
	session->tracee = tracee;
	session->tracee_pid = tracee->pid;
	session->tracer_pid = current->pid;
	wait_queue_init(&session->events);
	wait_queue_init(&session->resume);
	tracee->trace = session;
	if (trace_log)
		printk("ptrace: pid %d attached to pid %d\n", current->pid, tracee->pid);
	return session;
}

/* Detach from the tracee (if still there): nothing armed, not stopped. */
static void session_detach(struct trace_session *session)
{
	struct process *tracee = session->tracee;

	session->armed = 0;
	session->stopped = false;
	wait_queue_wake_all(&session->resume);
	if (!tracee)
		return;
	session->tracee = NULL;
	tracee->trace = NULL;
	session_put(session);                   /* the tracee's reference */
}

void session_close(struct trace_session *session)
{
	uint64_t flags = irq_save();
	struct process *tracee = session->tracee;

	session->closed = true;
	if (tracee && (session->options & LOUPE_OPT_KILL_ON_CLOSE))
		signal_send(tracee, SIGKILL, NULL);
	if (trace_log)
		printk("ptrace: session with pid %d ended by its tracer%s\n", session->tracee_pid,
		       tracee && (session->options & LOUPE_OPT_KILL_ON_CLOSE) ? " (tracee killed)" : "");
	session_detach(session);
	irq_restore(flags);
	session_put(session);                   /* the handle's reference */
}

void session_post(struct trace_session *session, struct loupe_trace_event *event)
{
	event->size = sizeof(*event);
	event->seq = ++session->next_seq;
	event->pid = session->tracee_pid;
	if (session->queue_head - session->queue_tail >= TRACE_QUEUE_SIZE) {
		/* Cannot happen (see the top of this file); never overwrite silently. */
		printk("ptrace: event queue of pid %d full, dropping event %lu\n",
		       session->tracee_pid, event->seq);
		return;
	}
	session->queue[session->queue_head++ % TRACE_QUEUE_SIZE] = *event;
	if (trace_log)
		printk("ptrace: pid %d event %lu kind %u syscall %lu retval %ld status 0x%x\n",
		       session->tracee_pid, event->seq, event->kind, event->syscall,
		       event->retval, event->status);
	wait_queue_wake_all(&session->events);
	poll_notify();
}

void session_tracee_died(struct process *tracee, int status)
{
	uint64_t flags = irq_save();
	struct trace_session *session = tracee->trace;

	if (session) {
		struct loupe_trace_event event;
		memset(&event, 0, sizeof(event));
		event.kind = LOUPE_EVENT_DEATH;
		event.status = status;
		session_post(session, &event);
		session->dead = true;
		session_detach(session);
	}
	irq_restore(flags);
}
