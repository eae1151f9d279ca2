/* SPDX-License-Identifier: MIT */
/*
 * elf.h - validate a static x86_64 ELF executable and say what to load.
 *
 * Loupe runs the same static binaries as Linux (musl-gcc -static), so
 * execve() must understand ELF64. This header has the two on-disk
 * structures the kernel reads, the ELF header and the program headers
 * (from the System V gABI and the x86-64 psABI; names lower-cased after
 * Loupe's style instead of Elf64_Ehdr/Elf64_Phdr), and elf_parse(),
 * which checks a whole file and reduces it to a struct elf_image: the
 * entry point, the segments to map and the values the auxiliary vector
 * needs. elf_parse() never maps or allocates anything; the loader that
 * does (kernel/exec.c) trusts a struct elf_image and need not re-check
 * the file. Section headers are never read: loading needs only segments.
 */
#ifndef LOUPE_ELF_H
#define LOUPE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* e_ident[] indexes and the values Loupe accepts. */
#define EI_MAG0         0       /* 0x7f 'E' 'L' 'F' */
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define EI_NIDENT       16
#define ELFCLASS64      2
#define ELFDATA2LSB     1       /* little endian */
#define EV_CURRENT      1

/* e_type */
#define ET_EXEC         2       /* fixed addresses */
#define ET_DYN          3       /* position independent (static-pie) */

/* e_machine */
#define EM_X86_64       62

/* p_type */
#define PT_NULL         0
#define PT_LOAD         1
#define PT_DYNAMIC      2
#define PT_INTERP       3
#define PT_NOTE         4
#define PT_PHDR         6
#define PT_TLS          7
#define PT_GNU_EH_FRAME 0x6474e550
#define PT_GNU_STACK    0x6474e551
#define PT_GNU_RELRO    0x6474e552

/* p_flags */
#define PF_X            1
#define PF_W            2
#define PF_R            4

/* The ELF64 file header, at offset 0 of the file. */
struct elf64_header {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;       /* virtual address of the first instruction */
	uint64_t e_phoff;       /* file offset of the program header table */
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;   /* size of one program header: 56 */
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* One ELF64 program header: a segment, or a note about the image. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;       /* PF_* */
	uint64_t p_offset;      /* where the segment's bytes are in the file */
	uint64_t p_vaddr;       /* where they go in memory */
	uint64_t p_paddr;       /* unused */
	uint64_t p_filesz;      /* bytes copied from the file... */
	uint64_t p_memsz;       /* ...the rest up to memsz is zeros (.bss) */
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_header) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr is 56 bytes");

#define ELF_PAGE_SIZE           4096
#define ELF_MAX_PHNUM           64
#define ELF_MAX_LOAD_SEGMENTS   16

/* Segment protections; the same values as Linux's PROT_* for mmap. */
#define ELF_PROT_READ   1
#define ELF_PROT_WRITE  2
#define ELF_PROT_EXEC   4

/*
 * One PT_LOAD segment: map [vaddr, vaddr + memsz) with prot, fill its
 * first filesz bytes from file offset file_offset and zero the rest.
 * vaddr and file_offset need not be page aligned, but they are equal
 * modulo ELF_PAGE_SIZE, so a loader may map whole file pages.
 */
struct elf_load_segment {
	uint64_t vaddr, memsz, file_offset, filesz;
	uint32_t prot;          /* ELF_PROT_* */
};

struct elf_image {
	uint64_t entry;         /* AT_ENTRY and the first user RIP */
	/*
	 * ET_DYN (static-pie): the file was linked at 0 and the caller
	 * chooses a page-aligned load bias, adding it to entry,
	 * phdr_vaddr, every segment's vaddr and lowest/highest_vaddr.
	 * ET_EXEC: the addresses are final (the bias is 0).
	 */
	bool position_independent;
	/*
	 * AT_PHDR: where the program headers are in the loaded image (musl
	 * finds PT_TLS through it). PT_PHDR's vaddr if there is one, else
	 * the address the PT_LOAD whose file bytes contain the whole table
	 * gives it; 0 if no PT_LOAD does (then the caller must not pass
	 * AT_PHDR, or must copy the table somewhere itself).
	 */
	uint64_t phdr_vaddr;
	uint16_t phent, phnum;  /* AT_PHENT (56), AT_PHNUM */
	/*
	 * True only if PT_GNU_STACK asks for an executable stack (PF_X).
	 * Without PT_GNU_STACK Linux on x86_64 still makes the stack
	 * executable for old binaries; Loupe does not: every toolchain it
	 * supports emits PT_GNU_STACK, and NX is the safer default.
	 */
	bool stack_executable;
	size_t nsegments;       /* PT_LOADs with memsz > 0, in file order */
	struct elf_load_segment segments[ELF_MAX_LOAD_SEGMENTS];
	/* The page-rounded extent of all segments: [lowest, highest). */
	uint64_t lowest_vaddr, highest_vaddr;
};

/*
 * Check that file[0, size) is a static x86_64 ELF64 executable whose
 * segments fit below user_limit, and describe it in *out (zeroed first,
 * and zeroed again on error, so a failed parse leaves nothing usable).
 *
 * Only static executables are supported: a PT_INTERP (a request for a
 * dynamic linker, such as /lib/ld-musl-x86_64.so.1) is refused. An
 * ET_DYN without PT_INTERP is taken to be a static-pie, which relocates
 * itself (finding its load bias through AT_PHDR), and is marked
 * position_independent.
 *
 * Returns 0, or -EINVAL if file or out is NULL, or -ENOEXEC if:
 *   (1) the file is shorter than the ELF header;
 *   (2) e_ident is not 0x7f "ELF", ELFCLASS64, ELFDATA2LSB, EV_CURRENT,
 *       or e_version is not EV_CURRENT;
 *   (3) e_machine is not EM_X86_64 or e_type is not ET_EXEC or ET_DYN;
 *   (4) e_phentsize is not 56, e_phnum is 0 or above ELF_MAX_PHNUM, or
 *       the program header table does not lie inside the file;
 *   (5) there is a PT_INTERP;
 *   (6) a PT_LOAD has filesz > memsz, a file range outside the file,
 *       vaddr % 4096 != p_offset % 4096, or vaddr + memsz above
 *       user_limit (or wrapping around);
 *   (7) no PT_LOAD has memsz > 0, or more than ELF_MAX_LOAD_SEGMENTS do;
 *   (8) two PT_LOAD byte ranges [vaddr, vaddr + memsz) overlap (sharing
 *       a page is fine: linkers put the end of one segment and the start
 *       of the next in the same page, and the loader must merge them);
 *   (9) e_entry is not inside a PT_LOAD with PF_X.
 * PT_LOADs with memsz 0 are ignored once (6)'s filesz check has passed.
 * For ET_DYN every check uses the un-biased addresses, so the caller
 * must also check that bias + highest_vaddr stays below its limit.
 * Other segment types (PT_TLS, PT_GNU_RELRO, PT_NOTE, ...) are allowed
 * and not looked at: musl reads PT_TLS itself through AT_PHDR.
 */
int elf_parse(const void *file, size_t size, uint64_t user_limit,
	      struct elf_image *out);

#endif
