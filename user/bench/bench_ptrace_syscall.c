/* SPDX-License-Identifier: MIT */
/*
 * bench_ptrace_syscall - a traced system call: the PTRACE_SYSCALL loop.
 *
 * The child makes N getpid calls; the parent is the simplest possible
 * tracer: waitpid, PTRACE_SYSCALL, again, with nothing read at each stop.
 * Every call then costs two stops (entry and exit), and each stop is a
 * round trip: the tracee stops, the tracer wakes in waitpid, resumes it,
 * and the tracee runs again. On Linux that is ptrace_stop() and
 * wait_task_stopped(); on Loupe, the shim reads the event from
 * /proc/<pid>/trace and writes the resume back to it (docs/ptrace.md).
 *
 *   BENCH_PTRACE_N   getpid calls to trace (default 20000), made by
 *                    BENCH_BATCHES children in turn: the median child's
 *                    figure is reported
 *
 * Prints: bench ptrace_syscall <ns> ns/syscall   (both stops)
 *         bench ptrace_stop <ns> ns/stop         (one stop round trip)
 */
#include <sys/syscall.h>

#include "bench_trace.h"

static void make_calls(long calls)
{
	for (long i = 0; i < calls; i++)
		syscall(SYS_getpid);
}

/* Traces one child making `calls` getpid calls; returns the nanoseconds per stop. */
static double time_one_child(long calls)
{
	pid_t child = bench_start_tracee("ptrace_syscall", make_calls, calls);
	long stops = 0;
	int status;

	if (ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD) != 0)
		bench_die("ptrace_syscall", "PTRACE_SETOPTIONS");
	unsigned long long start = bench_now_ns();
	int signal = 0;                                 /* swallow the first SIGSTOP */
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, child, NULL, (void *)(long)signal) != 0)
			bench_die("ptrace_syscall", "PTRACE_SYSCALL");
		if (waitpid(child, &status, 0) != child)
			bench_die("ptrace_syscall", "waitpid");
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		signal = 0;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			stops++;
		else
			signal = WSTOPSIG(status);      /* a real signal: pass it on */
	}
	unsigned long long elapsed = bench_now_ns() - start;

	if (stops < 2) {
		errno = EPROTO;
		bench_die("ptrace_syscall", "no syscall stops seen");
	}
	/* The few calls around the loop (exit_group, the end of kill) are counted too. */
	return (double)elapsed / (double)stops;
}

int main(void)
{
	long calls = bench_count("BENCH_PTRACE_N", 20000) / BENCH_BATCHES + 1;
	double per_stop[BENCH_BATCHES];

	time_one_child(calls / 10 + 1);                 /* warm up */
	for (int batch = 0; batch < BENCH_BATCHES; batch++)
		per_stop[batch] = time_one_child(calls);
	double stop = bench_median(per_stop, BENCH_BATCHES);
	bench_report("ptrace_syscall", 2 * stop, "ns/syscall");
	bench_report("ptrace_stop", stop, "ns/stop");
	return 0;
}
