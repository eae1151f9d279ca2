/* SPDX-License-Identifier: MIT */
/*
 * session.h - a tracing session: one tracer, one tracee (kernel/ptrace/).
 *
 * Locking: one CPU, and every field below is changed with interrupts off
 * (irq_save) by the tracer (handle.c, through its trace file), the tracee
 * (stop.c, at its stop points) or the tracee's exit (session_tracee_died).
 * Neither side is ever preempted in the middle.
 *
 * Lifetime: the session is counted by its users: the trace handle (one
 * reference, dropped at its last close), the tracee (one, dropped at its
 * death or when the session ends), and a tracee sleeping in a stop (one
 * more, so an ending session cannot vanish under it).
 */
#ifndef LOUPE_PTRACE_SESSION_H
#define LOUPE_PTRACE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <loupe/trace.h>

#include "kernel/wait.h"

#define TRACE_QUEUE_SIZE 8              /* events the tracer has not read yet */

struct process;
struct siginfo;

struct trace_session {
	unsigned refs;
	struct process *tracee;         /* NULL once the tracee died or the session ended */
	int tracee_pid;
	int tracer_pid;
	uint64_t armed;                 /* LOUPE_STOP_* */
	uint32_t options;               /* LOUPE_OPT_* */
	uint64_t filter[LOUPE_FILTER_BITS / 64];
	uint64_t next_seq;
	struct loupe_trace_event queue[TRACE_QUEUE_SIZE];
	unsigned queue_head, queue_tail;        /* counters: head - tail events are queued */
	bool stopped;                   /* the tracee waits in a stop for a resume */
	bool has_handle;                /* false while a followed child or a consenting
					 * process waits for its tracer to open the handle */
	bool step;                      /* resume asked for one instruction */
	bool forced_tf;                 /* the kernel set TF for it (and clears it after) */
	bool skip_syscall;              /* resume at a SYSCALL_ENTRY stop asked to skip the call */
	bool interrupt;                 /* LOUPE_RESUME_INTERRUPT: stop as soon as possible */
	bool listening;                 /* LOUPE_RESUME_LISTEN: SIGCONT turns the stop into an INTERRUPT */
	bool consent;                   /* made by consent (TRACEME): wait4 reports its stop */
	bool birth_stop;                /* a followed child: stop before its first instruction */
	bool syscall_in_filter;         /* the current call passed the filter at its entry */
	bool stop_reported;             /* ...once */
	int resume_signal;              /* the resume's signal field */
	struct siginfo *stop_siginfo;   /* at a SIGNAL stop: the siginfo to deliver, on the
					 * sleeping tracee's kernel stack (the siginfo file) */
	uint32_t stop_kind;             /* the kind of the current stop */
	bool dead;                      /* the DEATH event has been queued */
	bool finished;                  /* ... and read: end of file */
	bool closed;                    /* the trace handle is gone */
	struct wait_queue events;       /* the tracer waits here for events */
	struct wait_queue resume;       /* a stopped tracee waits here */
};

/* Kernel command line `ptrace.log=1`: print stops, events and resumes. */
extern bool trace_log;

void session_get(struct trace_session *session);
void session_put(struct trace_session *session);

/* Create a session for tracee, traced by the current process; NULL + *error. */
struct trace_session *session_attach(struct process *tracee, int *error);

/*
 * A session for tracee on behalf of tracer_pid, with no handle yet: a
 * followed child, or a process that consented to be traced by its
 * parent. The tracer adopts it by opening /proc/<pid>/trace.
 */
struct trace_session *session_create_pending(struct process *tracee, int tracer_pid);

/* Opening the trace handle of a pending session made for the caller. */
bool session_adoptable(const struct trace_session *session);

/* The trace handle's last close: end the session (resume or kill the tracee). */
void session_close(struct trace_session *session);

/* Queue an event (fills size, seq, pid) and wake the tracer. */
void session_post(struct trace_session *session, struct loupe_trace_event *event);

/* A process is exiting: end the pending sessions it never adopted (as if it closed them). */
void session_tracer_exited(int tracer_pid);

/* The tracee is dying with wait status `status`: post DEATH, forget the tracee. */
void session_tracee_died(struct process *tracee, int status);

#endif
