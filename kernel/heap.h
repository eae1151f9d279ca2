/* SPDX-License-Identifier: MIT */
/*
 * heap.h - the kernel heap: kmalloc and kfree of any size.
 *
 * Small requests (up to HEAP_MAX_SMALL bytes) are served from per-size
 * "slab" pages, larger ones get a run of whole pages; the design is
 * described at the top of kernel/heap.c. Every pointer returned is
 * 16-byte aligned. Pages come from, and go back to, the page backend
 * declared at the bottom of this file.
 */
#ifndef LOUPE_HEAP_H
#define LOUPE_HEAP_H

#include <stddef.h>

/* Requests up to this size use a size class; bigger ones whole pages. */
#define HEAP_MAX_SMALL 2048

/* Every pointer kmalloc returns is aligned to this. */
#define HEAP_ALIGN 16

/*
 * Allocate size bytes (uninitialised). Returns NULL for size 0, for a
 * size so large that the page count would overflow, or when the backend
 * has no pages left. Context: any, but not yet from interrupt handlers
 * (no lock; see heap.c).
 */
void *kmalloc(size_t size);

/* kmalloc, then zero the size bytes. */
void *kzalloc(size_t size);

/*
 * Resize an allocation, keeping min(old, new) bytes of contents. NULL ptr
 * acts as kmalloc(size); size 0 frees ptr and returns NULL. On failure
 * returns NULL and leaves ptr allocated and unchanged. May return ptr
 * itself when the current block is already big enough.
 */
void *krealloc(void *ptr, size_t size);

/*
 * Free an allocation; kfree(NULL) does nothing. Panics, saying which, on
 * a pointer that is not the start of a live heap allocation: bad magic,
 * misaligned or mid-block pointer, or a double free.
 */
void kfree(void *ptr);

/* Bytes usable at ptr (>= what was requested): the class size for small
 * blocks, the pages minus the header for large ones. Panics like kfree. */
size_t ksize(const void *ptr);

struct heap_stats {
	/* Sum of ksize() over live allocations: class sizes for small
	 * blocks, whole-page spans minus the header for large ones. It is
	 * what the heap has committed to callers, not what they asked for. */
	size_t bytes_in_use;
	size_t live_allocations;
	/* Pages currently obtained from heap_pages_alloc and not returned:
	 * slab pages (empty ones are returned at once) plus large runs. */
	size_t pages_held;
};

void heap_get_stats(struct heap_stats *out);

/*
 * The page backend. Provided by the kernel's memory code (backed by
 * pmm + the direct map) and, in tests/unit/test_heap.c, by a fake over a
 * static arena.
 *
 * heap_pages_alloc: npages contiguous, page-aligned, writable pages, or
 * NULL. heap_pages_free: give back exactly a run heap_pages_alloc returned.
 */
void *heap_pages_alloc(size_t npages);
void heap_pages_free(void *addr, size_t npages);

#endif
