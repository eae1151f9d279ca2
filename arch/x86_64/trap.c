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
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/exit.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/stop.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"

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

/* Which signal a user-mode exception becomes (Linux's choices). */
static int trap_signal_for(uint64_t vector)
{
	switch (vector) {
	case VEC_DE: case VEC_MF: case VEC_XM: return SIGFPE;
	case VEC_DB: case VEC_BP:              return SIGTRAP;
	case VEC_UD:                           return SIGILL;
	case VEC_AC:                           return SIGBUS;
	default:                               return SIGSEGV;
	}
}

/*
 * A user page fault is first a request: the page may just not exist yet
 * (lazy allocation) or be copy-on-write. Only if the address space says
 * no is it the program's fault.
 */
static int trap_user_page_fault(struct trap_frame *frame, uint64_t address)
{
	unsigned access = (frame->orig_rax & 2) ? ACCESS_WRITE
			: (frame->orig_rax & 16) ? ACCESS_EXEC : ACCESS_READ;

	return addrspace_fault(current->as, address, access);
}

/* si_code and si_addr for the signal of a fault, as Linux fills them. */
static int trap_signal_code(uint64_t vector, int fault_error, uint64_t *address, uint64_t rip)
{
	switch (vector) {
	case VEC_PF: return fault_error == -EACCES ? SEGV_ACCERR : SEGV_MAPERR;
	case VEC_UD: *address = rip; return ILL_ILLOPN;
	case VEC_DE: *address = rip; return FPE_INTDIV;
	case VEC_XM: case VEC_MF: *address = rip; return FPE_FLTINV;
	case VEC_DB: return TRAP_TRACE;
	case VEC_AC: return BUS_ADRALN;
	default: return SI_KERNEL;              /* #GP, #BP, #SS...: no address to report */
	}
}

static void trap_user_exception(struct trap_frame *frame, uint64_t vector)
{
	uint64_t address = vector == VEC_PF ? read_cr2() : 0;
	int fault_error = 0;

	if (vector == VEC_PF && (fault_error = trap_user_page_fault(frame, address)) == 0)
		return;
	/* The tracer's single steps and breakpoints are stops, not signals. */
	if (vector == VEC_DB) {
		uint64_t dr6;
		__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
		__asm__ volatile("mov %0, %%dr6" : : "r"(0xffff0ff0UL));  /* DR6 is sticky: reset it */
		if (current->trace && trace_debug_trap(frame, dr6))
			return;
	}
	if (vector == VEC_BP && current->trace && trace_breakpoint(frame))
		return;
	int sig = trap_signal_for(vector);
	int code = trap_signal_code(vector, fault_error, &address, frame->rip);
	/* One line in the log when the fault will kill the program (no handler for it). */
	if ((current->signals.actions[sig].handler == SIG_DFL ||
	     (current->signals.blocked & SIGNAL_BIT(sig))) && printk_ratelimit()) {
		printk("loupe: pid %d (%s) killed by %s: %s", current->pid, current->name,
		       signal_name(sig), trap_exception_name(vector));
		if (vector == VEC_PF)
			printk(" at %p", (void *)address);
		printk(", rip %p\n", (void *)frame->rip);
	}
	signal_record_fault(vector, vector == VEC_PF || vector == VEC_GP ? frame->orig_rax : 0,
			    vector == VEC_PF ? address : 0);
	signal_force(sig, code, address);
}

extern char trap_return_iret[];

static void trap_exception(struct trap_frame *frame, uint64_t vector)
{
	/*
	 * The IRETQ in trap_return itself faulted (a bad user RIP or selector
	 * that return_to_user missed): the fault is the process's, not the
	 * kernel's. trap_return already did swapgs to the user's GS, and this
	 * entry came from ring 0 so it did not swap back: undo that first.
	 */
	if (!trap_from_user(frame) && frame->rip == (uint64_t)trap_return_iret &&
	    (vector == VEC_GP || vector == VEC_SS || vector == VEC_NP)) {
		__asm__ volatile("swapgs" ::: "memory");
		printk("loupe: pid %d (%s) killed by SIGSEGV: %s on return to user mode\n",
		       current->pid, current->name, trap_exception_name(vector));
		proc_exit(WAIT_STATUS_SIGNALED(SIGSEGV));
	}

	if (trap_from_user(frame) && vector != VEC_NMI && vector != VEC_MC && vector != VEC_DF) {
		trap_user_exception(frame, vector);
		return;
	}
	panic_trap(frame, vector, "exception in kernel mode");
}

void trap_dispatch(struct trap_frame *frame, uint64_t vector)
{
	if (vector >= VEC_IRQ_BASE && vector <= VEC_IRQ_LAST)
		trap_irq(frame, vector - VEC_IRQ_BASE);
	else if (vector < 32)
		trap_exception(frame, vector);
	else if (trap_from_user(frame))
		trap_user_exception(frame, VEC_GP);   /* `int n` with a DPL-0 gate faults first; just in case */
	else
		pr_warn("trap: unexpected vector %lu at rip %p\n", vector, (void *)frame->rip);

	if (trap_from_user(frame))
		return_to_user(frame, false);
}
