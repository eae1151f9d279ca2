/* SPDX-License-Identifier: MIT */
/*
 * test_syscalls - every system call of issue 3, its success path and its
 * _bad twins: EFAULT for each pointer argument, EBADF, EINVAL, ENOSYS.
 *
 * Calls whose musl wrapper would crash first (clock_gettime through the
 * vDSO on Linux, uname copying out) or hide the error go through raw
 * syscall(). fork/exec/wait live in test_process.c, memory calls in
 * test_memory.c, arch_prctl in test_cpu.c.
 *
 * Runs on Linux too; Loupe's own conventions (sysname, uid 0, sysinfo
 * counters, ptrace being ENOSYS) are TAP_LOUPE_ONLY.
 */
#include "tap.h"

#include <limits.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/uio.h>

#define EACH_BAD(ptr) \
	for (int bad_i_ = 0; bad_i_ < TAP_BAD_COUNT && ((ptr) = tap_bad_pointers[bad_i_], 1); bad_i_++)

/* Close any descriptor the host run inherited, so EBADF is predictable. */
static void close_inherited_fds(void)
{
	if (!on_loupe())
		for (int fd = 3; fd < 256; fd++)
			close(fd);
}

static const int bad_fds[] = { 3, 4, 63, 64, 1000, -1, INT_MAX, INT_MIN };

/* --- write ------------------------------------------------------------- */

static void test_write_console(void)
{
	static const char line[] = "# write(1) reaches the console\n";
	CHECK_EQ(write(1, line, sizeof(line) - 1), sizeof(line) - 1);
	static const char err[] = "# write(2) reaches the console\n";
	CHECK_EQ(write(2, err, sizeof(err) - 1), sizeof(err) - 1);
	CHECK_EQ(write(1, line, 0), 0);
	CHECK_EQ(syscall(SYS_write, 1, NULL, 0), 0); /* nothing to copy: no fault */
}

static void test_write_ebadf(void)
{
	close_inherited_fds();
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(write(bad_fds[i], "x", 1), EBADF);
}

static void test_write_efault(void)
{
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_write, 1, bad, 16), EFAULT);
	CHECK_ERRNO(syscall(SYS_write, 1, tap_unmapped_page(), 16), EFAULT);
	/*
	 * A valid start with a length reaching past user space: Linux's
	 * access_ok() refuses the whole range before any byte is written.
	 */
	static const char byte = '\n';
	CHECK_ERRNO(syscall(SYS_write, 1, &byte, (size_t)-1 / 2 + 2), EFAULT);
}

static void test_write_straddling_buffer(void)
{
	/* One mapped byte, a newline, so a partial write prints nothing odd. */
	char *buf = tap_straddling_pointer(2);
	buf[0] = '\n';
	errno = 0;
	long done = syscall(SYS_write, 1, buf, 16);
	/* Linux writes what it could (a short count) or reports EFAULT. */
	if (done == -1)
		CHECK_EQ(errno, EFAULT);
	else
		CHECK(done >= 0 && done < 16);
}

/* --- read ---------------------------------------------------------------- */

static void test_read_zero_bytes(void)
{
	char buf[4];
	CHECK_EQ(read(0, buf, 0), 0);
}

static void test_read_ebadf(void)
{
	char buf[4];
	close_inherited_fds();
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(read(bad_fds[i], buf, sizeof(buf)), EBADF);
}

static void test_read_efault(void)
{
	/*
	 * Only addresses outside user space: those fail before the call
	 * waits for input (a mapped-or-not user address would block on an
	 * idle console, on Linux as on Loupe).
	 */
	CHECK_ERRNO(syscall(SYS_read, 0, TAP_BAD_KERNEL, 16), EFAULT);
	CHECK_ERRNO(syscall(SYS_read, 0, TAP_BAD_NONCANONICAL, 16), EFAULT);
	CHECK_ERRNO(syscall(SYS_read, 0, TAP_BAD_TOP, 8192), EFAULT);
}

/* --- writev / readv ------------------------------------------------------ */

static void test_writev_console(void)
{
	char a[] = "# writev: ", b[] = "three ", c[] = "pieces\n";
	struct iovec iov[4] = {
		{ a, strlen(a) }, { NULL, 0 }, { b, strlen(b) }, { c, strlen(c) },
	};
	CHECK_EQ(writev(1, iov, 4), strlen(a) + strlen(b) + strlen(c));
	CHECK_EQ(writev(1, iov, 0), 0);
	CHECK_EQ(writev(1, iov + 1, 1), 0);
}

static void test_writev_ebadf(void)
{
	struct iovec iov = { "x", 1 };
	close_inherited_fds();
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(writev(bad_fds[i], &iov, 1), EBADF);
}

static void test_writev_efault_array(void)
{
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_writev, 1, bad, 1), EFAULT);
	CHECK_ERRNO(syscall(SYS_writev, 1, tap_unmapped_page(), 1), EFAULT);
	/* The second iovec lies in an unmapped page. */
	struct iovec *iov = tap_straddling_pointer(2 * sizeof(struct iovec));
	iov[0].iov_base = "";
	iov[0].iov_len = 0;
	CHECK_ERRNO(syscall(SYS_writev, 1, iov, 2), EFAULT);
}

static void test_writev_efault_buffers(void)
{
	void *bad;
	EACH_BAD(bad) {
		struct iovec iov = { bad, 16 };
		CHECK_ERRNO(syscall(SYS_writev, 1, &iov, 1), EFAULT);
	}
	/* A bad second buffer outside user space fails the whole call. */
	char blank[] = "\n";
	struct iovec two[2] = { { blank, 1 }, { TAP_BAD_KERNEL, 16 } };
	CHECK_ERRNO(syscall(SYS_writev, 1, two, 2), EFAULT);
	two[1].iov_base = TAP_BAD_NONCANONICAL;
	CHECK_ERRNO(syscall(SYS_writev, 1, two, 2), EFAULT);
}

static void test_writev_einval(void)
{
	struct iovec iov[2] = { { "", 0 }, { "", 0 } };
	CHECK_ERRNO(syscall(SYS_writev, 1, iov, -1), EINVAL);
	CHECK_ERRNO(syscall(SYS_writev, 1, iov, 1025), EINVAL); /* > IOV_MAX */
	CHECK_ERRNO(syscall(SYS_writev, 1, iov, INT_MIN), EINVAL);
	iov[0].iov_len = (size_t)SSIZE_MAX + 1; /* a negative ssize_t */
	CHECK_ERRNO(syscall(SYS_writev, 1, iov, 1), EINVAL);
}

static void test_readv_basics(void)
{
	char buf[4];
	struct iovec iov[2] = { { buf, 0 }, { buf, 0 } };
	CHECK_EQ(readv(0, iov, 0), 0);
	CHECK_EQ(readv(0, iov, 2), 0);
}

static void test_readv_errors(void)
{
	char buf[4];
	struct iovec iov = { buf, sizeof(buf) };
	close_inherited_fds();
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(readv(bad_fds[i], &iov, 1), EBADF);
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_readv, 0, bad, 1), EFAULT);
	struct iovec kernel = { TAP_BAD_KERNEL, 16 };
	CHECK_ERRNO(syscall(SYS_readv, 0, &kernel, 1), EFAULT);
	struct iovec noncanonical = { TAP_BAD_NONCANONICAL, 16 };
	CHECK_ERRNO(syscall(SYS_readv, 0, &noncanonical, 1), EFAULT);
	CHECK_ERRNO(syscall(SYS_readv, 0, &iov, -1), EINVAL);
	CHECK_ERRNO(syscall(SYS_readv, 0, &iov, 1025), EINVAL);
}

/* --- identity ------------------------------------------------------------ */

static void test_getpid_family(void)
{
	pid_t pid = getpid();
	CHECK(pid > 0);
	CHECK_EQ(syscall(SYS_getpid), pid);
	CHECK_EQ(syscall(SYS_gettid), pid); /* one thread: tid == pid */
	CHECK(getppid() > 0);
	CHECK(getppid() != pid);

	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		if (getppid() != pid || getpid() == pid || syscall(SYS_gettid) != getpid())
			_exit(1);
		_exit(0);
	}
	CHECK(child != pid);
	CHECK_EXITED(tap_wait(child), 0);
}

static void test_ids_match_raw_calls(void)
{
	CHECK_EQ(getuid(), syscall(SYS_getuid));
	CHECK_EQ(geteuid(), syscall(SYS_geteuid));
	CHECK_EQ(getgid(), syscall(SYS_getgid));
	CHECK_EQ(getegid(), syscall(SYS_getegid));
}

/* reboot(2) with wrong magic numbers or an unknown command changes nothing. */
static void test_reboot_einval(void)
{
	CHECK_ERRNO(syscall(SYS_reboot, 0x12345678, 672274793, 0x4321fedc, NULL), EINVAL);
	CHECK_ERRNO(syscall(SYS_reboot, 0xfee1dead, 1, 0x4321fedc, NULL), EINVAL);
	CHECK_ERRNO(syscall(SYS_reboot, 0xfee1dead, 672274793, 0x11111111, NULL), EINVAL);
}

static void test_ids_are_root(void)
{
	CHECK_EQ(syscall(SYS_getuid), 0);
	CHECK_EQ(syscall(SYS_geteuid), 0);
	CHECK_EQ(syscall(SYS_getgid), 0);
	CHECK_EQ(syscall(SYS_getegid), 0);
}

static void test_set_tid_address(void)
{
	static int tid_word;
	CHECK_EQ(syscall(SYS_set_tid_address, &tid_word), getpid());
}

static void exit_with_bad_tid_address(void)
{
	/* Not checked at call time (as Linux); exiting must not trip on it. */
	syscall(SYS_set_tid_address, TAP_BAD_KERNEL);
	syscall(SYS_exit_group, 0);
}

static void exit_with_unmapped_tid_address(void)
{
	syscall(SYS_set_tid_address, tap_unmapped_page());
	syscall(SYS_exit_group, 0);
}

static void test_set_tid_address_bad(void)
{
	CHECK_EQ(syscall(SYS_set_tid_address, TAP_BAD_KERNEL), getpid());
	CHECK_EXITED(tap_child_status(exit_with_bad_tid_address), 0);
	CHECK_EXITED(tap_child_status(exit_with_unmapped_tid_address), 0);
}

/* --- exit, exit_group ---------------------------------------------------- */

static void exit_7(void) { syscall(SYS_exit, 7); }
static void exit_group_300(void) { syscall(SYS_exit_group, 300); }
static void exit_group_minus_1(void) { syscall(SYS_exit_group, -1); }

static void test_exit_codes(void)
{
	CHECK_EXITED(tap_child_status(exit_7), 7);
	CHECK_EXITED(tap_child_status(exit_group_300), 300 & 0xff);
	CHECK_EXITED(tap_child_status(exit_group_minus_1), 255);
}

/* --- sched_yield, nanosleep, clock_nanosleep ------------------------------ */

static void test_sched_yield(void)
{
	for (int i = 0; i < 100; i++)
		CHECK_EQ(syscall(SYS_sched_yield), 0);
}

static void test_nanosleep(void)
{
	struct timespec delay = { 0, 20 * 1000000L }, rem = { 99, 99 };
	long long before = tap_now_ns();
	CHECK_EQ(nanosleep(&delay, &rem), 0);
	long long slept = tap_now_ns() - before;
	CHECK(slept >= 20 * 1000000LL);
	CHECK(slept < 5 * 1000000000LL);

	struct timespec zero = { 0, 0 };
	CHECK_EQ(nanosleep(&zero, NULL), 0);
}

static void test_nanosleep_einval(void)
{
	struct timespec bad[] = {
		{ 0, -1 }, { 0, 1000000000L }, { -1, 0 }, { 0, LONG_MAX },
	};
	for (unsigned i = 0; i < TAP_COUNT(bad); i++)
		CHECK_ERRNO(syscall(SYS_nanosleep, &bad[i], NULL), EINVAL);
}

static void test_nanosleep_efault(void)
{
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_nanosleep, bad, NULL), EFAULT);
	CHECK_ERRNO(syscall(SYS_nanosleep, tap_straddling_pointer(sizeof(struct timespec)), NULL),
		    EFAULT);
}

static void test_clock_nanosleep(void)
{
	struct timespec delay = { 0, 10 * 1000000L };
	long long before = tap_now_ns();
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &delay, NULL), 0);
	CHECK(tap_now_ns() - before >= 10 * 1000000LL);
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &delay, NULL), 0);

	/* TIMER_ABSTIME: 20 ms from now, then a time in the past. */
	struct timespec until;
	CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &until), 0);
	until.tv_nsec += 20 * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL), 0);
	struct timespec now;
	CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now), 0);
	CHECK(now.tv_sec > until.tv_sec ||
	      (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec));
	struct timespec past = { 0, 1 };
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
}

static void test_clock_nanosleep_errors(void)
{
	struct timespec delay = { 0, 1000 };
	CHECK_ERRNO(syscall(SYS_clock_nanosleep, 1234, 0, &delay, NULL), EINVAL);
	struct timespec bad_nsec = { 0, 1000000000L };
	CHECK_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad_nsec, NULL), EINVAL);
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, bad, NULL), EFAULT);
}

/* --- clock_gettime, gettimeofday ----------------------------------------- */

static void test_clock_gettime(void)
{
	struct timespec real, mono, prev;
	CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &real), 0);
	CHECK(real.tv_sec >= 0);
	CHECK(real.tv_nsec >= 0 && real.tv_nsec < 1000000000L);
	CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &prev), 0);
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &mono), 0);
		CHECK(mono.tv_nsec >= 0 && mono.tv_nsec < 1000000000L);
		CHECK(mono.tv_sec > prev.tv_sec ||
		      (mono.tv_sec == prev.tv_sec && mono.tv_nsec >= prev.tv_nsec));
		prev = mono;
	}
	/* The libc wrapper agrees with the raw call. */
	struct timespec wrapped;
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &wrapped), 0);
	CHECK(wrapped.tv_sec >= mono.tv_sec);
}

static void test_clock_monotonic_advances(void)
{
	/* The clock is calibrated: a 100 ms sleep reads as 100 ms, give or take. */
	struct timespec delay = { 0, 100 * 1000000L };
	long long before = tap_now_ns();
	struct timespec real_before, real_after;
	CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &real_before), 0);
	CHECK_EQ(nanosleep(&delay, NULL), 0);
	long long elapsed = tap_now_ns() - before;
	CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &real_after), 0);
	CHECK(elapsed >= 100 * 1000000LL);
	CHECK(elapsed < 3 * 1000000000LL);
	long long real_elapsed = (real_after.tv_sec - real_before.tv_sec) * 1000000000LL +
				 (real_after.tv_nsec - real_before.tv_nsec);
	CHECK(real_elapsed >= 50 * 1000000LL);
	CHECK(real_elapsed < 3 * 1000000000LL);
}

static void test_clock_gettime_errors(void)
{
	struct timespec ts;
	CHECK_ERRNO(syscall(SYS_clock_gettime, 1234, &ts), EINVAL);
	CHECK_ERRNO(syscall(SYS_clock_gettime, 16, &ts), EINVAL);
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_clock_gettime, CLOCK_REALTIME, bad), EFAULT);
		CHECK_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, tap_readonly_page()), EFAULT);
	CHECK_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC,
			    tap_straddling_pointer(sizeof(struct timespec))), EFAULT);
}

static void test_gettimeofday(void)
{
	struct timeval tv;
	struct timezone tz;
	struct timespec real;
	CHECK_EQ(syscall(SYS_gettimeofday, &tv, NULL), 0);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &real), 0);
	CHECK(real.tv_sec - tv.tv_sec >= 0 && real.tv_sec - tv.tv_sec <= 2);
	CHECK_EQ(syscall(SYS_gettimeofday, &tv, &tz), 0);
	CHECK_EQ(syscall(SYS_gettimeofday, NULL, NULL), 0);
}

static void test_gettimeofday_efault(void)
{
	struct timeval tv;
	void *bad;
	EACH_BAD(bad) {
		if (bad == NULL)
			continue; /* NULL means "not wanted" for both arguments */
		CHECK_ERRNO(syscall(SYS_gettimeofday, bad, NULL), EFAULT);
		CHECK_ERRNO(syscall(SYS_gettimeofday, &tv, bad), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_gettimeofday, tap_readonly_page(), NULL), EFAULT);
	CHECK_ERRNO(syscall(SYS_gettimeofday, tap_straddling_pointer(sizeof(tv)), NULL), EFAULT);
}

/* --- uname, sysinfo, getrandom, ioctl ------------------------------------ */

static void check_terminated(const char *field, size_t size)
{
	CHECK(memchr(field, '\0', size) != NULL);
}

static void test_uname(void)
{
	struct utsname name;
	memset(&name, 0xff, sizeof(name));
	CHECK_EQ(syscall(SYS_uname, &name), 0);
	check_terminated(name.sysname, sizeof(name.sysname));
	check_terminated(name.nodename, sizeof(name.nodename));
	check_terminated(name.release, sizeof(name.release));
	check_terminated(name.version, sizeof(name.version));
	check_terminated(name.machine, sizeof(name.machine));
	check_terminated(name.domainname, sizeof(name.domainname));
	CHECK_STREQ(name.machine, "x86_64");
	CHECK(name.sysname[0] != '\0');
	CHECK(name.release[0] != '\0');
}

static void test_uname_sysname_loupe(void)
{
	struct utsname name;
	CHECK_EQ(uname(&name), 0);
	CHECK_STREQ(name.sysname, "Loupe");
}

static void test_uname_efault(void)
{
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_uname, bad), EFAULT);
	CHECK_ERRNO(syscall(SYS_uname, tap_readonly_page()), EFAULT);
	CHECK_ERRNO(syscall(SYS_uname, tap_straddling_pointer(sizeof(struct utsname))), EFAULT);
}

static void test_sysinfo(void)
{
	struct sysinfo info;
	memset(&info, 0xff, sizeof(info));
	CHECK_EQ(syscall(SYS_sysinfo, &info), 0);
	CHECK(info.mem_unit >= 1);
	CHECK(info.totalram > 0);
	CHECK(info.freeram <= info.totalram);
	CHECK(info.procs >= 2); /* at least init (or its Linux cousin) and us */
}

static void sleep_200ms(void) { tap_sleep_ms(200); }

static void test_sysinfo_loupe_counters(void)
{
	struct sysinfo before, during, after;
	CHECK_EQ(sysinfo(&before), 0);
	CHECK_EQ(before.mem_unit, 1);
	CHECK_EQ(before.freeram % 4096, 0);
	CHECK(before.bufferram > 0); /* kernel heap bytes in use */
	CHECK(before.freeram > 0 && before.freeram < before.totalram);

	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		sleep_200ms();
		_exit(0);
	}
	CHECK_EQ(sysinfo(&during), 0);
	CHECK_EQ(during.procs, before.procs + 1);
	CHECK(during.freeram < before.freeram); /* the child's page tables, stack */
	CHECK_EXITED(tap_wait(child), 0);
	CHECK_EQ(sysinfo(&after), 0);
	CHECK_EQ(after.procs, before.procs);
}

static void test_sysinfo_efault(void)
{
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_sysinfo, bad), EFAULT);
	CHECK_ERRNO(syscall(SYS_sysinfo, tap_readonly_page()), EFAULT);
	/*
	 * 112 bytes: the kernel's struct sysinfo. musl's is 368 (it pads with
	 * 256 reserved bytes), and the kernel writes only the first 112.
	 */
	CHECK_ERRNO(syscall(SYS_sysinfo, tap_straddling_pointer(112)), EFAULT);
}

static void test_getrandom(void)
{
	unsigned char a[32], b[32], zero[32] = { 0 };
	CHECK_EQ(syscall(SYS_getrandom, a, sizeof(a), 0), sizeof(a));
	CHECK_EQ(syscall(SYS_getrandom, b, sizeof(b), GRND_NONBLOCK), sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	CHECK_EQ(syscall(SYS_getrandom, a, 0, 0), 0);

	/* Not every byte is equal in a 4 KiB draw. */
	static unsigned char page[4096];
	CHECK_EQ(syscall(SYS_getrandom, page, sizeof(page), 0), sizeof(page));
	int counts[256] = { 0 }, distinct = 0;
	for (unsigned i = 0; i < sizeof(page); i++)
		if (counts[page[i]]++ == 0)
			distinct++;
	CHECK(distinct > 200);
}

static void test_getrandom_errors(void)
{
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_getrandom, bad, 16, 0), EFAULT);
	CHECK_ERRNO(syscall(SYS_getrandom, tap_readonly_page(), 16, 0), EFAULT);
	unsigned char buf[16];
	CHECK_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf), 0x80), EINVAL);
}

static void test_ioctl_tiocgwinsz_console(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct winsize ws = { 0 };
		CHECK_EQ(ioctl(fd, TIOCGWINSZ, &ws), 0);
	}
}

static void test_ioctl_errors(void)
{
	struct winsize ws;
	close_inherited_fds();
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(ioctl(bad_fds[i], TIOCGWINSZ, &ws), EBADF);
	/* Requests the console does not know: ENOTTY, on a tty or a file alike. */
	CHECK_ERRNO(ioctl(1, 0xdead, &ws), ENOTTY);
	CHECK_ERRNO(ioctl(1, _IOR('X', 0x42, int), &ws), ENOTTY);
}

static void test_ioctl_efault(void)
{
	/* Loupe-only: on Linux, stdout of a host run is rarely a tty. */
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_ioctl, 1, TIOCGWINSZ, bad), EFAULT);
	CHECK_ERRNO(syscall(SYS_ioctl, 1, TIOCGWINSZ, tap_readonly_page()), EFAULT);
}

/* --- unimplemented and out-of-range numbers ------------------------------ */

static void test_enosys_numbers(void)
{
	static const long numbers[] = {
		/*
		 * Not 335: Linux 6.11 made that uretprobe, which kills a
		 * caller outside a uprobe trampoline with SIGILL.
		 */
		512, 1000, 4096, 0x7fffffff, -1, -2, INT_MIN,
	};
	for (unsigned i = 0; i < TAP_COUNT(numbers); i++) {
		errno = 0;
		long ret = syscall(numbers[i], 1, 2, 3, 4, 5, 6);
		if (ret != -1 || errno != ENOSYS) {
			tap_diag("syscall(%ld) returned %ld errno %d, expected ENOSYS",
				 numbers[i], ret, errno);
			_exit(1);
		}
	}
}

static void test_enosys_ptrace(void)
{
	/* Loupe keeps ptrace in the user-space shim (DESIGN.md). */
	CHECK_ERRNO(syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 1, 0, 0), ENOSYS);
}

/* --- the syscall instruction itself --------------------------------------- */

/*
 * syscall_probe(out): loads a known value into every register that the
 * kernel must preserve, sets DF, runs getpid, and stores what the
 * registers hold afterwards:
 *   out[0..12] = rbx rbp rdx rsi rdi r8 r9 r10 r12 r13 r14 r15 (12 values)
 *   out[12] = rcx, out[13] = r11, out[14] = rflags after, out[15] = rax,
 *   out[16] = the address just after the syscall instruction.
 */
void syscall_probe(unsigned long *out);
__asm__(
	".text\n"
	".globl syscall_probe\n"
	".type syscall_probe, @function\n"
	"syscall_probe:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	push %rdi\n"
	"	movabs $0x1111111111111111, %rbx\n"
	"	movabs $0x2222222222222222, %rbp\n"
	"	movabs $0x3333333333333333, %rdx\n"
	"	movabs $0x4444444444444444, %rsi\n"
	"	movabs $0x5555555555555555, %rdi\n"
	"	movabs $0x6666666666666666, %r8\n"
	"	movabs $0x7777777777777777, %r9\n"
	"	movabs $0x8888888888888888, %r10\n"
	"	movabs $0x9999999999999999, %r12\n"
	"	movabs $0xaaaaaaaaaaaaaaaa, %r13\n"
	"	movabs $0xbbbbbbbbbbbbbbbb, %r14\n"
	"	movabs $0xcccccccccccccccc, %r15\n"
	"	mov $39, %eax\n" /* SYS_getpid */
	"	std\n"
	"	syscall\n"
	"syscall_probe_after:\n"
	"	pushfq\n"
	"	cld\n"
	"	push %rax\n"
	"	mov 16(%rsp), %rax\n" /* out */
	"	mov %rbx, 0(%rax)\n	mov %rbp, 8(%rax)\n	mov %rdx, 16(%rax)\n"
	"	mov %rsi, 24(%rax)\n	mov %rdi, 32(%rax)\n	mov %r8, 40(%rax)\n"
	"	mov %r9, 48(%rax)\n	mov %r10, 56(%rax)\n	mov %r12, 64(%rax)\n"
	"	mov %r13, 72(%rax)\n	mov %r14, 80(%rax)\n	mov %r15, 88(%rax)\n"
	"	mov %rcx, 96(%rax)\n	mov %r11, 104(%rax)\n"
	"	pop %rcx\n	mov %rcx, 120(%rax)\n" /* rax */
	"	pop %rcx\n	mov %rcx, 112(%rax)\n" /* rflags */
	"	lea syscall_probe_after(%rip), %rcx\n	mov %rcx, 128(%rax)\n"
	"	pop %rdi\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n"
	".size syscall_probe, .-syscall_probe\n");

static void test_syscall_preserves_registers(void)
{
	static const char *names[12] = {
		"rbx", "rbp", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r12", "r13", "r14", "r15",
	};
	static const unsigned long expected[12] = {
		0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
		0x5555555555555555, 0x6666666666666666, 0x7777777777777777, 0x8888888888888888,
		0x9999999999999999, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb, 0xcccccccccccccccc,
	};
	unsigned long out[17];
	for (int round = 0; round < 50; round++) { /* some rounds cross a timer tick */
		syscall_probe(out);
		for (int i = 0; i < 12; i++) {
			if (out[i] != expected[i]) {
				tap_diag("%s after syscall: %#lx, expected %#lx", names[i], out[i],
					 expected[i]);
				_exit(1);
			}
		}
		CHECK_EQ(out[15], getpid());
		CHECK_EQ(out[12], out[16]);           /* rcx = the return address */
		CHECK(out[14] & 0x400);               /* the user's DF came back */
		CHECK(out[14] & 0x200);               /* IF */
		CHECK_EQ(out[13] & 0x400, 0x400);     /* r11 = the RFLAGS of the caller */
		CHECK_EQ(out[13] & 0x200, 0x200);
	}
}

static const struct tap_test tests[] = {
	{ "write: console, zero length", test_write_console },
	{ "write: EBADF", test_write_ebadf },
	{ "write: EFAULT", test_write_efault },
	{ "write: buffer running into an unmapped page", test_write_straddling_buffer },
	{ "read: zero bytes", test_read_zero_bytes },
	{ "read: EBADF", test_read_ebadf },
	{ "read: EFAULT outside user space", test_read_efault },
	{ "writev: console", test_writev_console },
	{ "writev: EBADF", test_writev_ebadf },
	{ "writev: EFAULT iovec array", test_writev_efault_array },
	{ "writev: EFAULT buffers", test_writev_efault_buffers },
	{ "writev: EINVAL", test_writev_einval },
	{ "readv: zero iovecs, zero lengths", test_readv_basics },
	{ "readv: EBADF, EFAULT, EINVAL", test_readv_errors },
	{ "getpid, getppid, gettid", test_getpid_family },
	{ "uid/gid calls match the raw calls", test_ids_match_raw_calls },
	{ "uid/gid are 0", test_ids_are_root, TAP_LOUPE_ONLY },
	{ "reboot: EINVAL for bad magic or command", test_reboot_einval, TAP_LOUPE_ONLY },
	{ "set_tid_address returns the tid", test_set_tid_address },
	{ "set_tid_address: bad pointers are not checked, exit survives", test_set_tid_address_bad },
	{ "exit and exit_group status", test_exit_codes },
	{ "sched_yield", test_sched_yield },
	{ "nanosleep", test_nanosleep },
	{ "nanosleep: EINVAL", test_nanosleep_einval },
	{ "nanosleep: EFAULT", test_nanosleep_efault },
	{ "clock_nanosleep: relative and absolute", test_clock_nanosleep },
	{ "clock_nanosleep: EINVAL, EFAULT", test_clock_nanosleep_errors },
	{ "clock_gettime: realtime, monotonic", test_clock_gettime },
	{ "clock_gettime: clocks advance with sleep", test_clock_monotonic_advances },
	{ "clock_gettime: EINVAL, EFAULT", test_clock_gettime_errors },
	{ "gettimeofday", test_gettimeofday },
	{ "gettimeofday: EFAULT", test_gettimeofday_efault },
	{ "uname", test_uname },
	{ "uname: sysname is Loupe", test_uname_sysname_loupe, TAP_LOUPE_ONLY },
	{ "uname: EFAULT", test_uname_efault },
	{ "sysinfo", test_sysinfo },
	{ "sysinfo: Loupe counters", test_sysinfo_loupe_counters, TAP_LOUPE_ONLY },
	{ "sysinfo: EFAULT", test_sysinfo_efault },
	{ "getrandom", test_getrandom },
	{ "getrandom: EFAULT, EINVAL", test_getrandom_errors },
	{ "ioctl: TIOCGWINSZ on fds 0-2", test_ioctl_tiocgwinsz_console, TAP_LOUPE_ONLY },
	{ "ioctl: EBADF, ENOTTY", test_ioctl_errors },
	{ "ioctl: TIOCGWINSZ EFAULT", test_ioctl_efault, TAP_LOUPE_ONLY },
	{ "ENOSYS for unknown numbers", test_enosys_numbers },
	{ "ENOSYS for ptrace", test_enosys_ptrace, TAP_LOUPE_ONLY },
	{ "syscall preserves registers, rcx/r11 as Linux", test_syscall_preserves_registers },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
