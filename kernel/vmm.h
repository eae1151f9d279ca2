/* SPDX-License-Identifier: MIT */
/*
 * vmm.h - 4-level page tables: map, unmap, translate (kernel/vmm.c).
 *
 * An address space is named by the physical address of its top table
 * (the PML4), which is what CR3 holds. Tables are reached through the
 * direct map, so the kernel can edit any address space, not just the
 * current one.
 */
#ifndef LOUPE_VMM_H
#define LOUPE_VMM_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_PRESENT   (1UL << 0)
#define PTE_WRITE     (1UL << 1)
#define PTE_USER      (1UL << 2)
#define PTE_ACCESSED  (1UL << 5)
#define PTE_DIRTY     (1UL << 6)
#define PTE_HUGE      (1UL << 7)      /* in a PD (2 MiB) or PDPT (1 GiB) entry */
#define PTE_GLOBAL    (1UL << 8)
#define PTE_NX        (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

#define PTE_COW       (1UL << 9)      /* software bit: read-only now, copy on the next write */

#define HUGE_PAGE_SIZE (2UL << 20)

/* Build the kernel's final page tables and switch to them. Needs pmm. */
void vmm_init(void);

/* The kernel's PML4 (physical). Every address space shares its upper half. */
uint64_t vmm_kernel_pml4(void);

/*
 * Map the 4 KiB page at virt to phys with flags (PTE_*; PTE_PRESENT is
 * implied), allocating intermediate tables as needed. Returns 0, -ENOMEM
 * if a table could not be allocated, -EEXIST if virt is already mapped
 * (including by a huge page), -EINVAL if virt or phys is misaligned or
 * virt is not canonical. Does not flush the TLB: the caller maps fresh
 * addresses, or flushes.
 */
int vmm_map_page(uint64_t pml4, uint64_t virt, uint64_t phys, uint64_t flags);

/*
 * Remove the 4 KiB mapping at virt and flush it from this CPU's TLB if
 * pml4 is the current address space. Returns the physical address that
 * was mapped, or 0 if nothing was (huge pages are not split: 0 too).
 * The frame itself is not freed.
 */
uint64_t vmm_unmap_page(uint64_t pml4, uint64_t virt);

/*
 * Translate virt in the address space pml4. Returns true and fills
 * *phys (the byte's physical address) and *flags (the leaf entry's
 * flags, with PTE_USER/PTE_WRITE cleared if any upper level clears them)
 * when mapped; false otherwise. Either out pointer may be NULL.
 */
bool vmm_translate(uint64_t pml4, uint64_t virt, uint64_t *phys, uint64_t *flags);

/*
 * The level-1 entry (PTE) for virt, creating the tables above it when
 * create is true. NULL when a table is missing (and !create), when out
 * of memory, or when a huge page covers virt. For the lower half only
 * the caller's address space code (kernel/addrspace.c) should edit PTEs.
 */
uint64_t *vmm_pte(uint64_t pml4, uint64_t virt, bool create);

/* A new PML4 whose upper (kernel) half is the kernel's; 0 when out of memory. */
uint64_t vmm_new_pml4(void);

/*
 * Visit every present 4 KiB mapping in the lower (user) half, in address
 * order. The callback may change the entry (not the tables).
 */
void vmm_for_each_user_pte(uint64_t pml4, void (*visit)(uint64_t virt, uint64_t *pte, void *context),
			   void *context);

/* Free the lower-half page tables and the PML4 itself; the pages they map must be released first. */
void vmm_free_pml4(uint64_t pml4);

/* Flush one page from the TLB if pml4 is the current address space. */
void vmm_flush_page(uint64_t pml4, uint64_t virt);

#endif
