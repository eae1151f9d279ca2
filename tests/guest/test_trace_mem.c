/* SPDX-License-Identifier: MIT */
/*
 * test_trace_mem - /proc/<pid>/mem of issue 5: the tracee's memory at
 * offset = virtual address, by pread/pwrite and by lseek with the full
 * unsigned 64-bit range; reads and writes of a running tracee, transfers
 * across page boundaries, EIO for an unmapped or PROT_NONE first byte, a
 * short transfer at an unmapped later byte, EIO for kernel and
 * non-canonical addresses, EINVAL for a range that wraps past 2^64, a
 * breakpoint byte written into read-only text that a forked sibling and
 * the program file never see, and a mem handle bound to the address
 * space it was opened on (ESRCH after the tracee's execve; a new handle
 * reaches the new image).
 *
 * Tracees are forks of the test process, so a global or a mapping made
 * before the fork is at the same address in the tracee.
 *
 * Loupe only: every row is TAP_LOUPE_ONLY; on Linux all are skipped.
 *
 * The program also plays its own exec target:
 *   test_trace_mem --exec-ready FD   sets image_tag, reports it on FD,
 *                                    reads one byte from stdin, exits 0
 */
#include "trace_util.h"

#define PAGE 4096UL

static volatile uint64_t secret = 1;
static volatile uint64_t image_tag = 0x1111;

static ssize_t mem_pread(int fd, void *buf, size_t len, uint64_t address)
{
	return pread(fd, buf, len, (off_t)address);
}

static ssize_t mem_pwrite(int fd, const void *buf, size_t len, uint64_t address)
{
	return pwrite(fd, buf, len, (off_t)address);
}

static void body_secret(void)
{
	secret = 0x5ec4e7000000ULL | (uint64_t)getpid();
	tracee_say(1);
	if (!tracee_wait_go())
		_exit(0);
	tracee_say((long)secret);
}

static void test_mem_read_write_variable(void)
{
	struct tracee child = tracee_start(body_secret);
	int mem = proc_open(child.pid, "mem", O_RDWR);
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), 1);
	/* The tracee runs (blocked in read, not in a trace stop): mem works anyway. */
	uint64_t value = 0;
	uint64_t address = (uintptr_t)&secret;
	CHECK_EQ(mem_pread(mem, &value, 8, address), 8);
	CHECK_EQ(value, 0x5ec4e7000000ULL | (uint64_t)child.pid);
	CHECK_EQ(secret, 1);    /* ours is untouched */
	/* lseek + read, and the position moves on. */
	CHECK_EQ(lseek(mem, (off_t)address, SEEK_SET), (off_t)address);
	value = 0;
	CHECK_EQ(read(mem, &value, 4), 4);
	CHECK_EQ(value, (uint32_t)(0x5ec4e7000000ULL | (uint64_t)child.pid));
	CHECK_EQ(lseek(mem, 0, SEEK_CUR), (off_t)(address + 4));
	/* Write it: first by pwrite, then the high half again by lseek + write. */
	value = 0xabad1dea00c0ffeeULL;
	CHECK_EQ(mem_pwrite(mem, &value, 8, address), 8);
	CHECK_EQ(lseek(mem, (off_t)address + 4, SEEK_SET), (off_t)address + 4);
	uint32_t high = 0x600dcafe;
	CHECK_EQ(write(mem, &high, 4), 4);
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), (long)0x600dcafe00c0ffeeULL);
	CHECK_EXITED(tap_wait(child.pid), 0);
	CHECK_EQ(secret, 1);
	/* Dead and reaped: ESRCH on the old handle. */
	CHECK_ERRNO(mem_pread(mem, &value, 8, address), ESRCH);
	CHECK_ERRNO(mem_pwrite(mem, &value, 8, address), ESRCH);
}

static unsigned char *cross_base;

static uint8_t pattern_a(size_t i) { return (uint8_t)(i * 7 + 1); }
static uint8_t pattern_b(size_t i) { return (uint8_t)(i * 13 + 5); }

static void body_sum_pages(void)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < 3 * PAGE; i++)
		sum = sum * 31 + cross_base[i];
	tracee_say((long)sum);
}

static void test_mem_page_crossing(void)
{
	cross_base = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(cross_base != MAP_FAILED);
	for (size_t i = 0; i < 3 * PAGE; i++)
		cross_base[i] = pattern_a(i);
	struct tracee child = tracee_start(body_sum_pages);
	memset(cross_base, 0, 3 * PAGE);        /* ours differs from the tracee's now */
	int mem = proc_open(child.pid, "mem", O_RDWR);
	static unsigned char buf[3 * PAGE];
	/* From the middle of page 0 to the middle of page 2. */
	size_t from = 4000, len = 2 * PAGE + 50;        /* ends 46 bytes before the mapping does */
	CHECK_EQ(mem_pread(mem, buf, len, (uintptr_t)cross_base + from), (long)len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern_a(from + i)) {
			tap_diag("byte %zu: %#x, expected %#x", from + i, buf[i], pattern_a(from + i));
			_exit(1);
		}
	/* The whole three pages, one byte short of each end. */
	CHECK_EQ(mem_pread(mem, buf, 3 * PAGE - 2, (uintptr_t)cross_base + 1), (long)(3 * PAGE - 2));
	CHECK_EQ(buf[PAGE - 1], pattern_a(PAGE));
	/* Write across both page boundaries. */
	unsigned char *out = malloc(3 * PAGE);
	CHECK(out != NULL);
	for (size_t i = 0; i < 3 * PAGE; i++)
		out[i] = pattern_a(i);
	for (size_t i = from; i < from + len; i++)
		out[i] = pattern_b(i);
	CHECK_EQ(mem_pwrite(mem, out + from, len, (uintptr_t)cross_base + from), (long)len);
	CHECK_EQ(mem_pread(mem, buf, 3 * PAGE, (uintptr_t)cross_base), (long)(3 * PAGE));
	CHECK(memcmp(buf, out, 3 * PAGE) == 0);
	uint64_t sum = 0;
	for (size_t i = 0; i < 3 * PAGE; i++)
		sum = sum * 31 + out[i];
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), (long)sum);
	CHECK_EXITED(tap_wait(child.pid), 0);
	for (size_t i = 0; i < 3 * PAGE; i++)
		CHECK_EQ(cross_base[i], 0);    /* nothing reached the tracer's copy */
}

static void body_nothing(void)
{
}

static void test_mem_unmapped_eio_bad(void)
{
	uint64_t hole = (uintptr_t)tap_unmapped_page();
	struct tracee child = tracee_start(body_nothing);
	int mem = proc_open(child.pid, "mem", O_RDWR);
	char buf[64] = { 0 };
	static const uint64_t unmapped[] = { 0, 0x1000, 0xfff, 0 /* hole */ };
	for (int i = 0; i < TAP_COUNT(unmapped); i++) {
		uint64_t address = i == 3 ? hole : unmapped[i];
		CHECK_ERRNO(mem_pread(mem, buf, sizeof(buf), address), EIO);
		CHECK_ERRNO(mem_pwrite(mem, buf, sizeof(buf), address), EIO);
		CHECK_ERRNO(mem_pread(mem, buf, 1, address + 100), EIO);
	}
	tracee_kill(&child);
}

static void test_mem_short_at_unmapped(void)
{
	/* A mapped page, then an unmapped one. */
	unsigned char *base = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(base != MAP_FAILED);
	CHECK_EQ(munmap(base + PAGE, PAGE), 0);
	memset(base, 0x42, PAGE);
	/* A readable page, then a PROT_NONE one. */
	unsigned char *guarded = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(guarded != MAP_FAILED);
	memset(guarded, 0x24, PAGE);
	CHECK_EQ(mprotect(guarded + PAGE, PAGE, PROT_NONE), 0);

	struct tracee child = tracee_start(body_nothing);
	int mem = proc_open(child.pid, "mem", O_RDWR);
	static unsigned char buf[2 * PAGE];
	CHECK_EQ(mem_pread(mem, buf, 2 * PAGE, (uintptr_t)base), (long)PAGE);
	CHECK_EQ(buf[PAGE - 1], 0x42);
	CHECK_EQ(mem_pread(mem, buf, 200, (uintptr_t)base + PAGE - 100), 100);
	memset(buf, 0x77, sizeof(buf));
	CHECK_EQ(mem_pwrite(mem, buf, 200, (uintptr_t)base + PAGE - 100), 100);
	CHECK_EQ(mem_pread(mem, buf + 1000, 100, (uintptr_t)base + PAGE - 100), 100);
	CHECK_EQ(buf[1000], 0x77);
	CHECK_EQ(buf[1099], 0x77);

	CHECK_EQ(mem_pread(mem, buf, 200, (uintptr_t)guarded + PAGE - 100), 100);
	CHECK_EQ(buf[0], 0x24);
	CHECK_EQ(mem_pwrite(mem, buf, 200, (uintptr_t)guarded + PAGE - 100), 100);
	/* PROT_NONE first byte: EIO both ways. */
	CHECK_ERRNO(mem_pread(mem, buf, 16, (uintptr_t)guarded + PAGE), EIO);
	CHECK_ERRNO(mem_pwrite(mem, buf, 16, (uintptr_t)guarded + PAGE), EIO);
	/* Our own PROT_NONE page is still PROT_NONE in the tracee (the maps say so). */
	char maps[16384];
	CHECK(read_file(proc_path(child.pid, "maps"), maps, sizeof(maps)) > 0);
	char line[64];
	snprintf(line, sizeof(line), "%lx-%lx ---p", (unsigned long)(uintptr_t)guarded + PAGE,
		 (unsigned long)(uintptr_t)guarded + 2 * PAGE);
	CHECK(strstr(maps, line) != NULL);
	tracee_kill(&child);
}

static void test_mem_kernel_noncanonical_eio(void)
{
	struct tracee child = tracee_start(body_nothing);
	int mem = proc_open(child.pid, "mem", O_RDWR);
	char buf[64] = { 0 };
	static const uint64_t bad[] = {
		0xffffffff80000000ULL, 0xffffffff80100000ULL, 0xffff800000000000ULL,
		0xfffffffffffff000ULL, 0x0000800000000000ULL, 0x0000800000001000ULL,
		0x8000000000000000ULL, 0x7fffffffffff0000ULL, 0xffff7ffffffff000ULL,
	};
	for (int i = 0; i < TAP_COUNT(bad); i++) {
		errno = 0;
		ssize_t got = mem_pread(mem, buf, 16, bad[i]);
		if (got != -1 || errno != EIO) {
			tap_diag("pread(mem, 16, %#llx) returned %zd, errno %d (%s); expected EIO",
				 (unsigned long long)bad[i], got, errno, strerror(errno));
			_exit(1);
		}
		CHECK_ERRNO(mem_pwrite(mem, buf, 16, bad[i]), EIO);
	}
	/* lseek takes the full unsigned range; read there gives EIO too. */
	off_t kernel = (off_t)0xffffffff80000000ULL;
	CHECK_EQ(lseek(mem, kernel, SEEK_SET), kernel);
	CHECK_ERRNO(read(mem, buf, 16), EIO);
	CHECK_ERRNO(write(mem, buf, 16), EIO);
	CHECK_EQ(lseek(mem, 0, SEEK_CUR), kernel);      /* a failed transfer does not move it */
	tracee_kill(&child);
}

static void test_mem_wrapping_einval(void)
{
	struct tracee child = tracee_start(body_nothing);
	int mem = proc_open(child.pid, "mem", O_RDWR);
	static char buf[2 * PAGE];
	CHECK_ERRNO(mem_pread(mem, buf, 2 * PAGE, 0xfffffffffffff000ULL), EINVAL);
	CHECK_ERRNO(mem_pwrite(mem, buf, 2 * PAGE, 0xfffffffffffff000ULL), EINVAL);
	CHECK_ERRNO(mem_pread(mem, buf, 512, 0xffffffffffffff00ULL), EINVAL);
	CHECK_ERRNO(mem_pread(mem, buf, 2, 0xffffffffffffffffULL), EINVAL);
	CHECK_EQ(lseek(mem, (off_t)0xffffffffffffe800ULL, SEEK_SET), (off_t)0xffffffffffffe800ULL);
	CHECK_ERRNO(read(mem, buf, 2 * PAGE), EINVAL);
	/* In the top 4095 bytes the raw lseek result looks like an error to libc, but is the address. */
	CHECK_EQ(raw_syscall6(SYS_lseek, mem, (long)0xfffffffffffff800ULL, SEEK_SET, 0, 0, 0),
		 (long)0xfffffffffffff800ULL);
	CHECK_ERRNO(read(mem, buf, PAGE), EINVAL);
	/* The twin: a range ending exactly at 2^64 does not wrap (kernel half: EIO). */
	CHECK_ERRNO(mem_pread(mem, buf, PAGE, 0xfffffffffffff000ULL), EIO);
	tracee_kill(&child);
}

static void test_mem_bad_buffers(void)
{
	struct tracee child = tracee_start(body_secret);
	int mem = proc_open(child.pid, "mem", O_RDWR);
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), 1);
	uint64_t address = (uintptr_t)&secret;
	for (int i = 0; i < TAP_BAD_COUNT; i++) {
		CHECK_ERRNO(mem_pread(mem, tap_bad_pointers[i], 8, address), EFAULT);
		CHECK_ERRNO(mem_pwrite(mem, tap_bad_pointers[i], 8, address), EFAULT);
	}
	CHECK_ERRNO(mem_pread(mem, tap_readonly_page(), 8, address), EFAULT);
	CHECK_ERRNO(mem_pwrite(mem, tap_straddling_pointer(8), 8, address), EFAULT);
	uint64_t value = 0;
	CHECK_EQ(mem_pread(mem, &value, 8, address), 8);
	CHECK_EQ(value, 0x5ec4e7000000ULL | (uint64_t)child.pid);
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), (long)(0x5ec4e7000000ULL | (uint64_t)child.pid));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

/* --- a breakpoint in shared text ------------------------------------------------------ */

__attribute__((noinline)) static int marker_function(int x)
{
	__asm__ volatile("");
	return x * 3 + 1;
}

static void body_report_text_byte(void)
{
	tracee_say(*(volatile uint8_t *)(uintptr_t)marker_function);
	if (!tracee_wait_go())
		_exit(0);
	*(volatile uint8_t *)(uintptr_t)marker_function = 0x90;   /* text stays read-only */
	_exit(5);
}

/* The byte of the program file that is mapped at `address` (per /proc/self/maps). */
static int file_byte_at(uint64_t address)
{
	char maps[16384];
	CHECK(read_file("/proc/self/maps", maps, sizeof(maps)) > 0);
	for (char *line = maps; *line; ) {
		char *end = strchr(line, '\n');
		unsigned long start, stop, offset;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s %lx", &start, &stop, perms, &offset) == 4 &&
		    address >= start && address < stop) {
			int fd = open(tap_argv0, O_RDONLY);
			CHECK(fd >= 0);
			uint8_t byte;
			CHECK_EQ(pread(fd, &byte, 1, (off_t)(address - start + offset)), 1);
			close(fd);
			return byte;
		}
		if (!end)
			break;
		line = end + 1;
	}
	tap_diag("no maps line for %#llx", (unsigned long long)address);
	_exit(1);
}

static void test_mem_breakpoint_in_shared_text(void)
{
	uint64_t address = (uintptr_t)marker_function;
	uint8_t original = *(volatile uint8_t *)(uintptr_t)address;
	CHECK(original != 0xcc);
	CHECK_EQ(file_byte_at(address), original);
	struct tracee sibling = tracee_start(body_report_text_byte);
	struct tracee target = tracee_start(body_report_text_byte);
	int mem = proc_open(target.pid, "mem", O_RDWR);
	uint8_t breakpoint = 0xcc, byte = 0;
	CHECK_EQ(mem_pwrite(mem, &breakpoint, 1, address), 1);
	CHECK_EQ(mem_pread(mem, &byte, 1, address), 1);
	CHECK_EQ(byte, 0xcc);
	/* The target sees its breakpoint; the sibling, we and the file do not. */
	tracee_go(&target);
	CHECK_EQ(tracee_report(&target), 0xcc);
	tracee_go(&sibling);
	CHECK_EQ(tracee_report(&sibling), original);
	CHECK_EQ(*(volatile uint8_t *)(uintptr_t)address, original);
	CHECK_EQ(file_byte_at(address), original);
	CHECK_EQ(marker_function(2), 7);
	/* A process started after it does not see it either. */
	struct tracee later = tracee_start(body_report_text_byte);
	tracee_go(&later);
	CHECK_EQ(tracee_report(&later), original);
	/* The target's text is still read-only for the target itself. */
	char maps[16384];
	CHECK(read_file(proc_path(target.pid, "maps"), maps, sizeof(maps)) > 0);
	tracee_go(&target);
	CHECK_SIGNALED(tap_wait(target.pid), SIGSEGV);
	tracee_go(&sibling);
	CHECK_SIGNALED(tap_wait(sibling.pid), SIGSEGV);
	tracee_go(&later);
	CHECK_SIGNALED(tap_wait(later.pid), SIGSEGV);
	CHECK_EQ(file_byte_at(address), original);
}

static void test_mem_breakpoint_restored(void)
{
	/* Write the breakpoint, then the original byte back: the target runs the function. */
	uint64_t address = (uintptr_t)marker_function;
	uint8_t original = *(volatile uint8_t *)(uintptr_t)address;
	struct tracee target = tracee_start(body_nothing);
	int mem = proc_open(target.pid, "mem", O_RDWR);
	uint8_t breakpoint = 0xcc, byte = 0;
	CHECK_EQ(mem_pwrite(mem, &breakpoint, 1, address), 1);
	CHECK_EQ(mem_pwrite(mem, &original, 1, address), 1);
	CHECK_EQ(mem_pread(mem, &byte, 1, address), 1);
	CHECK_EQ(byte, original);
	tracee_go(&target);
	CHECK_EXITED(tap_wait(target.pid), 0);
}

/* --- a mem handle and execve ------------------------------------------------------------- */

static void body_exec_self(void)
{
	char fd_text[16];
	snprintf(fd_text, sizeof(fd_text), "%d", tracee_out);
	dup2(tracee_in, 0);
	execl(tap_argv0, tap_argv0, "--exec-ready", fd_text, (char *)NULL);
	_exit(111);
}

static void test_mem_old_handle_after_exec(void)
{
	struct tracee child = tracee_start(body_exec_self);
	int trace = trace_open(child.pid);
	int regs_fd = proc_open(child.pid, "regs", O_RDONLY);
	int old = proc_open(child.pid, "mem", O_RDWR);
	uint64_t address = (uintptr_t)&image_tag, value = 0;
	CHECK_EQ(mem_pread(old, &value, 8, address), 8);
	CHECK_EQ(value, 0x1111);
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), 0x2222);        /* the new image runs */
	/* The old handle never reaches the new image. */
	CHECK_ERRNO(mem_pread(old, &value, 8, address), ESRCH);
	CHECK_ERRNO(mem_pwrite(old, &value, 8, address), ESRCH);
	CHECK_ERRNO(mem_pread(old, &value, 8, (uintptr_t)&secret), ESRCH);
	/* The twin: a handle opened now does. */
	int now = proc_open(child.pid, "mem", O_RDWR);
	CHECK_EQ(mem_pread(now, &value, 8, address), 8);
	CHECK_EQ(value, 0x2222);
	/* The session, the trace handle and regs carried on across the exec. */
	trace_arm(trace, LOUPE_STOP_SYSCALL_ENTRY, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_until(trace, child.pid, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_EVENT_SYSCALL_ENTRY,
		    SYS_exit_group, &event);
	struct loupe_user_regs regs;
	regs_get(regs_fd, &regs);
	CHECK_EQ(regs.orig_rax, SYS_exit_group);
	CHECK_EQ(mem_pread(now, &value, 8, address), 8);        /* stopped: still readable */
	trace_arm(trace, 0, 0);
	trace_expect_death(trace, child.pid, EXITED_STATUS(0));
	CHECK_ERRNO(mem_pread(now, &value, 8, address), ESRCH);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static const struct tap_test tests[] = {
	{ "mem: read and write a variable of a running tracee", test_mem_read_write_variable, LOUPE },
	{ "mem: transfers across page boundaries", test_mem_page_crossing, LOUPE },
	{ "mem_bad: unmapped first byte gives EIO", test_mem_unmapped_eio_bad, LOUPE },
	{ "mem_bad: unmapped or PROT_NONE later byte: short", test_mem_short_at_unmapped, LOUPE },
	{ "mem_bad: kernel and non-canonical addresses give EIO", test_mem_kernel_noncanonical_eio, LOUPE },
	{ "mem_bad: a range wrapping past 2^64 gives EINVAL", test_mem_wrapping_einval, LOUPE },
	{ "mem_bad: bad buffers give EFAULT", test_mem_bad_buffers, LOUPE },
	{ "mem: a breakpoint in text is private to the tracee", test_mem_breakpoint_in_shared_text, LOUPE },
	{ "mem: a breakpoint written and removed again", test_mem_breakpoint_restored, LOUPE },
	{ "mem: an old handle after execve gives ESRCH", test_mem_old_handle_after_exec, LOUPE },
};

int main(int argc, char **argv)
{
	tap_argv0 = argv[0];
	if (argc >= 3 && strcmp(argv[1], "--exec-ready") == 0) {
		image_tag = 0x2222;
		long value = (long)image_tag;
		if (write(atoi(argv[2]), &value, sizeof(value)) != sizeof(value))
			return 2;
		char byte;
		return read(0, &byte, 1) < 0;
	}
	return trace_tap_main(argc, argv, tests, TAP_COUNT(tests));
}
