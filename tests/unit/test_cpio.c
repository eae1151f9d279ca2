/* SPDX-License-Identifier: MIT */
/*
 * test_cpio.c - host unit tests for kernel/cpio.c.
 *
 * A small builder (struct archive) writes newc headers by hand, the way
 * `find . | cpio -o -H newc` lays them out (checked against GNU cpio
 * 2.13's output, which this parser also walked, when the test was
 * written). One test
 * walks a complete, valid archive; the rest break it in every way the
 * parser must catch and expect -EINVAL, never a read out of bounds:
 * archives are parsed from heap copies of exactly the advertised size,
 * so AddressSanitizer reports any over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/cpio.h"
#include "kernel/errno.h"

#define HEADER_SIZE 110

struct archive {
	uint8_t bytes[8192];
	size_t length;
};

/* Header fields in archive order; the builder's defaults for a member. */
struct member {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize;
	uint32_t devmajor, devminor, rdevmajor, rdevminor, namesize, check;
};

static void archive_start(struct archive *archive)
{
	memset(archive, 0, sizeof(*archive));
}

static void pad_to_4(struct archive *archive)
{
	while (archive->length % 4 != 0)
		archive->bytes[archive->length++] = 0;
}

/* Write a header with exactly these fields (namesize included). */
static size_t archive_add_header(struct archive *archive,
				 const struct member *member)
{
	size_t offset = archive->length;
	char text[HEADER_SIZE + 1];

	snprintf(text, sizeof(text),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 member->ino, member->mode, member->uid, member->gid,
		 member->nlink, member->mtime, member->filesize,
		 member->devmajor, member->devminor, member->rdevmajor,
		 member->rdevminor, member->namesize, member->check);
	memcpy(archive->bytes + offset, text, HEADER_SIZE);
	archive->length += HEADER_SIZE;
	return offset;
}

/* Append a member with its name and data; returns its header offset. */
static size_t archive_add(struct archive *archive, const char *name,
			  uint32_t mode, const void *data, size_t size)
{
	static uint32_t next_ino = 100;
	struct member member = {
		.ino = next_ino++, .mode = mode, .uid = 1000, .gid = 100,
		.nlink = (mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_DIR ? 2 : 1,
		.mtime = 1700000000, .filesize = (uint32_t)size,
		.devmajor = 8, .devminor = 1,
		.namesize = (uint32_t)(strlen(name) + 1),
	};
	size_t offset = archive_add_header(archive, &member);

	memcpy(archive->bytes + archive->length, name, member.namesize);
	archive->length += member.namesize;
	pad_to_4(archive);
	if (size > 0)
		memcpy(archive->bytes + archive->length, data, size);
	archive->length += size;
	pad_to_4(archive);
	return offset;
}

static size_t archive_finish(struct archive *archive)
{
	struct member trailer = { .nlink = 1, .namesize = 11 };
	size_t offset = archive_add_header(archive, &trailer);

	memcpy(archive->bytes + archive->length, "TRAILER!!!", 11);
	archive->length += 11;
	pad_to_4(archive);
	return offset;
}

/* Overwrite field number index (0 = ino ... 12 = check) of a header. */
static void set_field(struct archive *archive, size_t header, int index,
		      const char *eight_chars)
{
	memcpy(archive->bytes + header + 6 + (size_t)index * 8, eight_chars, 8);
}

enum { F_MODE = 1, F_FILESIZE = 6, F_NAMESIZE = 11 };

/* A heap copy of exactly length bytes, so ASan sees any over-read. */
static void *exact_copy(const struct archive *archive, size_t length)
{
	void *copy = malloc(length > 0 ? length : 1);

	assert_non_null(copy);
	memcpy(copy, archive->bytes, length);
	return copy;
}

/*
 * Walk the first length bytes of an archive to the end; return the last
 * result (0 or an error) and the number of members seen.
 */
static int walk(const struct archive *archive, size_t length, int *members)
{
	void *copy = exact_copy(archive, length);
	struct cpio_entry entry;
	size_t offset = 0;
	int result;

	*members = 0;
	while ((result = cpio_next(copy, length, &offset, &entry)) == 1)
		(*members)++;
	free(copy);
	return result;
}

/*
 * cpio_find on an exact heap copy. The entry points into the copy, so
 * the copy lives until the next call (the last one leaks, harmlessly).
 */
static int find_in(const struct archive *archive, size_t length,
		   const char *path, struct cpio_entry *entry)
{
	static void *copy;

	free(copy);
	copy = exact_copy(archive, length);
	return cpio_find(copy, length, path, entry);
}

static struct archive archive;

static const char shell_data[] = "#!sh\n";      /* 5 bytes: needs padding */
static const char motd_data[] = "hello, loupe\n";

/*
 * The shape `cd root && find . | cpio -o -H newc` produces. (GNU cpio
 * itself drops the "./" of every name but ".", other writers keep it or
 * write "/" paths, so the builder uses "./" to cover the stripping.)
 */
static void build_valid(struct archive *target)
{
	archive_start(target);
	archive_add(target, ".", CPIO_MODE_DIR | 0755, NULL, 0);
	archive_add(target, "./bin", CPIO_MODE_DIR | 0755, NULL, 0);
	archive_add(target, "./bin/sh", CPIO_MODE_REGULAR | 0755,
		    shell_data, 5);
	archive_add(target, "./etc/motd", CPIO_MODE_REGULAR | 0644,
		    motd_data, 13);
	archive_add(target, "./sh", CPIO_MODE_SYMLINK | 0777, "bin/sh", 6);
	archive_add(target, "./empty", CPIO_MODE_REGULAR | 0600, NULL, 0);
	archive_finish(target);
}

#define EXPECT_ENTRY(entry, want_name, want_mode, want_size)                 \
	do {                                                                 \
		assert_string_equal((entry).name, (want_name));              \
		assert_int_equal((entry).name_len, strlen(want_name));       \
		assert_int_equal((entry).mode, (want_mode));                 \
		assert_int_equal((entry).size, (want_size));                 \
	} while (0)

static void test_walk_valid_archive(void **state)
{
	(void)state;
	build_valid(&archive);
	uint8_t *copy = exact_copy(&archive, archive.length);
	struct cpio_entry entry;
	size_t offset = 0;

	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 1);
	EXPECT_ENTRY(entry, "", CPIO_MODE_DIR | 0755, 0);
	assert_int_equal(entry.uid, 1000);
	assert_int_equal(entry.gid, 100);
	assert_int_equal(entry.mtime, 1700000000);
	/* 110 + 2 = 112 is already aligned, and there is no data. */
	assert_int_equal(offset, 112);

	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 1);
	EXPECT_ENTRY(entry, "bin", CPIO_MODE_DIR | 0755, 0);
	assert_int_equal(offset, 112 + 116);

	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 1);
	EXPECT_ENTRY(entry, "bin/sh", CPIO_MODE_REGULAR | 0755, 5);
	assert_memory_equal(entry.data, shell_data, 5);
	/* The data starts 4-aligned within the archive. */
	assert_int_equal(((const uint8_t *)entry.data - copy) % 4, 0);
	assert_int_equal(offset % 4, 0);

	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 1);
	EXPECT_ENTRY(entry, "etc/motd", CPIO_MODE_REGULAR | 0644, 13);
	assert_memory_equal(entry.data, motd_data, 13);

	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 1);
	EXPECT_ENTRY(entry, "sh", CPIO_MODE_SYMLINK | 0777, 6);
	assert_memory_equal(entry.data, "bin/sh", 6);

	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 1);
	EXPECT_ENTRY(entry, "empty", CPIO_MODE_REGULAR | 0600, 0);

	/* The trailer: 0, and *offset stays put so it stays 0. */
	size_t trailer = offset;

	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 0);
	assert_int_equal(offset, trailer);
	assert_null(entry.name);
	assert_int_equal(cpio_next(copy, archive.length, &offset, &entry), 0);
	assert_int_equal(offset, trailer);
	free(copy);
}

static void test_zero_padding_after_trailer(void **state)
{
	(void)state;
	int members;

	build_valid(&archive);
	/* cpio pads the archive to a 512-byte block; never read. */
	size_t padded = (archive.length + 511) & ~(size_t)511;

	assert_int_equal(walk(&archive, padded, &members), 0);
	assert_int_equal(members, 6);
}

static void test_name_stripping(void **state)
{
	(void)state;
	static const struct {
		const char *stored, *expected;
	} cases[] = {
		{ ".", "" }, { "./", "" }, { "/", "" }, { "", "" },
		{ "./a", "a" }, { "/a", "a" }, { "a", "a" }, { "a/b", "a/b" },
		{ ".//a", "a" }, { "/./a", "a" }, { "././a", "a" },
		{ ".hidden", ".hidden" }, { "./.hidden", ".hidden" },
		{ "..", ".." }, { "./..", ".." }, { "a/./b", "a/./b" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cpio_entry entry;
		size_t offset = 0;

		archive_start(&archive);
		archive_add(&archive, cases[i].stored, CPIO_MODE_REGULAR, "x", 1);
		archive_finish(&archive);
		uint8_t *copy = exact_copy(&archive, archive.length);

		assert_int_equal(cpio_next(copy, archive.length, &offset,
					   &entry), 1);
		assert_string_equal(entry.name, cases[i].expected);
		assert_int_equal(entry.name_len, strlen(cases[i].expected));
		free(copy);
	}
}

static void test_hex_digits_either_case(void **state)
{
	(void)state;
	struct cpio_entry entry;
	size_t offset = 0;

	archive_start(&archive);
	size_t header = archive_add(&archive, "f", CPIO_MODE_REGULAR, "x", 1);

	archive_finish(&archive);
	set_field(&archive, header, F_MODE, "000081aD");
	assert_int_equal(cpio_next(archive.bytes, archive.length, &offset,
				   &entry), 1);
	assert_int_equal(entry.mode, 0x81ad);
}

static void test_find(void **state)
{
	(void)state;
	struct cpio_entry entry;

	build_valid(&archive);
	size_t length = archive.length;

	assert_int_equal(find_in(&archive, length, "/bin/sh", &entry), 0);
	EXPECT_ENTRY(entry, "bin/sh", CPIO_MODE_REGULAR | 0755, 5);
	assert_memory_equal(entry.data, shell_data, 5);
	assert_int_equal(find_in(&archive, length, "bin/sh", &entry), 0);
	assert_int_equal(find_in(&archive, length, "./bin/sh", &entry), 0);
	assert_int_equal(find_in(&archive, length, "//bin/sh", &entry), 0);
	assert_int_equal(find_in(&archive, length, "/etc/motd", &entry), 0);
	assert_int_equal(entry.size, 13);
	assert_int_equal(find_in(&archive, length, "/bin", &entry), 0);
	assert_int_equal(entry.mode, CPIO_MODE_DIR | 0755);
	assert_int_equal(find_in(&archive, length, "/", &entry), 0);
	assert_string_equal(entry.name, "");
	assert_int_equal(find_in(&archive, length, "", &entry), 0);
	assert_int_equal(find_in(&archive, length, "/empty", &entry), 0);
	assert_int_equal(entry.size, 0);
}

static void test_find_bad(void **state)
{
	(void)state;
	struct cpio_entry entry;

	build_valid(&archive);
	size_t length = archive.length;

	/* Exact matches only: no prefixes, no trailing slash, no "//". */
	assert_int_equal(find_in(&archive, length, "/bin/s", &entry), -ENOENT);
	assert_null(entry.name);
	assert_int_equal(find_in(&archive, length, "/bin/sh2", &entry), -ENOENT);
	assert_int_equal(find_in(&archive, length, "/bin/", &entry), -ENOENT);
	assert_int_equal(find_in(&archive, length, "bin//sh", &entry), -ENOENT);
	assert_int_equal(find_in(&archive, length, "/BIN/SH", &entry), -ENOENT);
	/* The trailer is not a member. */
	assert_int_equal(find_in(&archive, length, "TRAILER!!!", &entry),
			 -ENOENT);
	assert_int_equal(cpio_find(archive.bytes, length, NULL, &entry), -EINVAL);
	assert_int_equal(cpio_find(archive.bytes, length, "/bin", NULL), -EINVAL);

	/* Malformed after the match: found; before it: -EINVAL. */
	archive_start(&archive);
	archive_add(&archive, "./first", CPIO_MODE_REGULAR, "1", 1);
	size_t broken = archive_add(&archive, "./second", CPIO_MODE_REGULAR,
				    "2", 1);
	archive_add(&archive, "./third", CPIO_MODE_REGULAR, "3", 1);
	archive_finish(&archive);
	archive.bytes[broken] = 'X';
	assert_int_equal(find_in(&archive, archive.length, "first", &entry), 0);
	assert_int_equal(find_in(&archive, archive.length, "third", &entry),
			 -EINVAL);
	assert_null(entry.name);
	assert_int_equal(find_in(&archive, archive.length, "nope", &entry),
			 -EINVAL);
}

static void test_bad_magic(void **state)
{
	(void)state;
	/* odc, crc, binary cpio, and garbage. */
	static const char *const magics[] = {
		"070707", "070702", "\xc7\x71\x00\x00\x00\x00", "170701",
		"07070", "O70701", "707010", "0x0701",
	};
	int members;

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		build_valid(&archive);
		memcpy(archive.bytes, magics[i], 6);
		assert_int_equal(walk(&archive, archive.length, &members),
				 -EINVAL);
		assert_int_equal(members, 0);
	}
	/* A later member's magic is checked too. */
	build_valid(&archive);
	memcpy(archive.bytes + 112, "070700", 6);
	assert_int_equal(walk(&archive, archive.length, &members), -EINVAL);
	assert_int_equal(members, 1);
}

static void test_non_hex_digits(void **state)
{
	(void)state;
	static const char bad[] = { 'g', 'G', 'x', ' ', '-', '+', '\0', '/',
				    ':', '@', '`' };
	int members;

	/* Every one of the 104 digit positions of the first header. */
	for (size_t position = 6; position < HEADER_SIZE; position++) {
		for (size_t b = 0; b < sizeof(bad); b++) {
			build_valid(&archive);
			archive.bytes[position] = (uint8_t)bad[b];
			assert_int_equal(walk(&archive, archive.length,
					      &members), -EINVAL);
			assert_int_equal(members, 0);
		}
	}
}

static void test_namesize_bad(void **state)
{
	(void)state;
	int members;
	size_t header;

	/* namesize 0: not even room for the NUL. */
	build_valid(&archive);
	set_field(&archive, 0, F_NAMESIZE, "00000000");
	assert_int_equal(walk(&archive, archive.length, &members), -EINVAL);

	/* namesize one short: byte namesize - 1 is the name's last char. */
	archive_start(&archive);
	header = archive_add(&archive, "./abc", CPIO_MODE_REGULAR, "x", 1);
	archive_finish(&archive);
	set_field(&archive, header, F_NAMESIZE, "00000005");
	assert_int_equal(walk(&archive, archive.length, &members), -EINVAL);

	/* namesize longer: byte namesize - 1 is padding, then data. */
	archive_start(&archive);
	header = archive_add(&archive, "./abc", CPIO_MODE_REGULAR, "xyzw", 4);
	archive_finish(&archive);
	set_field(&archive, header, F_NAMESIZE, "00000008");
	assert_int_equal(walk(&archive, archive.length, &members), -EINVAL);

	/* The trailer's name must be terminated too. */
	build_valid(&archive);
	archive.bytes[archive.length - 4] = '!';        /* its NUL */
	archive.length -= 3;                            /* no padding */
	assert_int_equal(walk(&archive, archive.length, &members), -EINVAL);

	/* A name running past the end of the archive. */
	static const char *const huge[] = {
		"00001000", "7FFFFFFF", "80000000", "FFFFFFF0", "FFFFFFFF",
	};

	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		build_valid(&archive);
		set_field(&archive, 112, F_NAMESIZE, huge[i]);
		assert_int_equal(walk(&archive, archive.length, &members),
				 -EINVAL);
		assert_int_equal(members, 1);
	}
}

static void test_filesize_bad(void **state)
{
	(void)state;
	static const char *const sizes[] = {
		"00000400", "00001000", "7FFFFFFF", "80000000",
		"FFFFFFFC", "FFFFFFFD", "FFFFFFFE", "FFFFFFFF",
	};
	int members;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		build_valid(&archive);
		/* The third member, ./bin/sh, at 112 + 116. */
		set_field(&archive, 228, F_FILESIZE, sizes[i]);
		assert_int_equal(walk(&archive, archive.length, &members),
				 -EINVAL);
		assert_int_equal(members, 2);
	}
}

/*
 * Every prefix of the archive that ends before the trailer's name is
 * complete is missing something and must be -EINVAL; once the trailer's
 * name is whole, the archive is complete (its padding is never needed).
 */
static void test_truncated_archives(void **state)
{
	(void)state;
	int members;

	build_valid(&archive);
	/* The trailer's header + name is 121 bytes, padded to 124. */
	size_t trailer_name_end = archive.length - 3;

	for (size_t length = 0; length < trailer_name_end; length++)
		assert_int_equal(walk(&archive, length, &members), -EINVAL);
	for (size_t length = trailer_name_end; length <= archive.length;
	     length++) {
		assert_int_equal(walk(&archive, length, &members), 0);
		assert_int_equal(members, 6);
	}
}

static void test_missing_trailer(void **state)
{
	(void)state;
	int members;

	/* Ends cleanly after a member. */
	archive_start(&archive);
	archive_add(&archive, "./a", CPIO_MODE_REGULAR, "abcd", 4);
	assert_int_equal(walk(&archive, archive.length, &members), -EINVAL);
	assert_int_equal(members, 1);

	/* Ends after a member's data, without its padding: the member is
	 * fine, the next call reports the missing trailer. */
	archive_start(&archive);
	archive_add(&archive, "./a", CPIO_MODE_REGULAR, "abcde", 5);
	assert_int_equal(walk(&archive, archive.length - 3, &members), -EINVAL);
	assert_int_equal(members, 1);

	/* An empty archive, and zeros where the trailer should be. */
	assert_int_equal(walk(&archive, 0, &members), -EINVAL);
	archive_start(&archive);
	archive_add(&archive, "./a", CPIO_MODE_REGULAR, "abcd", 4);
	archive.length += 512;
	assert_int_equal(walk(&archive, archive.length, &members), -EINVAL);
	assert_int_equal(members, 1);
}

static void test_bad_offsets_and_arguments(void **state)
{
	(void)state;
	struct cpio_entry entry;
	size_t offset;

	build_valid(&archive);
	size_t length = archive.length;

	static const size_t offsets[] = { 1, 2, 111, 113 };

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		offset = offsets[i];
		assert_int_equal(cpio_next(archive.bytes, length, &offset,
					   &entry), -EINVAL);
	}
	offset = length;
	assert_int_equal(cpio_next(archive.bytes, length, &offset, &entry),
			 -EINVAL);
	offset = length + 1;
	assert_int_equal(cpio_next(archive.bytes, length, &offset, &entry),
			 -EINVAL);
	offset = SIZE_MAX;
	assert_int_equal(cpio_next(archive.bytes, length, &offset, &entry),
			 -EINVAL);
	offset = SIZE_MAX - 50;
	assert_int_equal(cpio_next(archive.bytes, length, &offset, &entry),
			 -EINVAL);

	offset = 0;
	assert_int_equal(cpio_next(NULL, length, &offset, &entry), -EINVAL);
	assert_int_equal(cpio_next(archive.bytes, length, NULL, &entry),
			 -EINVAL);
	assert_int_equal(cpio_next(archive.bytes, length, &offset, NULL),
			 -EINVAL);
	assert_int_equal(cpio_find(NULL, length, "/bin", &entry), -EINVAL);
}

static void test_entry_zeroed_on_error(void **state)
{
	(void)state;
	struct cpio_entry entry;
	size_t offset = 0;

	build_valid(&archive);
	archive.bytes[0] = 'x';
	memset(&entry, 0xa5, sizeof(entry));
	assert_int_equal(cpio_next(archive.bytes, archive.length, &offset,
				   &entry), -EINVAL);
	assert_null(entry.name);
	assert_null(entry.data);
	assert_int_equal(entry.name_len, 0);
	assert_int_equal(entry.size, 0);
	assert_int_equal(entry.mode, 0);
	assert_int_equal(offset, 0);
}

/* Corrupting any byte yields a valid walk or -EINVAL, never a crash. */
static void test_fuzz_corruptions(void **state)
{
	(void)state;
	static struct archive valid;
	static const uint8_t values[] = { 0x00, '0', '7', 'F', 'f', 0xff };
	int members;

	build_valid(&valid);
	for (size_t position = 0; position < valid.length; position++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			archive = valid;
			archive.bytes[position] = values[v];
			int result = walk(&archive, archive.length, &members);

			assert_true(result == 0 || result == -EINVAL);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_valid_archive),
		cmocka_unit_test(test_zero_padding_after_trailer),
		cmocka_unit_test(test_name_stripping),
		cmocka_unit_test(test_hex_digits_either_case),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_bad),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_non_hex_digits),
		cmocka_unit_test(test_namesize_bad),
		cmocka_unit_test(test_filesize_bad),
		cmocka_unit_test(test_truncated_archives),
		cmocka_unit_test(test_missing_trailer),
		cmocka_unit_test(test_bad_offsets_and_arguments),
		cmocka_unit_test(test_entry_zeroed_on_error),
		cmocka_unit_test(test_fuzz_corruptions),
	};

	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
