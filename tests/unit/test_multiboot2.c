/* SPDX-License-Identifier: MIT */
/*
 * test_multiboot2.c - host unit tests for kernel/multiboot2.c.
 *
 * A small builder (struct image) assembles boot information structures
 * tag by tag, the way GRUB lays them out. One test checks a complete,
 * valid structure; the rest break it in every way the parser must catch
 * and expect -EINVAL, never a read out of bounds (AddressSanitizer runs
 * with these tests, and the malformed cases are copied into heap buffers
 * of exactly the advertised size so that an over-read is reported).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "kernel/multiboot2.h"

struct image {
	_Alignas(8) uint8_t bytes[16384];
	size_t length;
};

static void put_u32(struct image *image, size_t offset, uint32_t value)
{
	memcpy(image->bytes + offset, &value, sizeof(value));
}

static void put_u64(struct image *image, size_t offset, uint64_t value)
{
	memcpy(image->bytes + offset, &value, sizeof(value));
}

static void image_start(struct image *image)
{
	memset(image, 0, sizeof(*image));
	image->length = 8;
}

/* Append a tag of the given declared size; returns its offset. */
static size_t image_add_raw(struct image *image, uint32_t type, uint32_t size,
			    const void *payload, size_t payload_length)
{
	size_t offset = image->length;

	put_u32(image, offset, type);
	put_u32(image, offset + 4, size);
	if (payload_length > 0)
		memcpy(image->bytes + offset + 8, payload, payload_length);
	image->length = offset + ((8 + payload_length + 7) & ~(size_t)7);
	return offset;
}

static size_t image_add(struct image *image, uint32_t type,
			const void *payload, size_t payload_length)
{
	return image_add_raw(image, type, (uint32_t)(8 + payload_length),
			     payload, payload_length);
}

static void image_add_string(struct image *image, uint32_t type,
			     const char *text)
{
	image_add(image, type, text, strlen(text) + 1);
}

static void image_add_module(struct image *image, uint32_t start, uint32_t end,
			     const char *name)
{
	uint8_t payload[256];
	size_t name_size = strlen(name) + 1;

	memcpy(payload, &start, 4);
	memcpy(payload + 4, &end, 4);
	memcpy(payload + 8, name, name_size);
	image_add(image, MB2_TAG_MODULE, payload, 8 + name_size);
}

/* An mmap tag with count entries of entry_size bytes, base i * 1 MiB. */
static size_t image_add_mmap(struct image *image, uint32_t entry_size,
			     size_t count)
{
	size_t offset = image->length;
	size_t size = 16 + count * entry_size;

	put_u32(image, offset, MB2_TAG_MMAP);
	put_u32(image, offset + 4, (uint32_t)size);
	put_u32(image, offset + 8, entry_size);
	put_u32(image, offset + 12, 0);
	for (size_t i = 0; i < count; i++) {
		size_t entry = offset + 16 + i * entry_size;

		put_u64(image, entry, (uint64_t)i << 20);
		put_u64(image, entry + 8, 0x1000 * (i + 1));
		put_u32(image, entry + 16, (uint32_t)(i % 5) + 1);
		put_u32(image, entry + 20, 0);
	}
	image->length = offset + ((size + 7) & ~(size_t)7);
	return offset;
}

/* Add the end tag and write total_size. */
static void image_finish(struct image *image)
{
	image_add(image, MB2_TAG_END, NULL, 0);
	put_u32(image, 0, (uint32_t)image->length);
}

/*
 * Parse a copy of the first avail bytes in a heap buffer of exactly that
 * size (8-aligned by malloc), so ASan sees any read past avail.
 */
static int parse_exact(const struct image *image, size_t avail,
		       struct boot_info *info)
{
	void *copy = malloc(avail > 0 ? avail : 1);
	int result;

	assert_non_null(copy);
	memcpy(copy, image->bytes, avail);
	result = mb2_parse(copy, avail, info);
	free(copy);
	return result;
}

static struct boot_info info;   /* too big for a comfortable stack frame */
static struct image image;

static void build_valid(struct image *target)
{
	uint32_t meminfo[2] = { 639, 130048 };
	uint32_t unknown[3] = { 1, 2, 3 };

	image_start(target);
	image_add_string(target, MB2_TAG_CMDLINE, "test=fault-pf quiet");
	image_add_string(target, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	image_add(target, 21, unknown, sizeof(unknown));      /* skipped */
	image_add(target, MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	image_add_mmap(target, 24, 3);
	image_add_module(target, 0x200000, 0x280000, "rootfs.cpio");
	image_add_module(target, 0x300000, 0x300000, "");
	image_finish(target);
}

static void test_valid_structure(void **state)
{
	(void)state;
	build_valid(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_int_equal(info.total_size, image.length);
	assert_string_equal(info.cmdline, "test=fault-pf quiet");
	assert_string_equal(info.loader_name, "GRUB 2.06");
	assert_true(info.has_meminfo);
	assert_int_equal(info.mem_lower_kb, 639);
	assert_int_equal(info.mem_upper_kb, 130048);

	assert_true(info.has_mmap);
	assert_false(info.mmap_truncated);
	assert_int_equal(info.mmap_count, 3);
	assert_int_equal(info.mmap[2].base, 2 << 20);
	assert_int_equal(info.mmap[2].length, 0x3000);
	assert_int_equal(info.mmap[2].type, 3);

	assert_int_equal(info.module_count, 2);
	assert_false(info.modules_truncated);
	assert_int_equal(info.modules[0].start, 0x200000);
	assert_int_equal(info.modules[0].end, 0x280000);
	assert_string_equal(info.modules[0].name, "rootfs.cpio");
	assert_string_equal(info.modules[1].name, "");

	/* More bytes readable than the structure uses is fine. */
	assert_int_equal(parse_exact(&image, image.length + 100, &info), 0);
}

static void test_minimal_structure(void **state)
{
	(void)state;
	image_start(&image);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, 16, &info), 0);
	assert_false(info.has_mmap);
	assert_false(info.has_meminfo);
	assert_int_equal(info.module_count, 0);
	assert_string_equal(info.cmdline, "");
}

static void test_output_zeroed_first(void **state)
{
	(void)state;
	memset(&info, 0xa5, sizeof(info));
	image_start(&image);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_int_equal(info.mmap_count, 0);
	assert_false(info.modules_truncated);
	assert_int_equal(info.loader_name[0], '\0');
	assert_int_equal(info.mmap[MB2_MAX_MMAP - 1].base, 0);
}

static void test_bad_pointers_and_alignment(void **state)
{
	(void)state;
	build_valid(&image);
	assert_int_equal(mb2_parse(NULL, 4096, &info), -EINVAL);
	assert_int_equal(mb2_parse(image.bytes, image.length, NULL), -EINVAL);
	/* Move the structure to an address that is 4- but not 8-aligned. */
	static _Alignas(8) uint8_t shifted[sizeof(image.bytes) + 8];

	memcpy(shifted + 4, image.bytes, image.length);
	assert_int_equal(mb2_parse(shifted + 4, image.length, &info), -EINVAL);
}

static void test_total_size_bad(void **state)
{
	(void)state;
	build_valid(&image);
	size_t real = image.length;

	/* avail smaller than total_size: the parser must not trust it. */
	assert_int_equal(parse_exact(&image, real - 8, &info), -EINVAL);
	assert_int_equal(parse_exact(&image, 4, &info), -EINVAL);
	assert_int_equal(parse_exact(&image, 0, &info), -EINVAL);

	/* A corrupted, huge total_size with little readable memory. */
	put_u32(&image, 0, 0xfffffff8);
	assert_int_equal(parse_exact(&image, real, &info), -EINVAL);

	/* Too small to hold even the end tag. */
	put_u32(&image, 0, 8);
	assert_int_equal(parse_exact(&image, real, &info), -EINVAL);
	put_u32(&image, 0, 0);
	assert_int_equal(parse_exact(&image, real, &info), -EINVAL);

	/* Truncated: the end tag lies past total_size. */
	put_u32(&image, 0, (uint32_t)(real - 8));
	assert_int_equal(parse_exact(&image, real, &info), -EINVAL);
	/* Cut in the middle of a tag. */
	put_u32(&image, 0, 20);
	assert_int_equal(parse_exact(&image, real, &info), -EINVAL);
}

static void test_tag_size_bad(void **state)
{
	(void)state;
	/* Zero-size tag: would loop forever if accepted. */
	image_start(&image);
	image_add_raw(&image, 21, 0, NULL, 0);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);

	/* Size 4: smaller than the tag header. */
	image_start(&image);
	image_add_raw(&image, 21, 4, NULL, 0);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);

	/* A tag running past total_size. */
	image_start(&image);
	image_add_string(&image, MB2_TAG_CMDLINE, "abc");
	image_finish(&image);
	put_u32(&image, 12, 0x10000);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);
	/* ... by just one byte. */
	put_u32(&image, 12, (uint32_t)(image.length - 8 + 1));
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);

	/* An end tag whose size says it runs past the structure. */
	image_start(&image);
	image_finish(&image);
	put_u32(&image, 12, 16);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);
}

static void test_missing_end_tag(void **state)
{
	(void)state;
	image_start(&image);
	image_add_string(&image, MB2_TAG_CMDLINE, "quiet");
	put_u32(&image, 0, (uint32_t)image.length);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);

	/* Only the fixed header, no tags at all. */
	image_start(&image);
	put_u32(&image, 0, 8);
	assert_int_equal(parse_exact(&image, 8, &info), -EINVAL);

	/* Trailing bytes too few for a tag header. */
	image_start(&image);
	image_add_string(&image, MB2_TAG_CMDLINE, "quiet");
	put_u32(&image, 0, (uint32_t)image.length + 4);
	assert_int_equal(parse_exact(&image, image.length + 4, &info), -EINVAL);
}

static void test_unterminated_strings(void **state)
{
	static const uint32_t string_tags[] = { MB2_TAG_CMDLINE,
						MB2_TAG_LOADER_NAME };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		image_start(&image);
		image_add(&image, string_tags[i], "abcdefgh", 8);   /* no NUL */
		image_finish(&image);
		assert_int_equal(parse_exact(&image, image.length, &info),
				 -EINVAL);

		/* Empty payload: no room for even the terminator. */
		image_start(&image);
		image_add(&image, string_tags[i], NULL, 0);
		image_finish(&image);
		assert_int_equal(parse_exact(&image, image.length, &info),
				 -EINVAL);
	}

	/* A NUL in the padding after the tag does not count. */
	image_start(&image);
	image_add(&image, MB2_TAG_CMDLINE, "abc", 3);
	image_finish(&image);
	assert_int_equal(image.bytes[8 + 8 + 3], 0);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);

	/* Module name without NUL. */
	uint8_t module[12] = { 0 };

	memcpy(module + 8, "abcd", 4);
	image_start(&image);
	image_add(&image, MB2_TAG_MODULE, module, sizeof(module));
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);
}

static void test_long_strings_truncated(void **state)
{
	char long_text[3000];

	(void)state;
	memset(long_text, 'c', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	image_start(&image);
	image_add_string(&image, MB2_TAG_CMDLINE, long_text);
	image_add_string(&image, MB2_TAG_LOADER_NAME, long_text);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_int_equal(strlen(info.cmdline), MB2_CMDLINE_MAX - 1);
	assert_int_equal(strlen(info.loader_name), MB2_NAME_MAX - 1);

	image_start(&image);
	long_text[200] = '\0';
	image_add_module(&image, 1, 2, long_text);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_int_equal(strlen(info.modules[0].name), MB2_NAME_MAX - 1);
}

static void test_mmap_bad(void **state)
{
	(void)state;
	/* entry_size below 24, or not a multiple of 8, or zero. */
	static const uint32_t bad_sizes[] = { 0, 8, 16, 20, 28, 33 };

	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		image_start(&image);
		image_add_mmap(&image, bad_sizes[i], 2);
		image_finish(&image);
		assert_int_equal(parse_exact(&image, image.length, &info),
				 -EINVAL);
	}

	/* Tag too small for the mmap header. */
	uint32_t half_header = 24;

	image_start(&image);
	image_add(&image, MB2_TAG_MMAP, &half_header, sizeof(half_header));
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);
}

static void test_mmap_larger_entries_and_leftovers(void **state)
{
	(void)state;
	/* A future entry version with 32-byte entries still parses. */
	image_start(&image);
	image_add_mmap(&image, 32, 4);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_int_equal(info.mmap_count, 4);
	assert_int_equal(info.mmap[3].base, 3 << 20);
	assert_int_equal(info.mmap[3].type, 4);

	/* Bytes too few for a whole entry are ignored; empty map is fine. */
	image_start(&image);
	size_t offset = image_add_mmap(&image, 24, 1);

	put_u32(&image, offset + 4, 16 + 24 + 8);
	image.length = offset + 48;
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_int_equal(info.mmap_count, 1);

	image_start(&image);
	image_add_mmap(&image, 24, 0);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 0);
}

static void test_too_many_entries_and_modules(void **state)
{
	(void)state;
	image_start(&image);
	image_add_mmap(&image, 24, MB2_MAX_MMAP + 5);
	for (size_t i = 0; i < MB2_MAX_MODULES + 3; i++)
		image_add_module(&image, (uint32_t)i * 0x1000,
				 (uint32_t)i * 0x1000 + 0x800, "mod");
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_int_equal(info.mmap_count, MB2_MAX_MMAP);
	assert_true(info.mmap_truncated);
	assert_int_equal(info.mmap[MB2_MAX_MMAP - 1].base,
			 (uint64_t)(MB2_MAX_MMAP - 1) << 20);
	assert_int_equal(info.module_count, MB2_MAX_MODULES);
	assert_true(info.modules_truncated);
	assert_int_equal(info.modules[MB2_MAX_MODULES - 1].start,
			 (MB2_MAX_MODULES - 1) * 0x1000);

	/* Exactly the maximum is not truncation. */
	image_start(&image);
	image_add_mmap(&image, 24, MB2_MAX_MMAP);
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), 0);
	assert_false(info.mmap_truncated);
}

static void test_modules_bad(void **state)
{
	(void)state;
	image_start(&image);
	image_add_module(&image, 0x2000, 0x1000, "backwards");
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);

	/* A module beyond the limit is still validated. */
	image_start(&image);
	for (size_t i = 0; i < MB2_MAX_MODULES; i++)
		image_add_module(&image, 0, 1, "ok");
	image_add_module(&image, 9, 1, "bad");
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);

	/* Tag too small for start and end. */
	uint32_t start_only = 0;

	image_start(&image);
	image_add(&image, MB2_TAG_MODULE, &start_only, sizeof(start_only));
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);
}

static void test_meminfo_too_small(void **state)
{
	uint32_t lower_only = 639;

	(void)state;
	image_start(&image);
	image_add(&image, MB2_TAG_BASIC_MEMINFO, &lower_only, sizeof(lower_only));
	image_finish(&image);
	assert_int_equal(parse_exact(&image, image.length, &info), -EINVAL);
}

/*
 * Every prefix and every single-byte corruption of a valid structure must
 * be handled without reading out of bounds (ASan checks that); results
 * are either 0 or -EINVAL.
 */
static void test_fuzz_prefixes_and_corruptions(void **state)
{
	(void)state;
	build_valid(&image);
	size_t length = image.length;

	for (size_t avail = 0; avail < length; avail++)
		assert_int_equal(parse_exact(&image, avail, &info), -EINVAL);

	static struct image corrupted;

	for (size_t offset = 0; offset < length; offset++) {
		static const uint8_t values[] = { 0x00, 0x01, 0x07, 0x80, 0xff };

		for (size_t v = 0; v < sizeof(values); v++) {
			corrupted = image;
			corrupted.bytes[offset] = values[v];
			int result = parse_exact(&corrupted, length, &info);

			assert_true(result == 0 || result == -EINVAL);
		}
	}
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(mb2_mmap_type_name(1), "available");
	assert_string_equal(mb2_mmap_type_name(2), "reserved");
	assert_string_equal(mb2_mmap_type_name(3), "ACPI reclaimable");
	assert_string_equal(mb2_mmap_type_name(4), "ACPI NVS");
	assert_string_equal(mb2_mmap_type_name(5), "bad RAM");
	assert_string_equal(mb2_mmap_type_name(0), "unknown");
	assert_string_equal(mb2_mmap_type_name(6), "unknown");
	assert_string_equal(mb2_mmap_type_name(0xffffffff), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_structure),
		cmocka_unit_test(test_minimal_structure),
		cmocka_unit_test(test_output_zeroed_first),
		cmocka_unit_test(test_bad_pointers_and_alignment),
		cmocka_unit_test(test_total_size_bad),
		cmocka_unit_test(test_tag_size_bad),
		cmocka_unit_test(test_missing_end_tag),
		cmocka_unit_test(test_unterminated_strings),
		cmocka_unit_test(test_long_strings_truncated),
		cmocka_unit_test(test_mmap_bad),
		cmocka_unit_test(test_mmap_larger_entries_and_leftovers),
		cmocka_unit_test(test_too_many_entries_and_modules),
		cmocka_unit_test(test_modules_bad),
		cmocka_unit_test(test_meminfo_too_small),
		cmocka_unit_test(test_fuzz_prefixes_and_corruptions),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
