/* SPDX-License-Identifier: MIT */
/*
 * page.c - per-frame reference counts for user memory (see page.h).
 *
 * One 16-bit counter per physical frame, in an array sized at boot from
 * the highest usable address: 2 bytes per 4 KiB, 0.05% of RAM. A count
 * reaching 0 frees the frame; a count overflowing or going below 0 is a
 * kernel bug and panics.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/page.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"

static uint16_t *refcounts;
static uint64_t frame_count;

void page_init(void)
{
	frame_count = pmm_highest_usable() / PAGE_SIZE;
	refcounts = kzalloc(frame_count * sizeof(*refcounts));
	if (!refcounts)
		panic("page: no memory for %lu reference counts", frame_count);
}

static uint16_t *page_counter(uint64_t phys)
{
	uint64_t frame = phys / PAGE_SIZE;

	if (frame >= frame_count || (phys & (PAGE_SIZE - 1)))
		panic("page: %p is not a user frame", (void *)phys);
	return &refcounts[frame];
}

uint64_t page_alloc_zeroed(void)
{
	uint64_t phys = pmm_alloc_frame();

	if (!phys)
		return 0;
	memset(phys_to_virt(phys), 0, PAGE_SIZE);
	*page_counter(phys) = 1;
	return phys;
}

void page_get(uint64_t phys)
{
	uint16_t *count = page_counter(phys);

	if (*count == 0 || *count == UINT16_MAX)
		panic("page_get: frame %p has count %u", (void *)phys, *count);
	(*count)++;
}

void page_put(uint64_t phys)
{
	uint16_t *count = page_counter(phys);

	if (*count == 0)
		panic("page_put: frame %p is not in use", (void *)phys);
	if (--*count == 0)
		pmm_free_frame(phys);
}

unsigned page_refcount(uint64_t phys)
{
	return *page_counter(phys);
}
