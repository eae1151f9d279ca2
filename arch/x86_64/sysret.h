/* SPDX-License-Identifier: MIT */
/*
 * sysret.h - may this return to user mode take the SYSRETQ fast path?
 *
 * The syscall exit path (arch/x86_64/syscall.asm) asks sysret_is_safe()
 * before it chooses between SYSRETQ and IRETQ; arch/x86_64/sysret.c
 * explains, condition by condition, why the answer is so often "no".
 */
#ifndef LOUPE_SYSRET_H
#define LOUPE_SYSRET_H

#include <stdbool.h>

#include "arch/x86_64/trap.h"

/*
 * The highest RIP plus one that SYSRETQ may return to: the canonical
 * lower half ends at 0x0000800000000000, and the last page below it is
 * refused as well (see sysret.c).
 */
#define SYSRET_RIP_LIMIT 0x00007ffffffff000ULL

/*
 * True if returning to user mode with SYSRETQ restores exactly the state
 * in *frame and cannot fault in ring 0; false means "use IRETQ", which is
 * always correct, only slower. frame_forced_iret is the kernel's own
 * flag for "this frame was rewritten since the syscall entered" (signal
 * delivery, execve, a tracer's register write, a sigreturn), which
 * alone forces IRETQ. A pure function of its arguments: callable from
 * any context, with interrupts on or off.
 */
bool sysret_is_safe(const struct trap_frame *frame, bool frame_forced_iret);

#endif
