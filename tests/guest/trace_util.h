/* SPDX-License-Identifier: MIT */
/*
 * trace_util.h - helpers shared by the guest tests of the raw tracing
 * files (test_trace, test_trace_regs, test_trace_mem): /proc paths and
 * status lines, tracees that wait for a go signal, and the trace handle's
 * resume and event records (include/uapi/loupe/trace.h, described in
 * docs/ptrace-abi.md).
 *
 * The usual shape of a test: the test process forks a tracee that blocks
 * on a pipe (tracee_start), opens /proc/<pid>/trace (a parent may trace
 * its child: only the tracee being an ancestor of the tracer is refused),
 * arms stop points (trace_arm), lets the tracee go (tracee_go) and reads
 * events (trace_event, trace_until). A tracee blocked on its pipe exits by
 * itself when the test process dies (end of file), so a failing test
 * leaves no process behind; tracees that spin check getppid().
 *
 * Everything here fails the running test (CHECK, _exit(1)) when a call
 * that must work does not. Loupe only: Linux has no such files, and every
 * table row using these helpers is TAP_LOUPE_ONLY.
 */
#ifndef LOUPE_TESTS_GUEST_TRACE_UTIL_H
#define LOUPE_TESTS_GUEST_TRACE_UTIL_H

#include "tap.h"

#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>

#include <loupe/trace.h>

#define EVENT_SIZE  ((long)sizeof(struct loupe_trace_event))
#define RESUME_SIZE ((long)sizeof(struct loupe_trace_resume))
#define REGS_SIZE   ((long)sizeof(struct loupe_user_regs))

#define USER_CS 0x33
#define USER_SS 0x2b

/* How long a test waits for something that must happen (TCG is slow). */
#define TRACE_DEADLINE_MS 10000

/* /proc/<pid>/<file> ("" for the directory itself), in rotating buffers. */
static inline const char *proc_path(pid_t pid, const char *file)
{
	static char buf[8][64];
	static int next;
	char *out = buf[next++ % 8];
	if (file[0])
		snprintf(out, sizeof(buf[0]), "/proc/%d/%s", (int)pid, file);
	else
		snprintf(out, sizeof(buf[0]), "/proc/%d", (int)pid);
	return out;
}

/* open(/proc/<pid>/<file>, flags), failing the test if it fails. */
static inline int proc_open(pid_t pid, const char *file, int flags)
{
	const char *path = proc_path(pid, file);
	int fd = open(path, flags);
	if (fd < 0) {
		tap_diag("open(%s, %#x) failed: errno %d (%s)", path, flags, errno,
			 strerror(errno));
		_exit(1);
	}
	return fd;
}

/* Reads a whole (small) file into buf, NUL-terminated; returns its length or -1 with errno. */
static inline long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t got = 0;
	for (;;) {
		ssize_t done = read(fd, buf + got, size - 1 - got);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (done == 0 || got + (size_t)done >= size - 1) {
			got += (size_t)(done > 0 ? done : 0);
			break;
		}
		got += (size_t)done;
	}
	close(fd);
	buf[got] = '\0';
	return (long)got;
}

/*
 * The value of the "Key:" line of /proc/<pid>/status (after the tab),
 * copied into out; returns 0, or -1 if the file or the key is missing.
 */
static inline int proc_status_value(pid_t pid, const char *key, char *out, size_t size)
{
	char text[4096];
	if (read_file(proc_path(pid, "status"), text, sizeof(text)) < 0)
		return -1;
	size_t key_len = strlen(key);
	for (char *line = text; line && *line; ) {
		char *end = strchr(line, '\n');
		if (strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
			char *value = line + key_len + 1;
			while (*value == '\t' || *value == ' ')
				value++;
			size_t len = end ? (size_t)(end - value) : strlen(value);
			if (len >= size)
				len = size - 1;
			memcpy(out, value, len);
			out[len] = '\0';
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	errno = ENOENT;
	return -1;
}

/* The first letter of the State line ('R', 'S', 't'...), or 0 if unreadable. */
static inline char proc_state(pid_t pid)
{
	char value[64];
	return proc_status_value(pid, "State", value, sizeof(value)) == 0 ? value[0] : 0;
}

/* Waits (up to the deadline) until pid's State letter is `state`; fails the test otherwise. */
static inline void wait_state(pid_t pid, char state)
{
	long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
	char now;
	while ((now = proc_state(pid)) != state) {
		if (tap_now_ns() > deadline) {
			tap_diag("pid %d: State is '%c', expected '%c' (waited %d ms)", (int)pid,
				 now ? now : '?', state, TRACE_DEADLINE_MS);
			_exit(1);
		}
		tap_sleep_ms(1);
	}
}

/* A raw syscall: the kernel's rax, not musl's -1/errno. */
static inline long raw_syscall6(long number, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* --- tracees ---------------------------------------------------------------- */

/* A forked child that waits for one byte on `go`, then runs its body. */
struct tracee {
	pid_t pid;
	int go;         /* write end: tracee_go() */
	int out;        /* read end: what the body reports (tracee_report) */
};

/* In the tracee: where the body writes its reports (the write end of `out`). */
static int tracee_out = -1;
/* In the tracee: the read end of its go pipe (a body may wait for more go bytes). */
static int tracee_in = -1;
/* In the tracee: the pid of the test process (spinning bodies stop when it is gone). */
static pid_t tracee_parent;

static inline struct tracee tracee_start(void (*body)(void))
{
	int go[2], out[2];
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(pipe(out), 0);
	pid_t parent = getpid();
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(go[1]);
		close(out[0]);
		tracee_in = go[0];
		tracee_out = out[1];
		tracee_parent = parent;
		char byte;
		ssize_t got;
		do
			got = read(go[0], &byte, 1);
		while (got < 0 && errno == EINTR);
		if (got != 1)
			_exit(0);       /* the test is gone */
		body();
		_exit(0);
	}
	close(go[0]);
	close(out[1]);
	return (struct tracee){ pid, go[1], out[0] };
}

static inline void tracee_go(const struct tracee *tracee)
{
	tap_write_fully(tracee->go, "g", 1);
}

/* In the tracee: waits for one more go byte (0 at end of file: the test died). */
static inline int tracee_wait_go(void)
{
	char byte;
	ssize_t got;
	do
		got = read(tracee_in, &byte, 1);
	while (got < 0 && errno == EINTR);
	return got == 1;
}

/* In the tracee: reports one value to the test. */
static inline void tracee_say(long value)
{
	if (write(tracee_out, &value, sizeof(value)) != sizeof(value))
		_exit(99);
}

/* In the test: the next value the tracee reported (fails after the deadline). */
static inline long tracee_report(const struct tracee *tracee)
{
	struct pollfd p = { .fd = tracee->out, .events = POLLIN };
	int ready = poll(&p, 1, TRACE_DEADLINE_MS);
	if (ready != 1) {
		tap_diag("tracee %d reported nothing within %d ms (poll %d)", (int)tracee->pid,
			 TRACE_DEADLINE_MS, ready);
		_exit(1);
	}
	long value = 0;
	CHECK_EQ(tap_read_fully(tracee->out, &value, sizeof(value)), sizeof(value));
	return value;
}

/* In the spinning bodies: leave when the test process is gone. */
static inline void tracee_exit_if_orphaned(void)
{
	if (getppid() != tracee_parent)
		_exit(0);
}

/* A body that calls getpid (and getppid) forever. */
static inline void body_spin_getpid(void)
{
	for (;;) {
		syscall(SYS_getpid);
		tracee_exit_if_orphaned();
	}
}

/* SIGKILL, then reap: the end of a test with a live tracee. */
static inline void tracee_kill(const struct tracee *tracee)
{
	kill(tracee->pid, SIGKILL);
	int status = tap_wait(tracee->pid);
	(void)status;
	close(tracee->go);
	close(tracee->out);
}

/* --- the trace handle --------------------------------------------------------- */

static inline int trace_open(pid_t pid)
{
	return proc_open(pid, "trace", O_RDWR);
}

static inline struct loupe_trace_resume trace_resume_of(uint64_t stops, uint32_t flags,
							 uint32_t options)
{
	struct loupe_trace_resume resume;
	memset(&resume, 0, sizeof(resume));
	resume.size = sizeof(resume);
	resume.flags = flags;
	resume.stops = stops;
	resume.options = options;
	return resume;
}

/* One resume write that must succeed: arms `stops` and resumes a stopped tracee. */
static inline void trace_arm_opts(int fd, uint64_t stops, uint32_t flags, uint32_t options)
{
	struct loupe_trace_resume resume = trace_resume_of(stops, flags, options);
	errno = 0;
	ssize_t done = write(fd, &resume, sizeof(resume));
	if (done != RESUME_SIZE) {
		tap_diag("resume write (stops %#llx, flags %#x, options %#x) returned %zd: "
			 "errno %d (%s)", (unsigned long long)stops, flags, options, done, errno,
			 strerror(errno));
		_exit(1);
	}
}

static inline void trace_arm(int fd, uint64_t stops, uint32_t flags)
{
	trace_arm_opts(fd, stops, flags, 0);
}

static inline const char *event_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"NONE", "SYSCALL_ENTRY", "SYSCALL_EXIT", "EXIT", "SINGLESTEP", "BREAKPOINT",
		"SIGNAL", "FORK", "EXEC", "INTERRUPT", "DEATH", "GROUP_STOP",
	};
	return kind < LOUPE_EVENT_KINDS ? names[kind] : "?";
}

/* Waits (up to the deadline) for one event, reads it and checks its size and pid. */
static inline void trace_event_of(int fd, pid_t pid, struct loupe_trace_event *event)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ready;
	do
		ready = poll(&p, 1, TRACE_DEADLINE_MS);
	while (ready < 0 && errno == EINTR);
	if (ready != 1) {
		tap_diag("no event on the trace handle of %d within %d ms (poll %d, errno %d)",
			 (int)pid, TRACE_DEADLINE_MS, ready, ready < 0 ? errno : 0);
		_exit(1);
	}
	memset(event, 0xa5, sizeof(*event));
	ssize_t got;
	do
		got = read(fd, event, sizeof(*event));
	while (got < 0 && errno == EINTR);
	if (got != EVENT_SIZE) {
		tap_diag("read of the trace handle of %d returned %zd (errno %d, %s), expected %ld",
			 (int)pid, got, got < 0 ? errno : 0, got < 0 ? strerror(errno) : "-",
			 EVENT_SIZE);
		_exit(1);
	}
	CHECK_EQ(event->size, EVENT_SIZE);
	CHECK_EQ(event->pid, pid);
	for (unsigned i = 0; i < sizeof(event->reserved); i++)
		CHECK_EQ(event->reserved[i], 0);
}

static inline void trace_describe(const char *what, const struct loupe_trace_event *event)
{
	tap_diag("%s: kind %u (%s) seq %llu syscall %llu retval %lld status %#x", what,
		 event->kind, event_kind_name(event->kind), (unsigned long long)event->seq,
		 (unsigned long long)event->syscall, (long long)event->retval,
		 (unsigned)event->status);
}

/*
 * Reads events, resuming with `stops` after each one that does not match,
 * until one of `kind` (and, if number >= 0, of that syscall) arrives; the
 * tracee is stopped at that one (unless it is DEATH). Fails after 500.
 */
static inline void trace_until(int fd, pid_t pid, uint64_t stops, uint32_t kind, long number,
			       struct loupe_trace_event *event)
{
	for (int i = 0; i < 500; i++) {
		trace_event_of(fd, pid, event);
		if (event->kind == kind && (number < 0 || event->syscall == (uint64_t)number))
			return;
		if (event->kind == LOUPE_EVENT_DEATH) {
			trace_describe("unexpected death", event);
			_exit(1);
		}
		trace_arm(fd, stops, 0);
	}
	tap_diag("no %s event for syscall %ld in 500 events", event_kind_name(kind), number);
	_exit(1);
}

/* The next event must be DEATH with this wait status; then end of file. */
static inline void trace_expect_death(int fd, pid_t pid, int status)
{
	struct loupe_trace_event event;
	trace_event_of(fd, pid, &event);
	if (event.kind != LOUPE_EVENT_DEATH || event.status != status) {
		trace_describe("expected DEATH", &event);
		tap_diag("expected status %#x", (unsigned)status);
		_exit(1);
	}
	char buf[EVENT_SIZE];
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
}

/* The wait statuses the DEATH and EXIT events carry (Linux's encoding). */
#define EXITED_STATUS(code) (((code) & 0xff) << 8)
#define SIGNALED_STATUS(sig) ((sig) & 0x7f)

/* --- regs --------------------------------------------------------------------- */

static inline void regs_get(int fd, struct loupe_user_regs *regs)
{
	memset(regs, 0x5a, sizeof(*regs));
	ssize_t got = pread(fd, regs, sizeof(*regs), 0);
	if (got != REGS_SIZE) {
		tap_diag("pread(regs) returned %zd: errno %d (%s)", got, errno, strerror(errno));
		_exit(1);
	}
}

static inline void regs_set(int fd, const struct loupe_user_regs *regs)
{
	ssize_t done = pwrite(fd, regs, sizeof(*regs), 0);
	if (done != REGS_SIZE) {
		tap_diag("pwrite(regs) returned %zd: errno %d (%s)", done, errno, strerror(errno));
		_exit(1);
	}
}

/* A label of an assembly block (or a function) as the uint64_t address the events carry. */
#define ADDR(label) ((uint64_t)(uintptr_t)(label))

/* The regs of a stopped tracee, through a handle opened for the call. */
static inline void regs_of(pid_t pid, struct loupe_user_regs *regs)
{
	int fd = proc_open(pid, "regs", O_RDONLY);
	regs_get(fd, regs);
	close(fd);
}

/* ... and written back (validated whole by the kernel). */
static inline void regs_put(pid_t pid, const struct loupe_user_regs *regs)
{
	int fd = proc_open(pid, "regs", O_RDWR);
	regs_set(fd, regs);
	close(fd);
}

/* Lets a stopped tracee run on with nothing armed; its body reports, then it exits 0. */
static inline void finish_tracee(int fd, const struct tracee *tracee, long report)
{
	trace_arm(fd, 0, 0);
	if (report != LONG_MIN)
		CHECK_EQ(tracee_report(tracee), report);
	trace_expect_death(fd, tracee->pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(tracee->pid), 0);
}

static inline void sigaction_of(int sig, void (*handler)(int, siginfo_t *, void *), int flags)
{
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_sigaction = handler;
	action.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&action.sa_mask);
	CHECK_EQ(sigaction(sig, &action, NULL), 0);
}

/* --- the stop points of issue 6 (test_trace_stops, _signals, _control, _events) -- */

/* Sets bit `number` of the resume's syscall filter (LOUPE_OPT_FILTER). */
static inline void trace_filter_add(struct loupe_trace_resume *resume, unsigned number)
{
	resume->filter[number / 64] |= 1ULL << (number % 64);
}

/* One resume write that must succeed (a record built by the caller: filter, signal...). */
static inline void trace_resume_write(int fd, const struct loupe_trace_resume *resume)
{
	errno = 0;
	ssize_t done = write(fd, resume, sizeof(*resume));
	if (done != RESUME_SIZE) {
		tap_diag("resume write (stops %#llx, flags %#x, options %#x, signal %d) returned "
			 "%zd: errno %d (%s)", (unsigned long long)resume->stops, resume->flags,
			 resume->options, resume->signal, done, errno, strerror(errno));
		_exit(1);
	}
}

/* The next event must be of `kind` (and, if number >= 0, of that syscall). */
static inline void trace_expect_syscall(int fd, pid_t pid, uint32_t kind, long number,
					struct loupe_trace_event *event)
{
	trace_event_of(fd, pid, event);
	if (event->kind != kind || (number >= 0 && event->syscall != (uint64_t)number)) {
		trace_describe("unexpected event", event);
		tap_diag("expected %s (syscall %ld) from pid %d", event_kind_name(kind), number,
			 (int)pid);
		_exit(1);
	}
}

static inline void trace_expect(int fd, pid_t pid, uint32_t kind, struct loupe_trace_event *event)
{
	trace_expect_syscall(fd, pid, kind, -1, event);
}

/* No event arrives on the trace handle within `ms` milliseconds. */
static inline void trace_expect_none(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ready = poll(&p, 1, ms);
	if (ready != 0) {
		struct loupe_trace_event event;
		memset(&event, 0, sizeof(event));
		if (ready == 1 && read(fd, &event, sizeof(event)) == EVENT_SIZE)
			trace_describe("unexpected event", &event);
		tap_diag("expected no event within %d ms (poll %d, revents %#x)", ms, ready,
			 (unsigned)p.revents);
		_exit(1);
	}
}

/* mem transfers at offset = address. */
static inline ssize_t trace_mem_read(int fd, void *buf, size_t len, uint64_t address)
{
	return pread(fd, buf, len, (off_t)address);
}

static inline ssize_t trace_mem_write(int fd, const void *buf, size_t len, uint64_t address)
{
	return pwrite(fd, buf, len, (off_t)address);
}

/* The event's 128 siginfo bytes as Linux's siginfo_t. */
static inline siginfo_t event_siginfo(const struct loupe_trace_event *event)
{
	siginfo_t info;
	_Static_assert(sizeof(info) == sizeof(event->siginfo), "siginfo_t is 128 bytes");
	memcpy(&info, event->siginfo, sizeof(info));
	return info;
}

#define TRACE_RFLAGS_TF 0x100UL      /* RFLAGS.TF, the trap flag */

/*
 * main() of these programs: `prog --only 3,7` runs just those rows (1-based,
 * as TAP numbers them), for debugging one test in QEMU; otherwise all.
 */
static inline int trace_tap_main(int argc, char **argv, const struct tap_test *tests, int count)
{
	static struct tap_test chosen[256];
	if (argc >= 3 && strcmp(argv[1], "--only") == 0) {
		int n = 0;
		for (char *at = argv[2]; *at && n < 256; ) {
			int row = atoi(at);
			if (row >= 1 && row <= count)
				chosen[n++] = tests[row - 1];
			at = strchr(at, ',');
			if (!at)
				break;
			at++;
		}
		return tap_main(argc, argv, chosen, n);
	}
	return tap_main(argc, argv, tests, count);
}

/* Every table row of these programs: Linux has no tracing files. */
#define LOUPE TAP_LOUPE_ONLY

#endif /* LOUPE_TESTS_GUEST_TRACE_UTIL_H */
