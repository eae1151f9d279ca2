/* SPDX-License-Identifier: MIT */
/*
 * shim.h - the state of the Linux ptrace shim (user/lib/).
 *
 * The shim rebuilds Linux's ptrace() and waitpid() over Loupe's files
 * (docs/ptrace-abi.md). It keeps one small record per tracee:
 *
 *   pid, the open handles (trace, regs, fpregs, mem: opened lazily,
 *   close-on-exec), the Linux options (PTRACE_O_*), how the tracee was
 *   last resumed, and the event of its current stop, if it is stopped,
 *   with whether waitpid already reported it.
 *
 * That is all: the kernel keeps everything else. The table belongs to
 * the process that filled it; a child of the tracer (fork) starts with
 * an empty table and closes the handles it inherited (tracee.c).
 */
#ifndef LOUPE_SHIM_H
#define LOUPE_SHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <loupe/trace.h>

#define SHIM_MAX_TRACEES 64

enum shim_resume_mode {
	MODE_CONT,              /* PTRACE_CONT: signals, events */
	MODE_SYSCALL,           /* PTRACE_SYSCALL: + syscall entry and exit */
	MODE_SYSEMU,            /* PTRACE_SYSEMU: + syscall entry, calls skipped */
};

struct shim_tracee {
	pid_t pid;                      /* 0: free slot */
	int trace_fd, regs_fd, fpregs_fd, mem_fd;       /* -1 until needed */
	unsigned long options;          /* PTRACE_O_* */
	bool seized;                    /* PTRACE_SEIZE (event stops) vs ATTACH (SIGSTOP) */
	bool attach_stop;               /* the INTERRUPT stop of ATTACH reports as SIGSTOP */
	enum shim_resume_mode mode;
	bool stopped;                   /* the kernel holds it in a stop: `event` is that stop */
	bool reported;                  /* waitpid has returned this stop */
	bool dead;                      /* DEATH read: report the end, then forget it */
	int death_status;
	struct loupe_trace_event event;
	unsigned long eventmsg;         /* PTRACE_GETEVENTMSG */
	uint64_t filter[LOUPE_FILTER_BITS / 64];
	bool filtering;
	bool skip_exec_exit;            /* the execve exit stop Linux would not show (tracee.c) */
	bool exec_sigtrap;              /* send the exec SIGTRAP when the execve exit stop resumes */
};

/* tracee.c */
struct shim_tracee *shim_find(pid_t pid);
struct shim_tracee *shim_add(pid_t pid, int trace_fd);
void shim_forget(struct shim_tracee *tracee);
struct shim_tracee *shim_next(struct shim_tracee *after);   /* iterate: NULL starts, NULL ends */
int shim_regs_fd(struct shim_tracee *tracee);
int shim_fpregs_fd(struct shim_tracee *tracee);
/* Replace the siginfo of the current SIGNAL stop (/proc/<pid>/siginfo); 0 or -1 + errno. */
int shim_siginfo_write(struct shim_tracee *tracee, const void *info, size_t size);
int shim_mem_fd(struct shim_tracee *tracee);
/* Open /proc/<pid>/trace; -1 with errno as ptrace would set it. */
int shim_open_trace(pid_t pid);
/* Write a resume record with the stops this tracee's mode and options need. */
int shim_resume(struct shim_tracee *tracee, uint32_t flags, int sig);
/* Read every queued event of a tracee without blocking; returns true if its state changed. */
bool shim_drain(struct shim_tracee *tracee);
/* Linux's wait status for the tracee's current, unreported stop (or its death). */
int shim_stop_status(struct shim_tracee *tracee);

#endif
