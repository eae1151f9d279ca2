/* SPDX-License-Identifier: MIT */
/*
 * test_trace_regs - /proc/<pid>/regs and /proc/<pid>/fpregs of issue 5:
 * reading struct user_regs_struct at a syscall stop (the call's number and
 * arguments are there), EBUSY while the tracee runs, EINVAL for short,
 * long and offset transfers with nothing changed, the validation of
 * writes (kernel CS, wrong SS, data selectors, non-canonical FS/GS bases
 * refused; IOPL, IF, NT, VM, VIF, VIP, ID silently kept as the kernel
 * wants them), changing a syscall's number and arguments at its entry and
 * its result at its exit, invalid numbers (-1, -2, 2^32-1, 2^63...)
 * giving -ENOSYS, a non-canonical or kernel RIP written at the exit stop
 * of fork 10 000 times (the tracee gets SIGSEGV, the kernel lives on), and
 * the FXSAVE area with its MXCSR check.
 *
 * The tracees run their syscalls as inline `syscall` instructions
 * (raw_syscall6 and the asm below), so what the tracer changes is exactly
 * what the tracee sees, without libc in between.
 *
 * Loupe only: every row is TAP_LOUPE_ONLY; on Linux all are skipped.
 */
#include "trace_util.h"

#include <sys/sysinfo.h>

#define RFLAGS_CF   0x0001UL
#define RFLAGS_TF   0x0100UL
#define RFLAGS_IF   0x0200UL
#define RFLAGS_DF   0x0400UL
#define RFLAGS_IOPL 0x3000UL
#define RFLAGS_NT   0x4000UL
#define RFLAGS_VM   0x20000UL
#define RFLAGS_AC   0x40000UL
#define RFLAGS_VIF  0x80000UL
#define RFLAGS_VIP  0x100000UL
#define RFLAGS_ID   0x200000UL

#define ARCH_GET_GS 0x1004

#define MARK_R12 0x1212121212121212L
#define MARK_R13 0x1313131313131313L
#define MARK_R14 0x1414141414141414L
#define MARK_R15 0x1515151515151515L

/* A write(987, 0x12345678, 4242, 0x11, 0x22, 0x33) with marks in r12..r15. */
static long marked_write(void)
{
	register long r10 __asm__("r10") = 0x11;
	register long r8 __asm__("r8") = 0x22;
	register long r9 __asm__("r9") = 0x33;
	register long r12 __asm__("r12") = MARK_R12;
	register long r13 __asm__("r13") = MARK_R13;
	register long r14 __asm__("r14") = MARK_R14;
	register long r15 __asm__("r15") = MARK_R15;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_write), "D"(987L), "S"(0x12345678L), "d"(4242L), "r"(r10),
			   "r"(r8), "r"(r9), "r"(r12), "r"(r13), "r"(r14), "r"(r15)
			 : "rcx", "r11", "memory");
	return ret;
}

static uint64_t thread_pointer(void)
{
	uint64_t tp;
	__asm__("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

static void body_marked_write(void)
{
	tracee_say(marked_write());
}

static void body_nothing(void)
{
}

/* Starts body, traces it with `stops`, and stops it at the entry of syscall `number`. */
static int stop_at_entry(struct tracee *child, void (*body)(void), long number,
			 struct loupe_trace_event *event)
{
	*child = tracee_start(body);
	int fd = trace_open(child->pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	tracee_go(child);
	trace_until(fd, child->pid, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_EVENT_SYSCALL_ENTRY, number,
		    event);
	return fd;
}

static void test_regs_read_at_stop(void)
{
	struct tracee child;
	struct loupe_trace_event event;
	int fd = stop_at_entry(&child, body_marked_write, SYS_write, &event);
	int regs_fd = proc_open(child.pid, "regs", O_RDONLY);
	struct loupe_user_regs regs;
	regs_get(regs_fd, &regs);
	CHECK_EQ(regs.orig_rax, SYS_write);
	CHECK_EQ(regs.rdi, 987);
	CHECK_EQ(regs.rsi, 0x12345678);
	CHECK_EQ(regs.rdx, 4242);
	CHECK_EQ(regs.r10, 0x11);
	CHECK_EQ(regs.r8, 0x22);
	CHECK_EQ(regs.r9, 0x33);
	CHECK_EQ(regs.r12, MARK_R12);
	CHECK_EQ(regs.r13, MARK_R13);
	CHECK_EQ(regs.r14, MARK_R14);
	CHECK_EQ(regs.r15, MARK_R15);
	CHECK_EQ(regs.rip, event.rip);
	CHECK_EQ(regs.rcx, regs.rip);           /* the syscall instruction put it there */
	CHECK_EQ(regs.cs, USER_CS);
	CHECK_EQ(regs.ss, USER_SS);
	CHECK(regs.eflags & RFLAGS_IF);
	CHECK_EQ(regs.eflags & (RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM), 0);
	CHECK_EQ(regs.fs_base, thread_pointer()); /* forked: the same TLS address */
	CHECK(regs.rsp > 0x10000 && regs.rsp < 0x800000000000UL);
	CHECK(regs.ds == 0 || regs.ds == USER_SS);
	/* Reading twice gives the same bytes; pread at offset 0 after a read too. */
	struct loupe_user_regs again;
	CHECK_EQ(read(regs_fd, &again, sizeof(again)), REGS_SIZE);
	CHECK(memcmp(&regs, &again, sizeof(regs)) == 0);

	/* At the exit stop: the result in rax, the number still in orig_rax. */
	trace_arm(fd, LOUPE_STOP_SYSCALL_EXIT, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
	regs_get(regs_fd, &regs);
	CHECK_EQ(regs.rax, -EBADF);
	CHECK_EQ(regs.orig_rax, SYS_write);
	CHECK_EQ(regs.r12, MARK_R12);
	trace_arm(fd, 0, 0);
	CHECK_EQ(tracee_report(&child), -EBADF);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_regs_bad(void)
{
	/* EBUSY while the tracee runs (here: blocked in read, not in a trace stop). */
	struct tracee child = tracee_start(body_marked_write);
	int fd = trace_open(child.pid);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	int fp_fd = proc_open(child.pid, "fpregs", O_RDWR);
	wait_state(child.pid, 'S');
	struct loupe_user_regs regs, before;
	char fp[LOUPE_FPREGS_SIZE];
	memset(&regs, 0, sizeof(regs));
	CHECK_ERRNO(pread(regs_fd, &regs, sizeof(regs), 0), EBUSY);
	CHECK_ERRNO(pwrite(regs_fd, &regs, sizeof(regs), 0), EBUSY);
	CHECK_ERRNO(pread(fp_fd, fp, sizeof(fp), 0), EBUSY);
	CHECK_ERRNO(pwrite(fp_fd, fp, sizeof(fp), 0), EBUSY);

	/* Stopped: only whole structures at offset 0. */
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_until(fd, child.pid, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_EVENT_SYSCALL_ENTRY, SYS_write,
		    &event);
	regs_get(regs_fd, &before);
	char big[REGS_SIZE + 8];
	memset(big, 0, sizeof(big));
	CHECK_ERRNO(pread(regs_fd, big, REGS_SIZE - 1, 0), EINVAL);
	CHECK_ERRNO(pread(regs_fd, big, REGS_SIZE + 1, 0), EINVAL);
	CHECK_ERRNO(pread(regs_fd, big, 8, 0), EINVAL);
	CHECK_ERRNO(pread(regs_fd, big, REGS_SIZE, 8), EINVAL);
	CHECK_ERRNO(pread(regs_fd, big, REGS_SIZE - 8, 8), EINVAL);
	CHECK_ERRNO(pread(regs_fd, TAP_BAD_KERNEL, REGS_SIZE, 0), EFAULT);
	CHECK_ERRNO(pread(regs_fd, tap_readonly_page(), REGS_SIZE, 0), EFAULT);
	/* Writes of garbage in a bad shape: EINVAL, and nothing is taken. */
	memset(big, 0xee, sizeof(big));
	CHECK_ERRNO(pwrite(regs_fd, big, REGS_SIZE - 1, 0), EINVAL);
	CHECK_ERRNO(pwrite(regs_fd, big, REGS_SIZE + 1, 0), EINVAL);
	CHECK_ERRNO(pwrite(regs_fd, big, 8, 0), EINVAL);
	CHECK_ERRNO(pwrite(regs_fd, big, 0, 0), EINVAL);
	CHECK_ERRNO(pwrite(regs_fd, big, REGS_SIZE, 8), EINVAL);
	CHECK_ERRNO(pwrite(regs_fd, big, 8, REGS_SIZE - 8), EINVAL);
	CHECK_ERRNO(pwrite(regs_fd, TAP_BAD_KERNEL, REGS_SIZE, 0), EFAULT);
	CHECK_ERRNO(pwrite(regs_fd, tap_straddling_pointer(REGS_SIZE), REGS_SIZE, 0), EFAULT);
	regs_get(regs_fd, &regs);
	CHECK(memcmp(&regs, &before, sizeof(regs)) == 0);
	/* The same for fpregs. */
	char fp_before[LOUPE_FPREGS_SIZE], fp_big[LOUPE_FPREGS_SIZE + 8];
	CHECK_EQ(pread(fp_fd, fp_before, sizeof(fp_before), 0), LOUPE_FPREGS_SIZE);
	memset(fp_big, 0, sizeof(fp_big));
	CHECK_ERRNO(pread(fp_fd, fp_big, LOUPE_FPREGS_SIZE - 1, 0), EINVAL);
	CHECK_ERRNO(pread(fp_fd, fp_big, LOUPE_FPREGS_SIZE + 1, 0), EINVAL);
	CHECK_ERRNO(pread(fp_fd, fp_big, LOUPE_FPREGS_SIZE, 16), EINVAL);
	memcpy(fp_big, fp_before, sizeof(fp_before));
	fp_big[160] ^= 0x55;            /* xmm0: would show if taken */
	CHECK_ERRNO(pwrite(fp_fd, fp_big, LOUPE_FPREGS_SIZE - 1, 0), EINVAL);
	CHECK_ERRNO(pwrite(fp_fd, fp_big, LOUPE_FPREGS_SIZE + 1, 0), EINVAL);
	CHECK_ERRNO(pwrite(fp_fd, fp_big, LOUPE_FPREGS_SIZE, 16), EINVAL);
	CHECK_EQ(pread(fp_fd, fp, sizeof(fp), 0), LOUPE_FPREGS_SIZE);
	CHECK(memcmp(fp, fp_before, sizeof(fp)) == 0);

	/* Dead: ESRCH. */
	CHECK_EQ(kill(child.pid, SIGKILL), 0);
	trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGKILL));
	CHECK_ERRNO(pread(regs_fd, &regs, sizeof(regs), 0), ESRCH);
	CHECK_ERRNO(pwrite(regs_fd, &before, sizeof(before), 0), ESRCH);
	CHECK_ERRNO(pread(fp_fd, fp, sizeof(fp), 0), ESRCH);
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);
}

/* One refused regs write: EINVAL, and the registers read back unchanged. */
static void refused(int regs_fd, const struct loupe_user_regs *good, const char *what,
		    void (*spoil)(struct loupe_user_regs *, uint64_t), uint64_t value)
{
	struct loupe_user_regs bad = *good, now;
	spoil(&bad, value);
	errno = 0;
	ssize_t done = pwrite(regs_fd, &bad, sizeof(bad), 0);
	if (done != -1 || errno != EINVAL) {
		tap_diag("regs write with %s = %#llx returned %zd, errno %d (%s); expected EINVAL",
			 what, (unsigned long long)value, done, errno, strerror(errno));
		_exit(1);
	}
	regs_get(regs_fd, &now);
	if (memcmp(&now, good, sizeof(now)) != 0) {
		tap_diag("refused regs write with %s = %#llx changed the registers", what,
			 (unsigned long long)value);
		_exit(1);
	}
}

static void set_cs(struct loupe_user_regs *r, uint64_t v) { r->cs = v; }
static void set_ss(struct loupe_user_regs *r, uint64_t v) { r->ss = v; }
static void set_ds(struct loupe_user_regs *r, uint64_t v) { r->ds = v; }
static void set_es(struct loupe_user_regs *r, uint64_t v) { r->es = v; }
static void set_fs(struct loupe_user_regs *r, uint64_t v) { r->fs = v; }
static void set_gs(struct loupe_user_regs *r, uint64_t v) { r->gs = v; }
static void set_fs_base(struct loupe_user_regs *r, uint64_t v) { r->fs_base = v; }
static void set_gs_base(struct loupe_user_regs *r, uint64_t v) { r->gs_base = v; }
/* A bad CS together with an otherwise fine change: the write is all or nothing. */
static void set_cs_and_rax(struct loupe_user_regs *r, uint64_t v) { r->cs = v; r->rax = 77; r->r12 = 0; }

static void test_regs_write_refused_bad(void)
{
	struct tracee child;
	struct loupe_trace_event event;
	int fd = stop_at_entry(&child, body_marked_write, SYS_write, &event);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	struct loupe_user_regs good;
	regs_get(regs_fd, &good);

	static const uint64_t bad_cs[] = { 0x08, 0x10, 0x2b, 0x23, 0x30, 0x32, 0, 0xffff, 0x1033 };
	for (int i = 0; i < TAP_COUNT(bad_cs); i++)
		refused(regs_fd, &good, "cs", set_cs, bad_cs[i]);
	refused(regs_fd, &good, "cs (+rax, r12)", set_cs_and_rax, 0x08);
	static const uint64_t bad_ss[] = { 0x10, 0x08, 0x33, 0x28, 0, 0xffff, 0x102b };
	for (int i = 0; i < TAP_COUNT(bad_ss); i++)
		refused(regs_fd, &good, "ss", set_ss, bad_ss[i]);
	static const uint64_t bad_data[] = { 0x08, 0x10, 0x33, 0x03, 0xffff, 0x1002b };
	for (int i = 0; i < TAP_COUNT(bad_data); i++) {
		refused(regs_fd, &good, "ds", set_ds, bad_data[i]);
		refused(regs_fd, &good, "es", set_es, bad_data[i]);
		refused(regs_fd, &good, "fs", set_fs, bad_data[i]);
		refused(regs_fd, &good, "gs", set_gs, bad_data[i]);
	}
	static const uint64_t bad_base[] = {
		1ULL << 47, ~0ULL, 0xffff800000000000ULL, 0xffffffff80000000ULL,
		0x8000000000000000ULL, 0x0000800000001000ULL,
	};
	for (int i = 0; i < TAP_COUNT(bad_base); i++) {
		refused(regs_fd, &good, "fs_base", set_fs_base, bad_base[i]);
		refused(regs_fd, &good, "gs_base", set_gs_base, bad_base[i]);
	}
	/* The twins: the user selectors, 0 data selectors and user bases are taken. */
	struct loupe_user_regs ok = good, now;
	ok.ds = USER_SS;
	ok.es = 0;
	ok.gs_base = 0x00007ffffffff000ULL;
	regs_set(regs_fd, &ok);
	regs_get(regs_fd, &now);
	CHECK_EQ(now.gs_base, 0x00007ffffffff000ULL);
	CHECK(now.ds == 0 || now.ds == USER_SS);
	regs_set(regs_fd, &good);
	/* The tracee still runs normally afterwards. */
	trace_arm(fd, 0, 0);
	CHECK_EQ(tracee_report(&child), -EBADF);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

/* getpid as one asm block, with the flags right after the syscall returns. */
static void body_flags_after_getpid(void)
{
	long ret;
	uint64_t flags;
	__asm__ volatile("syscall\n\t"
			 "leaq -128(%%rsp), %%rsp\n\t"  /* step over the red zone */
			 "pushfq\n\t"
			 "popq %1\n\t"
			 "leaq 128(%%rsp), %%rsp"
			 : "=a"(ret), "=r"(flags)
			 : "a"((long)SYS_getpid)
			 : "rcx", "r11", "memory", "cc");
	tracee_say((long)flags);
	tracee_say(ret);
}

static void test_regs_rflags_sanitized(void)
{
	struct tracee child;
	struct loupe_trace_event event;
	int fd = stop_at_entry(&child, body_flags_after_getpid, SYS_getpid, &event);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	struct loupe_user_regs regs, now;
	regs_get(regs_fd, &regs);
	regs.eflags = (regs.eflags & ~RFLAGS_IF) | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM |
		      RFLAGS_VIF | RFLAGS_VIP | RFLAGS_ID | RFLAGS_CF;
	regs_set(regs_fd, &regs);       /* accepted: the bits are fixed silently */
	regs_get(regs_fd, &now);
	tap_diag("eflags written %#llx, read back %#llx", (unsigned long long)regs.eflags,
		 (unsigned long long)now.eflags);
	CHECK(now.eflags & RFLAGS_IF);
	CHECK(now.eflags & RFLAGS_CF);  /* a user bit is taken */
	CHECK_EQ(now.eflags & (RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM | RFLAGS_VIF | RFLAGS_VIP |
			       RFLAGS_ID), 0);
	trace_arm(fd, 0, 0);
	/* What the tracee really runs with after the syscall. */
	uint64_t flags = (uint64_t)tracee_report(&child);
	tap_diag("the tracee's RFLAGS after the syscall: %#llx", (unsigned long long)flags);
	CHECK(flags & RFLAGS_IF);
	CHECK(flags & RFLAGS_CF);
	CHECK_EQ(flags & (RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM | RFLAGS_VIF | RFLAGS_VIP), 0);
	CHECK_EQ(tracee_report(&child), child.pid);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_regs_rflags_clean_bad(void)
{
	/* The twin: without the change, CF is clear after the syscall. */
	struct tracee child;
	struct loupe_trace_event event;
	int fd = stop_at_entry(&child, body_flags_after_getpid, SYS_getpid, &event);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	struct loupe_user_regs regs;
	regs_get(regs_fd, &regs);
	regs.eflags &= ~RFLAGS_CF;
	regs_set(regs_fd, &regs);
	trace_arm(fd, 0, 0);
	uint64_t flags = (uint64_t)tracee_report(&child);
	CHECK_EQ(flags & RFLAGS_CF, 0);
	CHECK(flags & RFLAGS_IF);
	CHECK_EQ(tracee_report(&child), child.pid);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void body_gs_base_after_getpid(void)
{
	raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	uint64_t base = 0;
	tracee_say(raw_syscall6(SYS_arch_prctl, ARCH_GET_GS, (long)&base, 0, 0, 0, 0));
	tracee_say((long)base);
}

static void test_regs_gs_base_write(void)
{
	struct tracee child;
	struct loupe_trace_event event;
	int fd = stop_at_entry(&child, body_gs_base_after_getpid, SYS_getpid, &event);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	struct loupe_user_regs regs;
	regs_get(regs_fd, &regs);
	regs.gs_base = 0x0000123456789000ULL;
	regs_set(regs_fd, &regs);
	trace_arm(fd, 0, 0);
	CHECK_EQ(tracee_report(&child), 0);
	CHECK_EQ(tracee_report(&child), 0x0000123456789000LL);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

/* --- changing syscalls ------------------------------------------------------------------ */

#define ENOSYS_ROUNDS 8
static const uint64_t invalid_numbers[ENOSYS_ROUNDS] = {
	(uint64_t)-1, (uint64_t)-2, 0xffffffffULL, 1ULL << 63, 1ULL << 32, 512, 100000,
	0x7fffffffffffffffULL,
};

static void body_getpid_rounds(void)
{
	for (int i = 0; i < ENOSYS_ROUNDS; i++)
		tracee_say(raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0));
}

static void test_orig_rax_invalid_enosys(void)
{
	struct tracee child = tracee_start(body_getpid_rounds);
	int fd = trace_open(child.pid);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	tracee_go(&child);
	for (int i = 0; i < ENOSYS_ROUNDS; i++) {
		struct loupe_trace_event event;
		trace_until(fd, child.pid, LOUPE_STOP_SYSCALLS, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getpid,
			    &event);
		struct loupe_user_regs regs;
		regs_get(regs_fd, &regs);
		regs.orig_rax = invalid_numbers[i];
		regs_set(regs_fd, &regs);
		trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
		trace_event_of(fd, child.pid, &event);
		CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
		CHECK_EQ(event.syscall, invalid_numbers[i]);
		CHECK_EQ(event.retval, -ENOSYS);
		regs_get(regs_fd, &regs);
		CHECK_EQ(regs.rax, -ENOSYS);
		trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	}
	close(fd);
	for (int i = 0; i < ENOSYS_ROUNDS; i++) {
		long got = tracee_report(&child);
		if (got != -ENOSYS) {
			tap_diag("orig_rax %#llx: the tracee got %ld, expected -ENOSYS",
				 (unsigned long long)invalid_numbers[i], got);
			_exit(1);
		}
	}
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static char text_a[8] = "AAAAAAAA";
static char text_b[8] = "BBBBBBBB";

static void body_change_targets(void)
{
	tracee_say(raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0));       /* becomes getpid */
	raw_syscall6(SYS_write, tracee_out, (long)text_a, 8, 0, 0, 0);  /* writes text_b */
	tracee_say(raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0));        /* returns 4242 */
	tracee_say(raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0));        /* returns -EPERM */
	tracee_say(raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0));       /* unchanged */
}

static void test_change_syscall_args_and_result(void)
{
	struct tracee child = tracee_start(body_change_targets);
	int fd = trace_open(child.pid);
	int regs_fd = proc_open(child.pid, "regs", O_RDWR);
	struct loupe_trace_event event;
	struct loupe_user_regs regs;
	uint64_t both = LOUPE_STOP_SYSCALLS;
	trace_arm(fd, both, 0);
	tracee_go(&child);

	/* getppid -> getpid at the entry. */
	trace_until(fd, child.pid, both, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getppid, &event);
	regs_get(regs_fd, &regs);
	regs.orig_rax = SYS_getpid;
	regs_set(regs_fd, &regs);
	trace_arm(fd, both, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
	CHECK_EQ(event.syscall, SYS_getpid);
	CHECK_EQ(event.retval, child.pid);

	/* write(out, text_a, 8) -> write(out, text_b, 8): the arguments. */
	trace_arm(fd, both, 0);
	trace_until(fd, child.pid, both, LOUPE_EVENT_SYSCALL_ENTRY, SYS_write, &event);
	while (event.args[1] != (uint64_t)(uintptr_t)text_a) {  /* skip tracee_say's writes */
		trace_arm(fd, both, 0);
		trace_until(fd, child.pid, both, LOUPE_EVENT_SYSCALL_ENTRY, SYS_write, &event);
	}
	regs_get(regs_fd, &regs);
	CHECK_EQ(regs.rsi, (uintptr_t)text_a);
	regs.rsi = (uintptr_t)text_b;
	regs_set(regs_fd, &regs);
	trace_arm(fd, both, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
	CHECK_EQ(event.retval, 8);
	trace_arm(fd, both, 0);

	/* getpid's result at the exit: 4242, then -EPERM. */
	static const long results[] = { 4242, -EPERM };
	for (int i = 0; i < 2; i++) {
		trace_until(fd, child.pid, both, LOUPE_EVENT_SYSCALL_EXIT, SYS_getpid, &event);
		regs_get(regs_fd, &regs);
		CHECK_EQ(regs.rax, child.pid);
		regs.rax = (uint64_t)results[i];
		regs_set(regs_fd, &regs);
		regs_get(regs_fd, &regs);
		CHECK_EQ(regs.rax, results[i]);
		trace_arm(fd, both, 0);
	}
	close(fd);
	CHECK_EQ(tracee_report(&child), child.pid);
	long text = tracee_report(&child);
	CHECK(memcmp(&text, "BBBBBBBB", 8) == 0);
	CHECK_EQ(tracee_report(&child), 4242);
	CHECK_EQ(tracee_report(&child), -EPERM);
	CHECK_EQ(tracee_report(&child), getpid());      /* the untouched getppid */
	CHECK_EXITED(tap_wait(child.pid), 0);
}

/* --- a bad RIP ---------------------------------------------------------------------------- */

static void body_getpid_forever(void)
{
	for (;;)
		raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

static void test_kernel_rip_segv(void)
{
	static const uint64_t rips[] = {
		0xffffffff80000000ULL, 0xffff800000000000ULL, 0x8000000000000000ULL,
		0x0000800000000000ULL, 0x1000,
	};
	for (int i = 0; i < TAP_COUNT(rips); i++) {
		struct tracee child;
		struct loupe_trace_event event;
		int fd = stop_at_entry(&child, body_getpid_forever, SYS_getpid, &event);
		int regs_fd = proc_open(child.pid, "regs", O_RDWR);
		struct loupe_user_regs regs;
		regs_get(regs_fd, &regs);
		regs.rip = rips[i];
		regs_set(regs_fd, &regs);       /* accepted */
		regs_get(regs_fd, &regs);
		CHECK_EQ(regs.rip, rips[i]);
		trace_arm(fd, 0, 0);
		trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGSEGV));
		CHECK_SIGNALED(tap_wait(child.pid), SIGSEGV);
		close(regs_fd);
		close(fd);
		close(child.go);
		close(child.out);
	}
}

/* The tracee: waits for the go byte, then forks; its child exits at once. */
static int fork_go[2];

static void fork_tracee(void)
{
	char byte;
	if (read(fork_go[0], &byte, 1) != 1)
		_exit(0);
	long pid = raw_syscall6(SYS_fork, 0, 0, 0, 0, 0, 0);
	if (pid == 0)
		raw_syscall6(SYS_exit_group, 0, 0, 0, 0, 0, 0);
	_exit(42);      /* only when the RIP was not changed */
}

static pid_t fork_retrying(void)
{
	for (int tries = 0; ; tries++) {
		pid_t pid = fork();
		if (pid >= 0)
			return pid;
		if (errno != EAGAIN || tries > 2000) {
			tap_diag("fork failed: %s", strerror(errno));
			_exit(1);
		}
		tap_sleep_ms(1);
	}
}

static void test_noncanonical_rip_at_fork_exit_10000(void)
{
	static const uint64_t rips[] = {
		0x8000000000000000ULL, 0x0000800000000000ULL, 0xffff7fffffffffffULL,
		0xffffffff80000000ULL,
	};
	struct sysinfo before;
	CHECK_EQ(sysinfo(&before), 0);
	CHECK_EQ(pipe(fork_go), 0);
	int eagain = 0;
	long long start = tap_now_ns();
	for (int i = 0; i < 10000; i++) {
		pid_t pid = fork_retrying();
		if (pid == 0)
			fork_tracee();
		char path[32];
		snprintf(path, sizeof(path), "/proc/%d/trace", (int)pid);
		int fd = open(path, O_RDWR);
		snprintf(path, sizeof(path), "/proc/%d/regs", (int)pid);
		int regs_fd = open(path, O_RDWR);
		if (fd < 0 || regs_fd < 0) {
			tap_diag("round %d: open failed: %s", i, strerror(errno));
			_exit(1);
		}
		struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALL_EXIT, 0, 0);
		struct loupe_trace_event event;
		CHECK_EQ(write(fd, &resume, sizeof(resume)), RESUME_SIZE);
		CHECK_EQ(write(fork_go[1], "g", 1), 1);
		do {    /* read's exit first, then fork's */
			CHECK_EQ(read(fd, &event, sizeof(event)), EVENT_SIZE);
			if (event.kind != LOUPE_EVENT_SYSCALL_EXIT) {
				trace_describe("unexpected", &event);
				_exit(1);
			}
			if (event.syscall != SYS_fork)
				CHECK_EQ(write(fd, &resume, sizeof(resume)), RESUME_SIZE);
		} while (event.syscall != SYS_fork);
		if (event.retval == -EAGAIN)
			eagain++;
		else
			CHECK(event.retval > 0);
		struct loupe_user_regs regs;
		CHECK_EQ(pread(regs_fd, &regs, sizeof(regs), 0), REGS_SIZE);
		regs.rip = rips[i % TAP_COUNT(rips)];
		CHECK_EQ(pwrite(regs_fd, &regs, sizeof(regs), 0), REGS_SIZE);
		resume.stops = 0;
		CHECK_EQ(write(fd, &resume, sizeof(resume)), RESUME_SIZE);
		CHECK_EQ(read(fd, &event, sizeof(event)), EVENT_SIZE);
		if (event.kind != LOUPE_EVENT_DEATH || event.status != SIGNALED_STATUS(SIGSEGV)) {
			tap_diag("round %d, rip %#llx:", i, (unsigned long long)regs.rip);
			trace_describe("expected DEATH by SIGSEGV", &event);
			_exit(1);
		}
		close(regs_fd);
		close(fd);
		int status = tap_wait(pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV) {
			tap_diag("round %d: wait status %#x", i, (unsigned)status);
			_exit(1);
		}
	}
	long long ms = (tap_now_ns() - start) / 1000000;
	tap_diag("10000 rounds in %lld ms (%lld us each); %d forks got EAGAIN", ms, ms / 10, eagain);
	/* The kernel is alive and well: a fork works, the orphans are all reaped. */
	CHECK_EXITED(tap_child_status(body_nothing), 0);
	long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
	struct sysinfo now;
	do {
		CHECK_EQ(sysinfo(&now), 0);
		CHECK(tap_now_ns() < deadline);
	} while (now.procs > before.procs && (tap_sleep_ms(5), 1));
}

/* --- fpregs -------------------------------------------------------------------------------- */

struct fp_report {
	uint64_t xmm1[2];
	uint32_t mxcsr;
};

static const uint64_t pattern_in[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
static const uint64_t pattern_out[2] = { 0x1111222233334444ULL, 0x5555666677778888ULL };

static void body_xmm_getpid(void)
{
	struct fp_report report;
	__asm__ volatile("movdqu (%[in]), %%xmm1\n\t"
			 "syscall\n\t"
			 "movdqu %%xmm1, (%[out])\n\t"
			 "stmxcsr (%[mx])\n\t"
			 "movl $0x1f80, (%[tmp])\n\t"
			 "ldmxcsr (%[tmp])"
			 :
			 : "a"((long)SYS_getpid), [in] "r"(pattern_in), [out] "r"(report.xmm1),
			   [mx] "r"(&report.mxcsr), [tmp] "r"(&(uint32_t){ 0 })
			 : "rcx", "r11", "xmm1", "memory");
	tracee_say((long)report.xmm1[0]);
	tracee_say((long)report.xmm1[1]);
	tracee_say(report.mxcsr);
}

#define FP_MXCSR 24
#define FP_XMM1 (160 + 16)

static void test_fpregs_read_write(void)
{
	struct tracee child;
	struct loupe_trace_event event;
	int fd = stop_at_entry(&child, body_xmm_getpid, SYS_getpid, &event);
	int fp_fd = proc_open(child.pid, "fpregs", O_RDWR);
	uint8_t fp[LOUPE_FPREGS_SIZE];
	CHECK_EQ(pread(fp_fd, fp, sizeof(fp), 0), LOUPE_FPREGS_SIZE);
	CHECK(memcmp(fp + FP_XMM1, pattern_in, 16) == 0);
	uint32_t mxcsr;
	memcpy(&mxcsr, fp + FP_MXCSR, 4);
	CHECK_EQ(mxcsr & 0xffff, 0x1f80 & 0xffff);
	uint16_t fcw;
	memcpy(&fcw, fp, 2);
	CHECK_EQ(fcw, 0x37f);

	memcpy(fp + FP_XMM1, pattern_out, 16);
	mxcsr = 0x1f80 | 0x6000;        /* round toward zero */
	memcpy(fp + FP_MXCSR, &mxcsr, 4);
	CHECK_EQ(pwrite(fp_fd, fp, sizeof(fp), 0), LOUPE_FPREGS_SIZE);
	uint8_t back[LOUPE_FPREGS_SIZE];
	CHECK_EQ(pread(fp_fd, back, sizeof(back), 0), LOUPE_FPREGS_SIZE);
	CHECK(memcmp(back + FP_XMM1, pattern_out, 16) == 0);
	CHECK(memcmp(back + FP_MXCSR, &mxcsr, 4) == 0);
	trace_arm(fd, 0, 0);
	CHECK_EQ(tracee_report(&child), (long)pattern_out[0]);
	CHECK_EQ(tracee_report(&child), (long)pattern_out[1]);
	CHECK_EQ(tracee_report(&child), 0x1f80 | 0x6000);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_fpregs_mxcsr_reserved_bad(void)
{
	struct tracee child;
	struct loupe_trace_event event;
	int fd = stop_at_entry(&child, body_xmm_getpid, SYS_getpid, &event);
	int fp_fd = proc_open(child.pid, "fpregs", O_RDWR);
	uint8_t good[LOUPE_FPREGS_SIZE], bad[LOUPE_FPREGS_SIZE], now[LOUPE_FPREGS_SIZE];
	CHECK_EQ(pread(fp_fd, good, sizeof(good), 0), LOUPE_FPREGS_SIZE);
	static const uint32_t reserved[] = { 1u << 16, 1u << 31, 0xffff0000u, 0xffffffffu };
	for (int i = 0; i < TAP_COUNT(reserved); i++) {
		memcpy(bad, good, sizeof(bad));
		uint32_t mxcsr = 0x1f80 | reserved[i];
		memcpy(bad + FP_MXCSR, &mxcsr, 4);
		memcpy(bad + FP_XMM1, pattern_out, 16);  /* would show if taken */
		CHECK_ERRNO(pwrite(fp_fd, bad, sizeof(bad), 0), EINVAL);
		CHECK_EQ(pread(fp_fd, now, sizeof(now), 0), LOUPE_FPREGS_SIZE);
		CHECK(memcmp(now, good, sizeof(now)) == 0);
	}
	trace_arm(fd, 0, 0);
	CHECK_EQ(tracee_report(&child), (long)pattern_in[0]);
	CHECK_EQ(tracee_report(&child), (long)pattern_in[1]);
	CHECK_EQ(tracee_report(&child), 0x1f80);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static const struct tap_test tests[] = {
	{ "regs at a syscall entry and exit stop", test_regs_read_at_stop, LOUPE },
	{ "regs_bad: EBUSY running, EINVAL sizes/offsets, ESRCH dead", test_regs_bad, LOUPE },
	{ "regs_bad: kernel CS, wrong SS/selectors, bad FS/GS bases", test_regs_write_refused_bad, LOUPE },
	{ "regs: IOPL 3, IF clear, NT, VM, ID fixed silently; CF taken", test_regs_rflags_sanitized, LOUPE },
	{ "regs_bad twin: CF clear stays clear", test_regs_rflags_clean_bad, LOUPE },
	{ "regs: a GS base write reaches the tracee", test_regs_gs_base_write, LOUPE },
	{ "orig_rax -1, -2, 2^32-1, 2^63...: -ENOSYS", test_orig_rax_invalid_enosys, LOUPE },
	{ "changing the number, arguments and result of a syscall", test_change_syscall_args_and_result, LOUPE },
	{ "a kernel or non-canonical RIP: SIGSEGV", test_kernel_rip_segv, LOUPE },
	{ "non-canonical RIP at fork's exit stop, 10000 times", test_noncanonical_rip_at_fork_exit_10000, LOUPE },
	{ "fpregs: read and write XMM1 and MXCSR", test_fpregs_read_write, LOUPE },
	{ "fpregs_bad: MXCSR reserved bits give EINVAL", test_fpregs_mxcsr_reserved_bad, LOUPE },
};

int main(int argc, char **argv)
{
	tap_argv0 = argv[0];
	return trace_tap_main(argc, argv, tests, TAP_COUNT(tests));
}
