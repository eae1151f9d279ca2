/* SPDX-License-Identifier: MIT */
/*
 * syscall.c - from the syscall instruction to a handler and back.
 *
 * syscall.asm saves the user registers as a trap frame (orig_rax = the
 * number, rax = -ENOSYS) and calls syscall_dispatch(frame), which:
 *   1. turns interrupts back on (SFMASK turned them off for the entry);
 *   2. looks the number up in syscall_table, indexed directly by number:
 *      anything outside the table, or with no handler, stays -ENOSYS;
 *      the number is unsigned, so "negative" numbers are just large;
 *   3. stores the handler's result in the frame's RAX;
 *   4. on the way out, lets the scheduler run someone else if the timer
 *      asked for it (return_to_user);
 *   5. decides between SYSRET and IRET (arch/x86_64/sysret.c).
 *
 * The table is generated from include/uapi/loupe/syscall_list.h, the
 * same list strace uses for names. Each entry's handler is a weak
 * reference to sys_<name>: it is the handler if some file defines it,
 * NULL (-ENOSYS) if none does. ptrace is deliberately never defined:
 * Loupe's tracing is files under /proc, and Linux ptrace is rebuilt on
 * them in user space (DESIGN.md).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/sysret.h"
#include "kernel/errno.h"
#include "kernel/exit.h"
#include "kernel/printk.h"
#include "kernel/signal.h"
#include "kernel/proc.h"
#include "kernel/ptrace/session.h"
#include "kernel/ptrace/stop.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"

#define LOUPE_SYSCALL(number, name) syscall_handler_t sys_##name __attribute__((weak));
#include <loupe/syscall_list.h>
#undef LOUPE_SYSCALL

#define SYS_NUMBER_rt_sigreturn 15

static const struct syscall_entry syscall_table[LOUPE_SYSCALL_COUNT] = {
#define LOUPE_SYSCALL(number, name) [number] = { #name, sys_##name },
#include <loupe/syscall_list.h>
#undef LOUPE_SYSCALL
};

const char *syscall_name(uint64_t number)
{
	return number < LOUPE_SYSCALL_COUNT ? syscall_table[number].name : NULL;
}

static bool address_is_canonical(uint64_t address)
{
	return address < USER_TOP || address >= 0xffff800000000000UL;
}

/*
 * The last stop before user mode, for syscalls and traps alike, with
 * interrupts off so a timer tick cannot slip in between the check and
 * the return: run someone else if the timer asked for it; then refuse to
 * return to a non-canonical RIP. IRETQ to such a RIP raises #GP in ring 0
 * on Intel CPUs (on the kernel's stack, with the user's registers
 * loaded), so the process gets SIGSEGV here instead, as it would have on
 * AMD. A non-canonical RSP is fine: IRETQ and SYSRET load it without a
 * check, and the program faults in user mode when it next uses the stack.
 */
void return_to_user(struct trap_frame *frame, bool from_syscall)
{
	while (need_resched)
		schedule();
	if (__builtin_expect(current->trace != NULL, 0))
		trace_interrupt_check(frame);   /* LOUPE_RESUME_INTERRUPT: stop before signals */
	signal_deliver(frame, from_syscall);
	if (!address_is_canonical(frame->rip)) {
		if (printk_ratelimit())
			printk("loupe: pid %d (%s) killed by SIGSEGV: non-canonical return address %p\n",
		       current->pid, current->name, (void *)frame->rip);
		proc_exit(WAIT_STATUS_SIGNALED(SIGSEGV));
	}
}

uint64_t syscall_dispatch(struct trap_frame *frame)
{
	irq_enable();
	/* The syscall stop points: for an untraced process, one predictable branch each. */
	bool skip = false;
	if (__builtin_expect(current->trace != NULL, 0)) {
		skip = trace_syscall_entry(frame);     /* true: SYSEMU, rax is the tracer's */
		/* Killed during the entry stop: the call must not run (with rewritten arguments). */
		if (current->signals.pending & SIGNAL_BIT(SIGKILL))
			skip = true;
	}
	/* Read the number after the stop: the tracer may have changed it (or the arguments). */
	uint64_t number = frame->orig_rax;
	if (!skip) {
		if (number < LOUPE_SYSCALL_COUNT && syscall_table[number].handler)
			frame->rax = (uint64_t)syscall_table[number].handler(frame);
		else
			frame->rax = (uint64_t)-ENOSYS;
	}
	if (__builtin_expect(current->trace != NULL, 0)) {
		/* A step that began before this call (over `syscall`) ends here; one asked for at
		 * the exit stop itself runs the next user instruction instead. */
		bool stepping = current->trace->step;
		if (!skip)
			trace_syscall_exit(frame);
		if (stepping && current->trace)
			trace_syscall_step(frame);
	}

	irq_disable();
	/* rt_sigreturn's RAX is the interrupted code's, whatever it holds: never a restart request. */
	return_to_user(frame, number != SYS_NUMBER_rt_sigreturn);
	bool sysret = sysret_is_safe(frame, current->force_iret);
	current->force_iret = false;
	return sysret;
}
