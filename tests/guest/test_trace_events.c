/* SPDX-License-Identifier: MIT */
/*
 * test_trace_events - the stop points of issue 6 that involve more than
 * one process, with the raw files (no ptrace shim): FORK events and
 * LOUPE_OPT_FOLLOW_FORK across three generations (the pending session a
 * tracer adopts by opening /proc/<child>/trace), EXEC events and stale
 * mem handles, TRACEME consent (/proc/self/consent: fork, consent,
 * execve, the parent's wait4, the parent traces), /proc/self/waitable, 32
 * tracees driven by one tracer with one poll, and the lifetime rules of
 * issue 5 again with these stop points armed.
 *
 * Single steps and breakpoints are in test_trace_stops, signals in
 * test_trace_signals, interrupt, sysemu and the filter in
 * test_trace_control.
 *
 * The program also plays its own exec target:
 *   test_trace_events --exec-report FD   writes image_tag (8 bytes) to FD, exits 0
 *
 * Loupe only (TAP_LOUPE_ONLY): Linux has no such files.
 */
#include "trace_util.h"

#include <sys/auxv.h>

static volatile uint64_t image_tag = 0x1111;

/* --- helpers ------------------------------------------------------------------ */

static struct loupe_trace_resume events_resume(uint64_t stops, uint32_t options)
{
	struct loupe_trace_resume resume = trace_resume_of(stops, 0, options | LOUPE_OPT_FILTER);
	trace_filter_add(&resume, SYS_fork);
	trace_filter_add(&resume, SYS_vfork);
	trace_filter_add(&resume, SYS_clone);
	trace_filter_add(&resume, SYS_execve);
	trace_filter_add(&resume, SYS_getppid);
	return resume;
}

static void expect_status_text(pid_t pid, const char *key, const char *want)
{
	char value[128];
	CHECK_EQ(proc_status_value(pid, key, value, sizeof(value)), 0);
	if (strcmp(value, want) != 0) {
		tap_diag("/proc/%d/status %s is \"%s\", expected \"%s\"", (int)pid, key, value, want);
		_exit(1);
	}
}

static void expect_tracer(pid_t pid, pid_t tracer)
{
	char text[16];
	snprintf(text, sizeof(text), "%d", (int)tracer);
	expect_status_text(pid, "TracerPid", text);
}

/* open(/proc/<pid>/trace) from another (forked) process: its errno, 0 if it opened. */
static int trace_open_errno_elsewhere(pid_t pid)
{
	pid_t helper = tap_fork();
	if (helper == 0) {
		int fd = open(proc_path(pid, "trace"), O_RDWR);
		_exit(fd >= 0 ? 0 : errno);
	}
	int status = tap_wait(helper);
	CHECK(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static long raw_wait4(pid_t pid, int *status, int options)
{
	return raw_syscall6(SYS_wait4, pid, (long)status, options, 0, 0, 0);
}

static void read_waitable(char *buf)
{
	memset(buf, 0, 4);
	int fd = open("/proc/self/waitable", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, buf, 3), 2);
	close(fd);
}

static void expect_waitable_at(const char *want, int line)
{
	char buf[4];
	read_waitable(buf);
	if (strcmp(buf, want) != 0) {
		tap_diag("line %d: /proc/self/waitable reads \"%c\", expected \"%c\"", line, buf[0],
			 want[0]);
		_exit(1);
	}
}

#define expect_waitable(want) expect_waitable_at(want, __LINE__)

/* --- fork ------------------------------------------------------------------------ */

static void body_fork_and_vfork(void)
{
	pid_t child = fork();
	if (child == 0)
		_exit(3);
	int status = 0;
	waitpid(child, &status, 0);
	tracee_say(child);
	tracee_say(status);
	child = vfork();
	if (child == 0)
		_exit(4);
	waitpid(child, &status, 0);
	tracee_say(child);
	tracee_say(status);
}

static void test_fork_event(void)
{
	struct tracee tracee = tracee_start(body_fork_and_vfork);
	int fd = trace_open(tracee.pid);
	struct loupe_trace_resume resume = events_resume(LOUPE_STOP_SYSCALLS | LOUPE_STOP_FORK, 0);
	trace_resume_write(fd, &resume);
	tracee_go(&tracee);
	struct loupe_trace_event event;
	static const long calls[] = { SYS_fork, SYS_vfork };
	for (int i = 0; i < 2; i++) {
		trace_expect_syscall(fd, tracee.pid, LOUPE_EVENT_SYSCALL_ENTRY, calls[i], &event);
		trace_resume_write(fd, &resume);
		trace_expect(fd, tracee.pid, LOUPE_EVENT_FORK, &event);
		pid_t child = event.child_pid;
		CHECK(child > 0 && child != tracee.pid);
		CHECK_EQ(event.syscall, 0);
		/* Without FOLLOW_FORK the child is not traced. */
		expect_tracer(child, 0);
		trace_resume_write(fd, &resume);
		trace_expect_syscall(fd, tracee.pid, LOUPE_EVENT_SYSCALL_EXIT, calls[i], &event);
		CHECK_EQ(event.retval, child);
		trace_resume_write(fd, &resume);
		CHECK_EQ(tracee_report(&tracee), child);
		CHECK_EQ(tracee_report(&tracee), EXITED_STATUS(3 + i));
	}
	trace_expect_death(fd, tracee.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(tracee.pid), 0);
}

/* Three generations: each forks the next and waits for it; the last exits 33. */
static void body_generations(void)
{
	int code = 0;
	for (int generation = 1; generation <= 2; generation++) {
		pid_t child = fork();
		if (child == 0)
			continue;               /* the child becomes the next generation */
		int status = 0;
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		code = WIFEXITED(status) ? WEXITSTATUS(status) + 1 : 100;
		if (generation == 1)
			tracee_say(status);
		_exit(code);
	}
	/* Generation 3: one call outside the filter, one inside. */
	raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
	_exit(33);
}

/* Adopts the pending session of a followed child: its first event is INTERRUPT. */
static int adopt_child(pid_t child, uint64_t fork_rip)
{
	/* Born traced: the session is there at once, the stop comes when it first runs. */
	expect_tracer(child, getpid());
	/* Nobody else may take it (the session exists). */
	CHECK_EQ(trace_open_errno_elsewhere(child), EBUSY);
	int fd = trace_open(child);
	CHECK_ERRNO(open(proc_path(child, "trace"), O_RDWR), EBUSY);  /* adopted once */
	struct loupe_trace_event event;
	trace_expect(fd, child, LOUPE_EVENT_INTERRUPT, &event);
	CHECK_EQ(event.seq, 1);
	CHECK_EQ(event.rip, fork_rip);
	CHECK_EQ(proc_state(child), 't');
	struct loupe_user_regs regs;
	int regs_fd = proc_open(child, "regs", O_RDONLY);
	regs_get(regs_fd, &regs);
	close(regs_fd);
	CHECK_EQ(regs.rip, fork_rip);
	CHECK_EQ(regs.rax, 0);                          /* fork returns 0 in the child */
	trace_expect_none(fd, 0);
	return fd;
}

static void test_follow_fork_three_generations(void)
{
	struct tracee tracee = tracee_start(body_generations);
	int fd1 = trace_open(tracee.pid);
	struct loupe_trace_resume resume = events_resume(LOUPE_STOP_SYSCALL_ENTRY | LOUPE_STOP_FORK |
							 LOUPE_STOP_EXIT, LOUPE_OPT_FOLLOW_FORK);
	/* The filter is inherited: only getppid of those the gen 3 child calls. */
	memset(resume.filter, 0, sizeof(resume.filter));
	trace_filter_add(&resume, SYS_getppid);
	trace_resume_write(fd1, &resume);
	tracee_go(&tracee);
	struct loupe_trace_event event;

	trace_expect(fd1, tracee.pid, LOUPE_EVENT_FORK, &event);
	pid_t gen2 = event.child_pid;
	int fd2 = adopt_child(gen2, event.rip);
	trace_resume_write(fd1, &resume);               /* gen 1 waits for gen 2 */

	trace_resume_write(fd2, &resume);
	trace_expect(fd2, gen2, LOUPE_EVENT_FORK, &event);   /* inherited: FORK armed */
	pid_t gen3 = event.child_pid;
	int fd3 = adopt_child(gen3, event.rip);
	trace_resume_write(fd2, &resume);

	trace_resume_write(fd3, &resume);
	trace_expect_syscall(fd3, gen3, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	trace_resume_write(fd3, &resume);
	trace_expect(fd3, gen3, LOUPE_EVENT_EXIT, &event);
	CHECK_EQ(event.status, EXITED_STATUS(33));
	trace_resume_write(fd3, &resume);
	trace_expect_death(fd3, gen3, EXITED_STATUS(33));

	trace_expect(fd2, gen2, LOUPE_EVENT_EXIT, &event);
	CHECK_EQ(event.status, EXITED_STATUS(34));
	trace_resume_write(fd2, &resume);
	trace_expect_death(fd2, gen2, EXITED_STATUS(34));

	CHECK_EQ(tracee_report(&tracee), EXITED_STATUS(34));
	trace_expect(fd1, tracee.pid, LOUPE_EVENT_EXIT, &event);
	CHECK_EQ(event.status, EXITED_STATUS(35));
	trace_resume_write(fd1, &resume);
	trace_expect_death(fd1, tracee.pid, EXITED_STATUS(35));
	CHECK_EXITED(tap_wait(tracee.pid), 35);
}

/* A sibling tracer that follows the tracee's fork, then exits without adopting the child. */
static void follow_then_leave(uint32_t options)
{
	struct tracee tracee = tracee_start(body_generations);
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	pid_t tracer = tap_fork();
	if (tracer == 0) {
		int fd = trace_open(tracee.pid);
		trace_arm_opts(fd, LOUPE_STOP_FORK, 0, LOUPE_OPT_FOLLOW_FORK | options);
		tracee_go(&tracee);
		struct loupe_trace_event event;
		trace_expect(fd, tracee.pid, LOUPE_EVENT_FORK, &event);
		tap_write_fully(ready[1], &event.child_pid, sizeof(event.child_pid));
		_exit(0);                       /* gen 1 stopped at FORK, gen 2 pending */
	}
	close(ready[1]);
	int32_t gen2 = 0;
	CHECK_EQ(tap_read_fully(ready[0], &gen2, sizeof(gen2)), sizeof(gen2));
	CHECK_EXITED(tap_wait(tracer), 0);
	if (options & LOUPE_OPT_KILL_ON_CLOSE) {
		CHECK_SIGNALED(tap_wait(tracee.pid), SIGKILL);
		/* The unadopted child is killed too (it inherited the option). */
		long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
		char state;
		while ((state = proc_state(gen2)) != 0 && state != 'Z') {
			CHECK(tap_now_ns() < deadline);
			tap_sleep_ms(5);
		}
		return;
	}
	/* Both run on, untraced: gen 1 reports gen 2's status (gen 3 exited 33). */
	CHECK_EQ(tracee_report(&tracee), EXITED_STATUS(34));
	CHECK_EXITED(tap_wait(tracee.pid), 35);
}

static void test_follow_fork_tracer_leaves(void)
{
	follow_then_leave(0);
}

static void test_follow_fork_tracer_leaves_kill_on_close(void)
{
	follow_then_leave(LOUPE_OPT_KILL_ON_CLOSE);
}

/* --- exec ------------------------------------------------------------------------------ */

static void body_exec_self(void)
{
	image_tag = 0x3333;
	char *no_args[] = { "/no/such/program", NULL };
	execve("/no/such/program", no_args, environ);   /* fails: no EXEC event */
	char fd_text[16];
	snprintf(fd_text, sizeof(fd_text), "%d", tracee_out);
	execl(tap_argv0, tap_argv0, "--exec-report", fd_text, (char *)NULL);
	_exit(111);
}

static void test_exec_event_and_stale_handles(void)
{
	struct tracee tracee = tracee_start(body_exec_self);
	int fd = trace_open(tracee.pid);
	int old_mem = proc_open(tracee.pid, "mem", O_RDWR);
	int regs_fd = proc_open(tracee.pid, "regs", O_RDWR);
	struct loupe_trace_resume resume = events_resume(LOUPE_STOP_SYSCALLS | LOUPE_STOP_EXEC, 0);
	trace_resume_write(fd, &resume);
	tracee_go(&tracee);
	struct loupe_trace_event event;
	uint64_t tag = 0, address = (uintptr_t)&image_tag;

	/* The failed execve: entry and exit, no EXEC. */
	trace_expect_syscall(fd, tracee.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_execve, &event);
	trace_resume_write(fd, &resume);
	trace_expect_syscall(fd, tracee.pid, LOUPE_EVENT_SYSCALL_EXIT, SYS_execve, &event);
	CHECK_EQ(event.retval, -ENOENT);
	CHECK_EQ(trace_mem_read(old_mem, &tag, 8, address), 8);
	CHECK_EQ(tag, 0x3333);
	trace_resume_write(fd, &resume);

	trace_expect_syscall(fd, tracee.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_execve, &event);
	trace_resume_write(fd, &resume);
	trace_expect(fd, tracee.pid, LOUPE_EVENT_EXEC, &event);
	uint64_t entry = getauxval(AT_ENTRY);
	CHECK_EQ(event.rip, entry);
	CHECK_EQ(proc_state(tracee.pid), 't');
	/* The old mem handle is dead; a new one reaches the new image, before it runs. */
	CHECK_ERRNO(trace_mem_read(old_mem, &tag, 8, address), ESRCH);
	CHECK_ERRNO(trace_mem_write(old_mem, &tag, 8, address), ESRCH);
	int new_mem = proc_open(tracee.pid, "mem", O_RDWR);
	CHECK_EQ(trace_mem_read(new_mem, &tag, 8, address), 8);
	CHECK_EQ(tag, 0x1111);                          /* the file's value, not 0x3333 */
	tag = 0x4444;
	CHECK_EQ(trace_mem_write(new_mem, &tag, 8, address), 8);
	/* regs carried on (it belongs to the process), and shows the new entry point. */
	struct loupe_user_regs regs;
	regs_get(regs_fd, &regs);
	CHECK_EQ(regs.rip, entry);
	char cmdline[256];
	long length = read_file(proc_path(tracee.pid, "cmdline"), cmdline, sizeof(cmdline));
	CHECK(length > 0);
	CHECK(memmem(cmdline, (size_t)length, "--exec-report", 13) != NULL);

	trace_resume_write(fd, &resume);
	trace_expect_syscall(fd, tracee.pid, LOUPE_EVENT_SYSCALL_EXIT, SYS_execve, &event);
	CHECK_EQ(event.retval, 0);
	CHECK_EQ(event.rip, entry);
	trace_arm(fd, 0, 0);
	CHECK_EQ(tracee_report(&tracee), 0x4444);       /* the write at the EXEC stop held */
	trace_expect_death(fd, tracee.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(tracee.pid), 0);
	CHECK_ERRNO(trace_mem_read(new_mem, &tag, 8, address), ESRCH);
}

/* --- TRACEME consent ------------------------------------------------------------------- */

static volatile int chld_count, chld_code, chld_pid, chld_status;

static void chld_handler(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	chld_count++;
	chld_code = info->si_code;
	chld_pid = info->si_pid;
	chld_status = info->si_status;
}

static void catch_sigchld(void)
{
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_sigaction = chld_handler;
	action.sa_flags = SA_SIGINFO | SA_RESTART;
	CHECK_EQ(sigaction(SIGCHLD, &action, NULL), 0);
}

/* wait4 as a raw call, retried if SIGCHLD's handler interrupts it. */
static long raw_wait4_retry(pid_t pid, int *status, int options)
{
	long got;
	while ((got = raw_wait4(pid, status, options)) == -EINTR)
		;
	return got;
}

static int consent_write(void)
{
	int fd = open("/proc/self/consent", O_WRONLY);
	if (fd < 0)
		return -errno;
	ssize_t done = write(fd, "1", 1);
	int saved = errno;
	close(fd);
	return done == 1 ? 0 : -saved;
}

/* fork; the child consents, then execs the reporter (writing image_tag to `report`). */
static pid_t start_consenting_child(int report, int go)
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		if (consent_write() != 0)
			_exit(120);
		char byte;
		if (go >= 0 && read(go, &byte, 1) != 1)
			_exit(121);
		char fd_text[16];
		snprintf(fd_text, sizeof(fd_text), "%d", report);
		execl(tap_argv0, tap_argv0, "--exec-report", fd_text, (char *)NULL);
		_exit(111);
	}
	return pid;
}

static void test_consent_classic_sequence(void)
{
	int report[2], go[2];
	CHECK_EQ(pipe(report), 0);
	CHECK_EQ(pipe(go), 0);
	catch_sigchld();
	pid_t child = start_consenting_child(report[1], go[0]);
	close(report[1]);
	close(go[0]);
	/* Consented, not stopped yet: a pending session for us, nothing to wait for. */
	long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
	char tracer[16] = "";
	while (proc_status_value(child, "TracerPid", tracer, sizeof(tracer)) == 0 &&
	       atoi(tracer) != getpid()) {
		CHECK(tap_now_ns() < deadline);
		tap_sleep_ms(1);
	}
	expect_tracer(child, getpid());
	int status = 0;
	CHECK_EQ(raw_wait4(child, &status, WNOHANG), 0);
	expect_waitable("0\n");
	tap_write_fully(go[1], "g", 1);                 /* now it execs */

	/* wait4, no WUNTRACED: the exec stop is reported as a SIGTRAP stop, once. */
	CHECK_EQ(raw_wait4_retry(child, &status, 0), child);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(WSTOPSIG(status), SIGTRAP);
	CHECK_EQ(raw_wait4(child, &status, WNOHANG), 0);
	expect_waitable("0\n");
	CHECK_EQ(proc_state(child), 't');
	CHECK_EQ(chld_count, 1);                        /* SIGCHLD, CLD_TRAPPED */
	CHECK_EQ(chld_code, CLD_TRAPPED);
	CHECK_EQ(chld_pid, child);
	CHECK_EQ(chld_status, SIGTRAP);

	/* The parent traces: it adopts the session and finds the EXEC event. */
	int fd = trace_open(child);
	struct loupe_trace_event event;
	trace_expect(fd, child, LOUPE_EVENT_EXEC, &event);
	CHECK_EQ(event.seq, 1);
	CHECK_EQ(event.rip, getauxval(AT_ENTRY));
	trace_arm(fd, LOUPE_STOP_EXIT, 0);
	uint64_t tag = 0;
	CHECK_EQ(tap_read_fully(report[0], &tag, sizeof(tag)), sizeof(tag));
	CHECK_EQ(tag, 0x1111);
	trace_expect(fd, child, LOUPE_EVENT_EXIT, &event);
	CHECK_EQ(event.status, EXITED_STATUS(0));
	trace_arm(fd, 0, 0);
	trace_expect_death(fd, child, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child), 0);
}

static volatile int consent_handler_ran;

static void consent_handler(int sig)
{
	(void)sig;
	consent_handler_ran++;
}

static void test_consent_signal_stop(void)
{
	/* Consent, then a signal before any exec: the child stops there; wait4 names the signal. */
	int report[2];
	CHECK_EQ(pipe(report), 0);
	catch_sigchld();
	pid_t child = tap_fork();
	if (child == 0) {
		signal(SIGUSR1, consent_handler);
		if (consent_write() != 0)
			_exit(120);
		kill(getpid(), SIGUSR1);
		long ran = consent_handler_ran;
		tap_write_fully(report[1], &ran, sizeof(ran));
		_exit(0);
	}
	close(report[1]);
	int status = 0;
	CHECK_EQ(raw_wait4_retry(child, &status, 0), child);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(WSTOPSIG(status), SIGUSR1);
	CHECK_EQ(chld_count, 1);
	CHECK_EQ(chld_code, CLD_TRAPPED);
	int stop_status = chld_status;          /* checked last, below */
	int fd = trace_open(child);
	struct loupe_trace_event event;
	trace_expect(fd, child, LOUPE_EVENT_SIGNAL, &event);
	CHECK_EQ(event.signal, SIGUSR1);
	struct loupe_trace_resume resume = trace_resume_of(0, 0, 0);
	resume.signal = SIGUSR1;
	trace_resume_write(fd, &resume);
	long ran = 0;
	CHECK_EQ(tap_read_fully(report[0], &ran, sizeof(ran)), sizeof(ran));
	CHECK_EQ(ran, 1);
	trace_expect_death(fd, child, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child), 0);
	/* Linux: si_status of CLD_TRAPPED is the stop's signal, as WSTOPSIG says. */
	if (stop_status != SIGUSR1)
		tap_diag("SIGCHLD for the consent SIGNAL stop has si_status %d, while wait4 said "
			 "WSTOPSIG %d (trace_stop passes SIGTRAP to signal_notify_parent)",
			 stop_status, SIGUSR1);
	CHECK_EQ(stop_status, SIGUSR1);
}

static void body_nothing_consents(void)
{
	tracee_say(consent_write());            /* traced already: EBUSY */
}

static void test_consent_bad(void)
{
	/* Only the process itself may open its consent file. */
	struct tracee other = tracee_start(body_spin_getpid);
	CHECK_ERRNO(open(proc_path(other.pid, "consent"), O_WRONLY), EPERM);
	CHECK_ERRNO(open(proc_path(getppid(), "consent"), O_WRONLY), EPERM);
	CHECK_ERRNO(open(proc_path(other.pid, "waitable"), O_RDONLY), EPERM);
	tracee_kill(&other);

	/* Twice: EBUSY. A zero-length write consents to nothing. Traced already: EBUSY. */
	pid_t child = tap_fork();
	if (child == 0) {
		int fd = open("/proc/self/consent", O_WRONLY);
		if (fd < 0 || write(fd, "", 0) != 0)
			_exit(1);
		char tracer[16];
		if (proc_status_value(getpid(), "TracerPid", tracer, sizeof(tracer)) != 0 ||
		    strcmp(tracer, "0") != 0)
			_exit(2);
		if (write(fd, "1", 1) != 1)
			_exit(3);
		if (write(fd, "1", 1) != -1 || errno != EBUSY)
			_exit(4);
		_exit(0);
	}
	CHECK_EXITED(tap_wait(child), 0);

	struct tracee traced = tracee_start(body_nothing_consents);
	int fd = trace_open(traced.pid);
	tracee_go(&traced);
	CHECK_EQ(tracee_report(&traced), -EBUSY);
	close(fd);
	CHECK_EXITED(tap_wait(traced.pid), 0);

	/* A consenting child's session is its parent's: a sibling gets EBUSY. */
	int go[2];
	CHECK_EQ(pipe(go), 0);
	child = start_consenting_child(1, go[0]);
	long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
	char tracer[16] = "0";
	while (proc_status_value(child, "TracerPid", tracer, sizeof(tracer)) == 0 &&
	       strcmp(tracer, "0") == 0) {
		CHECK(tap_now_ns() < deadline);
		tap_sleep_ms(1);
	}
	CHECK_EQ(trace_open_errno_elsewhere(child), EBUSY);
	kill(child, SIGKILL);
	CHECK_SIGNALED(tap_wait(child), SIGKILL);
}

/* --- /proc/self/waitable ------------------------------------------------------------------ */

static void body_stop_at_getppid(void)
{
	raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
}

static void test_waitable(void)
{
	expect_waitable("0\n");
	int fd = open("/proc/self/waitable", O_RDONLY);
	CHECK(fd >= 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);

	/* A child exiting later: poll blocks until then; reaped, it is gone again. */
	pid_t child = tap_fork();
	if (child == 0) {
		tap_sleep_ms(50);
		_exit(6);
	}
	CHECK_EQ(poll(&p, 1, TRACE_DEADLINE_MS), 1);
	CHECK(p.revents & POLLIN);
	expect_waitable("1\n");
	CHECK_EXITED(tap_wait(child), 6);
	expect_waitable("0\n");
	CHECK_EQ(poll(&p, 1, 0), 0);

	/*
	 * A job-control stop and a continue are left out on purpose
	 * (docs/ptrace-abi.md, waitable): wait4 reports them only with
	 * WUNTRACED or WCONTINUED.
	 */
	child = tap_fork();
	if (child == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ(kill(child, SIGSTOP), 0);
	wait_state(child, 'T');
	expect_waitable("0\n");
	int status;
	CHECK_EQ(waitpid(child, &status, WUNTRACED), child);
	CHECK(WIFSTOPPED(status));
	expect_waitable("0\n");
	CHECK_EQ(kill(child, SIGCONT), 0);
	expect_waitable("0\n");
	CHECK_EQ(waitpid(child, &status, WCONTINUED), child);
	CHECK(WIFCONTINUED(status));
	expect_waitable("0\n");

	/* A child in a trace stop of ours is not a wait4 matter (no consent): still 0. */
	struct tracee tracee = tracee_start(body_stop_at_getppid);
	int trace = trace_open(tracee.pid);
	struct loupe_trace_resume resume = events_resume(LOUPE_STOP_SYSCALL_ENTRY, 0);
	trace_resume_write(trace, &resume);
	tracee_go(&tracee);
	struct loupe_trace_event event;
	trace_expect_syscall(trace, tracee.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	expect_waitable("0\n");
	CHECK_EQ(poll(&p, 1, 0), 0);
	kill(child, SIGKILL);
	CHECK_SIGNALED(tap_wait(child), SIGKILL);
	tracee_kill(&tracee);
	close(trace);
	expect_waitable("0\n");
	/* Small buffers: EINVAL. */
	char byte;
	CHECK_ERRNO(read(fd, &byte, 1), EINVAL);
	close(fd);
}

/* --- 32 tracees under one poll ---------------------------------------------------------- */

#define MANY 32
#define MANY_CALLS 5

static void test_many_tracees_one_poll(void)
{
	int go[2];
	CHECK_EQ(pipe(go), 0);
	pid_t pids[MANY], untraced;
	int fds[MANY], entries[MANY], dead[MANY];
	uint64_t last_seq[MANY];
	for (int i = 0; i < MANY; i++) {
		pids[i] = tap_fork();
		if (pids[i] == 0) {
			close(go[1]);
			char byte;
			if (read(go[0], &byte, 1) != 1)
				_exit(0);
			for (int call = 0; call < MANY_CALLS; call++)
				raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
			_exit(i);
		}
	}
	untraced = tap_fork();
	if (untraced == 0) {
		tap_sleep_ms(30);
		_exit(99);
	}
	close(go[0]);
	struct loupe_trace_resume resume = events_resume(LOUPE_STOP_SYSCALL_ENTRY, 0);
	for (int i = 0; i < MANY; i++) {
		fds[i] = trace_open(pids[i]);
		trace_resume_write(fds[i], &resume);
		entries[i] = dead[i] = 0;
		last_seq[i] = 0;
	}
	int waitable = open("/proc/self/waitable", O_RDONLY);
	CHECK(waitable >= 0);
	for (int i = 0; i < MANY; i++)
		tap_write_fully(go[1], "g", 1);

	struct pollfd polls[MANY + 1];
	int deaths = 0, reaped = 0, untraced_reaped = 0;
	long long deadline = tap_now_ns() + 3LL * TRACE_DEADLINE_MS * 1000000LL;
	while (deaths < MANY || reaped < MANY + 1) {
		CHECK(tap_now_ns() < deadline);
		for (int i = 0; i < MANY; i++)
			polls[i] = (struct pollfd){ .fd = dead[i] ? -1 : fds[i], .events = POLLIN };
		polls[MANY] = (struct pollfd){ .fd = waitable, .events = POLLIN };
		int ready = poll(polls, MANY + 1, TRACE_DEADLINE_MS);
		CHECK(ready > 0);
		for (int i = 0; i < MANY; i++) {
			if (!(polls[i].revents & POLLIN))
				continue;
			struct loupe_trace_event events[4];
			ssize_t got = read(fds[i], events, sizeof(events));
			CHECK(got > 0 && got % EVENT_SIZE == 0);
			for (int e = 0; e < got / EVENT_SIZE; e++) {
				struct loupe_trace_event *event = &events[e];
				CHECK_EQ(event->pid, pids[i]);
				CHECK_EQ(event->seq, last_seq[i] + 1);
				last_seq[i] = event->seq;
				if (event->kind == LOUPE_EVENT_DEATH) {
					CHECK_EQ(event->status, EXITED_STATUS(i));
					CHECK_EQ(entries[i], MANY_CALLS);
					dead[i] = 1;
					deaths++;
					continue;
				}
				CHECK_EQ(event->kind, LOUPE_EVENT_SYSCALL_ENTRY);
				CHECK_EQ(event->syscall, SYS_getppid);
				entries[i]++;
				trace_resume_write(fds[i], &resume);
			}
		}
		if (polls[MANY].revents & POLLIN) {
			int status;
			pid_t pid;
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
				reaped++;
				CHECK(WIFEXITED(status));
				if (pid == untraced) {
					CHECK_EQ(WEXITSTATUS(status), 99);
					untraced_reaped = 1;
				}
			}
		}
	}
	CHECK(untraced_reaped);
	expect_waitable("0\n");
	for (int i = 0; i < MANY; i++)
		CHECK_EQ(entries[i], MANY_CALLS);
}

/* --- the lifetime rules with these stops armed ------------------------------------------------ */

static volatile int lifetime_handler_ran;

static void lifetime_handler(int sig)
{
	(void)sig;
	lifetime_handler_ran++;
}

enum lifetime_stop { AT_SIGNAL, AT_BREAKPOINT, AT_STEP_IN_CALL, AT_EXEC };

static enum lifetime_stop lifetime_stop;

static void body_lifetime(void)
{
	signal(SIGUSR1, lifetime_handler);
	switch (lifetime_stop) {
	case AT_SIGNAL:
		kill(getpid(), SIGUSR1);
		break;
	case AT_BREAKPOINT:
		__asm__ volatile("int3");
		break;
	case AT_STEP_IN_CALL: {
		/* Stepped from the entry stop of this read, then blocked in it. */
		char bytes[2];
		raw_syscall6(SYS_read, tracee_in, (long)bytes, 2, 0, 0, 0);
		break;
	}
	case AT_EXEC:
		break;
	}
	tracee_say(lifetime_handler_ran);
}

/*
 * A sibling tracer brings the tracee to a stop of the given kind, tells
 * the test, and is killed: the tracee runs on as the rules say.
 */
static void tracer_killed_at(enum lifetime_stop stop, long expect_report)
{
	lifetime_stop = stop;
	struct tracee tracee = tracee_start(body_lifetime);
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	pid_t tracer = tap_fork();
	if (tracer == 0) {
		int fd = trace_open(tracee.pid);
		struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SIGNAL | LOUPE_STOP_BREAKPOINT,
								   0, 0);
		if (stop == AT_STEP_IN_CALL) {
			resume = events_resume(LOUPE_STOP_SYSCALL_ENTRY, 0);
			trace_filter_add(&resume, SYS_read);
		}
		trace_resume_write(fd, &resume);
		tracee_go(&tracee);
		struct loupe_trace_event event;
		for (;;) {
			trace_event_of(fd, tracee.pid, &event);
			if (stop == AT_SIGNAL && event.kind == LOUPE_EVENT_SIGNAL)
				break;
			if (stop == AT_BREAKPOINT && event.kind == LOUPE_EVENT_BREAKPOINT)
				break;
			if (stop == AT_STEP_IN_CALL && event.kind == LOUPE_EVENT_SYSCALL_ENTRY &&
			    event.syscall == SYS_read && event.args[2] == 2) {
				/* Resume with a step: the kernel's TF is now in the frame. */
				resume.flags = LOUPE_RESUME_STEP;
				trace_resume_write(fd, &resume);
				break;
			}
			trace_resume_write(fd, &resume);
		}
		tap_write_fully(ready[1], "s", 1);
		for (;;)
			pause();
	}
	char byte;
	CHECK_EQ(tap_read_fully(ready[0], &byte, 1), 1);
	if (stop == AT_STEP_IN_CALL)
		wait_state(tracee.pid, 'S');            /* blocked in the stepped read */
	else
		CHECK_EQ(proc_state(tracee.pid), 't');
	CHECK_EQ(kill(tracer, SIGKILL), 0);
	CHECK_SIGNALED(tap_wait(tracer), SIGKILL);
	if (stop == AT_STEP_IN_CALL)
		tracee_go(&tracee);                     /* the read returns: no TF may be left */
	CHECK_EQ(tracee_report(&tracee), expect_report);
	int status = tap_wait(tracee.pid);
	if (!WIFEXITED(status))
		tap_diag("the released tracee died: raw status %#x", (unsigned)status);
	CHECK_EXITED(status, 0);
	expect_tracer(getpid(), 0);
}

static void test_tracer_killed_at_signal_stop(void)
{
	/* The session ends with the signal undecided: it is delivered (as on Linux). */
	tracer_killed_at(AT_SIGNAL, 1);
}

static void test_tracer_killed_at_breakpoint(void)
{
	tracer_killed_at(AT_BREAKPOINT, 0);
}

static void test_tracer_killed_during_step(void)
{
	/* The TF the kernel set for a step is cleared when the session ends: no SIGTRAP. */
	tracer_killed_at(AT_STEP_IN_CALL, 0);
}

static void test_close_at_follow_and_exec_stops(void)
{
	/* Closing the handle at a FORK stop resumes the tracee; the followed child is released too
	 * when its would-be tracer exits (test_follow_fork_tracer_leaves). Here: at an EXEC stop. */
	struct tracee tracee = tracee_start(body_exec_self);
	int fd = trace_open(tracee.pid);
	trace_arm(fd, LOUPE_STOP_EXEC, 0);
	tracee_go(&tracee);
	struct loupe_trace_event event;
	trace_expect(fd, tracee.pid, LOUPE_EVENT_EXEC, &event);
	close(fd);
	CHECK_EQ(tracee_report(&tracee), 0x1111);
	CHECK_EXITED(tap_wait(tracee.pid), 0);
	/* SIGKILL at the EXEC stop: DEATH only. */
	tracee = tracee_start(body_exec_self);
	fd = trace_open(tracee.pid);
	trace_arm(fd, LOUPE_STOP_EXEC | LOUPE_STOP_EXIT, 0);
	tracee_go(&tracee);
	trace_expect(fd, tracee.pid, LOUPE_EVENT_EXEC, &event);
	CHECK_EQ(kill(tracee.pid, SIGKILL), 0);
	trace_expect_death(fd, tracee.pid, SIGNALED_STATUS(SIGKILL));
	CHECK_SIGNALED(tap_wait(tracee.pid), SIGKILL);
}

static const struct tap_test tests[] = {
	{ "FORK events of fork and vfork, between entry and exit", test_fork_event, LOUPE },
	{ "FOLLOW_FORK across three generations, adopted handles", test_follow_fork_three_generations, LOUPE },
	{ "FOLLOW_FORK: the tracer leaves, both run on", test_follow_fork_tracer_leaves, LOUPE },
	{ "FOLLOW_FORK with KILL_ON_CLOSE: the tracer leaves, both die", test_follow_fork_tracer_leaves_kill_on_close, LOUPE },
	{ "EXEC event: new image, stale and new mem handles", test_exec_event_and_stale_handles, LOUPE },
	{ "consent: fork, consent, execve, wait4, trace", test_consent_classic_sequence, LOUPE },
	{ "consent: a signal stop, reported by wait4", test_consent_signal_stop, LOUPE },
	{ "consent_bad: other processes, twice, already traced", test_consent_bad, LOUPE },
	{ "waitable: zombies, stops, continues; poll", test_waitable, LOUPE },
	{ "32 tracees and an untraced child under one poll", test_many_tracees_one_poll, LOUPE },
	{ "tracer killed at a SIGNAL stop: the signal is delivered", test_tracer_killed_at_signal_stop, LOUPE },
	{ "tracer killed at a BREAKPOINT stop: runs on", test_tracer_killed_at_breakpoint, LOUPE },
	{ "tracer killed during a step: no TF left, no SIGTRAP", test_tracer_killed_during_step, LOUPE },
	{ "close and SIGKILL at an EXEC stop", test_close_at_follow_and_exec_stops, LOUPE },
};

int main(int argc, char **argv)
{
	tap_argv0 = argv[0];
	if (argc >= 3 && strcmp(argv[1], "--exec-report") == 0) {
		uint64_t value = image_tag;
		return write(atoi(argv[2]), &value, sizeof(value)) != sizeof(value);
	}
	return trace_tap_main(argc, argv, tests, TAP_COUNT(tests));
}
