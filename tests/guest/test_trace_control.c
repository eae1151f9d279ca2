/* SPDX-License-Identifier: MIT */
/*
 * test_trace_control - the tracer's controls over when a tracee stops,
 * with the raw files (no ptrace shim): LOUPE_RESUME_INTERRUPT (a busy
 * loop, blocked calls that restart transparently, the regs of a blocked
 * read), sysemu (LOUPE_RESUME_SKIP: skipped calls return the tracer's
 * rax) and the syscall filter (only write over 100 000 getpid calls).
 *
 * Single steps and breakpoints are in test_trace_stops, signal stops in
 * test_trace_signals, fork, exec and consent in test_trace_events.
 *
 * Loupe only (TAP_LOUPE_ONLY): Linux has no such files.
 */
#include "trace_util.h"

extern void busy_loop(void);
extern char busy_loop_end[];

volatile uint64_t busy_counter;

__asm__(
	".text\n"
	/* A loop without system calls. */
	".globl busy_loop\n"
	"busy_loop:\n"
	"1:	incq busy_counter(%rip)\n"
	"	jmp 1b\n"
	".globl busy_loop_end\n"
	"busy_loop_end:\n"
	"	ret\n");

/* --- interrupt ------------------------------------------------------------------------------ */

static void body_busy(void)
{
	busy_loop();
}

static uint64_t busy_counter_of(int mem)
{
	uint64_t value = 0;
	CHECK_EQ(trace_mem_read(mem, &value, sizeof(value), (uintptr_t)&busy_counter), 8);
	return value;
}

static void test_interrupt_busy_loop(void)
{
	struct tracee child = tracee_start(body_busy);
	int fd = trace_open(child.pid);
	int mem = proc_open(child.pid, "mem", O_RDONLY);
	trace_arm_opts(fd, 0, 0, LOUPE_OPT_KILL_ON_CLOSE);     /* it dies with us */
	tracee_go(&child);
	long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
	while (busy_counter_of(mem) == 0) {
		CHECK(tap_now_ns() < deadline);
		tap_sleep_ms(1);
	}
	CHECK_EQ(proc_state(child.pid), 'R');
	struct loupe_trace_event event;
	struct loupe_user_regs regs;
	for (int round = 0; round < 5; round++) {
		uint32_t flags = LOUPE_RESUME_INTERRUPT | (round % 2 ? LOUPE_RESUME_NOCONT : 0);
		trace_arm_opts(fd, 0, flags, LOUPE_OPT_KILL_ON_CLOSE);
		trace_expect(fd, child.pid, LOUPE_EVENT_INTERRUPT, &event);
		CHECK(event.rip >= ADDR(busy_loop) && event.rip < ADDR(busy_loop_end));
		CHECK_EQ(event.signal, 0);
		regs_of(child.pid, &regs);
		CHECK_EQ(regs.rip, event.rip);
		CHECK_EQ(proc_state(child.pid), 't');
		uint64_t stopped_at = busy_counter_of(mem);
		tap_sleep_ms(20);
		CHECK_EQ(busy_counter_of(mem), stopped_at);     /* it really is stopped */
		/* INTERRUPT|NOCONT at a stop changes nothing: no event, still stopped. */
		trace_arm_opts(fd, 0, LOUPE_RESUME_INTERRUPT | LOUPE_RESUME_NOCONT,
			       LOUPE_OPT_KILL_ON_CLOSE);
		trace_expect_none(fd, 30);
		CHECK_EQ(busy_counter_of(mem), stopped_at);
		trace_arm_opts(fd, 0, 0, LOUPE_OPT_KILL_ON_CLOSE);
		deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
		while (busy_counter_of(mem) == stopped_at) {
			CHECK(tap_now_ns() < deadline);
			tap_sleep_ms(1);
		}
	}
	close(fd);
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);
}

enum blocked_call { BLOCKED_READ, BLOCKED_NANOSLEEP, BLOCKED_PPOLL, BLOCKED_POLL, BLOCKED_WAIT4 };
static enum blocked_call blocked_call;

static void body_blocked_call(void)
{
	char byte;
	long long start = tap_now_ns();
	long result = -1;
	tracee_say(0);                  /* next: the blocking call */
	switch (blocked_call) {
	case BLOCKED_READ:
		result = raw_syscall6(SYS_read, tracee_in, (long)&byte, 1, 0, 0, 0);
		break;
	case BLOCKED_NANOSLEEP: {
		struct timespec delay = { 0, 400 * 1000000L };
		result = raw_syscall6(SYS_nanosleep, (long)&delay, 0, 0, 0, 0, 0);
		break;
	}
	case BLOCKED_PPOLL: {
		struct pollfd p = { .fd = tracee_in, .events = POLLIN };
		result = raw_syscall6(SYS_ppoll, (long)&p, 1, 0, 0, 8, 0);
		break;
	}
	case BLOCKED_POLL: {
		struct pollfd p = { .fd = tracee_in, .events = POLLIN };
		result = raw_syscall6(SYS_poll, (long)&p, 1, -1, 0, 0, 0);
		break;
	}
	case BLOCKED_WAIT4: {
		pid_t pid = fork();
		if (pid == 0) {
			tracee_wait_go();
			_exit(5);
		}
		int status = 0;
		result = raw_syscall6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) == pid ? status : -1;
		break;
	}
	}
	tracee_say(result);
	tracee_say((tap_now_ns() - start) / 1000000);
}

static void interrupt_blocked(enum blocked_call call, long syscall_number, long expect)
{
	blocked_call = call;
	struct tracee child = tracee_start(body_blocked_call);
	int fd = trace_open(child.pid);
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), 0);
	wait_state(child.pid, 'S');
	trace_arm(fd, 0, LOUPE_RESUME_INTERRUPT | LOUPE_RESUME_NOCONT);
	struct loupe_trace_event event;
	trace_expect(fd, child.pid, LOUPE_EVENT_INTERRUPT, &event);
	struct loupe_user_regs regs;
	regs_of(child.pid, &regs);
	CHECK_EQ(regs.orig_rax, syscall_number);
	CHECK_EQ(regs.rip, event.rip);
	/* Resumed, the call starts over (a new entry stop shows it) and blocks again. */
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALL_ENTRY, 0, LOUPE_OPT_FILTER);
	trace_filter_add(&resume, (unsigned)syscall_number);
	trace_resume_write(fd, &resume);
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, syscall_number, &event);
	trace_arm(fd, 0, 0);
	if (call != BLOCKED_NANOSLEEP) {
		wait_state(child.pid, 'S');
		tracee_go(&child);              /* the read, poll or the grandchild goes on */
	}
	long result = tracee_report(&child);
	if (result != expect)
		tap_diag("the interrupted call (%ld) returned %ld, expected %ld (a transparent restart)",
			 syscall_number, result, expect);
	CHECK_EQ(result, expect);
	long elapsed = tracee_report(&child);
	if (call == BLOCKED_NANOSLEEP)
		CHECK(elapsed >= 400);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_interrupt_blocked_read(void)
{
	interrupt_blocked(BLOCKED_READ, SYS_read, 1);
}

static void test_interrupt_blocked_nanosleep(void)
{
	interrupt_blocked(BLOCKED_NANOSLEEP, SYS_nanosleep, 0);
}

static void test_interrupt_blocked_poll(void)
{
	interrupt_blocked(BLOCKED_POLL, SYS_poll, 1);
}

static void test_interrupt_blocked_ppoll(void)
{
	interrupt_blocked(BLOCKED_PPOLL, SYS_ppoll, 1);
}

static void test_interrupt_blocked_wait4(void)
{
	interrupt_blocked(BLOCKED_WAIT4, SYS_wait4, EXITED_STATUS(5));
}

static void test_interrupt_regs_at_blocked_read(void)
{
	/* At the interrupt stop of a blocked read: rax -ERESTARTSYS, rip after `syscall`. */
	blocked_call = BLOCKED_READ;
	struct tracee child = tracee_start(body_blocked_call);
	int fd = trace_open(child.pid);
	tracee_go(&child);
	CHECK_EQ(tracee_report(&child), 0);
	wait_state(child.pid, 'S');
	trace_arm(fd, 0, LOUPE_RESUME_INTERRUPT);
	struct loupe_trace_event event;
	trace_expect(fd, child.pid, LOUPE_EVENT_INTERRUPT, &event);
	struct loupe_user_regs regs;
	regs_of(child.pid, &regs);
	CHECK_EQ(regs.orig_rax, SYS_read);
	CHECK_EQ((long)regs.rax, -512);
	CHECK_EQ(regs.rdx, 1);
	CHECK_EQ(regs.rip, event.rip);
	tracee_kill(&child);
}

/* --- sysemu ------------------------------------------------------------------------------------ */

#define SYSEMU_MAGIC 0xdead

static void body_sysemu(void)
{
	long magic = SYSEMU_MAGIC;
	/* Skipped: nothing is written (the test would read the magic first). */
	long r1 = raw_syscall6(SYS_write, tracee_out, (long)&magic, sizeof(magic), 0, 0, 0);
	long r2 = raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);             /* skipped: -ENOSYS */
	long r3 = raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);            /* skipped, stepped */
	raw_syscall6(SYS_exit_group, 9, 0, 0, 0, 0, 0);                   /* skipped: no exit */
	tracee_say(r1);
	tracee_say(r2);
	tracee_say(r3);
}

static struct loupe_trace_resume sysemu_resume(uint32_t flags)
{
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALLS, flags, LOUPE_OPT_FILTER);
	trace_filter_add(&resume, SYS_write);
	trace_filter_add(&resume, SYS_getpid);
	trace_filter_add(&resume, SYS_getppid);
	trace_filter_add(&resume, SYS_exit_group);
	return resume;
}

static void test_sysemu_chosen_value(void)
{
	struct tracee child = tracee_start(body_sysemu);
	int fd = trace_open(child.pid);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	struct loupe_trace_resume resume = sysemu_resume(0);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	struct loupe_trace_event event;
	struct loupe_user_regs regs;

	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_write, &event);
	regs_get(regs_fd, &regs);
	CHECK_EQ((long)regs.rax, -ENOSYS);
	regs.rax = 777;
	regs_set(regs_fd, &regs);
	resume = sysemu_resume(LOUPE_RESUME_SKIP);
	trace_resume_write(fd, &resume);
	/* No exit stop for a skipped call: the next event is the next call's entry. */
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getpid, &event);
	trace_resume_write(fd, &resume);                /* rax untouched: -ENOSYS */
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	uint64_t after = event.rip;
	regs_get(regs_fd, &regs);
	regs.rax = 555;
	regs_set(regs_fd, &regs);
	resume = sysemu_resume(LOUPE_RESUME_SKIP | LOUPE_RESUME_STEP);
	trace_resume_write(fd, &resume);
	trace_expect(fd, child.pid, LOUPE_EVENT_SINGLESTEP, &event);
	CHECK_EQ(event.rip, after);
	regs_get(regs_fd, &regs);
	CHECK_EQ(regs.rax, 555);
	CHECK_EQ(regs.eflags & TRACE_RFLAGS_TF, 0);
	resume = sysemu_resume(0);
	trace_resume_write(fd, &resume);
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_exit_group, &event);
	CHECK_EQ(event.args[0], 9);
	regs_get(regs_fd, &regs);
	regs.rax = 0;
	regs_set(regs_fd, &regs);
	resume = trace_resume_of(0, LOUPE_RESUME_SKIP, 0);     /* and nothing armed any more */
	trace_resume_write(fd, &resume);
	CHECK_EQ(tracee_report(&child), 777);
	CHECK_EQ(tracee_report(&child), -ENOSYS);
	CHECK_EQ(tracee_report(&child), 555);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_sysemu_and_step_bad(void)
{
	struct tracee child = tracee_start(body_sysemu);
	int fd = trace_open(child.pid);
	/* Running: SKIP and STEP have nothing to act on. */
	struct loupe_trace_resume bad = sysemu_resume(LOUPE_RESUME_SKIP);
	CHECK_ERRNO(write(fd, &bad, sizeof(bad)), EINVAL);
	bad = sysemu_resume(LOUPE_RESUME_STEP);
	CHECK_ERRNO(write(fd, &bad, sizeof(bad)), EINVAL);
	struct loupe_trace_resume resume = sysemu_resume(0);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_ENTRY, SYS_write, &event);
	/* At an entry stop, with NOCONT: nothing is resumed, so nothing to skip or step. */
	bad = sysemu_resume(LOUPE_RESUME_SKIP | LOUPE_RESUME_NOCONT);
	CHECK_ERRNO(write(fd, &bad, sizeof(bad)), EINVAL);
	bad = sysemu_resume(LOUPE_RESUME_STEP | LOUPE_RESUME_NOCONT);
	CHECK_ERRNO(write(fd, &bad, sizeof(bad)), EINVAL);
	CHECK_EQ(proc_state(child.pid), 't');
	trace_expect_none(fd, 20);
	/* At an exit stop: SKIP is refused, the stop stays. */
	trace_resume_write(fd, &resume);                /* the write runs... */
	trace_expect_syscall(fd, child.pid, LOUPE_EVENT_SYSCALL_EXIT, SYS_write, &event);
	CHECK_EQ(event.retval, 8);
	bad = sysemu_resume(LOUPE_RESUME_SKIP);
	CHECK_ERRNO(write(fd, &bad, sizeof(bad)), EINVAL);
	CHECK_EQ(proc_state(child.pid), 't');
	trace_expect_none(fd, 20);
	trace_arm(fd, 0, 0);                            /* ...and exit_group(9) too */
	CHECK_EQ(tracee_report(&child), SYSEMU_MAGIC);
	trace_expect_death(fd, child.pid, EXITED_STATUS(9));
	CHECK_EXITED(tap_wait(child.pid), 9);
}

/* --- the syscall filter -------------------------------------------------------------------- */

#define FILTER_CALLS 100000
#define FILTER_WRITES 5

static void body_getpid_many(void)
{
	for (long i = 0; i < FILTER_CALLS; i++) {
		raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
		if (i % (FILTER_CALLS / FILTER_WRITES) == 0)
			raw_syscall6(SYS_write, tracee_out, (long)&i, sizeof(i), 0, 0, 0);
	}
}

static void test_filter_only_write(void)
{
	struct tracee child = tracee_start(body_getpid_many);
	int fd = trace_open(child.pid);
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALLS, 0, LOUPE_OPT_FILTER);
	trace_filter_add(&resume, SYS_write);
	trace_resume_write(fd, &resume);
	tracee_go(&child);
	struct loupe_trace_event event;
	int entries = 0, exits = 0;
	for (;;) {
		trace_event_of(fd, child.pid, &event);
		if (event.kind == LOUPE_EVENT_DEATH)
			break;
		if (event.syscall != SYS_write) {
			trace_describe("a stop outside the filter", &event);
			_exit(1);
		}
		if (event.kind == LOUPE_EVENT_SYSCALL_ENTRY) {
			CHECK_EQ(entries, exits);       /* entry, exit, entry, exit... */
			CHECK_EQ(event.args[2], 8);
			entries++;
		} else {
			CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
			CHECK_EQ(event.retval, 8);
			exits++;
			CHECK_EQ(entries, exits);
		}
		trace_resume_write(fd, &resume);
	}
	CHECK_EQ(event.status, EXITED_STATUS(0));
	CHECK_EQ(entries, FILTER_WRITES);
	CHECK_EQ(exits, FILTER_WRITES);
	for (long i = 0; i < FILTER_WRITES; i++)
		CHECK_EQ(tracee_report(&child), i * (FILTER_CALLS / FILTER_WRITES));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void body_filter_mix(void)
{
	for (int i = 0; i < 10; i++)
		raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	raw_syscall6(600, 0, 0, 0, 0, 0, 0);            /* beyond the bitmap */
	for (int i = 0; i < 3; i++)
		raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
	raw_syscall6(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}

/* Runs body_filter_mix under `resume`, counting entry stops per call: getpid, 600, getppid, sched_yield. */
static void count_filtered(struct loupe_trace_resume *resume, int counts[4], int change_at_getppid)
{
	struct tracee child = tracee_start(body_filter_mix);
	int fd = trace_open(child.pid);
	trace_resume_write(fd, resume);
	tracee_go(&child);
	struct loupe_trace_event event;
	memset(counts, 0, 4 * sizeof(int));
	for (;;) {
		trace_event_of(fd, child.pid, &event);
		if (event.kind == LOUPE_EVENT_DEATH)
			break;
		if (event.kind == LOUPE_EVENT_SYSCALL_ENTRY) {
			if (event.syscall == SYS_getpid)
				counts[0]++;
			else if (event.syscall == 600)
				counts[1]++;
			else if (event.syscall == SYS_getppid) {
				counts[2]++;
				if (change_at_getppid) {
					/* From now on: only sched_yield. */
					memset(resume->filter, 0, sizeof(resume->filter));
					trace_filter_add(resume, SYS_sched_yield);
				}
			} else if (event.syscall == SYS_sched_yield)
				counts[3]++;
		}
		if (event.kind == LOUPE_EVENT_SYSCALL_EXIT && event.syscall == 600)
			CHECK_EQ(event.retval, -ENOSYS);
		trace_resume_write(fd, resume);
	}
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_filter_default_all_and_changes(void)
{
	int counts[4];
	/* No FILTER option: every call stops, even with bits in the bitmap. */
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALLS, 0, 0);
	trace_filter_add(&resume, SYS_getppid);
	count_filtered(&resume, counts, 0);
	CHECK_EQ(counts[0], 10);
	CHECK_EQ(counts[1], 1);
	CHECK_EQ(counts[2], 3);
	CHECK_EQ(counts[3], 1);
	/* FILTER with every bit set: all but 600, which is outside the bitmap. */
	resume = trace_resume_of(LOUPE_STOP_SYSCALLS, 0, LOUPE_OPT_FILTER);
	memset(resume.filter, 0xff, sizeof(resume.filter));
	count_filtered(&resume, counts, 0);
	CHECK_EQ(counts[0], 10);
	CHECK_EQ(counts[1], 0);
	CHECK_EQ(counts[2], 3);
	CHECK_EQ(counts[3], 1);
	/* FILTER with an empty bitmap: none. */
	resume = trace_resume_of(LOUPE_STOP_SYSCALLS, 0, LOUPE_OPT_FILTER);
	count_filtered(&resume, counts, 0);
	CHECK_EQ(counts[0] + counts[1] + counts[2] + counts[3], 0);
	/* Changed at a stop: the new bitmap holds from the next call. */
	resume = trace_resume_of(LOUPE_STOP_SYSCALL_ENTRY, 0, LOUPE_OPT_FILTER);
	trace_filter_add(&resume, SYS_getppid);
	count_filtered(&resume, counts, 1);
	CHECK_EQ(counts[0], 0);
	CHECK_EQ(counts[2], 1);
	CHECK_EQ(counts[3], 1);
}

static const struct tap_test tests[] = {
	{ "interrupt a busy loop; INTERRUPT|NOCONT", test_interrupt_busy_loop, LOUPE },
	{ "interrupt: regs of a blocked read", test_interrupt_regs_at_blocked_read, LOUPE },
	{ "interrupt a blocked read: restarts transparently", test_interrupt_blocked_read, LOUPE },
	{ "interrupt a nanosleep: restarts transparently", test_interrupt_blocked_nanosleep, LOUPE },
	{ "interrupt a poll: restarts transparently", test_interrupt_blocked_poll, LOUPE },
	{ "interrupt a ppoll: restarts transparently", test_interrupt_blocked_ppoll, LOUPE },
	{ "interrupt a wait4: restarts transparently", test_interrupt_blocked_wait4, LOUPE },
	{ "sysemu: skipped calls return the tracer's rax", test_sysemu_chosen_value, LOUPE },
	{ "sysemu_bad: SKIP/STEP where nothing to skip or step", test_sysemu_and_step_bad, LOUPE },
	{ "filter: only write over 100000 getpid calls", test_filter_only_write, LOUPE },
	{ "filter: default all, full, empty, changed at a stop", test_filter_default_all_and_changes, LOUPE },
};

int main(int argc, char **argv)
{
	return trace_tap_main(argc, argv, tests, TAP_COUNT(tests));
}
