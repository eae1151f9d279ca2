/* SPDX-License-Identifier: MIT */
/*
 * bench.h - the few helpers every benchmark in user/bench/ shares.
 *
 * The benchmarks are written against the Linux API only: the same source
 * builds for Loupe (build/sdk/bin/loupe-cc, which links the ptrace shim)
 * and for Linux (musl-gcc -static), so scripts/bench.py can run them on
 * both kernels in the same emulator and put the figures side by side.
 *
 * Output contract, read by scripts/bench.py: one line per figure,
 *
 *     bench <name> <value> <unit>
 *
 * with <value> a number or "n/a" (the kernel lacks the feature, or a
 * program the benchmark needs is missing). Anything else a benchmark
 * prints starts with "# " and is only for people.
 *
 * Iteration counts: each program reads its count from the environment
 * (BENCH_<NAME>_N and friends, listed in each file and in
 * docs/performance.md), so `make bench BENCH_PIPE_N=5000` scales one
 * benchmark without touching the others. Defaults are modest because
 * QEMU's TCG runs everything 10-50 times slower than the host.
 */
#ifndef LOUPE_BENCH_H
#define LOUPE_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Monotonic time in nanoseconds. */
static inline unsigned long long bench_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)now.tv_sec * 1000000000ull + (unsigned long long)now.tv_nsec;
}

/* The positive integer in environment variable `name`, or `fallback`. */
static inline long bench_count(const char *name, long fallback)
{
	const char *text = getenv(name);
	char *end;

	if (!text || !*text)
		return fallback;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || *end || value <= 0) {
		fprintf(stderr, "# %s=%s is not a positive number; using %ld\n", name, text, fallback);
		return fallback;
	}
	return value;
}

/*
 * Each benchmark times BENCH_BATCHES batches of its work and reports the
 * median batch: one batch disturbed by the host (a shared machine, another
 * QEMU) then moves the figure much less than it would move a single total.
 */
#define BENCH_BATCHES 5

/* The median of values[0..count) (sorts them in place). */
static inline double bench_median(double *values, int count)
{
	for (int i = 1; i < count; i++)         /* insertion sort: count is tiny */
		for (int j = i; j > 0 && values[j - 1] > values[j]; j--) {
			double swap = values[j];
			values[j] = values[j - 1];
			values[j - 1] = swap;
		}
	return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

/* One figure, in the format scripts/bench.py collects. */
static inline void bench_report(const char *name, double value, const char *unit)
{
	printf(value < 10 ? "bench %s %.3f %s\n" : "bench %s %.1f %s\n", name, value, unit);
	fflush(stdout);
}

/* A figure this kernel (or this machine) cannot produce, and why. */
static inline void bench_not_available(const char *name, const char *unit, const char *why)
{
	printf("bench %s n/a %s\n", name, unit);
	printf("# %s: %s\n", name, why);
	fflush(stdout);
}

/* Prints "# <name>: <what>: <strerror>" and exits 1: a benchmark that broke. */
static inline void bench_die(const char *name, const char *what)
{
	int error = errno;

	printf("# %s: %s: %s\n", name, what, strerror(error));
	fflush(stdout);
	exit(1);
}

#endif
