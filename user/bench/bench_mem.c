/* SPDX-License-Identifier: MIT */
/*
 * bench_mem - reading 1 MiB of a stopped tracee's memory, three ways.
 *
 *   peekdata          PTRACE_PEEKDATA, one 8-byte word per call: 131072
 *                     calls per MiB. What classic debuggers and strace's
 *                     fallback do. On Loupe each call is one pread of 8
 *                     bytes on /proc/<pid>/mem, made by the shim.
 *   procmem           pread on /proc/<pid>/mem, as much as one call will
 *                     take: the kernel copies page by page.
 *   process_vm_readv  one call with one iovec pair, where the kernel has
 *                     it (Linux 3.2+); Loupe has no such call (ENOSYS),
 *                     and its figure is "n/a".
 *
 * The buffer is mapped and filled before fork, so it sits at the same
 * address in the child; each method's copy is checked against it.
 *
 *   BENCH_PEEK_ROUNDS   MiB read by PEEKDATA (default 1)
 *   BENCH_MEM_ROUNDS    MiB read by each bulk method (default 64)
 *
 * Prints: bench peekdata <MiB/s> MiB/s
 *         bench procmem <MiB/s> MiB/s
 *         bench process_vm_readv <MiB/s|n/a> MiB/s
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "bench_trace.h"

#define MIB (1024 * 1024)

static void stay_stopped(long unused)
{
	(void)unused;
	for (;;)
		pause();
}

static void check_copy(const char *name, const uint64_t *source, const uint64_t *copy)
{
	if (memcmp(source, copy, MIB) != 0) {
		errno = EPROTO;
		bench_die(name, "the copy differs from the tracee's memory");
	}
}

static double mib_per_second(long mebibytes, unsigned long long elapsed_ns)
{
	return (double)mebibytes * 1e9 / (double)elapsed_ns;
}

static void by_peekdata(pid_t child, const uint64_t *source, uint64_t *copy, long rounds)
{
	unsigned long long start = bench_now_ns();
	for (long round = 0; round < rounds; round++) {
		for (size_t i = 0; i < MIB / sizeof(uint64_t); i++) {
			errno = 0;
			long word = ptrace(PTRACE_PEEKDATA, child, (void *)&source[i], NULL);
			if (word == -1 && errno)
				bench_die("peekdata", "PTRACE_PEEKDATA");
			copy[i] = (uint64_t)word;
		}
	}
	unsigned long long elapsed = bench_now_ns() - start;
	check_copy("peekdata", source, copy);
	bench_report("peekdata", mib_per_second(rounds, elapsed), "MiB/s");
}

static void by_proc_mem(pid_t child, const uint64_t *source, uint64_t *copy, long rounds)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)child);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bench_die("procmem", path);
	unsigned long long start = bench_now_ns();
	for (long round = 0; round < rounds; round++) {
		for (size_t done = 0; done < MIB;) {    /* a short read just goes on */
			ssize_t got = pread(fd, (char *)copy + done, MIB - done,
					    (off_t)((uintptr_t)source + done));
			if (got <= 0)
				bench_die("procmem", "pread");
			done += (size_t)got;
		}
	}
	unsigned long long elapsed = bench_now_ns() - start;
	close(fd);
	check_copy("procmem", source, copy);
	bench_report("procmem", mib_per_second(rounds, elapsed), "MiB/s");
}

static void by_process_vm_readv(pid_t child, const uint64_t *source, uint64_t *copy, long rounds)
{
	struct iovec local = { copy, MIB }, remote = { (void *)source, MIB };

	if (process_vm_readv(child, &local, 1, &remote, 1, 0) < 0) {
		if (errno == ENOSYS) {
			bench_not_available("process_vm_readv", "MiB/s", "no such system call (ENOSYS)");
			return;
		}
		bench_die("process_vm_readv", "process_vm_readv");
	}
	unsigned long long start = bench_now_ns();
	for (long round = 0; round < rounds; round++)
		if (process_vm_readv(child, &local, 1, &remote, 1, 0) != MIB)
			bench_die("process_vm_readv", "process_vm_readv (short)");
	unsigned long long elapsed = bench_now_ns() - start;
	check_copy("process_vm_readv", source, copy);
	bench_report("process_vm_readv", mib_per_second(rounds, elapsed), "MiB/s");
}

int main(void)
{
	long peek_rounds = bench_count("BENCH_PEEK_ROUNDS", 1);
	long bulk_rounds = bench_count("BENCH_MEM_ROUNDS", 64);
	uint64_t *source = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *copy = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (source == MAP_FAILED || copy == MAP_FAILED)
		bench_die("mem", "mmap");
	for (size_t i = 0; i < MIB / sizeof(uint64_t); i++)
		source[i] = i * 0x9e3779b97f4a7c15ull;  /* no two pages alike */
	pid_t child = bench_start_tracee("mem", stay_stopped, 0);

	by_peekdata(child, source, copy, peek_rounds);
	memset(copy, 0, MIB);
	by_proc_mem(child, source, copy, bulk_rounds);
	memset(copy, 0, MIB);
	by_process_vm_readv(child, source, copy, bulk_rounds);

	bench_end_tracee(child);
	return 0;
}
