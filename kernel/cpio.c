/* SPDX-License-Identifier: MIT */
/*
 * cpio.c - the bounds-checked cpio "newc" parser.
 *
 * The archive is a boot module: input from outside the kernel, decoded
 * like any untrusted input. Every length read from a header is a 32-bit
 * number the archive chose, so each is checked against the bytes that
 * remain *before* it is added to anything ("size > remaining", never
 * "start + size > end", which wraps around for sizes near 0xffffffff on
 * a 32-bit size_t and for offsets near SIZE_MAX on any). The format is
 * described in kernel/cpio.h; what the members become (files in the RAM
 * filesystem) is the ramfs's business.
 */
#include "kernel/cpio.h"

#include <stdbool.h>

#include "kernel/errno.h"
#include "kernel/lib/string.h"

#define CPIO_MAGIC          "070701"
#define CPIO_MAGIC_SIZE     6
#define CPIO_FIELD_DIGITS   8
#define CPIO_HEADER_SIZE    110     /* magic + 13 fields */
#define CPIO_ALIGN          4
#define CPIO_TRAILER        "TRAILER!!!"

/* The 13 header fields, in archive order (index into the field array). */
enum cpio_field {
	FIELD_INO, FIELD_MODE, FIELD_UID, FIELD_GID, FIELD_NLINK, FIELD_MTIME,
	FIELD_FILESIZE, FIELD_DEVMAJOR, FIELD_DEVMINOR, FIELD_RDEVMAJOR,
	FIELD_RDEVMINOR, FIELD_NAMESIZE, FIELD_CHECK,
	FIELD_COUNT
};

_Static_assert(CPIO_MAGIC_SIZE + FIELD_COUNT * CPIO_FIELD_DIGITS ==
	       CPIO_HEADER_SIZE, "newc header is 110 bytes");

/* Value of one hex digit (either case), or -1 if ch is not one. */
static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Decode exactly 8 hex digits at text into *value. Returns false on any
 * other character: no sign, no blank, no "0x" is allowed, unlike strtoul.
 */
static bool parse_field(const char *text, uint32_t *value)
{
	uint32_t result = 0;

	for (int i = 0; i < CPIO_FIELD_DIGITS; i++) {
		int digit = hex_digit(text[i]);

		if (digit < 0)
			return false;
		result = (result << 4) | (uint32_t)digit;
	}
	*value = result;
	return true;
}

/*
 * How many padding bytes follow position to reach a multiple of 4. The
 * alignment is counted from the archive's start, as cpio writes it.
 */
static size_t padding_after(size_t position)
{
	return (CPIO_ALIGN - position % CPIO_ALIGN) % CPIO_ALIGN;
}

/*
 * Skip leading "/" and "./" components, and turn a lone "." into "".
 * Only a prefix is removed, so the result stays NUL-terminated.
 */
static const char *strip_leading(const char *path)
{
	for (;;) {
		if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '/')
			path += 2;
		else if (path[0] == '.' && path[1] == '\0')
			path++;
		else
			return path;
	}
}

/* The fail path of cpio_next(): nothing half-filled escapes. */
static int fail(struct cpio_entry *entry, int error)
{
	if (entry != NULL)
		memset(entry, 0, sizeof(*entry));
	return error;
}

int cpio_next(const void *archive, size_t archive_size, size_t *offset,
	      struct cpio_entry *entry)
{
	const char *bytes = archive;
	uint32_t fields[FIELD_COUNT];

	if (archive == NULL || offset == NULL || entry == NULL)
		return fail(entry, -EINVAL);

	size_t header = *offset;

	/* An archive that ends (or an offset that points) past the last
	 * full header never reached its trailer. */
	if (header > archive_size || archive_size - header < CPIO_HEADER_SIZE)
		return fail(entry, -EINVAL);
	if (memcmp(bytes + header, CPIO_MAGIC, CPIO_MAGIC_SIZE) != 0)
		return fail(entry, -EINVAL);
	for (int i = 0; i < FIELD_COUNT; i++) {
		const char *text = bytes + header + CPIO_MAGIC_SIZE +
				   (size_t)i * CPIO_FIELD_DIGITS;

		if (!parse_field(text, &fields[i]))
			return fail(entry, -EINVAL);
	}

	/* The name: namesize bytes, NUL included, right after the header. */
	size_t name_start = header + CPIO_HEADER_SIZE;
	size_t name_size = fields[FIELD_NAMESIZE];

	if (name_size == 0 || name_size > archive_size - name_start)
		return fail(entry, -EINVAL);

	const char *name = bytes + name_start;

	/* Only the last byte must be NUL; an earlier NUL would just make
	 * the name shorter, which the strlen below accepts. */
	if (name[name_size - 1] != '\0')
		return fail(entry, -EINVAL);

	/* The trailer ends the walk. *offset stays on it, and its padding
	 * and data are never looked at, so an archive cut right after the
	 * trailer's name is still complete. */
	if (strcmp(name, CPIO_TRAILER) == 0)
		return fail(entry, 0);

	size_t name_end = name_start + name_size;
	size_t name_padding = padding_after(name_end);

	if (name_padding > archive_size - name_end)
		return fail(entry, -EINVAL);

	size_t data_start = name_end + name_padding;
	size_t data_size = fields[FIELD_FILESIZE];

	if (data_size > archive_size - data_start)
		return fail(entry, -EINVAL);

	size_t data_end = data_start + data_size;
	size_t padding = padding_after(data_end);

	/* The next header must fit anyway, so a missing last padding only
	 * matters for the next call, which then reports the missing
	 * trailer. Clamp so that *offset never wraps around. */
	*offset = padding <= archive_size - data_end ? data_end + padding
						     : archive_size;

	const char *stripped = strip_leading(name);

	entry->name = stripped;
	entry->name_len = strlen(stripped);
	entry->data = bytes + data_start;
	entry->size = data_size;
	entry->mode = fields[FIELD_MODE];
	entry->uid = fields[FIELD_UID];
	entry->gid = fields[FIELD_GID];
	entry->mtime = fields[FIELD_MTIME];
	return 1;
}

int cpio_find(const void *archive, size_t archive_size, const char *path,
	      struct cpio_entry *entry)
{
	if (path == NULL)
		return fail(entry, -EINVAL);

	const char *wanted = strip_leading(path);
	size_t wanted_len = strlen(wanted);
	size_t offset = 0;
	int result;

	for (;;) {
		result = cpio_next(archive, archive_size, &offset, entry);
		if (result != 1)
			break;
		if (entry->name_len == wanted_len &&
		    memcmp(entry->name, wanted, wanted_len) == 0)
			return 0;
	}
	return result == 0 ? fail(entry, -ENOENT) : result;
}
