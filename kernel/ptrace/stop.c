/* SPDX-License-Identifier: MIT */
/*
 * stop.c - stopping a traced process, and the stop points of the
 * syscall path and of exit.
 *
 * trace_stop is the heart of tracing. It runs in the tracee itself:
 *   1. if the stop point is not armed (or SIGKILL is pending), return;
 *   2. fill an event from the trap frame and post it (session.c), which
 *      wakes the tracer blocked in read() or poll();
 *   3. sleep until the tracer's resume write clears `stopped` (or the
 *      session ends, or SIGKILL arrives: ordinary signals, SIGCONT
 *      included, do not end a trace stop);
 *   4. return into the caller, which goes on with whatever the tracer
 *      left in the frame: a changed syscall number, arguments, result.
 * docs/ptrace.md follows one syscall stop through all of this.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/lib/string.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/session.h"
#include "kernel/ptrace/stop.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"

static bool sigkill_pending(void)
{
	return (current->signals.pending & SIGNAL_BIT(SIGKILL)) != 0;
}

/* Stop for event (kind set by the caller) if that stop point is armed. */
static void trace_stop(struct loupe_trace_event *event, const struct trap_frame *frame)
{
	uint64_t flags = irq_save();
	struct trace_session *session = current->trace;

	if (!session || !(session->armed & LOUPE_STOP(event->kind)) || sigkill_pending()) {
		irq_restore(flags);
		return;
	}
	event->rip = frame ? frame->rip : 0;
	session_get(session);                   /* it may end while we sleep */
	session->stopped = true;
	current->trace_stopped = true;
	session_post(session, event);
	while (session->stopped && !sigkill_pending())
		wait_queue_sleep_killable(&session->resume);
	session->stopped = false;
	current->trace_stopped = false;
	if (trace_log)
		printk("ptrace: pid %d resumed\n", current->pid);
	session_put(session);
	irq_restore(flags);
}

void trace_syscall_entry(struct trap_frame *frame)
{
	struct loupe_trace_event event;

	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_SYSCALL_ENTRY;
	event.syscall = frame->orig_rax;
	for (int i = 0; i < 6; i++)
		event.args[i] = syscall_arg(frame, i);
	trace_stop(&event, frame);
}

void trace_syscall_exit(struct trap_frame *frame)
{
	struct loupe_trace_event event;

	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_SYSCALL_EXIT;
	event.syscall = frame->orig_rax;
	event.retval = (int64_t)frame->rax;
	trace_stop(&event, frame);
}

void trace_exit(int wait_status)
{
	struct loupe_trace_event event;

	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_EXIT;
	event.status = wait_status;
	trace_stop(&event, current->frame);
}
