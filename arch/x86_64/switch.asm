; SPDX-License-Identifier: MIT
;
; switch.asm - switch_context: stop running one kernel stack, start
; running another. The whole of a context switch that must be assembly.
;
;   void switch_context(uint64_t *save_rsp, uint64_t load_rsp);
;
; Only the callee-saved registers need saving: the C caller
; (kernel/sched.c: schedule) already assumes every other register is
; clobbered by a call. The return address is on the stack too, so `ret`
; resumes wherever the other side last called switch_context — or, for a
; new process, at the address kernel/proc.c put there (trap_return, which
; leaves for user mode through the process's trap frame).

section .text
bits 64

global switch_context
switch_context:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rsp, rsi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
