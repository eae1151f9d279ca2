/* SPDX-License-Identifier: MIT */
/*
 * idt.c - the interrupt descriptor table: which stub runs for which
 * vector, on which stack, and who may call it with `int n`.
 *
 * Every gate is an interrupt gate (IF cleared on entry), so C code in
 * trap.c always starts with interrupts off. Only the vectors a user
 * program legitimately raises itself have DPL 3: #BP (`int3`, `int $3`)
 * and #OF (`into`, which faults in 64-bit mode anyway). `int $n` for any
 * other n from ring 3 fails the DPL check and becomes #GP. The stubs are
 * in vectors.asm; the IST stacks in gdt.c.
 */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/trap.h"

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;             /* bits 0-2: IST slot, 0 = none */
	uint8_t type_attr;       /* P | DPL | type (0xe = 64-bit interrupt gate) */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define GATE_INTERRUPT_DPL0 0x8e
#define GATE_INTERRUPT_DPL3 0xee

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void idt_set_gate(unsigned vector, uint64_t handler, uint8_t type_attr, uint8_t ist)
{
	struct idt_gate *gate = &idt[vector];

	gate->offset_low = handler & 0xffff;
	gate->selector = KERNEL_CS;
	gate->ist = ist;
	gate->type_attr = type_attr;
	gate->offset_mid = (handler >> 16) & 0xffff;
	gate->offset_high = handler >> 32;
	gate->reserved = 0;
}

static uint8_t idt_ist_for(unsigned vector)
{
	switch (vector) {
	case VEC_DF:  return IST_DOUBLE_FAULT;
	case VEC_NMI: return IST_NMI;
	case VEC_MC:  return IST_MACHINE_CHECK;
	default:      return 0;
	}
}

static int idt_user_callable(unsigned vector)
{
	return vector == VEC_BP || vector == VEC_OF;
}

void idt_init(void)
{
	for (unsigned vector = 0; vector < 256; vector++) {
		uint8_t type = idt_user_callable(vector) ? GATE_INTERRUPT_DPL3 : GATE_INTERRUPT_DPL0;
		idt_set_gate(vector, vector_table[vector], type, idt_ist_for(vector));
	}
	struct idt_pointer pointer = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(pointer) : "memory");
}
