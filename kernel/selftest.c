/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - tests that must run inside the kernel, on real page tables
 * and real interrupts. The harness (tests/qemu/) boots with `test=<name>`
 * and reads the result from the console and from QEMU's exit status:
 *
 *   selftest <name>: PASS    then exit code "success" (isa-debug-exit)
 *   selftest <name>: FAIL    then exit code "failure"
 *
 * The fault-* tests fault on purpose: passing means the panic report is
 * complete and QEMU exits with failure instead of rebooting or hanging,
 * which the harness checks. Each faulting instruction sits in a function
 * named selftest_fault_<kind>, so the harness can check the reported RIP
 * against the symbol table.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/qemu.h"
#include "arch/x86_64/timer.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"

#define CHECK(condition) do { \
		if (!(condition)) { \
			printk("selftest: check failed at %s:%d: %s\n", __FILE__, __LINE__, #condition); \
			return false; \
		} \
	} while (0)

/* The boot got this far: the timer interrupt must be ticking too. */
static bool selftest_boot(void)
{
	uint64_t start = timer_ticks();

	CHECK(read_rflags() & RFLAGS_IF);
	while (timer_ticks() < start + 3)
		cpu_halt();
	return true;
}

/* Take every frame, check they are distinct and usable, give them all back. */
static bool selftest_frames(void)
{
	size_t free_at_start = pmm_free_count();
	uint64_t list = 0;              /* frames chained through their first word */
	size_t taken = 0;

	for (uint64_t frame; (frame = pmm_alloc_frame()) != 0; taken++) {
		CHECK((frame & (PAGE_SIZE - 1)) == 0);
		CHECK(frame >= (uint64_t)_kernel_end - KERNEL_BASE || frame < KERNEL_PHYS);
		uint64_t *words = phys_to_virt(frame);
		words[0] = list;
		words[1] = ~frame;      /* a second word to catch a frame handed out twice */
		list = frame;
	}
	printk("selftest: took %lu frames, %lu free\n", taken, pmm_free_count());
	CHECK(taken == free_at_start);
	CHECK(pmm_free_count() == 0);
	CHECK(pmm_alloc_frames(1) == 0);

	while (list) {
		uint64_t *words = phys_to_virt(list);
		uint64_t next = words[0];
		CHECK(words[1] == ~list);
		pmm_free_frame(list);
		list = next;
	}
	CHECK(pmm_free_count() == free_at_start);

	uint64_t run = pmm_alloc_frames(64);
	CHECK(run != 0);
	CHECK(pmm_free_count() == free_at_start - 64);
	pmm_free_frames(run, 64);
	CHECK(pmm_free_count() == free_at_start);
	return true;
}

struct heap_block {
	struct heap_block *next;
	size_t size;
	uint8_t fill;
};

/* Fill the heap with blocks of assorted sizes until it says no, check, free all. */
static bool selftest_heap(void)
{
	static const size_t sizes[] = { 24, 32, 100, 512, 2000, 2048, 3000, 5000, 70000, 300000 };
	size_t free_at_start = pmm_free_count();
	struct heap_stats before, full, after;
	struct heap_block *list = NULL;
	size_t count = 0;

	heap_get_stats(&before);
	for (;; count++) {
		size_t size = sizes[count % (sizeof(sizes) / sizeof(sizes[0]))];
		CHECK(size >= sizeof(struct heap_block));
		struct heap_block *block = kmalloc(size);
		if (!block)
			break;
		CHECK(((uintptr_t)block & (HEAP_ALIGN - 1)) == 0);
		block->next = list;
		block->size = size;
		block->fill = (uint8_t)(count * 37 + 1);
		memset((uint8_t *)block + sizeof(*block), block->fill, size - sizeof(*block));
		list = block;
	}
	heap_get_stats(&full);
	printk("selftest: %lu heap blocks, %lu pages, %lu frames free\n",
	       count, full.pages_held, pmm_free_count());
	CHECK(count > 1000);
	CHECK(full.live_allocations == before.live_allocations + count);

	while (list) {
		struct heap_block *next = list->next;
		const uint8_t *bytes = (const uint8_t *)list + sizeof(*list);
		for (size_t i = 0; i < list->size - sizeof(*list); i++)
			CHECK(bytes[i] == list->fill);
		kfree(list);
		list = next;
	}
	heap_get_stats(&after);
	CHECK(after.bytes_in_use == before.bytes_in_use);
	CHECK(after.live_allocations == before.live_allocations);
	CHECK(after.pages_held == before.pages_held);
	CHECK(pmm_free_count() == free_at_start);
	return true;
}

static bool selftest_pmm_heap(void)
{
	return selftest_frames() && selftest_heap() && selftest_frames();
}

/*
 * The deliberate faults. noinline keeps each in its own symbol; the
 * volatile accesses and asm keep the compiler from removing them.
 */
__attribute__((noinline)) static bool selftest_fault_pf(void)
{
	volatile uint64_t *near_null = (volatile uint64_t *)0x10;
	return *near_null == 0;
}

__attribute__((noinline)) static bool selftest_fault_gp(void)
{
	uint64_t value;
	/* A non-canonical address faults with #GP, not #PF. */
	__asm__ volatile("movq (%1), %0" : "=r"(value) : "r"(0x8000000000000000UL) : "memory");
	return value == 0;
}

__attribute__((noinline)) static bool selftest_fault_ud(void)
{
	__asm__ volatile("ud2");
	return false;
}

__attribute__((noinline)) static bool selftest_fault_de(void)
{
	uint64_t quotient;
	__asm__ volatile("xor %%edx, %%edx\n\t"
			 "divq %2"
			 : "=a"(quotient) : "a"(1UL), "r"(0UL) : "rdx");
	return quotient == 0;
}

/* Recurse until the boot stack runs into its guard page. */
__attribute__((noinline)) static uint64_t selftest_recurse(uint64_t depth)
{
	volatile uint8_t pad[256];

	pad[0] = (uint8_t)depth;
	if (depth > (1UL << 40))        /* never: just keeps the recursion finite on paper */
		return 0;
	return selftest_recurse(depth + 1) + pad[0];
}

__attribute__((noinline)) static bool selftest_fault_stack_overflow(void)
{
	return selftest_recurse(0) == 0;
}

struct selftest {
	const char *name;
	bool (*run)(void);
};

static const struct selftest selftests[] = {
	{ "boot",                 selftest_boot },
	{ "pmm-heap",             selftest_pmm_heap },
	{ "fault-pf",             selftest_fault_pf },
	{ "fault-gp",             selftest_fault_gp },
	{ "fault-ud",             selftest_fault_ud },
	{ "fault-de",             selftest_fault_de },
	{ "fault-stack-overflow", selftest_fault_stack_overflow },
};

void selftest_run(const char *name)
{
	for (size_t i = 0; i < sizeof(selftests) / sizeof(selftests[0]); i++) {
		if (strcmp(selftests[i].name, name) != 0)
			continue;
		bool passed = selftests[i].run();
		printk("selftest %s: %s\n", name, passed ? "PASS" : "FAIL");
		qemu_exit(passed);
		panic("selftest %s finished but QEMU did not exit (no isa-debug-exit device?)", name);
	}
	printk("selftest %s: unknown test\n", name);
	qemu_exit(false);
	panic("unknown self-test '%s'", name);
}
