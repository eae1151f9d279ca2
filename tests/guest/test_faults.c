/* SPDX-License-Identifier: MIT */
/*
 * test_faults - user programs that fault, and a kernel that lives on.
 *
 * Each fault happens in a forked child, which must end killed by the
 * signal Linux uses: SIGSEGV for page faults and general protection
 * faults (NULL, kernel and non-canonical addresses, privileged
 * instructions, forged iretq frames, software interrupts through kernel
 * gates), SIGILL for invalid opcodes, SIGFPE for divide errors. A few
 * exceptions beyond the four of issue 3 (#SS, #BP, #DB) must at least
 * kill the process; Linux's signal for them is checked on Linux only.
 *
 * Then the trap path's own corner cases: system calls made with a
 * garbage stack pointer, and a syscall instruction at the very end of
 * user space, whose return address is the first byte past it (the
 * SYSRET-with-non-canonical-RIP bug when that address is 0x800000000000).
 * The last tests check the kernel is still fine: fork and exit work, and
 * on Loupe 100 killed processes give back every frame and heap byte.
 *
 * The faulting code is inline assembly, so the compiler cannot turn a
 * NULL dereference into something else.
 */
#include "tap.h"

#include <stdint.h>
#include <sys/sysinfo.h>

#define FAULT(name, text)                                                   \
	static void name(void)                                              \
	{                                                                   \
		__asm__ volatile(text ::: "rax", "rcx", "rdx", "memory");   \
	}

/* Page faults. */
FAULT(null_read, "xor %%eax, %%eax\n mov (%%rax), %%rax")
FAULT(null_write, "xor %%eax, %%eax\n movq $1, (%%rax)")
FAULT(null_call, "xor %%eax, %%eax\n call *%%rax")
FAULT(low_read, "mov $0xff8, %%eax\n mov (%%rax), %%rax")
FAULT(kernel_read, "movabs $0xffffffff80000000, %%rax\n mov (%%rax), %%rax")
FAULT(kernel_write, "movabs $0xffffffff80000000, %%rax\n movq $1, (%%rax)")
FAULT(kernel_jump, "movabs $0xffffffff80000000, %%rax\n jmp *%%rax")
FAULT(top_read, "mov $-8, %%rax\n mov (%%rax), %%rax")
FAULT(stack_zero_push, "mov %%rsp, %%rcx\n xor %%esp, %%esp\n push %%rax\n mov %%rcx, %%rsp")

/* General protection faults. */
FAULT(noncanonical_read, "movabs $0x8000000000000000, %%rax\n mov (%%rax), %%rax")
FAULT(noncanonical_write, "movabs $0x0000800000000000, %%rax\n movq $1, (%%rax)")
FAULT(noncanonical_jump, "movabs $0x8000000000000000, %%rax\n jmp *%%rax")
FAULT(hlt, "hlt")
FAULT(cli, "cli")
FAULT(sti, "sti")
FAULT(port_in, "mov $0x3f8, %%edx\n inb %%dx, %%al")
FAULT(port_out, "mov $0x80, %%edx\n xor %%eax, %%eax\n outb %%al, %%dx") /* the POST port */
FAULT(rdmsr, "mov $0xc0000080, %%ecx\n rdmsr")
FAULT(wrmsr, "mov $0xc0000082, %%ecx\n xor %%eax, %%eax\n xor %%edx, %%edx\n wrmsr")
FAULT(read_cr0, "mov %%cr0, %%rax")
FAULT(write_cr3, "xor %%eax, %%eax\n mov %%rax, %%cr3")
FAULT(lidt, "sub $16, %%rsp\n movq $0, (%%rsp)\n movq $0, 8(%%rsp)\n lidt (%%rsp)\n add $16, %%rsp")
FAULT(invlpg, "xor %%eax, %%eax\n invlpg (%%rax)")
FAULT(wbinvd, "wbinvd")
FAULT(swapgs, "swapgs")
FAULT(sysretq, "sysretq")
FAULT(int_14, "int $14")     /* the page fault vector, by hand */
FAULT(int_32, "int $32")     /* the first IRQ vector */
FAULT(int_129, "int $0x81")
FAULT(int_255, "int $255")
/* A forged iretq frame that asks for ring 0: CS 0x08, RPL 0. */
FAULT(iretq_to_ring0,
      "mov %%rsp, %%rcx\n"
      "push $0x10\n"                   /* ss */
      "push %%rcx\n"                   /* rsp */
      "push $0x2\n"                    /* rflags */
      "push $0x08\n"                   /* cs: a kernel selector */
      "lea 1f(%%rip), %%rax\n push %%rax\n"
      "iretq\n"
      "1: mov %%rcx, %%rsp")

/* Invalid opcodes. */
FAULT(ud2, "ud2")
FAULT(ud0, ".byte 0x0f, 0xff, 0xc0")
FAULT(lock_nop, ".byte 0xf0, 0x90")  /* LOCK on an instruction that cannot take it */

/* Divide errors. */
FAULT(divide_by_zero, "xor %%ecx, %%ecx\n mov $1, %%eax\n xor %%edx, %%edx\n div %%ecx")
FAULT(idiv_overflow, "movabs $0x8000000000000000, %%rax\n cqo\n mov $-1, %%rcx\n idiv %%rcx")

/* Beyond issue 3's four: #SS, #BP, #DB. */
FAULT(stack_noncanonical_push, "mov %%rsp, %%rcx\n movabs $0x8000000000000000, %%rsp\n push %%rax\n mov %%rcx, %%rsp")
FAULT(int3, "int3")
FAULT(trap_flag, "pushfq\n orq $0x100, (%%rsp)\n popfq\n nop\n nop\n pushfq\n andq $~0x100, (%%rsp)\n popfq")

/* System calls with a stack pointer that is no stack at all: exit(42). */
FAULT(syscall_rsp_zero, "xor %%esp, %%esp\n mov $60, %%eax\n mov $42, %%edi\n syscall\n ud2")
FAULT(syscall_rsp_kernel, "movabs $0xffffffff80001000, %%rsp\n mov $60, %%eax\n mov $42, %%edi\n syscall\n ud2")
FAULT(syscall_rsp_noncanonical, "movabs $0x8000000000000000, %%rsp\n mov $60, %%eax\n mov $42, %%edi\n syscall\n ud2")
/* getpid with a garbage stack, then exit with its own result check. */
FAULT(syscall_rsp_garbage_getpid,
      "mov %%rsp, %%rcx\n movabs $0xdead000000000000, %%rsp\n"
      "mov $39, %%eax\n syscall\n"
      "mov %%rax, %%rdi\n"             /* exit(getpid()) : status is its low byte */
      "mov $60, %%eax\n syscall\n ud2")

static void expect_signal(void (*fault)(void), int sig, const char *name)
{
	int status = tap_child_status(fault);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig) {
		char why[96];
		tap_diag("%s: expected death by signal %d (%s), got %s", name, sig, strsignal(sig),
			 tap_status_text(status, why, sizeof(why)));
		_exit(1);
	}
}

#define EXPECT_SIGNAL(fault, sig) expect_signal(fault, sig, #fault)

static void test_null_pointer(void)
{
	EXPECT_SIGNAL(null_read, SIGSEGV);
	EXPECT_SIGNAL(null_write, SIGSEGV);
	EXPECT_SIGNAL(null_call, SIGSEGV);
	EXPECT_SIGNAL(low_read, SIGSEGV);
}

static void test_kernel_addresses(void)
{
	EXPECT_SIGNAL(kernel_read, SIGSEGV);
	EXPECT_SIGNAL(kernel_write, SIGSEGV);
	EXPECT_SIGNAL(kernel_jump, SIGSEGV);
	EXPECT_SIGNAL(top_read, SIGSEGV);
	EXPECT_SIGNAL(stack_zero_push, SIGSEGV);
}

static void test_noncanonical_addresses(void)
{
	EXPECT_SIGNAL(noncanonical_read, SIGSEGV);
	EXPECT_SIGNAL(noncanonical_write, SIGSEGV);
	EXPECT_SIGNAL(noncanonical_jump, SIGSEGV);
}

static void test_privileged_instructions(void)
{
	EXPECT_SIGNAL(hlt, SIGSEGV);
	EXPECT_SIGNAL(cli, SIGSEGV);
	EXPECT_SIGNAL(sti, SIGSEGV);
	EXPECT_SIGNAL(port_in, SIGSEGV);
	EXPECT_SIGNAL(port_out, SIGSEGV);
	EXPECT_SIGNAL(rdmsr, SIGSEGV);
	EXPECT_SIGNAL(wrmsr, SIGSEGV);
	EXPECT_SIGNAL(read_cr0, SIGSEGV);
	EXPECT_SIGNAL(write_cr3, SIGSEGV);
	EXPECT_SIGNAL(lidt, SIGSEGV);
	EXPECT_SIGNAL(invlpg, SIGSEGV);
	EXPECT_SIGNAL(wbinvd, SIGSEGV);
	EXPECT_SIGNAL(swapgs, SIGSEGV);
	EXPECT_SIGNAL(sysretq, SIGSEGV);
}

static void test_software_interrupts_to_kernel_gates(void)
{
	EXPECT_SIGNAL(int_14, SIGSEGV);
	EXPECT_SIGNAL(int_32, SIGSEGV);
	EXPECT_SIGNAL(int_129, SIGSEGV);
	EXPECT_SIGNAL(int_255, SIGSEGV);
}

static void test_forged_iretq(void)
{
	EXPECT_SIGNAL(iretq_to_ring0, SIGSEGV);
}

static void test_invalid_opcode(void)
{
	EXPECT_SIGNAL(ud2, SIGILL);
	EXPECT_SIGNAL(ud0, SIGILL);
	EXPECT_SIGNAL(lock_nop, SIGILL);
}

static void test_divide_error(void)
{
	EXPECT_SIGNAL(divide_by_zero, SIGFPE);
	EXPECT_SIGNAL(idiv_overflow, SIGFPE);
}

/* Killed by a signal; Linux's own signal is checked when running on Linux. */
static void expect_killed(void (*fault)(void), int linux_sig, const char *name)
{
	int status = tap_child_status(fault);
	char why[96];
	if (!WIFSIGNALED(status) || (!on_loupe() && WTERMSIG(status) != linux_sig)) {
		tap_diag("%s: expected death by a signal (%s on Linux), got %s", name,
			 strsignal(linux_sig), tap_status_text(status, why, sizeof(why)));
		_exit(1);
	}
	if (WTERMSIG(status) != linux_sig)
		tap_diag("%s: %s (Linux: %s)", name, tap_status_text(status, why, sizeof(why)),
			 strsignal(linux_sig));
}

static void test_other_exceptions_kill(void)
{
	expect_killed(stack_noncanonical_push, SIGBUS, "#SS: push with a non-canonical rsp");
	expect_killed(int3, SIGTRAP, "#BP: int3");
	expect_killed(trap_flag, SIGTRAP, "#DB: the trap flag");
}

static void test_syscall_with_garbage_stack(void)
{
	CHECK_EXITED(tap_child_status(syscall_rsp_zero), 42);
	CHECK_EXITED(tap_child_status(syscall_rsp_kernel), 42);
	CHECK_EXITED(tap_child_status(syscall_rsp_noncanonical), 42);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		syscall_rsp_garbage_getpid();
	CHECK_EXITED(tap_wait(pid), pid & 0xff);
}

/*
 * Puts "mov $39, %eax; syscall" in the last 7 bytes of the page at `page`
 * (asked for as a hint) and runs it in a child: the syscall returns to
 * page + 4096, which nothing maps, so the child must die of SIGSEGV.
 * Skips when the page cannot be had there.
 */
static void syscall_at_end_of(uintptr_t page)
{
	static const unsigned char code[] = { 0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	unsigned char *got = mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (got != MAP_FAILED && (uintptr_t)got != page) {
		/* The hint was not honoured: insist, but never over a mapping. */
		munmap(got, 4096);
		got = mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	}
	if (got == MAP_FAILED || (uintptr_t)got != page) {
		char why[128];
		snprintf(why, sizeof(why), "cannot map the page at %#lx (got %p)",
			 (unsigned long)page, (void *)got);
		tap_skip(why);
	}
	memcpy(got + 4096 - sizeof(code), code, sizeof(code));
	CHECK_EQ(mprotect(got, 4096, PROT_READ | PROT_EXEC), 0);
	void (*entry)(void) = (void (*)(void))(uintptr_t)(got + 4096 - sizeof(code));
	int status = tap_child_status(entry);
	CHECK_SIGNALED(status, SIGSEGV);
}

static void test_syscall_returning_past_user_space(void)
{
	/* Return address 0x800000000000: non-canonical. SYSRET must not be used. */
	syscall_at_end_of(0x00007ffffffff000UL);
}

static void test_syscall_returning_to_last_page(void)
{
	/* Return address 0x7ffffffff000: canonical, Linux's TASK_SIZE_MAX. */
	syscall_at_end_of(0x00007fffffffe000UL);
}

/* --- the kernel lives on --------------------------------------------------- */

static void yield_a_while(void)
{
	for (int i = 0; i < 100; i++)
		sched_yield();
}

static void test_fork_exit_still_work(void)
{
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(i);
		CHECK_EXITED(tap_wait(pid), i);
	}
	CHECK_SIGNALED(tap_child_status(null_read), SIGSEGV);
	CHECK_EXITED(tap_child_status(yield_a_while), 0);
}

static void test_killed_processes_free_everything(void)
{
	struct sysinfo before, after;
	for (int i = 0; i < 5; i++) /* warm up */
		EXPECT_SIGNAL(null_write, SIGSEGV);
	CHECK_EQ(sysinfo(&before), 0);
	for (int i = 0; i < 100; i++) {
		EXPECT_SIGNAL(i % 3 == 0 ? null_write : i % 3 == 1 ? ud2 : divide_by_zero,
			      i % 3 == 0 ? SIGSEGV : i % 3 == 1 ? SIGILL : SIGFPE);
	}
	CHECK_EQ(sysinfo(&after), 0);
	tap_diag("freeram %lu -> %lu, bufferram %lu -> %lu", before.freeram, after.freeram,
		 before.bufferram, after.bufferram);
	CHECK_EQ(after.freeram, before.freeram);
	CHECK_EQ(after.bufferram, before.bufferram);
	CHECK_EQ(after.procs, before.procs);
}

static const struct tap_test tests[] = {
	{ "NULL read, write, call: SIGSEGV", test_null_pointer },
	{ "kernel addresses, zero stack: SIGSEGV", test_kernel_addresses },
	{ "non-canonical addresses (#GP): SIGSEGV", test_noncanonical_addresses },
	{ "privileged instructions (#GP): SIGSEGV", test_privileged_instructions },
	{ "int n through kernel gates: SIGSEGV", test_software_interrupts_to_kernel_gates },
	{ "iretq with a forged ring 0 frame: SIGSEGV", test_forged_iretq },
	{ "invalid opcodes: SIGILL", test_invalid_opcode },
	{ "divide errors: SIGFPE", test_divide_error },
	{ "#SS, #BP, #DB kill the process", test_other_exceptions_kill },
	{ "syscalls with a garbage stack pointer", test_syscall_with_garbage_stack },
	{ "syscall returning to a non-canonical address", test_syscall_returning_past_user_space },
	{ "syscall returning to an unmapped last page", test_syscall_returning_to_last_page },
	{ "fork and exit still work", test_fork_exit_still_work },
	{ "100 killed processes free everything", test_killed_processes_free_everything, TAP_LOUPE_ONLY },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
