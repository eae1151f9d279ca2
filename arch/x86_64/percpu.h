/* SPDX-License-Identifier: MIT */
/*
 * percpu.h - the per-CPU area, reached through GS while in the kernel.
 *
 * The syscall entry (syscall.asm) has no free register and no stack
 * when it starts, so it needs a place it can address without either:
 * GS-relative memory. `swapgs` on entry makes GS point here; on the way
 * out it gives the user back their GS base. Only the assembly uses it;
 * C code finds the current process through the plain global `current`
 * (one CPU; see kernel/sched.c).
 *
 * The offsets are repeated in syscall.asm (%define PERCPU_*).
 */
#ifndef LOUPE_PERCPU_H
#define LOUPE_PERCPU_H

#include <stddef.h>
#include <stdint.h>

struct percpu {
	uint64_t kernel_rsp;      /* 0: top of the current process's kernel stack */
	uint64_t user_rsp;        /* 8: scratch: the user RSP while the frame is built */
};

_Static_assert(offsetof(struct percpu, kernel_rsp) == 0, "PERCPU_KERNEL_RSP in syscall.asm");
_Static_assert(offsetof(struct percpu, user_rsp) == 8, "PERCPU_USER_RSP in syscall.asm");

extern struct percpu percpu;

/* GS bases, syscall MSRs and the FPU: once, after gdt_init. */
void cpu_init(void);

/* Where the next entry from user mode lands: TSS.RSP0 and the syscall stack. */
void cpu_set_kernel_stack(uint64_t stack_top);

#endif
