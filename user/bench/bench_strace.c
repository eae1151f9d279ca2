/* SPDX-License-Identifier: MIT */
/*
 * bench_strace - what strace costs a program that makes many system calls.
 *
 * The workload is this same program run as `bench_strace --loop N`: N
 * getpid calls and exit. It is timed from fork to reaped, three ways:
 *
 *   untraced        the workload alone (the median of BENCH_BATCHES runs:
 *                   it is cheap, and the traced runs are timed once each)
 *   strace_full     strace -o /dev/null <workload>: every call stops twice
 *                   and strace decodes and prints it (to /dev/null)
 *   strace_write    strace -e trace=write -o /dev/null <workload>: no
 *                   getpid is printed. On Loupe strace programs the
 *                   kernel's syscall filter, so getpid never stops at all;
 *                   on Linux the same strace stops at every call and drops
 *                   the lines itself, as Linux's strace does without
 *                   --seccomp-bpf.
 *
 * strace is found as $BENCH_STRACE, else /bin/strace, else on $PATH; without
 * one, both traced figures are "n/a".
 *
 *   BENCH_STRACE_N   getpid calls in the workload (default 200000)
 *
 * Prints: bench strace_untraced <ms> ms
 *         bench strace_full <ms|n/a> ms
 *         bench strace_write <ms|n/a> ms
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

static int workload(const char *count)
{
	long calls = strtol(count, NULL, 10);

	for (long i = 0; i < calls; i++)
		syscall(SYS_getpid);
	return 0;
}

static int is_program(const char *path)
{
	struct stat info;

	return stat(path, &info) == 0 && S_ISREG(info.st_mode) && access(path, X_OK) == 0;
}

/* The strace to use, in `buffer`; NULL if there is none. */
static const char *find_strace(char *buffer, size_t size)
{
	const char *chosen = getenv("BENCH_STRACE");
	const char *path = getenv("PATH");

	if (chosen && *chosen)
		return is_program(chosen) ? chosen : NULL;
	if (is_program("/bin/strace"))
		return "/bin/strace";
	while (path && *path) {
		size_t length = strcspn(path, ":");
		snprintf(buffer, size, "%.*s/strace", (int)length, path);
		if (length && is_program(buffer))
			return buffer;
		path += length + (path[length] == ':');
	}
	return NULL;
}

/* Runs argv to completion; returns the milliseconds it took, or -1 if it failed. */
static double run_timed(char **argv)
{
	int status;
	unsigned long long start = bench_now_ns();
	pid_t child = fork();

	if (child < 0)
		return -1;
	if (child == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	if (waitpid(child, &status, 0) != child)
		return -1;
	unsigned long long elapsed = bench_now_ns() - start;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("# %s: status 0x%x\n", argv[0], status);
		return -1;
	}
	return (double)elapsed / 1e6;
}

static void report_run(const char *name, char **argv)
{
	double ms = run_timed(argv);

	if (ms < 0)
		bench_not_available(name, "ms", "the run failed");
	else
		bench_report(name, ms, "ms");
}

int main(int argc, char **argv)
{
	char count[32], strace_path[256];

	if (argc == 3 && strcmp(argv[1], "--loop") == 0)
		return workload(argv[2]);
	if (argv[0][0] != '/') {
		printf("# strace: run me by my absolute path (the workload is me)\n");
		return 2;
	}
	snprintf(count, sizeof(count), "%ld", bench_count("BENCH_STRACE_N", 200000));
	char *self = argv[0];
	char *untraced[] = { self, "--loop", count, NULL };
	double untraced_ms[BENCH_BATCHES];
	for (int run = 0; run < BENCH_BATCHES; run++)
		if ((untraced_ms[run] = run_timed(untraced)) < 0)
			bench_die("strace_untraced", "the workload failed");
	bench_report("strace_untraced", bench_median(untraced_ms, BENCH_BATCHES), "ms");

	const char *strace = find_strace(strace_path, sizeof(strace_path));
	if (!strace) {
		bench_not_available("strace_full", "ms", "no strace (/bin/strace, $PATH)");
		bench_not_available("strace_write", "ms", "no strace (/bin/strace, $PATH)");
		return 0;
	}
	printf("# strace: %s, %s getpid calls\n", strace, count);
	char *full[] = { (char *)strace, "-o", "/dev/null", self, "--loop", count, NULL };
	report_run("strace_full", full);
	char *filtered[] = { (char *)strace, "-e", "trace=write", "-o", "/dev/null",
			     self, "--loop", count, NULL };
	report_run("strace_write", filtered);
	return 0;
}
