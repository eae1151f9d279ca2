/* SPDX-License-Identifier: MIT */
/*
 * pmm.h - the physical frame allocator.
 *
 * Hands out 4 KiB frames of physical memory by physical address. The
 * boot code feeds it the usable RAM from the multiboot2 memory map and
 * the ranges that are already taken (kernel image, boot information,
 * modules); after that, page tables, kernel stacks and the heap's pages
 * all come from here. Address 0 means failure, so frame 0 is never
 * handed out. Frames are NOT zeroed: the caller clears what it needs.
 *
 * Not locked: one CPU, and the callers (vmm, heap) run with interrupts
 * enabled only where they hold their own irq-save lock. A global pmm
 * lock would go around every function below.
 */
#ifndef LOUPE_PMM_H
#define LOUPE_PMM_H

#include <stddef.h>
#include <stdint.h>

#ifndef PAGE_SIZE
#define PAGE_SIZE 4096
#endif

/* A physical address range [base, end). */
struct phys_range {
	uint64_t base;
	uint64_t end;
};

/*
 * (Re)initialise the allocator, forgetting all earlier state.
 *
 * usable: RAM the allocator may use, in any order, possibly overlapping;
 * each range is rounded inwards to whole frames. reserved: ranges that
 * must never be handed out even if they lie in usable memory, rounded
 * outwards. phys_to_virt: turns a physical address into a pointer the
 * allocator can write through; it is used for the allocator's own bitmap,
 * which is placed in the first usable, unreserved stretch big enough
 * (lowest usable range first) and marked used.
 *
 * Returns 0; -EINVAL if phys_to_virt is NULL, a non-empty list pointer
 * is NULL, or a range has end < base; -ENOMEM if no whole usable frame
 * remains or no stretch can hold the bitmap. After an error the
 * allocator manages nothing (every allocation fails).
 * Context: early boot, before anything else allocates frames.
 */
int pmm_init(const struct phys_range *usable, size_t nusable,
	     const struct phys_range *reserved, size_t nreserved,
	     void *(*phys_to_virt)(uint64_t phys));

/* One free frame's physical address, or 0 when memory is exhausted. */
uint64_t pmm_alloc_frame(void);

/*
 * count physically contiguous free frames; returns the first one's
 * address, or 0 if count is 0 or no such run exists. First fit: O(frames),
 * meant for the rare caller that needs contiguity.
 */
uint64_t pmm_alloc_frames(size_t count);

/*
 * Give back a frame (or count frames starting at phys). Panics on a
 * misaligned address, a frame the allocator does not manage (outside
 * usable memory, reserved, frame 0, the bitmap) or a frame that is
 * already free: all of those are kernel bugs.
 */
void pmm_free_frame(uint64_t phys);
void pmm_free_frames(uint64_t phys, size_t count);

/* Frames free right now. */
size_t pmm_free_count(void);

/* Frames managed: usable, not reserved, not frame 0, not the bitmap. */
size_t pmm_total_count(void);

/*
 * The end of the highest whole usable frame (page-aligned), i.e. how far
 * the direct map must reach to cover all RAM the allocator hands out.
 */
uint64_t pmm_highest_usable(void);

#endif
