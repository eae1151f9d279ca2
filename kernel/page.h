/* SPDX-License-Identifier: MIT */
/*
 * page.h - reference counts for frames mapped into user address spaces.
 *
 * After fork, parent and child map the same frames copy-on-write; a
 * frame may only go back to the frame allocator when the last mapping
 * of it is gone. So user pages are allocated and released here, never
 * with pmm_alloc_frame/pmm_free_frame directly (kernel/page.c).
 */
#ifndef LOUPE_PAGE_H
#define LOUPE_PAGE_H

#include <stdint.h>

void page_init(void);

/* A zero-filled frame with reference count 1; 0 when out of memory. */
uint64_t page_alloc_zeroed(void);

/* One more mapping of phys. */
void page_get(uint64_t phys);

/* One mapping fewer; frees the frame when it was the last. */
void page_put(uint64_t phys);

unsigned page_refcount(uint64_t phys);

#endif
