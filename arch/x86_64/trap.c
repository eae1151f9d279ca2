/* SPDX-License-Identifier: MIT */
/*
 * trap.c - the C half of every interrupt and exception.
 *
 * vectors.asm saves the registers as a struct trap_frame and calls
 * trap_dispatch(frame, vector) with interrupts off. From here:
 *
 *   vectors 32..47   a PIC line: send EOI, run the registered handler;
 *   vectors 0..31    a CPU exception: in kernel mode that is a kernel bug,
 *                    reported by panic_trap() (the kernel never touches
 *                    user memory through user addresses, see
 *                    kernel/addrspace.c, so no fault is "expected");
 *                    from user mode it becomes a signal;
 *   anything else    an unexpected vector, logged and ignored.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/trap.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

static const char *const exception_names[32] = {
	[VEC_DE] = "#DE divide error",
	[VEC_DB] = "#DB debug",
	[VEC_NMI] = "NMI non-maskable interrupt",
	[VEC_BP] = "#BP breakpoint",
	[VEC_OF] = "#OF overflow",
	[VEC_BR] = "#BR bound range exceeded",
	[VEC_UD] = "#UD invalid opcode",
	[VEC_NM] = "#NM device not available",
	[VEC_DF] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[VEC_TS] = "#TS invalid TSS",
	[VEC_NP] = "#NP segment not present",
	[VEC_SS] = "#SS stack-segment fault",
	[VEC_GP] = "#GP general protection fault",
	[VEC_PF] = "#PF page fault",
	[VEC_MF] = "#MF x87 floating-point error",
	[VEC_AC] = "#AC alignment check",
	[VEC_MC] = "#MC machine check",
	[VEC_XM] = "#XM SIMD floating-point exception",
	[VEC_VE] = "#VE virtualization exception",
	[VEC_CP] = "#CP control protection",
};

const char *trap_exception_name(uint64_t vector)
{
	if (vector < 32 && exception_names[vector])
		return exception_names[vector];
	return vector < 32 ? "reserved exception" : "?";
}

static irq_handler_t irq_handlers[16];

void irq_register(unsigned irq, irq_handler_t handler)
{
	if (irq >= 16)
		panic("irq_register: IRQ %u does not exist on the 8259 pair", irq);
	irq_handlers[irq] = handler;
}

static void trap_irq(struct trap_frame *frame, unsigned irq)
{
	/*
	 * EOI first: a handler may switch to another process (the timer
	 * tick will), and the PIC must not wait for us to come back.
	 */
	if (!pic_end_of_interrupt(irq))
		return;
	if (irq_handlers[irq])
		irq_handlers[irq](frame);
}

static void trap_exception(struct trap_frame *frame, uint64_t vector)
{
	/* Any exception in kernel mode, or one we cannot route yet, is a bug. */
	panic_trap(frame, vector, trap_from_user(frame)
		   ? "exception in user mode (no process support yet)"
		   : "exception in kernel mode");
}

void trap_dispatch(struct trap_frame *frame, uint64_t vector)
{
	if (vector >= VEC_IRQ_BASE && vector <= VEC_IRQ_LAST)
		trap_irq(frame, vector - VEC_IRQ_BASE);
	else if (vector < 32)
		trap_exception(frame, vector);
	else
		pr_warn("trap: unexpected vector %lu at rip %p\n", vector, (void *)frame->rip);
}
