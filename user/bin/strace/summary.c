/* SPDX-License-Identifier: MIT */
/*
 * summary.c - strace -c: count calls, errors and time per syscall, and
 * print strace's table at the end, sorted by time (then by number).
 *
 * The time is the wall-clock time from entry stop to exit stop, as with
 * strace -c -w; real strace's default is the tracee's system time, which
 * Loupe's wait4 does not report. Counts and errors are exact.
 */
#include <stdlib.h>

#include "strace.h"

struct counter {
	long nr;
	unsigned calls, errors;
	uint64_t nsec;
};

static struct counter counters[STRACE_MAX_SYSCALL];

void summary_record(long nr, bool failed, const struct timespec *spent)
{
	if (nr < 0 || nr >= STRACE_MAX_SYSCALL)
		return;
	counters[nr].nr = nr;
	counters[nr].calls++;
	counters[nr].errors += failed;
	counters[nr].nsec += (uint64_t)spent->tv_sec * 1000000000u + (uint64_t)spent->tv_nsec;
}

static int by_time(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;
	if (x->nsec / 1000 != y->nsec / 1000)
		return x->nsec / 1000 < y->nsec / 1000 ? 1 : -1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static const char dashes[] =
	"------ ----------- ----------- --------- --------- ----------------\n";

void summary_print(FILE *out)
{
	struct counter rows[STRACE_MAX_SYSCALL];
	size_t count = 0;
	uint64_t total_usec = 0;
	unsigned total_calls = 0, total_errors = 0;

	for (long nr = 0; nr < STRACE_MAX_SYSCALL; nr++)
		if (counters[nr].calls) {
			rows[count++] = counters[nr];
			total_usec += counters[nr].nsec / 1000;
			total_calls += counters[nr].calls;
			total_errors += counters[nr].errors;
		}
	qsort(rows, count, sizeof(rows[0]), by_time);
	fprintf(out, "%6.6s %11.11s %11.11s %9.9s %9.9s %s\n",
		"% time", "seconds", "usecs/call", "calls", "errors", "syscall");
	fputs(dashes, out);
	for (size_t i = 0; i < count; i++) {
		uint64_t usec = rows[i].nsec / 1000;
		const struct syscall_desc *desc = syscall_desc_of(rows[i].nr);
		char unknown[32];
		if (!desc)
			snprintf(unknown, sizeof(unknown), "syscall_%#lx", (unsigned long)rows[i].nr);
		fprintf(out, "%6.2f %11.6f %11llu %9u %9.u %s\n",
			total_usec ? 100.0 * (double)usec / (double)total_usec : 0.0,
			(double)usec / 1e6, (unsigned long long)(usec / rows[i].calls),
			rows[i].calls, rows[i].errors, desc ? desc->name : unknown);
	}
	fputs(dashes, out);
	fprintf(out, "%6.6s %11.6f %11llu %9u %9.u %s\n", "100.00", (double)total_usec / 1e6,
		(unsigned long long)(total_calls ? total_usec / total_calls : 0),
		total_calls, total_errors, "total");
	fflush(out);
}
