/* SPDX-License-Identifier: MIT */
/*
 * heap_pages.c - where the kernel heap (kernel/heap.c) gets its pages:
 * physically contiguous frames from the frame allocator, used through
 * the direct map. Kept apart from heap.c so heap.c stays pure and the
 * host unit test can plug in its own backend.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"

void *heap_pages_alloc(size_t npages)
{
	uint64_t phys = npages == 1 ? pmm_alloc_frame() : pmm_alloc_frames(npages);

	return phys ? phys_to_virt(phys) : NULL;
}

void heap_pages_free(void *addr, size_t npages)
{
	pmm_free_frames(virt_to_phys_direct(addr), npages);
}
