/* SPDX-License-Identifier: MIT */
/*
 * test_heap.c - host unit tests for kernel/heap.c.
 *
 * The page backend the kernel provides (heap_pages_alloc/free) is faked
 * over a static, page-aligned arena with a per-page "in use" table and
 * an adjustable limit, so tests can run the heap out of pages. The fake
 * checks that the heap gives back exactly the runs it took, and never
 * scribbles on freed pages, so the heap's double-free detection through
 * "dead" page magics can be tested.
 *
 * Every test leaves the heap empty; setup() insists on it, so a leak in
 * one test shows up right where it happens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/heap.h"
#include "tests/unit/test_panic.h"

#define PAGE 4096
#define BACKEND_PAGES 4096

static _Alignas(PAGE) uint8_t backend_memory[BACKEND_PAGES * PAGE];
static size_t backend_run_length[BACKEND_PAGES];  /* at a run's first page */
static bool backend_page_used[BACKEND_PAGES];
static size_t backend_pages_out;
static size_t backend_limit = BACKEND_PAGES;

void *heap_pages_alloc(size_t npages)
{
	if (npages == 0 || npages > backend_limit - backend_pages_out)
		return NULL;
	for (size_t start = 0; start + npages <= BACKEND_PAGES; start++) {
		size_t length = 0;

		while (length < npages && !backend_page_used[start + length])
			length++;
		if (length < npages) {
			start += length;
			continue;
		}
		for (size_t i = 0; i < npages; i++)
			backend_page_used[start + i] = true;
		backend_run_length[start] = npages;
		backend_pages_out += npages;
		return backend_memory + start * PAGE;
	}
	return NULL;
}

void heap_pages_free(void *addr, size_t npages)
{
	uintptr_t offset = (uintptr_t)addr - (uintptr_t)backend_memory;
	size_t start = offset / PAGE;

	assert_true((uint8_t *)addr >= backend_memory);
	assert_int_equal(offset % PAGE, 0);
	assert_true(start < BACKEND_PAGES);
	assert_int_equal(backend_run_length[start], npages);
	for (size_t i = 0; i < npages; i++) {
		assert_true(backend_page_used[start + i]);
		backend_page_used[start + i] = false;
	}
	backend_run_length[start] = 0;
	backend_pages_out -= npages;
}

static void expect_heap_empty(void)
{
	struct heap_stats stats;

	heap_get_stats(&stats);
	assert_int_equal(stats.bytes_in_use, 0);
	assert_int_equal(stats.live_allocations, 0);
	assert_int_equal(stats.pages_held, 0);
	assert_int_equal(backend_pages_out, 0);
}

static int setup(void **state)
{
	(void)state;
	backend_limit = BACKEND_PAGES;
	expect_heap_empty();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	expect_heap_empty();
	return 0;
}

static size_t expected_class(size_t size)
{
	size_t class_size = 16;

	while (class_size < size)
		class_size *= 2;
	return class_size;
}

static void test_size_classes(void **state)
{
	static const size_t sizes[] = {
		1, 15, 16, 17, 31, 32, 33, 64, 65, 100, 128, 129, 255, 256,
		257, 511, 512, 513, 1000, 1024, 1025, 2000, 2047, 2048,
	};
	enum { COUNT = sizeof(sizes) / sizeof(sizes[0]) };
	void *blocks[COUNT];
	size_t bytes = 0;
	struct heap_stats stats;

	(void)state;
	for (size_t i = 0; i < COUNT; i++) {
		blocks[i] = kmalloc(sizes[i]);
		assert_non_null(blocks[i]);
		assert_int_equal((uintptr_t)blocks[i] % HEAP_ALIGN, 0);
		assert_int_equal(ksize(blocks[i]), expected_class(sizes[i]));
		memset(blocks[i], (int)i, ksize(blocks[i]));
		bytes += expected_class(sizes[i]);
	}
	heap_get_stats(&stats);
	assert_int_equal(stats.live_allocations, COUNT);
	assert_int_equal(stats.bytes_in_use, bytes);
	assert_int_equal(stats.pages_held, backend_pages_out);
	for (size_t i = 0; i < COUNT; i++) {
		for (size_t byte = 0; byte < ksize(blocks[i]); byte++)
			assert_int_equal(((uint8_t *)blocks[i])[byte], (uint8_t)i);
		kfree(blocks[i]);
	}
}

static void test_many_blocks_fill_pages(void **state)
{
	static void *blocks[1000];
	struct heap_stats stats;

	(void)state;
	for (size_t i = 0; i < 1000; i++) {
		blocks[i] = kmalloc(16);
		assert_non_null(blocks[i]);
		memset(blocks[i], 0xab, 16);
	}
	heap_get_stats(&stats);
	/* (4096 - 48) / 16 = 253 blocks per page, so 4 pages. */
	assert_int_equal(stats.pages_held, 4);
	assert_int_equal(stats.bytes_in_use, 16000);
	/* Free in an order that empties pages in the middle first. */
	for (size_t i = 0; i < 1000; i += 2)
		kfree(blocks[i]);
	for (size_t i = 999; i < 1000; i -= 2)
		kfree(blocks[i]);
}

static void test_large_allocations(void **state)
{
	static const struct {
		size_t size;
		size_t pages;
	} cases[] = {
		{ 2049, 1 }, { 4080, 1 }, { 4081, 2 }, { 8176, 2 },
		{ 8177, 3 }, { 1u << 20, 257 },
	};
	struct heap_stats stats;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *data = kmalloc(cases[i].size);

		assert_non_null(data);
		assert_int_equal((uintptr_t)data % HEAP_ALIGN, 0);
		/* The data starts inside the first page, after the header. */
		assert_int_equal((uintptr_t)data % PAGE, 16);
		assert_int_equal(ksize(data), cases[i].pages * PAGE - 16);
		heap_get_stats(&stats);
		assert_int_equal(stats.pages_held, cases[i].pages);
		assert_int_equal(stats.bytes_in_use, cases[i].pages * PAGE - 16);
		assert_int_equal(backend_pages_out, cases[i].pages);
		memset(data, 0xcd, ksize(data));
		kfree(data);
		expect_heap_empty();
	}
}

static void test_reuse_after_free(void **state)
{
	(void)state;
	void *keep = kmalloc(64);
	void *first = kmalloc(64);

	kfree(first);
	void *second = kmalloc(64);

	assert_ptr_equal(first, second);        /* same page, LIFO free list */
	kfree(second);

	/* An emptied page goes straight back to the backend. */
	kfree(keep);
	expect_heap_empty();

	void *large = kmalloc(10000);

	kfree(large);
	assert_ptr_equal(kmalloc(10000), large);
	kfree(large);
}

static void test_zero_and_overflowing_sizes(void **state)
{
	(void)state;
	assert_null(kmalloc(0));
	assert_null(kzalloc(0));
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kmalloc(SIZE_MAX - 16));
	assert_null(kmalloc(SIZE_MAX - 4096 - 16));
	assert_null(kzalloc(SIZE_MAX));
	/* Bigger than the backend: fails cleanly. */
	assert_null(kmalloc((size_t)BACKEND_PAGES * PAGE));
	kfree(NULL);
	expect_heap_empty();
}

static void test_kzalloc_zeroes(void **state)
{
	(void)state;
	for (size_t size = 8; size <= 16384; size *= 2) {
		uint8_t *dirty = kmalloc(size);
		uint8_t *keep = kmalloc(size);

		memset(dirty, 0xff, size);
		kfree(dirty);
		uint8_t *clean = kzalloc(size);

		assert_non_null(clean);
		for (size_t i = 0; i < size; i++)
			assert_int_equal(clean[i], 0);
		kfree(clean);
		kfree(keep);
	}
}

static void test_krealloc(void **state)
{
	(void)state;
	uint8_t *data = krealloc(NULL, 10);

	assert_non_null(data);
	memcpy(data, "0123456789", 10);
	/* Fits in the same 16-byte block. */
	assert_ptr_equal(krealloc(data, 16), data);
	data = krealloc(data, 100);
	assert_memory_equal(data, "0123456789", 10);
	data = krealloc(data, 50000);
	assert_non_null(data);
	assert_memory_equal(data, "0123456789", 10);
	/* Shrinking keeps the block. */
	assert_ptr_equal(krealloc(data, 5), data);

	/* A failed grow leaves the old block alone. */
	backend_limit = backend_pages_out;
	assert_null(krealloc(data, 200000));
	assert_memory_equal(data, "0123456789", 10);
	backend_limit = BACKEND_PAGES;

	assert_null(krealloc(data, 0));         /* frees */
}

static void test_exhaust_backend_then_free_all(void **state)
{
	static void *blocks[20000];
	size_t count = 0;
	struct heap_stats stats;

	(void)state;
	backend_limit = 40;
	/* Mixed sizes, until the backend says no. */
	for (;;) {
		size_t size = (count % 7 == 6) ? 5000 : 16 << (count % 8);
		void *block = kmalloc(size);

		if (block == NULL)
			break;
		assert_true(count < 20000);
		memset(block, 0x11, size);
		blocks[count++] = block;
	}
	heap_get_stats(&stats);
	assert_int_equal(stats.live_allocations, count);
	/* Stopped near the limit: at most a 2-page request did not fit. */
	assert_true(stats.pages_held <= 40 && stats.pages_held >= 38);
	assert_int_equal(stats.pages_held, backend_pages_out);

	for (size_t i = 0; i < count; i++)
		kfree(blocks[i]);
	expect_heap_empty();
	backend_limit = BACKEND_PAGES;
}

static void test_double_free_panics(void **state)
{
	(void)state;
	/* Page still live: caught by the free marker and the list. */
	void *keep = kmalloc(32);
	void *block = kmalloc(32);

	kfree(block);
	EXPECT_PANIC(kfree(block), "double free of a 32-byte block");
	kfree(keep);

	/* Page already returned: caught by the dead page magic. */
	block = kmalloc(128);
	kfree(block);
	EXPECT_PANIC(kfree(block), "double free");

	void *large = kmalloc(9000);

	kfree(large);
	EXPECT_PANIC(kfree(large), "double free");
	expect_heap_empty();
}

static void test_free_marker_in_user_data_is_not_a_double_free(void **state)
{
	(void)state;
	/* A live block that happens to contain the marker value. */
	uint64_t *block = kmalloc(16);
	void *keep = kmalloc(16);

	block[1] = 0x214b4c4245455246ull;
	kfree(block);
	kfree(keep);
}

static void test_bad_pointers_panic(void **state)
{
	(void)state;
	uint8_t *small = kmalloc(64);
	uint8_t *large = kmalloc(6000);         /* two pages */

	memset(large, 0, 6000);
	EXPECT_PANIC(kfree(small + 8), "misaligned");
	EXPECT_PANIC(kfree(small + 16), "not the start of a 64-byte");
	EXPECT_PANIC(kfree(large + 16), "not the start of a large");
	EXPECT_PANIC(kfree(large + PAGE), "bad magic");  /* 2nd page */
	EXPECT_PANIC(ksize(small + 32), "not the start");

	/* Memory that never came from kmalloc. */
	uint8_t *foreign = heap_pages_alloc(1);

	memset(foreign, 0, PAGE);
	EXPECT_PANIC(kfree(foreign + 64), "bad magic");
	heap_pages_free(foreign, 1);

	kfree(small);
	kfree(large);
}

static void test_use_after_free_is_caught(void **state)
{
	(void)state;
	uint64_t *victim = kmalloc(32);
	void *keep = kmalloc(32);

	kfree(victim);
	uint64_t marker = victim[1];

	victim[1] = 0;                          /* write after free */
	EXPECT_PANIC(kmalloc(32), "overwritten");
	victim[1] = marker;                     /* repair, then clean up */
	assert_ptr_equal(kmalloc(32), victim);
	kfree(victim);
	kfree(keep);
}

/* A small deterministic generator, so failures reproduce. */
static uint32_t random_state = 12345;

static uint32_t random_next(void)
{
	random_state = random_state * 1103515245u + 12345u;
	return random_state >> 8;
}

static void test_random_stress(void **state)
{
	enum { SLOTS = 512, ROUNDS = 40000 };
	static uint8_t *slot_ptr[SLOTS];
	static size_t slot_size[SLOTS];
	struct heap_stats stats;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		size_t slot = random_next() % SLOTS;

		if (slot_ptr[slot] != NULL) {
			/* The pattern must be intact: no other block overlapped. */
			for (size_t i = 0; i < slot_size[slot]; i++)
				assert_int_equal(slot_ptr[slot][i], (uint8_t)slot);
			kfree(slot_ptr[slot]);
			slot_ptr[slot] = NULL;
			continue;
		}
		uint32_t pick = random_next();
		size_t size = (pick % 20 == 0) ? 1 + random_next() % 20000
					       : 1 + random_next() % 2048;

		slot_ptr[slot] = kmalloc(size);
		assert_non_null(slot_ptr[slot]);
		assert_int_equal((uintptr_t)slot_ptr[slot] % HEAP_ALIGN, 0);
		slot_size[slot] = size;
		memset(slot_ptr[slot], (int)slot, size);
	}

	size_t bytes = 0, live = 0;

	for (size_t slot = 0; slot < SLOTS; slot++) {
		if (slot_ptr[slot] != NULL) {
			bytes += ksize(slot_ptr[slot]);
			live++;
		}
	}
	heap_get_stats(&stats);
	assert_int_equal(stats.bytes_in_use, bytes);
	assert_int_equal(stats.live_allocations, live);
	assert_int_equal(stats.pages_held, backend_pages_out);

	for (size_t slot = 0; slot < SLOTS; slot++) {
		if (slot_ptr[slot] == NULL)
			continue;
		for (size_t i = 0; i < slot_size[slot]; i++)
			assert_int_equal(slot_ptr[slot][i], (uint8_t)slot);
		kfree(slot_ptr[slot]);
		slot_ptr[slot] = NULL;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_size_classes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_blocks_fill_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_allocations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse_after_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_and_overflowing_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kzalloc_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_krealloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_backend_then_free_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_free_panics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_marker_in_user_data_is_not_a_double_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pointers_panic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_after_free_is_caught, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_stress, setup, teardown),
	};

	return cmocka_run_group_tests_name("heap", tests, NULL, NULL);
}
