/* SPDX-License-Identifier: MIT */
/*
 * test_pipes - pipes and poll of issue 4: pipe and pipe2 (O_CLOEXEC,
 * O_NONBLOCK), blocking reads and writes between processes, end of file
 * when every writer is gone, EPIPE and SIGPIPE when every reader is
 * gone, atomic writes of up to PIPE_BUF bytes from several writers, the
 * 64 KiB capacity, EAGAIN without blocking, and poll/ppoll over pipes,
 * /dev/null and regular files with every timeout kind.
 *
 * The _bad twins: the wrong end, closed ends, bad pointers, bad flags,
 * POLLNVAL, nfds beyond the descriptor limit.
 *
 * Runs on Linux too.
 */
#include "tap.h"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/uio.h>

#define EACH_BAD(ptr) \
	for (int bad_i_ = 0; bad_i_ < TAP_BAD_COUNT && ((ptr) = tap_bad_pointers[bad_i_], 1); bad_i_++)

#define PIPE_CAPACITY 65536

static void make_pipe(int fds[2], int flags)
{
	if (pipe2(fds, flags) != 0) {
		tap_diag("pipe2(%#x) failed: %s", flags, strerror(errno));
		_exit(1);
	}
}

/* --- pipe, pipe2 ------------------------------------------------------------ */

static void test_pipe_basics(void)
{
	tap_close_from(3);
	int p[2] = { -1, -1 };
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(p[0], 3);
	CHECK_EQ(p[1], 4);
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ(fcntl(p[0], F_GETFD), 0);
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(write(p[1], ", pipe", 6), 6);
	char buf[32];
	CHECK_EQ(read(p[0], buf, 3), 3); /* a read takes what it asks for */
	CHECK(memcmp(buf, "hel", 3) == 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 8); /* and never waits for more */
	CHECK(memcmp(buf, "lo, pipe", 8) == 0);
	CHECK_EQ(write(p[1], "", 0), 0);
	CHECK_EQ(read(p[0], buf, 0), 0);
	/* readv/writev. */
	struct iovec out[2] = { { "ab", 2 }, { "cd", 2 } };
	CHECK_EQ(writev(p[1], out, 2), 4);
	char x[1], y[8];
	struct iovec in[2] = { { x, 1 }, { y, 8 } };
	CHECK_EQ(readv(p[0], in, 2), 4);
	CHECK_EQ(x[0], 'a');
	CHECK(memcmp(y, "bcd", 3) == 0);
	CHECK_EQ(close(p[0]), 0);
	CHECK_EQ(close(p[1]), 0);
}

static void test_pipe2_flags(void)
{
	int p[2];
	make_pipe(p, O_CLOEXEC);
	CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	make_pipe(p, O_NONBLOCK);
	CHECK_EQ(fcntl(p[0], F_GETFD), 0);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK);
	make_pipe(p, O_NONBLOCK | O_CLOEXEC);
	CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK);
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	make_pipe(p, 0);
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
}

static void test_pipe_bad(void)
{
	int p[2] = { -7, -7 };
	CHECK_ERRNO(syscall(SYS_pipe2, p, 0x1), EINVAL);
	CHECK_ERRNO(syscall(SYS_pipe2, p, O_RDWR), EINVAL);
	CHECK_ERRNO(syscall(SYS_pipe2, p, O_APPEND), EINVAL);
	CHECK_EQ(p[0], -7); /* nothing written on failure */
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_pipe, bad), EFAULT);
		CHECK_ERRNO(syscall(SYS_pipe2, bad, 0), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_pipe, tap_readonly_page()), EFAULT);
	CHECK_ERRNO(syscall(SYS_pipe, tap_straddling_pointer(8)), EFAULT);
	/* A failed pipe() leaks no descriptors. */
	tap_close_from(3);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(p[0], 3);
	CHECK_EQ(p[1], 4);

	/* The wrong end. */
	char c = 'x';
	CHECK_ERRNO(write(p[0], &c, 1), EBADF);
	CHECK_ERRNO(read(p[1], &c, 1), EBADF);
	/* Bad buffers with data waiting, and for a write. */
	CHECK_EQ(write(p[1], "data", 4), 4);
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_read, p[0], bad, 4), EFAULT);
		CHECK_ERRNO(syscall(SYS_write, p[1], bad, 4), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_read, p[0], tap_readonly_page(), 4), EFAULT);
	char buf[8];
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4); /* the failures consumed nothing */
	CHECK(memcmp(buf, "data", 4) == 0);
	CHECK_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
	close(p[1]);
	CHECK_ERRNO(write(p[1], &c, 1), EBADF);
}

/* --- end of file, EPIPE, SIGPIPE -------------------------------------------- */

static void test_eof_when_writers_gone(void)
{
	int p[2];
	make_pipe(p, 0);
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(p[0]);
		tap_write_fully(p[1], "from child", 10);
		_exit(0); /* its write end closes at exit */
	}
	int copy = dup(p[1]);
	close(p[1]);
	char buf[32];
	CHECK_EQ(tap_read_fully(p[0], buf, 10), 10);
	CHECK(memcmp(buf, "from child", 10) == 0);
	CHECK_EXITED(tap_wait(pid), 0);
	/* A dup of the write end is still open here: no EOF yet. */
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_ERRNO(read(p[0], buf, 1), EAGAIN);
	close(copy);
	CHECK_EQ(read(p[0], buf, 1), 0);
	CHECK_EQ(fcntl(p[0], F_SETFL, 0), 0);
	CHECK_EQ(read(p[0], buf, 1), 0); /* and again: EOF stays */
}

static void write_to_readerless_pipe(void)
{
	int p[2];
	make_pipe(p, 0);
	close(p[0]);
	write(p[1], "x", 1);
	_exit(0); /* not reached: SIGPIPE's default action ends the process */
}

static volatile sig_atomic_t sigpipe_count;
static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipe_count++;
}

static void test_sigpipe_and_epipe(void)
{
	CHECK_SIGNALED(tap_child_status(write_to_readerless_pipe), SIGPIPE);

	/* Ignored: EPIPE. */
	int p[2];
	signal(SIGPIPE, SIG_IGN);
	make_pipe(p, 0);
	close(p[0]);
	CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
	struct iovec iov = { "y", 1 };
	CHECK_ERRNO(writev(p[1], &iov, 1), EPIPE);
	close(p[1]);

	/* Caught: the handler runs, then EPIPE. */
	struct sigaction sa = { .sa_handler = on_sigpipe };
	CHECK_EQ(sigaction(SIGPIPE, &sa, NULL), 0);
	make_pipe(p, 0);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	close(p[0]); /* the unread bytes go with the last reader */
	CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
	CHECK_EQ(sigpipe_count, 1);

	/* Blocked: EPIPE, and SIGPIPE pending. */
	sigset_t block, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &block, NULL), 0);
	CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
	CHECK_EQ(sigpending(&pending), 0);
	CHECK(sigismember(&pending, SIGPIPE));
	CHECK_EQ(sigpipe_count, 1);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &block, NULL), 0);
	CHECK_EQ(sigpipe_count, 2);
}

static void test_reader_gone_while_writer_blocked(void)
{
	/* A writer blocked on a full pipe wakes with EPIPE when the reader leaves. */
	int p[2];
	make_pipe(p, 0);
	signal(SIGPIPE, SIG_IGN);
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(p[0]);
		static char block[PIPE_CAPACITY * 2];
		ssize_t done = write(p[1], block, sizeof(block));
		/* Linux returns the partial count when some bytes went in. */
		if (done > 0 && done < (ssize_t)sizeof(block))
			_exit(write(p[1], block, 1) == -1 && errno == EPIPE ? 0 : 2);
		_exit(done == -1 && errno == EPIPE ? 0 : 3);
	}
	close(p[1]);
	tap_sleep_ms(100);
	close(p[0]);
	CHECK_EXITED(tap_wait(pid), 0);
}

/* --- blocking and capacity ---------------------------------------------------- */

static void test_blocking_read_waits_for_writer(void)
{
	int p[2];
	make_pipe(p, 0);
	pid_t pid = tap_fork();
	if (pid == 0) {
		tap_sleep_ms(100);
		tap_write_fully(p[1], "late", 4);
		_exit(0);
	}
	char buf[8];
	long long before = tap_now_ns();
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4);
	CHECK(tap_now_ns() - before >= 50 * 1000000LL);
	CHECK(memcmp(buf, "late", 4) == 0);
	CHECK_EXITED(tap_wait(pid), 0);
}

static void test_capacity_and_eagain(void)
{
	int p[2];
	make_pipe(p, O_NONBLOCK);
	long size = fcntl(p[1], F_GETPIPE_SZ);
	if (size != -1)
		CHECK_EQ(size, PIPE_CAPACITY);
	char chunk[1024];
	memset(chunk, 'c', sizeof(chunk));
	long total = 0;
	for (;;) {
		ssize_t done = write(p[1], chunk, sizeof(chunk));
		if (done < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		total += done;
		CHECK(total <= PIPE_CAPACITY);
	}
	CHECK_EQ(total, PIPE_CAPACITY);
	CHECK_ERRNO(write(p[1], "x", 1), EAGAIN);
	/* Reading a page makes room for a page. */
	static char page[4096];
	CHECK_EQ(read(p[0], page, sizeof(page)), sizeof(page));
	CHECK_EQ(write(p[1], page, sizeof(page)), sizeof(page));
	CHECK_ERRNO(write(p[1], "x", 1), EAGAIN);
	/* Drain: everything comes out, then EAGAIN (a writer still exists). */
	static char all[PIPE_CAPACITY + 1];
	CHECK_EQ(read(p[0], all, sizeof(all)), PIPE_CAPACITY);
	CHECK_ERRNO(read(p[0], all, 1), EAGAIN);
	/* O_NONBLOCK can be switched off and on with F_SETFL. */
	CHECK_EQ(fcntl(p[0], F_SETFL, 0), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_ERRNO(read(p[0], all, 1), EAGAIN);
}

static void test_large_transfer(void)
{
	/* 1 MiB through a 64 KiB pipe: the writer blocks and resumes many times. */
	enum { SIZE = 1 << 20 };
	int p[2];
	make_pipe(p, 0);
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(p[0]);
		static unsigned char out[SIZE];
		for (int i = 0; i < SIZE; i++)
			out[i] = (unsigned char)(i * 7 + i / 4096);
		ssize_t done = write(p[1], out, SIZE); /* one call: blocking writes are complete */
		_exit(done == SIZE ? 0 : 1);
	}
	close(p[1]);
	static unsigned char in[SIZE];
	size_t got = 0;
	int reads = 0;
	for (;;) {
		ssize_t done = read(p[0], in + got, 10000);
		CHECK(done >= 0);
		if (done == 0)
			break;
		got += (size_t)done;
		reads++;
		CHECK(got <= SIZE);
	}
	CHECK_EQ(got, SIZE);
	for (int i = 0; i < SIZE; i++)
		if (in[i] != (unsigned char)(i * 7 + i / 4096)) {
			tap_diag("byte %d is %d", i, in[i]);
			_exit(1);
		}
	CHECK(reads >= SIZE / 10000);
	CHECK_EXITED(tap_wait(pid), 0);
}

static void test_atomic_writes(void)
{
	/* Four writers, 4096-byte records of one letter each: never interleaved. */
	enum { WRITERS = 4, RECORDS = 64, RECORD = 4096 };
	CHECK_EQ(PIPE_BUF, RECORD);
	int p[2];
	make_pipe(p, 0);
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = tap_fork();
		if (pids[w] == 0) {
			close(p[0]);
			static char record[RECORD];
			memset(record, 'A' + w, sizeof(record));
			for (int r = 0; r < RECORDS; r++) {
				if (write(p[1], record, RECORD) != RECORD)
					_exit(1);
				if (r % 8 == 0)
					sched_yield();
			}
			_exit(0);
		}
	}
	close(p[1]);
	int counts[WRITERS] = { 0 };
	static char record[RECORD];
	for (;;) {
		size_t got = tap_read_fully(p[0], record, RECORD);
		if (got == 0)
			break;
		CHECK_EQ(got, RECORD);
		int w = record[0] - 'A';
		CHECK(w >= 0 && w < WRITERS);
		for (int i = 1; i < RECORD; i++)
			if (record[i] != record[0]) {
				tap_diag("record from writer %d interleaved at byte %d", w, i);
				_exit(1);
			}
		counts[w]++;
	}
	for (int w = 0; w < WRITERS; w++) {
		CHECK_EQ(counts[w], RECORDS);
		CHECK_EXITED(tap_wait(pids[w]), 0);
	}
}

static void test_nonblocking_atomic_write_all_or_nothing(void)
{
	/* With less than PIPE_BUF free, a PIPE_BUF write is EAGAIN, not partial. */
	int p[2];
	make_pipe(p, O_NONBLOCK);
	static char fill[PIPE_CAPACITY - 100];
	CHECK_EQ(write(p[1], fill, sizeof(fill)), sizeof(fill));
	static char record[4096];
	CHECK_ERRNO(write(p[1], record, sizeof(record)), EAGAIN);
	/* A bigger write may be partial. */
	static char big[8192];
	ssize_t done = write(p[1], big, sizeof(big));
	CHECK(done == -1 ? errno == EAGAIN : done > 0 && done <= 100);
}

static void test_pipeline_of_children(void)
{
	/* Two children in a pipeline: one writes, one reads and counts. */
	int p[2], result[2];
	make_pipe(p, 0);
	make_pipe(result, 0);
	pid_t writer = tap_fork();
	if (writer == 0) {
		close(p[0]);
		for (int i = 0; i < 100; i++)
			tap_write_fully(p[1], "0123456789", 10);
		_exit(0);
	}
	pid_t reader = tap_fork();
	if (reader == 0) {
		close(p[1]);
		char buf[128];
		long total = 0;
		ssize_t done;
		while ((done = read(p[0], buf, sizeof(buf))) > 0)
			total += done;
		tap_write_fully(result[1], &total, sizeof(total));
		_exit(done == 0 ? 0 : 1);
	}
	close(p[0]);
	close(p[1]); /* else the reader never sees EOF */
	long total = 0;
	CHECK_EQ(tap_read_fully(result[0], &total, sizeof(total)), sizeof(total));
	CHECK_EQ(total, 1000);
	CHECK_EXITED(tap_wait(writer), 0);
	CHECK_EXITED(tap_wait(reader), 0);
}

/* --- poll, ppoll ------------------------------------------------------------- */

static void test_poll_pipe_events(void)
{
	int p[2];
	make_pipe(p, 0);
	struct pollfd fds[2] = { { p[0], POLLIN | POLLOUT, -1 }, { p[1], POLLIN | POLLOUT, -1 } };
	/* Empty: the write end is writable, the read end has nothing. */
	CHECK_EQ(poll(fds, 2, 0), 1);
	CHECK_EQ(fds[0].revents, 0);
	CHECK_EQ(fds[1].revents, POLLOUT);
	/* Data: readable. */
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(poll(fds, 2, 0), 2);
	CHECK_EQ(fds[0].revents, POLLIN);
	CHECK_EQ(fds[1].revents, POLLOUT);
	/* Writers gone with data left: POLLIN | POLLHUP; drained: POLLHUP. */
	close(p[1]);
	fds[1].fd = -1; /* negative: ignored, revents 0 */
	CHECK_EQ(poll(fds, 2, 0), 1);
	CHECK_EQ(fds[0].revents, POLLIN | POLLHUP);
	CHECK_EQ(fds[1].revents, 0);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	fds[0].events = POLLIN;
	CHECK_EQ(poll(fds, 1, 0), 1);
	CHECK_EQ(fds[0].revents, POLLHUP);
	fds[0].events = 0; /* POLLHUP is reported even when not asked for */
	CHECK_EQ(poll(fds, 1, 0), 1);
	CHECK_EQ(fds[0].revents, POLLHUP);
	close(p[0]);

	/* Readers gone: the write end says POLLERR (and POLLOUT, it has room). */
	make_pipe(p, 0);
	close(p[0]);
	struct pollfd w = { p[1], POLLOUT, 0 };
	CHECK_EQ(poll(&w, 1, 0), 1);
	CHECK_EQ(w.revents, POLLOUT | POLLERR);
	w.events = 0;
	CHECK_EQ(poll(&w, 1, 0), 1);
	CHECK_EQ(w.revents, POLLERR);
	close(p[1]);

	/* Full: not writable. */
	make_pipe(p, O_NONBLOCK);
	static char fill[PIPE_CAPACITY];
	CHECK_EQ(write(p[1], fill, sizeof(fill)), sizeof(fill));
	w.fd = p[1];
	w.events = POLLOUT;
	CHECK_EQ(poll(&w, 1, 0), 0);
	CHECK_EQ(w.revents, 0);
}

static void test_poll_timeouts(void)
{
	int p[2];
	make_pipe(p, 0);
	struct pollfd fd = { p[0], POLLIN, 0 };
	long long before = tap_now_ns();
	CHECK_EQ(poll(&fd, 1, 0), 0);
	CHECK(tap_now_ns() - before < 1000 * 1000000LL);
	before = tap_now_ns();
	CHECK_EQ(poll(&fd, 1, 100), 0);
	long long waited = tap_now_ns() - before;
	CHECK(waited >= 100 * 1000000LL);
	CHECK(waited < 5000 * 1000000LL);
	/* No descriptors at all: a plain sleep. */
	before = tap_now_ns();
	CHECK_EQ(poll(NULL, 0, 50), 0);
	CHECK(tap_now_ns() - before >= 50 * 1000000LL);

	/* -1 waits until a child writes. */
	pid_t pid = tap_fork();
	if (pid == 0) {
		tap_sleep_ms(100);
		tap_write_fully(p[1], "!", 1);
		_exit(0);
	}
	before = tap_now_ns();
	CHECK_EQ(poll(&fd, 1, -1), 1);
	CHECK_EQ(fd.revents, POLLIN);
	CHECK(tap_now_ns() - before >= 50 * 1000000LL);
	CHECK_EXITED(tap_wait(pid), 0);

	/* A long timeout ends early when the last writer goes. */
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	pid = tap_fork();
	if (pid == 0) {
		tap_sleep_ms(100);
		_exit(0);
	}
	close(p[1]);
	before = tap_now_ns();
	CHECK_EQ(poll(&fd, 1, 10000), 1);
	CHECK_EQ(fd.revents, POLLHUP);
	CHECK(tap_now_ns() - before < 5000 * 1000000LL);
	CHECK_EXITED(tap_wait(pid), 0);
}

static void test_ppoll(void)
{
	int p[2];
	make_pipe(p, 0);
	struct pollfd fd = { p[0], POLLIN, 0 };
	struct timespec zero = { 0, 0 }, short_wait = { 0, 50 * 1000000L };
	CHECK_EQ(ppoll(&fd, 1, &zero, NULL), 0);
	long long before = tap_now_ns();
	CHECK_EQ(ppoll(&fd, 1, &short_wait, NULL), 0);
	CHECK(tap_now_ns() - before >= 50 * 1000000LL);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(ppoll(&fd, 1, NULL, NULL), 1);
	CHECK_EQ(fd.revents, POLLIN);
	/* A signal mask for the duration of the call (8 bytes: the kernel's sigset). */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	CHECK_EQ(syscall(SYS_ppoll, &fd, 1, &zero, &mask, 8), 1);
	struct timespec bad_ns = { 0, 1000000000L }, negative = { -1, 0 };
	CHECK_ERRNO(syscall(SYS_ppoll, &fd, 1, &bad_ns, NULL, 8), EINVAL);
	CHECK_ERRNO(syscall(SYS_ppoll, &fd, 1, &negative, NULL, 8), EINVAL);
	CHECK_ERRNO(syscall(SYS_ppoll, &fd, 1, &zero, &mask, 4), EINVAL);
	CHECK_ERRNO(syscall(SYS_ppoll, &fd, 1, TAP_BAD_KERNEL, NULL, 8), EFAULT);
	CHECK_ERRNO(syscall(SYS_ppoll, &fd, 1, &zero, TAP_BAD_KERNEL, 8), EFAULT);
}

static void test_poll_files_always_ready(void)
{
	int null = open("/dev/null", O_RDWR);
	CHECK(null >= 0);
	const char *path = tap_scratch("f");
	tap_make_file(path, "abc", 3);
	int file = open(path, O_RDWR);
	CHECK(file >= 0);
	int zero = open("/dev/zero", O_RDONLY);
	CHECK(zero >= 0);
	struct pollfd fds[3] = {
		{ null, POLLIN | POLLOUT, 0 },
		{ file, POLLIN | POLLOUT, 0 },
		{ zero, POLLIN, 0 },
	};
	CHECK_EQ(poll(fds, 3, -1), 3);
	CHECK_EQ(fds[0].revents, POLLIN | POLLOUT);
	CHECK_EQ(fds[1].revents, POLLIN | POLLOUT);
	CHECK_EQ(fds[2].revents, POLLIN);
	/* At end of file a regular file is still "readable". */
	CHECK_EQ(lseek(file, 0, SEEK_END), 3);
	CHECK_EQ(poll(fds + 1, 1, 0), 1);
	CHECK(fds[1].revents & POLLIN);
	tap_scratch_cleanup();
}

static void test_poll_bad(void)
{
	tap_close_from(3);
	int p[2];
	make_pipe(p, 0);
	/* A closed descriptor: POLLNVAL, counted, and no wait. */
	struct pollfd fds[3] = { { 20, POLLIN, 0 }, { p[1], POLLOUT, 0 }, { 1000, 0, 0 } };
	long long before = tap_now_ns();
	CHECK_EQ(poll(fds, 3, 5000), 3);
	CHECK(tap_now_ns() - before < 2000 * 1000000LL);
	CHECK_EQ(fds[0].revents, POLLNVAL);
	CHECK_EQ(fds[1].revents, POLLOUT);
	CHECK_EQ(fds[2].revents, POLLNVAL);
	/* Bad arrays. */
	void *bad;
	EACH_BAD(bad)
		if (bad != NULL)
			CHECK_ERRNO(syscall(SYS_poll, bad, 1, 0), EFAULT);
	CHECK_ERRNO(syscall(SYS_poll, NULL, 1, 0), EFAULT);
	CHECK_ERRNO(syscall(SYS_poll, tap_unmapped_page(), 1, 0), EFAULT);
	CHECK_ERRNO(syscall(SYS_poll, tap_readonly_page(), 1, 0), EFAULT); /* revents written back */
	struct pollfd *straddle = tap_straddling_pointer(2 * sizeof(struct pollfd));
	straddle[0] = (struct pollfd){ p[1], POLLOUT, 0 };
	CHECK_ERRNO(syscall(SYS_poll, straddle, 2, 0), EFAULT);
	/* More descriptors than RLIMIT_NOFILE. */
	struct rlimit limit;
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
	CHECK_ERRNO(syscall(SYS_poll, fds, limit.rlim_cur + 1, 0), EINVAL);
	CHECK_ERRNO(syscall(SYS_poll, fds, (unsigned long)UINT_MAX, 0), EINVAL);
}

static const struct tap_test tests[] = {
	{ "pipe: write, read, readv, writev", test_pipe_basics },
	{ "pipe2: O_CLOEXEC, O_NONBLOCK", test_pipe2_flags },
	{ "pipe, pipe2: EINVAL, EFAULT, wrong end EBADF", test_pipe_bad },
	{ "EOF when every writer is gone", test_eof_when_writers_gone },
	{ "SIGPIPE kills, EPIPE when ignored, caught or blocked", test_sigpipe_and_epipe },
	{ "a blocked writer wakes with EPIPE when the reader leaves", test_reader_gone_while_writer_blocked },
	{ "a blocking read waits for the writer", test_blocking_read_waits_for_writer },
	{ "capacity 64 KiB, EAGAIN with O_NONBLOCK", test_capacity_and_eagain },
	{ "1 MiB through a pipe in one write", test_large_transfer },
	{ "writes of PIPE_BUF bytes from 4 writers are atomic", test_atomic_writes },
	{ "a non-blocking PIPE_BUF write is all or nothing", test_nonblocking_atomic_write_all_or_nothing },
	{ "a pipeline of two children", test_pipeline_of_children },
	{ "poll: POLLIN, POLLOUT, POLLHUP, POLLERR on pipes", test_poll_pipe_events },
	{ "poll: timeouts 0, positive, -1", test_poll_timeouts },
	{ "ppoll: timeouts, sigmask, EINVAL, EFAULT", test_ppoll },
	{ "poll: /dev/null and regular files are always ready", test_poll_files_always_ready },
	{ "poll: POLLNVAL, EFAULT, EINVAL", test_poll_bad },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
