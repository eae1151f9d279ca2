/* SPDX-License-Identifier: MIT */
/*
 * random.c - a small pseudo-random generator for AT_RANDOM and getrandom.
 *
 * xoshiro256** (Blackman and Vigna), seeded at boot from the time stamp
 * counter and, where the CPU has it, RDRAND; every call also stirs in
 * the current TSC. Good enough to make stack canaries and hash seeds
 * differ between runs; NOT a cryptographic generator, which a teaching
 * kernel does not pretend to have. Documented in docs/processes.md.
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kernel/lib/string.h"
#include "kernel/random.h"

static uint64_t state[4];

static inline uint64_t rotate_left(uint64_t value, int bits)
{
	return (value << bits) | (value >> (64 - bits));
}

static uint64_t random_next(void)
{
	uint64_t result = rotate_left(state[1] * 5, 7) * 9;
	uint64_t t = state[1] << 17;

	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotate_left(state[3], 45);
	return result;
}

/* splitmix64: spreads one seed word over the whole state. */
static uint64_t splitmix(uint64_t *seed)
{
	uint64_t z = (*seed += 0x9e3779b97f4a7c15UL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	return z ^ (z >> 31);
}

static bool cpu_has_rdrand(void)
{
	uint32_t eax = 1, ebx, ecx, edx;
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	return ecx & (1U << 30);
}

void random_init(void)
{
	uint64_t seed = rdtsc();

	if (cpu_has_rdrand()) {
		uint64_t hardware = 0;
		uint8_t ok = 0;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(hardware), "=qm"(ok));
		if (ok)
			seed ^= hardware;
	}
	for (int i = 0; i < 4; i++)
		state[i] = splitmix(&seed);
}

void random_fill(void *buffer, size_t length)
{
	uint8_t *out = buffer;

	state[0] ^= rdtsc();
	while (length > 0) {
		uint64_t word = random_next();
		size_t chunk = length < sizeof(word) ? length : sizeof(word);
		memcpy(out, &word, chunk);
		out += chunk;
		length -= chunk;
	}
}
