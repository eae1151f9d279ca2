/* SPDX-License-Identifier: MIT */
/*
 * addrspace.c - user address spaces: regions, lazy pages, copy-on-write.
 *
 * Two layers describe user memory:
 *   - the regions (struct vma, a sorted list): what the program may use,
 *     with which protection. mmap, munmap, mprotect, brk and exec only
 *     edit this list (and drop pages that leave it);
 *   - the page tables: what is actually there. A page appears the first
 *     time it is touched, through addrspace_fault(), zero-filled.
 *
 * Copy-on-write: fork (addrspace_clone) maps every page of the parent
 * into the child too, with the write bit cleared on both sides and the
 * software bit PTE_COW set on pages their region allows writing. The
 * first write to such a page faults; addrspace_fault copies it (or, if
 * nobody else maps it any more, just makes it writable again). Frames
 * are shared, so they carry reference counts (kernel/page.c).
 *
 * The kernel reaches user memory only through addrspace_read/write,
 * which translate each page and copy through the direct map. So a bad
 * user pointer is a short copy, never a kernel page fault, and the same
 * code can reach another process's memory (the tracer's /proc/<pid>/mem).
 *
 * Page tables come from kernel/vmm.c; this file never touches the upper
 * (kernel) half.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/page.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/vmm.h"

static uint64_t next_generation = 1;

static inline uint64_t page_floor(uint64_t addr) { return addr & ~(uint64_t)(PAGE_SIZE - 1); }

/* The leaf flags for a page of a region with `prot`; COW pages never get PTE_WRITE. */
static uint64_t pte_flags_for(uint32_t prot, bool cow)
{
	uint64_t flags = PTE_PRESENT;

	/* x86 cannot express "present but inaccessible": PROT_NONE keeps the
	 * page for the kernel but hides it from user mode (no PTE_USER). */
	if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		flags |= PTE_USER;
	if ((prot & PROT_WRITE) && !cow)
		flags |= PTE_WRITE;
	if (cow)
		flags |= PTE_COW;
	if (!(prot & PROT_EXEC))
		flags |= PTE_NX;
	return flags;
}

struct address_space *addrspace_create(void)
{
	struct address_space *as = kzalloc(sizeof(*as));

	if (!as)
		return NULL;
	as->pml4 = vmm_new_pml4();
	if (!as->pml4) {
		kfree(as);
		return NULL;
	}
	as->generation = next_generation++;
	return as;
}

static void release_page(uint64_t virt, uint64_t *pte, void *context)
{
	(void)virt;
	(void)context;
	page_put(*pte & PTE_ADDR_MASK);
	*pte = 0;
}

void addrspace_destroy(struct address_space *as)
{
	if (!as)
		return;
	vmm_for_each_user_pte(as->pml4, release_page, NULL);
	vmm_free_pml4(as->pml4);
	while (as->vmas) {
		struct vma *next = as->vmas->next;
		kfree(as->vmas);
		as->vmas = next;
	}
	kfree(as);
}

struct vma *addrspace_find(struct address_space *as, uint64_t addr)
{
	for (struct vma *vma = as->vmas; vma && vma->start <= addr; vma = vma->next)
		if (addr < vma->end)
			return vma;
	return NULL;
}

bool addrspace_range_free(struct address_space *as, uint64_t start, uint64_t length)
{
	uint64_t end = start + length;

	for (struct vma *vma = as->vmas; vma; vma = vma->next)
		if (vma->start < end && start < vma->end)
			return false;
	return true;
}

uint64_t addrspace_find_free(struct address_space *as, uint64_t length, uint64_t below)
{
	/* Walk the gaps from the top down: candidate = highest end below `below` that fits. */
	uint64_t best = 0;
	uint64_t gap_start = USER_MIN_ADDRESS;

	for (struct vma *vma = as->vmas;; vma = vma->next) {
		uint64_t gap_end = vma ? vma->start : below;
		if (gap_end > below)
			gap_end = below;
		if (gap_end > gap_start && gap_end - gap_start >= length)
			best = gap_end - length;
		if (!vma || vma->end >= below)
			break;
		if (vma->end > gap_start)
			gap_start = vma->end;
	}
	return best;
}

/* Split the region containing addr so that a region starts exactly at addr. */
static int vma_split_at(struct address_space *as, uint64_t addr)
{
	struct vma *vma = addrspace_find(as, addr);

	if (!vma || vma->start == addr)
		return 0;
	struct vma *upper = kmalloc(sizeof(*upper));
	if (!upper)
		return -ENOMEM;
	*upper = *vma;
	upper->start = addr;
	upper->file_offset += addr - vma->start;
	vma->end = addr;
	vma->next = upper;
	return 0;
}

static void unmap_pages(struct address_space *as, uint64_t start, uint64_t end)
{
	for (uint64_t virt = start; virt < end; virt += PAGE_SIZE) {
		uint64_t *pte = vmm_pte(as->pml4, virt, false);
		if (!pte || !(*pte & PTE_PRESENT))
			continue;
		page_put(*pte & PTE_ADDR_MASK);
		*pte = 0;
		vmm_flush_page(as->pml4, virt);
	}
}

int addrspace_unmap(struct address_space *as, uint64_t start, uint64_t length)
{
	uint64_t end = start + length;

	if (vma_split_at(as, start) || vma_split_at(as, end))
		return -ENOMEM;
	for (struct vma **link = &as->vmas; *link;) {
		struct vma *vma = *link;
		if (vma->start >= start && vma->end <= end) {
			*link = vma->next;
			kfree(vma);
		} else {
			link = &vma->next;
		}
	}
	unmap_pages(as, start, end);
	return 0;
}

int addrspace_map(struct address_space *as, uint64_t start, uint64_t length,
		  uint32_t prot, enum vma_kind kind)
{
	struct vma *vma = kmalloc(sizeof(*vma));

	if (!vma)
		return -ENOMEM;
	int error = addrspace_unmap(as, start, length);
	if (error) {
		kfree(vma);
		return error;
	}
	*vma = (struct vma){ start, start + length, prot, kind, 0, NULL };
	struct vma **link = &as->vmas;
	while (*link && (*link)->start < start)
		link = &(*link)->next;
	vma->next = *link;
	*link = vma;
	return 0;
}

int addrspace_protect(struct address_space *as, uint64_t start, uint64_t length, uint32_t prot)
{
	uint64_t end = start + length;

	/* Linux: ENOMEM unless every page of the range is mapped. */
	for (uint64_t addr = start; addr < end;) {
		struct vma *vma = addrspace_find(as, addr);
		if (!vma)
			return -ENOMEM;
		addr = vma->end;
	}
	if (vma_split_at(as, start) || vma_split_at(as, end))
		return -ENOMEM;
	for (struct vma *vma = as->vmas; vma; vma = vma->next)
		if (vma->start >= start && vma->end <= end)
			vma->prot = prot;
	for (uint64_t virt = start; virt < end; virt += PAGE_SIZE) {
		uint64_t *pte = vmm_pte(as->pml4, virt, false);
		if (!pte || !(*pte & PTE_PRESENT))
			continue;
		/* A frame another address space still maps must never become writable here. */
		bool shared = page_refcount(*pte & PTE_ADDR_MASK) > 1;
		*pte = (*pte & PTE_ADDR_MASK) | pte_flags_for(prot, shared && (prot & PROT_WRITE));
		vmm_flush_page(as->pml4, virt);
	}
	return 0;
}

/* Give the writer of a copy-on-write page its own copy (or the page, if it is the last user). */
static int cow_break(struct address_space *as, uint64_t virt, uint64_t *pte, uint32_t prot)
{
	uint64_t old = *pte & PTE_ADDR_MASK;

	if (page_refcount(old) > 1) {
		uint64_t copy = page_alloc_zeroed();
		if (!copy)
			return -ENOMEM;
		memcpy(phys_to_virt(copy), phys_to_virt(old), PAGE_SIZE);
		page_put(old);
		old = copy;
	}
	*pte = old | pte_flags_for(prot, false);
	vmm_flush_page(as->pml4, virt);
	return 0;
}

int addrspace_fault(struct address_space *as, uint64_t addr, unsigned access)
{
	struct vma *vma = addrspace_find(as, addr);

	if (!vma)
		return -EFAULT;
	if ((access & ACCESS_WRITE) && !(vma->prot & PROT_WRITE))
		return -EACCES;
	if ((access & ACCESS_EXEC) && !(vma->prot & PROT_EXEC))
		return -EACCES;
	if ((access & ACCESS_READ) && !(vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EACCES;

	uint64_t virt = page_floor(addr);
	uint64_t *pte = vmm_pte(as->pml4, virt, true);
	if (!pte)
		return -ENOMEM;
	if (!(*pte & PTE_PRESENT)) {
		uint64_t phys = page_alloc_zeroed();
		if (!phys)
			return -ENOMEM;
		*pte = phys | pte_flags_for(vma->prot, false);
		return 0;
	}
	/* The region allows writing but the page does not: it is (or was) shared. */
	if ((access & ACCESS_WRITE) && !(*pte & PTE_WRITE))
		return cow_break(as, virt, pte, vma->prot);
	/* Present and allowed: another path already fixed it, or the TLB was stale. */
	vmm_flush_page(as->pml4, virt);
	return 0;
}

struct clone_context {
	struct address_space *parent, *child;
	int error;
};

static void clone_page(uint64_t virt, uint64_t *parent_pte, void *opaque)
{
	struct clone_context *context = opaque;
	struct vma *vma = addrspace_find(context->parent, virt);

	if (context->error)
		return;
	/* Shared from now on: nobody may write it in place, whatever its region says. */
	if (vma && (vma->prot & PROT_WRITE)) {
		*parent_pte = (*parent_pte & ~PTE_WRITE) | PTE_COW;
		vmm_flush_page(context->parent->pml4, virt);
	}
	uint64_t *child_pte = vmm_pte(context->child->pml4, virt, true);
	if (!child_pte) {
		context->error = -ENOMEM;
		return;
	}
	page_get(*parent_pte & PTE_ADDR_MASK);
	*child_pte = *parent_pte;
}

struct address_space *addrspace_clone(struct address_space *parent)
{
	struct address_space *child = addrspace_create();
	struct clone_context context = { parent, child, 0 };

	if (!child)
		return NULL;
	for (struct vma **link = &child->vmas, *vma = parent->vmas; vma; vma = vma->next) {
		struct vma *copy = kmalloc(sizeof(*copy));
		if (!copy) {
			addrspace_destroy(child);
			return NULL;
		}
		*copy = *vma;
		copy->next = NULL;
		*link = copy;
		link = &copy->next;
	}
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	vmm_for_each_user_pte(parent->pml4, clone_page, &context);
	if (context.error) {
		addrspace_destroy(child);
		return NULL;
	}
	return child;
}

/*
 * The kernel address (in the direct map) of user byte addr, after making
 * the page present with the access allowed, as if user mode touched it.
 * NULL if user mode could not make that access either.
 */
static void *user_byte(struct address_space *as, uint64_t addr, unsigned access)
{
	if (addr >= USER_TOP)
		return NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		uint64_t *pte = vmm_pte(as->pml4, page_floor(addr), false);
		bool allowed = pte && (*pte & PTE_PRESENT) && (*pte & PTE_USER) &&
			       (!(access & ACCESS_WRITE) || (*pte & PTE_WRITE));
		if (allowed)
			return (uint8_t *)phys_to_virt(*pte & PTE_ADDR_MASK) + (addr & (PAGE_SIZE - 1));
		if (attempt == 0 && addrspace_fault(as, addr, access) != 0)
			return NULL;
	}
	return NULL;
}

static size_t addrspace_copy(struct address_space *as, uint64_t addr, void *buffer, size_t len,
			     unsigned access)
{
	size_t done = 0;

	while (done < len) {
		uint64_t here = addr + done;
		if (here < addr)
			break;                  /* wrapped around the address space */
		size_t chunk = PAGE_SIZE - (here & (PAGE_SIZE - 1));
		if (chunk > len - done)
			chunk = len - done;
		uint8_t *user = user_byte(as, here, access);
		if (!user)
			break;
		if (access & ACCESS_WRITE)
			memcpy(user, (uint8_t *)buffer + done, chunk);
		else
			memcpy((uint8_t *)buffer + done, user, chunk);
		done += chunk;
	}
	return done;
}

/* A private, present page under addr whatever the protection; see addrspace_poke. */
static void *private_byte(struct address_space *as, uint64_t addr)
{
	struct vma *vma = addrspace_find(as, addr);

	if (!vma)
		return NULL;
	uint64_t virt = page_floor(addr);
	uint64_t *pte = vmm_pte(as->pml4, virt, true);
	if (!pte)
		return NULL;
	if (!(*pte & PTE_PRESENT)) {
		uint64_t phys = page_alloc_zeroed();
		if (!phys)
			return NULL;
		*pte = phys | pte_flags_for(vma->prot, false);
	} else if (page_refcount(*pte & PTE_ADDR_MASK) > 1) {
		uint64_t copy = page_alloc_zeroed();
		if (!copy)
			return NULL;
		memcpy(phys_to_virt(copy), phys_to_virt(*pte & PTE_ADDR_MASK), PAGE_SIZE);
		page_put(*pte & PTE_ADDR_MASK);
		*pte = copy | pte_flags_for(vma->prot, false);
		vmm_flush_page(as->pml4, virt);
	}
	return (uint8_t *)phys_to_virt(*pte & PTE_ADDR_MASK) + (addr & (PAGE_SIZE - 1));
}

size_t addrspace_poke(struct address_space *as, uint64_t addr, const void *buffer, size_t len)
{
	size_t done = 0;

	while (done < len && addr + done >= addr && addr + done < USER_TOP) {
		uint64_t here = addr + done;
		size_t chunk = PAGE_SIZE - (here & (PAGE_SIZE - 1));
		if (chunk > len - done)
			chunk = len - done;
		uint8_t *target = private_byte(as, here);
		if (!target)
			break;
		memcpy(target, (const uint8_t *)buffer + done, chunk);
		done += chunk;
	}
	return done;
}

size_t addrspace_access_forced(struct address_space *as, uint64_t addr, void *buffer, size_t len,
			       bool write)
{
	size_t done = 0;

	while (done < len && addr + done >= addr && addr + done < USER_TOP) {
		uint64_t here = addr + done;
		size_t chunk = PAGE_SIZE - (here & (PAGE_SIZE - 1));
		if (chunk > len - done)
			chunk = len - done;
		struct vma *vma = addrspace_find(as, here);
		if (!vma || vma->prot == PROT_NONE)
			break;
		uint8_t *target;
		if (write) {
			target = private_byte(as, here);
		} else {
			uint64_t *pte = vmm_pte(as->pml4, page_floor(here), false);
			if ((!pte || !(*pte & PTE_PRESENT)) && addrspace_fault(as, here, ACCESS_READ) != 0)
				break;
			pte = vmm_pte(as->pml4, page_floor(here), false);
			target = pte && (*pte & PTE_PRESENT)
				 ? (uint8_t *)phys_to_virt(*pte & PTE_ADDR_MASK) + (here & (PAGE_SIZE - 1)) : NULL;
		}
		if (!target)
			break;
		if (write)
			memcpy(target, (const uint8_t *)buffer + done, chunk);
		else
			memcpy((uint8_t *)buffer + done, target, chunk);
		done += chunk;
	}
	return done;
}

size_t addrspace_read(struct address_space *as, uint64_t addr, void *buffer, size_t len)
{
	return addrspace_copy(as, addr, buffer, len, ACCESS_READ);
}

size_t addrspace_write(struct address_space *as, uint64_t addr, const void *buffer, size_t len)
{
	return addrspace_copy(as, addr, (void *)buffer, len, ACCESS_WRITE);
}
