/* SPDX-License-Identifier: MIT */
/*
 * test_cpu - per-process CPU state: the SSE registers, MXCSR and the x87
 * control word survive context switches (yields and timer preemption)
 * and fork; the FS base (arch_prctl ARCH_SET_FS/ARCH_GET_FS) is per
 * process and validated; __thread variables work and are per process
 * after fork; and a new program starts in exactly the state Linux gives
 * it, checked by /tests/prog_regs_at_entry (prog_regs_at_entry.c and
 * regs_at_entry.S, built without libc).
 *
 * While a test has moved the FS base away from musl's thread block, it
 * calls no libc function (musl finds errno and the locale through FS):
 * raw_syscall() below is inline assembly for that reason.
 */
#include "tap.h"

#include <stdint.h>

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static long raw_syscall2(long number, long a, long b)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(number), "D"(a), "S"(b)
			 : "rcx", "r11", "memory");
	return ret;
}

static uint64_t get_fs_base(void)
{
	uint64_t base = 0xdeadbeef;
	long ret = raw_syscall2(SYS_arch_prctl, ARCH_GET_FS, (long)&base);
	if (ret != 0) {
		tap_diag("ARCH_GET_FS failed: %ld", ret);
		_exit(1);
	}
	return base;
}

static uint64_t read_fs_word(long offset)
{
	uint64_t value;
	__asm__ volatile("mov %%fs:(%1), %0" : "=r"(value) : "r"(offset) : "memory");
	return value;
}

/* --- TLS -------------------------------------------------------------------- */

static __thread int tls_counter = 42;
static __thread char tls_text[32] = "thread-local";
static __thread long tls_zeroed[16];

static void test_tls_initial_values(void)
{
	CHECK_EQ(tls_counter, 42);
	CHECK_STREQ(tls_text, "thread-local");
	for (int i = 0; i < 16; i++)
		CHECK_EQ(tls_zeroed[i], 0);
	/* musl's thread pointer: %fs:0 holds the FS base itself. */
	CHECK_EQ(read_fs_word(0), get_fs_base());
	CHECK(get_fs_base() != 0);
}

static void test_tls_per_process_after_fork(void)
{
	tls_counter = 100;
	strcpy(tls_text, "parent");
	int *parent_address = &tls_counter;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (tls_counter != 100 || strcmp(tls_text, "parent") != 0 ||
		    &tls_counter != parent_address)
			_exit(1);
		tls_counter = 200;
		strcpy(tls_text, "child");
		for (int i = 0; i < 50; i++)
			sched_yield();
		_exit(tls_counter == 200 && strcmp(tls_text, "child") == 0 ? 0 : 2);
	}
	for (int i = 0; i < 50; i++) {
		sched_yield();
		CHECK_EQ(tls_counter, 100);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_EQ(tls_counter, 100);
	CHECK_STREQ(tls_text, "parent");
}

static void test_tls_many_processes(void)
{
	enum { N = 8 };
	pid_t kids[N];
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		CHECK(kids[i] >= 0);
		if (kids[i] == 0) {
			tls_counter = 1000 + i;
			tls_zeroed[i] = i;
			for (int round = 0; round < 300; round++) {
				sched_yield();
				if (tls_counter != 1000 + i || tls_zeroed[i] != i)
					_exit(1);
				tls_counter = 1000 + i; /* write often: COW must hold */
			}
			_exit(0);
		}
	}
	for (int i = 0; i < N; i++)
		CHECK_EXITED(tap_wait(kids[i]), 0);
	CHECK_EQ(tls_counter, 42);
}

/* --- FS base ------------------------------------------------------------------ */

/* A block that can serve as a thread pointer: [0] = itself, [1] = a mark. */
static uint64_t fs_block[4][8] __attribute__((aligned(64)));

/*
 * Points FS at fs_block[which] (mark `mark`), yields `yields` times checking
 * %fs:8 each time, and restores musl's FS base. No libc in between.
 * Returns 0, or the number of the check that failed.
 */
static int borrow_fs(int which, uint64_t mark, int yields)
{
	uint64_t saved = get_fs_base();
	uint64_t *block = fs_block[which];
	block[0] = (uint64_t)block;
	block[1] = mark;
	int failed = 0;
	if (raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)block) != 0)
		failed = 1;
	for (int i = 0; !failed && i < yields; i++) {
		raw_syscall2(SYS_sched_yield, 0, 0);
		if (read_fs_word(8) != mark)
			failed = 2;
	}
	uint64_t seen = 0;
	if (!failed && (raw_syscall2(SYS_arch_prctl, ARCH_GET_FS, (long)&seen) != 0 ||
			seen != (uint64_t)block))
		failed = 3;
	if (!failed && read_fs_word(0) != (uint64_t)block)
		failed = 4;
	raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)saved);
	return failed;
}

static void test_fs_base_set_get(void)
{
	uint64_t musl_base = get_fs_base();
	CHECK_EQ(borrow_fs(0, 0x1234567890abcdefUL, 0), 0);
	CHECK_EQ(get_fs_base(), musl_base);
	CHECK_EQ(tls_counter, 42); /* libc and TLS work again */
	/* FS base 0 is allowed (the state at exec). */
	uint64_t zero = 1;
	CHECK_EQ(raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, 0), 0);
	long ret = raw_syscall2(SYS_arch_prctl, ARCH_GET_FS, (long)&zero);
	raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)musl_base);
	CHECK_EQ(ret, 0);
	CHECK_EQ(zero, 0);
}

static void test_fs_base_per_process(void)
{
	enum { N = 3 };
	pid_t kids[N];
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		CHECK(kids[i] >= 0);
		if (kids[i] == 0)
			_exit(borrow_fs(i, 0xf5000000UL + (uint64_t)i, 500));
	}
	/* The parent borrows too, with its own block, meanwhile. */
	CHECK_EQ(borrow_fs(3, 0xabcdUL, 300), 0);
	for (int i = 0; i < N; i++)
		CHECK_EXITED(tap_wait(kids[i]), 0);
}

static void test_fs_base_survives_fork(void)
{
	uint64_t base = get_fs_base();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(get_fs_base() == base && read_fs_word(0) == base ? 0 : 1);
	CHECK_EXITED(tap_wait(pid), 0);
}

static void test_arch_prctl_eperm(void)
{
	static const uint64_t bad[] = {
		0x8000000000000000UL, 0x0000800000000000UL, 0xffff800000000000UL,
		0xffffffff80000000UL, 0xfffffffffffff000UL,
	};
	uint64_t musl_base = get_fs_base();
	for (unsigned i = 0; i < TAP_COUNT(bad); i++) {
		long ret = raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)bad[i]);
		uint64_t now = get_fs_base();
		if (now != musl_base)
			raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)musl_base);
		if (ret != -EPERM) {
			tap_diag("ARCH_SET_FS %#lx returned %ld, expected -EPERM", (unsigned long)bad[i], ret);
			_exit(1);
		}
		CHECK_EQ(now, musl_base);
	}
}

static void test_arch_prctl_efault_einval(void)
{
	for (int i = 0; i < TAP_BAD_COUNT; i++)
		CHECK_ERRNO(syscall(SYS_arch_prctl, ARCH_GET_FS, tap_bad_pointers[i]), EFAULT);
	CHECK_ERRNO(syscall(SYS_arch_prctl, ARCH_GET_FS, tap_readonly_page()), EFAULT);
	uint64_t value;
	CHECK_ERRNO(syscall(SYS_arch_prctl, 0x1234, &value), EINVAL);
	CHECK_ERRNO(syscall(SYS_arch_prctl, 0, 0), EINVAL);
}

/* --- SSE, MXCSR, x87 ------------------------------------------------------------ */

/*
 * sse_hold(in, out, yields, spins): loads xmm0-15 from in[256], makes
 * `yields` sched_yield system calls, spins `spins` times without any (so
 * the timer preempts it), and stores xmm0-15 into out[256]. The loop
 * counters live in callee-saved registers, so even a kernel that broke
 * rdi/rsi/rdx across syscall would fail the comparison, not crash.
 */
void sse_hold(const uint8_t *in, uint8_t *out, long yields, long spins);
__asm__(
	".text\n"
	".globl sse_hold\n"
	".type sse_hold, @function\n"
	"sse_hold:\n"
	"	push %rbx\n	push %r12\n	push %r13\n	push %r14\n"
	"	mov %rdi, %r12\n	mov %rsi, %r13\n	mov %rdx, %rbx\n	mov %rcx, %r14\n"
	"	movdqu 0(%r12), %xmm0\n	movdqu 16(%r12), %xmm1\n"
	"	movdqu 32(%r12), %xmm2\n	movdqu 48(%r12), %xmm3\n"
	"	movdqu 64(%r12), %xmm4\n	movdqu 80(%r12), %xmm5\n"
	"	movdqu 96(%r12), %xmm6\n	movdqu 112(%r12), %xmm7\n"
	"	movdqu 128(%r12), %xmm8\n	movdqu 144(%r12), %xmm9\n"
	"	movdqu 160(%r12), %xmm10\n	movdqu 176(%r12), %xmm11\n"
	"	movdqu 192(%r12), %xmm12\n	movdqu 208(%r12), %xmm13\n"
	"	movdqu 224(%r12), %xmm14\n	movdqu 240(%r12), %xmm15\n"
	"	test %rbx, %rbx\n	jz 2f\n"
	"1:	mov $24, %eax\n" /* SYS_sched_yield */
	"	syscall\n"
	"	dec %rbx\n	jnz 1b\n"
	"2:	test %r14, %r14\n	jz 4f\n"
	"3:	dec %r14\n	jnz 3b\n"
	"4:	movdqu %xmm0, 0(%r13)\n	movdqu %xmm1, 16(%r13)\n"
	"	movdqu %xmm2, 32(%r13)\n	movdqu %xmm3, 48(%r13)\n"
	"	movdqu %xmm4, 64(%r13)\n	movdqu %xmm5, 80(%r13)\n"
	"	movdqu %xmm6, 96(%r13)\n	movdqu %xmm7, 112(%r13)\n"
	"	movdqu %xmm8, 128(%r13)\n	movdqu %xmm9, 144(%r13)\n"
	"	movdqu %xmm10, 160(%r13)\n	movdqu %xmm11, 176(%r13)\n"
	"	movdqu %xmm12, 192(%r13)\n	movdqu %xmm13, 208(%r13)\n"
	"	movdqu %xmm14, 224(%r13)\n	movdqu %xmm15, 240(%r13)\n"
	"	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbx\n"
	"	ret\n"
	".size sse_hold, .-sse_hold\n");

static void sse_pattern(uint8_t pattern[256], int seed)
{
	for (int i = 0; i < 256; i++)
		pattern[i] = (uint8_t)(seed * 37 + i * 11 + (i >> 4) * 101);
}

/* Returns 0 when every register came back, else 1 + the first bad xmm. */
static int sse_round(int seed, long yields, long spins)
{
	uint8_t in[256], out[256];
	sse_pattern(in, seed);
	memset(out, 0, sizeof(out));
	sse_hold(in, out, yields, spins);
	for (int reg = 0; reg < 16; reg++)
		if (memcmp(in + 16 * reg, out + 16 * reg, 16) != 0)
			return 1 + reg;
	return 0;
}

static void run_sse_processes(int count, long yields, long spins)
{
	pid_t kids[8];
	for (int i = 0; i < count; i++) {
		kids[i] = fork();
		CHECK(kids[i] >= 0);
		if (kids[i] == 0) {
			int bad = sse_round(i + 1, yields, spins);
			if (bad)
				tap_diag("process %d: xmm%d changed across switches", i, bad - 1);
			_exit(bad ? 1 : 0);
		}
	}
	for (int i = 0; i < count; i++)
		CHECK_EXITED(tap_wait(kids[i]), 0);
}

static void test_sse_across_yields(void)
{
	run_sse_processes(2, 3000, 0);
}

static void test_sse_across_preemption(void)
{
	/* Three spinners, no system calls: only the timer switches them. */
	run_sse_processes(3, 0, 60 * 1000 * 1000);
}

static void test_sse_parent_and_child(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(sse_round(7, 2000, 1000000) ? 1 : 0);
	CHECK_EQ(sse_round(8, 2000, 1000000), 0);
	CHECK_EXITED(tap_wait(pid), 0);
}

static void test_sse_inherited_by_fork(void)
{
	/* xmm values set before fork are in the child too. */
	static const uint64_t mark[2] __attribute__((aligned(16))) = { 0x0123456789abcdefUL,
									0xfedcba9876543210UL };
	uint64_t parent_out[2] = { 0, 0 };
	long child;
	__asm__ volatile("movdqa %[mark], %%xmm9\n"
			 "mov $57, %%eax\n" /* SYS_fork */
			 "syscall\n"
			 "movdqu %%xmm9, %[out]\n"
			 : "=a"(child), [out] "=m"(parent_out)
			 : [mark] "m"(mark)
			 : "rcx", "r11", "xmm9", "memory");
	if (child == 0)
		_exit(parent_out[0] == mark[0] && parent_out[1] == mark[1] ? 0 : 1);
	CHECK(child > 0);
	CHECK_EQ(parent_out[0], mark[0]);
	CHECK_EQ(parent_out[1], mark[1]);
	CHECK_EXITED(tap_wait((pid_t)child), 0);
}

static uint32_t get_mxcsr(void)
{
	uint32_t value;
	__asm__ volatile("stmxcsr %0" : "=m"(value));
	return value;
}

static void set_mxcsr(uint32_t value)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(value));
}

static uint16_t get_fcw(void)
{
	uint16_t value;
	__asm__ volatile("fnstcw %0" : "=m"(value));
	return value;
}

static void set_fcw(uint16_t value)
{
	__asm__ volatile("fldcw %0" : : "m"(value));
}

static void test_mxcsr_fcw_per_process(void)
{
	CHECK_EQ(get_mxcsr() & ~0x3fU, 0x1f80); /* the exception flags may be set */
	CHECK_EQ(get_fcw(), 0x37f);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		set_mxcsr(0x7f80); /* round toward zero */
		set_fcw(0x27f);    /* 53-bit precision */
		for (int i = 0; i < 500; i++) {
			syscall(SYS_sched_yield);
			if ((get_mxcsr() & ~0x3fU) != 0x7f80 || get_fcw() != 0x27f)
				_exit(1);
		}
		_exit(0);
	}
	set_mxcsr(0x3f80); /* round down, in the parent */
	for (int i = 0; i < 500; i++) {
		syscall(SYS_sched_yield);
		uint32_t mxcsr = get_mxcsr() & ~0x3fU;
		uint16_t fcw = get_fcw();
		if (mxcsr != 0x3f80 || fcw != 0x37f) {
			set_mxcsr(0x1f80);
			tap_diag("parent: mxcsr %#x fcw %#x after a switch", mxcsr, fcw);
			_exit(1);
		}
	}
	set_mxcsr(0x1f80);
	CHECK_EXITED(tap_wait(pid), 0);
}

static void test_float_math_across_switches(void)
{
	/* What compiled code does: double arithmetic in two processes at once. */
	pid_t pid = fork();
	CHECK(pid >= 0);
	volatile double acc = pid == 0 ? 1.0 : 2.0;
	double expected = acc;
	for (int i = 0; i < 2000; i++) {
		acc = acc * 1.0001 + 0.5;
		expected = expected * 1.0001 + 0.5;
		if (i % 100 == 0)
			sched_yield();
	}
	if (pid == 0)
		_exit(acc == expected ? 0 : 1);
	CHECK(acc == expected);
	CHECK_EXITED(tap_wait(pid), 0);
}

/* --- the initial state of a new program ------------------------------------ */

static char *entry_argv[4];
static char *entry_envp[] = { "ENTRY_A=1", "ENTRY_B=two", NULL };

static const char *entry_prog(void)
{
	return tap_path("/tests/prog_regs_at_entry");
}

static void test_initial_state(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		entry_argv[0] = (char *)entry_prog();
		entry_argv[1] = "alpha";
		entry_argv[2] = "beta gamma";
		execve(entry_argv[0], entry_argv, entry_envp);
		tap_diag("execve(%s): %s", entry_argv[0], strerror(errno));
		_exit(127);
	}
	CHECK_EXITED(tap_wait(pid), 0);
}

/*
 * dirty_execve(path, argv, envp, fs_base): fills every register it can
 * with garbage (xmm0-15 all ones, MXCSR round-toward-zero with all
 * exceptions unmasked but none pending, x87 53-bit precision and a value
 * pushed on its stack, DF set, the FS base moved), then execve. The new
 * program must not see any of it. Does not return: a failed execve
 * exits with status 126.
 */
__attribute__((noreturn)) void dirty_execve(const char *path, char *const argv[],
					  char *const envp[], uint64_t fs_base);
__asm__(
	".text\n"
	".globl dirty_execve\n"
	".type dirty_execve, @function\n"
	"dirty_execve:\n"
	"	mov %rdi, %r12\n	mov %rsi, %r13\n	mov %rdx, %r14\n"
	"	mov $158, %eax\n" /* arch_prctl(ARCH_SET_FS, fs_base) */
	"	mov $0x1002, %edi\n"
	"	mov %rcx, %rsi\n"
	"	syscall\n"
	"	pcmpeqd %xmm0, %xmm0\n	pcmpeqd %xmm1, %xmm1\n	pcmpeqd %xmm2, %xmm2\n"
	"	pcmpeqd %xmm3, %xmm3\n	pcmpeqd %xmm4, %xmm4\n	pcmpeqd %xmm5, %xmm5\n"
	"	pcmpeqd %xmm6, %xmm6\n	pcmpeqd %xmm7, %xmm7\n	pcmpeqd %xmm8, %xmm8\n"
	"	pcmpeqd %xmm9, %xmm9\n	pcmpeqd %xmm10, %xmm10\n	pcmpeqd %xmm11, %xmm11\n"
	"	pcmpeqd %xmm12, %xmm12\n	pcmpeqd %xmm13, %xmm13\n	pcmpeqd %xmm14, %xmm14\n"
	"	pcmpeqd %xmm15, %xmm15\n"
	"	sub $8, %rsp\n"
	"	movl $0x6000, (%rsp)\n" /* MXCSR: round toward zero, exceptions unmasked */
	"	ldmxcsr (%rsp)\n"
	"	movw $0x27f, (%rsp)\n"
	"	fldcw (%rsp)\n"
	"	fld1\n"
	"	add $8, %rsp\n"
	"	mov %r12, %rdi\n	mov %r13, %rsi\n	mov %r14, %rdx\n"
	"	movabs $0xdeadbeefdeadbeef, %rbx\n"
	"	movabs $0xbadc0ffee0ddf00d, %rbp\n"
	"	mov %rbx, %r8\n	mov %rbx, %r9\n	mov %rbx, %r10\n	mov %rbp, %r11\n"
	"	mov %rbx, %r12\n	mov %rbx, %r13\n	mov %rbx, %r14\n	mov %rbx, %r15\n"
	"	mov $59, %eax\n" /* execve */
	"	std\n"
	"	syscall\n"
	"	cld\n"
	"	mov $231, %eax\n" /* exit_group(126) */
	"	mov $126, %edi\n"
	"	syscall\n"
	"	ud2\n"
	".size dirty_execve, .-dirty_execve\n");

static void test_initial_state_after_dirty_exec(void)
{
	static uint64_t fake_tls[4];
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		entry_argv[0] = (char *)entry_prog();
		entry_argv[1] = "alpha";
		entry_argv[2] = "beta gamma";
		dirty_execve(entry_argv[0], entry_argv, entry_envp, (uint64_t)fake_tls);
	}
	CHECK_EXITED(tap_wait(pid), 0);
}

static const struct tap_test tests[] = {
	{ "TLS: initial values, %fs:0 is the thread pointer", test_tls_initial_values },
	{ "TLS: per process after fork", test_tls_per_process_after_fork },
	{ "TLS: 8 processes at once", test_tls_many_processes },
	{ "FS base: ARCH_SET_FS, ARCH_GET_FS", test_fs_base_set_get },
	{ "FS base: per process across switches", test_fs_base_per_process },
	{ "FS base: inherited by fork", test_fs_base_survives_fork },
	{ "arch_prctl: EPERM for kernel and non-canonical bases", test_arch_prctl_eperm },
	{ "arch_prctl: EFAULT, EINVAL", test_arch_prctl_efault_einval },
	{ "SSE: two processes across 3000 yields", test_sse_across_yields },
	{ "SSE: three spinning processes across preemption", test_sse_across_preemption },
	{ "SSE: parent and child at once", test_sse_parent_and_child },
	{ "SSE: registers inherited by fork", test_sse_inherited_by_fork },
	{ "MXCSR and x87 control word per process", test_mxcsr_fcw_per_process },
	{ "double arithmetic in two processes", test_float_math_across_switches },
	{ "initial state of a new program", test_initial_state },
	{ "initial state after exec from a dirty process", test_initial_state_after_dirty_exec },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
