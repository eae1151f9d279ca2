/* SPDX-License-Identifier: MIT */
/*
 * cpu.c - per-CPU set-up: the GS area, the syscall MSRs, SSE.
 *
 * SYSCALL jumps to LSTAR with CS/SS taken from STAR[47:32] (kernel) and
 * clears every RFLAGS bit set in SFMASK. We clear:
 *   IF  so no interrupt arrives before the entry has a kernel stack;
 *   TF  so a user's single-step flag does not trap on the first kernel
 *       instruction (the tracer's step is reported after the syscall);
 *   DF  because the C ABI assumes it clear;
 *   AC  so SMAP-style checks cannot be switched off by the user;
 *   NT  so a later IRET does not try a task switch.
 * SYSRET takes CS from STAR[63:48] + 16 and SS from STAR[63:48] + 8,
 * which is why USER_DS (0x2b) sits right below USER_CS (0x33) in gdt.c.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"

struct percpu percpu;

extern char syscall_entry[];

#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR4_OSFXSR     (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)

void cpu_init(void)
{
	/* In the kernel GS points at percpu; the user's base waits in KERNEL_GS_BASE. */
	wrmsr(MSR_GS_BASE, (uint64_t)&percpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)(USER32_CS & ~3) << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);

	/* SSE for user programs: no emulation, FXSAVE/FXRSTOR allowed, SIMD exceptions as #XM. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

void cpu_set_kernel_stack(uint64_t stack_top)
{
	percpu.kernel_rsp = stack_top;
	gdt_set_kernel_stack(stack_top);
}
