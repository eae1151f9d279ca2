; SPDX-License-Identifier: MIT
;
; syscall.asm - the system call entry and its two ways back to user mode.
;
; Registers on entry (the Linux x86_64 ABI, and what SYSCALL itself does):
;
;   rax   system call number          rcx   user RIP (saved by SYSCALL)
;   rdi   argument 0                  r11   user RFLAGS (saved by SYSCALL)
;   rsi   argument 1                  rsp   still the USER stack
;   rdx   argument 2                  cs/ss kernel selectors from STAR
;   r10   argument 3 (rcx is taken)   RFLAGS IF TF DF AC NT cleared (SFMASK)
;   r8    argument 4                  gs    still the user's GS base
;   r9    argument 5
;
; SYSCALL switches neither stack nor GS. So the first instructions use
; `swapgs` to reach the per-CPU area (percpu.h), park the user RSP there,
; load the kernel stack, and build the same struct trap_frame an
; interrupt builds (trap.h), faking the part the CPU would have pushed:
;
;   ss        USER_DS                rip       rcx
;   rsp       user rsp               orig_rax  rax: the syscall number
;   rflags    r11                    rax       -ENOSYS until a handler answers
;   cs        USER_CS
;
; The C side is kernel/syscall.c: syscall_dispatch(frame) runs the call
; and returns non-zero only if SYSRET is provably safe for this frame
; (arch/x86_64/sysret.c says why each condition matters). Otherwise we
; leave through trap_return and IRETQ, which restores every register
; from the frame exactly, whatever a signal or a tracer did to it.

%include "arch/x86_64/trapframe.inc"

%define PERCPU_KERNEL_RSP 0     ; struct percpu, arch/x86_64/percpu.h
%define PERCPU_USER_RSP   8
%define USER_CS           0x33  ; arch/x86_64/gdt.h
%define USER_DS           0x2b
%define ENOSYS            38

section .text
bits 64

extern syscall_dispatch
extern trap_return

global syscall_entry
syscall_entry:
	swapgs                                  ; GS -> percpu
	mov [gs:PERCPU_USER_RSP], rsp
	mov rsp, [gs:PERCPU_KERNEL_RSP]

	push USER_DS                            ; ss
	push qword [gs:PERCPU_USER_RSP]         ; rsp
	push r11                                ; rflags
	push USER_CS                            ; cs
	push rcx                                ; rip
	push rax                                ; orig_rax: the syscall number
	push rdi                                ; rdi
	push rsi                                ; rsi
	push rdx                                ; rdx
	push rcx                                ; rcx (= rip; SYSRET needs it back)
	push -ENOSYS                            ; rax: the answer if nobody handles it
	push r8                                 ; r8
	push r9                                 ; r9
	push r10                                ; r10
	push r11                                ; r11 (= rflags)
	push rbx                                ; rbx
	push rbp                                ; rbp
	push r12                                ; r12
	push r13                                ; r13
	push r14                                ; r14
	push r15                                ; r15  <- struct trap_frame

	cld
	mov rdi, rsp
	sub rsp, 8                              ; 168-byte frame: re-align for the C call
	call syscall_dispatch
	add rsp, 8
	cli                                     ; C may have enabled interrupts; the exit must not be interrupted

	test eax, eax
	jz trap_return                          ; the careful way: iretq (it does its own swapgs)

	; SYSRET: the frame still holds rcx == rip and r11 == rflags, so
	; restoring the registers in order also sets up SYSRET's inputs.
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
	; RSP now points at orig_rax; the user RSP is 4 slots up (rip, cs, rflags, rsp).
	mov rsp, [rsp + (FRAME_RSP - FRAME_ORIG_RAX)]
	swapgs                                  ; give the user back their GS base
	o64 sysret
