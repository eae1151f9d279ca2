/* SPDX-License-Identifier: MIT */
/*
 * elf.c - the ELF64 executable checker behind execve().
 *
 * An executable is input from user space, so elf_parse() treats every
 * field as hostile: offsets and sizes are 64-bit numbers the file chose,
 * and each is compared with what remains ("size > limit - start") before
 * it is added to anything, so no sum can wrap around. Headers are copied
 * out with memcpy, so the file needs no particular alignment. The rules
 * are listed as a numbered contract in kernel/elf.h; each check below
 * names its rule. Mapping the segments and building the stack with the
 * auxiliary vector is kernel/exec.c's job.
 */
#include "kernel/elf.h"

#include "kernel/errno.h"
#include "kernel/lib/string.h"

#define ELF_PHDR_SIZE sizeof(struct elf64_phdr)
#define PAGE_OFFSET_MASK ((uint64_t)ELF_PAGE_SIZE - 1)

/* The one error exit: a rejected file leaves nothing behind in *out. */
static int reject(struct elf_image *out)
{
	memset(out, 0, sizeof(*out));
	return -ENOEXEC;
}

/* True if [start, start + length) lies inside [0, limit), without overflow. */
static bool range_inside(uint64_t start, uint64_t length, uint64_t limit)
{
	return start <= limit && length <= limit - start;
}

/* Rules (1) to (4): the ELF header and where the program headers are. */
static bool header_valid(const struct elf64_header *header, size_t size)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (memcmp(&header->e_ident[EI_MAG0], magic, sizeof(magic)) != 0 ||
	    header->e_ident[EI_CLASS] != ELFCLASS64 ||
	    header->e_ident[EI_DATA] != ELFDATA2LSB ||
	    header->e_ident[EI_VERSION] != EV_CURRENT ||
	    header->e_version != EV_CURRENT)
		return false;
	if (header->e_machine != EM_X86_64 ||
	    (header->e_type != ET_EXEC && header->e_type != ET_DYN))
		return false;
	/* A larger e_phentsize would be legal ELF, but nobody emits one,
	 * and insisting on 56 keeps the table arithmetic obvious. */
	if (header->e_phentsize != ELF_PHDR_SIZE || header->e_phnum == 0 ||
	    header->e_phnum > ELF_MAX_PHNUM)
		return false;
	return range_inside(header->e_phoff,
			    (uint64_t)header->e_phnum * ELF_PHDR_SIZE, size);
}

/* Rule (6): one PT_LOAD on its own. */
static bool load_valid(const struct elf64_phdr *phdr, size_t size,
		       uint64_t user_limit)
{
	if (phdr->p_filesz > phdr->p_memsz)
		return false;
	if (!range_inside(phdr->p_offset, phdr->p_filesz, size))
		return false;
	/* Pages are mapped whole, so a file page must land on a memory
	 * page at the same offset within it. */
	if ((phdr->p_vaddr & PAGE_OFFSET_MASK) !=
	    (phdr->p_offset & PAGE_OFFSET_MASK))
		return false;
	return range_inside(phdr->p_vaddr, phdr->p_memsz, user_limit);
}

static uint32_t prot_from_flags(uint32_t flags)
{
	return ((flags & PF_R) ? ELF_PROT_READ : 0) |
	       ((flags & PF_W) ? ELF_PROT_WRITE : 0) |
	       ((flags & PF_X) ? ELF_PROT_EXEC : 0);
}

/*
 * Rules (6) and (7) for one PT_LOAD: check it, then append it to
 * out->segments unless it is empty. False if the file must be rejected.
 */
static bool add_segment(struct elf_image *out, const struct elf64_phdr *phdr,
			size_t size, uint64_t user_limit)
{
	if (!load_valid(phdr, size, user_limit))
		return false;
	if (phdr->p_memsz == 0)
		return true;
	if (out->nsegments == ELF_MAX_LOAD_SEGMENTS)
		return false;
	out->segments[out->nsegments++] = (struct elf_load_segment){
		.vaddr = phdr->p_vaddr,
		.memsz = phdr->p_memsz,
		.file_offset = phdr->p_offset,
		.filesz = phdr->p_filesz,
		.prot = prot_from_flags(phdr->p_flags),
	};
	return true;
}

/* Rule (8): do any two segments share a byte? */
static bool segments_overlap(const struct elf_image *image)
{
	for (size_t i = 0; i < image->nsegments; i++) {
		const struct elf_load_segment *a = &image->segments[i];

		for (size_t j = i + 1; j < image->nsegments; j++) {
			const struct elf_load_segment *b = &image->segments[j];

			if (a->vaddr < b->vaddr + b->memsz &&
			    b->vaddr < a->vaddr + a->memsz)
				return true;
		}
	}
	return false;
}

/* Rule (9): is entry inside an executable segment? */
static bool entry_executable(const struct elf_image *image)
{
	for (size_t i = 0; i < image->nsegments; i++) {
		const struct elf_load_segment *segment = &image->segments[i];

		if ((segment->prot & ELF_PROT_EXEC) &&
		    image->entry >= segment->vaddr &&
		    image->entry - segment->vaddr < segment->memsz)
			return true;
	}
	return false;
}

/*
 * Where the program header table [phoff, phoff + table_size) of the file
 * ends up in memory: in the segment whose file bytes hold all of it.
 * Returns 0 if no segment does.
 */
static uint64_t phdr_address(const struct elf_image *image, uint64_t phoff,
			     uint64_t table_size)
{
	for (size_t i = 0; i < image->nsegments; i++) {
		const struct elf_load_segment *segment = &image->segments[i];

		/* Both ranges are inside the file, so nothing here wraps. */
		uint64_t file_end = segment->file_offset + segment->filesz;

		if (phoff >= segment->file_offset &&
		    phoff + table_size <= file_end)
			return segment->vaddr + (phoff - segment->file_offset);
	}
	return 0;
}

/*
 * Set lowest/highest_vaddr to the page-rounded extent of the segments.
 * Fails only if rounding the end up would wrap, which needs a
 * user_limit within a page of 2^64.
 */
static bool compute_extent(struct elf_image *image)
{
	uint64_t lowest = UINT64_MAX, highest = 0;

	for (size_t i = 0; i < image->nsegments; i++) {
		const struct elf_load_segment *segment = &image->segments[i];
		uint64_t end = segment->vaddr + segment->memsz;

		if (segment->vaddr < lowest)
			lowest = segment->vaddr;
		if (end > highest)
			highest = end;
	}
	if (highest > UINT64_MAX - PAGE_OFFSET_MASK)
		return false;
	image->lowest_vaddr = lowest & ~PAGE_OFFSET_MASK;
	image->highest_vaddr = (highest + PAGE_OFFSET_MASK) & ~PAGE_OFFSET_MASK;
	return true;
}

int elf_parse(const void *file, size_t size, uint64_t user_limit,
	      struct elf_image *out)
{
	const uint8_t *bytes = file;
	struct elf64_header header;
	bool have_pt_phdr = false;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (file == NULL)
		return -EINVAL;

	if (size < sizeof(header))                              /* (1) */
		return reject(out);
	memcpy(&header, bytes, sizeof(header));
	if (!header_valid(&header, size))                       /* (2)-(4) */
		return reject(out);

	for (uint16_t i = 0; i < header.e_phnum; i++) {
		struct elf64_phdr phdr;

		memcpy(&phdr, bytes + header.e_phoff + i * ELF_PHDR_SIZE,
		       sizeof(phdr));
		switch (phdr.p_type) {
		case PT_INTERP:                                 /* (5) */
			return reject(out);
		case PT_PHDR:
			have_pt_phdr = true;
			out->phdr_vaddr = phdr.p_vaddr;
			break;
		case PT_GNU_STACK:
			out->stack_executable = (phdr.p_flags & PF_X) != 0;
			break;
		case PT_LOAD:
			if (!add_segment(out, &phdr, size, user_limit))
				return reject(out);
			break;
		default:
			break;
		}
	}

	out->entry = header.e_entry;
	if (out->nsegments == 0)                                /* (7) */
		return reject(out);
	if (segments_overlap(out))                              /* (8) */
		return reject(out);
	if (!entry_executable(out))                             /* (9) */
		return reject(out);
	if (!compute_extent(out))
		return reject(out);

	out->position_independent = header.e_type == ET_DYN;
	out->phent = header.e_phentsize;
	out->phnum = header.e_phnum;
	if (!have_pt_phdr)
		out->phdr_vaddr = phdr_address(out, header.e_phoff,
					       (uint64_t)header.e_phnum *
					       ELF_PHDR_SIZE);
	return 0;
}
