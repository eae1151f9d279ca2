/* SPDX-License-Identifier: MIT */
/*
 * sys_signal.c - the signal and process-group system calls: decode and
 * check, then kernel/signal.c does the work.
 */
#include "kernel/errno.h"
#include "kernel/lib/string.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/usercopy.h"
#include "kernel/wait.h"

long sys_rt_sigaction(struct trap_frame *frame)
{
	int sig = (int)syscall_arg(frame, 0);
	uint64_t user_new = syscall_arg(frame, 1), user_old = syscall_arg(frame, 2);
	struct kernel_sigaction action;

	if (syscall_arg(frame, 3) != sizeof(uint64_t))
		return -EINVAL;                 /* sigsetsize: Linux's sigset is 8 bytes */
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (user_new && copy_from_user(&action, user_new, sizeof(action)))
		return -EFAULT;
	if (user_new && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct kernel_sigaction *slot = &current->signals.actions[sig];
	if (user_old && copy_to_user(user_old, slot, sizeof(*slot)))
		return -EFAULT;
	if (user_new) {
		action.mask &= ~SIGNALS_UNBLOCKABLE;
		*slot = action;
		/* Setting SIG_IGN discards what is pending (POSIX). */
		if (action.handler == SIG_IGN)
			current->signals.pending &= ~SIGNAL_BIT(sig);
	}
	return 0;
}

long sys_rt_sigprocmask(struct trap_frame *frame)
{
	int how = (int)syscall_arg(frame, 0);
	uint64_t user_new = syscall_arg(frame, 1), user_old = syscall_arg(frame, 2), mask;
	struct signal_state *signals = &current->signals;

	if (syscall_arg(frame, 3) != sizeof(uint64_t))
		return -EINVAL;
	if (user_new && copy_from_user(&mask, user_new, sizeof(mask)))
		return -EFAULT;
	if (user_new && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (user_old && copy_to_user(user_old, &signals->blocked, sizeof(signals->blocked)))
		return -EFAULT;
	if (user_new) {
		if (how == SIG_BLOCK)
			signals->blocked |= mask;
		else if (how == SIG_UNBLOCK)
			signals->blocked &= ~mask;
		else
			signals->blocked = mask;
		signals->blocked &= ~SIGNALS_UNBLOCKABLE;
	}
	return 0;
}

long sys_rt_sigpending(struct trap_frame *frame)
{
	if (syscall_arg(frame, 1) > sizeof(uint64_t))
		return -EINVAL;
	uint64_t pending = current->signals.pending & current->signals.blocked;
	return copy_to_user(syscall_arg(frame, 0), &pending, syscall_arg(frame, 1));
}

long sys_rt_sigreturn(struct trap_frame *frame)
{
	return signal_return(frame);
}

/* Sleep until a signal handler runs: the syscall only ends through a handler (-ERESTARTNOHAND). */
static long sleep_for_signal(void)
{
	uint64_t flags = irq_save();
	while (wait_queue_sleep_until(NULL, 0) != -EINTR)
		;
	irq_restore(flags);
	return -ERESTARTNOHAND;
}

long sys_pause(struct trap_frame *frame)
{
	(void)frame;
	return sleep_for_signal();
}

long sys_rt_sigsuspend(struct trap_frame *frame)
{
	uint64_t mask;

	if (syscall_arg(frame, 1) != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, syscall_arg(frame, 0), sizeof(mask)))
		return -EFAULT;
	struct signal_state *signals = &current->signals;
	if (!signals->restore_blocked)
		signals->saved_blocked = signals->blocked;
	signals->restore_blocked = true;
	signals->blocked = mask & ~SIGNALS_UNBLOCKABLE;
	return sleep_for_signal();
}

/* --- kill --- */

struct kill_request {
	int sig;
	int pgrp;                       /* 0: every process but init and the caller */
	int sent;
	struct siginfo info;
};

static int kill_one(struct process *process, void *opaque)
{
	struct kill_request *request = opaque;

	if (process->state == PROC_ZOMBIE)
		return 0;
	if (request->pgrp ? process->pgid != request->pgrp
			  : (process->pid == 1 || process == current))
		return 0;
	request->sent++;
	if (request->sig)
		signal_send(process, request->sig, &request->info);
	return 0;
}

static long kill_send(int pid, int sig, int code)
{
	struct kill_request request = { sig, 0, 0, { 0 } };

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	request.info.signo = sig;
	request.info.code = code;
	request.info.fields.kill.pid = current->pid;
	if (pid > 0) {
		struct process *target = proc_find(pid);
		if (!target)
			return -ESRCH;
		if (sig)                        /* a zombie still exists: success, nothing to do */
			signal_send(target, sig, &request.info);
		return 0;
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	request.pgrp = pid == 0 ? current->pgid : pid == -1 ? 0 : -pid;
	proc_for_each(kill_one, &request);
	return request.sent ? 0 : -ESRCH;
}

long sys_kill(struct trap_frame *frame)
{
	return kill_send((int)syscall_arg(frame, 0), (int)syscall_arg(frame, 1), SI_USER);
}

long sys_tkill(struct trap_frame *frame)
{
	int tid = (int)syscall_arg(frame, 0);

	if (tid <= 0)
		return -EINVAL;
	return kill_send(tid, (int)syscall_arg(frame, 1), SI_TKILL);
}

long sys_tgkill(struct trap_frame *frame)
{
	int tgid = (int)syscall_arg(frame, 0), tid = (int)syscall_arg(frame, 1);

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (tgid != tid)
		return -ESRCH;                  /* one thread per process: tid == pid */
	return kill_send(tid, (int)syscall_arg(frame, 2), SI_TKILL);
}

/* --- process groups and sessions --- */

static int group_in_session(struct process *process, void *opaque)
{
	const int *wanted = opaque;             /* { pgid, sid } */
	return process->pgid == wanted[0] && process->sid == wanted[1] &&
	       process->state != PROC_ZOMBIE;
}

long sys_setpgid(struct trap_frame *frame)
{
	int pid = (int)syscall_arg(frame, 0), pgid = (int)syscall_arg(frame, 1);

	if (pid == 0)
		pid = current->pid;
	if (pgid == 0)
		pgid = pid;
	if (pgid < 0)
		return -EINVAL;                 /* checked after the defaults, as Linux does */
	struct process *target = proc_find(pid);
	if (!target || target->state == PROC_ZOMBIE ||
	    (target != current && target->parent != current))
		return -ESRCH;
	if (target != current && target->did_exec)
		return -EACCES;
	if (target->sid != current->sid || target->pid == target->sid)
		return -EPERM;                  /* another session, or a session leader */
	int wanted[2] = { pgid, current->sid };
	if (pgid != target->pid && !proc_for_each(group_in_session, wanted))
		return -EPERM;
	target->pgid = pgid;
	return 0;
}

long sys_getpgid(struct trap_frame *frame)
{
	int pid = (int)syscall_arg(frame, 0);
	struct process *target = pid == 0 ? current : proc_find(pid);

	return target ? target->pgid : -ESRCH;
}

long sys_getpgrp(struct trap_frame *frame)
{
	(void)frame;
	return current->pgid;
}

long sys_getsid(struct trap_frame *frame)
{
	int pid = (int)syscall_arg(frame, 0);
	struct process *target = pid == 0 ? current : proc_find(pid);

	return target ? target->sid : -ESRCH;
}

static int group_used(struct process *process, void *opaque)
{
	return process->pgid == *(int *)opaque && process != current;
}

long sys_setsid(struct trap_frame *frame)
{
	(void)frame;
	int pid = current->pid;

	if (current->pgid == pid || proc_for_each(group_used, &pid))
		return -EPERM;                  /* already a group leader */
	current->sid = current->pgid = pid;
	return pid;
}
