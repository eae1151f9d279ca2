/* SPDX-License-Identifier: MIT */
/*
 * multiboot2.h - what the boot loader told us, in a form we trust.
 *
 * GRUB leaves a multiboot2 boot information structure in memory and
 * passes its physical address in EBX (with MB2_BOOTLOADER_MAGIC in EAX).
 * mb2_parse() validates that structure completely and copies what the
 * kernel needs into a struct boot_info, so nothing after early boot ever
 * reads loader-provided memory again (and the loader's memory can be
 * reused). The multiboot2 header that asks GRUB for all this is the NASM
 * half, in arch/x86_64/.
 *
 * Layout, from the Multiboot2 specification (section 3.6):
 *   u32 total_size, u32 reserved, then tags, each 8-byte aligned:
 *   u32 type, u32 size (header included, padding excluded), payload;
 *   the last tag is type 0, size 8.
 */
#ifndef LOUPE_MULTIBOOT2_H
#define LOUPE_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define MB2_MAX_MMAP      64
#define MB2_MAX_MODULES   16
#define MB2_CMDLINE_MAX   1024
#define MB2_NAME_MAX      128

/* Tag types the parser understands; every other type is skipped. */
#define MB2_TAG_END           0
#define MB2_TAG_CMDLINE       1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE        3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP          6

/* Memory map entry types, as in the specification. */
#define MB2_MMAP_AVAILABLE        1
#define MB2_MMAP_RESERVED         2
#define MB2_MMAP_ACPI_RECLAIMABLE 3
#define MB2_MMAP_ACPI_NVS         4
#define MB2_MMAP_BAD_RAM          5

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;          /* MB2_MMAP_*; 1 = available RAM */
};

struct mb2_module {
	uint32_t start;         /* [start, end) physical */
	uint32_t end;
	char name[MB2_NAME_MAX];        /* the module's command line */
};

struct boot_info {
	uint32_t total_size;    /* of the loader's structure, in bytes */
	char cmdline[MB2_CMDLINE_MAX];
	char loader_name[MB2_NAME_MAX];

	bool has_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;

	bool has_mmap;
	size_t mmap_count;
	bool mmap_truncated;    /* more than MB2_MAX_MMAP entries; kept the first */
	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];

	size_t module_count;
	bool modules_truncated; /* more than MB2_MAX_MODULES; kept the first */
	struct mb2_module modules[MB2_MAX_MODULES];
};

/*
 * Validate the boot information at info and fill *out (zeroed first).
 * avail is how many bytes from info the caller guarantees are readable;
 * nothing at or beyond min(total_size, avail) is ever read.
 *
 * Returns 0, or -EINVAL if: info or out is NULL; info is not 8-aligned;
 * total_size < 16 or > avail; a tag's size is < 8 or it runs past
 * total_size; no end tag; an mmap tag has size < 16, entry_size < 24 or
 * not a multiple of 8; a basic meminfo tag has size < 16; a module tag
 * has size < 16 or start > end; a cmdline, loader name or module string
 * is not NUL-terminated inside its tag. On error *out holds whatever was
 * parsed so far and must not be used.
 *
 * Strings longer than their boot_info field are truncated (still
 * NUL-terminated). Several mmap tags are concatenated; a repeated
 * cmdline or loader name tag replaces the earlier one. An end tag larger
 * than 8 bytes is accepted.
 */
int mb2_parse(const void *info, size_t avail, struct boot_info *out);

/* A human name for an MB2_MMAP_* type ("available", ..., "unknown"). */
const char *mb2_mmap_type_name(uint32_t type);

#endif
