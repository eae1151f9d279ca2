/* SPDX-License-Identifier: MIT */
/*
 * bench_trace.h - starting and ending a traced child, for the ptrace benchmarks.
 *
 * The classic Linux pattern, unchanged on Loupe (where the shim turns
 * PTRACE_TRACEME into a write to /proc/self/consent): the child asks to be
 * traced and stops itself with SIGSTOP; the parent's waitpid reports that
 * signal-delivery stop, and from there the parent drives the child with
 * ptrace requests.
 */
#ifndef LOUPE_BENCH_TRACE_H
#define LOUPE_BENCH_TRACE_H

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/*
 * Forks a child that runs body(argument) as a stopped tracee of the caller.
 * Returns the child's pid once its SIGSTOP stop has been reported; the
 * child is then waiting in that stop. Exits (bench_die) on failure.
 */
static inline pid_t bench_start_tracee(const char *name, void (*body)(long), long argument)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		bench_die(name, "fork");
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(126);
		kill(getpid(), SIGSTOP);
		body(argument);
		_exit(0);
	}
	if (waitpid(child, &status, 0) != child)
		bench_die(name, "waitpid for the first stop");
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
		errno = EPROTO;
		bench_die(name, "the child did not stop with SIGSTOP");
	}
	return child;
}

/* Kills a traced child and reaps it. */
static inline void bench_end_tracee(pid_t child)
{
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

#endif
