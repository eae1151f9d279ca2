/* SPDX-License-Identifier: MIT */
/*
 * regs_at_entry.S - the entry point of prog_regs_at_entry: before any
 * other instruction runs, store every register the kernel hands a new
 * program, then call check_entry_state() in prog_regs_at_entry.c, which
 * compares them with what Linux gives (all general registers zero but
 * RSP, RFLAGS 0x202, RSP 16-byte aligned, the FPU/SSE registers in their
 * reset state) and walks the initial stack.
 *
 * Built with -nostdlib: there is no libc, no crt1, nothing runs before
 * _start. The storage (entry_regs & co.) is defined in the C file.
 *
 * entry_regs layout (8 bytes each), mirrored by enum entry_reg there:
 *   0 rax  1 rbx  2 rcx  3 rdx  4 rsi  5 rdi  6 rbp  7 rsp
 *   8 r8   9 r9  10 r10 11 r11 12 r12 13 r13 14 r14 15 r15
 *  16 rflags  17 cs  18 ss  19 ds  20 es  21 fs  22 gs
 */
	.text
	.globl _start
	.type _start, @function
_start:
	mov %rax, entry_regs + 0 * 8(%rip)
	mov %rbx, entry_regs + 1 * 8(%rip)
	mov %rcx, entry_regs + 2 * 8(%rip)
	mov %rdx, entry_regs + 3 * 8(%rip)
	mov %rsi, entry_regs + 4 * 8(%rip)
	mov %rdi, entry_regs + 5 * 8(%rip)
	mov %rbp, entry_regs + 6 * 8(%rip)
	mov %rsp, entry_regs + 7 * 8(%rip)
	mov %r8, entry_regs + 8 * 8(%rip)
	mov %r9, entry_regs + 9 * 8(%rip)
	mov %r10, entry_regs + 10 * 8(%rip)
	mov %r11, entry_regs + 11 * 8(%rip)
	mov %r12, entry_regs + 12 * 8(%rip)
	mov %r13, entry_regs + 13 * 8(%rip)
	mov %r14, entry_regs + 14 * 8(%rip)
	mov %r15, entry_regs + 15 * 8(%rip)
	pushfq                          /* the first use of the stack */
	pop %rax
	mov %rax, entry_regs + 16 * 8(%rip)
	mov %cs, %rax                   /* a selector into r64 zero-extends */
	mov %rax, entry_regs + 17 * 8(%rip)
	mov %ss, %rax
	mov %rax, entry_regs + 18 * 8(%rip)
	mov %ds, %rax
	mov %rax, entry_regs + 19 * 8(%rip)
	mov %es, %rax
	mov %rax, entry_regs + 20 * 8(%rip)
	mov %fs, %rax
	mov %rax, entry_regs + 21 * 8(%rip)
	mov %gs, %rax
	mov %rax, entry_regs + 22 * 8(%rip)

	stmxcsr entry_mxcsr(%rip)
	fnstcw entry_fcw(%rip)
	fnstsw entry_fsw(%rip)
	movdqu %xmm0, entry_xmm + 0 * 16(%rip)
	movdqu %xmm1, entry_xmm + 1 * 16(%rip)
	movdqu %xmm2, entry_xmm + 2 * 16(%rip)
	movdqu %xmm3, entry_xmm + 3 * 16(%rip)
	movdqu %xmm4, entry_xmm + 4 * 16(%rip)
	movdqu %xmm5, entry_xmm + 5 * 16(%rip)
	movdqu %xmm6, entry_xmm + 6 * 16(%rip)
	movdqu %xmm7, entry_xmm + 7 * 16(%rip)
	movdqu %xmm8, entry_xmm + 8 * 16(%rip)
	movdqu %xmm9, entry_xmm + 9 * 16(%rip)
	movdqu %xmm10, entry_xmm + 10 * 16(%rip)
	movdqu %xmm11, entry_xmm + 11 * 16(%rip)
	movdqu %xmm12, entry_xmm + 12 * 16(%rip)
	movdqu %xmm13, entry_xmm + 13 * 16(%rip)
	movdqu %xmm14, entry_xmm + 14 * 16(%rip)
	movdqu %xmm15, entry_xmm + 15 * 16(%rip)

	/* check_entry_state(initial rsp) with the ABI's alignment, whatever we got. */
	mov entry_regs + 7 * 8(%rip), %rdi
	and $-16, %rsp
	call check_entry_state
	ud2                             /* check_entry_state never returns */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
