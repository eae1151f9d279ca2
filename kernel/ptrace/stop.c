/* SPDX-License-Identifier: MIT */
/*
 * stop.c - stopping a traced process, and every stop point.
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
 *
 * The stop points, and where they are called from:
 *   SYSCALL_ENTRY/EXIT   kernel/syscall.c: syscall_dispatch (filtered by
 *                        the session's bitmap when LOUPE_OPT_FILTER is on)
 *   EXIT                 kernel/exit.c: proc_exit, before teardown
 *   SINGLESTEP           arch/x86_64/trap.c (#DB with DR6.BS), or after a
 *                        stepped `syscall` (SYSCALL clears TF: see below)
 *   BREAKPOINT           arch/x86_64/trap.c (#BP from int3 or int $3)
 *   SIGNAL               kernel/signal.c: signal_deliver, before acting
 *   FORK                 kernel/fork.c, in the parent
 *   EXEC                 kernel/sys_proc.c: sys_execve, after success
 *   INTERRUPT            kernel/syscall.c: return_to_user
 *
 * Single stepping: the resume sets RFLAGS.TF in the tracee's saved frame
 * (handle.c), the CPU traps after one user instruction, and the #DB
 * handler reports the step and clears the TF it set, so the tracer never
 * sees a TF it did not ask for. SYSCALL clears TF on entry (SFMASK), so
 * stepping over `syscall` would lose the trap; instead the step is
 * reported at the end of syscall_dispatch, at the instruction after it,
 * and the TF is cleared there: no step lost, none doubled.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/lib/string.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/session.h"
#include "kernel/ptrace/stop.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"

#define DR6_BS (1UL << 14)              /* the #DB came from a single step */

static bool sigkill_pending(void)
{
	return (current->signals.pending & SIGNAL_BIT(SIGKILL)) != 0;
}

/* Does this kind stop without being armed? (the tracer asked for it directly) */
static bool stop_requested(uint32_t kind)
{
	return kind == LOUPE_EVENT_SINGLESTEP || kind == LOUPE_EVENT_INTERRUPT;
}

/*
 * Stop for event (kind set by the caller) if that stop point is armed.
 * Returns true if the tracee stopped (and was resumed).
 */
static int last_resume_signal;           /* one CPU: the resume signal of the stop just ended */

static bool trace_stop(struct loupe_trace_event *event, const struct trap_frame *frame)
{
	uint64_t flags = irq_save();
	struct trace_session *session = current->trace;

	if (!session || sigkill_pending() ||
	    (!stop_requested(event->kind) && !(session->armed & LOUPE_STOP(event->kind)))) {
		irq_restore(flags);
		return false;
	}
	event->rip = frame ? frame->rip : 0;
	session_get(session);                   /* it may end while we sleep */
	/* A tracer that resumes without reading: wait for room rather than lose an event. */
	while (session->queue_head - session->queue_tail >= TRACE_QUEUE_SIZE - 1 && current->trace == session &&
	       !sigkill_pending())
		wait_queue_sleep_killable(&session->resume);
	if (current->trace != session || sigkill_pending()) {
		session_put(session);
		irq_restore(flags);
		return false;
	}
	session->stopped = true;
	session->stop_kind = event->kind;
	session->resume_signal = 0;
	current->trace_stopped = true;
	session_post(session, event);
	if (session->consent && !session->has_handle && current->parent)      /* the would-be tracer waits */
		signal_notify_parent(current, CLD_TRAPPED,
				     event->kind == LOUPE_EVENT_SIGNAL ? event->signal : SIGTRAP);
	while (session->stopped && !sigkill_pending())
		wait_queue_sleep_killable(&session->resume);
	session->stopped = false;
	current->trace_stopped = false;
	if (trace_log)
		printk("ptrace: pid %d resumed\n", current->pid);
	/* (A signal given with the resume of any other stop was sent by the tracer: handle.c.) */
	last_resume_signal = session->resume_signal;    /* read before the session may go away */
	session_put(session);
	irq_restore(flags);
	return true;
}

static bool filter_allows(const struct trace_session *session, uint64_t number)
{
	if (!(session->options & LOUPE_OPT_FILTER))
		return true;
	return number < LOUPE_FILTER_BITS && (session->filter[number / 64] & (1ULL << (number % 64)));
}

bool trace_syscall_entry(struct trap_frame *frame)
{
	struct trace_session *session = current->trace;
	struct loupe_trace_event event;

	/* The filter is decided once per call, here: rt_sigreturn rewrites orig_rax before its exit. */
	session->syscall_in_filter = filter_allows(session, frame->orig_rax);
	if (!(session->armed & LOUPE_STOP_SYSCALL_ENTRY) || !session->syscall_in_filter)
		return false;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_SYSCALL_ENTRY;
	event.syscall = frame->orig_rax;
	for (int i = 0; i < 6; i++)
		event.args[i] = syscall_arg(frame, i);
	trace_stop(&event, frame);
	session = current->trace;               /* the session may have ended during the stop */
	if (!session || !session->skip_syscall)
		return false;
	session->skip_syscall = false;
	return true;
}

void trace_syscall_exit(struct trap_frame *frame)
{
	struct trace_session *session = current->trace;
	struct loupe_trace_event event;

	if (!session || !(session->armed & LOUPE_STOP_SYSCALL_EXIT) || !session->syscall_in_filter)
		return;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_SYSCALL_EXIT;
	event.syscall = frame->orig_rax;
	event.retval = (int64_t)frame->rax;
	trace_stop(&event, frame);
}

/* One requested step is done: clear our TF and report it. */
static void trace_report_step(struct trap_frame *frame)
{
	struct trace_session *session = current->trace;
	struct loupe_trace_event event;

	session->step = false;
	if (session->forced_tf) {
		frame->rflags &= ~RFLAGS_TF;
		session->forced_tf = false;
	}
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_SINGLESTEP;
	trace_stop(&event, frame);
}

void trace_step_into_handler(struct trap_frame *frame)
{
	struct trace_session *session = current->trace;

	/* Linux: a step that delivers a signal stops at the handler's first instruction. */
	if (session && session->step)
		trace_report_step(frame);
}

void trace_syscall_step(struct trap_frame *frame)
{
	struct trace_session *session = current->trace;

	if (session && session->step)
		trace_report_step(frame);
}

bool trace_debug_trap(struct trap_frame *frame, uint64_t dr6)
{
	struct trace_session *session = current->trace;

	if (!session || !session->step || !(dr6 & DR6_BS))
		return false;                   /* the program's own TF, or int1: SIGTRAP */
	trace_report_step(frame);
	return true;
}

bool trace_breakpoint(struct trap_frame *frame)
{
	struct loupe_trace_event event;

	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_BREAKPOINT;
	if (current->trace && current->trace->step && current->trace->forced_tf) {
		/* Stepping onto int3: the breakpoint is what the tracer hears about, not a step. */
		frame->rflags &= ~RFLAGS_TF;
		current->trace->forced_tf = current->trace->step = false;
	}
	return trace_stop(&event, frame);
}

int trace_signal(struct trap_frame *frame, int sig, struct siginfo *info)
{
	struct trace_session *session = current->trace;
	struct loupe_trace_event event;

	if (!session || !(session->armed & LOUPE_STOP_SIGNAL) || sig == SIGKILL)
		return sig;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_SIGNAL;
	event.signal = sig;
	memcpy(event.siginfo, info, sizeof(event.siginfo));
	/*
	 * The tracer may rewrite *info through /proc/<pid>/siginfo while we
	 * sleep: it lives on this stack, which stays put until we return.
	 */
	session->stop_siginfo = info;
	bool stopped = trace_stop(&event, frame);
	if (current->trace == session)
		session->stop_siginfo = NULL;
	if (!stopped)
		return sig;
	/* The resume's choice, even if the tracer closed the handle right after (DETACH with a signal). */
	int chosen = current->trace || last_resume_signal ? last_resume_signal : sig;
	if (chosen && chosen != info->signo)
		info->signo = chosen;
	return chosen;
}

/*
 * A stop signal's default action is about to stop the tracee (job
 * control). With GROUP_STOP armed it stops for its tracer instead, as a
 * seized Linux tracee enters a group-stop that its tracer sees as
 * PTRACE_EVENT_STOP: the tracer's resume ends it (no SIGCONT needed),
 * and the parent is not told of a job-control stop that never happened.
 */
bool trace_group_stop(struct trap_frame *frame, int sig)
{
	struct trace_session *session = current->trace;
	struct loupe_trace_event event;

	if (!session || !(session->armed & LOUPE_STOP_GROUP_STOP))
		return false;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_GROUP_STOP;
	event.signal = sig;
	return trace_stop(&event, frame);
}

/*
 * SIGCONT reached a tracee whose tracer said LOUPE_RESUME_LISTEN. The
 * tracee does not run: it stays asleep in trace_stop(), but that stop is
 * now an INTERRUPT stop the tracer hears about, as Linux re-traps a
 * listening tracee into PTRACE_EVENT_STOP. The SIGCONT stays pending for
 * its own SIGNAL stop after the next resume. Runs in the sender.
 */
void trace_listen_continue(struct process *tracee)
{
	struct trace_session *session = tracee->trace;
	struct loupe_trace_event event;

	if (!session || !session->listening || !session->stopped)
		return;
	session->listening = false;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_INTERRUPT;
	event.rip = tracee->frame->rip;
	session->stop_kind = LOUPE_EVENT_INTERRUPT;
	session_post(session, &event);
}

bool trace_fork_follow(struct process *child)
{
	struct trace_session *session = current->trace;

	if (session && (session->options & LOUPE_OPT_FOLLOW_FORK)) {
		/*
		 * The child is born traced, and stops before it runs a single
		 * instruction (trace_birth_stop, from its first return to user
		 * mode): the tracer adopts its session by opening
		 * /proc/<child>/trace whenever it likes (the session exists from
		 * now on, so there is no race), and finds its INTERRUPT event.
		 */
		struct trace_session *follow = session_create_pending(child, session->tracer_pid);
		if (follow) {
			follow->armed = session->armed;
			follow->options = session->options;
			memcpy(follow->filter, session->filter, sizeof(follow->filter));
			follow->birth_stop = true;      /* taken by the child itself: trace_birth_stop */
			return true;
		}
	}
	return false;
}

void trace_fork(struct process *child)
{
	struct loupe_trace_event event;

	if (!current->trace)
		return;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_FORK;
	event.child_pid = child->pid;
	trace_stop(&event, current->frame);
}

void trace_birth_stop(struct trap_frame *frame)
{
	struct trace_session *session = current->trace;
	struct loupe_trace_event event;

	if (!session || !session->birth_stop)
		return;
	session->birth_stop = false;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_INTERRUPT;
	trace_stop(&event, frame);
}

void trace_exec(struct trap_frame *frame)
{
	struct loupe_trace_event event;

	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_EXEC;
	trace_stop(&event, frame);
}

void trace_interrupt_check(struct trap_frame *frame)
{
	struct trace_session *session = current->trace;
	struct loupe_trace_event event;

	if (!session || !session->interrupt)
		return;
	session->interrupt = false;
	memset(&event, 0, sizeof(event));
	event.kind = LOUPE_EVENT_INTERRUPT;
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
