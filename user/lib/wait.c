/* SPDX-License-Identifier: MIT */
/*
 * wait.c - waitpid(), wait4(), wait() that also report ptrace stops.
 *
 * Linux's waitpid reports a tracee's stops to its tracer. On Loupe the
 * stops arrive as events on each tracee's trace handle, and ordinary
 * children are still reported by the kernel's wait4. So waitpid asks
 * both, in a loop:
 *   1. every matching tracee: read its queued events (non-blocking); an
 *      unreported stop, or its death, is the answer;
 *   2. the kernel's wait4 with WNOHANG for ordinary children (and for a
 *      child that consented to be traced and has stopped: adopt it);
 *   3. nothing yet: with WNOHANG return 0, else sleep in poll() on every
 *      matching trace handle plus /proc/self/waitable, which becomes
 *      readable when the kernel's wait4 would have something. No busy
 *      waiting, and no deadlock: every state change wakes the poll.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif
#ifndef __WNOTHREAD
#define __WNOTHREAD 0x20000000
#endif

static long kernel_wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
	return syscall(SYS_wait4, pid, status, options, usage);
}

static bool pid_matches(pid_t wanted, pid_t pid)
{
	if (wanted > 0)
		return pid == wanted;
	if (wanted == -1)
		return true;
	pid_t group = (pid_t)syscall(SYS_getpgid, pid);
	return wanted == 0 ? group == (pid_t)syscall(SYS_getpgid, 0) : group == -wanted;
}

/* A tracee with something to report: its stop (marked reported) or its end (forgotten). */
static pid_t report_tracee(struct shim_tracee *tracee, int *status)
{
	pid_t pid = tracee->pid;
	int value = shim_stop_status(tracee);

	if (tracee->dead) {
		/* If it is our child, its zombie is ours to reap too; Linux reports it once. */
		kernel_wait4(pid, NULL, WNOHANG | __WALL, NULL);
		shim_forget(tracee);
	} else {
		tracee->reported = true;
	}
	if (status)
		*status = value;
	return pid;
}

/* Is pid in a trace stop ("t" in /proc/<pid>/status)? A job-control stop says "T". */
static bool in_trace_stop(pid_t pid)
{
	char path[64], text[512];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t got = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (got <= 0)
		return false;
	text[got] = '\0';
	return strstr(text, "State:\tt") != NULL;
}

/* The kernel reported a stopped child we do not trace: one that consented (TRACEME). */
static pid_t adopt_consenting(pid_t pid, int *status)
{
	int fd = shim_open_trace(pid);
	if (fd < 0)
		return -1;
	struct shim_tracee *tracee = shim_add(pid, fd);
	if (!tracee) {
		close(fd);
		return -1;
	}
	tracee->mode = MODE_CONT;
	shim_drain(tracee);                     /* the EXEC or SIGNAL event of its stop */
	if (!tracee->stopped)
		return 0;
	return report_tracee(tracee, status);
}

static int waitable_fd(void)
{
	static int fd = -1;
	static pid_t owner;
	pid_t me = (pid_t)syscall(SYS_getpid);

	if (fd >= 0 && owner != me) {
		close(fd);                      /* inherited from the tracer we forked from */
		fd = -1;
	}
	if (fd < 0) {
		fd = open("/proc/self/waitable", O_RDONLY | O_CLOEXEC);
		owner = me;
	}
	return fd;
}

pid_t wait4(pid_t wanted, int *status, int options, struct rusage *usage)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD)) {
		errno = EINVAL;
		return -1;
	}
	if (usage)
		memset(usage, 0, sizeof(*usage));
	for (;;) {
		bool any_tracee = false;
		struct pollfd fds[SHIM_MAX_TRACEES + 1];
		nfds_t count = 0;

		/* 1. Tracees. */
		for (struct shim_tracee *t = shim_next(NULL); t; t = shim_next(t)) {
			if (!pid_matches(wanted, t->pid))
				continue;
			any_tracee = true;
			shim_drain(t);
			if (t->dead || (t->stopped && !t->reported))
				return report_tracee(t, status);
			fds[count++] = (struct pollfd){ t->trace_fd, POLLIN, 0 };
		}

		/*
		 * 2. Ordinary children, and consenting ones. With no tracee in
		 * question the kernel's own wait4 can simply block (it sleeps,
		 * handles WUNTRACED, EINTR and SA_RESTART itself).
		 */
		int kernel_status;
		int kernel_options = any_tracee ? options | WNOHANG : options;
		long pid = kernel_wait4(wanted, &kernel_status, kernel_options, usage);
		if (pid > 0) {
			struct shim_tracee *traced = shim_find((pid_t)pid);
			if (traced && (WIFEXITED(kernel_status) || WIFSIGNALED(kernel_status))) {
				shim_forget(traced);    /* its end came by wait4 first: report it once */
			} else if (WIFSTOPPED(kernel_status) && in_trace_stop((pid_t)pid)) {
				/* Not a job-control stop we asked for: a TRACEME child stopping. */
				pid_t adopted = adopt_consenting((pid_t)pid, status);
				if (adopted != 0)
					return adopted;
				continue;
			}
			if (status)
				*status = kernel_status;
			return (pid_t)pid;
		}
		if (pid < 0 && errno != ECHILD)
			return -1;
		if (pid < 0 && !any_tracee) {
			errno = ECHILD;
			return -1;
		}

		/* 3. Nothing yet. */
		if (options & WNOHANG)
			return 0;
		/*
		 * Sleep until a trace handle has an event or, when any child
		 * will do, until one exits (waitable). For a particular pid or
		 * group, waitable would also fire for other children's exits and
		 * make this loop spin, so only the handles are watched then.
		 */
		int waitable = wanted == -1 && pid == 0 ? waitable_fd() : -1;
		if (waitable >= 0)
			fds[count++] = (struct pollfd){ waitable, POLLIN, 0 };
		if (count == 0)
			continue;                       /* (cannot happen: a tracee matched) */
		if (poll(fds, count, -1) < 0 && errno == EINTR)
			return -1;                      /* a signal handler ran: EINTR, like Linux */
	}
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return wait4(pid, status, options, NULL);
}

pid_t wait(int *status)
{
	return wait4(-1, status, 0, NULL);
}
