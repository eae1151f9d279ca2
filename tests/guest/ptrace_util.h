/* SPDX-License-Identifier: MIT */
/*
 * ptrace_util.h - helpers shared by the guest tests of the Linux ptrace
 * API (test_ptrace, test_ptrace_events). Unlike trace_util.h, which
 * speaks to Loupe's own /proc/<pid>/trace files, everything here uses only
 * <sys/ptrace.h>, <sys/wait.h> and <sys/user.h>: on Linux these are the
 * kernel's ptrace(2) and wait4(2); on Loupe, the shim in user/lib/ that
 * rebuilds them over /proc/<pid>/{trace,regs,fpregs,mem}. The same source
 * must behave identically on both, and the Linux run is the reference.
 *
 * The usual shape of a test: fork_tracee(body) forks a child that calls
 * PTRACE_TRACEME, stops itself with kill(getpid(), SIGSTOP) and, once
 * continued, runs body() and exits with its return value; the test (the
 * tracer) gets the child back in that first signal-delivery-stop.
 *
 * A ptrace stop is reported by waitpid as
 *
 *     status = 0x7f | signal << 8 | event << 16      (WIFSTOPPED)
 *
 * so `status >> 8` is "signal | event << 8": SIGSTOP (0x13) for the
 * TRACEME and ATTACH stops, SIGTRAP|0x80 (0x85) for syscall stops under
 * PTRACE_O_TRACESYSGOOD, SIGTRAP | PTRACE_EVENT_EXEC << 8 (0x405) for the
 * exec event, and so on. CHECK_STOP compares that whole value and prints
 * the raw status when it differs.
 *
 * Every tracee is a descendant of its tracer (TRACEME, or ATTACH/SEIZE
 * of the tracer's own child), so the tests also pass under Yama's
 * ptrace_scope 1, the default of several distributions.
 *
 * A tracer that dies in a failed CHECK leaves its tracees detached and
 * running on Linux; the tracee bodies are therefore written to finish by
 * themselves (they exit, or block on a pipe whose write end only the
 * tracer holds and leave at end of file).
 */
#ifndef LOUPE_TESTS_GUEST_PTRACE_UTIL_H
#define LOUPE_TESTS_GUEST_PTRACE_UTIL_H

#include "tap.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

/* The byte offset of a field of struct user, for PEEKUSER/POKEUSER. */
#define USER_OFFSET(field) offsetof(struct user, field)

/* ptrace()'s void * arguments, written as numbers. */
#define PTRACE_ARG(value) ((void *)(uintptr_t)(value))

/* "signal | event << 8" of a WIFSTOPPED status: see the file comment. */
#define STOP_CODE(status) ((status) >> 8)
#define SYSCALL_STOP (SIGTRAP | 0x80)
#define EVENT_STOP(event) (SIGTRAP | (event) << 8)

/* -ENOSYS, which Linux puts in rax at every syscall-entry stop. */
#define ENTRY_RAX ((unsigned long long)-ENOSYS)

static inline const char *ptrace_status_text(int status, char *buf, size_t size)
{
	if (WIFSTOPPED(status))
		snprintf(buf, size, "stopped, signal %d (%s), event %d", WSTOPSIG(status) & 0x7f,
			 strsignal(WSTOPSIG(status) & 0x7f), status >> 16);
	else
		tap_status_text(status, buf, size);
	return buf;
}

/* CHECK_STOP(status, code): a ptrace stop with STOP_CODE(status) == code. */
#define CHECK_STOP(status, code)                                             \
	do {                                                                 \
		int ptu_s_ = (status);                                       \
		if (!WIFSTOPPED(ptu_s_) || STOP_CODE(ptu_s_) != (code)) {    \
			char ptu_buf_[128];                                  \
			tap_diag("%s:%d: expected a stop with code %#x (%s), got %s (raw %#x)", \
				 __FILE__, __LINE__, (unsigned)(code), #code, \
				 ptrace_status_text(ptu_s_, ptu_buf_, sizeof(ptu_buf_)), \
				 (unsigned)ptu_s_);                          \
			_exit(1);                                            \
		}                                                            \
	} while (0)

/*
 * waitpid(pid, &status, options), retrying EINTR; the test fails unless
 * it returns pid (so never use it with WNOHANG where 0 is possible).
 */
static inline int wait_for(pid_t pid, int options)
{
	int status = 0;
	pid_t got;
	do
		got = waitpid(pid, &status, options);
	while (got < 0 && errno == EINTR);
	if (got != pid) {
		tap_diag("waitpid(%d, %#x) returned %d, errno %d (%s)", (int)pid, options,
			 (int)got, errno, strerror(errno));
		_exit(1);
	}
	return status;
}

/* Waits for pid's next stop and checks its code; returns the status. */
static inline int expect_stop(pid_t pid, int code)
{
	int status = wait_for(pid, 0);
	CHECK_STOP(status, code);
	return status;
}

static inline void get_regs(pid_t pid, struct user_regs_struct *regs)
{
	memset(regs, 0, sizeof(*regs));
	CHECK_OK(ptrace(PTRACE_GETREGS, pid, NULL, regs));
}

static inline void set_regs(pid_t pid, const struct user_regs_struct *regs)
{
	CHECK_OK(ptrace(PTRACE_SETREGS, pid, NULL, regs));
}

/* Resumes a stopped tracee with request (CONT, SYSCALL, SINGLESTEP) and a signal (0: none). */
static inline void resume(pid_t pid, int request, int sig)
{
	CHECK_EQ(ptrace(request, pid, NULL, PTRACE_ARG(sig)), 0);
}

/* PEEKDATA that must succeed: errno distinguishes an error from a word of all ones. */
static inline unsigned long peek(pid_t pid, const void *addr)
{
	errno = 0;
	long word = ptrace(PTRACE_PEEKDATA, pid, addr, NULL);
	if (word == -1 && errno != 0) {
		tap_diag("PTRACE_PEEKDATA(%d, %p) failed: errno %d (%s)", (int)pid, addr,
			 errno, strerror(errno));
		_exit(1);
	}
	return (unsigned long)word;
}

static inline void poke(pid_t pid, void *addr, unsigned long word)
{
	CHECK_EQ(ptrace(PTRACE_POKEDATA, pid, addr, PTRACE_ARG(word)), 0);
}

static inline unsigned long event_msg(pid_t pid)
{
	unsigned long msg = 0xdeadbeef;
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg), 0);
	return msg;
}

/*
 * Forks a tracee: the child calls PTRACE_TRACEME, stops itself with
 * SIGSTOP and, when continued, exits with body()'s value (127 if
 * TRACEME failed). Returns its pid once it is in that first stop.
 */
static inline pid_t fork_tracee(int (*body)(void))
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(127);
		kill(getpid(), SIGSTOP);
		_exit(body());
	}
	expect_stop(pid, SIGSTOP);
	return pid;
}

/*
 * Kills a tracee and reaps it, whatever state it is in: SIGKILL ends
 * even a ptrace stop. A stop still reported on the way (one that was
 * already pending) is continued.
 */
static inline void kill_tracee(pid_t pid)
{
	kill(pid, SIGKILL);
	for (;;) {
		int status = wait_for(pid, __WALL);
		if (!WIFSTOPPED(status))
			break;
		ptrace(PTRACE_CONT, pid, NULL, NULL);
	}
}

/* A pipe, failing the test if there is none. */
static inline void make_pipe(int fds[2])
{
	CHECK_EQ(pipe(fds), 0);
}

/* Reads one byte from fd (a pipe), retrying EINTR; returns it, or -1 at end of file. */
static inline int read_byte(int fd)
{
	unsigned char byte;
	ssize_t got;
	do
		got = read(fd, &byte, 1);
	while (got < 0 && errno == EINTR);
	return got == 1 ? byte : -1;
}

/* SIGUSR1/SIGUSR2 counted by count_signal, a handler the signal tests share. */
static volatile sig_atomic_t usr1_count __attribute__((unused)), usr2_count __attribute__((unused));

static inline void count_signal(int sig)
{
	if (sig == SIGUSR1)
		usr1_count++;
	else if (sig == SIGUSR2)
		usr2_count++;
}

static inline void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

#endif /* LOUPE_TESTS_GUEST_PTRACE_UTIL_H */
