/* SPDX-License-Identifier: MIT */
/* fpu.c - the initial x87/SSE state of a program (see fpu.h). */
#include "arch/x86_64/fpu.h"
#include "kernel/lib/string.h"

void fpu_init_state(struct fpu_state *state)
{
	uint16_t fcw = FPU_FCW_DEFAULT;
	uint32_t mxcsr = FPU_MXCSR_DEFAULT;

	memset(state, 0, sizeof(*state));
	memcpy(&state->fxsave[0], &fcw, sizeof(fcw));
	memcpy(&state->fxsave[FPU_MXCSR_OFFSET], &mxcsr, sizeof(mxcsr));
}
