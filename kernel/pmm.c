/* SPDX-License-Identifier: MIT */
/*
 * pmm.c - the physical frame allocator: two bitmaps over the frames.
 *
 * The allocator covers the frames from the lowest to the highest usable
 * frame, [first_frame, frame_limit), with two bitmaps of one bit per
 * frame, 64 frames per word:
 *
 *   used_bits     bit set = frame not available (allocated, or never
 *                 allocatable);
 *   managed_bits  bit set = frame belongs to the allocator (usable RAM,
 *                 not reserved, not frame 0, not the bitmaps themselves).
 *
 * The second bitmap costs one more bit per 4 KiB and lets pmm_free_frame()
 * tell a double free (managed, already free) from a free of memory that
 * was never ours (a hole, the kernel image, ...): both panic, with
 * different messages. Both bitmaps live in one stretch of usable RAM
 * chosen by pmm_init(), reached through the caller's phys_to_virt.
 *
 * Allocation is next fit: alloc_cursor remembers the word where the last
 * single-frame search succeeded, and a full word (all 64 frames used) is
 * skipped with one comparison, so a typical allocation looks at a few
 * words rather than the whole map.
 *
 * This file owns only the bitmaps and counters. Which ranges are usable
 * or reserved is decided by the boot code that calls pmm_init(); mapping
 * frames is kernel/vmm.c's job.
 */
#include "kernel/pmm.h"

#include <stdbool.h>

#include "kernel/errno.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"

#define BITS_PER_WORD 64

static struct {
	uint64_t *used_bits;
	uint64_t *managed_bits;
	size_t word_count;      /* words in each bitmap */
	uint64_t first_frame;   /* frame number of bit 0 */
	uint64_t frame_limit;   /* one past the last covered frame */
	size_t free_frames;
	size_t total_frames;
	size_t alloc_cursor;    /* word index where the next search starts */
} pmm;

/* Whole frames inside [base, end): round base up and end down. */
static void frames_inside(const struct phys_range *range, uint64_t *first,
			  uint64_t *limit)
{
	*first = range->base / PAGE_SIZE + (range->base % PAGE_SIZE != 0);
	*limit = range->end / PAGE_SIZE;
}

/* Every frame touching [base, end): round base down and end up. */
static void frames_touching(const struct phys_range *range, uint64_t *first,
			    uint64_t *limit)
{
	*first = range->base / PAGE_SIZE;
	*limit = range->end / PAGE_SIZE + (range->end % PAGE_SIZE != 0);
}

static bool bit_test(const uint64_t *bits, uint64_t frame)
{
	uint64_t index = frame - pmm.first_frame;

	return (bits[index / BITS_PER_WORD] >> (index % BITS_PER_WORD)) & 1;
}

static void bit_set(uint64_t *bits, uint64_t frame)
{
	uint64_t index = frame - pmm.first_frame;

	bits[index / BITS_PER_WORD] |= (uint64_t)1 << (index % BITS_PER_WORD);
}

static void bit_clear(uint64_t *bits, uint64_t frame)
{
	uint64_t index = frame - pmm.first_frame;

	bits[index / BITS_PER_WORD] &= ~((uint64_t)1 << (index % BITS_PER_WORD));
}

/*
 * Mark [first, limit) in bits, clipped to the covered frames. Word at a
 * time would be faster, but this runs only at init, over few ranges.
 */
static void mark_frames(uint64_t *bits, uint64_t first, uint64_t limit,
			bool set)
{
	if (first < pmm.first_frame)
		first = pmm.first_frame;
	if (limit > pmm.frame_limit)
		limit = pmm.frame_limit;
	for (uint64_t frame = first; frame < limit; frame++) {
		if (set)
			bit_set(bits, frame);
		else
			bit_clear(bits, frame);
	}
}

/*
 * Set bits in word. Not __builtin_popcountll: without the POPCNT
 * instruction gcc turns that into a libgcc call the kernel does not link.
 */
static unsigned count_set_bits(uint64_t word)
{
	unsigned count = 0;

	for (; word != 0; word &= word - 1)
		count++;
	return count;
}

static int check_ranges(const struct phys_range *ranges, size_t count)
{
	if (count > 0 && ranges == NULL)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (ranges[i].end < ranges[i].base)
			return -EINVAL;
	}
	return 0;
}

/*
 * If [first, first + count) overlaps a reserved range (rounded outwards),
 * return that range's limit frame, the first place worth trying next;
 * otherwise return 0.
 */
static uint64_t reserved_overlap(uint64_t first, uint64_t count,
				 const struct phys_range *reserved,
				 size_t nreserved)
{
	for (size_t i = 0; i < nreserved; i++) {
		uint64_t res_first, res_limit;

		frames_touching(&reserved[i], &res_first, &res_limit);
		if (res_first < first + count && first < res_limit)
			return res_limit;
	}
	return 0;
}

/*
 * Find count consecutive frames inside one usable range, avoiding frame 0
 * and every reserved range. Returns the first frame, or 0 if none fits
 * (0 is never a valid answer, since frame 0 is excluded).
 */
static uint64_t find_bitmap_home(uint64_t count,
				 const struct phys_range *usable, size_t nusable,
				 const struct phys_range *reserved,
				 size_t nreserved)
{
	for (size_t i = 0; i < nusable; i++) {
		uint64_t candidate, limit;

		frames_inside(&usable[i], &candidate, &limit);
		if (candidate == 0)
			candidate = 1;
		/* Each step moves past one reserved range, so this ends. */
		while (candidate < limit && limit - candidate >= count) {
			uint64_t skip_to = reserved_overlap(candidate, count,
							    reserved, nreserved);
			if (skip_to == 0)
				return candidate;
			candidate = skip_to;
		}
	}
	return 0;
}

/* Find the span of frames the usable ranges cover; false if empty. */
static bool usable_span(const struct phys_range *usable, size_t nusable,
			uint64_t *first_frame, uint64_t *frame_limit)
{
	bool found = false;

	for (size_t i = 0; i < nusable; i++) {
		uint64_t first, limit;

		frames_inside(&usable[i], &first, &limit);
		if (first >= limit)
			continue;
		if (!found || first < *first_frame)
			*first_frame = first;
		if (!found || limit > *frame_limit)
			*frame_limit = limit;
		found = true;
	}
	return found;
}

int pmm_init(const struct phys_range *usable, size_t nusable,
	     const struct phys_range *reserved, size_t nreserved,
	     void *(*phys_to_virt)(uint64_t phys))
{
	uint64_t first_frame = 0, frame_limit = 0;

	memset(&pmm, 0, sizeof(pmm));
	if (phys_to_virt == NULL || check_ranges(usable, nusable) < 0 ||
	    check_ranges(reserved, nreserved) < 0)
		return -EINVAL;
	if (!usable_span(usable, nusable, &first_frame, &frame_limit))
		return -ENOMEM;

	uint64_t frames_covered = frame_limit - first_frame;
	uint64_t word_count = (frames_covered + BITS_PER_WORD - 1) / BITS_PER_WORD;
	uint64_t bitmap_bytes = 2 * word_count * sizeof(uint64_t);
	uint64_t bitmap_frames = (bitmap_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t bitmap_frame = find_bitmap_home(bitmap_frames, usable, nusable,
						 reserved, nreserved);
	if (bitmap_frame == 0)
		return -ENOMEM;

	uint64_t *bitmaps = phys_to_virt(bitmap_frame * PAGE_SIZE);

	/* Start from "nothing is ours", then grant usable, then take away. */
	memset(bitmaps, 0, bitmap_bytes);
	pmm.managed_bits = bitmaps;
	pmm.used_bits = bitmaps + word_count;
	pmm.word_count = word_count;
	pmm.first_frame = first_frame;
	pmm.frame_limit = frame_limit;

	for (size_t i = 0; i < nusable; i++) {
		uint64_t first, limit;

		frames_inside(&usable[i], &first, &limit);
		mark_frames(pmm.managed_bits, first, limit, true);
	}
	for (size_t i = 0; i < nreserved; i++) {
		uint64_t first, limit;

		frames_touching(&reserved[i], &first, &limit);
		mark_frames(pmm.managed_bits, first, limit, false);
	}
	mark_frames(pmm.managed_bits, 0, 1, false);
	mark_frames(pmm.managed_bits, bitmap_frame, bitmap_frame + bitmap_frames,
		    false);

	/* A frame is free exactly when it is managed: used = ~managed. */
	for (size_t word = 0; word < word_count; word++) {
		pmm.used_bits[word] = ~pmm.managed_bits[word];
		pmm.total_frames += BITS_PER_WORD -
				    count_set_bits(pmm.used_bits[word]);
	}
	pmm.free_frames = pmm.total_frames;
	if (pmm.total_frames == 0)
		return -ENOMEM;
	return 0;
}

static uint64_t frame_address(uint64_t frame)
{
	return frame * PAGE_SIZE;
}

uint64_t pmm_alloc_frame(void)
{
	if (pmm.free_frames == 0)
		return 0;

	/* free_frames > 0 guarantees a zero bit within one lap. */
	for (size_t step = 0; step < pmm.word_count; step++) {
		size_t word = (pmm.alloc_cursor + step) % pmm.word_count;
		uint64_t bits = pmm.used_bits[word];

		if (bits == ~(uint64_t)0)
			continue;

		unsigned bit = (unsigned)__builtin_ctzll(~bits);
		uint64_t frame = pmm.first_frame + word * BITS_PER_WORD + bit;

		pmm.used_bits[word] |= (uint64_t)1 << bit;
		pmm.free_frames--;
		pmm.alloc_cursor = word;
		return frame_address(frame);
	}
	panic("pmm: free count %zu but no free bit in the bitmap",
	      pmm.free_frames);
}

uint64_t pmm_alloc_frames(size_t count)
{
	uint64_t run_start = 0;
	size_t run_length = 0;

	if (count == 0 || count > pmm.free_frames)
		return 0;
	if (count == 1)
		return pmm_alloc_frame();

	for (uint64_t frame = pmm.first_frame; frame < pmm.frame_limit; frame++) {
		if (bit_test(pmm.used_bits, frame)) {
			run_length = 0;
			continue;
		}
		if (run_length++ == 0)
			run_start = frame;
		if (run_length == count) {
			mark_frames(pmm.used_bits, run_start, run_start + count,
				    true);
			pmm.free_frames -= count;
			return frame_address(run_start);
		}
	}
	return 0;
}

void pmm_free_frame(uint64_t phys)
{
	uint64_t frame = phys / PAGE_SIZE;

	if (phys % PAGE_SIZE != 0)
		panic("pmm_free_frame: misaligned address 0x%llx",
		      (unsigned long long)phys);
	if (frame < pmm.first_frame || frame >= pmm.frame_limit ||
	    !bit_test(pmm.managed_bits, frame))
		panic("pmm_free_frame: 0x%llx is not allocatable memory "
		      "(outside RAM, reserved, frame 0 or the bitmap)",
		      (unsigned long long)phys);
	if (!bit_test(pmm.used_bits, frame))
		panic("pmm_free_frame: double free of frame 0x%llx",
		      (unsigned long long)phys);

	bit_clear(pmm.used_bits, frame);
	pmm.free_frames++;
}

void pmm_free_frames(uint64_t phys, size_t count)
{
	for (size_t i = 0; i < count; i++)
		pmm_free_frame(phys + i * PAGE_SIZE);
}

size_t pmm_free_count(void)
{
	return pmm.free_frames;
}

size_t pmm_total_count(void)
{
	return pmm.total_frames;
}

uint64_t pmm_highest_usable(void)
{
	return frame_address(pmm.frame_limit);
}
