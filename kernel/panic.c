/* SPDX-License-Identifier: MIT */
/*
 * panic.c - the last words of a broken kernel.
 *
 * A panic report has everything needed to find the bug without a
 * debugger: the message, for a trap the exception's name, its decoded
 * error code, CR2 and every register, then a frame-pointer backtrace
 * (the kernel is built with -fno-omit-frame-pointer so RBP chains the
 * frames). Addresses are left for the reader to symbolise:
 * `addr2line -e build/kernel.elf ADDR` (the test harness looks them up
 * in `nm -S` output).
 *
 * Under the test harness (any `test=` on the command line, or
 * `panic=exit`) the kernel then leaves QEMU with a failure code, so a
 * test learns of a panic at once instead of waiting for its timeout.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/qemu.h"
#include "arch/x86_64/trap.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

#define BACKTRACE_MAX_FRAMES 24

bool panic_exits_qemu;
static volatile int panicking;

/* Only follow RBP into memory we know is mapped: the kernel image or the direct map. */
static bool backtrace_readable(uint64_t address)
{
	if (address & 7)
		return false;
	if (address >= (uint64_t)_kernel_start && address + 16 <= (uint64_t)_kernel_end)
		return address < (uint64_t)boot_stack_guard ||
		       address >= (uint64_t)boot_stack_guard + 4096;
	return address >= DIRECT_MAP_BASE && address + 16 <= DIRECT_MAP_BASE + EARLY_MAP_LIMIT;
}

static void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	uint64_t previous = rip, repeats = 0;

	printk("backtrace:\n");
	printk("  %p\n", (void *)rip);
	for (int depth = 0; depth < BACKTRACE_MAX_FRAMES && backtrace_readable(rbp); ) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t return_address = frame[1];

		if (return_address < (uint64_t)_kernel_start || return_address >= (uint64_t)_text_end)
			break;
		if (return_address == previous) {
			repeats++;      /* deep recursion: one line, not a screenful */
		} else {
			if (repeats)
				printk("  ... the line above %lu more times\n", repeats);
			printk("  %p\n", (void *)return_address);
			previous = return_address;
			repeats = 0;
			depth++;
		}
		if (frame[0] <= rbp)            /* stacks grow down: callers sit higher */
			break;
		rbp = frame[0];
	}
	if (repeats)
		printk("  ... the line above %lu more times\n", repeats);
}

static void panic_print_page_fault_error(uint64_t error)
{
	printk("error: %p (%s, %s, %s%s%s)\n", (void *)error,
	       error & 2 ? "write" : "read",
	       error & 1 ? "protection violation" : "not-present",
	       error & 4 ? "user" : "kernel",
	       error & 8 ? ", reserved bit set" : "",
	       error & 16 ? ", instruction fetch" : "");
}

/* #TS #NP #SS #GP #AC: the error code names a selector (or is 0). */
static void panic_print_selector_error(uint64_t error)
{
	static const char *const tables[4] = { "GDT", "IDT", "LDT", "IDT" };

	if (error == 0) {
		printk("error: 0x0 (no selector)\n");
		return;
	}
	printk("error: %p (%s index %lu%s)\n", (void *)error, tables[(error >> 1) & 3],
	       (error >> 3) & 0x1fff, error & 1 ? ", external event" : "");
}

static void panic_print_frame(const struct trap_frame *frame, uint64_t vector)
{
	printk("exception: %s (vector %lu)\n", trap_exception_name(vector), vector);
	if (vector == VEC_PF || vector == VEC_DF)
		printk("CR2: %p\n", (void *)read_cr2());
	if (vector == VEC_PF)
		panic_print_page_fault_error(frame->orig_rax);
	else if (vector == VEC_TS || vector == VEC_NP || vector == VEC_SS || vector == VEC_GP)
		panic_print_selector_error(frame->orig_rax);
	else
		printk("error: %p\n", (void *)frame->orig_rax);
	printk("RIP: %p  CS: %p  RFLAGS: %p\n", (void *)frame->rip, (void *)frame->cs, (void *)frame->rflags);
	printk("RSP: %p  SS: %p  CR3: %p\n", (void *)frame->rsp, (void *)frame->ss, (void *)read_cr3());
	printk("RAX: %p  RBX: %p  RCX: %p\n", (void *)frame->rax, (void *)frame->rbx, (void *)frame->rcx);
	printk("RDX: %p  RSI: %p  RDI: %p\n", (void *)frame->rdx, (void *)frame->rsi, (void *)frame->rdi);
	printk("RBP: %p  R8:  %p  R9:  %p\n", (void *)frame->rbp, (void *)frame->r8, (void *)frame->r9);
	printk("R10: %p  R11: %p  R12: %p\n", (void *)frame->r10, (void *)frame->r11, (void *)frame->r12);
	printk("R13: %p  R14: %p  R15: %p\n", (void *)frame->r13, (void *)frame->r14, (void *)frame->r15);
}

__attribute__((noreturn)) static void panic_stop(void)
{
	if (panic_exits_qemu)
		qemu_exit(false);
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

/* A panic inside a panic: say so in as few steps as possible and stop. */
static void panic_enter(void)
{
	irq_disable();
	if (panicking++) {
		printk("\nPANIC: recursive panic, stopping\n");
		panic_stop();
	}
}

void panic(const char *fmt, ...)
{
	va_list ap;

	panic_enter();
	printk("\nPANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	/* Start at our caller: frame[0] is its saved RBP, frame[1] the return address into it. */
	const uint64_t *frame = __builtin_frame_address(0);
	panic_backtrace(frame[1], frame[0]);
	panic_stop();
}

void panic_trap(struct trap_frame *frame, unsigned long vector, const char *why)
{
	panic_enter();
	printk("\nPANIC: %s\n", why);
	panic_print_frame(frame, vector);
	panic_backtrace(frame->rip, frame->rbp);
	panic_stop();
}
