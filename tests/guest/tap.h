/* SPDX-License-Identifier: MIT */
/*
 * tap.h - the guest test framework: a table of tests, each run in its own
 * forked child, reported as TAP on standard output.
 *
 * A test program lists its tests in a table and hands it to tap_main():
 *
 *     static void test_getpid(void) { CHECK(getpid() > 0); }
 *
 *     static const struct tap_test tests[] = {
 *         { "getpid is positive", test_getpid },
 *         { "uname says Loupe",   test_uname_sysname, TAP_LOUPE_ONLY },
 *     };
 *
 *     int main(int argc, char **argv)
 *     {
 *         return tap_main(argc, argv, tests, TAP_COUNT(tests));
 *     }
 *
 * Each test runs in a child of the runner (fork, then wait4), so a test
 * that crashes, or that the kernel kills, fails alone and the rest still
 * run: the xv6 usertests idea. A test passes iff its child exits 0. The
 * output is TAP version 13 and ends with exactly one summary line
 *
 *     N passed, M failed             (or "N passed, M failed, S skipped")
 *
 * which the QEMU harness (tests/qemu/test_processes.py) looks for; the
 * program's exit status is 0 iff nothing failed.
 *
 * Everything is printed with write(2) on fd 1, never through stdio: a
 * forked child would otherwise inherit, and print again, whatever the
 * parent still had buffered. Diagnostics are TAP comments ("# ...").
 *
 * Skipping: a table row may say TAP_LOUPE_ONLY or TAP_LINUX_ONLY (checks
 * of Loupe's own conventions, or of Linux behaviour Loupe does not have
 * yet); the runner prints "ok K - name # SKIP reason" without running it.
 * A test may also decide at run time with tap_skip("reason"), which
 * prints the reason as a comment and leaves with TAP_SKIP_STATUS.
 *
 * The same source builds and runs on Linux (the programs use only the
 * Linux API); see README.md in this folder. Paths of other programs go
 * through tap_path(), which prefixes $LOUPE_ROOT so a host run can supply
 * its own /bin/hello and /tests/... tree.
 */
#ifndef LOUPE_TESTS_GUEST_TAP_H
#define LOUPE_TESTS_GUEST_TAP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Table rows are written { "name", function } with `only` left out:
 * that is the point of its zero default, not an oversight.
 */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

enum tap_only { TAP_EVERYWHERE = 0, TAP_LOUPE_ONLY, TAP_LINUX_ONLY };

struct tap_test {
	const char *name;
	void (*run)(void);
	enum tap_only only;
};

#define TAP_COUNT(table) ((int)(sizeof(table) / sizeof((table)[0])))

/* A child leaving with this status asked to be reported as skipped. */
#define TAP_SKIP_STATUS 77

/* Addresses that are never valid user pointers, for the EFAULT tests. */
#define TAP_BAD_NULL ((void *)0)
#define TAP_BAD_LOW ((void *)0x1000)                     /* below every static binary */
#define TAP_BAD_KERNEL ((void *)0xffffffff80000000UL)    /* Loupe's kernel image, Linux's too */
#define TAP_BAD_NONCANONICAL ((void *)0x8000000000000000UL)
#define TAP_BAD_TOP ((void *)0xfffffffffffff000UL)       /* wraps around with any length */

static const char *tap_argv0 = "";

/* ------------------------------------------------------------------ */
/* Output: formatted into a buffer, then one write(2).                */

static inline void tap_write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t done = write(1, buf, len);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return;
		buf += done;
		len -= (size_t)done;
	}
}

__attribute__((format(printf, 1, 2)))
static inline void tap_printf(const char *fmt, ...)
{
	char line[1024];
	va_list args;
	va_start(args, fmt);
	int len = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line))
		len = sizeof(line) - 1;
	tap_write_all(line, (size_t)len);
}

/* One TAP comment line: "# " + message + "\n". */
__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	char line[1024] = "# ";
	va_list args;
	va_start(args, fmt);
	int len = vsnprintf(line + 2, sizeof(line) - 3, fmt, args);
	va_end(args);
	if (len < 0)
		return;
	len += 2;
	if ((size_t)len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	tap_write_all(line, (size_t)len);
}

/* ------------------------------------------------------------------ */
/* Checks: each failure says where and what, then ends the test child. */

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			tap_diag("%s:%d: CHECK(%s) failed", __FILE__,        \
				 __LINE__, #cond);                           \
			_exit(1);                                            \
		}                                                            \
	} while (0)

/* CHECK_EQ(a, b): both sides as long, shown in decimal and hex on failure. */
#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long tap_a_ = (long)(a), tap_b_ = (long)(b);                 \
		if (tap_a_ != tap_b_) {                                      \
			tap_diag("%s:%d: CHECK_EQ(%s, %s) failed: %ld (%#lx) != %ld (%#lx)", \
				 __FILE__, __LINE__, #a, #b, tap_a_,         \
				 (unsigned long)tap_a_, tap_b_,              \
				 (unsigned long)tap_b_);                     \
			_exit(1);                                            \
		}                                                            \
	} while (0)

#define CHECK_STREQ(a, b)                                                    \
	do {                                                                 \
		const char *tap_a_ = (a), *tap_b_ = (b);                     \
		if (!tap_a_ || !tap_b_ || strcmp(tap_a_, tap_b_) != 0) {     \
			tap_diag("%s:%d: CHECK_STREQ(%s, %s) failed: \"%s\" != \"%s\"", \
				 __FILE__, __LINE__, #a, #b,                 \
				 tap_a_ ? tap_a_ : "(null)",                 \
				 tap_b_ ? tap_b_ : "(null)");                \
			_exit(1);                                            \
		}                                                            \
	} while (0)

/*
 * CHECK_ERRNO(expr, E): expr returns -1 with errno E. Works for libc
 * wrappers and for syscall(), which turns -E into -1 and errno E.
 */
#define CHECK_ERRNO(expr, E)                                                 \
	do {                                                                 \
		errno = 0;                                                   \
		long tap_r_ = (long)(expr);                                  \
		int tap_e_ = errno;                                          \
		if (tap_r_ != -1 || tap_e_ != (E)) {                         \
			tap_diag("%s:%d: %s returned %ld, errno %d (%s); expected -1, errno %s (%d)", \
				 __FILE__, __LINE__, #expr, tap_r_, tap_e_,  \
				 strerror(tap_e_), #E, (E));                 \
			_exit(1);                                            \
		}                                                            \
	} while (0)

/* CHECK_OK(expr): expr does not return -1 (shows errno when it does). */
#define CHECK_OK(expr)                                                       \
	do {                                                                 \
		errno = 0;                                                   \
		long tap_r_ = (long)(expr);                                  \
		if (tap_r_ == -1) {                                          \
			int tap_e_ = errno;                                  \
			tap_diag("%s:%d: %s failed: errno %d (%s)", __FILE__, \
				 __LINE__, #expr, tap_e_, strerror(tap_e_)); \
			_exit(1);                                            \
		}                                                            \
	} while (0)

/* A wait4() status in words, for diagnostics. */
static inline const char *tap_status_text(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "raw wait status %#x", (unsigned)status);
	return buf;
}

#define CHECK_EXITED(status, code)                                           \
	do {                                                                 \
		int tap_s_ = (status);                                       \
		if (!WIFEXITED(tap_s_) || WEXITSTATUS(tap_s_) != (code)) {   \
			char tap_buf_[96];                                   \
			tap_diag("%s:%d: expected exit status %d, got %s (raw %#x)", \
				 __FILE__, __LINE__, (code),                 \
				 tap_status_text(tap_s_, tap_buf_, sizeof(tap_buf_)), \
				 (unsigned)tap_s_);                          \
			_exit(1);                                            \
		}                                                            \
	} while (0)

#define CHECK_SIGNALED(status, sig)                                          \
	do {                                                                 \
		int tap_s_ = (status);                                       \
		if (!WIFSIGNALED(tap_s_) || WTERMSIG(tap_s_) != (sig)) {     \
			char tap_buf_[96];                                   \
			tap_diag("%s:%d: expected death by %s, got %s (raw %#x)", \
				 __FILE__, __LINE__, #sig,                   \
				 tap_status_text(tap_s_, tap_buf_, sizeof(tap_buf_)), \
				 (unsigned)tap_s_);                          \
			_exit(1);                                            \
		}                                                            \
	} while (0)

/* Skip the running test from inside its child. */
static inline __attribute__((noreturn)) void tap_skip(const char *reason)
{
	tap_diag("skip: %s", reason);
	_exit(TAP_SKIP_STATUS);
}

/* ------------------------------------------------------------------ */
/* Helpers shared by the test programs.                               */

/* True when running on Loupe rather than Linux. */
static inline int on_loupe(void)
{
	static int cached = -1;
	if (cached < 0) {
		struct utsname name;
		cached = uname(&name) == 0 && strcmp(name.sysname, "Loupe") == 0;
	}
	return cached;
}

/* A path of the Loupe root filesystem, prefixed with $LOUPE_ROOT. */
static inline const char *tap_path(const char *path)
{
	static char buf[8][512];
	static int next;
	const char *root = getenv("LOUPE_ROOT");
	char *out = buf[next++ % 8];
	snprintf(out, sizeof(buf[0]), "%s%s", root ? root : "", path);
	return out;
}

/* wait4 for pid, retrying on EINTR; fails the test if wait4 fails. */
static inline int tap_wait(pid_t pid)
{
	int status = 0;
	pid_t got;
	do
		got = wait4(pid, &status, 0, NULL);
	while (got < 0 && errno == EINTR);
	if (got != pid) {
		tap_diag("wait4(%d) returned %d, errno %d (%s)", (int)pid, (int)got,
			 errno, strerror(errno));
		_exit(1);
	}
	return status;
}

/* Runs fn in a forked child (which then exits 0); returns its wait status. */
static inline int tap_child_status(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid < 0) {
		tap_diag("fork failed: errno %d (%s)", errno, strerror(errno));
		_exit(1);
	}
	if (pid == 0) {
		fn();
		_exit(0);
	}
	return tap_wait(pid);
}

/*
 * The bad pointers every EFAULT test feeds to every pointer argument:
 * NULL, a low unmapped page, the kernel image, a non-canonical address,
 * and the last page of the address space (wraps around with a length).
 */
static void *const tap_bad_pointers[] = {
	TAP_BAD_NULL, TAP_BAD_LOW, TAP_BAD_KERNEL, TAP_BAD_NONCANONICAL, TAP_BAD_TOP,
};
#define TAP_BAD_COUNT TAP_COUNT(tap_bad_pointers)

/* A page that was mapped and then unmapped again: a user address, not mapped. */
static inline void *tap_unmapped_page(void)
{
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || munmap(page, 4096) != 0) {
		tap_diag("tap_unmapped_page: mmap/munmap failed: %s", strerror(errno));
		_exit(1);
	}
	return page;
}

/* A mapped page that may be read but not written (an output buffer's _bad twin). */
static inline void *tap_readonly_page(void)
{
	void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		tap_diag("tap_readonly_page: mmap failed: %s", strerror(errno));
		_exit(1);
	}
	return page;
}

/*
 * A pointer to `size` bytes whose first half is mapped read-write and
 * whose second half is an unmapped page: a check of only the first byte
 * is not enough.
 */
static inline void *tap_straddling_pointer(size_t size)
{
	char *base = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || munmap(base + 4096, 4096) != 0) {
		tap_diag("tap_straddling_pointer: mmap/munmap failed: %s", strerror(errno));
		_exit(1);
	}
	return base + 4096 - size / 2;
}

/* Monotonic time in nanoseconds. */
static inline long long tap_now_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static inline void tap_sleep_ms(long ms)
{
	struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&delay, &delay) < 0 && errno == EINTR)
		;
}

/* fork(), failing the test if it fails. */
static inline pid_t tap_fork(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		tap_diag("fork failed: errno %d (%s)", errno, strerror(errno));
		_exit(1);
	}
	return pid;
}

/* Writes all of buf (retrying short writes and EINTR); fails the test on error. */
static inline void tap_write_fully(int fd, const void *buf, size_t len)
{
	const char *at = buf;
	while (len > 0) {
		ssize_t done = write(fd, at, len);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0) {
			tap_diag("write(%d, %zu bytes) returned %zd: %s", fd, len, done,
				 strerror(errno));
			_exit(1);
		}
		at += done;
		len -= (size_t)done;
	}
}

/* Reads until len bytes or end of file; returns the count. Fails on error. */
static inline size_t tap_read_fully(int fd, void *buf, size_t len)
{
	char *at = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t done = read(fd, at + got, len - got);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0) {
			tap_diag("read(%d) failed: %s", fd, strerror(errno));
			_exit(1);
		}
		if (done == 0)
			break;
		got += (size_t)done;
	}
	return got;
}

/*
 * Closes every descriptor from `first` up that a host run may have
 * inherited (Loupe starts programs with only 0, 1 and 2), so that
 * "the lowest free descriptor" and EBADF are predictable.
 */
static inline void tap_close_from(int first)
{
	if (on_loupe())
		return;
	struct rlimit limit;
	int last = 1024;
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536)
		last = (int)limit.rlim_cur;
	for (int fd = first; fd < last; fd++)
		close(fd);
}

/*
 * Removes path and, if it is a directory, everything below it
 * (opendir/readdir: getdents64). Returns 0, or -1 with errno.
 */
static inline int tap_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		char child[4096];
		size_t dir_len = strlen(path), name_len = strlen(entry->d_name);
		if (dir_len + 1 + name_len >= sizeof(child))
			continue;
		memcpy(child, path, dir_len);
		child[dir_len] = '/';
		memcpy(child + dir_len + 1, entry->d_name, name_len + 1);
		tap_remove_tree(child);
	}
	closedir(dir);
	return rmdir(path);
}

/*
 * A fresh scratch directory for the running test, /tmp/t<pid> (under
 * $LOUPE_ROOT on a host run; /tmp itself is made if the root lacks it).
 * The same process gets the same path on every call; tap_scratch(name)
 * is a path inside it; tap_scratch_cleanup() removes it again.
 */
static char tap_scratch_base[512];

static inline const char *tap_scratch_dir(void)
{
	static pid_t made_by;
	if (made_by != getpid()) {
		mkdir(tap_path("/tmp"), 01777); /* EEXIST is fine */
		snprintf(tap_scratch_base, sizeof(tap_scratch_base), "%s/t%d",
			 tap_path("/tmp"), (int)getpid());
		tap_remove_tree(tap_scratch_base); /* a stale one from a reused pid */
		if (mkdir(tap_scratch_base, 0755) != 0) {
			tap_diag("mkdir(%s) failed: %s", tap_scratch_base, strerror(errno));
			_exit(1);
		}
		made_by = getpid();
	}
	return tap_scratch_base;
}

static inline const char *tap_scratch(const char *name)
{
	static char buf[8][1024];
	static int next;
	char *out = buf[next++ % 8];
	snprintf(out, sizeof(buf[0]), "%s/%s", tap_scratch_dir(), name);
	return out;
}

static inline void tap_scratch_cleanup(void)
{
	if (tap_scratch_base[0] != '\0' && tap_remove_tree(tap_scratch_base) != 0 &&
	    errno != ENOENT)
		tap_diag("cleanup of %s failed: %s", tap_scratch_base, strerror(errno));
}

/* Creates path (O_TRUNC) holding len bytes of data; fails the test on error. */
static inline void tap_make_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		tap_diag("open(%s) failed: %s", path, strerror(errno));
		_exit(1);
	}
	tap_write_fully(fd, data, len);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* The runner.                                                        */

static inline const char *tap_skip_reason(enum tap_only only)
{
	if (only == TAP_LOUPE_ONLY && !on_loupe())
		return "Loupe-only check (not running on Loupe)";
	if (only == TAP_LINUX_ONLY && on_loupe())
		return "Linux-only check (Loupe does not do this yet)";
	return NULL;
}

/*
 * Runs every test of the table in its own child and prints TAP.
 * Returns the exit status for main: 0 iff no test failed.
 */
static inline int tap_main(int argc, char **argv, const struct tap_test *tests, int count)
{
	int passed = 0, failed = 0, skipped = 0;
	(void)argc;
	tap_argv0 = argv[0];

	tap_printf("TAP version 13\n1..%d\n", count);
	for (int i = 0; i < count; i++) {
		const char *reason = tap_skip_reason(tests[i].only);
		if (reason) {
			tap_printf("ok %d - %s # SKIP %s\n", i + 1, tests[i].name, reason);
			skipped++;
			continue;
		}
		fflush(NULL); /* nothing buffered may be inherited by the child */
		pid_t pid = fork();
		if (pid < 0) {
			tap_printf("not ok %d - %s (fork failed: %s)\n", i + 1,
				   tests[i].name, strerror(errno));
			failed++;
			continue;
		}
		if (pid == 0) {
			/* A hung test on Linux ends here; Loupe has the harness timeout. */
			if (!on_loupe())
				alarm(120);
			tests[i].run();
			_exit(0);
		}
		int status = 0;
		pid_t got;
		do
			got = wait4(pid, &status, 0, NULL);
		while (got < 0 && errno == EINTR);
		char why[96];
		if (got != pid) {
			tap_printf("not ok %d - %s (wait4 returned %d: %s)\n", i + 1,
				   tests[i].name, (int)got, strerror(errno));
			failed++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			tap_printf("ok %d - %s\n", i + 1, tests[i].name);
			passed++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_STATUS) {
			tap_printf("ok %d - %s # SKIP see the comment above\n", i + 1,
				   tests[i].name);
			skipped++;
		} else {
			tap_printf("not ok %d - %s (%s)\n", i + 1, tests[i].name,
				   tap_status_text(status, why, sizeof(why)));
			failed++;
		}
	}
	if (skipped)
		tap_printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	else
		tap_printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

#endif /* LOUPE_TESTS_GUEST_TAP_H */
