/* SPDX-License-Identifier: MIT */
/*
 * vmm.c - page tables.
 *
 * x86_64 translates a 48-bit virtual address in four steps, each indexed
 * by 9 bits of the address:
 *
 *   47    39 38    30 29    21 20    12 11       0
 *   | PML4  |  PDPT  |   PD   |   PT   |  offset  |
 *
 * Each table is one 4 KiB frame of 512 entries; an entry holds the next
 * table's physical address plus flags. A PD entry with PTE_HUGE maps
 * 2 MiB directly (used for the direct map), a PT entry maps 4 KiB.
 *
 * vmm_init builds the kernel's final tables, replacing boot.asm's:
 *   - the direct map of all RAM (2 MiB pages, writable, no-execute);
 *   - the kernel image with per-section permissions: text read-only and
 *     executable, rodata read-only, data and bss writable, both NX;
 *   - no identity map, so a NULL pointer in the kernel faults;
 *   - no mapping for the boot stack's guard page (boot.asm).
 * Later address spaces copy the upper half of this PML4, so the kernel
 * creates all its upper-half tables here, once, and never adds PML4
 * slots afterwards (the heap lives in the direct map).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"
#include "kernel/errno.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/printk.h"
#include "kernel/vmm.h"

#define ENTRIES_PER_TABLE 512

static uint64_t kernel_pml4;

static inline unsigned table_index(uint64_t virt, int level)
{
	/* level 4 = PML4 ... level 1 = PT */
	return (virt >> (12 + 9 * (level - 1))) & 0x1ff;
}

static inline uint64_t *table_at(uint64_t phys)
{
	return phys_to_virt(phys & PTE_ADDR_MASK);
}

static bool virt_is_canonical(uint64_t virt)
{
	uint64_t top = virt >> 47;
	return top == 0 || top == 0x1ffff;
}

static uint64_t vmm_alloc_table(void)
{
	uint64_t phys = pmm_alloc_frame();

	if (phys)
		memset(phys_to_virt(phys), 0, PAGE_SIZE);
	return phys;
}

/*
 * The entry for virt at level `level`, creating the tables above it.
 * Upper-level entries are permissive (present, writable, user for the
 * lower half); the leaf entry alone decides the page's permissions.
 * Returns NULL on allocation failure or when a huge page is in the way.
 */
static uint64_t *vmm_walk(uint64_t pml4, uint64_t virt, int level, bool create)
{
	uint64_t *table = table_at(pml4);
	uint64_t upper_flags = PTE_PRESENT | PTE_WRITE | (virt < USER_TOP ? PTE_USER : 0);

	for (int current = 4; current > level; current--) {
		uint64_t *entry = &table[table_index(virt, current)];

		if (!(*entry & PTE_PRESENT)) {
			if (!create)
				return NULL;
			uint64_t next = vmm_alloc_table();
			if (!next)
				return NULL;
			*entry = next | upper_flags;
		} else if (*entry & PTE_HUGE) {
			return NULL;
		}
		table = table_at(*entry);
	}
	return &table[table_index(virt, level)];
}

int vmm_map_page(uint64_t pml4, uint64_t virt, uint64_t phys, uint64_t flags)
{
	if ((virt | phys) & (PAGE_SIZE - 1) || !virt_is_canonical(virt))
		return -EINVAL;

	uint64_t *entry = vmm_walk(pml4, virt, 1, true);
	if (!entry)
		return vmm_translate(pml4, virt, NULL, NULL) ? -EEXIST : -ENOMEM;
	if (*entry & PTE_PRESENT)
		return -EEXIST;
	*entry = phys | flags | PTE_PRESENT;
	return 0;
}

uint64_t vmm_unmap_page(uint64_t pml4, uint64_t virt)
{
	uint64_t *entry = vmm_walk(pml4, virt, 1, false);

	if (!entry || !(*entry & PTE_PRESENT))
		return 0;
	uint64_t phys = *entry & PTE_ADDR_MASK;
	*entry = 0;
	if ((read_cr3() & PTE_ADDR_MASK) == pml4)
		invlpg(virt);
	return phys;
}

bool vmm_translate(uint64_t pml4, uint64_t virt, uint64_t *phys, uint64_t *flags)
{
	uint64_t *table = table_at(pml4);
	uint64_t allowed = PTE_USER | PTE_WRITE;   /* cleared by any level that forbids them */

	if (!virt_is_canonical(virt))
		return false;
	for (int level = 4; level >= 1; level--) {
		uint64_t entry = table[table_index(virt, level)];

		if (!(entry & PTE_PRESENT))
			return false;
		allowed &= entry | ~(PTE_USER | PTE_WRITE);
		bool leaf = level == 1 || ((level == 2 || level == 3) && (entry & PTE_HUGE));
		if (leaf) {
			uint64_t page_size = 1UL << (12 + 9 * (level - 1));
			if (phys)
				*phys = (entry & PTE_ADDR_MASK & ~(page_size - 1)) + (virt & (page_size - 1));
			if (flags)
				*flags = (entry & ~PTE_ADDR_MASK & ~(PTE_USER | PTE_WRITE)) | (entry & allowed);
			return true;
		}
		table = table_at(entry);
	}
	return false;
}

uint64_t *vmm_pte(uint64_t pml4, uint64_t virt, bool create)
{
	if (!virt_is_canonical(virt))
		return NULL;
	return vmm_walk(pml4, virt, 1, create);
}

void vmm_flush_page(uint64_t pml4, uint64_t virt)
{
	if ((read_cr3() & PTE_ADDR_MASK) == pml4)
		invlpg(virt);
}

uint64_t vmm_new_pml4(void)
{
	uint64_t pml4 = vmm_alloc_table();

	if (!pml4)
		return 0;
	/* Share the kernel half: the same PDPTs, so every address space sees the same kernel. */
	memcpy(table_at(pml4) + ENTRIES_PER_TABLE / 2, table_at(kernel_pml4) + ENTRIES_PER_TABLE / 2,
	       ENTRIES_PER_TABLE / 2 * sizeof(uint64_t));
	return pml4;
}

static void vmm_visit_level(uint64_t table_phys, int level, uint64_t base,
			    void (*visit)(uint64_t, uint64_t *, void *), void *context)
{
	uint64_t *table = table_at(table_phys);
	unsigned entries = level == 4 ? ENTRIES_PER_TABLE / 2 : ENTRIES_PER_TABLE;

	for (unsigned i = 0; i < entries; i++) {
		if (!(table[i] & PTE_PRESENT))
			continue;
		uint64_t virt = base + ((uint64_t)i << (12 + 9 * (level - 1)));
		if (level == 1)
			visit(virt, &table[i], context);
		else if (!(table[i] & PTE_HUGE))
			vmm_visit_level(table[i], level - 1, virt, visit, context);
	}
}

void vmm_for_each_user_pte(uint64_t pml4, void (*visit)(uint64_t virt, uint64_t *pte, void *context),
			   void *context)
{
	vmm_visit_level(pml4, 4, 0, visit, context);
}

static void vmm_free_level(uint64_t table_phys, int level)
{
	uint64_t *table = table_at(table_phys);
	unsigned entries = level == 4 ? ENTRIES_PER_TABLE / 2 : ENTRIES_PER_TABLE;

	if (level > 1) {
		for (unsigned i = 0; i < entries; i++)
			if ((table[i] & PTE_PRESENT) && !(table[i] & PTE_HUGE))
				vmm_free_level(table[i] & PTE_ADDR_MASK, level - 1);
	}
	pmm_free_frame(table_phys & PTE_ADDR_MASK);
}

void vmm_free_pml4(uint64_t pml4)
{
	if (pml4 == kernel_pml4)
		panic("vmm_free_pml4: refusing to free the kernel's page tables");
	if ((read_cr3() & PTE_ADDR_MASK) == pml4)
		write_cr3(kernel_pml4);         /* never free the tables we are running on */
	vmm_free_level(pml4, 4);
}

/* The direct map: 2 MiB pages over [0, limit), writable, never executable. */
static void vmm_map_direct(uint64_t limit)
{
	for (uint64_t phys = 0; phys < limit; phys += HUGE_PAGE_SIZE) {
		uint64_t *entry = vmm_walk(kernel_pml4, DIRECT_MAP_BASE + phys, 2, true);
		if (!entry)
			panic("vmm: out of memory building the direct map at %p", (void *)phys);
		*entry = phys | PTE_PRESENT | PTE_WRITE | PTE_HUGE | PTE_GLOBAL | PTE_NX;
	}
}

static void vmm_map_kernel_range(const char *start, const char *end, uint64_t flags)
{
	for (uint64_t virt = (uint64_t)start; virt < (uint64_t)end; virt += PAGE_SIZE) {
		if (virt == (uint64_t)boot_stack_guard)
			continue;               /* the hole that turns a stack overflow into a fault */
		int error = vmm_map_page(kernel_pml4, virt, kernel_image_phys((void *)virt),
					 flags | PTE_GLOBAL);
		if (error)
			panic("vmm: cannot map the kernel at %p (error %d)", (void *)virt, error);
	}
}

void vmm_init(void)
{
	kernel_pml4 = vmm_alloc_table();
	if (!kernel_pml4)
		panic("vmm: no frame for the kernel PML4");

	uint64_t limit = pmm_highest_usable();
	if (limit < EARLY_MAP_LIMIT)
		limit = EARLY_MAP_LIMIT;        /* keep what boot.asm mapped: boot info, modules */
	limit = (limit + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
	vmm_map_direct(limit);

	vmm_map_kernel_range(_text_start, _text_end, 0);
	vmm_map_kernel_range(_rodata_start, _rodata_end, PTE_NX);
	vmm_map_kernel_range(_data_start, _data_end, PTE_WRITE | PTE_NX);
	vmm_map_kernel_range(_bss_start, _bss_end, PTE_WRITE | PTE_NX);

	/*
	 * Pre-create every upper-half PML4 slot's PDPT, so an address space
	 * that copied the upper half earlier still sees later kernel mappings.
	 */
	uint64_t *pml4 = table_at(kernel_pml4);
	for (unsigned slot = ENTRIES_PER_TABLE / 2; slot < ENTRIES_PER_TABLE; slot++) {
		if (pml4[slot] & PTE_PRESENT)
			continue;
		uint64_t table = vmm_alloc_table();
		if (!table)
			panic("vmm: out of memory for the upper-half tables");
		pml4[slot] = table | PTE_PRESENT | PTE_WRITE;
	}

	write_cr4(read_cr4() | (1UL << 7));     /* CR4.PGE: global pages survive CR3 reloads */
	write_cr3(kernel_pml4);
	pr_info("vmm: direct map %lu MiB, kernel %lu KiB\n", limit >> 20,
		((uint64_t)_kernel_end - (uint64_t)_kernel_start) >> 10);
}

uint64_t vmm_kernel_pml4(void)
{
	return kernel_pml4;
}
