/* SPDX-License-Identifier: MIT */
/*
 * fpu.h - the x87/SSE register state of a process (the 512-byte FXSAVE
 * area, Intel SDM vol. 1, 10.5.1), saved and restored at every context
 * switch. The kernel itself never uses these registers (it is built with
 * -mgeneral-regs-only), so user state only moves at a switch.
 */
#ifndef LOUPE_FPU_H
#define LOUPE_FPU_H

#include <stdint.h>

struct fpu_state {
	uint8_t fxsave[512];
} __attribute__((aligned(16)));

#define FPU_MXCSR_OFFSET 24
#define FPU_MXCSR_DEFAULT 0x1f80        /* all SIMD exceptions masked, round to nearest */
#define FPU_FCW_DEFAULT   0x037f        /* x87: all exceptions masked, 64-bit precision */

/* The state Linux gives a new program: FCW 0x37f, MXCSR 0x1f80, everything else 0. */
void fpu_init_state(struct fpu_state *state);

/* The MXCSR bits this CPU accepts (FXSAVE's MXCSR_MASK): FXRSTOR faults on any other. */
uint32_t fpu_mxcsr_mask(void);

static inline void fpu_save(struct fpu_state *state)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*state));
}

static inline void fpu_restore(const struct fpu_state *state)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*state));
}

#endif
