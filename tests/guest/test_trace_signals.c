/* SPDX-License-Identifier: MIT */
/*
 * test_trace_signals - the signal stops of issue 6, with the raw files
 * (no ptrace shim): a signal dropped, delivered, replaced and injected,
 * fatal ones, SIGKILL never stopping, ignored and blocked signals, a
 * fault the tracer fixes through regs, a signal during a syscall stop;
 * the siginfo file (PTRACE_GETSIGINFO/SETSIGINFO), GROUP_STOP and
 * LOUPE_RESUME_LISTEN (a seized tracee's group-stop and PTRACE_LISTEN).
 *
 * Single steps, breakpoints, interrupt, sysemu and the filter are in
 * test_trace_stops; fork, exec and consent in test_trace_events.
 *
 * Loupe only (TAP_LOUPE_ONLY): Linux has no such files.
 */
#include "trace_util.h"

extern long segv_block(void);
extern char segv_insn[], segv_after[];

__asm__(
	".text\n"
	/* A load from address 0 (8 bytes: 48 8b 04 25 00 00 00 00). */
	".globl segv_block\n"
	"segv_block:\n"
	"	xor %eax, %eax\n"
	".globl segv_insn\n"
	"segv_insn:\n"
	"	mov 0, %rax\n"
	".globl segv_after\n"
	"segv_after:\n"
	"	ret\n");

/* --- signal stops ------------------------------------------------------------------------ */

static volatile int usr1_count, usr2_count, usr2_signo;

static void usr_handler(int sig, siginfo_t *info, void *context)
{
	(void)context;
	if (sig == SIGUSR1)
		usr1_count++;
	else if (sig == SIGUSR2) {
		usr2_count++;
		usr2_signo = info->si_signo;
	}
}

static long usr_counts(void)
{
	return usr1_count * 100 + usr2_count;
}

static void body_signals(void)
{
	sigaction_of(SIGUSR1, usr_handler, 0);
	sigaction_of(SIGUSR2, usr_handler, 0);
	kill(getpid(), SIGUSR1);        /* dropped */
	tracee_say(usr_counts());
	kill(getpid(), SIGUSR1);        /* delivered */
	tracee_say(usr_counts());
	kill(getpid(), SIGUSR1);        /* replaced by SIGUSR2 */
	tracee_say(usr_counts());
	tracee_say(usr2_signo);
	raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);   /* SIGUSR2 injected at its entry stop */
	tracee_say(usr_counts());
	kill(getpid(), SIGTERM);        /* dropped: it survives */
	tracee_say(7);
	kill(getpid(), SIGTERM);        /* delivered: fatal */
	tracee_say(8);
}

static struct loupe_trace_resume signal_resume(int sig)
{
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SIGNAL | LOUPE_STOP_SYSCALL_ENTRY |
							   LOUPE_STOP_EXIT, 0, LOUPE_OPT_FILTER);
	trace_filter_add(&resume, SYS_getppid);
	resume.signal = sig;
	return resume;
}

static void expect_signal_stop(int fd, pid_t pid, int sig, int code, pid_t sender)
{
	struct loupe_trace_event event;
	trace_expect(fd, pid, LOUPE_EVENT_SIGNAL, &event);
	CHECK_EQ(event.signal, sig);
	siginfo_t info = event_siginfo(&event);
	CHECK_EQ(info.si_signo, sig);
	CHECK_EQ(info.si_code, code);
	if (code == SI_USER) {
		CHECK_EQ(info.si_pid, sender);
		CHECK_EQ(info.si_uid, 0);
	}
	struct loupe_user_regs regs;
	regs_of(pid, &regs);
	CHECK_EQ(regs.rip, event.rip);
	CHECK_EQ(proc_state(pid), 't');
}

static void test_signal_drop_deliver_replace_inject(void)
{
	struct tracee child = tracee_start(body_signals);
	int fd = trace_open(child.pid);
	struct loupe_trace_resume resume = signal_resume(0);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	struct loupe_trace_event event;

	expect_signal_stop(fd, child.pid, SIGUSR1, SI_USER, child.pid);
	resume = signal_resume(0);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 0);             /* dropped: no handler ran */

	expect_signal_stop(fd, child.pid, SIGUSR1, SI_USER, child.pid);
	resume = signal_resume(SIGUSR1);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 100);

	expect_signal_stop(fd, child.pid, SIGUSR1, SI_USER, child.pid);
	resume = signal_resume(SIGUSR2);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 101);
	CHECK_EQ(tracee_report(&child), SIGUSR2);       /* the handler's si_signo */

	/* At a non-signal stop the resume's signal is sent: a SIGNAL stop for it follows. */
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	resume = signal_resume(SIGUSR2);
	trace_resume_write(fd, &resume);
	trace_expect(fd, child.pid, LOUPE_EVENT_SIGNAL, &event);
	CHECK_EQ(event.signal, SIGUSR2);
	resume = signal_resume(SIGUSR2);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 102);

	/* A fatal signal dropped: it lives on; delivered: the EXIT stop, then DEATH. */
	expect_signal_stop(fd, child.pid, SIGTERM, SI_USER, child.pid);
	resume = signal_resume(0);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 7);
	expect_signal_stop(fd, child.pid, SIGTERM, SI_USER, child.pid);
	resume = signal_resume(SIGTERM);
	trace_resume_write(fd, &resume);
	trace_expect(fd, child.pid, LOUPE_EVENT_EXIT, &event);
	CHECK_EQ(event.status, SIGNALED_STATUS(SIGTERM));
	trace_arm(fd, 0, 0);
	trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGTERM));
	CHECK_SIGNALED(tap_wait(child.pid), SIGTERM);
}

static volatile int handler_signo, handler_code, handler_value;

static void record_handler(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	handler_signo = info->si_signo;
	handler_code = info->si_code;
	handler_value = info->si_value.sival_int;
}

static void body_siginfo(void)
{
	sigaction_of(SIGUSR1, record_handler, 0);
	sigaction_of(SIGUSR2, record_handler, 0);
	kill(getpid(), SIGUSR2);        /* its siginfo rewritten by the tracer */
	tracee_say(handler_code + 100);
	tracee_say(handler_value);
	kill(getpid(), SIGUSR2);        /* rewritten, then resumed with SIGUSR1 */
	tracee_say(handler_signo);
	tracee_say(handler_code + 100);
	raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
}

/*
 * /proc/<pid>/siginfo (PTRACE_GETSIGINFO/SETSIGINFO): the siginfo of the
 * signal a SIGNAL stop reports, readable and replaceable there only.
 */
static void test_signal_siginfo_file(void)
{
	struct tracee child = tracee_start(body_siginfo);
	int fd = trace_open(child.pid);
	int sfd = open(proc_path(child.pid, "siginfo"), O_RDWR);
	CHECK(sfd >= 0);
	siginfo_t info;
	CHECK_ERRNO(pread(sfd, &info, sizeof(info), 0), EBUSY);        /* running: no stop */
	struct loupe_trace_resume resume = signal_resume(0);
	trace_resume_write(fd, &resume);
	tracee_go(&child);

	expect_signal_stop(fd, child.pid, SIGUSR2, SI_USER, child.pid);
	memset(&info, 0, sizeof(info));
	CHECK_EQ(pread(sfd, &info, sizeof(info), 0), (ssize_t)sizeof(info));
	CHECK_EQ(info.si_signo, SIGUSR2);
	CHECK_EQ(info.si_code, SI_USER);
	CHECK_EQ(info.si_pid, child.pid);
	CHECK_ERRNO(pread(sfd, &info, sizeof(info) - 1, 0), EINVAL);
	CHECK_ERRNO(pread(sfd, &info, sizeof(info), 8), EINVAL);
	CHECK_ERRNO(pread(sfd, TAP_BAD_KERNEL, sizeof(info), 0), EFAULT);
	CHECK_ERRNO(pwrite(sfd, TAP_BAD_KERNEL, sizeof(info), 0), EFAULT);
	CHECK_ERRNO(pwrite(sfd, tap_unmapped_page(), sizeof(info), 0), EFAULT);
	info.si_code = SI_QUEUE;
	info.si_value.sival_int = 1234;
	CHECK_EQ(pwrite(sfd, &info, sizeof(info), 0), (ssize_t)sizeof(info));
	memset(&info, 0, sizeof(info));
	CHECK_EQ(pread(sfd, &info, sizeof(info), 0), (ssize_t)sizeof(info));
	CHECK_EQ(info.si_code, SI_QUEUE);       /* the failed writes changed nothing */
	CHECK_EQ(info.si_value.sival_int, 1234);
	resume = signal_resume(SIGUSR2);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), SI_QUEUE + 100);
	CHECK_EQ(tracee_report(&child), 1234);

	/* Resumed with another signal: that one arrives, its number corrected, the rest kept. */
	expect_signal_stop(fd, child.pid, SIGUSR2, SI_USER, child.pid);
	CHECK_EQ(pread(sfd, &info, sizeof(info), 0), (ssize_t)sizeof(info));
	info.si_code = SI_TKILL;
	CHECK_EQ(pwrite(sfd, &info, sizeof(info), 0), (ssize_t)sizeof(info));
	resume = signal_resume(SIGUSR1);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), SIGUSR1);
	CHECK_EQ(tracee_report(&child), SI_TKILL + 100);
	struct loupe_trace_event event;

	/* Any other stop has no signal: EINVAL. After death: ESRCH. */
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	CHECK_ERRNO(pread(sfd, &info, sizeof(info), 0), EINVAL);
	CHECK_ERRNO(pwrite(sfd, &info, sizeof(info), 0), EINVAL);
	trace_arm(fd, 0, 0);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_ERRNO(pread(sfd, &info, sizeof(info), 0), ESRCH);
	CHECK_EXITED(tap_wait(child.pid), 0);
	close(sfd);
}

static void body_stop_self(void)
{
	kill(getpid(), SIGSTOP);
	tracee_say(1);
	kill(getpid(), SIGTSTP);
	tracee_say(2);
}

/*
 * LOUPE_STOP_GROUP_STOP: a stop signal's default action stops the tracee
 * for its tracer (state t), and a resume ends it without SIGCONT.
 * LOUPE_RESUME_LISTEN there keeps it stopped, with no event, until
 * SIGCONT makes the stop an INTERRUPT one; the SIGCONT's own SIGNAL stop
 * follows the next resume. LISTEN at any other stop: EINVAL.
 * Unarmed, the same signal is an ordinary job-control stop (state T)
 * that only SIGCONT ends.
 */
static void test_signal_group_stop(void)
{
	struct tracee child = tracee_start(body_stop_self);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SIGNAL | LOUPE_STOP_GROUP_STOP, 0);
	tracee_go(&child);
	expect_signal_stop(fd, child.pid, SIGSTOP, SI_USER, child.pid);
	struct loupe_trace_resume listen = trace_resume_of(LOUPE_STOP_SIGNAL | LOUPE_STOP_GROUP_STOP,
							   LOUPE_RESUME_LISTEN, 0);
	CHECK_ERRNO(write(fd, &listen, sizeof(listen)), EINVAL);       /* a SIGNAL stop */
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SIGNAL | LOUPE_STOP_GROUP_STOP, 0, 0);
	resume.signal = SIGSTOP;
	trace_resume_write(fd, &resume);
	struct loupe_trace_event event;
	trace_expect(fd, child.pid, LOUPE_EVENT_GROUP_STOP, &event);
	CHECK_EQ(event.signal, SIGSTOP);
	CHECK_EQ(proc_state(child.pid), 't');
	CHECK_EQ(waitpid(child.pid, NULL, WNOHANG | WUNTRACED), 0);     /* not a job-control stop */

	listen.signal = SIGUSR1;
	CHECK_ERRNO(write(fd, &listen, sizeof(listen)), EINVAL);       /* LISTEN sends nothing */
	listen.signal = 0;
	trace_resume_write(fd, &listen);
	tap_sleep_ms(20);
	CHECK_EQ(proc_state(child.pid), 't');
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_EQ(kill(child.pid, SIGCONT), 0);
	trace_expect(fd, child.pid, LOUPE_EVENT_INTERRUPT, &event);
	trace_arm(fd, LOUPE_STOP_SIGNAL | LOUPE_STOP_GROUP_STOP, 0);
	expect_signal_stop(fd, child.pid, SIGCONT, SI_USER, getpid());
	trace_arm(fd, LOUPE_STOP_SIGNAL, 0);
	CHECK_EQ(tracee_report(&child), 1);

	/* Unarmed: SIGTSTP stops it for job control, until SIGCONT. */
	expect_signal_stop(fd, child.pid, SIGTSTP, SI_USER, child.pid);
	resume = trace_resume_of(LOUPE_STOP_SIGNAL, 0, 0);
	resume.signal = SIGTSTP;
	trace_resume_write(fd, &resume);
	int status = 0;
	CHECK_EQ(waitpid(child.pid, &status, WUNTRACED), child.pid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP);
	CHECK_EQ(proc_state(child.pid), 'T');
	trace_arm(fd, 0, 0);
	CHECK_EQ(kill(child.pid, SIGCONT), 0);
	CHECK_EQ(tracee_report(&child), 2);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void body_inject_unarmed(void)
{
	sigaction_of(SIGUSR2, usr_handler, 0);
	raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
	tracee_say(usr_counts());
}

static void test_signal_inject_without_signal_stops(void)
{
	/* SIGNAL not armed: the signal given with the resume of an entry stop just arrives. */
	struct tracee child = tracee_start(body_inject_unarmed);
	int fd = trace_open(child.pid);
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALL_ENTRY, 0, LOUPE_OPT_FILTER);
	trace_filter_add(&resume, SYS_getppid);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	resume = trace_resume_of(0, 0, 0);
	resume.signal = SIGUSR2;
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 1);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_signal_sigkill_never_stops(void)
{
	struct tracee child = tracee_start(body_spin_getpid);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SIGNAL | LOUPE_STOP_EXIT, 0);
	tracee_go(&child);
	tap_sleep_ms(20);
	CHECK_EQ(kill(child.pid, SIGKILL), 0);
	trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGKILL));
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);

	/* Nor does a SIGKILL arriving while it sits in a SIGNAL stop bring another stop. */
	child = tracee_start(body_signals);
	fd = trace_open(child.pid);
	struct loupe_trace_resume resume = signal_resume(0);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	expect_signal_stop(fd, child.pid, SIGUSR1, SI_USER, child.pid);
	CHECK_EQ(kill(child.pid, SIGKILL), 0);
	trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGKILL));
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);
}

static void body_ignored_signals(void)
{
	signal(SIGUSR1, SIG_IGN);
	kill(getpid(), SIGUSR1);        /* ignored by the program, still seen by the tracer */
	kill(getpid(), SIGURG);         /* default action: ignore */
	tracee_say(1);
}

static void test_signal_ignored_still_stops(void)
{
	/* Linux: a tracer sees even ignored signals (sig_ignored() is false while ptraced). */
	struct tracee child = tracee_start(body_ignored_signals);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SIGNAL, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_event_of(fd, child.pid, &event);
	if (event.kind != LOUPE_EVENT_SIGNAL)
		tap_diag("no SIGNAL stop for an ignored SIGUSR1: signal_send_common discards "
			 "ignored signals at send time, even for a traced process");
	CHECK_EQ(event.kind, LOUPE_EVENT_SIGNAL);
	CHECK_EQ(event.signal, SIGUSR1);
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SIGNAL, 0, 0);
	resume.signal = SIGUSR1;
	trace_resume_write(fd, &resume);        /* delivered: ignored by the program */
	trace_expect(fd, child.pid, LOUPE_EVENT_SIGNAL, &event);
	CHECK_EQ(event.signal, SIGURG);
	resume.signal = SIGURG;
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 1);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void body_blocked_signal(void)
{
	sigaction_of(SIGUSR1, usr_handler, 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR1);
	raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);   /* the marker: no SIGNAL stop before it */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	tracee_say(usr_counts());
}

static void test_signal_blocked_stops_when_unblocked(void)
{
	struct tracee child = tracee_start(body_blocked_signal);
	int fd = trace_open(child.pid);
	struct loupe_trace_resume resume = signal_resume(0);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	trace_resume_write(fd, &resume);
	expect_signal_stop(fd, child.pid, SIGUSR1, SI_USER, child.pid);
	resume = signal_resume(SIGUSR1);
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 100);
	trace_expect(fd, child.pid, LOUPE_EVENT_EXIT, &event);
	trace_arm(fd, 0, 0);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void body_segv(void)
{
	tracee_say(segv_block());
}

static void test_signal_fault_fixed_by_tracer(void)
{
	/* SIGSEGV from a load at 0: dropped as is, the load faults again; with rip moved, it runs on. */
	struct tracee child = tracee_start(body_segv);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SIGNAL, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	for (int round = 0; round < 2; round++) {
		trace_expect(fd, child.pid, LOUPE_EVENT_SIGNAL, &event);
		CHECK_EQ(event.signal, SIGSEGV);
		CHECK_EQ(event.rip, ADDR(segv_insn));
		siginfo_t info = event_siginfo(&event);
		CHECK_EQ(info.si_code, SEGV_MAPERR);
		CHECK_EQ((uintptr_t)info.si_addr, 0);
		if (round == 0)
			trace_arm(fd, LOUPE_STOP_SIGNAL, 0);
	}
	struct loupe_user_regs regs;
	regs_of(child.pid, &regs);
	regs.rip = ADDR(segv_after);
	regs.rax = 77;
	regs_put(child.pid, &regs);
	finish_tracee(fd, &child, 77);
}

static void body_signal_in_syscall_stop(void)
{
	sigaction_of(SIGUSR1, usr_handler, 0);          /* no SA_RESTART */
	long ppid = raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
	tracee_say(ppid);
	tracee_say(usr_counts());
	char byte;
	long got = raw_syscall6(SYS_read, tracee_in, (long)&byte, 1, 0, 0, 0);
	tracee_say(got);
	tracee_say(usr_counts());
}

static void test_signal_during_entry_stop_keeps_pairing(void)
{
	struct tracee child = tracee_start(body_signal_in_syscall_stop);
	int fd = trace_open(child.pid);
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALLS | LOUPE_STOP_SIGNAL, 0,
							   LOUPE_OPT_FILTER);
	trace_filter_add(&resume, SYS_getppid);
	trace_filter_add(&resume, SYS_read);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	struct loupe_trace_event event;

	/* The go read of tracee_start may show up first (the child may not be in it yet). */
	for (;;) {
		trace_event_of(fd, child.pid, &event);
		if (event.kind == LOUPE_EVENT_SYSCALL_ENTRY && event.syscall == SYS_getppid)
			break;
		CHECK_EQ(event.syscall, SYS_read);
		trace_resume_write(fd, &resume);
	}
	/* getppid: the signal arrives at the entry stop; the exit stop still comes first. */
	CHECK_EQ(kill(child.pid, SIGUSR1), 0);
	trace_expect_none(fd, 50);
	CHECK_EQ(proc_state(child.pid), 't');
	trace_resume_write(fd, &resume);
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_EXIT, SYS_getppid, &event);
	CHECK_EQ(event.retval, getpid());
	trace_resume_write(fd, &resume);
	trace_expect(fd, child.pid, LOUPE_EVENT_SIGNAL, &event);
	CHECK_EQ(event.signal, SIGUSR1);
	CHECK_EQ(event_siginfo(&event).si_pid, getpid());
	resume.signal = SIGUSR1;
	trace_resume_write(fd, &resume);
	resume.signal = 0;
	CHECK_EQ(tracee_report(&child), getpid());
	CHECK_EQ(tracee_report(&child), 100);

	/* A blocking read: the signal at the entry stop ends it at once, exit stop, then signal. */
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_read, &event);
	CHECK_EQ(kill(child.pid, SIGUSR1), 0);
	trace_resume_write(fd, &resume);
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_EXIT, SYS_read, &event);
	CHECK(event.retval == -EINTR || event.retval == -512 /* ERESTARTSYS, as Linux shows it */);
	trace_resume_write(fd, &resume);
	trace_expect(fd, child.pid, LOUPE_EVENT_SIGNAL, &event);
	CHECK_EQ(event.signal, SIGUSR1);
	resume.signal = SIGUSR1;
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), -EINTR);
	CHECK_EQ(tracee_report(&child), 200);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static const struct tap_test tests[] = {
	{ "signals: drop, deliver, replace, inject, fatal", test_signal_drop_deliver_replace_inject, LOUPE },
	{ "signals: the siginfo file, read and rewritten at a SIGNAL stop only", test_signal_siginfo_file, LOUPE },
	{ "signals: GROUP_STOP holds a stop signal for the tracer; unarmed, job control", test_signal_group_stop, LOUPE },
	{ "signal injected at an entry stop without SIGNAL armed", test_signal_inject_without_signal_stops, LOUPE },
	{ "signal_bad: SIGKILL never stops", test_signal_sigkill_never_stops, LOUPE },
	{ "signal: ignored signals still stop a tracee (Linux)", test_signal_ignored_still_stops, LOUPE },
	{ "signal: a blocked signal stops once unblocked", test_signal_blocked_stops_when_unblocked, LOUPE },
	{ "signal: a fault dropped refaults; fixed by regs, runs on", test_signal_fault_fixed_by_tracer, LOUPE },
	{ "signal at an entry stop: EXIT stop first, then SIGNAL", test_signal_during_entry_stop_keeps_pairing, LOUPE },
};

int main(int argc, char **argv)
{
	return trace_tap_main(argc, argv, tests, TAP_COUNT(tests));
}
