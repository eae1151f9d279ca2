/* SPDX-License-Identifier: MIT */
/*
 * memlayout.h - where things live in the virtual and physical address space.
 *
 *   0x0000000000000000 .. 0x00007fffffffffff   user space (lower half)
 *   0xffff800000000000 .. +all of RAM          direct map: phys P is at P + DIRECT_MAP_BASE
 *   0xffffffff80000000 .. +kernel image        the kernel, linked here, loaded at KERNEL_PHYS
 *
 * The same numbers appear in linker.ld and arch/x86_64/boot.asm; the linker
 * script ASSERTs they agree with each other, and kernel/main.c checks the
 * C side with _Static_assert.
 */
#ifndef LOUPE_MEMLAYOUT_H
#define LOUPE_MEMLAYOUT_H

#define KERNEL_BASE      0xffffffff80000000UL  /* must equal KERNEL_BASE in linker.ld */
#define KERNEL_PHYS      0x100000UL            /* where GRUB loads us: 1 MiB */
#define DIRECT_MAP_BASE  0xffff800000000000UL  /* PML4 slot 256 and up */
#define USER_TOP         0x0000800000000000UL  /* first non-canonical address */
#define EARLY_MAP_LIMIT  0x100000000UL         /* boot.asm direct-maps the first 4 GiB */

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(phys + DIRECT_MAP_BASE);
}

static inline uint64_t virt_to_phys_direct(const void *virt)
{
	return (uint64_t)virt - DIRECT_MAP_BASE;
}

/* Symbols defined by linker.ld. Declared as arrays so nobody dereferences them by accident. */
extern char _kernel_start[], _kernel_end[];
extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[], _bss_start[], _bss_end[];
extern char _boot_start[], _boot_end[];
extern char boot_stack_guard[], boot_stack_top[];

static inline uint64_t kernel_image_phys(const void *virt)
{
	return (uint64_t)virt - KERNEL_BASE;
}
#endif

#endif
