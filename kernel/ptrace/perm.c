/* SPDX-License-Identifier: MIT */
/*
 * perm.c - the rules for who may trace whom, in one place.
 *
 * Opening /proc/<pid>/trace (and regs, fpregs, mem) is allowed only if
 * every rule holds, checked in this order; each has its own test in
 * tests/guest/test_trace.c:
 *
 *   (1) the target exists and has not exited (a zombie has nothing left
 *       to trace)                                                 ESRCH
 *   (2) the caller runs as the target's user, or as root. Every process
 *       is root until Loupe has users; the rule is written down so it
 *       holds the day it does                                     EPERM
 *   (3) the caller is not the target: a process stopped by itself could
 *       never resume                                              EPERM
 *   (4) the target is not one of the caller's ancestors: the caller's
 *       parent (a shell, say) waiting for it while stopped by it would
 *       deadlock                                                  EPERM
 *   (5) the target is not pid 1, whose stop would stop the system EPERM
 *   (6) (trace only) the target has no tracer yet                 EBUSY
 */
#include "kernel/errno.h"
#include "kernel/proc.h"
#include "kernel/ptrace/perm.h"

#define ROOT_UID 0

static unsigned process_uid(const struct process *process)
{
	(void)process;
	return ROOT_UID;                        /* no users yet: everyone is root */
}

static bool is_ancestor(const struct process *candidate, const struct process *of)
{
	for (const struct process *p = of->parent; p; p = p->parent)
		if (p == candidate)
			return true;
	return false;
}

int trace_may_attach(int pid, bool for_session, struct process **tracee)
{
	struct process *target = pid > 0 ? proc_find(pid) : NULL;

	if (!target || target->state == PROC_ZOMBIE)
		return -ESRCH;                                          /* (1) */
	if (process_uid(current) != ROOT_UID && process_uid(current) != process_uid(target))
		return -EPERM;                                          /* (2) */
	if (target == current)
		return -EPERM;                                          /* (3) */
	if (is_ancestor(target, current))
		return -EPERM;                                          /* (4) */
	if (target->pid == 1)
		return -EPERM;                                          /* (5) */
	if (for_session && target->trace)
		return -EBUSY;                                          /* (6) */
	*tracee = target;
	return 0;
}
