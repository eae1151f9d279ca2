/* SPDX-License-Identifier: MIT */
/*
 * test_ptrace_signals - the canonical Linux ptrace patterns of issue 7
 * around signals: signal-delivery-stops (delivering, suppressing,
 * injecting, a fatal injection), PTRACE_SETSIGINFO reaching the handler,
 * a signal inside a syscall under PTRACE_SYSCALL (entry and exit told
 * apart, rt_sigreturn, the restart), PTRACE_GETSIGINFO at every kind of
 * stop. test_ptrace_events.c has the options, events, SEIZE and waitpid.
 *
 * Written only against <sys/ptrace.h>, <sys/wait.h>, <sys/user.h> and
 * ordinary libc, so that it runs unchanged on Linux (the reference) and,
 * through the shim of user/lib/, on Loupe. Where Loupe legitimately
 * differs, the test says why.
 */
#include "ptrace_util.h"

#include <poll.h>

/* --- signal-delivery-stops ------------------------------------------------ */

/* Three SIGUSR1s; exits with usr1_count * 10 + usr2_count. */
static int three_signals_body(void)
{
	set_handler(SIGUSR1, count_signal, 0);
	set_handler(SIGUSR2, count_signal, 0);
	for (int i = 0; i < 3; i++)
		raise(SIGUSR1);
	return usr1_count * 10 + usr2_count;
}

/* A signal with the default action (terminate), for injection. */
static int default_action_body(void)
{
	raise(SIGUSR1);
	return 0;
}

/*
 * Every signal stops the tracee first (WIFSTOPPED, WSTOPSIG the signal);
 * the tracer's choice decides: PTRACE_CONT with the same signal delivers
 * it, with 0 suppresses it, with another signal delivers that one instead
 * (and reports no second stop). Handler counts 1 and 1: exit 11. An
 * injected signal whose action is to terminate does so.
 */
static void test_signal_suppress_inject(void)
{
	pid_t pid = fork_tracee(three_signals_body);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EQ(expect_stop(pid, SIGUSR1), 0x0a7f);
	resume(pid, PTRACE_CONT, SIGUSR1); /* delivered */
	expect_stop(pid, SIGUSR1);
	resume(pid, PTRACE_CONT, 0);       /* suppressed */
	expect_stop(pid, SIGUSR1);
	resume(pid, PTRACE_CONT, SIGUSR2); /* replaced */
	CHECK_EXITED(wait_for(pid, 0), 11);

	pid = fork_tracee(default_action_body);
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGUSR1);
	resume(pid, PTRACE_CONT, SIGTERM);
	CHECK_SIGNALED(wait_for(pid, 0), SIGTERM);
}

static volatile sig_atomic_t info_code, info_value;

static void record_siginfo(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	info_code = info->si_code;
	info_value = info->si_value.sival_int;
}

static int siginfo_handler_body(void)
{
	struct sigaction sa = { .sa_sigaction = record_siginfo, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	return info_code == SI_QUEUE && info_value == 1234 ? 0 : 1;
}

/*
 * PTRACE_SETSIGINFO at a signal-delivery-stop replaces the siginfo the
 * handler gets when the tracer delivers that same signal.
 */
static void test_setsiginfo(void)
{
	pid_t pid = fork_tracee(siginfo_handler_body);
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGUSR1);
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, NULL, &info), 0);
	CHECK_EQ(info.si_code, SI_USER);
	info.si_code = SI_QUEUE;
	info.si_value.sival_int = 1234;
	CHECK_EQ(ptrace(PTRACE_SETSIGINFO, pid, NULL, &info), 0);
	memset(&info, 0, sizeof(info));
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, NULL, &info), 0);
	CHECK_EQ(info.si_code, SI_QUEUE);
	CHECK_ERRNO(ptrace(PTRACE_SETSIGINFO, pid, NULL, TAP_BAD_KERNEL), EFAULT);
	resume(pid, PTRACE_CONT, SIGUSR1);
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/* --- a signal inside a syscall under PTRACE_SYSCALL ----------------------- */

static int interrupted_read_fd = -1, interrupted_write_fd = -1;

/* One raw read (SIGUSR1's SA_RESTART handler installed by the tracer before fork). */
static int interrupted_read_body(void)
{
	close(interrupted_write_fd); /* end of file if the tracer dies */
	unsigned char byte = 0;
	long got = syscall(SYS_read, interrupted_read_fd, &byte, 1);
	return got == 1 ? usr1_count * 10 + (byte - '0') : 99;
}

/* Resumes with PTRACE_SYSCALL; expects a syscall stop of number nr; returns the regs. */
static void expect_syscall_stop(pid_t pid, int sig, long nr, struct user_regs_struct *regs)
{
	resume(pid, PTRACE_SYSCALL, sig);
	expect_stop(pid, SYSCALL_STOP);
	get_regs(pid, regs);
	CHECK_EQ(regs->orig_rax, nr);
}

/*
 * Entry and exit told apart when a signal arrives inside a syscall (what
 * strace prints as "read(...) = ? ERESTARTSYS", "--- SIGUSR1 ---",
 * "rt_sigreturn", "read(...) = 1"): after a close, read's entry; its exit, interrupted;
 * the signal-delivery-stop (not a syscall stop); the handler's
 * rt_sigreturn, entry and exit; read's entry again (SA_RESTART), with the
 * same arguments; its exit with 1. The interrupted exit's rax is Linux's
 * internal -ERESTARTSYS (-512), which Linux shows to tracers; a kernel
 * that restarts differently may show -EINTR there, so either is accepted.
 */
static void test_signal_inside_syscall(void)
{
	int go[2];
	make_pipe(go);
	interrupted_read_fd = go[0];
	interrupted_write_fd = go[1];
	set_handler(SIGUSR1, count_signal, SA_RESTART); /* inherited by the tracee */
	pid_t pid = fork_tracee(interrupted_read_body);
	close(go[0]);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), 0);

	struct user_regs_struct entry, regs;
	expect_syscall_stop(pid, 0, SYS_close, &regs); /* entry */
	expect_syscall_stop(pid, 0, SYS_close, &regs); /* exit */
	expect_syscall_stop(pid, 0, SYS_read, &entry); /* entry */
	CHECK_EQ(entry.rax, ENTRY_RAX);
	/* Pending before the read can block: it is interrupted for certain. */
	CHECK_EQ(kill(pid, SIGUSR1), 0);
	expect_syscall_stop(pid, 0, SYS_read, &regs); /* exit, interrupted */
	CHECK(regs.rax == (unsigned long long)-512 || regs.rax == (unsigned long long)-EINTR);
	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, SIGUSR1);
	expect_syscall_stop(pid, SIGUSR1, SYS_rt_sigreturn, &regs); /* entry */
	CHECK_EQ(regs.rax, ENTRY_RAX);
	/*
	 * rt_sigreturn's exit: orig_rax is -1 (sigreturn clears it so that
	 * nothing restarts on the way out) and the restored registers are
	 * those the restart prepared: rip back on read's syscall
	 * instruction (2 bytes), rax read's number.
	 */
	expect_syscall_stop(pid, 0, -1, &regs);
	CHECK_EQ(regs.rip, entry.rip - 2);
	CHECK_EQ(regs.rax, SYS_read);
	expect_syscall_stop(pid, 0, SYS_read, &regs); /* entry, restarted */
	CHECK_EQ(regs.rax, ENTRY_RAX);
	CHECK_EQ(regs.rdi, entry.rdi);
	CHECK_EQ(regs.rsi, entry.rsi);
	CHECK_EQ(regs.rdx, 1);
	CHECK_EQ(regs.rip, entry.rip);
	tap_write_fully(go[1], "7", 1);
	expect_syscall_stop(pid, 0, SYS_read, &regs); /* exit */
	CHECK_EQ(regs.rax, 1);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 17);
}

/* --- PTRACE_GETSIGINFO ---------------------------------------------------- */

static siginfo_t get_siginfo(pid_t pid)
{
	siginfo_t info;
	memset(&info, 0x55, sizeof(info));
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, NULL, &info), 0);
	return info;
}

static volatile int siginfo_target_calls;

__attribute__((noinline, noclone)) static void siginfo_target(void)
{
	siginfo_target_calls++;
	asm volatile("" ::: "memory");
}

/* raise (tkill), kill, an int3 breakpoint, a syscall, a fault. */
static int many_stops_body(void)
{
	raise(SIGUSR1);
	kill(getpid(), SIGUSR2);
	siginfo_target();
	syscall(SYS_getppid);
	*(volatile int *)TAP_BAD_LOW = 1;
	return 0;
}

/*
 * si_signo and si_code at each kind of stop: SI_TKILL for raise, SI_USER
 * (with the sender's pid and uid) for kill, SI_KERNEL for int3, TRAP_TRACE
 * for a single step, SIGTRAP|0x80 for a syscall stop, SEGV_MAPERR with
 * si_addr for a fault; then PTRACE_KILL at that last stop.
 */
static void test_getsiginfo(void)
{
	pid_t pid = fork_tracee(many_stops_body);
	siginfo_t info = get_siginfo(pid);
	CHECK_EQ(info.si_signo, SIGSTOP);
	CHECK_EQ(info.si_code, SI_USER);
	CHECK_EQ(info.si_pid, pid);

	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGUSR1);
	info = get_siginfo(pid);
	CHECK_EQ(info.si_signo, SIGUSR1);
	CHECK_EQ(info.si_code, SI_TKILL);
	CHECK_EQ(info.si_pid, pid);
	CHECK_EQ(info.si_uid, getuid());

	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGUSR2);
	info = get_siginfo(pid);
	CHECK_EQ(info.si_signo, SIGUSR2);
	CHECK_EQ(info.si_code, SI_USER);
	CHECK_EQ(info.si_pid, pid);
	CHECK_EQ(info.si_uid, getuid());

	/* A breakpoint in siginfo_target, then one single step. */
	void *target = (void *)siginfo_target;
	unsigned long original = ptrace(PTRACE_PEEKTEXT, pid, target, NULL);
	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, target, PTRACE_ARG((original & ~0xffUL) | 0xcc)), 0);
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGTRAP);
	info = get_siginfo(pid);
	CHECK_EQ(info.si_signo, SIGTRAP);
	CHECK_EQ(info.si_code, SI_KERNEL);
	struct user_regs_struct regs;
	get_regs(pid, &regs);
	regs.rip--;
	set_regs(pid, &regs);
	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, target, PTRACE_ARG(original)), 0);
	resume(pid, PTRACE_SINGLESTEP, 0);
	expect_stop(pid, SIGTRAP);
	info = get_siginfo(pid);
	CHECK_EQ(info.si_signo, SIGTRAP);
	CHECK_EQ(info.si_code, TRAP_TRACE);

	/* The syscall stops of getppid. */
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), 0);
	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, SYSCALL_STOP);
	info = get_siginfo(pid);
	CHECK_EQ(info.si_signo, SIGTRAP);
	CHECK_EQ(info.si_code, SIGTRAP | 0x80);
	get_regs(pid, &regs);
	CHECK_EQ(regs.orig_rax, SYS_getppid);

	/* The fault. */
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGSEGV);
	info = get_siginfo(pid);
	CHECK_EQ(info.si_signo, SIGSEGV);
	CHECK_EQ(info.si_code, SEGV_MAPERR);
	CHECK(info.si_addr == TAP_BAD_LOW);

	CHECK_EQ(ptrace(PTRACE_KILL, pid, NULL, NULL), 0);
	CHECK_SIGNALED(wait_for(pid, 0), SIGKILL);
}

static const struct tap_test tests[] = {
	{ "signal-delivery-stops: deliver, suppress, inject, fatal injection", test_signal_suppress_inject },
	{ "SETSIGINFO: the handler gets the tracer's siginfo", test_setsiginfo },
	{ "PTRACE_SYSCALL: a signal inside read, rt_sigreturn, the restart", test_signal_inside_syscall },
	{ "GETSIGINFO at SIGSTOP, tkill, kill, int3, step, syscall, fault; KILL", test_getsiginfo },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
