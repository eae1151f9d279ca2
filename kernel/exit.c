/* SPDX-License-Identifier: MIT */
/*
 * exit.c - how processes end, and how parents learn about it.
 *
 * proc_exit runs in the exiting process itself:
 *   1. its address space is freed at once (a zombie needs no memory);
 *   2. its children are handed to init (pid 1), which reaps orphans;
 *   3. it becomes a zombie holding only its wait status, wakes the parent
 *      sleeping in wait4, and schedules away for good.
 * The parent's wait4 (proc_wait) then frees what is left: the process
 * structure and the kernel stack, which the zombie could not free itself
 * because it was running on it.
 *
 * When init itself exits there is nothing left to run: the kernel prints
 * its status and powers the machine off (under QEMU, the status becomes
 * the harness's pass/fail; see arch/x86_64/qemu.h and `make run CMD=`).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/qemu.h"
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/exit.h"
#include "kernel/file.h"
#include "kernel/ptrace/session.h"
#include <loupe/trace.h>
#include "kernel/ptrace/stop.h"
#include "kernel/vfs.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/signal.h"

/* Shell-style number for a wait status: the exit code, or 128 + signal. */
static int status_to_code(int wait_status)
{
	return (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;
}

void machine_power_off(int code)
{
	qemu_exit(code == 0);
	outw(0x604, 0x2000);            /* QEMU's ACPI power-off port (q35 and recent pc) */
	printk("loupe: the machine did not power off; halting\n");
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

__attribute__((noreturn)) static void power_off(int code)
{
	printk("loupe: init exited with status %d, powering off\n", code);
	machine_power_off(code);
}

void proc_exit(int wait_status)
{
	struct process *process = current;

	if (process->pid == 1)
		power_off(status_to_code(wait_status));
	/* The EXIT stop: the tracer sees the process whole one last time (not after SIGKILL). */
	if (process->trace && wait_status != WAIT_STATUS_SIGNALED(SIGKILL))
		trace_exit(wait_status);

	addrspace_destroy(process->as);
	process->as = NULL;
	fd_table_free(process->fds);            /* closing pipe ends wakes their readers; closing
						 * trace handles ends those sessions */
	process->fds = NULL;
	session_tracer_exited(process->pid);
	vfs_inode_put(process->cwd);
	process->cwd = NULL;

	uint64_t flags = irq_save();
	struct process *init = proc_find(1);
	bool orphan_zombies = false;
	while (!list_empty(&process->children)) {
		struct process *child = list_first_entry(&process->children, struct process, sibling);
		list_remove(&child->sibling);
		child->parent = init;
		list_add_tail(&init->children, &child->sibling);
		orphan_zombies |= child->state == PROC_ZOMBIE;
	}
	if (orphan_zombies)
		wait_queue_wake_all(&init->child_exit);

	session_tracee_died(process, wait_status);     /* the tracer's last event */
	process->exit_status = wait_status;
	process->state = PROC_ZOMBIE;
	int code = (wait_status & 0x7f) ? ((wait_status & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
	signal_notify_parent(process, code, (wait_status & 0x7f) ? (wait_status & 0x7f)
								   : (wait_status >> 8) & 0xff);
	schedule();
	irq_restore(flags);
	panic("proc_exit: zombie pid %d was scheduled again", process->pid);
}

static bool wait_matches(const struct process *child, int pid)
{
	if (pid > 0)
		return child->pid == pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return child->pgid == current->pgid;
	return child->pgid == -pid;
}

/*
 * What /proc/<pid>/waitable announces: an exited child, or a stopped one
 * that consented to be traced: what wait4 reports whatever the options.
 * (Job-control stops and continues are only reported with WUNTRACED or
 * WCONTINUED; announcing them would make a waiter without those options
 * wake for nothing, again and again.)
 */
static int child_waitable(struct process *child, const struct process *parent)
{
	if (child->parent != parent)
		return 0;
	if (child->state == PROC_ZOMBIE)
		return 1;
	const struct trace_session *consent = child->trace;
	return consent && consent->consent && !consent->has_handle && child->trace_stopped &&
	       !consent->stop_reported;
}

bool proc_has_waitable_child(struct process *parent)
{
	struct process *child;

	list_for_each_entry(child, &parent->children, sibling)
		if (child_waitable(child, parent))
			return true;
	return false;
}

long proc_wait(int pid, int *status, int options)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
		return -EINVAL;

	for (;;) {
		uint64_t flags = irq_save();
		struct process *child;
		bool any = false;

		list_for_each_entry(child, &current->children, sibling) {
			if (!wait_matches(child, pid))
				continue;
			any = true;
			if (child->state == PROC_STOPPED && child->stop_unreported && (options & WUNTRACED)) {
				child->stop_unreported = false;
				*status = WAIT_STATUS_STOPPED(child->stop_signal);
				irq_restore(flags);
				return child->pid;
			}
			if (child->continue_unreported && (options & WCONTINUED)) {
				child->continue_unreported = false;
				*status = WAIT_STATUS_CONTINUED;
				irq_restore(flags);
				return child->pid;
			}
			/*
			 * TRACEME: a child that consented to be traced by us and
			 * now waits in its first stop (exec or signal) is reported
			 * like a Linux tracee's stop, once, so the parent learns of
			 * it by waiting; it then opens /proc/<pid>/trace.
			 */
			struct trace_session *consent = child->trace;
			if (consent && consent->consent && !consent->has_handle && child->trace_stopped &&
			    !consent->stop_reported) {
				consent->stop_reported = true;
				*status = WAIT_STATUS_STOPPED(consent->stop_kind == LOUPE_EVENT_SIGNAL
							      ? consent->queue[(consent->queue_head - 1) %
									       TRACE_QUEUE_SIZE].signal
							      : SIGTRAP);
				irq_restore(flags);
				return child->pid;
			}
			if (child->state != PROC_ZOMBIE)
				continue;
			int child_pid = child->pid;
			*status = child->exit_status;
			proc_free(child);
			irq_restore(flags);
			return child_pid;
		}
		if (!any || (options & WNOHANG)) {
			irq_restore(flags);
			return any ? 0 : -ECHILD;
		}
		int error = wait_queue_sleep(&current->child_exit);
		irq_restore(flags);
		if (error)
			return -ERESTARTSYS;
	}
}
