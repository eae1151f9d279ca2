/* SPDX-License-Identifier: MIT */
/*
 * handle.c - the trace handle: /proc/<pid>/trace as a file.
 *
 *   open   becomes the tracer (perm.c's rules), creating the session;
 *   read   returns whole events, blocking until one is queued;
 *   write  takes one struct loupe_trace_resume: arm, resume, maybe wait;
 *   poll   POLLIN when an event is queued or the session is over;
 *   close  (the last one) ends the session (session.c).
 * Every byte is specified in docs/ptrace-abi.md and loupe/trace.h; this
 * file only decodes and checks, the mechanism is session.c and stop.c.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/lib/string.h"
#include "kernel/poll.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/handle.h"
#include "kernel/ptrace/perm.h"
#include "kernel/ptrace/session.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/vfs.h"
#include "kernel/wait.h"

_Static_assert(sizeof(struct loupe_trace_event) == 256, "the event record is 256 bytes (docs/ptrace-abi.md)");
_Static_assert(sizeof(struct loupe_trace_resume) == 128, "the resume record is 128 bytes (docs/ptrace-abi.md)");

/* The stop points a resume may arm: the others are requested, not armed. */
#define STOPS_ARMABLE (LOUPE_STOP_SYSCALL_ENTRY | LOUPE_STOP_SYSCALL_EXIT | LOUPE_STOP_EXIT | \
		       LOUPE_STOP_BREAKPOINT | LOUPE_STOP_SIGNAL | LOUPE_STOP_FORK | LOUPE_STOP_EXEC | \
		       LOUPE_STOP_GROUP_STOP)

static int trace_open(struct file *file)
{
	struct process *tracee;
	int pid = (int)(uintptr_t)file->inode->private;

	if ((file->flags & O_ACCMODE) != O_RDWR)
		return -EINVAL;                 /* a session reads events and writes resumes */
	/* A session waiting for us (a followed child, a consenting child): adopt it. */
	struct process *waiting = proc_find(pid);
	if (waiting && waiting->state != PROC_ZOMBIE && waiting->trace &&
	    session_adoptable(waiting->trace)) {
		uint64_t flags = irq_save();
		waiting->trace->has_handle = true;
		session_get(waiting->trace);
		file->private = waiting->trace;
		irq_restore(flags);
		if (trace_log)
			printk("ptrace: pid %d adopted the session of pid %d\n", current->pid, pid);
		return 0;
	}
	int error = trace_may_attach(pid, true, &tracee);
	if (error)
		return error;
	uint64_t flags = irq_save();
	file->private = session_attach(tracee, &error);
	irq_restore(flags);
	return file->private ? 0 : error;
}

static void trace_release(struct file *file)
{
	session_close(file->private);
}

static bool trace_has_event(const struct trace_session *session)
{
	return session->queue_head != session->queue_tail;
}

static long trace_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct trace_session *session = file->private;
	size_t done = 0;

	(void)position;
	if (len < sizeof(struct loupe_trace_event))
		return -EINVAL;
	if (!trace_has_event(session)) {
		if (session->finished)
			return 0;               /* the tracee is gone and its death was read */
		if (file->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event(&session->events, trace_has_event(session) || session->finished))
			return -ERESTARTSYS;
	}
	uint64_t flags = irq_save();
	while (trace_has_event(session) && len - done >= sizeof(struct loupe_trace_event)) {
		struct loupe_trace_event *event = &session->queue[session->queue_tail % TRACE_QUEUE_SIZE];
		if (io_copy_out(buffer, done, event, sizeof(*event))) {
			irq_restore(flags);
			return done ? (long)done : -EFAULT;     /* the event stays queued */
		}
		if (event->kind == LOUPE_EVENT_DEATH)
			session->finished = true;
		session->queue_tail++;
		done += sizeof(*event);
	}
	irq_restore(flags);
	wait_queue_wake_all(&session->resume);  /* a tracee may wait for room in the queue */
	poll_notify();
	return (long)done;
}

static int trace_check_resume(const struct loupe_trace_resume *resume)
{
	if (resume->size != sizeof(*resume))
		return -EINVAL;
	if ((resume->flags & ~LOUPE_RESUME_FLAGS) || (resume->stops & ~STOPS_ARMABLE) ||
	    (resume->options & ~LOUPE_OPTIONS) || resume->signal < 0 || resume->signal > NSIG)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(resume->reserved) / sizeof(resume->reserved[0]); i++)
		if (resume->reserved[i])
			return -EINVAL;
	return 0;
}

/*
 * Set TF for the tracee's next instruction, unless the program set TF
 * itself (then it keeps it), and remember that we did, to clear it after
 * the step. Like Linux, a popf about to run is treated as setting TF
 * itself: whatever TF the popf leaves is the program's.
 */
static void trace_arm_step(struct trace_session *session, struct process *tracee)
{
	struct trap_frame *frame = tracee->frame;
	uint8_t code[4] = { 0 };

	session->step = true;
	tracee->force_iret = true;
	if (frame->rflags & RFLAGS_TF)
		return;
	frame->rflags |= RFLAGS_TF;
	session->forced_tf = true;
	size_t got = tracee->as ? addrspace_access_forced(tracee->as, frame->rip, code, sizeof(code), false) : 0;
	size_t at = 0;
	while (at < got && (code[at] == 0x66 || (code[at] & 0xf0) == 0x40))
		at++;                           /* operand-size and REX prefixes */
	if (at < got && code[at] == 0x9d)
		session->forced_tf = false;     /* popf: its TF is the program's */
}

static long trace_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct trace_session *session = file->private;
	struct loupe_trace_resume resume;

	(void)position;
	if (len != sizeof(resume))
		return -EINVAL;
	if (io_copy_in(buffer, 0, &resume, sizeof(resume)))
		return -EFAULT;
	int error = trace_check_resume(&resume);
	if (error)
		return error;

	uint64_t flags = irq_save();
	if (!session->tracee) {
		irq_restore(flags);
		return -ESRCH;                  /* it died: only its DEATH event is left */
	}
	struct process *tracee = session->tracee;
	bool resuming = session->stopped && !(resume.flags & (LOUPE_RESUME_NOCONT | LOUPE_RESUME_LISTEN));
	if ((resume.flags & LOUPE_RESUME_LISTEN) &&
	    (!session->stopped || resume.signal || (resume.flags & (LOUPE_RESUME_STEP | LOUPE_RESUME_SKIP)) ||
	     (session->stop_kind != LOUPE_EVENT_GROUP_STOP && session->stop_kind != LOUPE_EVENT_INTERRUPT))) {
		irq_restore(flags);
		return -EINVAL;                 /* only a group or interrupt stop can wait for SIGCONT */
	}
	if ((resume.flags & LOUPE_RESUME_SKIP) &&
	    (!resuming || session->stop_kind != LOUPE_EVENT_SYSCALL_ENTRY)) {
		irq_restore(flags);
		return -EINVAL;                 /* only a syscall-entry stop has a call to skip */
	}
	if ((resume.flags & LOUPE_RESUME_STEP) && !resuming) {
		irq_restore(flags);
		return -EINVAL;                 /* a running tracee cannot be stepped from here */
	}
	uint64_t seq_before = session->next_seq;
	session->armed = resume.stops;
	session->options = resume.options;
	memcpy(session->filter, resume.filter, sizeof(session->filter));
	if (resume.flags & LOUPE_RESUME_INTERRUPT) {
		if (!session->stopped) {
			session->interrupt = true;      /* taken at its next return to user mode */
			sched_wake(tracee);             /* a sleeping call ends (and restarts later) */
		}
	}
	if (resume.flags & LOUPE_RESUME_LISTEN)
		session->listening = true;      /* trace_listen_continue (stop.c) ends it */
	if (resuming) {
		session->listening = false;
		session->resume_signal = resume.signal;
		/* At any stop but a signal stop, the resume's signal is simply sent (PTRACE_CONT, sig). */
		if (resume.signal && session->stop_kind != LOUPE_EVENT_SIGNAL) {
			struct siginfo info = { .signo = resume.signal, .code = SI_USER };
			info.fields.kill.pid = current->pid;
			signal_send(tracee, resume.signal, &info);
		}
		session->skip_syscall = resume.flags & LOUPE_RESUME_SKIP;
		if (resume.flags & LOUPE_RESUME_STEP) {
			trace_arm_step(session, tracee);
		} else if (session->step) {
			/* A resume without STEP cancels a step still pending, and the TF we set for it. */
			session->step = false;
			if (session->forced_tf)
				tracee->frame->rflags &= ~RFLAGS_TF;
			session->forced_tf = false;
		}
		session->stopped = false;
		tracee->trace_stopped = false;
		wait_queue_wake_all(&session->resume);
	}
	if (trace_log)
		printk("ptrace: pid %d resume: stops 0x%lx flags 0x%x options 0x%x\n",
		       session->tracee_pid, resume.stops, resume.flags, resume.options);
	irq_restore(flags);

	/* PTRACE_WAIT: block until the tracee has produced its next event. */
	if ((resume.flags & LOUPE_RESUME_WAIT) &&
	    wait_event(&session->events, session->next_seq != seq_before || session->dead))
		return -EINTR;                  /* the resume itself did happen */
	return (long)sizeof(resume);
}

static unsigned trace_poll(struct file *file)
{
	struct trace_session *session = file->private;
	unsigned events = 0;

	if (trace_has_event(session) || session->finished)
		events |= POLLIN | POLLRDNORM;
	if (session->tracee)
		events |= POLLOUT | POLLWRNORM;
	if (session->finished)
		events |= POLLHUP;
	return events;
}

const struct file_ops trace_file_ops = {
	.open = trace_open,
	.read = trace_read,
	.write = trace_write,
	.poll = trace_poll,
	.release = trace_release,
};
