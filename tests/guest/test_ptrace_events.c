/* SPDX-License-Identifier: MIT */
/*
 * test_ptrace_events - the canonical Linux ptrace patterns of issue 7,
 * part 2: the options and their events (TRACEEXIT with GETEVENTMSG,
 * TRACEFORK auto-attach, TRACEEXEC, EXITKILL), SEIZE with INTERRUPT,
 * group stops and LISTEN, PTRACE_GET_SYSCALL_INFO, PTRACE_KILL, DETACH
 * with a signal, and waitpid(-1) over several tracees and an untraced
 * child at once. test_ptrace.c has the syscall loop, registers, memory,
 * breakpoints, single steps and the request errors; test_ptrace_signals.c
 * the signal-delivery-stops and GETSIGINFO/SETSIGINFO.
 *
 * Written only against <sys/ptrace.h>, <sys/wait.h>, <sys/user.h> and
 * ordinary libc, so that it runs unchanged on Linux (the reference) and,
 * through the shim of user/lib/, on Loupe. Where Loupe legitimately
 * differs, the test says why.
 */
#include "ptrace_util.h"

#include <poll.h>

/* --- PTRACE_GET_SYSCALL_INFO ---------------------------------------------- */

#define AUDIT_ARCH_X86_64 0xc000003eU

/* The size of the header (op, arch, instruction_pointer, stack_pointer). */
#define SYSCALL_INFO_HEAD offsetof(struct __ptrace_syscall_info, entry)
#define SYSCALL_INFO_ENTRY_SIZE (SYSCALL_INFO_HEAD + 7 * 8)
#define SYSCALL_INFO_EXIT_SIZE (SYSCALL_INFO_HEAD + 9)

static int syscall_info_body(void)
{
	syscall(SYS_write, -1L, 0x1234L, 5L, 6L, 7L, 8L);
	raise(SIGUSR1);
	return 0;
}

static long get_syscall_info(pid_t pid, struct __ptrace_syscall_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return ptrace(PTRACE_GET_SYSCALL_INFO, pid, PTRACE_ARG(sizeof(*info)), info);
}

/*
 * The syscall's own description of a stop (Linux 5.3): op ENTRY with the
 * number and six arguments, op EXIT with the result and is_error, op NONE
 * at any other stop; the return value is the size of what the kernel has
 * (80, 33 or 24 bytes), whatever the buffer size, and a short buffer gets
 * only its first bytes.
 */
static void test_get_syscall_info(void)
{
	pid_t pid = fork_tracee(syscall_info_body);
	struct __ptrace_syscall_info info;
	CHECK_EQ(get_syscall_info(pid, &info), SYSCALL_INFO_HEAD);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_NONE);
	CHECK_EQ(info.arch, AUDIT_ARCH_X86_64);

	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), 0);
	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, SYSCALL_STOP);
	struct user_regs_struct regs;
	get_regs(pid, &regs);
	CHECK_EQ(get_syscall_info(pid, &info), SYSCALL_INFO_ENTRY_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_ENTRY);
	CHECK_EQ(info.arch, AUDIT_ARCH_X86_64);
	CHECK_EQ(info.instruction_pointer, regs.rip);
	CHECK_EQ(info.stack_pointer, regs.rsp);
	CHECK_EQ(info.entry.nr, SYS_write);
	static const unsigned long args[6] = { (unsigned long)-1, 0x1234, 5, 6, 7, 8 };
	for (int i = 0; i < 6; i++)
		CHECK_EQ(info.entry.args[i], args[i]);

	/* A buffer of 8 bytes: op and arch only, the full size returned. */
	memset(&info, 0xa5, sizeof(info));
	CHECK_EQ(ptrace(PTRACE_GET_SYSCALL_INFO, pid, PTRACE_ARG(8), &info), SYSCALL_INFO_ENTRY_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_ENTRY);
	CHECK_EQ(info.instruction_pointer, 0xa5a5a5a5a5a5a5a5UL);

	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, SYSCALL_STOP);
	CHECK_EQ(get_syscall_info(pid, &info), SYSCALL_INFO_EXIT_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_EXIT);
	CHECK_EQ(info.exit.rval, -EBADF);
	CHECK_EQ(info.exit.is_error, 1);

	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGUSR1);
	CHECK_EQ(get_syscall_info(pid, &info), SYSCALL_INFO_HEAD);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_NONE);
	CHECK_ERRNO(ptrace(PTRACE_GET_SYSCALL_INFO, pid, PTRACE_ARG(sizeof(info)), TAP_BAD_KERNEL),
		    EFAULT);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/* --- TRACEEXIT ------------------------------------------------------------ */

static volatile unsigned long exit_marker;

static int exit_42_body(void)
{
	exit_marker = 0xfeed;
	return 42;
}

static int die_by_sigterm_body(void)
{
	raise(SIGTERM);
	return 0;
}

/*
 * PTRACE_O_TRACEEXIT: a stop on the way out (SIGTRAP | PTRACE_EVENT_EXIT
 * << 8) while memory and registers are still there, GETEVENTMSG giving
 * the wait status to come: 42 << 8 for exit(42), SIGTERM for a death by
 * SIGTERM.
 */
static void test_traceexit_eventmsg(void)
{
	pid_t pid = fork_tracee(exit_42_body);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACEEXIT)), 0);
	resume(pid, PTRACE_CONT, 0);
	int status = expect_stop(pid, EVENT_STOP(PTRACE_EVENT_EXIT));
	CHECK_EQ(status, 0x6057f);
	CHECK_EQ(status >> 16, PTRACE_EVENT_EXIT);
	CHECK_EQ(event_msg(pid), 42 << 8);
	CHECK_EQ(peek(pid, (const void *)&exit_marker), 0xfeed);
	struct user_regs_struct regs;
	get_regs(pid, &regs);
	CHECK_EQ(regs.orig_rax, SYS_exit_group);
	siginfo_t info;
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, NULL, &info), 0);
	CHECK_EQ(info.si_signo, SIGTRAP);
	CHECK_EQ(info.si_code, EVENT_STOP(PTRACE_EVENT_EXIT));
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 42);

	pid = fork_tracee(die_by_sigterm_body);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACEEXIT)), 0);
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGTERM);
	resume(pid, PTRACE_CONT, SIGTERM);
	expect_stop(pid, EVENT_STOP(PTRACE_EVENT_EXIT));
	CHECK_EQ(event_msg(pid), SIGTERM);
	resume(pid, PTRACE_CONT, 0);
	CHECK_SIGNALED(wait_for(pid, 0), SIGTERM);
}

/* --- TRACEFORK ------------------------------------------------------------ */

/*
 * Forks a grandchild that exits 5 if its parent is still this process
 * (auto-attaching must not reparent it); waits for it; exits with its
 * status + 10.
 */
static int forking_body(void)
{
	pid_t me = getpid();
	pid_t pid = fork();
	if (pid == 0)
		_exit(getppid() == me ? 5 : 6);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status) + 10;
}

/*
 * PTRACE_O_TRACEFORK: the fork event stop (status >> 16 ==
 * PTRACE_EVENT_FORK) with the new pid in GETEVENTMSG; the grandchild is
 * traced from its first instruction, its first stop a SIGSTOP that
 * waitpid on its pid reports (it is not our child, so only ptrace makes
 * it waitable), fork's 0 in its rax. The tracer sees the grandchild's
 * exit first, then its real parent reaps it.
 */
static void test_tracefork(void)
{
	pid_t pid = fork_tracee(forking_body);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACEFORK)), 0);
	resume(pid, PTRACE_CONT, 0);
	int status = expect_stop(pid, EVENT_STOP(PTRACE_EVENT_FORK));
	CHECK_EQ(status >> 16, PTRACE_EVENT_FORK);
	pid_t grandchild = (pid_t)event_msg(pid);
	CHECK(grandchild > 0 && grandchild != pid);

	CHECK_EQ(wait_for(grandchild, __WALL), 0x137f);
	struct user_regs_struct regs;
	get_regs(grandchild, &regs);
	CHECK_EQ(regs.rax, 0);
	/* musl's fork() is SYS_fork; glibc's (for a host build) is SYS_clone. */
	CHECK(regs.orig_rax == SYS_fork || regs.orig_rax == SYS_clone);
	/* Options are inherited: a grandchild's exit is still just an exit. */
	resume(grandchild, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(grandchild, __WALL), 5);

	/*
	 * Reaping the grandchild handed it back to its real parent, whose
	 * SIGCHLD (pending since then) is the next stop of the fork's caller.
	 */
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGCHLD);
	resume(pid, PTRACE_CONT, SIGCHLD);
	CHECK_EXITED(wait_for(pid, 0), 15);
}

/* --- TRACEEXEC ------------------------------------------------------------ */

/* A tracee whose stdout is out_fd and that execs /bin/hello ptrace after its SIGSTOP. */
static pid_t fork_exec_hello(int out_fd)
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		dup2(out_fd, 1);
		char *argv[] = { "hello", "ptrace", NULL };
		char *envp[] = { NULL };
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(127);
		kill(getpid(), SIGSTOP);
		execve(tap_path("/bin/hello"), argv, envp);
		_exit(126);
	}
	close(out_fd);
	expect_stop(pid, SIGSTOP);
	return pid;
}

static void check_hello_output(int fd)
{
	char buf[32] = "";
	CHECK_EQ(tap_read_fully(fd, buf, sizeof(buf) - 1), 13);
	CHECK_STREQ(buf, "hello ptrace\n");
	close(fd);
}

/*
 * PTRACE_O_TRACEEXEC: the exec event stop (status >> 16 ==
 * PTRACE_EVENT_EXEC, GETEVENTMSG the pid) replaces the plain SIGTRAP;
 * under PTRACE_SYSCALL it comes between execve's entry and exit stops.
 */
static void test_traceexec(void)
{
	int fds[2];
	make_pipe(fds);
	pid_t pid = fork_exec_hello(fds[1]);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACEEXEC)), 0);
	resume(pid, PTRACE_CONT, 0);
	int status = expect_stop(pid, EVENT_STOP(PTRACE_EVENT_EXEC));
	CHECK_EQ(status, 0x4057f);
	CHECK_EQ(event_msg(pid), pid);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0); /* and no SIGTRAP stop before */
	check_hello_output(fds[0]);

	make_pipe(fds);
	pid = fork_exec_hello(fds[1]);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL,
			PTRACE_ARG(PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD)), 0);
	struct user_regs_struct regs;
	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, SYSCALL_STOP);
	get_regs(pid, &regs);
	CHECK_EQ(regs.orig_rax, SYS_execve);
	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, EVENT_STOP(PTRACE_EVENT_EXEC));
	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, SYSCALL_STOP);
	get_regs(pid, &regs);
	CHECK_EQ(regs.orig_rax, SYS_execve);
	CHECK_EQ(regs.rax, 0);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0);
	check_hello_output(fds[0]);
}

/* --- EXITKILL ------------------------------------------------------------- */

/*
 * A tracer process (our child) that ATTACHes to its own child with
 * `options`, lets it run on and exits. The tracee blocks reading a pipe
 * whose write end only the test holds; when released it writes "x" to
 * `alive` and exits. Returns once the tracer has exited; *alive_fd is
 * the read end, *go_fd the tracee's release.
 */
static void tracer_exits(unsigned long options, int *alive_fd, int *go_fd)
{
	int alive[2], go[2], ready[2];
	make_pipe(alive);
	make_pipe(go);
	make_pipe(ready);
	pid_t tracer = tap_fork();
	if (tracer == 0) {
		close(alive[0]);
		pid_t tracee = tap_fork();
		if (tracee == 0) {
			close(go[1]);
			close(ready[0]);
			tap_write_fully(ready[1], "r", 1);
			if (read_byte(go[0]) == 'g')
				tap_write_fully(alive[1], "x", 1);
			_exit(0);
		}
		close(alive[1]);
		close(go[0]);
		close(go[1]);
		close(ready[1]);
		CHECK_EQ(read_byte(ready[0]), 'r');
		CHECK_EQ(ptrace(PTRACE_ATTACH, tracee, NULL, NULL), 0);
		CHECK_EQ(wait_for(tracee, 0), 0x137f);
		CHECK_EQ(ptrace(PTRACE_SETOPTIONS, tracee, NULL, PTRACE_ARG(options)), 0);
		resume(tracee, PTRACE_CONT, 0);
		_exit(0);
	}
	close(alive[1]);
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
	CHECK_EXITED(wait_for(tracer, 0), 0);
	*alive_fd = alive[0];
	*go_fd = go[1];
}

/* Waits up to 10 s for fd to be readable; returns the byte, or -1 at end of file. */
static int read_byte_within(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ready;
	do
		ready = poll(&pfd, 1, 10000);
	while (ready < 0 && errno == EINTR);
	CHECK_EQ(ready, 1);
	return read_byte(fd);
}

/*
 * PTRACE_O_EXITKILL: when the tracer exits, the tracee gets SIGKILL (its
 * end of the alive pipe closes without an "x"). Without the option the
 * tracee is detached and runs on: released, it says "x". (The tracee is
 * the tracer's child and is reparented when the tracer exits, so the test
 * watches it through the pipe, not through waitpid.)
 */
static void test_exitkill(void)
{
	int alive, go;
	tracer_exits(PTRACE_O_EXITKILL, &alive, &go);
	CHECK_EQ(read_byte_within(alive), -1);
	close(alive);
	close(go);

	tracer_exits(0, &alive, &go);
	tap_write_fully(go, "g", 1);
	CHECK_EQ(read_byte_within(alive), 'x');
	close(alive);
	close(go);
}

/* --- SEIZE and INTERRUPT -------------------------------------------------- */

/* A child blocked reading go; exits with the byte it reads (1 at end of file). */
static pid_t fork_reader(int go[2])
{
	make_pipe(go);
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(go[1]);
		int byte = read_byte(go[0]);
		_exit(byte < 0 ? 1 : byte);
	}
	close(go[0]);
	return pid;
}

/*
 * PTRACE_SEIZE traces without stopping (waitpid WNOHANG says nothing);
 * PTRACE_INTERRUPT stops the tracee, even in a blocking read, with
 * status >> 16 == PTRACE_EVENT_STOP and WSTOPSIG SIGTRAP; continued,
 * its read goes on as if nothing happened. Options given to SEIZE hold.
 */
static void test_seize_interrupt(void)
{
	int go[2];
	pid_t pid = fork_reader(go);
	CHECK_EQ(ptrace(PTRACE_SEIZE, pid, NULL, PTRACE_ARG(PTRACE_O_TRACEEXIT)), 0);
	int status;
	tap_sleep_ms(20); /* a SEIZE stop, if there were one, would be reported by now */
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	struct user_regs_struct regs;
	CHECK_ERRNO(ptrace(PTRACE_GETREGS, pid, NULL, &regs), ESRCH); /* running */

	CHECK_EQ(ptrace(PTRACE_INTERRUPT, pid, NULL, NULL), 0);
	status = expect_stop(pid, EVENT_STOP(PTRACE_EVENT_STOP));
	CHECK_EQ(status, 0x80057f);
	CHECK_EQ(WSTOPSIG(status), SIGTRAP);
	CHECK_EQ(status >> 16, PTRACE_EVENT_STOP);
	get_regs(pid, &regs);
	resume(pid, PTRACE_CONT, 0);

	tap_write_fully(go[1], "\x21", 1);
	expect_stop(pid, EVENT_STOP(PTRACE_EVENT_EXIT)); /* the option from SEIZE */
	CHECK_EQ(event_msg(pid), 0x21 << 8);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0x21);
}

/*
 * A seized tracee's group stop: SIGSTOP first gives a signal-delivery-
 * stop (0x137f); delivered, the group stop is reported as
 * PTRACE_EVENT_STOP with WSTOPSIG SIGSTOP (0x80137f), which ATTACH's
 * tracees cannot tell apart from the first. Its siginfo, as Linux makes
 * it, carries the stop signal and the status's own code. A CONT ends it.
 */
static void test_seize_group_stop(void)
{
	int go[2];
	pid_t pid = fork_reader(go);
	CHECK_EQ(ptrace(PTRACE_SEIZE, pid, NULL, NULL), 0);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(wait_for(pid, 0), 0x137f);
	resume(pid, PTRACE_CONT, SIGSTOP);
	CHECK_EQ(wait_for(pid, 0), 0x80137f);
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, NULL, &info), 0);
	CHECK_EQ(info.si_signo, SIGSTOP);
	CHECK_EQ(info.si_code, SIGSTOP | PTRACE_EVENT_STOP << 8);
	CHECK_EQ(info.si_pid, pid);
	resume(pid, PTRACE_CONT, 0);
	tap_write_fully(go[1], "\x22", 1);
	CHECK_EXITED(wait_for(pid, 0), 0x22);
}

/*
 * PTRACE_LISTEN at a group stop: the tracee stays stopped but leaves its
 * ptrace-stop (requests give ESRCH, waitpid has nothing new) until
 * SIGCONT, which brings a new PTRACE_EVENT_STOP, now with WSTOPSIG
 * SIGTRAP; continued from there, SIGCONT's own signal-delivery-stop
 * follows. LISTEN anywhere but at an event stop of a seized tracee: EIO.
 */
static void test_seize_listen(void)
{
	int go[2];
	pid_t pid = fork_reader(go);
	CHECK_EQ(ptrace(PTRACE_SEIZE, pid, NULL, NULL), 0);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(wait_for(pid, 0), 0x137f);
	CHECK_ERRNO(ptrace(PTRACE_LISTEN, pid, NULL, NULL), EIO);     /* a signal-delivery-stop */
	resume(pid, PTRACE_CONT, SIGSTOP);
	CHECK_EQ(wait_for(pid, 0), 0x80137f);
	CHECK_EQ(ptrace(PTRACE_LISTEN, pid, NULL, NULL), 0);
	struct user_regs_struct regs;
	CHECK_ERRNO(ptrace(PTRACE_GETREGS, pid, NULL, &regs), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_LISTEN, pid, NULL, NULL), ESRCH);
	tap_sleep_ms(20);
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), 0);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EQ(wait_for(pid, 0), 0x80057f);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EQ(wait_for(pid, 0), 0x127f);                             /* SIGCONT, delivered */
	resume(pid, PTRACE_CONT, 0);
	tap_write_fully(go[1], "\x24", 1);
	CHECK_EXITED(wait_for(pid, 0), 0x24);
}

/*
 * The _bad twin: INTERRUPT is for seized tracees only (EIO after ATTACH),
 * SEIZE wants addr 0 (EIO) and known options (EINVAL).
 */
static void test_seize_interrupt_bad(void)
{
	int go[2];
	pid_t pid = fork_reader(go);
	CHECK_ERRNO(ptrace(PTRACE_SEIZE, pid, PTRACE_ARG(1), NULL), EIO);
	CHECK_ERRNO(ptrace(PTRACE_SEIZE, pid, NULL, PTRACE_ARG(0x80000000UL)), EIO);
	CHECK_EQ(ptrace(PTRACE_ATTACH, pid, NULL, NULL), 0);
	CHECK_EQ(wait_for(pid, 0), 0x137f);
	CHECK_ERRNO(ptrace(PTRACE_INTERRUPT, pid, NULL, NULL), EIO);
	resume(pid, PTRACE_CONT, 0);
	CHECK_ERRNO(ptrace(PTRACE_INTERRUPT, pid, NULL, NULL), EIO);
	tap_write_fully(go[1], "\x23", 1);
	CHECK_EXITED(wait_for(pid, 0), 0x23);
}

/* --- DETACH with a signal, PTRACE_KILL ------------------------------------ */

/*
 * DETACH's data is a signal to deliver as the tracee leaves, in place of
 * the SIGSTOP whose stop ATTACH reported: the handler runs. The child
 * waits with SIGUSR1 blocked except inside ppoll (on a pipe that only
 * ends if the test dies), so the signal is caught wherever the SIGSTOP
 * found it; ppoll returns EINTR and the child does not stay stopped.
 */
static void test_detach_with_signal(void)
{
	int ready[2], go[2];
	make_pipe(ready);
	make_pipe(go);
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		set_handler(SIGUSR1, count_signal, 0);
		sigset_t usr1, none;
		sigemptyset(&usr1);
		sigemptyset(&none);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		tap_write_fully(ready[1], "r", 1);
		struct pollfd pfd = { .fd = go[0], .events = POLLIN };
		int got = ppoll(&pfd, 1, NULL, &none);
		_exit(got == -1 && errno == EINTR && usr1_count == 1 ? 0 : 1);
	}
	close(ready[1]);
	close(go[0]);
	CHECK_EQ(read_byte(ready[0]), 'r');
	CHECK_EQ(ptrace(PTRACE_ATTACH, pid, NULL, NULL), 0);
	CHECK_EQ(wait_for(pid, 0), 0x137f);
	CHECK_EQ(ptrace(PTRACE_DETACH, pid, NULL, PTRACE_ARG(SIGUSR1)), 0);
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/* Makes syscalls until its parent (the tracer) is gone. */
static int spin_body(void)
{
	long parent = syscall(SYS_getppid);
	while (syscall(SYS_getppid) == parent)
		;
	return 0;
}

/* PTRACE_KILL at a syscall stop: the tracee dies by SIGKILL, reported once. */
static void test_ptrace_kill(void)
{
	pid_t pid = fork_tracee(spin_body);
	resume(pid, PTRACE_SYSCALL, 0);
	CHECK_EQ(wait_for(pid, 0), 0x57f);
	CHECK_EQ(ptrace(PTRACE_KILL, pid, NULL, NULL), 0);
	CHECK_SIGNALED(wait_for(pid, 0), SIGKILL);
	int status;
	CHECK_ERRNO(waitpid(pid, &status, WNOHANG), ECHILD);
}

/* --- waitpid(-1) over many children --------------------------------------- */

#define WAIT_TRACEES 3

static int many_go_fd = -1;

static void wait_for_go(void)
{
	read_byte(many_go_fd);
}

/*
 * Three tracees and an untraced child, all blocked on one pipe: waitpid
 * (-1, WNOHANG) says 0. Released, the tracees stop (SIGSTOP) and the
 * untraced child exits 9; waitpid(-1, __WALL) reports each of those four
 * exactly once (a reported stop is not reported again: WNOHANG says 0
 * again). Continued, the tracees exit 20, 21, 22, reported once each
 * (wait4 and wait this time); then ECHILD.
 */
static void test_waitpid_any(void)
{
	int go[2];
	make_pipe(go);
	many_go_fd = go[0];
	pid_t tracees[WAIT_TRACEES], plain;
	for (int i = 0; i < WAIT_TRACEES; i++) {
		tracees[i] = tap_fork();
		if (tracees[i] == 0) {
			close(go[1]);
			if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
				_exit(127);
			wait_for_go();
			raise(SIGSTOP);
			_exit(20 + i);
		}
	}
	plain = tap_fork();
	if (plain == 0) {
		close(go[1]);
		wait_for_go();
		_exit(9);
	}
	close(go[0]);

	int status;
	CHECK_EQ(waitpid(-1, &status, WNOHANG), 0);
	CHECK_EQ(waitpid(-1, &status, WNOHANG | __WALL), 0);
	close(go[1]); /* releases all four */

	int stopped[WAIT_TRACEES] = { 0 }, plain_done = 0;
	for (int event = 0; event < WAIT_TRACEES + 1; event++) {
		pid_t got;
		do
			got = waitpid(-1, &status, __WALL);
		while (got < 0 && errno == EINTR);
		CHECK(got > 0);
		if (got == plain) {
			CHECK_EQ(plain_done, 0);
			CHECK_EXITED(status, 9);
			plain_done = 1;
			continue;
		}
		int i = 0;
		while (i < WAIT_TRACEES && tracees[i] != got)
			i++;
		CHECK(i < WAIT_TRACEES);
		CHECK_EQ(stopped[i], 0);
		CHECK_EQ(status, 0x137f);
		stopped[i] = 1;
	}
	CHECK_EQ(waitpid(-1, &status, WNOHANG | __WALL), 0);

	for (int i = 0; i < WAIT_TRACEES; i++)
		resume(tracees[i], PTRACE_CONT, 0);
	int exited[WAIT_TRACEES] = { 0 };
	for (int event = 0; event < WAIT_TRACEES; event++) {
		pid_t got;
		do
			got = event == 0 ? wait(&status) : wait4(-1, &status, 0, NULL);
		while (got < 0 && errno == EINTR);
		int i = 0;
		while (i < WAIT_TRACEES && tracees[i] != got)
			i++;
		CHECK(i < WAIT_TRACEES);
		CHECK_EQ(exited[i], 0);
		CHECK_EXITED(status, 20 + i);
		exited[i] = 1;
	}
	CHECK_ERRNO(waitpid(-1, &status, 0), ECHILD);
	CHECK_ERRNO(waitpid(-1, &status, WNOHANG), ECHILD);
}

static const struct tap_test tests[] = {
	{ "GET_SYSCALL_INFO: entry, exit, none, short buffer, EFAULT", test_get_syscall_info },
	{ "TRACEEXIT: event stop, GETEVENTMSG exit status and signal", test_traceexit_eventmsg },
	{ "TRACEFORK: event, GETEVENTMSG pid, grandchild auto-attached", test_tracefork },
	{ "TRACEEXEC: event stop, GETEVENTMSG, order with syscall stops", test_traceexec },
	{ "EXITKILL: tracer exit kills the tracee; without it, it runs on", test_exitkill },
	{ "SEIZE without a stop, INTERRUPT gives PTRACE_EVENT_STOP, continue", test_seize_interrupt },
	{ "SEIZE: group stop as PTRACE_EVENT_STOP with SIGSTOP", test_seize_group_stop },
	{ "SEIZE: LISTEN at a group stop until SIGCONT, EIO elsewhere", test_seize_listen },
	{ "SEIZE, INTERRUPT: EIO, EINVAL", test_seize_interrupt_bad },
	{ "DETACH with a signal delivers it", test_detach_with_signal },
	{ "PTRACE_KILL at a syscall stop", test_ptrace_kill },
	{ "waitpid(-1) over tracees and an untraced child, WNOHANG, __WALL", test_waitpid_any },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
