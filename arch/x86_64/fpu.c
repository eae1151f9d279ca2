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

uint32_t fpu_mxcsr_mask(void)
{
	static uint32_t mask;

	if (!mask) {
		struct fpu_state probe;
		memset(&probe, 0, sizeof(probe));
		fpu_save(&probe);               /* saves this context's state; changes nothing */
		memcpy(&mask, &probe.fxsave[28], sizeof(mask));
		if (!mask)
			mask = 0xffbf;          /* 0 means the architectural default */
	}
	return mask;
}
