/* SPDX-License-Identifier: MIT */
/*
 * sysret.c - when SYSRETQ is a safe way back to user mode.
 *
 * A system call can return in two ways. IRETQ pops RIP, CS, RFLAGS, RSP
 * and SS from the stack and checks each of them the way the architecture
 * checks any privilege change: it is slow, but it restores any frame
 * exactly or faults while still on the kernel's stack. SYSRETQ is much
 * faster because it checks almost nothing: it copies RCX into RIP and
 * R11 into RFLAGS, loads fixed user CS and SS selectors computed from
 * the STAR MSR, and drops to ring 3. The kernel has already put the
 * user's RSP back (SYSRET does not touch RSP) and run SWAPGS, so from
 * that moment the CPU is in ring 0 with the user's stack and GS base.
 * Every condition below closes a way in which that shortcut would
 * return to a state other than the frame's, or fault at the worst
 * possible moment. If any one fails, the exit path (syscall.asm) uses
 * IRETQ instead, which is always correct. This is the spot where some
 * of the best-known x86 kernel bugs of the last decades lived.
 *
 * (1) The frame is still the one the syscall entered with. Signal
 *     delivery, execve, sigreturn and a tracer writing /proc/<pid>/regs
 *     all rewrite the frame, and the kernel then sets frame_forced_iret.
 *     The checks below would catch most rewrites on their own; the flag
 *     makes the rule "a rewritten frame goes the careful way" hold even
 *     for rewrites that happen to pass them.
 *
 * (2) RCX == RIP and (3) R11 == RFLAGS. SYSRET takes RIP from RCX and
 *     RFLAGS from R11, so it can only return to the frame's RIP and
 *     RFLAGS when the frame's RCX and R11 hold the same values; the
 *     exit path restores the general registers first and then executes
 *     SYSRET with whatever RCX and R11 ended up holding. SYSCALL sets
 *     this up on entry (it saves RIP in RCX and RFLAGS in R11), which is
 *     why the Linux ABI says RCX and R11 are clobbered by a syscall; a
 *     tracer that changes only RIP, or only RCX, breaks the equality.
 *
 * (4) CS == USER_CS and SS == USER_DS. SYSRET never reads CS or SS from
 *     the frame, nor descriptors from the GDT: it loads the selectors
 *     STAR[63:48] + 16 and + 8 with a fixed flat 64-bit code and data
 *     segment. A frame asking for any other selector (a 32-bit code
 *     segment, say) would be silently ignored, so only IRETQ can honour
 *     it, or fault on it from a kernel stack.
 *
 * (5) RIP below 0x00007ffffffff000. An address is canonical when bits
 *     63..47 all equal bit 47; with 4-level paging the user (lower) half
 *     ends at 0x0000800000000000. Intel CPUs check RCX for canonical
 *     form *before* leaving ring 0 and raise #GP in ring 0, with the
 *     user's RSP already loaded and after SWAPGS: the #GP handler then
 *     runs on a stack and with a GS base that the user chose. This was
 *     CVE-2012-0217, which hit FreeBSD, NetBSD, Xen and Windows at once
 *     (AMD CPUs raise the fault after switching to ring 3, where it is
 *     harmless, which is how the difference went unnoticed). The last
 *     page below the canonical hole is refused too, as Linux does: a
 *     SYSCALL instruction at the very top of that page would enter the
 *     kernel with a return address in the hole, and some AMD Zen CPUs
 *     misbehave when running code there. Loupe never maps user memory
 *     in that page, so an RIP there can only be a rewritten frame. With
 *     5-level paging the limit would move; Loupe uses 4 levels.
 *
 * (6) RFLAGS, which SYSRET loads from R11 with hardly any filtering:
 *     - TF clear. IRETQ with TF set runs one user instruction and then
 *       traps; SYSRET with TF set traps with #DB before the first user
 *       instruction has run. A single-step return through SYSRET would
 *       report a step that did not happen, and if the #DB return took
 *       the fast path again it would never make progress.
 *     - RF clear. RF lets an instruction that hit an instruction
 *       breakpoint run once without hitting it again. SYSRET always
 *       clears RF, so it cannot restore a frame that has it: the
 *       breakpoint would fire again, and again.
 *     - VM clear. Virtual-8086 mode does not exist in 64-bit mode, and
 *       SYSRET clears VM too; a frame with VM set is forged.
 *     - IOPL 0. With IOPL 3, ring 3 may use IN/OUT, CLI and STI, which
 *       is the whole machine. Ring 3 cannot raise IOPL itself (POPF
 *       quietly ignores it), but SYSRET loads it from R11 unchecked,
 *       and Loupe has no iopl() call, so a non-zero IOPL is forged.
 *     - IF set. User code always runs with interrupts enabled (ring 3
 *       with IOPL 0 cannot clear IF), so a frame without IF is not a
 *       frame a user program produced; returning with IF clear would
 *       let the program run without ever being preempted.
 *     - NT clear. NT asks IRET for a hardware task return, which long
 *       mode does not have: IRET with NT set raises #GP. SFMASK clears
 *       NT on entry (arch/x86_64/cpu.c), so the kernel never runs with
 *       it, but ring 3 can set it with POPF. SYSRET would restore it
 *       correctly; it is rare enough that the fast path leaves it, like
 *       every rare state, to IRETQ.
 *     - No reserved bit set (bits 3, 5, 15 and 22..63). SYSRET clears
 *       them, so a frame with any of them would not be restored exactly.
 *
 * What is not checked: RSP. A non-canonical user RSP cannot fault in
 * SYSRET (nothing is pushed); the user's first push or pop faults in
 * ring 3, as it would after IRETQ.
 *
 * Sources: the Intel SDM (vol. 2B: SYSRET; vol. 3A: EFLAGS, canonical
 * addressing; vol. 3B: the debug chapter on RF and TF); the AMD APM
 * (vol. 2: fast system call and return; vol. 3: SYSRET); Linux's
 * do_syscall_64() in arch/x86/entry/ and TASK_SIZE_MAX in
 * arch/x86/include/asm/page_64.h; Xen advisory XSA-7 and US-CERT
 * VU#649219 for CVE-2012-0217.
 */
#include "arch/x86_64/sysret.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"

/* RFLAGS bits the architecture reserves; SYSRET clears them. */
#define RFLAGS_RESERVED ((1ULL << 3) | (1ULL << 5) | (1ULL << 15) | \
			 (~0ULL << 22))

/* Condition (6): these bits must be set... */
#define SYSRET_RFLAGS_SET   ((uint64_t)RFLAGS_IF)
/* ...and these clear. */
#define SYSRET_RFLAGS_CLEAR ((uint64_t)(RFLAGS_TF | RFLAGS_RF | RFLAGS_VM | \
					RFLAGS_IOPL | RFLAGS_NT) | \
			     RFLAGS_RESERVED)

bool sysret_is_safe(const struct trap_frame *frame, bool frame_forced_iret)
{
	if (frame_forced_iret)                                   /* (1) */
		return false;
	if (frame->rcx != frame->rip)                            /* (2) */
		return false;
	if (frame->r11 != frame->rflags)                         /* (3) */
		return false;
	if (frame->cs != USER_CS || frame->ss != USER_DS)        /* (4) */
		return false;
	if (frame->rip >= SYSRET_RIP_LIMIT)                      /* (5) */
		return false;
	return (frame->rflags & (SYSRET_RFLAGS_SET | SYSRET_RFLAGS_CLEAR)) ==
	       SYSRET_RFLAGS_SET;                                /* (6) */
}
