/* SPDX-License-Identifier: MIT */
/*
 * trap.h - the one trap frame, and the C side of every trap.
 *
 * Interrupts, exceptions and system calls all enter the kernel through
 * NASM stubs (arch/x86_64/vectors.asm, later syscall.asm) that leave this
 * structure on the kernel stack and pass its address to C. The field
 * order is Linux's struct pt_regs, which is also the first 21 fields of
 * struct user_regs_struct: that is what lets /proc/<pid>/regs be a copy.
 *
 *   higher addresses
 *   +-----------+  <- kernel stack top (TSS.RSP0), 16-byte aligned
 *   | ss        | 160 \
 *   | rsp       | 152  |
 *   | rflags    | 144  | pushed by the CPU (or faked by the syscall entry)
 *   | cs        | 136  |
 *   | rip       | 128 /
 *   | orig_rax  | 120  error code (CPU or stub pushes it) / syscall number
 *   | rdi       | 112  pushed by the vector stub
 *   | rsi ...   | 104  pushed by trap_common, in this order
 *   |  ...      |
 *   | r15       |   0  <- struct trap_frame *frame
 *   +-----------+
 *   lower addresses
 *
 * The offsets are repeated in arch/x86_64/trapframe.inc for NASM.
 */
#ifndef LOUPE_TRAP_H
#define LOUPE_TRAP_H

#include <stddef.h>
#include <stdint.h>

struct trap_frame {
	uint64_t r15;        /*   0 */
	uint64_t r14;        /*   8 */
	uint64_t r13;        /*  16 */
	uint64_t r12;        /*  24 */
	uint64_t rbp;        /*  32 */
	uint64_t rbx;        /*  40 */
	uint64_t r11;        /*  48 */
	uint64_t r10;        /*  56 */
	uint64_t r9;         /*  64 */
	uint64_t r8;         /*  72 */
	uint64_t rax;        /*  80 */
	uint64_t rcx;        /*  88 */
	uint64_t rdx;        /*  96 */
	uint64_t rsi;        /* 104 */
	uint64_t rdi;        /* 112 */
	uint64_t orig_rax;   /* 120: error code for exceptions, syscall number for syscalls */
	uint64_t rip;        /* 128 */
	uint64_t cs;         /* 136 */
	uint64_t rflags;     /* 144 */
	uint64_t rsp;        /* 152 */
	uint64_t ss;         /* 160 */
};

#define TRAP_FRAME_CHECK(field, offset) \
	_Static_assert(offsetof(struct trap_frame, field) == (offset), \
		       "trap_frame." #field " must match FRAME_" #field " in trapframe.inc")
TRAP_FRAME_CHECK(r15, 0);
TRAP_FRAME_CHECK(rbp, 32);
TRAP_FRAME_CHECK(r11, 48);
TRAP_FRAME_CHECK(rax, 80);
TRAP_FRAME_CHECK(rcx, 88);
TRAP_FRAME_CHECK(rdi, 112);
TRAP_FRAME_CHECK(orig_rax, 120);
TRAP_FRAME_CHECK(rip, 128);
TRAP_FRAME_CHECK(cs, 136);
TRAP_FRAME_CHECK(rflags, 144);
TRAP_FRAME_CHECK(rsp, 152);
TRAP_FRAME_CHECK(ss, 160);
_Static_assert(sizeof(struct trap_frame) == 168, "trap_frame must match FRAME_SIZE in trapframe.inc");

/* Exception vectors (Intel SDM vol. 3, table 6-1). */
enum {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5,
	VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12,
	VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_MC = 18, VEC_XM = 19,
	VEC_VE = 20, VEC_CP = 21,
	VEC_IRQ_BASE = 32,        /* the PIC's 16 lines land on 32..47 (arch/x86_64/pic.c) */
	VEC_IRQ_TIMER = 32,
	VEC_IRQ_COM1 = 36,
	VEC_IRQ_LAST = 47,
};

static inline int trap_from_user(const struct trap_frame *frame)
{
	return (frame->cs & 3) == 3;
}

/* Called by trap_common in vectors.asm with interrupts off. */
void trap_dispatch(struct trap_frame *frame, uint64_t vector);

/* "#PF page fault" and friends; "?" outside 0..31. */
const char *trap_exception_name(uint64_t vector);

/* Interrupt handlers for the 16 PIC lines (IRQ 0..15). */
typedef void (*irq_handler_t)(struct trap_frame *frame);
void irq_register(unsigned irq, irq_handler_t handler);

/* The 256 stub addresses, in vectors.asm. */
extern const uint64_t vector_table[256];

#endif
