; SPDX-License-Identifier: MIT
;
; boot.asm - from GRUB to kmain: the multiboot2 header, the 32-bit entry,
; the early page tables and the jump to the higher half.
;
; GRUB (multiboot2) leaves us in 32-bit protected mode with paging off,
; EAX = 0x36d76289 and EBX = physical address of the boot information.
; The steps, in order (docs/boot.md tells the same story):
;
;   1. check the magic and that the CPU can do long mode and NX,
;      printing a readable message on the screen and COM1 if not;
;   2. build early page tables that map the first 4 GiB three times:
;        identity (0 -> 0)                       so the next instruction still runs,
;        direct map (0xffff800000000000 -> 0)    so C can reach the boot info,
;        kernel (0xffffffff80000000 -> 0)        where the kernel is linked;
;   3. enable PAE, EFER.LME and EFER.NXE, then paging: we are in long mode;
;   4. load a 64-bit GDT, far jump to 64-bit code, jump to the higher half,
;      switch to the real boot stack and call kmain(magic, info).
;
; kernel/vmm.c later builds the final tables (no identity map, proper
; permissions) and this file's tables are never used again.
;
; KERNEL_BASE must equal KERNEL_BASE in linker.ld and arch/x86_64/memlayout.h.

%define KERNEL_BASE        0xffffffff80000000
%define MB2_HEADER_MAGIC   0xe85250d6
%define MB2_BOOT_MAGIC     0x36d76289

%define PTE_PRESENT        (1 << 0)
%define PTE_WRITE          (1 << 1)
%define PTE_HUGE           (1 << 7)

%define EARLY_KERNEL_CS    0x10      ; same slots as the final GDT (arch/x86_64/gdt.c)
%define EARLY_KERNEL_DS    0x18

; ---------------------------------------------------------------------------
; The multiboot2 header: GRUB scans the first 32 KiB of the file for it.
; ---------------------------------------------------------------------------
section .multiboot2
align 8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd 0                                    ; architecture 0: i386 protected mode
	dd mb2_header_end - mb2_header          ; header length
	dd 0x100000000 - (MB2_HEADER_MAGIC + 0 + (mb2_header_end - mb2_header))

	; Information request: GRUB must give us these tags (flags 0 = required).
	align 8
mb2_info_request:
	dw 1, 0
	dd mb2_info_request_end - mb2_info_request
	dd 1                                    ; boot command line
	dd 3                                    ; modules (the initrd)
	dd 6                                    ; memory map
mb2_info_request_end:

	; Module alignment: load modules on page boundaries, so the frame
	; allocator can reserve them as whole frames.
	align 8
	dw 6, 0
	dd 8

	; End tag.
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

; ---------------------------------------------------------------------------
; 32-bit entry. Linked at its load address (linker.ld's .boot), paging off.
; ---------------------------------------------------------------------------
section .boot.text
bits 32
global _start
_start:
	cli
	cld
	mov esp, boot32_stack_top
	; Keep GRUB's registers before CPUID clobbers them; kmain gets them.
	mov [boot_mb_magic], eax
	mov [boot_mb_info], ebx

	cmp eax, MB2_BOOT_MAGIC
	jne .no_multiboot

	; CPUID exists if EFLAGS.ID (bit 21) can be flipped.
	pushfd
	pop eax
	mov ecx, eax
	xor eax, 1 << 21
	push eax
	popfd
	pushfd
	pop eax
	push ecx
	popfd
	xor eax, ecx
	jz .no_long_mode

	mov eax, 0x80000000                     ; highest extended leaf
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29                       ; LM: long mode
	jz .no_long_mode
	test edx, 1 << 20                       ; NX: we map data no-execute
	jz .no_nx

	call build_early_page_tables

	mov eax, early_pml4
	mov cr3, eax

	mov eax, cr4
	or eax, 1 << 5                          ; CR4.PAE: 64-bit page table entries
	mov cr4, eax

	mov ecx, 0xc0000080                     ; IA32_EFER
	rdmsr
	or eax, (1 << 8) | (1 << 11)            ; LME: long mode enable; NXE: NX bit allowed
	wrmsr

	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1       ; PG, WP (honour read-only even in ring 0), PE
	mov cr0, eax                            ; now in compatibility mode

	lgdt [early_gdt_pointer]
	jmp EARLY_KERNEL_CS:long_mode_low       ; reload CS: now in 64-bit mode

.no_multiboot:
	mov esi, msg_no_multiboot
	jmp boot_fail
.no_long_mode:
	mov esi, msg_no_long_mode
	jmp boot_fail
.no_nx:
	mov esi, msg_no_nx
	jmp boot_fail

; build_early_page_tables: the three views of the first 4 GiB described at
; the top, with 2 MiB pages so that one page directory covers 1 GiB.
build_early_page_tables:
	mov edi, early_tables_start             ; .boot.bss has no file bytes: GRUB only reserves it, so zero it
	mov ecx, (early_tables_end - early_tables_start) / 4
	xor eax, eax
	rep stosd

	mov edi, early_pd                       ; 4 directories x 512 entries x 2 MiB = 4 GiB
	mov eax, PTE_PRESENT | PTE_WRITE | PTE_HUGE
	xor edx, edx
	mov ecx, 4 * 512
.fill_pd:
	mov [edi], eax
	mov [edi + 4], edx                      ; bits 32..63 of the physical address
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .fill_pd

	mov edi, early_pdpt_low                 ; PDPT entries 0..3 -> the 4 directories
	mov eax, early_pd + (PTE_PRESENT | PTE_WRITE)
	mov ecx, 4
.fill_pdpt:
	mov [edi], eax
	add eax, 4096
	add edi, 8
	loop .fill_pdpt

	; 0xffffffff80000000 is PML4 slot 511, PDPT slot 510: slots 510 and 511 map
	; the first 2 GiB there (the kernel is linked in the first).
	mov dword [early_pdpt_high + 510 * 8], early_pd + (PTE_PRESENT | PTE_WRITE)
	mov dword [early_pdpt_high + 511 * 8], early_pd + 4096 + (PTE_PRESENT | PTE_WRITE)

	mov dword [early_pml4 + 0 * 8], early_pdpt_low + (PTE_PRESENT | PTE_WRITE)    ; identity
	mov dword [early_pml4 + 256 * 8], early_pdpt_low + (PTE_PRESENT | PTE_WRITE)  ; direct map
	mov dword [early_pml4 + 511 * 8], early_pdpt_high + (PTE_PRESENT | PTE_WRITE) ; kernel
	ret

; boot_fail: print the NUL-terminated message at ESI on COM1 and the VGA
; text screen (white on red), then stop. Nothing else is set up yet, so
; this polls the UART directly; QEMU's COM1 works without initialisation.
boot_fail:
	mov edi, 0xb8000
.next:
	lodsb
	test al, al
	jz .stop
	mov bl, al
	mov dx, 0x3fd                           ; line status register
.wait:
	in al, dx
	test al, 0x20                           ; transmit holding register empty?
	jz .wait
	mov dx, 0x3f8
	mov al, bl
	out dx, al
	mov [edi], bl
	mov byte [edi + 1], 0x4f
	add edi, 2
	jmp .next
.stop:
	cli
	hlt
	jmp .stop

; ---------------------------------------------------------------------------
; 64-bit, still at the low (identity-mapped) address.
; ---------------------------------------------------------------------------
bits 64
long_mode_low:
	mov ax, EARLY_KERNEL_DS
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rax, long_mode_high                 ; a 64-bit absolute address: the higher half
	jmp rax

section .boot.rodata
align 8
early_gdt:
	dq 0                                    ; 0x00 null
	dq 0                                    ; 0x08 unused (Linux's 32-bit kernel CS slot)
	dq 0x00af9a000000ffff                   ; 0x10 kernel code: present, DPL 0, L=1
	dq 0x00cf92000000ffff                   ; 0x18 kernel data
early_gdt_end:
early_gdt_pointer:
	dw early_gdt_end - early_gdt - 1
	dd early_gdt

msg_no_multiboot:
	db "Loupe: not started by a multiboot2 loader (bad magic in EAX). Boot with GRUB 2.", 0
msg_no_long_mode:
	db "Loupe: this CPU cannot run 64-bit code (no long mode). Loupe needs x86_64.", 0
msg_no_nx:
	db "Loupe: this CPU has no NX bit. Loupe needs NX to map data no-execute.", 0

section .boot.bss nobits alloc write align=4096
align 4096
early_tables_start:
early_pml4:       resb 4096
early_pdpt_low:   resb 4096
early_pdpt_high:  resb 4096
early_pd:         resb 4 * 4096
early_tables_end:
boot32_stack:     resb 1024
boot32_stack_top:
global boot_mb_magic, boot_mb_info
boot_mb_magic:    resd 1
boot_mb_info:     resd 1

; ---------------------------------------------------------------------------
; The higher half.
; ---------------------------------------------------------------------------
section .text
bits 64
extern kmain
long_mode_high:
	mov rsp, boot_stack_top
	xor ebp, ebp                            ; a zero frame pointer ends every backtrace
	mov edi, [abs boot_mb_magic]            ; kmain(magic, info_phys)
	mov esi, [abs boot_mb_info]
	call kmain
.halt:                                          ; kmain never returns; just in case
	cli
	hlt
	jmp .halt

; The boot stack, with one unmapped guard page below it (kernel/vmm.c
; leaves it out), so overflowing it faults instead of corrupting .bss;
; the fault cannot push its frame there either, so it becomes a double
; fault, which runs on its own IST stack (arch/x86_64/gdt.c).
section .bss
align 4096
global boot_stack_guard, boot_stack_top
boot_stack_guard: resb 4096
boot_stack:       resb 16384
boot_stack_top:
