/* SPDX-License-Identifier: MIT */
/*
 * heap.c - kmalloc/kfree over pages from the page backend.
 *
 * Two kinds of page, told apart by a magic number at the start of every
 * page the heap owns, so kfree(ptr) needs no size: it rounds ptr down to
 * its page, reads the header there, and dispatches.
 *
 *   slab page (one per size class 16, 32, ..., 2048 bytes as needed)
 *   +---------------------+---------+---------+-----+---------+
 *   | struct slab_header  | block 0 | block 1 | ... | block n |
 *   +---------------------+---------+---------+-----+---------+
 *   0                     48
 *   Free blocks form a singly linked list through their first 8 bytes;
 *   the next 8 bytes hold FREE_BLOCK_MARKER, so a double free is caught.
 *   Pages with at least one free block sit on their class's partial list;
 *   a page whose last block is freed goes back to the backend at once.
 *   (Known waste: the 2048 class fits one block per page, next to the
 *   header. Multi-page slabs would fix that; not worth it yet.)
 *
 *   large allocation (> 2048 bytes): a run of whole pages
 *   +---------------------+-------------------------------------+
 *   | struct large_header | data ...                            |
 *   +---------------------+-------------------------------------+
 *   0                     16
 *   The data starts inside the first page, so rounding the pointer down
 *   finds the header just as for slab blocks.
 *
 * Pages handed back to the backend get a "dead" magic first, so freeing
 * into such a page again is reported as a double free as long as nobody
 * has reused the page (best effort, like every use-after-free check).
 *
 * Locking: none yet (one CPU, no allocation from interrupt handlers).
 * The irq-save lock belongs around the bodies of kmalloc(), kfree(),
 * ksize() and heap_get_stats(), and protects every static below.
 */
#include "kernel/heap.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/lib/string.h"
#include "kernel/panic.h"

#define HEAP_PAGE_SIZE 4096
#define HEAP_MIN_SMALL 16
#define CLASS_COUNT    8        /* 16 << 0 ... 16 << 7 = 2048 */

#define SLAB_MAGIC       0x51ab51abu
#define SLAB_DEAD_MAGIC  0xdead51abu
#define LARGE_MAGIC      0x1a26e0aau
#define LARGE_DEAD_MAGIC 0xdead1a26u

/* Written into every free block; "FREEBLK!" in ASCII. */
#define FREE_BLOCK_MARKER 0x214b4c4245455246ull

struct free_block {
	struct free_block *next;
	uint64_t marker;        /* FREE_BLOCK_MARKER while on a free list */
};

struct slab_header {
	uint32_t magic;         /* SLAB_MAGIC */
	uint32_t block_size;
	uint32_t blocks_in_use;
	uint32_t block_count;
	struct free_block *free_list;
	struct slab_header *prev;       /* partial list links */
	struct slab_header *next;
};

struct large_header {
	uint32_t magic;         /* LARGE_MAGIC */
	uint32_t unused;
	uint64_t page_count;
};

/* Headers are padded so the first block / the data stays 16-aligned. */
#define SLAB_DATA_OFFSET  48
#define LARGE_DATA_OFFSET 16

_Static_assert(sizeof(struct slab_header) <= SLAB_DATA_OFFSET,
	       "slab header overlaps block 0");
_Static_assert(sizeof(struct large_header) <= LARGE_DATA_OFFSET,
	       "large header overlaps the data");
_Static_assert(SLAB_DATA_OFFSET % HEAP_ALIGN == 0 &&
	       LARGE_DATA_OFFSET % HEAP_ALIGN == 0, "heap data misaligned");
_Static_assert(sizeof(struct free_block) <= HEAP_MIN_SMALL,
	       "free block link does not fit in the smallest class");
_Static_assert((HEAP_MIN_SMALL << (CLASS_COUNT - 1)) == HEAP_MAX_SMALL,
	       "size classes do not end at HEAP_MAX_SMALL");

/* Slab pages with a free block, per class. Protected by the heap lock. */
static struct slab_header *partial_slabs[CLASS_COUNT];
static struct heap_stats stats;

static uintptr_t page_of(const void *ptr)
{
	return (uintptr_t)ptr & ~(uintptr_t)(HEAP_PAGE_SIZE - 1);
}

/* Index of the smallest class whose blocks hold size bytes (<= 2048). */
static unsigned class_for(size_t size)
{
	unsigned class_index = 0;

	while ((size_t)(HEAP_MIN_SMALL << class_index) < size)
		class_index++;
	return class_index;
}

static void partial_push(unsigned class_index, struct slab_header *slab)
{
	slab->prev = NULL;
	slab->next = partial_slabs[class_index];
	if (slab->next != NULL)
		slab->next->prev = slab;
	partial_slabs[class_index] = slab;
}

static void partial_remove(unsigned class_index, struct slab_header *slab)
{
	if (slab->prev != NULL)
		slab->prev->next = slab->next;
	else
		partial_slabs[class_index] = slab->next;
	if (slab->next != NULL)
		slab->next->prev = slab->prev;
	slab->prev = slab->next = NULL;
}

/*
 * Get a fresh page from the backend and carve it into blocks of
 * block_size, linked in address order so allocation walks forwards.
 * Returns NULL if the backend is out of pages.
 */
static struct slab_header *slab_create(uint32_t block_size)
{
	struct slab_header *slab = heap_pages_alloc(1);

	if (slab == NULL)
		return NULL;

	uint8_t *blocks = (uint8_t *)slab + SLAB_DATA_OFFSET;
	uint32_t count = (HEAP_PAGE_SIZE - SLAB_DATA_OFFSET) / block_size;

	*slab = (struct slab_header){
		.magic = SLAB_MAGIC,
		.block_size = block_size,
		.block_count = count,
	};
	for (uint32_t i = count; i-- > 0;) {
		struct free_block *block =
			(struct free_block *)(blocks + (size_t)i * block_size);

		block->next = slab->free_list;
		block->marker = FREE_BLOCK_MARKER;
		slab->free_list = block;
	}
	stats.pages_held++;
	return slab;
}

static void *slab_alloc(size_t size)
{
	unsigned class_index = class_for(size);
	uint32_t block_size = (uint32_t)HEAP_MIN_SMALL << class_index;
	struct slab_header *slab = partial_slabs[class_index];

	if (slab == NULL) {
		slab = slab_create(block_size);
		if (slab == NULL)
			return NULL;
		partial_push(class_index, slab);
	}

	struct free_block *block = slab->free_list;

	/* Someone wrote to this block after freeing it. */
	if (block->marker != FREE_BLOCK_MARKER)
		panic("kmalloc: free %u-byte block %p was overwritten "
		      "(use after free?)", block_size, (void *)block);
	slab->free_list = block->next;
	block->marker = 0;
	slab->blocks_in_use++;
	if (slab->free_list == NULL)
		partial_remove(class_index, slab);

	stats.bytes_in_use += block_size;
	stats.live_allocations++;
	return block;
}

static void *large_alloc(size_t size)
{
	/* Checked so that size + header + rounding cannot wrap around. */
	if (size > SIZE_MAX - LARGE_DATA_OFFSET - (HEAP_PAGE_SIZE - 1))
		return NULL;

	size_t page_count = (size + LARGE_DATA_OFFSET + HEAP_PAGE_SIZE - 1) /
			    HEAP_PAGE_SIZE;
	struct large_header *header = heap_pages_alloc(page_count);

	if (header == NULL)
		return NULL;
	header->magic = LARGE_MAGIC;
	header->page_count = page_count;

	stats.bytes_in_use += page_count * HEAP_PAGE_SIZE - LARGE_DATA_OFFSET;
	stats.live_allocations++;
	stats.pages_held += page_count;
	return (uint8_t *)header + LARGE_DATA_OFFSET;
}

void *kmalloc(size_t size)
{
	if (size == 0)
		return NULL;
	if (size <= HEAP_MAX_SMALL)
		return slab_alloc(size);
	return large_alloc(size);
}

void *kzalloc(size_t size)
{
	void *ptr = kmalloc(size);

	if (ptr != NULL)
		memset(ptr, 0, size);
	return ptr;
}

/* True if block is on slab's free list (bounded by the block count). */
static bool slab_list_contains(const struct slab_header *slab,
			       const struct free_block *block)
{
	const struct free_block *entry = slab->free_list;

	for (uint32_t steps = 0; entry != NULL && steps < slab->block_count;
	     steps++, entry = entry->next) {
		if (entry == block)
			return true;
	}
	return false;
}

/*
 * Check that ptr is the start of a block in slab; panic otherwise.
 * caller names the public function for the message.
 */
static void slab_check_block(const struct slab_header *slab, const void *ptr,
			     const char *caller)
{
	uintptr_t first = (uintptr_t)slab + SLAB_DATA_OFFSET;
	uintptr_t offset = (uintptr_t)ptr - first;

	if ((uintptr_t)ptr < first || offset % slab->block_size != 0 ||
	    offset / slab->block_size >= slab->block_count)
		panic("%s(%p): not the start of a %u-byte heap block",
		      caller, ptr, slab->block_size);
}

static void slab_free(struct slab_header *slab, void *ptr)
{
	struct free_block *block = ptr;
	unsigned class_index = class_for(slab->block_size);

	slab_check_block(slab, ptr, "kfree");
	/* The marker alone could be user data; the list walk makes it sure. */
	if (block->marker == FREE_BLOCK_MARKER && slab_list_contains(slab, block))
		panic("kfree(%p): double free of a %u-byte block", ptr,
		      slab->block_size);

	bool was_full = slab->free_list == NULL;

	block->next = slab->free_list;
	block->marker = FREE_BLOCK_MARKER;
	slab->free_list = block;
	slab->blocks_in_use--;
	stats.bytes_in_use -= slab->block_size;
	stats.live_allocations--;

	if (was_full)
		partial_push(class_index, slab);
	if (slab->blocks_in_use == 0) {
		partial_remove(class_index, slab);
		slab->magic = SLAB_DEAD_MAGIC;
		stats.pages_held--;
		heap_pages_free(slab, 1);
	}
}

static void large_check_pointer(const struct large_header *header,
				const void *ptr, const char *caller)
{
	if ((uintptr_t)ptr != (uintptr_t)header + LARGE_DATA_OFFSET)
		panic("%s(%p): not the start of a large heap allocation",
		      caller, ptr);
}

static void large_free(struct large_header *header, void *ptr)
{
	size_t page_count = header->page_count;

	large_check_pointer(header, ptr, "kfree");
	header->magic = LARGE_DEAD_MAGIC;
	stats.bytes_in_use -= page_count * HEAP_PAGE_SIZE - LARGE_DATA_OFFSET;
	stats.live_allocations--;
	stats.pages_held -= page_count;
	heap_pages_free(header, page_count);
}

/*
 * Read the magic of ptr's page; panic (naming caller) unless it is a live
 * slab or large page, or if ptr is misaligned.
 */
static uint32_t checked_magic(const void *ptr, const char *caller)
{
	if ((uintptr_t)ptr % HEAP_ALIGN != 0)
		panic("%s(%p): misaligned, not a heap pointer", caller, ptr);

	uint32_t magic = *(const uint32_t *)page_of(ptr);

	switch (magic) {
	case SLAB_MAGIC:
	case LARGE_MAGIC:
		return magic;
	case SLAB_DEAD_MAGIC:
	case LARGE_DEAD_MAGIC:
		panic("%s(%p): double free (its page was already released)",
		      caller, ptr);
	default:
		panic("%s(%p): bad magic 0x%x, not a heap pointer", caller, ptr,
		      magic);
	}
}

void kfree(void *ptr)
{
	if (ptr == NULL)
		return;
	if (checked_magic(ptr, "kfree") == SLAB_MAGIC)
		slab_free((struct slab_header *)page_of(ptr), ptr);
	else
		large_free((struct large_header *)page_of(ptr), ptr);
}

size_t ksize(const void *ptr)
{
	if (checked_magic(ptr, "ksize") == SLAB_MAGIC) {
		const struct slab_header *slab = (const void *)page_of(ptr);

		slab_check_block(slab, ptr, "ksize");
		return slab->block_size;
	}

	const struct large_header *header = (const void *)page_of(ptr);

	large_check_pointer(header, ptr, "ksize");
	return header->page_count * HEAP_PAGE_SIZE - LARGE_DATA_OFFSET;
}

void *krealloc(void *ptr, size_t size)
{
	if (ptr == NULL)
		return kmalloc(size);
	if (size == 0) {
		kfree(ptr);
		return NULL;
	}

	size_t old_size = ksize(ptr);

	/* Never shrink in place: the spare room is kept for regrowth. */
	if (size <= old_size)
		return ptr;

	void *bigger = kmalloc(size);

	if (bigger == NULL)
		return NULL;
	memcpy(bigger, ptr, old_size);
	kfree(ptr);
	return bigger;
}

void heap_get_stats(struct heap_stats *out)
{
	*out = stats;
}
