/* SPDX-License-Identifier: MIT */
/*
 * multiboot2.c - the bounds-checked multiboot2 boot information parser.
 *
 * The boot information is input from outside the kernel, so it is
 * decoded like any other untrusted input: every length is checked
 * against the bytes that remain before it is used, and a malformed
 * structure is an -EINVAL, never a wild read. All reads go through
 * load_u32()/load_u64() on a pointer already proven to be in bounds.
 *
 * mb2_parse() walks the tags and hands each known one to a small
 * parse_*() function that sees only that tag's bytes (a struct tag_view).
 * The results land in struct boot_info; turning the memory map into
 * allocator ranges is kernel/pmm.c's caller's job, and using the command
 * line is kernel/cmdline.c's.
 */
#include "kernel/multiboot2.h"

#include "kernel/errno.h"
#include "kernel/lib/string.h"

#define MB2_HEADER_SIZE     8   /* total_size + reserved */
#define MB2_TAG_HEADER_SIZE 8   /* type + size */
#define MB2_TAG_ALIGN       8
#define MB2_MMAP_HEADER     16  /* tag header + entry_size + entry_version */
#define MB2_MMAP_ENTRY_MIN  24  /* base + length + type + reserved */
#define MB2_MODULE_HEADER   16  /* tag header + mod_start + mod_end */
#define MB2_MEMINFO_SIZE    16  /* tag header + mem_lower + mem_upper */

/* One tag: its type, and its bytes (header included) [bytes, bytes+size). */
struct tag_view {
	uint32_t type;
	const uint8_t *bytes;
	size_t size;
};

/*
 * memcpy keeps the loads free of alignment and aliasing assumptions;
 * compilers turn a fixed 4- or 8-byte memcpy into one load.
 */
static uint32_t load_u32(const uint8_t *at)
{
	uint32_t value;

	memcpy(&value, at, sizeof(value));
	return value;
}

static uint64_t load_u64(const uint8_t *at)
{
	uint64_t value;

	memcpy(&value, at, sizeof(value));
	return value;
}

/*
 * Copy the NUL-terminated string occupying bytes [offset, tag size) of
 * the tag into dest (capacity bytes), truncating if needed. Returns
 * -EINVAL if the string has no NUL inside the tag.
 */
static int copy_tag_string(const struct tag_view *tag, size_t offset,
			   char *dest, size_t capacity)
{
	if (tag->size <= offset)
		return -EINVAL;

	const char *text = (const char *)tag->bytes + offset;
	size_t room = tag->size - offset;
	size_t length = strnlen(text, room);

	if (length == room)
		return -EINVAL;
	if (length >= capacity)
		length = capacity - 1;
	memcpy(dest, text, length);
	dest[length] = '\0';
	return 0;
}

static int parse_meminfo(const struct tag_view *tag, struct boot_info *out)
{
	if (tag->size < MB2_MEMINFO_SIZE)
		return -EINVAL;
	out->has_meminfo = true;
	out->mem_lower_kb = load_u32(tag->bytes + 8);
	out->mem_upper_kb = load_u32(tag->bytes + 12);
	return 0;
}

static int parse_module(const struct tag_view *tag, struct boot_info *out)
{
	struct mb2_module scratch;

	if (tag->size < MB2_MODULE_HEADER)
		return -EINVAL;

	/* Past the limit, still validate the tag, but into a scratch slot. */
	bool keep = out->module_count < MB2_MAX_MODULES;
	struct mb2_module *module = keep ? &out->modules[out->module_count]
					 : &scratch;

	module->start = load_u32(tag->bytes + 8);
	module->end = load_u32(tag->bytes + 12);
	if (module->start > module->end)
		return -EINVAL;

	int error = copy_tag_string(tag, MB2_MODULE_HEADER, module->name,
				    sizeof(module->name));
	if (error < 0)
		return error;
	if (keep)
		out->module_count++;
	else
		out->modules_truncated = true;
	return 0;
}

/*
 * The memory map: a header with the size of one entry (which may grow in
 * later versions of the specification, hence "at least 24"), then
 * entries. Trailing bytes too short for a whole entry are ignored.
 */
static int parse_mmap(const struct tag_view *tag, struct boot_info *out)
{
	if (tag->size < MB2_MMAP_HEADER)
		return -EINVAL;

	uint32_t entry_size = load_u32(tag->bytes + 8);

	if (entry_size < MB2_MMAP_ENTRY_MIN || entry_size % 8 != 0)
		return -EINVAL;

	size_t entry_count = (tag->size - MB2_MMAP_HEADER) / entry_size;

	out->has_mmap = true;
	for (size_t i = 0; i < entry_count; i++) {
		const uint8_t *entry = tag->bytes + MB2_MMAP_HEADER + i * entry_size;

		if (out->mmap_count == MB2_MAX_MMAP) {
			out->mmap_truncated = true;
			break;
		}
		out->mmap[out->mmap_count++] = (struct mb2_mmap_entry){
			.base = load_u64(entry),
			.length = load_u64(entry + 8),
			.type = load_u32(entry + 16),
		};
	}
	return 0;
}

static int parse_tag(const struct tag_view *tag, struct boot_info *out)
{
	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		return copy_tag_string(tag, MB2_TAG_HEADER_SIZE, out->cmdline,
				       sizeof(out->cmdline));
	case MB2_TAG_LOADER_NAME:
		return copy_tag_string(tag, MB2_TAG_HEADER_SIZE,
				       out->loader_name,
				       sizeof(out->loader_name));
	case MB2_TAG_MODULE:
		return parse_module(tag, out);
	case MB2_TAG_BASIC_MEMINFO:
		return parse_meminfo(tag, out);
	case MB2_TAG_MMAP:
		return parse_mmap(tag, out);
	default:
		return 0;       /* framebuffer, ELF sections, ACPI, ...: not ours */
	}
}

int mb2_parse(const void *info, size_t avail, struct boot_info *out)
{
	const uint8_t *bytes = info;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (info == NULL || (uintptr_t)info % MB2_TAG_ALIGN != 0)
		return -EINVAL;
	if (avail < MB2_HEADER_SIZE)
		return -EINVAL;

	/* From here on only [bytes, bytes + total_size) is ever read. */
	uint32_t total_size = load_u32(bytes);

	if (total_size < MB2_HEADER_SIZE + MB2_TAG_HEADER_SIZE ||
	    total_size > avail)
		return -EINVAL;
	out->total_size = total_size;

	size_t offset = MB2_HEADER_SIZE;

	while (total_size - offset >= MB2_TAG_HEADER_SIZE) {
		struct tag_view tag = {
			.type = load_u32(bytes + offset),
			.bytes = bytes + offset,
			.size = load_u32(bytes + offset + 4),
		};

		if (tag.size < MB2_TAG_HEADER_SIZE || tag.size > total_size - offset)
			return -EINVAL;
		if (tag.type == MB2_TAG_END)
			return 0;

		int error = parse_tag(&tag, out);

		if (error < 0)
			return error;
		/* The padding after the last tag may end exactly at total_size;
		 * anything further means there was no room for an end tag. */
		size_t padded = (tag.size + MB2_TAG_ALIGN - 1) &
				~(size_t)(MB2_TAG_ALIGN - 1);
		if (padded > total_size - offset)
			return -EINVAL;
		offset += padded;
	}
	return -EINVAL;         /* ran out of bytes before the end tag */
}

const char *mb2_mmap_type_name(uint32_t type)
{
	static const char *const names[] = {
		[MB2_MMAP_AVAILABLE] = "available",
		[MB2_MMAP_RESERVED] = "reserved",
		[MB2_MMAP_ACPI_RECLAIMABLE] = "ACPI reclaimable",
		[MB2_MMAP_ACPI_NVS] = "ACPI NVS",
		[MB2_MMAP_BAD_RAM] = "bad RAM",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type] != NULL)
		return names[type];
	return "unknown";
}
