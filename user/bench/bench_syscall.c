/* SPDX-License-Identifier: MIT */
/*
 * bench_syscall - the cost of the cheapest system call: getpid(2) in a loop.
 *
 * This is the floor under every other figure: the `syscall` instruction,
 * the kernel's entry path, the dispatch, and the SYSRET back (on Loupe:
 * arch/x86_64/syscall.asm and kernel/syscall.c). getpid is made with
 * syscall(2), not getpid(3), so that no libc can answer from a cache.
 *
 *   BENCH_SYSCALL_N   calls to time (default 1000000), in BENCH_BATCHES
 *                     batches: the median batch is reported
 *
 * Prints: bench null_syscall <ns> ns/call
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

int main(void)
{
	long calls = bench_count("BENCH_SYSCALL_N", 1000000) / BENCH_BATCHES + 1;
	double per_call[BENCH_BATCHES];

	for (long i = 0; i < calls / 10; i++)      /* warm up: page in, fill the TLB */
		syscall(SYS_getpid);
	for (int batch = 0; batch < BENCH_BATCHES; batch++) {
		unsigned long long start = bench_now_ns();
		for (long i = 0; i < calls; i++)
			syscall(SYS_getpid);
		per_call[batch] = (double)(bench_now_ns() - start) / (double)calls;
	}
	bench_report("null_syscall", bench_median(per_call, BENCH_BATCHES), "ns/call");
	return 0;
}
