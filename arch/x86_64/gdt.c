/* SPDX-License-Identifier: MIT */
/*
 * gdt.c - the final GDT and the TSS.
 *
 * In long mode segmentation is mostly gone, but the GDT still decides
 * the privilege level (CS.DPL) and holds the TSS, which tells the CPU
 * (1) which stack to switch to when a trap arrives from ring 3 (RSP0) and
 * (2) the IST stacks: known-good stacks for the double fault, NMI and
 * machine check, which may arrive when the current stack is unusable.
 * That is how a kernel stack overflow becomes a readable double-fault
 * report instead of a triple fault and a reboot.
 *
 * The slot layout copies Linux (selectors in gdt.h). SYSCALL/SYSRET
 * derive their selectors from STAR by fixed offsets, which is why the
 * user data slot sits right below the user code slot.
 */
#include "arch/x86_64/gdt.h"
#include "kernel/lib/string.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];          /* rsp[0]: stack for traps from ring 3 */
	uint64_t reserved1;
	uint64_t ist[7];          /* ist[n-1]: stack for gates with IST n */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;      /* past the end: no I/O bitmap, so ring 3 gets #GP on in/out */
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "the 64-bit TSS is 104 bytes (SDM vol. 3, 8.7)");

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define IST_STACK_SIZE 16384

static struct tss tss;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

/*
 * Code/data descriptors: base and limit are ignored in long mode; what
 * matters is present (P), DPL, code/data type, and L (64-bit code).
 */
static uint64_t gdt[10] __attribute__((aligned(16))) = {
	[0] = 0,                        /* 0x00 null */
	[1] = 0,                        /* 0x08 Linux's 32-bit kernel CS: unused */
	[2] = 0x00af9a000000ffffUL,     /* 0x10 kernel code: P, DPL 0, code, L */
	[3] = 0x00cf92000000ffffUL,     /* 0x18 kernel data: P, DPL 0, data, writable */
	[4] = 0,                        /* 0x20 user 32-bit code: not present (no compat mode) */
	[5] = 0x00cff2000000ffffUL,     /* 0x28 user data: P, DPL 3 -> selector 0x2b */
	[6] = 0x00affa000000ffffUL,     /* 0x30 user code: P, DPL 3, L -> selector 0x33 */
	[7] = 0,
	/* [8], [9]: the 16-byte TSS descriptor, filled in by gdt_init */
};

static void gdt_set_tss_descriptor(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	gdt[8] = (limit & 0xffff)
	       | ((base & 0xffffff) << 16)
	       | (0x89UL << 40)                 /* P, DPL 0, type 9: available 64-bit TSS */
	       | (((limit >> 16) & 0xf) << 48)
	       | (((base >> 24) & 0xff) << 56);
	gdt[9] = base >> 32;
}

/* Load the GDT, then reload every segment register from it. */
void gdt_init(void)
{
	memset(&tss, 0, sizeof(tss));
	tss.iomap_base = sizeof(tss);
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	gdt_set_tss_descriptor();

	struct gdt_pointer pointer = { sizeof(gdt) - 1, (uint64_t)gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %1, %%ds\n\t"
		"mov %1, %%es\n\t"
		"mov %1, %%ss\n\t"
		"pushq %2\n\t"              /* far return = the only way to reload CS */
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"ltr %w3\n\t"
		:
		: "m"(pointer), "r"((uint64_t)KERNEL_DS), "i"(KERNEL_CS), "r"((uint64_t)TSS_SEL)
		: "rax", "memory");
	/* FS and GS selectors stay 0; their bases live in MSRs (cpu.h). */
	__asm__ volatile("mov %0, %%fs; mov %0, %%gs" : : "r"(0) : "memory");
}

void gdt_set_kernel_stack(uint64_t stack_top)
{
	tss.rsp[0] = stack_top;
}
