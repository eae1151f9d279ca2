/* SPDX-License-Identifier: MIT */
/*
 * cpu.h - one-instruction wrappers: port I/O, MSRs, control registers,
 * interrupt flag. Each is a single asm statement so a reader can see
 * exactly which instruction a C call becomes.
 */
#ifndef LOUPE_CPU_H
#define LOUPE_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_EFER            0xc0000080
#define MSR_STAR            0xc0000081
#define MSR_LSTAR           0xc0000082
#define MSR_SFMASK          0xc0000084
#define MSR_FS_BASE         0xc0000100
#define MSR_GS_BASE         0xc0000101
#define MSR_KERNEL_GS_BASE  0xc0000102

#define EFER_SCE            (1UL << 0)
#define EFER_LME            (1UL << 8)
#define EFER_NXE            (1UL << 11)

#define RFLAGS_CF           (1UL << 0)
#define RFLAGS_FIXED        (1UL << 1)    /* always reads as 1 */
#define RFLAGS_PF           (1UL << 2)
#define RFLAGS_AF           (1UL << 4)
#define RFLAGS_ZF           (1UL << 6)
#define RFLAGS_SF           (1UL << 7)
#define RFLAGS_TF           (1UL << 8)
#define RFLAGS_IF           (1UL << 9)
#define RFLAGS_DF           (1UL << 10)
#define RFLAGS_OF           (1UL << 11)
#define RFLAGS_IOPL         (3UL << 12)
#define RFLAGS_NT           (1UL << 14)
#define RFLAGS_RF           (1UL << 16)
#define RFLAGS_VM           (1UL << 17)
#define RFLAGS_AC           (1UL << 18)
#define RFLAGS_VIF          (1UL << 19)
#define RFLAGS_VIP          (1UL << 20)
#define RFLAGS_ID           (1UL << 21)

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline void outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t low, high;
	__asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
	return ((uint64_t)high << 32) | low;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

static inline void invlpg(uint64_t virt)
{
	__asm__ volatile("invlpg (%0)" : : "r"(virt) : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags;
}

static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_halt(void) { __asm__ volatile("hlt" ::: "memory"); }

/*
 * irq_save/irq_restore: the one lock Loupe needs on one CPU. Code that
 * shares state with an interrupt handler brackets it like this; when SMP
 * comes, these become spinlock + irq-save pairs at the same call sites.
 */
static inline uint64_t irq_save(void)
{
	uint64_t flags = read_rflags();
	irq_disable();
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		irq_enable();
}

static inline uint64_t rdtsc(void)
{
	uint32_t low, high;
	__asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
	return ((uint64_t)high << 32) | low;
}

#endif
