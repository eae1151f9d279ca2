/* SPDX-License-Identifier: MIT */
/*
 * addrspace.h - a process's user address space: its page tables and the
 * list of regions (VMAs) it may touch (kernel/addrspace.c).
 *
 * Pages are created lazily: a region says what may be mapped, a page
 * fault (or a kernel copy into user memory) creates the page. After fork
 * both sides share every page copy-on-write.
 */
#ifndef LOUPE_ADDRSPACE_H
#define LOUPE_ADDRSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROT_NONE  0
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4

/* The user layout. USER_STACK_TOP stays a page below the canonical hole. */
#define USER_MIN_ADDRESS  0x10000UL             /* like Linux's mmap_min_addr */
#define USER_STACK_TOP    0x00007ffffffff000UL  /* also the end of mappable memory: the last
						 * page below the hole stays unmapped, see sysret.c */
#define USER_MAP_END      USER_STACK_TOP
#define USER_STACK_SIZE   (8UL << 20)
#define USER_MMAP_TOP     0x00007f0000000000UL  /* mmap without a hint grows down from here */
#define USER_BRK_MAX      (1UL << 30)           /* the heap may grow 1 GiB past the image */

enum vma_kind { VMA_ANON, VMA_IMAGE, VMA_HEAP, VMA_STACK };

struct vma {
	uint64_t start, end;            /* [start, end), page aligned */
	uint32_t prot;                  /* PROT_* */
	enum vma_kind kind;             /* for /proc/<pid>/maps; no effect on behaviour */
	uint64_t file_offset;           /* VMA_IMAGE: where start is in the program file (maps) */
	struct vma *next;               /* sorted by start, never overlapping */
};

struct address_space {
	uint64_t pml4;                  /* physical; what CR3 holds while it runs */
	struct vma *vmas;
	uint64_t brk_start, brk;        /* the heap is [brk_start, brk) */
	uint64_t generation;            /* unique per address space, never reused */
};

/* How an access wants to use a page. */
#define ACCESS_READ  0x1
#define ACCESS_WRITE 0x2
#define ACCESS_EXEC  0x4

struct address_space *addrspace_create(void);
void addrspace_destroy(struct address_space *as);

/* A copy-on-write duplicate of `parent` for fork; NULL when out of memory. */
struct address_space *addrspace_clone(struct address_space *parent);

/*
 * Add a region [start, start + length) with prot; nothing is mapped
 * until touched. Replaces whatever was there. Returns 0, -ENOMEM.
 */
int addrspace_map(struct address_space *as, uint64_t start, uint64_t length,
		  uint32_t prot, enum vma_kind kind);

/* Remove [start, start + length): regions split, pages released. Returns 0 or -ENOMEM. */
int addrspace_unmap(struct address_space *as, uint64_t start, uint64_t length);

/* Change the protection of [start, start + length); -ENOMEM if not all mapped. */
int addrspace_protect(struct address_space *as, uint64_t start, uint64_t length, uint32_t prot);

/* The region containing addr, or NULL. */
struct vma *addrspace_find(struct address_space *as, uint64_t addr);

/* Is [start, start + length) free of regions? */
bool addrspace_range_free(struct address_space *as, uint64_t start, uint64_t length);

/* The highest free gap of `length` bytes below `below`, or 0. */
uint64_t addrspace_find_free(struct address_space *as, uint64_t length, uint64_t below);

/*
 * Resolve a page fault at addr for `access` (ACCESS_*): create a missing
 * page, or copy a copy-on-write one. Returns 0 when the access may now
 * be retried, -EFAULT when no region covers addr (SEGV_MAPERR), -EACCES
 * when the region forbids the access (SEGV_ACCERR), -ENOMEM.
 */
int addrspace_fault(struct address_space *as, uint64_t addr, unsigned access);

/*
 * Copy between the kernel and user memory of `as`, page by page through
 * the direct map, resolving faults on the way: the kernel never touches
 * user memory through user addresses. Returns the bytes copied; fewer
 * than len means the byte after them could not be accessed.
 */
size_t addrspace_read(struct address_space *as, uint64_t addr, void *buffer, size_t len);
size_t addrspace_write(struct address_space *as, uint64_t addr, const void *buffer, size_t len);

/*
 * Write whatever the region's protection says, as the ELF loader (and,
 * later, a tracer planting a breakpoint in text) must. The page must lie
 * in a region. A page shared with another address space is first copied,
 * so the write stays private to `as`; the page keeps its protection.
 * Returns the bytes written, short at the first byte outside any region.
 */
size_t addrspace_poke(struct address_space *as, uint64_t addr, const void *buffer, size_t len);

/*
 * The tracer's access (/proc/<pid>/mem): read or write whatever the
 * protection says, except PROT_NONE regions, which stay inaccessible.
 * Writes go through addrspace_poke's private copy. Returns the bytes
 * done; short at the first byte outside an accessible region.
 */
size_t addrspace_access_forced(struct address_space *as, uint64_t addr, void *buffer, size_t len,
			       bool write);

#endif
