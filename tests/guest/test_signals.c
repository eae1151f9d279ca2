/* SPDX-License-Identifier: MIT */
/*
 * test_signals - POSIX signals of issue 4: rt_sigaction and its flags,
 * rt_sigprocmask, rt_sigpending, kill/tkill/tgkill, process groups and
 * sessions, pause and rt_sigsuspend, the Linux rt_sigframe (siginfo,
 * ucontext with general and FP registers, changes made by a handler taking
 * effect), rt_sigreturn refusing forged frames, default actions, EINTR and
 * SA_RESTART, SIGCHLD and wait4 with WUNTRACED/WCONTINUED, stop and
 * continue, siginfo for faults, and what fork and execve keep.
 *
 * Signal masks are checked through the raw rt_sigprocmask (a 64-bit word):
 * musl's wrappers hide its own signals 32-34 from the caller.
 *
 * The program also plays its own exec target:
 *   test_signals --signal-state   checks what survived the execve (see
 *                                 test_exec_resets_handlers) and exits 0
 *   test_signals --wait-forever   pauses until killed
 *
 * Runs on Linux too; kill(-1, ...) is TAP_LOUPE_ONLY, since on a host it
 * would reach every process of the user.
 */
#include "tap.h"

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#define EACH_BAD(ptr) \
	for (int bad_i_ = 0; bad_i_ < TAP_BAD_COUNT && ((ptr) = tap_bad_pointers[bad_i_], 1); bad_i_++)

#define BIT(sig) (1UL << ((sig) - 1))

/* The kernel's struct sigaction (rt_sigaction's, not musl's). */
struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static uint64_t get_mask(void)
{
	uint64_t mask = 0;
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8), 0);
	return mask;
}

static void set_mask(uint64_t mask)
{
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, 8), 0);
}

static uint64_t get_pending(void)
{
	uint64_t pending = 0;
	CHECK_EQ(syscall(SYS_rt_sigpending, &pending, 8), 0);
	return pending;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

static void set_action(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = flags | SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

/* A child that sends sig to the caller after ms milliseconds, then exits. */
static pid_t signal_me_after(int sig, long ms)
{
	pid_t parent = getpid();
	pid_t pid = tap_fork();
	if (pid == 0) {
		tap_sleep_ms(ms);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

/* wait4 that retries EINTR and ignores nothing else. */
static int wait_status(pid_t pid, int options)
{
	int status = 0;
	pid_t got;
	do
		got = wait4(pid, &status, options, NULL);
	while (got < 0 && errno == EINTR);
	CHECK_EQ(got, pid);
	return status;
}

static volatile sig_atomic_t caught, caught_sig, nesting, max_nesting;
static uint64_t mask_in_handler;

static void count_handler(int sig)
{
	caught++;
	caught_sig = sig;
}

/* --- rt_sigaction ------------------------------------------------------- */

static void test_sigaction_basic(void)
{
	set_handler(SIGUSR1, count_handler, 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(caught, 1); /* delivered before kill() returned */
	CHECK_EQ(caught_sig, SIGUSR1);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(caught, 2);

	/* The old action comes back as it was set. */
	struct sigaction sa = { .sa_handler = count_handler, .sa_flags = SA_RESTART | SA_NODEFER };
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGTERM);
	CHECK_EQ(sigaction(SIGHUP, &sa, NULL), 0);
	struct sigaction old;
	CHECK_EQ(sigaction(SIGHUP, NULL, &old), 0);
	CHECK(old.sa_handler == count_handler);
	CHECK_EQ(old.sa_flags & (SA_RESTART | SA_NODEFER | SA_SIGINFO), SA_RESTART | SA_NODEFER);
	CHECK(sigismember(&old.sa_mask, SIGUSR2));
	CHECK(sigismember(&old.sa_mask, SIGTERM));
	CHECK(!sigismember(&old.sa_mask, SIGINT));
	/* Replacing returns the previous one. */
	struct sigaction ign = { .sa_handler = SIG_IGN };
	CHECK_EQ(sigaction(SIGHUP, &ign, &old), 0);
	CHECK(old.sa_handler == count_handler);
	CHECK_EQ(kill(getpid(), SIGHUP), 0); /* ignored */
	CHECK_EQ(sigaction(SIGHUP, NULL, &old), 0);
	CHECK(old.sa_handler == SIG_IGN);

	/* The raw call: the restorer and SA_RESTORER come back too. */
	struct kernel_sigaction raw, back;
	memset(&back, 0, sizeof(back));
	CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &raw, 8), 0);
	CHECK(raw.flags & 0x04000000); /* SA_RESTORER, as musl passes it */
	CHECK(raw.restorer != NULL);
	raw.mask = BIT(SIGINT) | BIT(SIGKILL) | BIT(SIGSTOP);
	CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, &raw, NULL, 8), 0);
	CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &back, 8), 0);
	CHECK(back.handler == raw.handler);
	CHECK(back.restorer == raw.restorer);
	CHECK_EQ(back.flags, raw.flags);
	CHECK_EQ(back.mask, BIT(SIGINT)); /* SIGKILL and SIGSTOP are dropped */
	/* Querying SIGKILL and SIGSTOP is allowed. */
	CHECK_EQ(syscall(SYS_rt_sigaction, SIGKILL, NULL, &back, 8), 0);
	CHECK(back.handler == SIG_DFL);
}

static void test_sigaction_bad(void)
{
	struct sigaction sa = { .sa_handler = count_handler };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	CHECK_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERRNO(sigaction(SIGKILL, &ign, NULL), EINVAL);
	CHECK_ERRNO(sigaction(SIGKILL, &dfl, NULL), EINVAL);
	CHECK_ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_ERRNO(sigaction(SIGSTOP, &ign, NULL), EINVAL);
	struct kernel_sigaction raw = { .handler = (void *)count_handler };
	static const int bad_sigs[] = { 0, -1, 65, 1000, INT_MIN };
	for (unsigned i = 0; i < TAP_COUNT(bad_sigs); i++) {
		CHECK_ERRNO(syscall(SYS_rt_sigaction, bad_sigs[i], &raw, NULL, 8), EINVAL);
		CHECK_ERRNO(syscall(SYS_rt_sigaction, bad_sigs[i], NULL, &raw, 8), EINVAL);
	}
	CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &raw, NULL, 4), EINVAL);
	CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &raw, NULL, 16), EINVAL);
	void *bad;
	EACH_BAD(bad) {
		if (bad == NULL)
			continue; /* NULL: "no new action" / "old not wanted" */
		CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8), EFAULT);
		CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, NULL, bad, 8), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, NULL, tap_readonly_page(), 8), EFAULT);
	CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1,
			    tap_straddling_pointer(sizeof(struct kernel_sigaction)), NULL, 8),
		    EFAULT);
	/* Nothing was installed by the failures. */
	struct kernel_sigaction now;
	CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &now, 8), 0);
	CHECK(now.handler == SIG_DFL);
}

/* --- handler masks, SA_NODEFER, SA_RESETHAND ------------------------------ */

static void nesting_handler(int sig)
{
	nesting++;
	if (nesting > max_nesting)
		max_nesting = nesting;
	mask_in_handler = get_mask();
	caught++;
	if (caught == 1)
		kill(getpid(), sig); /* nested now with SA_NODEFER, else after return */
	nesting--;
}

static void test_handler_mask_and_nodefer(void)
{
	struct sigaction sa = { .sa_handler = nesting_handler };
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	set_mask(BIT(SIGHUP));
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(caught, 2);
	CHECK_EQ(max_nesting, 1);
	/* Inside: the old mask, the signal itself and sa_mask. */
	CHECK_EQ(mask_in_handler, BIT(SIGHUP) | BIT(SIGUSR1) | BIT(SIGUSR2));
	CHECK_EQ(get_mask(), BIT(SIGHUP)); /* restored by rt_sigreturn */

	caught = max_nesting = 0;
	sa.sa_flags = SA_NODEFER;
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(caught, 2);
	CHECK_EQ(max_nesting, 2);
	CHECK_EQ(mask_in_handler, BIT(SIGHUP) | BIT(SIGUSR2));
	CHECK_EQ(get_mask(), BIT(SIGHUP));
}

static void resethand_child(void)
{
	set_handler(SIGUSR1, count_handler, SA_RESETHAND);
	kill(getpid(), SIGUSR1);
	if (caught != 1)
		_exit(1);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	if (now.sa_handler != SIG_DFL)
		_exit(2);
	kill(getpid(), SIGUSR1); /* the default action now: death */
	_exit(3);
}

static void test_resethand(void)
{
	CHECK_SIGNALED(tap_child_status(resethand_child), SIGUSR1);
}

/* --- rt_sigprocmask, rt_sigpending ---------------------------------------- */

static void test_sigprocmask(void)
{
	set_handler(SIGUSR1, count_handler, 0);
	set_mask(0);
	uint64_t set = BIT(SIGUSR1), old = 1234;
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8), 0);
	CHECK_EQ(old, 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(caught, 0);
	CHECK_EQ(get_pending(), BIT(SIGUSR1));
	CHECK_EQ(kill(getpid(), SIGUSR1), 0); /* standard signals do not queue */
	/* Unblocking delivers before the call returns, once. */
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, &old, 8), 0);
	CHECK_EQ(old, BIT(SIGUSR1));
	CHECK_EQ(caught, 1);
	CHECK_EQ(get_pending(), 0);

	/* SIG_SETMASK; SIGKILL and SIGSTOP are silently left out. */
	set = ~0UL;
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8), 0);
	CHECK_EQ(get_mask(), ~0UL & ~BIT(SIGKILL) & ~BIT(SIGSTOP));
	set = BIT(SIGINT) | BIT(SIGTERM);
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8), 0);
	CHECK_EQ(get_mask(), set);
	set = BIT(SIGINT);
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8), 0);
	CHECK_EQ(get_mask(), BIT(SIGTERM));
	/* A NULL set only reads, whatever "how" says. */
	CHECK_EQ(syscall(SYS_rt_sigprocmask, 1234, NULL, &old, 8), 0);
	CHECK_EQ(old, BIT(SIGTERM));
}

static void stop_myself_while_blocked(void)
{
	uint64_t all = ~0UL;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
	kill(getpid(), SIGSTOP); /* cannot be blocked: we stop here */
	_exit(7);
}

static void test_sigprocmask_bad(void)
{
	uint64_t set = BIT(SIGUSR1), old;
	CHECK_ERRNO(syscall(SYS_rt_sigprocmask, 3, &set, NULL, 8), EINVAL);
	CHECK_ERRNO(syscall(SYS_rt_sigprocmask, -1, &set, NULL, 8), EINVAL);
	CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL);
	CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16), EINVAL);
	/* rt_sigpending takes any size up to 8 (Linux); only larger is EINVAL. */
	CHECK_ERRNO(syscall(SYS_rt_sigpending, &old, 16), EINVAL);
	CHECK_ERRNO(syscall(SYS_rt_sigpending, &old, 9), EINVAL);
	void *bad;
	EACH_BAD(bad) {
		if (bad == NULL)
			continue;
		CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8), EFAULT);
		CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, bad, 8), EFAULT);
		CHECK_ERRNO(syscall(SYS_rt_sigpending, bad, 8), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_rt_sigpending, NULL, 8), EFAULT);
	CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, tap_readonly_page(), 8), EFAULT);
	CHECK_EQ(get_mask(), 0); /* nothing changed */

	/* SIGSTOP stops a process that "blocked" everything; SIGKILL ends it. */
	pid_t pid = tap_fork();
	if (pid == 0)
		stop_myself_while_blocked();
	int status = wait_status(pid, WUNTRACED);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(WSTOPSIG(status), SIGSTOP);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_SIGNALED(wait_status(pid, 0), SIGKILL);
}

/* --- siginfo for kill, tkill, tgkill --------------------------------------- */

static siginfo_t last_info;
static void info_handler(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	last_info = *info;
	caught++;
}

static void test_siginfo_kill_tkill(void)
{
	set_action(SIGUSR1, info_handler, 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(caught, 1);
	CHECK_EQ(last_info.si_signo, SIGUSR1);
	CHECK_EQ(last_info.si_code, SI_USER);
	CHECK_EQ(last_info.si_pid, getpid());
	CHECK_EQ(last_info.si_uid, getuid());

	CHECK_EQ(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1), 0);
	CHECK_EQ(caught, 2);
	CHECK_EQ(last_info.si_code, SI_TKILL);
	CHECK_EQ(last_info.si_pid, getpid());
	CHECK_EQ(syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR1), 0);
	CHECK_EQ(caught, 3);
	CHECK_EQ(last_info.si_code, SI_TKILL);

	/* From another process: its pid. */
	pid_t pid = signal_me_after(SIGUSR1, 0);
	CHECK_EQ(wait_status(pid, 0), 0);
	CHECK_EQ(caught, 4);
	CHECK_EQ(last_info.si_pid, pid);
	CHECK_EQ(last_info.si_code, SI_USER);
}

static void test_kill_tkill_bad(void)
{
	/* A reaped child's pid names nobody. */
	pid_t gone = tap_fork();
	if (gone == 0)
		_exit(0);
	CHECK_EXITED(wait_status(gone, 0), 0);
	CHECK_ERRNO(kill(gone, SIGUSR1), ESRCH);
	CHECK_ERRNO(kill(gone, 0), ESRCH);
	CHECK_ERRNO(kill(-gone, SIGUSR1), ESRCH);
	CHECK_ERRNO(kill(INT_MIN, SIGUSR1), ESRCH);
	CHECK_EQ(kill(getpid(), 0), 0); /* 0: only "does it exist" */
	CHECK_ERRNO(kill(getpid(), 65), EINVAL);
	CHECK_ERRNO(kill(getpid(), -1), EINVAL);
	long tid = syscall(SYS_gettid);
	CHECK_ERRNO(syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
	CHECK_ERRNO(syscall(SYS_tkill, -1, SIGUSR1), EINVAL);
	CHECK_ERRNO(syscall(SYS_tkill, tid, 65), EINVAL);
	CHECK_ERRNO(syscall(SYS_tkill, gone, SIGUSR1), ESRCH);
	CHECK_ERRNO(syscall(SYS_tgkill, 0, tid, SIGUSR1), EINVAL);
	CHECK_ERRNO(syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL);
	CHECK_ERRNO(syscall(SYS_tgkill, getpid(), tid, 65), EINVAL);
	CHECK_ERRNO(syscall(SYS_tgkill, gone, tid, SIGUSR1), ESRCH);
	CHECK_ERRNO(syscall(SYS_tgkill, getpid(), gone, SIGUSR1), ESRCH);
	CHECK_EQ(syscall(SYS_tgkill, getpid(), tid, 0), 0);
}

/* --- process groups and sessions ------------------------------------------ */

static void test_pgid_and_setsid(void)
{
	pid_t me = getpid();
	CHECK_EQ(getpgrp(), getpgid(0));
	CHECK_EQ(getpgid(me), getpgrp());
	pid_t pid = tap_fork();
	if (pid == 0) {
		/* A child starts in its parent's group. */
		if (getpgrp() != getpgid(getppid()))
			_exit(1);
		/* setsid makes a new session and group led by us. */
		if (setsid() != getpid() || getpgrp() != getpid() || getsid(0) != getpid())
			_exit(2);
		/* Already a group (and session) leader: EPERM for both. */
		if (setsid() != -1 || errno != EPERM)
			_exit(3);
		if (setpgid(0, 0) != -1 || errno != EPERM) /* a session leader stays put */
			_exit(4);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid, 0), 0);

	pid = tap_fork();
	if (pid == 0) {
		if (setpgid(0, 0) != 0 || getpgrp() != getpid())
			_exit(1);
		if (setsid() != -1 || errno != EPERM) /* a group leader */
			_exit(2);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid, 0), 0);

	/* A parent moves its child between groups of its session. */
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	pid = tap_fork();
	if (pid == 0) {
		char c;
		close(ready[1]);
		read(ready[0], &c, 1); /* until the parent is done */
		_exit(0);
	}
	CHECK_EQ(setpgid(pid, pid), 0);
	CHECK_EQ(getpgid(pid), pid);
	CHECK_EQ(setpgid(pid, getpgrp()), 0);
	CHECK_EQ(getpgid(pid), getpgrp());
	close(ready[1]);
	CHECK_EXITED(wait_status(pid, 0), 0);
}

static const char *self_path(void)
{
	if (tap_argv0 && tap_argv0[0] == '/')
		return tap_argv0;
	return tap_path("/tests/test_signals");
}

static void test_pgid_bad(void)
{
	CHECK_ERRNO(setpgid(-1, 0), EINVAL);
	CHECK_ERRNO(setpgid(0, -1), EINVAL);
	CHECK_ERRNO(setpgid(1, 1), ESRCH);          /* not our child */
	CHECK_ERRNO(setpgid(getppid(), 0), ESRCH);  /* nor our parent */
	pid_t gone = tap_fork();
	if (gone == 0)
		_exit(0);
	CHECK_EXITED(wait_status(gone, 0), 0);
	CHECK_ERRNO(getpgid(gone), ESRCH);
	CHECK_ERRNO(setpgid(gone, 0), ESRCH);
	CHECK_ERRNO(setpgid(0, gone), EPERM);       /* no such group in our session */

	/* A child in another session cannot be moved. */
	int sync[2];
	CHECK_EQ(pipe(sync), 0);
	pid_t pid = tap_fork();
	if (pid == 0) {
		setsid();
		close(sync[0]);
		write(sync[1], "s", 1);
		pause();
		_exit(0);
	}
	char c;
	close(sync[1]);
	CHECK_EQ(read(sync[0], &c, 1), 1);
	CHECK_ERRNO(setpgid(pid, pid), EPERM);
	CHECK_ERRNO(setpgid(0, pid), EPERM);
	kill(pid, SIGKILL);
	CHECK_SIGNALED(wait_status(pid, 0), SIGKILL);

	/* After the child's execve the parent may no longer change its group. */
	int exec_done[2];
	CHECK_EQ(pipe2(exec_done, O_CLOEXEC), 0);
	pid = tap_fork();
	if (pid == 0) {
		char *argv[] = { (char *)self_path(), "--wait-forever", NULL };
		char *envp[] = { NULL };
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(exec_done[1]);
	CHECK_EQ(read(exec_done[0], &c, 1), 0); /* EOF: close-on-exec happened */
	CHECK_ERRNO(setpgid(pid, pid), EACCES);
	kill(pid, SIGKILL);
	CHECK_SIGNALED(wait_status(pid, 0), SIGKILL);
}

/* A group leader with two members; all three wait for SIGUSR1. */
static void group_leader(int ready_fd, int use_kill_zero)
{
	set_handler(SIGUSR1, count_handler, SA_RESTART);
	set_mask(BIT(SIGUSR1)); /* until each member has its SIG_DFL */
	pid_t members[2];
	for (int i = 0; i < 2; i++) {
		members[i] = tap_fork();
		if (members[i] == 0) {
			signal(SIGUSR1, SIG_DFL);
			set_mask(0);
			for (;;)
				pause();
		}
	}
	set_mask(0);
	if (use_kill_zero) {
		tap_sleep_ms(50);
		if (kill(0, SIGUSR1) != 0)
			_exit(10);
	} else {
		tap_write_fully(ready_fd, "r", 1);
	}
	for (int i = 0; i < 2; i++) {
		int status = wait_status(members[i], 0);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGUSR1)
			_exit(11 + i);
	}
	while (!caught)
		pause();
	_exit(0);
}

static void test_kill_process_groups(void)
{
	/* kill(-pgid) from outside the group. */
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	pid_t leader = tap_fork();
	if (leader == 0) {
		setpgid(0, 0);
		close(ready[0]);
		group_leader(ready[1], 0);
	}
	setpgid(leader, leader); /* either of us may win the race: both set it */
	close(ready[1]);
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	set_handler(SIGUSR1, count_handler, 0);
	CHECK_EQ(kill(-leader, SIGUSR1), 0);
	CHECK_EXITED(wait_status(leader, 0), 0);
	CHECK_EQ(caught, 0); /* we are not in that group */

	/* kill(0) from inside it. */
	leader = tap_fork();
	if (leader == 0) {
		setpgid(0, 0);
		group_leader(-1, 1);
	}
	setpgid(leader, leader);
	CHECK_EXITED(wait_status(leader, 0), 0);
	CHECK_EQ(caught, 0);
}

static void test_kill_minus_one(void)
{
	/* Loupe only: every process but init and the caller. */
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	pid_t pid = tap_fork();
	if (pid == 0) {
		set_handler(SIGCONT, count_handler, 0);
		tap_write_fully(ready[1], "r", 1);
		while (!caught)
			pause();
		_exit(0);
	}
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	set_handler(SIGCONT, count_handler, 0);
	CHECK_EQ(kill(-1, SIGCONT), 0);
	CHECK_EQ(caught, 0); /* not the caller */
	CHECK_EXITED(wait_status(pid, 0), 0);
	CHECK_EQ(kill(-1, 0), 0);
}

/* --- pause, rt_sigsuspend -------------------------------------------------- */

static void test_pause(void)
{
	set_handler(SIGUSR1, count_handler, SA_RESTART); /* pause never restarts */
	pid_t pid = signal_me_after(SIGUSR1, 50);
	CHECK_ERRNO(pause(), EINTR);
	CHECK_EQ(caught, 1);
	CHECK_EXITED(wait_status(pid, 0), 0);
}

static void test_sigsuspend(void)
{
	set_handler(SIGUSR1, count_handler, 0);
	set_mask(BIT(SIGUSR1) | BIT(SIGHUP));
	pid_t pid = signal_me_after(SIGUSR1, 50);
	uint64_t during = BIT(SIGHUP);
	errno = 0;
	CHECK_EQ(syscall(SYS_rt_sigsuspend, &during, 8), -1);
	CHECK_EQ(errno, EINTR);
	CHECK_EQ(caught, 1);
	CHECK_EQ(get_mask(), BIT(SIGUSR1) | BIT(SIGHUP)); /* the old mask is back */
	CHECK_EXITED(wait_status(pid, 0), 0);

	/* Already pending and unblocked by the new mask: returns at once. */
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(caught, 1);
	sigset_t none;
	sigemptyset(&none);
	CHECK_ERRNO(sigsuspend(&none), EINTR);
	CHECK_EQ(caught, 2);
	/* Bad arguments. */
	CHECK_ERRNO(syscall(SYS_rt_sigsuspend, &during, 4), EINVAL);
	CHECK_ERRNO(syscall(SYS_rt_sigsuspend, TAP_BAD_KERNEL, 8), EFAULT);
	CHECK_ERRNO(syscall(SYS_rt_sigsuspend, NULL, 8), EFAULT);
}

/* --- the signal frame -------------------------------------------------------- */

/*
 * An SA_SIGINFO handler in assembly that records what it was entered
 * with: rdi, rsi, rdx, rsp and the return address at [rsp].
 */
unsigned long frame_regs[5];
void frame_probe_handler(int, siginfo_t *, void *);
__asm__(".text\n"
	".globl frame_probe_handler\n"
	"frame_probe_handler:\n"
	"	mov %rdi, frame_regs(%rip)\n"
	"	mov %rsi, frame_regs+8(%rip)\n"
	"	mov %rdx, frame_regs+16(%rip)\n"
	"	mov %rsp, frame_regs+24(%rip)\n"
	"	mov (%rsp), %rax\n"
	"	mov %rax, frame_regs+32(%rip)\n"
	"	ret\n");

static void test_frame_layout(void)
{
	set_action(SIGUSR1, frame_probe_handler, 0);
	struct kernel_sigaction raw;
	CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &raw, 8), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	unsigned long rsp = frame_regs[3];
	CHECK_EQ(frame_regs[0], SIGUSR1);
	CHECK_EQ(rsp % 16, 8);                       /* as after a call */
	CHECK_EQ(frame_regs[4], (unsigned long)raw.restorer); /* returns into the restorer */
	CHECK_EQ(frame_regs[2], rsp + 8);            /* ucontext right after pretcode */
	CHECK_EQ(frame_regs[1], rsp + 8 + 304);      /* siginfo after the kernel's ucontext */
	/* The frame sits below the interrupted stack, past the red zone. */
	char here;
	CHECK(rsp + 128 < (unsigned long)&here);
	CHECK((unsigned long)&here - rsp < 64 * 1024);
}

/* ud2 with a handler that skips it and sets RAX: both take effect. */
static unsigned long ud2_addr_seen, rip_seen;
static int ill_code_seen;
static void ill_handler(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	(void)sig;
	ud2_addr_seen = (unsigned long)info->si_addr;
	ill_code_seen = info->si_code;
	rip_seen = uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RAX] = 42;
	uc->uc_mcontext.gregs[REG_RBX] = 0x1234;
}

static void test_handler_changes_registers(void)
{
	set_action(SIGILL, ill_handler, 0);
	unsigned long rax, rbx, where;
	__asm__ volatile("lea 1f(%%rip), %2\n"
			 "mov $1, %%eax\n"
			 "mov $2, %%ebx\n"
			 "1: ud2\n"
			 : "=a"(rax), "=b"(rbx), "=r"(where)
			 :
			 : "memory");
	CHECK_EQ(rax, 42);
	CHECK_EQ(rbx, 0x1234);
	CHECK_EQ(rip_seen, where);
	CHECK_EQ(ud2_addr_seen, where);
	CHECK_EQ(ill_code_seen, ILL_ILLOPN);
}

/* uc_sigmask changed in a handler is the mask after rt_sigreturn. */
static void mask_changing_handler(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	(void)sig;
	(void)info;
	sigaddset(&uc->uc_sigmask, SIGUSR2);
	sigdelset(&uc->uc_sigmask, SIGHUP);
}

static void test_handler_changes_mask(void)
{
	set_action(SIGUSR1, mask_changing_handler, 0);
	set_mask(BIT(SIGHUP));
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(get_mask(), BIT(SIGUSR2));
}

/* FP state: xmm0-15 and MXCSR survive a handler that clobbers them. */
static unsigned xmm_in[16][4], xmm_out[16][4], xmm_seen[16][4];
static unsigned mxcsr_seen;
static void fp_handler(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	(void)sig;
	(void)info;
	if (uc->uc_mcontext.fpregs) {
		memcpy(xmm_seen, uc->uc_mcontext.fpregs->_xmm, sizeof(xmm_seen));
		mxcsr_seen = uc->uc_mcontext.fpregs->mxcsr;
		/* A change to the saved xmm15 takes effect at return. */
		uc->uc_mcontext.fpregs->_xmm[15].element[0] = 0xfeedface;
	}
	unsigned zero_round = 0x7f80; /* round to nearest, all masked, unlike the caller */
	__asm__ volatile("pxor %%xmm0, %%xmm0\n pcmpeqd %%xmm1, %%xmm1\n"
			 "pxor %%xmm2, %%xmm2\n pxor %%xmm3, %%xmm3\n pxor %%xmm4, %%xmm4\n"
			 "pxor %%xmm5, %%xmm5\n pxor %%xmm6, %%xmm6\n pxor %%xmm7, %%xmm7\n"
			 "pxor %%xmm8, %%xmm8\n pxor %%xmm9, %%xmm9\n pxor %%xmm10, %%xmm10\n"
			 "pxor %%xmm11, %%xmm11\n pxor %%xmm12, %%xmm12\n pxor %%xmm13, %%xmm13\n"
			 "pxor %%xmm14, %%xmm14\n pxor %%xmm15, %%xmm15\n"
			 "ldmxcsr %0\n"
			 :
			 : "m"(zero_round)
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static void test_fp_registers_restored(void)
{
	set_action(SIGUSR1, fp_handler, 0);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 4; j++)
			xmm_in[i][j] = 0x01010101u * (unsigned)(i + 1) + (unsigned)j;
	unsigned mxcsr_in = 0x7f80 | 0x6000, mxcsr_out = 0; /* round toward zero */
	long pid = getpid();
	__asm__ volatile(
		"ldmxcsr %[mxin]\n"
		"movdqu 0(%[in]), %%xmm0\n movdqu 16(%[in]), %%xmm1\n"
		"movdqu 32(%[in]), %%xmm2\n movdqu 48(%[in]), %%xmm3\n"
		"movdqu 64(%[in]), %%xmm4\n movdqu 80(%[in]), %%xmm5\n"
		"movdqu 96(%[in]), %%xmm6\n movdqu 112(%[in]), %%xmm7\n"
		"movdqu 128(%[in]), %%xmm8\n movdqu 144(%[in]), %%xmm9\n"
		"movdqu 160(%[in]), %%xmm10\n movdqu 176(%[in]), %%xmm11\n"
		"movdqu 192(%[in]), %%xmm12\n movdqu 208(%[in]), %%xmm13\n"
		"movdqu 224(%[in]), %%xmm14\n movdqu 240(%[in]), %%xmm15\n"
		"mov %[pid], %%rdi\n mov $10, %%esi\n mov $62, %%eax\n syscall\n" /* kill(pid, SIGUSR1) */
		"movdqu %%xmm0, 0(%[out])\n movdqu %%xmm1, 16(%[out])\n"
		"movdqu %%xmm2, 32(%[out])\n movdqu %%xmm3, 48(%[out])\n"
		"movdqu %%xmm4, 64(%[out])\n movdqu %%xmm5, 80(%[out])\n"
		"movdqu %%xmm6, 96(%[out])\n movdqu %%xmm7, 112(%[out])\n"
		"movdqu %%xmm8, 128(%[out])\n movdqu %%xmm9, 144(%[out])\n"
		"movdqu %%xmm10, 160(%[out])\n movdqu %%xmm11, 176(%[out])\n"
		"movdqu %%xmm12, 192(%[out])\n movdqu %%xmm13, 208(%[out])\n"
		"movdqu %%xmm14, 224(%[out])\n movdqu %%xmm15, 240(%[out])\n"
		"stmxcsr %[mxout]\n"
		"mov $0x1f80, %%eax\n push %%rax\n ldmxcsr (%%rsp)\n pop %%rax\n"
		: [mxout] "=m"(mxcsr_out)
		: [in] "r"(xmm_in), [out] "r"(xmm_out), [pid] "r"(pid), [mxin] "m"(mxcsr_in)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory", "xmm0", "xmm1", "xmm2",
		  "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
		  "xmm12", "xmm13", "xmm14", "xmm15");
	CHECK_EQ(mxcsr_seen & 0xffff, mxcsr_in);
	CHECK_EQ(mxcsr_out & 0xffff, mxcsr_in);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 4; j++) {
			CHECK_EQ(xmm_seen[i][j], xmm_in[i][j]);
			unsigned want = i == 15 && j == 0 ? 0xfeedface : xmm_in[i][j];
			if (xmm_out[i][j] != want) {
				tap_diag("xmm%d[%d] = %#x after the handler, expected %#x", i, j,
					 xmm_out[i][j], want);
				_exit(1);
			}
		}
}

/* --- faults: siginfo ----------------------------------------------------------- */

/*
 * The faulting instructions load their resume address into RCX first;
 * the handler records siginfo and continues there.
 */
static siginfo_t fault_info;
static long fault_trapno, fault_cr2;
static volatile sig_atomic_t faults;
static void fault_handler(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	(void)sig;
	fault_info = *info;
	fault_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	fault_cr2 = uc->uc_mcontext.gregs[REG_CR2];
	faults++;
	uc->uc_mcontext.gregs[REG_RIP] = uc->uc_mcontext.gregs[REG_RCX];
}

static void read_at(volatile void *addr)
{
	__asm__ volatile("lea 1f(%%rip), %%rcx\n mov (%0), %%al\n 1:" ::"r"(addr)
			 : "rax", "rcx", "memory");
}

static void write_at(volatile void *addr)
{
	__asm__ volatile("lea 1f(%%rip), %%rcx\n movb $1, (%0)\n 1:" ::"r"(addr)
			 : "rcx", "memory");
}

static void expect_segv(int code, void *addr)
{
	CHECK_EQ(fault_info.si_signo, SIGSEGV);
	CHECK_EQ(fault_info.si_code, code);
	CHECK_EQ((unsigned long)fault_info.si_addr, (unsigned long)addr);
}

static void test_segv_siginfo(void)
{
	set_action(SIGSEGV, fault_handler, SA_NODEFER);
	void *unmapped = tap_unmapped_page();
	read_at((char *)unmapped + 123);
	CHECK_EQ(faults, 1);
	expect_segv(SEGV_MAPERR, (char *)unmapped + 123);
	CHECK_EQ(fault_trapno, 14);
	CHECK_EQ(fault_cr2, (long)unmapped + 123);
	write_at(NULL);
	expect_segv(SEGV_MAPERR, NULL);
	/* A present page without the right: ACCERR. */
	char *readonly = tap_readonly_page();
	write_at(readonly + 5);
	expect_segv(SEGV_ACCERR, readonly + 5);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED);
	read_at(none + 7);
	expect_segv(SEGV_ACCERR, none + 7);
	/* Kernel addresses: MAPERR with the address (Linux's choice). */
	read_at(TAP_BAD_KERNEL);
	expect_segv(SEGV_MAPERR, TAP_BAD_KERNEL);
	/* Non-canonical: a #GP, SI_KERNEL with address 0. */
	read_at(TAP_BAD_NONCANONICAL);
	expect_segv(SI_KERNEL, NULL);
	CHECK_EQ(fault_trapno, 13);
	CHECK_EQ(faults, 6);
}

static void test_fpe_trap_siginfo(void)
{
	set_action(SIGFPE, fault_handler, 0);
	unsigned long where;
	__asm__ volatile("lea 2f(%%rip), %%rcx\n"
			 "lea 1f(%%rip), %0\n"
			 "xor %%edx, %%edx\n mov $1, %%eax\n xor %%esi, %%esi\n"
			 "1: div %%esi\n"
			 "2:\n"
			 : "=r"(where)
			 :
			 : "rax", "rcx", "rdx", "rsi", "memory");
	CHECK_EQ(fault_info.si_signo, SIGFPE);
	CHECK_EQ(fault_info.si_code, FPE_INTDIV);
	CHECK_EQ((unsigned long)fault_info.si_addr, where);
	CHECK_EQ(fault_trapno, 0);

	/* int3: SIGTRAP, si_code SI_KERNEL, RIP just past the int3. */
	set_action(SIGTRAP, info_handler, 0);
	unsigned long after;
	ucontext_t *unused = NULL;
	(void)unused;
	__asm__ volatile("int3\n 1: lea 1b(%%rip), %0" : "=r"(after)::"memory");
	CHECK_EQ(caught, 1);
	CHECK_EQ(last_info.si_signo, SIGTRAP);
	CHECK_EQ(last_info.si_code, SI_KERNEL);
	(void)after;
}

static unsigned long trap_rip;
static void trap_rip_handler(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)info;
	trap_rip = ((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP];
}

static void test_int3_resumes_after(void)
{
	set_action(SIGTRAP, trap_rip_handler, 0);
	unsigned long after;
	__asm__ volatile("int3\n 1: lea 1b(%%rip), %0" : "=r"(after)::"memory");
	CHECK_EQ(trap_rip, after);
}

static void test_sigbus(void)
{
	/* A file mapping past the end of the file. */
	const char *path = tap_scratch("bus");
	tap_make_file(path, "x", 1);
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	char *map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		map = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			tap_scratch_cleanup();
			tap_skip("no file mappings: nothing raises SIGBUS");
		}
	}
	set_action(SIGBUS, fault_handler, 0);
	read_at(map + 4096);
	CHECK_EQ(faults, 1);
	CHECK_EQ(fault_info.si_signo, SIGBUS);
	CHECK_EQ(fault_info.si_code, BUS_ADRERR);
	CHECK_EQ((unsigned long)fault_info.si_addr, (unsigned long)(map + 4096));
	tap_scratch_cleanup();
}

/* --- forged rt_sigreturn frames ------------------------------------------------- */

/* Lands here after a forged sigreturn: exit(rax). */
void landing_exit_rax(void);
/* Lands here: exit((rflags >> 8) & 0x7f): TF, IF, DF, OF, IOPL, NT. */
void landing_exit_flags(void);
__asm__(".text\n"
	".globl landing_exit_rax\n"
	"landing_exit_rax:\n"
	"	mov %rax, %rdi\n	mov $60, %eax\n	syscall\n	ud2\n"
	".globl landing_exit_flags\n"
	"landing_exit_flags:\n"
	"	pushfq\n	pop %rdi\n	cld\n"
	"	shr $8, %rdi\n	and $0x7f, %rdi\n"
	"	mov $60, %eax\n	syscall\n	ud2\n");

static char landing_stack[16384] __attribute__((aligned(16)));
static char frame_area[8192] __attribute__((aligned(64)));

/* A frame that returns to landing_exit_rax with rax = 42. */
static ucontext_t *valid_frame(void)
{
	ucontext_t *uc = (ucontext_t *)(frame_area + 64);
	memset(frame_area, 0, sizeof(frame_area));
	unsigned short cs, ss;
	__asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
	greg_t *g = uc->uc_mcontext.gregs;
	g[REG_RIP] = (greg_t)(uintptr_t)landing_exit_rax;
	g[REG_RSP] = (greg_t)(uintptr_t)(landing_stack + sizeof(landing_stack) - 8);
	g[REG_RAX] = 42;
	g[REG_EFL] = 0x202;
	g[REG_CSGSFS] = (greg_t)cs | ((greg_t)ss << 48);
	uc->uc_mcontext.fpregs = NULL;
	return uc;
}

/* rt_sigreturn with RSP pointing at uc (Linux reads the frame at RSP - 8). */
static __attribute__((noreturn)) void sigreturn_with(void *uc)
{
	__asm__ volatile("mov %0, %%rsp\n mov $15, %%eax\n syscall\n ud2" ::"r"(uc) : "memory");
	__builtin_unreachable();
}

static int forged_status(void (*forge)(ucontext_t *))
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		ucontext_t *uc = valid_frame();
		if (forge)
			forge(uc);
		sigreturn_with(uc);
	}
	return wait_status(pid, 0);
}

static void forge_kernel_cs(ucontext_t *uc) { uc->uc_mcontext.gregs[REG_CSGSFS] &= ~0xffffL, uc->uc_mcontext.gregs[REG_CSGSFS] |= 0x08; }
static void forge_cs_0x10(ucontext_t *uc) { uc->uc_mcontext.gregs[REG_CSGSFS] &= ~0xffffL, uc->uc_mcontext.gregs[REG_CSGSFS] |= 0x10; }
static void forge_null_cs(ucontext_t *uc) { uc->uc_mcontext.gregs[REG_CSGSFS] &= ~0xffffL; }
static void forge_cs_beyond_gdt(ucontext_t *uc) { uc->uc_mcontext.gregs[REG_CSGSFS] |= 0xfff8; }
static void forge_data_cs(ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	g[REG_CSGSFS] = (g[REG_CSGSFS] & ~0xffffL) | ((g[REG_CSGSFS] >> 48) & 0xffff);
}
static void forge_noncanonical_rip(ucontext_t *uc) { uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x8000000000000000UL; }
static void forge_rip_past_user(ucontext_t *uc) { uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x0000800000000000UL; }
static void forge_kernel_rip(ucontext_t *uc) { uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0xffffffff80000000UL; }
static void forge_kernel_fpstate(ucontext_t *uc) { uc->uc_mcontext.fpregs = TAP_BAD_KERNEL; }
static void forge_noncanonical_fpstate(ucontext_t *uc) { uc->uc_mcontext.fpregs = TAP_BAD_NONCANONICAL; }
static void forge_unmapped_fpstate(ucontext_t *uc) { uc->uc_mcontext.fpregs = tap_unmapped_page(); }
static void forge_privileged_flags(ucontext_t *uc)
{
	/* IOPL 3, NT, VM, DF; IF cleared. */
	uc->uc_mcontext.gregs[REG_EFL] = 0x3000 | 0x4000 | 0x20000 | 0x400 | 0x2;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)landing_exit_flags;
}

static void expect_forged_segv(void (*forge)(ucontext_t *), const char *name)
{
	int status = forged_status(forge);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV) {
		char why[96];
		tap_diag("%s: expected SIGSEGV, got %s", name,
			 tap_status_text(status, why, sizeof(why)));
		_exit(1);
	}
}

#define EXPECT_FORGED_SEGV(forge) expect_forged_segv(forge, #forge)

static void test_sigreturn_valid_forged_frame(void)
{
	/* The control: a hand-made frame with sane values works. */
	CHECK_EXITED(forged_status(NULL), 42);
}

static void test_sigreturn_forged_frames(void)
{
	EXPECT_FORGED_SEGV(forge_kernel_cs);
	EXPECT_FORGED_SEGV(forge_cs_0x10);
	EXPECT_FORGED_SEGV(forge_null_cs);
	EXPECT_FORGED_SEGV(forge_cs_beyond_gdt);
	EXPECT_FORGED_SEGV(forge_data_cs);
	EXPECT_FORGED_SEGV(forge_noncanonical_rip);
	EXPECT_FORGED_SEGV(forge_rip_past_user);
	EXPECT_FORGED_SEGV(forge_kernel_rip);
	EXPECT_FORGED_SEGV(forge_kernel_fpstate);
	EXPECT_FORGED_SEGV(forge_noncanonical_fpstate);
	EXPECT_FORGED_SEGV(forge_unmapped_fpstate);
}

static void test_sigreturn_filters_rflags(void)
{
	/*
	 * Linux restores only the arithmetic flags, DF, TF, AC and RF from a
	 * frame; IOPL, NT and VM keep their values and IF stays set. So the
	 * landing sees IF and DF: (rflags >> 8) & 0x7f == 0x06.
	 */
	CHECK_EXITED(forged_status(forge_privileged_flags), 0x06);
}

static void sigreturn_from_bad_stack(void)
{
	sigreturn_with(tap_unmapped_page());
}

static void sigreturn_from_kernel_stack(void)
{
	sigreturn_with((char *)TAP_BAD_KERNEL + 4096);
}

static void sigreturn_without_a_frame(void)
{
	/* rt_sigreturn from plain code: whatever is on the stack is the frame. */
	syscall(SYS_rt_sigreturn);
	_exit(0);
}

static void test_sigreturn_bad_stack(void)
{
	CHECK_SIGNALED(tap_child_status(sigreturn_from_bad_stack), SIGSEGV);
	CHECK_SIGNALED(tap_child_status(sigreturn_from_kernel_stack), SIGSEGV);
	/* Garbage frame: it must not panic; Linux mostly gives SIGSEGV. */
	int status = tap_child_status(sigreturn_without_a_frame);
	CHECK(WIFSIGNALED(status) || WIFEXITED(status));
	/* The kernel is fine. */
	CHECK_EXITED(forged_status(NULL), 42);
}

/* --- default actions --------------------------------------------------------- */

static int core_dumps_possible(void)
{
	/* With RLIMIT_CORE 0 Linux writes no core unless core_pattern is a pipe. */
	if (on_loupe())
		return 0;
	char pattern[8] = "";
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY);
	if (fd >= 0) {
		read(fd, pattern, sizeof(pattern) - 1);
		close(fd);
	}
	return pattern[0] == '|';
}

static int default_action_status(int sig)
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		setrlimit(RLIMIT_CORE, &none); /* Loupe may say ENOSYS: no cores anyway */
		setpgid(0, 0);                 /* a non-orphaned group of its own */
		signal(sig, SIG_DFL);
		set_mask(0);
		kill(getpid(), sig);
		_exit(100);
	}
	setpgid(pid, pid);
	return wait_status(pid, WUNTRACED);
}

static void test_default_actions(void)
{
	static const int terminate[] = {
		SIGHUP, SIGINT, SIGKILL, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
		SIGSTKFLT, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, 34, 40, 64,
	};
	static const int core[] = {
		SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS,
	};
	static const int ignore[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
	static const int stop[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU };
	char why[96];
	for (unsigned i = 0; i < TAP_COUNT(terminate); i++) {
		int status = default_action_status(terminate[i]);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != terminate[i] || WCOREDUMP(status)) {
			tap_diag("signal %d: %s (raw %#x), expected death without core",
				 terminate[i], tap_status_text(status, why, sizeof(why)), status);
			_exit(1);
		}
	}
	int cores = core_dumps_possible();
	for (unsigned i = 0; i < TAP_COUNT(core); i++) {
		int status = default_action_status(core[i]);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != core[i] ||
		    (!cores && WCOREDUMP(status))) {
			tap_diag("signal %d: %s (raw %#x), expected death, no core at RLIMIT_CORE 0",
				 core[i], tap_status_text(status, why, sizeof(why)), status);
			_exit(1);
		}
	}
	for (unsigned i = 0; i < TAP_COUNT(ignore); i++)
		CHECK_EXITED(default_action_status(ignore[i]), 100);
	for (unsigned i = 0; i < TAP_COUNT(stop); i++) {
		pid_t pid = tap_fork();
		if (pid == 0) {
			setpgid(0, 0);
			signal(stop[i], SIG_DFL);
			kill(getpid(), stop[i]);
			_exit(100);
		}
		setpgid(pid, pid);
		int status = wait_status(pid, WUNTRACED);
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != stop[i]) {
			tap_diag("signal %d: raw status %#x, expected a stop", stop[i], status);
			_exit(1);
		}
		CHECK_EQ(status, (stop[i] << 8) | 0x7f);
		CHECK_EQ(kill(pid, SIGCONT), 0);
		CHECK_EXITED(wait_status(pid, 0), 100);
	}
}

static void test_ignored_signals_are_discarded(void)
{
	/* An ignored signal that is not blocked is discarded when sent. */
	signal(SIGUSR1, SIG_IGN);
	set_mask(0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(get_pending(), 0);
	/*
	 * Blocked, it stays pending even though ignored (Linux decides at
	 * delivery: the handler might change first); unblocking discards it.
	 */
	set_mask(BIT(SIGUSR1));
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(get_pending(), BIT(SIGUSR1));
	set_mask(0);
	CHECK_EQ(get_pending(), 0);
	/* Setting SIG_IGN discards a pending one, here a default-ignored SIGCHLD. */
	signal(SIGCHLD, SIG_DFL);
	set_mask(BIT(SIGCHLD));
	CHECK_EQ(kill(getpid(), SIGCHLD), 0);
	CHECK_EQ(get_pending(), BIT(SIGCHLD));
	signal(SIGCHLD, SIG_IGN);
	CHECK_EQ(get_pending(), 0);
	signal(SIGCHLD, SIG_DFL);
}

/* --- EINTR and SA_RESTART --------------------------------------------------- */

static void test_eintr_without_restart(void)
{
	set_handler(SIGUSR1, count_handler, 0);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	char c;

	/* read on an empty pipe. */
	pid_t pid = signal_me_after(SIGUSR1, 50);
	CHECK_ERRNO(read(p[0], &c, 1), EINTR);
	CHECK_EQ(caught, 1);
	CHECK_EXITED(wait_status(pid, 0), 0);

	/* wait4 for a child that is still running. */
	pid_t sleeper = tap_fork();
	if (sleeper == 0) {
		tap_sleep_ms(400);
		_exit(5);
	}
	pid = signal_me_after(SIGUSR1, 50);
	int status;
	CHECK_ERRNO(wait4(sleeper, &status, 0, NULL), EINTR);
	CHECK_EQ(caught, 2);
	CHECK_EXITED(wait_status(pid, 0), 0);
	CHECK_EXITED(wait_status(sleeper, 0), 5);

	/* nanosleep: EINTR with the time left. */
	pid = signal_me_after(SIGUSR1, 50);
	struct timespec delay = { 5, 0 }, left = { 0, 0 };
	CHECK_ERRNO(nanosleep(&delay, &left), EINTR);
	CHECK(left.tv_sec > 0 && left.tv_sec <= 5);
	CHECK_EQ(caught, 3);
	CHECK_EXITED(wait_status(pid, 0), 0);

	/* poll. */
	pid = signal_me_after(SIGUSR1, 50);
	struct pollfd_like { int fd; short events, revents; } fd = { p[0], 1 /* POLLIN */, 0 };
	CHECK_ERRNO(syscall(SYS_poll, &fd, 1, 5000), EINTR);
	CHECK_EQ(caught, 4);
	CHECK_EXITED(wait_status(pid, 0), 0);
}

static void test_sa_restart(void)
{
	set_handler(SIGUSR1, count_handler, SA_RESTART);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	/* The child signals us during the read, and writes later: the read restarts. */
	pid_t parent = getpid();
	pid_t pid = tap_fork();
	if (pid == 0) {
		tap_sleep_ms(50);
		kill(parent, SIGUSR1);
		tap_sleep_ms(100);
		tap_write_fully(p[1], "r", 1);
		tap_sleep_ms(50);
		kill(parent, SIGUSR1);
		tap_sleep_ms(100);
		_exit(9);
	}
	char c = 0;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'r');
	CHECK_EQ(caught, 1);
	/* wait4 restarts too. */
	int status = -1;
	CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
	CHECK_EXITED(status, 9);
	CHECK_EQ(caught, 2);

	/* nanosleep and pause never restart, even with SA_RESTART. */
	pid = signal_me_after(SIGUSR1, 50);
	struct timespec delay = { 5, 0 };
	CHECK_ERRNO(nanosleep(&delay, NULL), EINTR);
	CHECK_EXITED(wait_status(pid, 0), 0);
}

static void test_ignored_signal_does_not_interrupt(void)
{
	/* SIGCHLD (default: ignore) and an ignored SIGUSR1 leave a read alone. */
	signal(SIGUSR1, SIG_IGN);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t quick = tap_fork();
	if (quick == 0)
		_exit(0); /* SIGCHLD while we read */
	pid_t noisy = signal_me_after(SIGUSR1, 30);
	pid_t writer = tap_fork();
	if (writer == 0) {
		tap_sleep_ms(150);
		tap_write_fully(p[1], "w", 1);
		_exit(0);
	}
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'w');
	CHECK_EXITED(wait_status(quick, 0), 0);
	CHECK_EXITED(wait_status(noisy, 0), 0);
	CHECK_EXITED(wait_status(writer, 0), 0);
}

/* --- SIGCHLD, stop and continue ---------------------------------------------- */

static volatile sig_atomic_t chld_count, chld_code, chld_status, chld_pid;
static void chld_handler(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	chld_code = info->si_code;
	chld_status = info->si_status;
	chld_pid = info->si_pid;
	chld_count++;
}

static void await_chld(int count, int code, int status, pid_t pid)
{
	for (int i = 0; i < 500 && chld_count < count; i++)
		tap_sleep_ms(10);
	CHECK_EQ(chld_count, count);
	CHECK_EQ(chld_code, code);
	CHECK_EQ(chld_status, status);
	CHECK_EQ(chld_pid, pid);
}

/* A child that writes a byte every 10 ms: proof that it runs. */
static pid_t ticking_child(int fd)
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		for (;;) {
			if (write(fd, "t", 1) != 1)
				_exit(1);
			tap_sleep_ms(10);
		}
	}
	return pid;
}

static int drain(int fd)
{
	char buf[4096];
	int total = 0;
	ssize_t got;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		total += (int)got;
	return total;
}

static void test_stop_continue_sigchld(void)
{
	set_action(SIGCHLD, chld_handler, SA_RESTART);
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	pid_t pid = ticking_child(p[1]);
	tap_sleep_ms(50);
	CHECK(drain(p[0]) > 0);

	CHECK_EQ(kill(pid, SIGSTOP), 0);
	int status = wait_status(pid, WUNTRACED);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(WSTOPSIG(status), SIGSTOP);
	await_chld(1, CLD_STOPPED, SIGSTOP, pid);
	/* Reported once; without WUNTRACED not at all. */
	CHECK_EQ(wait4(pid, &status, WUNTRACED | WNOHANG, NULL), 0);
	CHECK_EQ(wait4(pid, &status, WNOHANG, NULL), 0);
	drain(p[0]);
	tap_sleep_ms(100);
	CHECK_EQ(drain(p[0]), 0); /* stopped: no ticks */

	/* A signal other than SIGKILL/SIGCONT waits while stopped. */
	CHECK_EQ(kill(pid, SIGUSR2), 0);
	tap_sleep_ms(50);
	CHECK_EQ(wait4(pid, &status, WNOHANG, NULL), 0);

	/* SIGCONT: running again, reported once with WCONTINUED; then SIGUSR2 kills. */
	CHECK_EQ(kill(pid, SIGCONT), 0);
	status = wait_status(pid, WCONTINUED | WUNTRACED);
	if (WIFSIGNALED(status)) {
		/* It may die of SIGUSR2 before we look; the continue report is gone then. */
		CHECK_EQ(WTERMSIG(status), SIGUSR2);
	} else {
		CHECK(WIFCONTINUED(status));
		CHECK_EQ(status, 0xffff);
		CHECK_SIGNALED(wait_status(pid, 0), SIGUSR2);
	}
	for (int i = 0; i < 500 && chld_code != CLD_KILLED; i++)
		tap_sleep_ms(10);
	CHECK_EQ(chld_code, CLD_KILLED);
	CHECK_EQ(chld_status, SIGUSR2);

	/* Stop, continue, and the continue is seen by the ticks and SIGCHLD. */
	chld_count = 0;
	pid = ticking_child(p[1]);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK(WIFSTOPPED(wait_status(pid, WUNTRACED)));
	await_chld(1, CLD_STOPPED, SIGSTOP, pid);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	status = wait_status(pid, WCONTINUED);
	CHECK(WIFCONTINUED(status));
	await_chld(2, CLD_CONTINUED, SIGCONT, pid);
	CHECK_EQ(wait4(pid, &status, WCONTINUED | WNOHANG, NULL), 0);
	drain(p[0]);
	tap_sleep_ms(100);
	CHECK(drain(p[0]) > 0);

	/* SIGKILL ends a stopped process. */
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK(WIFSTOPPED(wait_status(pid, WUNTRACED)));
	await_chld(3, CLD_STOPPED, SIGSTOP, pid);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_SIGNALED(wait_status(pid, 0), SIGKILL);
	await_chld(4, CLD_KILLED, SIGKILL, pid);

	/* Exit: CLD_EXITED with the status. */
	pid = tap_fork();
	if (pid == 0)
		_exit(33);
	CHECK_EXITED(wait_status(pid, 0), 33);
	await_chld(5, CLD_EXITED, 33, pid);
}

static void test_sigstop_sigkill_cannot_be_caught(void)
{
	/* SIGKILL kills a process that tried everything to survive. */
	pid_t pid = tap_fork();
	if (pid == 0) {
		for (int sig = 1; sig < 65; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_IGN);
		uint64_t all = ~0UL;
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
		struct sigaction sa = { .sa_handler = SIG_IGN };
		if (sigaction(SIGKILL, &sa, NULL) == 0 || sigaction(SIGSTOP, &sa, NULL) == 0)
			_exit(1);
		for (;;)
			pause();
	}
	tap_sleep_ms(30);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	int status = wait_status(pid, WUNTRACED);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK(WIFCONTINUED(wait_status(pid, WCONTINUED)));
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_SIGNALED(wait_status(pid, 0), SIGKILL);
}

/* --- fork and execve -------------------------------------------------------------- */

static void test_fork_keeps_mask_not_pending(void)
{
	set_handler(SIGUSR1, count_handler, 0);
	set_mask(BIT(SIGUSR1) | BIT(SIGHUP));
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(get_pending(), BIT(SIGUSR1));
	pid_t pid = tap_fork();
	if (pid == 0) {
		uint64_t mask = 0, pending = ~0UL;
		syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);
		syscall(SYS_rt_sigpending, &pending, 8);
		if (mask != (BIT(SIGUSR1) | BIT(SIGHUP)))
			_exit(1);
		if (pending != 0)
			_exit(2);
		/* The handler is inherited. */
		kill(getpid(), SIGUSR1);
		set_mask(0);
		_exit(caught == 1 ? 0 : 3);
	}
	CHECK_EXITED(wait_status(pid, 0), 0);
	CHECK_EQ(get_pending(), BIT(SIGUSR1)); /* still ours */
	CHECK_EQ(caught, 0);
	set_mask(0);
	CHECK_EQ(caught, 1);
}

/* What --signal-state checks, after test_exec_resets_handlers set it up. */
static int signal_state_mode(void)
{
	struct kernel_sigaction act;
	int bad = 0;
	if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, &act, 8) != 0 || act.handler != SIG_DFL)
		bad |= 1; /* a handler is reset to SIG_DFL */
	if (syscall(SYS_rt_sigaction, SIGUSR2, NULL, &act, 8) != 0 || act.handler != SIG_IGN)
		bad |= 2; /* an ignored signal stays ignored */
	if (syscall(SYS_rt_sigaction, SIGHUP, NULL, &act, 8) != 0 || act.handler != SIG_DFL)
		bad |= 4;
	uint64_t mask = 0, pending = 0;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);
	syscall(SYS_rt_sigpending, &pending, 8);
	if (mask != (BIT(SIGTERM) | BIT(SIGINT)))
		bad |= 8; /* the mask is kept */
	if (pending != BIT(SIGTERM))
		bad |= 16; /* and so are pending signals */
	return bad;
}

static void test_exec_resets_handlers(void)
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		set_handler(SIGUSR1, count_handler, 0);
		signal(SIGUSR2, SIG_IGN);
		set_handler(SIGHUP, count_handler, SA_RESTART);
		set_mask(BIT(SIGTERM) | BIT(SIGINT));
		kill(getpid(), SIGTERM);
		char *argv[] = { (char *)self_path(), "--signal-state", NULL };
		char *envp[] = { NULL };
		execve(argv[0], argv, envp);
		_exit(127);
	}
	CHECK_EXITED(wait_status(pid, 0), 0);
}

static const struct tap_test tests[] = {
	{ "sigaction: handler runs, old action read back", test_sigaction_basic },
	{ "sigaction: EINVAL (SIGKILL, SIGSTOP, numbers, size), EFAULT", test_sigaction_bad },
	{ "handler mask, sa_mask, SA_NODEFER", test_handler_mask_and_nodefer },
	{ "SA_RESETHAND", test_resethand },
	{ "sigprocmask: block, pending, unblock delivers", test_sigprocmask },
	{ "sigprocmask, sigpending: EINVAL, EFAULT; SIGSTOP not blockable", test_sigprocmask_bad },
	{ "siginfo for kill, tkill, tgkill", test_siginfo_kill_tkill },
	{ "kill, tkill, tgkill: ESRCH, EINVAL", test_kill_tkill_bad },
	{ "setpgid, getpgid, getpgrp, setsid", test_pgid_and_setsid },
	{ "setpgid, getpgid: EINVAL, ESRCH, EPERM, EACCES", test_pgid_bad },
	{ "kill(-pgid) and kill(0) reach the whole group", test_kill_process_groups },
	{ "kill(-1) reaches all but init and the caller", test_kill_minus_one, TAP_LOUPE_ONLY },
	{ "pause returns EINTR", test_pause },
	{ "rt_sigsuspend: temporary mask, EINTR, EINVAL, EFAULT", test_sigsuspend },
	{ "rt_sigframe layout: registers at handler entry", test_frame_layout },
	{ "a handler's RIP/RAX/RBX changes take effect", test_handler_changes_registers },
	{ "a handler's uc_sigmask change takes effect", test_handler_changes_mask },
	{ "xmm0-15 and MXCSR restored after a handler", test_fp_registers_restored },
	{ "SIGSEGV: si_addr, SEGV_MAPERR, SEGV_ACCERR, trapno, cr2", test_segv_siginfo },
	{ "SIGFPE FPE_INTDIV, SIGTRAP SI_KERNEL", test_fpe_trap_siginfo },
	{ "int3: the handler sees RIP after it and returns", test_int3_resumes_after },
	{ "SIGBUS BUS_ADRERR past the end of a mapped file", test_sigbus },
	{ "rt_sigreturn: a hand-made valid frame", test_sigreturn_valid_forged_frame },
	{ "rt_sigreturn: forged CS, RIP, fpstate give SIGSEGV", test_sigreturn_forged_frames },
	{ "rt_sigreturn: IOPL, NT, VM are not restored, IF stays set", test_sigreturn_filters_rflags },
	{ "rt_sigreturn: bad stack, no frame", test_sigreturn_bad_stack },
	{ "default actions: terminate, core (none at limit 0), ignore, stop", test_default_actions },
	{ "ignored signals are discarded", test_ignored_signals_are_discarded },
	{ "EINTR: read, wait4, nanosleep, poll", test_eintr_without_restart },
	{ "SA_RESTART: read and wait4 restart, nanosleep does not", test_sa_restart },
	{ "ignored signals and SIGCHLD do not interrupt a read", test_ignored_signal_does_not_interrupt },
	{ "SIGSTOP/SIGCONT, WUNTRACED/WCONTINUED, SIGCHLD codes", test_stop_continue_sigchld },
	{ "SIGKILL and SIGSTOP cannot be caught, ignored or blocked", test_sigstop_sigkill_cannot_be_caught },
	{ "fork: mask inherited, pending set empty", test_fork_keeps_mask_not_pending },
	{ "execve: handlers reset, ignored stay, mask and pending kept", test_exec_resets_handlers },
};

int main(int argc, char **argv)
{
	tap_argv0 = argv[0];
	if (argc >= 2 && strcmp(argv[1], "--signal-state") == 0)
		return signal_state_mode();
	if (argc >= 2 && strcmp(argv[1], "--wait-forever") == 0) {
		for (;;)
			pause();
	}
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
