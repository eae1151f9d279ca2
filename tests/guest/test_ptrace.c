/* SPDX-License-Identifier: MIT */
/*
 * test_ptrace - the canonical Linux ptrace patterns of issue 7, part 1:
 * the PTRACE_SYSCALL loop (orig_rax and rax from GETREGS, entry told from
 * exit, with and without PTRACE_O_TRACESYSGOOD, across an execve),
 * GETREGS/SETREGS to skip a syscall and to change a result, PEEKUSER and
 * POKEUSER, ATTACH to a running child with PEEKDATA/POKEDATA and DETACH,
 * a breakpoint by POKETEXT of int3 hit three times, exact single-step
 * counts, and the errors: ESRCH, EPERM, EIO, EINVAL, EFAULT.
 * test_ptrace_signals.c has the signals; test_ptrace_events.c the options,
 * events, SEIZE and waitpid(-1).
 *
 * Written only against <sys/ptrace.h>, <sys/wait.h>, <sys/user.h> and
 * ordinary libc: on Linux this is the kernel's ptrace; on Loupe, the shim
 * of user/lib/ over /proc/<pid>/{trace,regs,mem}. The Linux run is the
 * reference. Where Loupe legitimately differs, the test says why.
 *
 * The program also plays its own exec target:
 *   test_ptrace --syscalls FD   makes the known syscall sequence (getpid,
 *                               write(FD, "ptrace", 6), getppid,
 *                               exit_group(3)), for the execve loop
 */
#include "ptrace_util.h"

#include <stddef.h>

/* --- the known syscall sequence ------------------------------------------ */

/*
 * The syscalls a tracee makes and the tracer expects, in order. Made with
 * syscall() so that no libc wrapper adds or hides one; the tracer checks
 * write's buffer by reading it at rsi.
 */
static const char known_text[] = "ptrace";
#define KNOWN_EXIT 3

static int known_fd = -1;

static void known_syscalls(int fd)
{
	syscall(SYS_getpid);
	syscall(SYS_write, fd, known_text, 6);
	syscall(SYS_getppid);
	syscall(SYS_exit_group, KNOWN_EXIT);
}

static int known_syscalls_body(void)
{
	known_syscalls(known_fd);
	return 1; /* not reached */
}

/* One syscall stop as the tracer saw it. */
struct sc_stop {
	int entry;                   /* 1 at entry, 0 at exit, by the toggle */
	unsigned long long nr;       /* orig_rax */
	unsigned long long rax, rdi, rsi, rdx, rip;
	unsigned long text;          /* at write's entry: the word at rsi */
};

/*
 * Checks that stops[0..7) is the known sequence made by pid with fd,
 * whose parent is parent: entry and exit alternate with the same orig_rax
 * and rip, every entry has rax = -ENOSYS, the arguments and results are
 * right, and exit_group has an entry stop only.
 */
static void check_known_sequence(const struct sc_stop *stops, pid_t pid, int fd, pid_t parent)
{
	static const long numbers[] = { SYS_getpid, SYS_write, SYS_getppid, SYS_exit_group };
	for (int i = 0; i < 7; i++) {
		CHECK_EQ(stops[i].entry, i % 2 == 0);
		CHECK_EQ(stops[i].nr, numbers[i / 2]);
		if (stops[i].entry)
			CHECK_EQ(stops[i].rax, ENTRY_RAX);
		else
			CHECK_EQ(stops[i].rip, stops[i - 1].rip);
	}
	CHECK_EQ(stops[1].rax, pid);
	CHECK_EQ(stops[2].rdi, fd);
	unsigned long text_word = 0;
	memcpy(&text_word, known_text, sizeof(known_text)); /* "ptrace\0": 7 bytes */
	CHECK_EQ(stops[2].text & 0x00ffffffffffffffUL, text_word);
	CHECK_EQ(stops[2].rdx, 6);
	CHECK_EQ(stops[3].rax, 6);
	CHECK_EQ(stops[5].rax, parent);
	CHECK_EQ(stops[6].rdi, KNOWN_EXIT);
}

static void record_stop(pid_t pid, struct sc_stop *stop, int entry)
{
	struct user_regs_struct regs;
	get_regs(pid, &regs);
	stop->entry = entry;
	stop->nr = regs.orig_rax;
	stop->rax = regs.rax;
	stop->rdi = regs.rdi;
	stop->rsi = regs.rsi;
	stop->rdx = regs.rdx;
	stop->rip = regs.rip;
	/* The buffer by its content: its address differs across a PIE exec. */
	if (entry && regs.orig_rax == SYS_write)
		stop->text = peek(pid, (const void *)(uintptr_t)regs.rsi);
}

static void check_pipe_says_ptrace(int fd)
{
	char buf[8] = "";
	CHECK_EQ(tap_read_fully(fd, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "ptrace", 6) == 0);
}

/*
 * The PTRACE_SYSCALL loop of every strace-like tool, over a tracee that
 * stopped itself: with TRACESYSGOOD each syscall stop is SIGTRAP|0x80,
 * and a toggle tells entry from exit.
 */
static void test_syscall_loop_sysgood(void)
{
	int fds[2];
	make_pipe(fds);
	known_fd = fds[1];
	pid_t pid = fork_tracee(known_syscalls_body);
	close(fds[1]);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), 0);

	/*
	 * The tracee stopped in kill()'s return to user mode, after that
	 * syscall's exit point: the first syscall stop is getpid's entry.
	 */
	struct sc_stop stops[8];
	int count = 0, in_syscall = 0, status;
	resume(pid, PTRACE_SYSCALL, 0);
	while (WIFSTOPPED(status = wait_for(pid, 0))) {
		CHECK_STOP(status, SYSCALL_STOP);
		CHECK(count < 8);
		in_syscall = !in_syscall;
		record_stop(pid, &stops[count++], in_syscall);
		resume(pid, PTRACE_SYSCALL, 0);
	}
	CHECK_EXITED(status, KNOWN_EXIT);
	CHECK_EQ(count, 7);
	check_known_sequence(stops, pid, fds[1], getpid());
	check_pipe_says_ptrace(fds[0]);
}

/*
 * Without TRACESYSGOOD a syscall stop is a plain SIGTRAP stop (status
 * 0x57f), and only the toggle tells entry from exit; PTRACE_GETSIGINFO
 * still says it was a syscall stop with si_code SIGTRAP.
 */
static void test_syscall_loop_plain_sigtrap(void)
{
	int fds[2];
	make_pipe(fds);
	known_fd = fds[1];
	pid_t pid = fork_tracee(known_syscalls_body);
	close(fds[1]);

	struct sc_stop stops[8];
	int count = 0, in_syscall = 0, status;
	resume(pid, PTRACE_SYSCALL, 0);
	while (WIFSTOPPED(status = wait_for(pid, 0))) {
		CHECK_EQ(status, 0x57f);
		CHECK(count < 8);
		siginfo_t info;
		memset(&info, 0, sizeof(info));
		CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, NULL, &info), 0);
		CHECK_EQ(info.si_signo, SIGTRAP);
		CHECK_EQ(info.si_code, SIGTRAP);
		in_syscall = !in_syscall;
		record_stop(pid, &stops[count++], in_syscall);
		resume(pid, PTRACE_SYSCALL, 0);
	}
	CHECK_EXITED(status, KNOWN_EXIT);
	CHECK_EQ(count, 7);
	check_known_sequence(stops, pid, fds[1], getpid());
	check_pipe_says_ptrace(fds[0]);
}

static const char *self_path(void)
{
	if (tap_argv0 && tap_argv0[0] == '/')
		return tap_argv0;
	return tap_path("/tests/test_ptrace");
}

/*
 * The loop across an execve: execve's entry and exit stops (rax 0), then
 * the SIGTRAP that exec sends a tracee without PTRACE_O_TRACEEXEC, a
 * signal-delivery-stop (0x57f, not a syscall stop: the toggle must not
 * flip) that the tracer suppresses; then the new image's syscalls, the
 * C runtime's start-up first (not checked: arch_prctl, set_tid_address,
 * ...), the known sequence last.
 */
#define MAX_EXEC_STOPS 128

static void test_syscall_loop_across_execve(void)
{
	int fds[2];
	make_pipe(fds);
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(fds[0]);
		char fd_text[16];
		snprintf(fd_text, sizeof(fd_text), "%d", fds[1]);
		char *argv[] = { (char *)self_path(), "--syscalls", fd_text, NULL };
		char *envp[] = { NULL };
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(127);
		kill(getpid(), SIGSTOP);
		execve(argv[0], argv, envp);
		_exit(126);
	}
	close(fds[1]);
	expect_stop(pid, SIGSTOP);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), 0);

	static struct sc_stop stops[MAX_EXEC_STOPS];
	int count = 0, in_syscall = 0, status, exec_sigtrap_at = -1;
	resume(pid, PTRACE_SYSCALL, 0);
	while (WIFSTOPPED(status = wait_for(pid, 0))) {
		CHECK(count < MAX_EXEC_STOPS);
		if (STOP_CODE(status) == SIGTRAP) {
			/* The exec SIGTRAP, once, right after execve's exit stop. */
			CHECK_EQ(exec_sigtrap_at, -1);
			CHECK_EQ(in_syscall, 0);
			exec_sigtrap_at = count;
			resume(pid, PTRACE_SYSCALL, 0); /* suppressed */
			continue;
		}
		CHECK_STOP(status, SYSCALL_STOP);
		in_syscall = !in_syscall;
		record_stop(pid, &stops[count], in_syscall);
		if (!in_syscall) {
			CHECK_EQ(stops[count].nr, stops[count - 1].nr);
			if (stops[count].nr != SYS_execve) /* a new image, a new rip */
				CHECK_EQ(stops[count].rip, stops[count - 1].rip);
		} else {
			CHECK_EQ(stops[count].rax, ENTRY_RAX);
		}
		count++;
		resume(pid, PTRACE_SYSCALL, 0);
	}
	CHECK_EXITED(status, KNOWN_EXIT);
	CHECK(count >= 9);
	CHECK_EQ(stops[0].nr, SYS_execve);
	CHECK(stops[0].entry);
	CHECK_EQ(stops[1].nr, SYS_execve);
	CHECK_EQ(stops[1].rax, 0);
	CHECK_EQ(exec_sigtrap_at, 2);
	check_known_sequence(&stops[count - 7], pid, fds[1], getpid());
	check_pipe_says_ptrace(fds[0]);
}

/* --- GETREGS/SETREGS: skipping a syscall, changing a result -------------- */

static int skip_fd = -1;

/* Exits 0 iff getpid returned 12345 and the skipped write returned 77. */
static int changed_results_body(void)
{
	long fake_pid = syscall(SYS_getpid);
	long written = syscall(SYS_write, skip_fd, "x", 1);
	long real_pid = syscall(SYS_getpid); /* untouched */
	int bad = 0;
	if (fake_pid != 12345)
		bad |= 1;
	if (written != 77)
		bad |= 2;
	if (real_pid != getpid() || real_pid == 12345)
		bad |= 4;
	return bad;
}

/* Runs the tracee to its next syscall stop; returns the registers there. */
static void next_syscall_stop(pid_t pid, struct user_regs_struct *regs)
{
	resume(pid, PTRACE_SYSCALL, 0);
	expect_stop(pid, SYSCALL_STOP);
	get_regs(pid, regs);
}

/*
 * getpid's result changed at its exit stop (the change a tracer could
 * not make with relibc); write skipped by orig_rax = -1 at its entry
 * stop, its exit stop still reported, with rax -ENOSYS until the tracer
 * writes the result it wants.
 */
static void test_setregs_skip_and_change_result(void)
{
	int fds[2];
	make_pipe(fds);
	skip_fd = fds[1];
	pid_t pid = fork_tracee(changed_results_body);
	close(fds[1]);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), 0);
	struct user_regs_struct regs;

	next_syscall_stop(pid, &regs); /* getpid entry */
	CHECK_EQ(regs.orig_rax, SYS_getpid);
	next_syscall_stop(pid, &regs); /* getpid exit */
	CHECK_EQ(regs.orig_rax, SYS_getpid);
	CHECK_EQ(regs.rax, pid);
	regs.rax = 12345;
	set_regs(pid, &regs);
	get_regs(pid, &regs);
	CHECK_EQ(regs.rax, 12345);

	next_syscall_stop(pid, &regs); /* write entry */
	CHECK_EQ(regs.orig_rax, SYS_write);
	CHECK_EQ(regs.rdi, fds[1]);
	regs.orig_rax = -1;
	set_regs(pid, &regs);
	next_syscall_stop(pid, &regs); /* write "exit": nothing ran */
	CHECK_EQ(regs.orig_rax, (unsigned long long)-1);
	CHECK_EQ(regs.rax, ENTRY_RAX);
	regs.rax = 77;
	set_regs(pid, &regs);

	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0);
	/* The write never happened: the pipe is empty, and now at end of file. */
	char byte;
	CHECK_EQ(read(fds[0], &byte, 1), 0);
}

/*
 * PEEKUSER and POKEUSER on the regs area of struct user: the same words
 * as GETREGS, and a result changed through POKEUSER of rax at the exit
 * stop (strace reads orig_rax this way).
 */
static int pokeuser_body(void)
{
	return syscall(SYS_getppid) == 4242 ? 0 : 1;
}

static void test_peekuser_pokeuser(void)
{
	pid_t pid = fork_tracee(pokeuser_body);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), 0);
	struct user_regs_struct regs;
	next_syscall_stop(pid, &regs); /* getppid entry */
	errno = 0;
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(regs.orig_rax)), NULL),
		 SYS_getppid);
	CHECK_EQ(errno, 0);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(regs.rip)), NULL), regs.rip);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(regs.rsp)), NULL), regs.rsp);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(regs.rax)), NULL), -ENOSYS);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(regs.cs)), NULL), regs.cs);

	next_syscall_stop(pid, &regs); /* getppid exit */
	CHECK_EQ(regs.rax, getpid());
	CHECK_EQ(ptrace(PTRACE_POKEUSER, pid, PTRACE_ARG(USER_OFFSET(regs.rax)), PTRACE_ARG(4242)), 0);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(regs.rax)), NULL), 4242);
	get_regs(pid, &regs);
	CHECK_EQ(regs.rax, 4242);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/* --- ATTACH, PEEKDATA/POKEDATA, DETACH ------------------------------------ */

/*
 * A global: after fork it is at the same address in tracer and tracee,
 * with the tracee's own copy of the value.
 */
static volatile unsigned long shared_word = 7;

/*
 * An untraced child that changes shared_word, says so on `ready`, blocks
 * reading `go`, then exits with the low byte of shared_word.
 */
static pid_t fork_waiting_child(int ready[2], int go[2])
{
	make_pipe(ready);
	make_pipe(go);
	pid_t pid = tap_fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		shared_word = 0x1122334455667788UL;
		tap_write_fully(ready[1], "r", 1);
		read_byte(go[0]);
		_exit((int)(shared_word & 0xff));
	}
	close(ready[1]);
	close(go[0]);
	CHECK_EQ(read_byte(ready[0]), 'r');
	return pid;
}

/*
 * ATTACH to a child blocked in read: it stops with SIGSTOP (status
 * 0x137f); its memory is read and written word by word; after DETACH it
 * resumes its read (restarted, not EINTR) and sees the poked value.
 */
static void test_attach_peek_poke_detach(void)
{
	int ready[2], go[2];
	pid_t pid = fork_waiting_child(ready, go);
	CHECK_EQ(ptrace(PTRACE_ATTACH, pid, NULL, NULL), 0);
	CHECK_EQ(wait_for(pid, 0), 0x137f);

	CHECK_EQ(peek(pid, (const void *)&shared_word), 0x1122334455667788UL);
	CHECK_EQ(ptrace(PTRACE_PEEKTEXT, pid, (void *)&shared_word, NULL), 0x1122334455667788UL);
	CHECK_EQ(shared_word, 7); /* ours is untouched */
	poke(pid, (void *)&shared_word, 0x42);
	CHECK_EQ(peek(pid, (const void *)&shared_word), 0x42);
	CHECK_EQ(shared_word, 7);

	CHECK_EQ(ptrace(PTRACE_DETACH, pid, NULL, NULL), 0);
	/* No longer ours: every request is ESRCH. */
	CHECK_ERRNO(ptrace(PTRACE_PEEKDATA, pid, (void *)&shared_word, NULL), ESRCH);
	tap_write_fully(go[1], "g", 1);
	CHECK_EXITED(wait_for(pid, 0), 0x42);
}

/* Bytes the tracee fills in after fork, for unaligned and all-ones PEEKs. */
static volatile unsigned char tracee_bytes[16];
static volatile unsigned long all_ones_word;

static int fill_bytes_body(void)
{
	for (int i = 0; i < 16; i++)
		tracee_bytes[i] = (unsigned char)(0x10 + i);
	all_ones_word = ~0UL;
	raise(SIGUSR1); /* a stop, for the tracer to look */
	return 0;
}

/*
 * PEEK returns the word itself, so a word of all ones comes back as -1
 * with errno left 0 (the caller clears errno first); x86 lets PEEK and
 * POKE use unaligned addresses; POKETEXT writes through a read-only
 * mapping, as debuggers need.
 */
static void test_peek_poke_words(void)
{
	char *readonly = tap_readonly_page(); /* same address in the child */
	pid_t pid = fork_tracee(fill_bytes_body);
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGUSR1);

	errno = 0;
	CHECK_EQ(ptrace(PTRACE_PEEKDATA, pid, (void *)&all_ones_word, NULL), -1);
	CHECK_EQ(errno, 0);

	CHECK_EQ(peek(pid, (const void *)(tracee_bytes + 3)), 0x1a19181716151413UL);
	poke(pid, (void *)(tracee_bytes + 5), 0xa7a6a5a4a3a2a1a0UL);
	CHECK_EQ(peek(pid, (const void *)tracee_bytes), 0xa2a1a01413121110UL);
	CHECK_EQ(peek(pid, (const void *)(tracee_bytes + 8)), 0x1f1e1da7a6a5a4a3UL);

	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, readonly, PTRACE_ARG(0x0123456789abcdefUL)), 0);
	CHECK_EQ(peek(pid, readonly), 0x0123456789abcdefUL);
	CHECK_EQ(*(volatile unsigned long *)readonly, 0); /* ours is untouched */

	resume(pid, PTRACE_CONT, 0); /* SIGUSR1 suppressed */
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/* --- a breakpoint: POKETEXT of int3 --------------------------------------- */

static volatile int breakpoint_calls;

__attribute__((noinline, noclone)) static void breakpoint_target(void)
{
	breakpoint_calls++;
	asm volatile("" ::: "memory");
}

static int breakpoint_body(void)
{
	for (int i = 0; i < 3; i++)
		breakpoint_target();
	return breakpoint_calls;
}

/*
 * The debugger's breakpoint: int3 (0xCC) poked over the first byte of a
 * function. Each hit is a SIGTRAP stop with rip one past the int3; the
 * tracer rewinds rip, puts the original word back, single-steps over it
 * (another SIGTRAP stop, rip elsewhere), re-inserts the int3 and
 * continues. Three calls, three hits, and the function ran three times.
 */
static void test_breakpoint_three_hits(void)
{
	pid_t pid = fork_tracee(breakpoint_body);
	void *target = (void *)breakpoint_target;
	unsigned long original = ptrace(PTRACE_PEEKTEXT, pid, target, NULL);
	unsigned long with_int3 = (original & ~0xffUL) | 0xcc;
	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, target, PTRACE_ARG(with_int3)), 0);
	CHECK_EQ(ptrace(PTRACE_PEEKTEXT, pid, target, NULL), with_int3);

	int hits = 0, status;
	resume(pid, PTRACE_CONT, 0);
	while (WIFSTOPPED(status = wait_for(pid, 0))) {
		CHECK_EQ(status, 0x57f);
		struct user_regs_struct regs;
		get_regs(pid, &regs);
		CHECK(regs.rip == (uintptr_t)target + 1);
		hits++;
		regs.rip--;
		set_regs(pid, &regs);
		CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, target, PTRACE_ARG(original)), 0);
		resume(pid, PTRACE_SINGLESTEP, 0);
		CHECK_EQ(wait_for(pid, 0), 0x57f);
		get_regs(pid, &regs);
		CHECK(regs.rip != (uintptr_t)target);
		CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, target, PTRACE_ARG(with_int3)), 0);
		resume(pid, PTRACE_CONT, 0);
	}
	CHECK_EXITED(status, 3);
	CHECK_EQ(hits, 3);
	CHECK_EQ(breakpoint_calls, 0); /* the tracer's own copy never ran it */
}

/* --- exact single-step counts --------------------------------------------- */

extern const char ptrace_step_a[], ptrace_step_b[], ptrace_step_c[], ptrace_step_d[];

/*
 * A straight line of known instructions between global labels: ten
 * one-byte nops from A to B; from B, `mov $39, %eax` (5 bytes) and a
 * `syscall` (getpid) to C; then `add %eax, %eax` and a short jmp over
 * a ud2 to D. noclone: the labels must exist once.
 */
__attribute__((noinline, noclone)) static long step_block(void)
{
	long result;
	asm volatile(".globl ptrace_step_a\n"
		     "ptrace_step_a:\n\t"
		     "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
		     "nop\n\tnop\n\tnop\n\tnop\n\tnop\n"
		     ".globl ptrace_step_b\n"
		     "ptrace_step_b:\n\t"
		     ".byte 0xb8, 0x27, 0, 0, 0\n\t" /* mov $39 (getpid), %eax */
		     "syscall\n"
		     ".globl ptrace_step_c\n"
		     "ptrace_step_c:\n\t"
		     "add %%eax, %%eax\n\t"
		     "jmp 1f\n\t"
		     "ud2\n"
		     "1:\n"
		     ".globl ptrace_step_d\n"
		     "ptrace_step_d:\n\t"
		     "nop\n"
		     : "=a"(result)
		     :
		     : "rcx", "r11", "memory");
	return result;
}

static int step_body(void)
{
	return step_block() == 2L * getpid() ? 0 : 1;
}

/* One PTRACE_SINGLESTEP: a SIGTRAP stop; returns the new rip. */
static unsigned long long single_step(pid_t pid)
{
	resume(pid, PTRACE_SINGLESTEP, 0);
	CHECK_EQ(wait_for(pid, 0), 0x57f);
	struct user_regs_struct regs;
	get_regs(pid, &regs);
	return regs.rip;
}

/*
 * A breakpoint at A, then single steps: exactly one stop per instruction
 * (ten from A to B, one per nop); a step over `syscall` runs the whole
 * syscall and stops on the next instruction (getpid's result in rax); a
 * taken jmp is one step.
 */
static void test_single_step_counts(void)
{
	pid_t pid = fork_tracee(step_body);
	void *at_a = (void *)ptrace_step_a;
	unsigned long original = ptrace(PTRACE_PEEKTEXT, pid, at_a, NULL);
	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, at_a, PTRACE_ARG((original & ~0xffUL) | 0xcc)), 0);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EQ(wait_for(pid, 0), 0x57f);
	struct user_regs_struct regs;
	get_regs(pid, &regs);
	CHECK(regs.rip == (uintptr_t)ptrace_step_a + 1);
	regs.rip--;
	set_regs(pid, &regs);
	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, at_a, PTRACE_ARG(original)), 0);

	int steps = 0;
	unsigned long long rip = regs.rip;
	while (rip != (uintptr_t)ptrace_step_b) {
		CHECK(steps < 20);
		rip = single_step(pid);
		steps++;
		CHECK(rip == (uintptr_t)ptrace_step_a + steps);
	}
	CHECK_EQ(steps, 10);

	CHECK(single_step(pid) == (uintptr_t)ptrace_step_b + 5);
	CHECK(single_step(pid) == (uintptr_t)ptrace_step_c); /* the whole syscall */
	get_regs(pid, &regs);
	CHECK_EQ(regs.rax, pid);
	CHECK(single_step(pid) == (uintptr_t)ptrace_step_c + 2); /* add */
	CHECK(single_step(pid) == (uintptr_t)ptrace_step_d);     /* jmp over ud2 */
	get_regs(pid, &regs);
	CHECK_EQ(regs.rax, 2L * pid);

	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/* --- errors --------------------------------------------------------------- */

/* A pid that no process has: larger than Linux's largest pid_max (2^22). */
#define NO_SUCH_PID 0x3ffffff0

/*
 * ESRCH for a process we do not trace (our own untraced child, one that
 * does not exist, pid 0 and -1) whatever the request, even KILL and
 * INTERRUPT, which skip the "stopped" check.
 */
static void test_esrch_not_traced(void)
{
	int ready[2], go[2];
	pid_t pid = fork_waiting_child(ready, go);
	struct user_regs_struct regs;
	unsigned long msg;
	const pid_t pids[] = { pid, NO_SUCH_PID, 0, -1 };
	for (int i = 0; i < TAP_COUNT(pids); i++) {
		pid_t target = pids[i];
		CHECK_ERRNO(ptrace(PTRACE_PEEKDATA, target, (void *)&shared_word, NULL), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_POKEDATA, target, (void *)&shared_word, NULL), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_GETREGS, target, NULL, &regs), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_CONT, target, NULL, NULL), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_SYSCALL, target, NULL, NULL), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_SETOPTIONS, target, NULL, NULL), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_GETEVENTMSG, target, NULL, &msg), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_DETACH, target, NULL, NULL), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_KILL, target, NULL, NULL), ESRCH);
		CHECK_ERRNO(ptrace(PTRACE_INTERRUPT, target, NULL, NULL), ESRCH);
	}
	CHECK_ERRNO(ptrace(PTRACE_ATTACH, NO_SUCH_PID, NULL, NULL), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_SEIZE, NO_SUCH_PID, NULL, NULL), ESRCH);
	/* The child was never disturbed. */
	tap_write_fully(go[1], "g", 1);
	CHECK_EXITED(wait_for(pid, 0), 0x88);
}

static int esrch_ready_fd = -1, esrch_go_fd = -1, esrch_go_write_fd = -1;

static int running_body(void)
{
	close(esrch_go_write_fd); /* end of file if the tracer dies */
	tap_write_fully(esrch_ready_fd, "r", 1);
	return read_byte(esrch_go_fd) == 'g' ? 0 : 1;
}

/*
 * ESRCH for a tracee that is ours but running: it said "r" after being
 * continued and blocks in read, which is not a ptrace stop. Every request
 * that needs a stopped tracee fails, DETACH included; ATTACH and SEIZE
 * give EPERM (already traced). KILL and INTERRUPT are the exceptions
 * (see test_esrch_not_traced and test_ptrace_events.c).
 */
static void test_esrch_running_tracee(void)
{
	int ready[2], go[2];
	make_pipe(ready);
	make_pipe(go);
	esrch_ready_fd = ready[1];
	esrch_go_fd = go[0];
	esrch_go_write_fd = go[1];
	pid_t pid = fork_tracee(running_body);
	close(ready[1]);
	close(go[0]);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EQ(read_byte(ready[0]), 'r');

	struct user_regs_struct regs;
	unsigned long msg;
	siginfo_t info;
	CHECK_ERRNO(ptrace(PTRACE_GETREGS, pid, NULL, &regs), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_SETREGS, pid, NULL, &regs), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_PEEKDATA, pid, (void *)&shared_word, NULL), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_PEEKUSER, pid, NULL, NULL), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_POKEDATA, pid, (void *)&shared_word, NULL), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_CONT, pid, NULL, NULL), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(PTRACE_O_TRACESYSGOOD)), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_GETSIGINFO, pid, NULL, &info), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_DETACH, pid, NULL, NULL), ESRCH);
	CHECK_ERRNO(ptrace(PTRACE_ATTACH, pid, NULL, NULL), EPERM);
	CHECK_ERRNO(ptrace(PTRACE_SEIZE, pid, NULL, NULL), EPERM);

	/* Still traced, and still running: let it finish. */
	int status;
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	tap_write_fully(go[1], "g", 1);
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/*
 * EPERM: ATTACH and SEIZE to oneself; to a tracee we already trace,
 * stopped or running; PTRACE_TRACEME a second time (the child checks).
 */
static void test_eperm_self_and_double(void)
{
	CHECK_ERRNO(ptrace(PTRACE_ATTACH, getpid(), NULL, NULL), EPERM);
	CHECK_ERRNO(ptrace(PTRACE_SEIZE, getpid(), NULL, NULL), EPERM);

	int ready[2], go[2];
	pid_t pid = fork_waiting_child(ready, go);
	CHECK_EQ(ptrace(PTRACE_ATTACH, pid, NULL, NULL), 0);
	CHECK_EQ(wait_for(pid, 0), 0x137f);
	CHECK_ERRNO(ptrace(PTRACE_ATTACH, pid, NULL, NULL), EPERM); /* stopped */
	CHECK_ERRNO(ptrace(PTRACE_SEIZE, pid, NULL, NULL), EPERM);
	resume(pid, PTRACE_CONT, 0);
	CHECK_ERRNO(ptrace(PTRACE_ATTACH, pid, NULL, NULL), EPERM); /* running */
	tap_write_fully(go[1], "g", 1);
	CHECK_EXITED(wait_for(pid, 0), 0x88);

	pid = tap_fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(1);
		errno = 0;
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != -1 || errno != EPERM)
			_exit(2);
		_exit(0);
	}
	CHECK_EXITED(wait_for(pid, 0), 0);
}

static int stop_once_body(void)
{
	raise(SIGUSR1);
	return 0;
}

/*
 * The errors of a stopped tracee: EIO for PEEK and POKE of an unmapped,
 * kernel, non-canonical or half-mapped address, for PEEKUSER outside the
 * regs area or unaligned, for an unknown request and for an invalid
 * signal number; EINVAL for unknown options; EFAULT for bad buffers in
 * the tracer. The tracee is unharmed and exits normally.
 */
static void test_errors_of_a_stopped_tracee(void)
{
	void *unmapped = tap_unmapped_page();
	void *straddling = tap_straddling_pointer(8);
	pid_t pid = fork_tracee(stop_once_body);

	void *addrs[TAP_BAD_COUNT + 2];
	for (int i = 0; i < TAP_BAD_COUNT; i++)
		addrs[i] = tap_bad_pointers[i];
	addrs[TAP_BAD_COUNT] = unmapped;
	addrs[TAP_BAD_COUNT + 1] = straddling;
	for (int i = 0; i < TAP_COUNT(addrs); i++) {
		CHECK_ERRNO(ptrace(PTRACE_PEEKDATA, pid, addrs[i], NULL), EIO);
		CHECK_ERRNO(ptrace(PTRACE_PEEKTEXT, pid, addrs[i], NULL), EIO);
		CHECK_ERRNO(ptrace(PTRACE_POKEDATA, pid, addrs[i], PTRACE_ARG(1)), EIO);
		CHECK_ERRNO(ptrace(PTRACE_POKETEXT, pid, addrs[i], PTRACE_ARG(1)), EIO);
	}

	/*
	 * struct user as the kernel has it is 16 bytes longer than musl's
	 * (error_code and fault_address after u_debugreg): 928 bytes. Aligned
	 * offsets below that and outside regs and u_debugreg read as 0 and
	 * refuse writes.
	 */
	const long user_size = (long)sizeof(struct user) + 16;
	CHECK_ERRNO(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(user_size), NULL), EIO);
	CHECK_ERRNO(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(-8L), NULL), EIO);
	CHECK_ERRNO(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(regs.rip) + 3), NULL), EIO);
	CHECK_ERRNO(ptrace(PTRACE_POKEUSER, pid, PTRACE_ARG(user_size), NULL), EIO);
	CHECK_ERRNO(ptrace(PTRACE_POKEUSER, pid, PTRACE_ARG(USER_OFFSET(regs.rip) + 3), NULL), EIO);
	CHECK_ERRNO(ptrace(PTRACE_POKEUSER, pid, PTRACE_ARG(USER_OFFSET(u_fpvalid)), NULL), EIO);
	errno = 0;
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(u_fpvalid)), NULL), 0);
	CHECK_EQ(errno, 0);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(user_size - 8), NULL), 0);
	CHECK_EQ(errno, 0);
	/* u_debugreg reads as 0 on Linux; Loupe has no watchpoints yet: EIO (issue 7). */
	if (on_loupe())
		CHECK_ERRNO(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(u_debugreg[7])), NULL), EIO);
	else
		CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, PTRACE_ARG(USER_OFFSET(u_debugreg[7])), NULL), 0);

	/* Register values a tracer may not set: a kernel or null CS, a kernel FS base. */
	struct user_regs_struct before, bad_regs;
	get_regs(pid, &before);
	bad_regs = before;
	bad_regs.cs = 0x10;
	CHECK_ERRNO(ptrace(PTRACE_SETREGS, pid, NULL, &bad_regs), EIO);
	bad_regs.cs = 0;
	CHECK_ERRNO(ptrace(PTRACE_SETREGS, pid, NULL, &bad_regs), EIO);
	CHECK_ERRNO(ptrace(PTRACE_POKEUSER, pid, PTRACE_ARG(USER_OFFSET(regs.cs)), PTRACE_ARG(0x10)), EIO);
	bad_regs = before;
	bad_regs.fs_base = 0xffffffff80000000UL;
	CHECK_ERRNO(ptrace(PTRACE_SETREGS, pid, NULL, &bad_regs), EIO);

	CHECK_ERRNO(ptrace(0x7777, pid, NULL, NULL), EIO);
	CHECK_ERRNO(ptrace(0x42ff, pid, NULL, NULL), EIO);
	CHECK_ERRNO(ptrace(-1, pid, NULL, NULL), EIO);
	CHECK_ERRNO(ptrace(PTRACE_CONT, pid, NULL, PTRACE_ARG(65)), EIO);
	CHECK_ERRNO(ptrace(PTRACE_SYSCALL, pid, NULL, PTRACE_ARG(-1)), EIO);
	CHECK_ERRNO(ptrace(PTRACE_DETACH, pid, NULL, PTRACE_ARG(65)), EIO);
	CHECK_ERRNO(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(0x80000000UL)), EINVAL);
	CHECK_ERRNO(ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_ARG(0x100)), EINVAL);

	for (int i = 0; i < TAP_BAD_COUNT; i++) {
		void *bad = tap_bad_pointers[i];
		CHECK_ERRNO(ptrace(PTRACE_GETREGS, pid, NULL, bad), EFAULT);
		CHECK_ERRNO(ptrace(PTRACE_SETREGS, pid, NULL, bad), EFAULT);
		CHECK_ERRNO(ptrace(PTRACE_GETFPREGS, pid, NULL, bad), EFAULT);
		CHECK_ERRNO(ptrace(PTRACE_GETEVENTMSG, pid, NULL, bad), EFAULT);
		CHECK_ERRNO(ptrace(PTRACE_GETSIGINFO, pid, NULL, bad), EFAULT);
	}
	CHECK_ERRNO(ptrace(PTRACE_GETREGS, pid, NULL, tap_straddling_pointer(sizeof(struct user_regs_struct))),
		    EFAULT);

	/* Nothing of that changed the tracee or its stop. */
	struct user_regs_struct after;
	get_regs(pid, &after);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	resume(pid, PTRACE_CONT, 0);
	expect_stop(pid, SIGUSR1);
	resume(pid, PTRACE_CONT, 0);
	CHECK_EXITED(wait_for(pid, 0), 0);
}

/*
 * A PROT_NONE page of the tracee: Linux reads and writes it anyway
 * (ptrace uses FOLL_FORCE); Loupe's mem file refuses it with EIO
 * (docs/ptrace-abi.md, "mem"), which the shim passes on. Both are
 * checked here, each where it holds.
 */
static void test_peek_prot_none(void)
{
	unsigned long *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	pid_t pid = fork_tracee(stop_once_body);
	if (on_loupe()) {
		CHECK_ERRNO(ptrace(PTRACE_PEEKDATA, pid, page, NULL), EIO);
		CHECK_ERRNO(ptrace(PTRACE_POKEDATA, pid, page, NULL), EIO);
	} else {
		CHECK_EQ(peek(pid, page), 0);
		poke(pid, page, 99);
		CHECK_EQ(peek(pid, page), 99);
	}
	kill_tracee(pid);
}

static const struct tap_test tests[] = {
	{ "PTRACE_SYSCALL loop with TRACESYSGOOD: entry/exit, orig_rax, rax, args", test_syscall_loop_sysgood },
	{ "PTRACE_SYSCALL loop without TRACESYSGOOD: SIGTRAP stops, the toggle", test_syscall_loop_plain_sigtrap },
	{ "PTRACE_SYSCALL loop across execve: exec SIGTRAP, new image's syscalls", test_syscall_loop_across_execve },
	{ "SETREGS: orig_rax -1 skips a syscall, results changed at exit", test_setregs_skip_and_change_result },
	{ "PEEKUSER/POKEUSER of the regs area", test_peekuser_pokeuser },
	{ "ATTACH a running child: SIGSTOP, PEEKDATA/POKEDATA, DETACH", test_attach_peek_poke_detach },
	{ "PEEK of all ones (errno 0), unaligned PEEK/POKE, POKETEXT to read-only", test_peek_poke_words },
	{ "breakpoint: POKETEXT int3, rewind, SINGLESTEP, re-insert, three hits", test_breakpoint_three_hits },
	{ "SINGLESTEP: exact counts over nops, syscall and jmp", test_single_step_counts },
	{ "ESRCH: untraced child, no such pid, pid 0 and -1", test_esrch_not_traced },
	{ "ESRCH: a traced but running tracee; EPERM to attach it", test_esrch_running_tracee },
	{ "EPERM: attach to self, double attach, TRACEME twice", test_eperm_self_and_double },
	{ "EIO, EINVAL, EFAULT at a stop: bad addresses, requests, signals, buffers", test_errors_of_a_stopped_tracee },
	{ "PEEK/POKE of a PROT_NONE page (Linux: allowed; Loupe: EIO)", test_peek_prot_none },
};

int main(int argc, char **argv)
{
	tap_argv0 = argv[0];
	if (argc >= 3 && strcmp(argv[1], "--syscalls") == 0) {
		known_syscalls(atoi(argv[2]));
		return 1; /* not reached */
	}
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
