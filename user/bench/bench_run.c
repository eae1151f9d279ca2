/* SPDX-License-Identifier: MIT */
/*
 * bench_run - runs every benchmark in turn; also /init of the Linux guest.
 *
 *   bench_run [NAME=VALUE ...]
 *
 * Each NAME=VALUE goes into the environment first (BENCH_PIPE_N=5000 ...):
 * that is how scripts/bench.py passes iteration counts through the kernel
 * command line of either kernel. The benchmarks are run from the folder
 * bench_run itself lives in (/bench), one after another, each as a child,
 * so that one that breaks does not stop the others.
 *
 * As process 1 of a Linux initramfs (make bench-compare) it first mounts
 * /proc and /dev, which the benchmarks need, and at the end powers the
 * machine off with reboot(2), as an init must never exit. On Loupe,
 * init runs it as an ordinary command (make bench) and it just exits.
 *
 * Prints, besides what the benchmarks print:
 *   # system: <uname -s -r -m>
 *   bench-done
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

static const char *const benchmarks[] = {
	"bench_syscall",
	"bench_pipe",
	"bench_ptrace_syscall",
	"bench_singlestep",
	"bench_mem",
	"bench_strace",
};

/* What an init needs before the benchmarks can run: /proc and /dev. */
static void set_up_as_init(void)
{
	mkdir("/proc", 0555);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0)
		printf("# bench_run: mount /proc: %s\n", strerror(errno));
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0)
		printf("# bench_run: mount /dev: %s\n", strerror(errno));
	setenv("PATH", "/bin:/bench", 0);
}

static void run(const char *folder, const char *name)
{
	char path[256];
	int status;

	snprintf(path, sizeof(path), "%s/%s", folder, name);
	char *argv[] = { path, NULL };
	fflush(stdout);
	pid_t child = fork();
	if (child < 0) {
		printf("# bench_run: fork: %s\n", strerror(errno));
		return;
	}
	if (child == 0) {
		execve(path, argv, environ);
		printf("# bench_run: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("# bench_run: %s ended with status 0x%x\n", name, status);
}

int main(int argc, char **argv)
{
	int is_init = getpid() == 1;
	char folder[256] = "/bench";
	struct utsname system;

	if (is_init)
		set_up_as_init();
	for (int i = 1; i < argc; i++)
		if (strchr(argv[i], '='))
			putenv(argv[i]);
	char *slash = strrchr(argv[0], '/');
	if (!is_init && slash && slash != argv[0])
		snprintf(folder, sizeof(folder), "%.*s", (int)(slash - argv[0]), argv[0]);
	if (uname(&system) == 0)
		printf("# system: %s %s %s\n", system.sysname, system.release, system.machine);

	for (size_t i = 0; i < sizeof(benchmarks) / sizeof(benchmarks[0]); i++)
		run(folder, benchmarks[i]);
	printf("bench-done\n");
	fflush(stdout);

	if (is_init) {
		sync();
		reboot(RB_POWER_OFF);
		for (;;)
			pause();                /* never exit: the kernel would panic */
	}
	return 0;
}
