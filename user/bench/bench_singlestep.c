/* SPDX-License-Identifier: MIT */
/*
 * bench_singlestep - PTRACE_SINGLESTEP steps per second.
 *
 * The child spins in a straight-line loop of nops (no system calls, no
 * memory traffic); the parent steps it one instruction at a time. Each
 * step sets the trap flag, returns to user mode, takes a #DB after one
 * instruction and reports a SIGTRAP stop: a stop round trip like a
 * syscall stop, entered through an exception instead of the syscall path
 * (on Loupe, arch/x86_64/trap.c and kernel/ptrace/stop.c). Debuggers and
 * instruction tracers live at this rate.
 *
 *   BENCH_STEP_N   steps to time (default 20000), in BENCH_BATCHES batches:
 *                  the median batch is reported
 *
 * Prints: bench singlestep <steps> steps/s
 */
#include "bench_trace.h"

static void spin(long unused)
{
	(void)unused;
	for (;;)
		__asm__ volatile("nop; nop; nop; nop; nop; nop; nop; nop");
}

int main(void)
{
	long steps = bench_count("BENCH_STEP_N", 20000) / BENCH_BATCHES + 1;
	pid_t child = bench_start_tracee("singlestep", spin, 0);
	double rate[BENCH_BATCHES];
	int status;

	/* Batch -1 warms up; its first step leaves the SIGSTOP stop (signal swallowed). */
	for (int batch = -1; batch < BENCH_BATCHES; batch++) {
		unsigned long long start = bench_now_ns();
		for (long i = 0; i < steps; i++) {
			if (ptrace(PTRACE_SINGLESTEP, child, NULL, NULL) != 0)
				bench_die("singlestep", "PTRACE_SINGLESTEP");
			if (waitpid(child, &status, 0) != child)
				bench_die("singlestep", "waitpid");
			if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
				errno = EPROTO;
				bench_die("singlestep", "a step did not end in a SIGTRAP stop");
			}
		}
		if (batch >= 0)
			rate[batch] = (double)steps * 1e9 / (double)(bench_now_ns() - start);
	}

	bench_end_tracee(child);
	bench_report("singlestep", bench_median(rate, BENCH_BATCHES), "steps/s");
	return 0;
}
