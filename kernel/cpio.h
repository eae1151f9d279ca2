/* SPDX-License-Identifier: MIT */
/*
 * cpio.h - read the members of a cpio "newc" archive in place.
 *
 * The root filesystem reaches the kernel as one multiboot2 module: a cpio
 * archive that the Makefile builds from user/ with `cpio -o -H newc`.
 * This parser walks that archive without copying or allocating; each
 * entry it returns points into the archive itself, so the archive must
 * stay mapped while the entries are in use. Unpacking the entries into
 * the RAM filesystem is the caller's job (the ramfs), not this file's.
 *
 * The newc format (also what Linux's initramfs uses), byte offsets from
 * the start of the archive:
 *
 *   header   110 bytes: the magic "070701", then 13 fields of exactly
 *            8 ASCII hex digits: ino, mode, uid, gid, nlink, mtime,
 *            filesize, devmajor, devminor, rdevmajor, rdevminor,
 *            namesize (including the NUL), check (always 0 for newc)
 *   name     namesize bytes, the last one NUL, then zero padding up to
 *            the next multiple of 4 from the archive's start
 *   data     filesize bytes (a symlink's data is its target), then
 *            padding to a multiple of 4
 *
 * Members follow each other until one named "TRAILER!!!"; tools usually
 * pad the archive with zeros after it (to a 512-byte block), which is
 * never read.
 */
#ifndef LOUPE_CPIO_H
#define LOUPE_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* File type bits of cpio_entry.mode (the st_mode values). */
#define CPIO_MODE_TYPE_MASK 0170000
#define CPIO_MODE_DIR       0040000
#define CPIO_MODE_REGULAR   0100000
#define CPIO_MODE_SYMLINK   0120000

/* One member, pointing into the archive. */
struct cpio_entry {
	/*
	 * The member's path, NUL-terminated, with any leading "./" and "/"
	 * stripped, so "./bin/sh" and "/bin/sh" both read "bin/sh"; the
	 * archive root "." (or "./") becomes "". name_len excludes the NUL.
	 */
	const char *name;
	size_t name_len;
	const void *data;       /* size bytes; for a symlink, its target */
	size_t size;
	uint32_t mode;          /* type (CPIO_MODE_*) and permission bits */
	uint32_t uid, gid;
	uint32_t mtime;         /* seconds since the epoch */
};

/*
 * Read the member at *offset of the archive [archive, archive +
 * archive_size). Start with *offset = 0 and call again until the result
 * is not 1.
 *
 * Returns 1 with *entry filled and *offset advanced to the next member;
 * 0 at the trailer ("TRAILER!!!"), leaving *offset on the trailer so that
 * further calls keep returning 0; -EINVAL if the archive is malformed:
 * a bad magic, a field that is not 8 hex digits, namesize 0, a name
 * whose last byte (namesize - 1) is not NUL, a header, name or data that
 * runs past archive_size, *offset past the end (an archive that ends
 * without a trailer), or a NULL argument. On any result but 1, *entry is
 * zeroed. Reads nothing at or after archive + archive_size.
 *
 * The fields are taken as they are: the parser does not check that a
 * directory has no data or that the mode is a known type. Hard links
 * (nlink > 1) are not resolved: newc stores their data only with the
 * last link, and the others come back with size 0.
 */
int cpio_next(const void *archive, size_t archive_size, size_t *offset,
	      struct cpio_entry *entry);

/*
 * Find the first member whose stripped name is exactly path with its
 * leading "./" and "/" stripped the same way ("/bin/sh", "bin/sh" and
 * "./bin/sh" are the same; "" or "/" is the root entry). No other
 * normalisation happens: "bin//sh" and "bin/sh/" are different paths.
 *
 * Returns 0 with *entry filled; -ENOENT if the trailer comes first;
 * -EINVAL if the archive is malformed before a match (cpio_next's rules)
 * or an argument is NULL. On error *entry is zeroed.
 */
int cpio_find(const void *archive, size_t archive_size, const char *path,
	      struct cpio_entry *entry);

#endif
