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
 * Events wait in a small ring. A tracee posts one event per stop; if its
 * tracer keeps resuming without reading, the tracee waits for room before
 * posting (stop.c), and one slot is always kept for the DEATH event, so
 * no event is ever dropped and the sequence numbers have no gaps.
 *
 * The file interface is handle.c, the stop points stop.c, the
 * permission rules perm.c.
 */
#include "arch/x86_64/cpu.h"
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
	session->has_handle = true;
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

struct trace_session *session_create_pending(struct process *tracee, int tracer_pid)
{
	struct trace_session *session = kzalloc(sizeof(*session));

	if (!session)
		return NULL;
	session->refs = 1;                      /* the tracee; the handle comes when adopted */
	session->tracee = tracee;
	session->tracee_pid = tracee->pid;
	session->tracer_pid = tracer_pid;
	wait_queue_init(&session->events);
	wait_queue_init(&session->resume);
	tracee->trace = session;
	if (trace_log)
		printk("ptrace: pid %d waits for tracer pid %d\n", tracee->pid, tracer_pid);
	return session;
}

bool session_adoptable(const struct trace_session *session)
{
	return !session->has_handle && session->tracer_pid == current->pid;
}

/* Detach from the tracee (if still there): nothing armed, not stopped. */
static void session_detach(struct trace_session *session)
{
	struct process *tracee = session->tracee;

	session->armed = 0;
	session->stopped = false;
	session->step = session->skip_syscall = session->interrupt = false;
	wait_queue_wake_all(&session->resume);
	if (!tracee)
		return;
	if (session->forced_tf) {
		tracee->frame->rflags &= ~RFLAGS_TF;    /* never leave our TF behind */
		session->forced_tf = false;
	}
	tracee->trace_stopped = false;
	session->tracee = NULL;
	tracee->trace = NULL;
	session_put(session);                   /* the tracee's reference */
}

void session_close(struct trace_session *session);

/* Sessions made for a tracer that never adopted them end when it exits. */
static int session_close_pending(struct process *process, void *opaque)
{
	int tracer_pid = *(int *)opaque;
	struct trace_session *session = process->trace;

	if (session && !session->has_handle && session->tracer_pid == tracer_pid) {
		session_get(session);
		session->has_handle = true;             /* as if adopted, then closed */
		session_close(session);
	}
	return 0;
}

void session_tracer_exited(int tracer_pid)
{
	uint64_t flags = irq_save();
	proc_for_each(session_close_pending, &tracer_pid);
	irq_restore(flags);
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
		/* stop.c waits for room first; only DEATH could get here: never overwrite silently. */
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
