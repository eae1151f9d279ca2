/* SPDX-License-Identifier: MIT */
/*
 * test_pmm.c - host unit tests for kernel/pmm.c.
 *
 * "Physical memory" is a page-aligned host arena; phys_to_virt is
 * arena + phys. The memory map has holes, overlapping and unaligned
 * usable ranges and reserved ranges inside them, and the tests check the
 * allocator against a brute-force reference (reference_allocatable())
 * that decides frame by frame what may be handed out. Every allocated
 * frame is filled with a pattern, so a frame handed out twice, or one
 * that overlaps the allocator's own bitmap, breaks a later check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "kernel/pmm.h"
#include "tests/unit/test_panic.h"

#define ARENA_SIZE   (8u << 20)                 /* 8 MiB of "RAM" */
#define ARENA_FRAMES (ARENA_SIZE / PAGE_SIZE)

static uint8_t *arena;

static void *arena_phys_to_virt(uint64_t phys)
{
	/* The allocator only ever touches its bitmap through this. */
	assert_true(phys < ARENA_SIZE);
	return arena + phys;
}

/* The default memory map: holes, overlaps, unaligned edges. */
static const struct phys_range usable_map[] = {
	{ 0x000000, 0x09f000 },         /* low memory, includes frame 0 */
	{ 0x600000, 0x780000 },         /* overlaps the next one */
	{ 0x100000, 0x400000 },
	{ 0x500123, 0x700000 },         /* unaligned start: rounds up */
	{ 0x7ff000, 0x7fffff },         /* less than one whole frame */
};
static const struct phys_range reserved_map[] = {
	{ 0x100000, 0x180000 },         /* kernel image */
	{ 0x09e000, 0x09e100 },         /* boot information */
	{ 0x300800, 0x301000 },         /* module, unaligned: rounds out */
	{ 0x3ff800, 0x400800 },         /* straddles the end of a range */
};
#define USABLE_COUNT   (sizeof(usable_map) / sizeof(usable_map[0]))
#define RESERVED_COUNT (sizeof(reserved_map) / sizeof(reserved_map[0]))

/* Whether the frame at phys may ever be handed out (bitmap aside). */
static bool reference_allocatable(uint64_t phys)
{
	bool usable = false;

	if (phys == 0)
		return false;
	for (size_t i = 0; i < USABLE_COUNT; i++) {
		if (phys >= usable_map[i].base &&
		    phys + PAGE_SIZE <= usable_map[i].end)
			usable = true;
	}
	for (size_t i = 0; i < RESERVED_COUNT; i++) {
		if (phys < reserved_map[i].end &&
		    reserved_map[i].base < phys + PAGE_SIZE)
			return false;
	}
	return usable;
}

static size_t reference_count(void)
{
	size_t count = 0;

	for (uint64_t frame = 0; frame < ARENA_FRAMES; frame++)
		count += reference_allocatable(frame * PAGE_SIZE);
	return count;
}

static int init_default(void)
{
	return pmm_init(usable_map, USABLE_COUNT, reserved_map, RESERVED_COUNT,
			arena_phys_to_virt);
}

static int setup(void **state)
{
	(void)state;
	arena = aligned_alloc(PAGE_SIZE, ARENA_SIZE);
	if (arena == NULL)
		return -1;
	memset(arena, 0, ARENA_SIZE);
	return init_default();
}

static int teardown(void **state)
{
	(void)state;
	free(arena);
	arena = NULL;
	return 0;
}

/* Allocate every frame; record them in taken[] (indexed by frame). */
static size_t allocate_everything(bool taken[ARENA_FRAMES])
{
	size_t count = 0;
	uint64_t phys;

	memset(taken, 0, ARENA_FRAMES * sizeof(bool));
	while ((phys = pmm_alloc_frame()) != 0) {
		assert_int_equal(phys % PAGE_SIZE, 0);
		assert_true(phys < ARENA_SIZE);
		assert_true(reference_allocatable(phys));
		assert_false(taken[phys / PAGE_SIZE]);
		taken[phys / PAGE_SIZE] = true;
		memset(arena + phys, 0x5a, PAGE_SIZE);
		count++;
	}
	return count;
}

static void test_counts_after_init(void **state)
{
	(void)state;
	/* Frames 0..0x77f are covered: 2 bitmaps of 30 words, one frame. */
	assert_int_equal(pmm_total_count(), reference_count() - 1);
	assert_int_equal(pmm_free_count(), pmm_total_count());
	assert_int_equal(pmm_highest_usable(), 0x780000);
}

static void test_exhaust_and_free_everything(void **state)
{
	static bool taken[ARENA_FRAMES];
	size_t total = pmm_total_count();

	(void)state;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(allocate_everything(taken), total);
		assert_int_equal(pmm_free_count(), 0);
		assert_int_equal(pmm_alloc_frame(), 0);
		assert_int_equal(pmm_alloc_frames(2), 0);
		assert_false(taken[0]);

		for (size_t frame = 0; frame < ARENA_FRAMES; frame++) {
			if (taken[frame])
				pmm_free_frame(frame * PAGE_SIZE);
		}
		assert_int_equal(pmm_free_count(), total);
		assert_int_equal(pmm_total_count(), total);
	}
}

static void test_bitmap_lives_in_usable_memory(void **state)
{
	static bool taken[ARENA_FRAMES];
	size_t bitmap_frames = 0;

	(void)state;
	allocate_everything(taken);
	for (uint64_t frame = 0; frame < ARENA_FRAMES; frame++) {
		uint64_t phys = frame * PAGE_SIZE;

		if (!reference_allocatable(phys) || taken[frame])
			continue;
		/* Allocatable yet never handed out: must be the bitmap. */
		bitmap_frames++;
		EXPECT_PANIC(pmm_free_frame(phys), "not allocatable");
	}
	assert_int_equal(bitmap_frames, 1);
	for (size_t frame = 0; frame < ARENA_FRAMES; frame++) {
		if (taken[frame])
			pmm_free_frame(frame * PAGE_SIZE);
	}
}

static void test_contiguous_runs(void **state)
{
	(void)state;
	size_t free_before = pmm_free_count();
	uint64_t run = pmm_alloc_frames(64);

	assert_int_not_equal(run, 0);
	for (size_t i = 0; i < 64; i++)
		assert_true(reference_allocatable(run + i * PAGE_SIZE));
	assert_int_equal(pmm_free_count(), free_before - 64);

	/* No single frame comes from inside the run. */
	uint64_t single = pmm_alloc_frame();

	assert_true(single < run || single >= run + 64 * PAGE_SIZE);
	pmm_free_frame(single);
	pmm_free_frames(run, 64);
	assert_int_equal(pmm_free_count(), free_before);

	assert_int_equal(pmm_alloc_frames(0), 0);
	assert_int_equal(pmm_alloc_frames(pmm_total_count() + 1), 0);
	/* The largest run is the union of the overlapping ranges,
	 * frames 0x501..0x77f; nothing longer exists. */
	assert_int_equal(pmm_alloc_frames(0x280), 0);
	run = pmm_alloc_frames(0x27f);
	assert_int_equal(run, 0x501000);
	pmm_free_frames(run, 0x27f);
	assert_int_equal(pmm_free_count(), free_before);
}

static void test_contiguous_fails_when_fragmented(void **state)
{
	static bool taken[ARENA_FRAMES];

	(void)state;
	allocate_everything(taken);
	/* Free every other allocated frame: no two free frames touch. */
	bool skip = false;

	for (size_t frame = 0; frame < ARENA_FRAMES; frame++) {
		if (!taken[frame])
			continue;
		if (!skip) {
			pmm_free_frame(frame * PAGE_SIZE);
			taken[frame] = false;
		}
		skip = !skip;
	}
	assert_int_equal(pmm_alloc_frames(2), 0);
	uint64_t one = pmm_alloc_frames(1);

	assert_int_not_equal(one, 0);
	pmm_free_frame(one);
	for (size_t frame = 0; frame < ARENA_FRAMES; frame++) {
		if (taken[frame])
			pmm_free_frame(frame * PAGE_SIZE);
	}
	assert_int_equal(pmm_free_count(), pmm_total_count());
}

static void test_free_bad(void **state)
{
	(void)state;
	uint64_t phys = pmm_alloc_frame();

	assert_int_not_equal(phys, 0);
	pmm_free_frame(phys);
	EXPECT_PANIC(pmm_free_frame(phys), "double free");
	EXPECT_PANIC(pmm_free_frame(phys + 8), "misaligned");
	EXPECT_PANIC(pmm_free_frame(0), "not allocatable");
	EXPECT_PANIC(pmm_free_frame(0x100000), "not allocatable");   /* kernel */
	EXPECT_PANIC(pmm_free_frame(0x300000), "not allocatable");   /* module */
	EXPECT_PANIC(pmm_free_frame(0x450000), "not allocatable");   /* hole */
	EXPECT_PANIC(pmm_free_frame(0x780000), "not allocatable");   /* past end */
	EXPECT_PANIC(pmm_free_frame(0x40000000), "not allocatable");
	EXPECT_PANIC(pmm_free_frame(UINT64_MAX & ~(uint64_t)0xfff),
		     "not allocatable");

	/* A run that runs into a free frame panics at that frame. */
	uint64_t run = pmm_alloc_frames(2);

	pmm_free_frame(run + PAGE_SIZE);
	EXPECT_PANIC(pmm_free_frames(run, 2), "double free");
	assert_int_equal(pmm_free_count(), pmm_total_count());
	/* State is unchanged by the panics. */
	assert_int_equal(pmm_free_count(), pmm_total_count());
}

static void test_reinit_resets(void **state)
{
	(void)state;
	size_t total = pmm_total_count();

	for (int i = 0; i < 10; i++)
		assert_int_not_equal(pmm_alloc_frame(), 0);
	assert_int_equal(init_default(), 0);
	assert_int_equal(pmm_free_count(), total);
	assert_int_equal(pmm_total_count(), total);
}

static void test_init_bad(void **state)
{
	static const struct phys_range backwards[] = { { 0x2000, 0x1000 } };
	static const struct phys_range tiny[] = { { 0x1001, 0x2fff } };
	static const struct phys_range only_frame_zero[] = { { 0, 0x1000 } };
	static const struct phys_range one_frame[] = { { 0x1000, 0x2000 } };
	static const struct phys_range all[] = { { 0, ARENA_SIZE } };

	(void)state;
	assert_int_equal(pmm_init(usable_map, USABLE_COUNT, NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(pmm_init(NULL, 1, NULL, 0, arena_phys_to_virt), -EINVAL);
	assert_int_equal(pmm_init(usable_map, USABLE_COUNT, NULL, 1,
				  arena_phys_to_virt), -EINVAL);
	assert_int_equal(pmm_init(backwards, 1, NULL, 0, arena_phys_to_virt),
			 -EINVAL);
	assert_int_equal(pmm_init(usable_map, USABLE_COUNT, backwards, 1,
				  arena_phys_to_virt), -EINVAL);
	assert_int_equal(pmm_init(NULL, 0, NULL, 0, arena_phys_to_virt), -ENOMEM);
	assert_int_equal(pmm_init(tiny, 1, NULL, 0, arena_phys_to_virt), -ENOMEM);
	assert_int_equal(pmm_init(only_frame_zero, 1, NULL, 0,
				  arena_phys_to_virt), -ENOMEM);
	/* Everything reserved: no room for the bitmap. */
	assert_int_equal(pmm_init(usable_map, USABLE_COUNT, all, 1,
				  arena_phys_to_virt), -ENOMEM);
	/* Reserved rounds outwards: tiny covers both frames of two_frames. */
	static const struct phys_range two_frames[] = { { 0x1000, 0x3000 } };

	assert_int_equal(pmm_init(two_frames, 1, tiny, 1, arena_phys_to_virt),
			 -ENOMEM);
	/* Room for the bitmap, but then nothing is left to hand out. */
	assert_int_equal(pmm_init(one_frame, 1, NULL, 0, arena_phys_to_virt),
			 -ENOMEM);

	/* A failed init leaves an allocator that hands out nothing. */
	assert_int_equal(pmm_alloc_frame(), 0);
	assert_int_equal(pmm_alloc_frames(1), 0);
	assert_int_equal(pmm_free_count(), 0);
	EXPECT_PANIC(pmm_free_frame(0x1000), "not allocatable");

	assert_int_equal(init_default(), 0);
}

static void test_bitmap_skips_small_ranges_and_reserved(void **state)
{
	/*
	 * 1 GiB span: each bitmap is 4096 words, 16 frames for both. The
	 * first range is too small and the second starts with a reserved
	 * stretch, so the bitmap must land at 0x200000. The high range is
	 * never touched (it lies outside the arena): the allocator does not
	 * write to the frames it manages, only to its bitmap.
	 */
	static const struct phys_range usable[] = {
		{ 0x1000, 0x3000 },
		{ 0x100000, 0x800000 },
		{ 0x3ffff000, 0x40000000 },
	};
	static const struct phys_range reserved[] = { { 0x100000, 0x200000 } };

	(void)state;
	assert_int_equal(pmm_init(usable, 3, reserved, 1, arena_phys_to_virt), 0);
	assert_int_equal(pmm_total_count(), 2 + 0x600 + 1 - 16);
	assert_int_equal(pmm_highest_usable(), 0x40000000);
	for (uint64_t phys = 0x200000; phys < 0x210000; phys += PAGE_SIZE)
		EXPECT_PANIC(pmm_free_frame(phys), "not allocatable");

	uint64_t run = pmm_alloc_frames(0x600 - 16);

	assert_int_equal(run, 0x210000);
	pmm_free_frames(run, 0x600 - 16);
	assert_int_equal(init_default(), 0);
}

static void test_next_fit_moves_on(void **state)
{
	static uint64_t frames[200];

	(void)state;
	for (size_t i = 0; i < 200; i++) {
		frames[i] = pmm_alloc_frame();
		assert_true(i == 0 || frames[i] > frames[i - 1]);
	}
	/* The cursor has moved past the first word: a freed early frame is
	 * not reused until the search wraps around. */
	pmm_free_frame(frames[0]);
	uint64_t next = pmm_alloc_frame();

	assert_true(next > frames[199]);
	pmm_free_frame(next);
	for (size_t i = 1; i < 200; i++)
		pmm_free_frame(frames[i]);
	assert_int_equal(pmm_free_count(), pmm_total_count());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_after_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_and_free_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bitmap_lives_in_usable_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contiguous_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contiguous_fails_when_fragmented, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reinit_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bitmap_skips_small_ranges_and_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_fit_moves_on, setup, teardown),
	};

	return cmocka_run_group_tests_name("pmm", tests, NULL, NULL);
}
