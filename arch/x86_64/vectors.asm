; SPDX-License-Identifier: MIT
;
; vectors.asm - the 256 interrupt/exception entry stubs and the common
; path that turns any of them into a struct trap_frame for C.
;
; On an interrupt or exception the CPU (in 64-bit mode) aligns RSP to 16,
; switches to TSS.RSP0 if it came from ring 3 (or to an IST stack if the
; gate asks), and pushes SS, RSP, RFLAGS, CS, RIP and, for some vectors,
; an error code. From there:
;
;   vector_N:     push 0 if the CPU pushed no error code  -> orig_rax
;                 push rdi                                 -> rdi
;                 mov edi, N      (the vector rides in RDI, already saved)
;                 jmp trap_common
;   trap_common:  push the other 14 registers in pt_regs order, swapgs
;                 if we came from user mode, call trap_dispatch(frame, N)
;   trap_return:  the reverse, then iretq
;
; Because each stub saves RDI before using it, the frame has no extra
; "vector" slot and stays exactly Linux's pt_regs (arch/x86_64/trap.h).
; The C half is arch/x86_64/trap.c.

%include "arch/x86_64/trapframe.inc"

section .text
bits 64

; Vectors for which the CPU pushes an error code (SDM vol. 3, table 6-1).
%macro VECTOR 1
align 16
vector_%1:
%if (%1 == 8) || (%1 == 10) || (%1 == 11) || (%1 == 12) || (%1 == 13) || (%1 == 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
	; the CPU pushed an error code: it is orig_rax already
%else
	push 0                          ; orig_rax: no error code
%endif
	push rdi                        ; rdi
	mov edi, %1
	jmp trap_common
%endmacro

%assign vec 0
%rep 256
	VECTOR vec
%assign vec vec + 1
%endrep

extern trap_dispatch

trap_common:
	push rsi                        ; rsi
	push rdx                        ; rdx
	push rcx                        ; rcx
	push rax                        ; rax
	push r8                         ; r8
	push r9                         ; r9
	push r10                        ; r10
	push r11                        ; r11
	push rbx                        ; rbx
	push rbp                        ; rbp
	push r12                        ; r12
	push r13                        ; r13
	push r14                        ; r14
	push r15                        ; r15  <- RSP now points at struct trap_frame

	; GS must hold the kernel's per-CPU base while in the kernel. From user
	; mode it holds the user's, so swap; from kernel mode it is already ours.
	test byte [rsp + FRAME_CS], 3
	jz .from_kernel
	swapgs
.from_kernel:
	cld                             ; the C ABI expects DF clear
	mov rsi, rdi                    ; arg 2: vector
	mov rdi, rsp                    ; arg 1: frame
	; The CPU aligned RSP to 16 before its pushes; the frame is 168 bytes,
	; so RSP is 8 off the alignment the C ABI wants at a call.
	sub rsp, 8
	call trap_dispatch
	add rsp, 8

; trap_return: leave the kernel through the frame at RSP. Also the first
; return to user mode of a new process (kernel/proc.c sets that up).
global trap_return
trap_return:
	test byte [rsp + FRAME_CS], 3
	jz .to_kernel
	swapgs
.to_kernel:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	pop r11
	pop r10
	pop r9
	pop r8
	pop rax
	pop rcx
	pop rdx
	pop rsi
	pop rdi
	add rsp, 8                      ; drop orig_rax
global trap_return_iret
trap_return_iret:                       ; trap.c recognises a fault right here
	iretq

; process_start: where a new process's first switch_context() "returns"
; (kernel/proc.c: proc_prepare_first_run), with RSP at its trap frame.
; Before its first user instruction it passes the same last stop as any
; return to user mode (pending signals, a tracer's stop): C first, then out.
extern process_first_return
global process_start
process_start:
	mov rdi, rsp                    ; the frame
	sub rsp, 8                      ; 168-byte frame: re-align for the call
	call process_first_return
	add rsp, 8
	jmp trap_return

; The table idt.c walks to fill the IDT: one stub address per vector.
section .rodata
align 8
global vector_table
vector_table:
%assign vec 0
%rep 256
	dq vector_ %+ vec
%assign vec vec + 1
%endrep
