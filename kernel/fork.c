/* SPDX-License-Identifier: MIT */
/*
 * fork.c - making a copy of the current process.
 *
 * The child gets: a new pid and kernel stack, a copy-on-write copy of
 * the address space (kernel/addrspace.c), a copy of the descriptor
 * table (sharing every open file), the cwd and umask, the signal
 * actions and mask (no pending signals), a copy of the user registers
 * with RAX = 0 (fork returns 0 in the child), the current FPU/SSE
 * registers and FS/GS bases, the same process group and session, and
 * the caller as its parent. Its kernel stack is arranged so that the
 * first time the scheduler picks it, it returns straight to user mode
 * through that frame (proc_prepare_first_run).
 *
 * vfork is fork here: with copy-on-write the copy is cheap, and a child
 * that only calls execve or _exit (all that vfork allows) cannot tell.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/file.h"
#include "kernel/lib/string.h"
#include "kernel/fork.h"
#include "kernel/proc.h"
#include "kernel/ptrace/stop.h"
#include "kernel/sched.h"

long fork_current(void)
{
	struct process *parent = current;
	int error;

	struct process *child = proc_create(parent->name, &error);
	if (!child)
		return error;
	child->as = addrspace_clone(parent->as);
	child->fds = parent->fds ? fd_table_clone(parent->fds) : NULL;
	if (!child->as || (parent->fds && !child->fds)) {
		addrspace_destroy(child->as);
		child->as = NULL;
		fd_table_free(child->fds);
		child->fds = NULL;
		proc_free(child);
		return -ENOMEM;
	}
	child->cwd = parent->cwd ? vfs_inode_get(parent->cwd) : NULL;
	child->umask = parent->umask;
	signal_fork(child, parent);

	*child->frame = *parent->frame;
	child->frame->rax = 0;
	child->force_iret = true;       /* rax differs from what the syscall entry saved */
	fpu_save(&child->fpu);          /* the parent's registers are live: take them as they are */
	child->fs_base = rdmsr(MSR_FS_BASE);
	child->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	child->arg_start = parent->arg_start;   /* same memory, same argv for /proc/<pid>/cmdline */
	child->arg_end = parent->arg_end;
	memcpy(child->exe_path, parent->exe_path, sizeof(child->exe_path));
	child->pgid = parent->pgid;
	child->sid = parent->sid;

	uint64_t flags = irq_save();
	child->parent = parent;
	list_add_tail(&parent->children, &child->sibling);
	irq_restore(flags);

	proc_prepare_first_run(child);
	int pid = child->pid;
	if (__builtin_expect(parent->trace != NULL, 0)) {
		flags = irq_save();
		trace_fork_follow(child);       /* it stops itself before its first instruction */
		irq_restore(flags);
	}
	sched_make_runnable(child);
	if (__builtin_expect(parent->trace != NULL, 0))
		trace_fork(child);              /* the child may have run and exited by now: use pid */
	return pid;
}
