/* SPDX-License-Identifier: MIT */
/*
 * proc.c - the process table: creating, finding and freeing processes.
 *
 * Processes are kmalloc'd and kept on one list (`process_table`); the
 * count is bounded by PROC_MAX so a fork bomb gets EAGAIN, not an out of
 * memory kernel. Lookups walk the list: with at most PROC_MAX entries a
 * hash table would only add code.
 *
 * Each process has its own kernel stack. Entries from user mode land at
 * its top, where the CPU (or syscall.asm) builds the process's trap frame,
 * so `process->frame` is always at the same place. pid 0 is the idle
 * process: the boot context running kmain, on the boot stack, with no
 * address space.
 *
 * What this file does not do: fork (fork.c), exec (exec.c), exit and wait
 * (exit.c), scheduling (sched.c).
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/ptrace/stop.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"

struct process *current;

static struct list_node process_table = LIST_INIT(process_table);
static int process_count;
static int last_pid;
static struct process idle_process;

extern char process_start[];

void proc_init(void)
{
	idle_process.pid = 0;
	memcpy(idle_process.name, "idle", 5);
	idle_process.state = PROC_RUNNABLE;
	/* The boot stack (boot.asm) is the idle process's kernel stack. */
	idle_process.kernel_stack = (uint64_t)boot_stack_top - KERNEL_STACK_SIZE;
	list_init(&idle_process.children);
	list_init(&idle_process.sibling);
	list_init(&idle_process.run_link);
	list_init(&idle_process.timer_link);
	wait_queue_init(&idle_process.child_exit);
	current = &idle_process;
}

struct process *proc_find(int pid)
{
	struct process *process;

	list_for_each_entry(process, &process_table, table_link)
		if (process->pid == pid)
			return process;
	return NULL;
}

int proc_for_each(int (*visit)(struct process *process, void *context), void *context)
{
	struct process *process;

	list_for_each_entry(process, &process_table, table_link) {
		int result = visit(process, context);
		if (result)
			return result;
	}
	return 0;
}

int proc_count(void)
{
	return process_count;
}

/* The next unused pid after the last one given out, wrapping at PID_MAX like Linux. */
static int proc_next_pid(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		last_pid = last_pid + 1 >= PID_MAX ? 1 : last_pid + 1;
		if (!proc_find(last_pid))
			return last_pid;
	}
	return -EAGAIN;
}

void proc_set_name(struct process *process, const char *path)
{
	const char *base = path;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	size_t length = strnlen(base, PROC_NAME_MAX - 1);
	memcpy(process->name, base, length);
	process->name[length] = '\0';
}

struct process *proc_create(const char *name, int *error)
{
	if (process_count >= PROC_MAX) {
		*error = -EAGAIN;
		return NULL;
	}
	int pid = proc_next_pid();
	if (pid < 0) {
		*error = pid;
		return NULL;
	}
	struct process *process = kzalloc(sizeof(*process));
	uint64_t stack = pmm_alloc_frames(KERNEL_STACK_PAGES);
	if (!process || !stack) {
		kfree(process);
		if (stack)
			pmm_free_frames(stack, KERNEL_STACK_PAGES);
		*error = -ENOMEM;
		return NULL;
	}
	static uint64_t next_serial = 1;
	process->pid = pid;
	process->serial = next_serial++;
	proc_set_name(process, name);
	process->kernel_stack = (uint64_t)phys_to_virt(stack);
	process->frame = (struct trap_frame *)(process->kernel_stack + KERNEL_STACK_SIZE) - 1;
	process->state = PROC_SLEEPING;     /* not runnable until its creator says so */
	list_init(&process->children);
	list_init(&process->sibling);
	list_init(&process->run_link);
	list_init(&process->timer_link);
	wait_queue_init(&process->child_exit);
	fpu_init_state(&process->fpu);

	uint64_t flags = irq_save();
	list_add_tail(&process_table, &process->table_link);
	process_count++;
	irq_restore(flags);
	return process;
}

void proc_free(struct process *process)
{
	if (process == current || process == &idle_process)
		panic("proc_free: pid %d is still running", process->pid);
	if (process->as)
		panic("proc_free: pid %d still has an address space", process->pid);

	uint64_t flags = irq_save();
	list_remove(&process->table_link);
	list_remove(&process->sibling);
	process_count--;
	irq_restore(flags);

	pmm_free_frames(virt_to_phys_direct((void *)process->kernel_stack), KERNEL_STACK_PAGES);
	kfree(process);
}

/*
 * Lay out the kernel stack so that the first switch_context() to this
 * process "returns" into trap_return with RSP at the trap frame:
 *
 *   top -> | struct trap_frame |  the user registers to start with
 *          | process_start     |  switch_context's `ret` goes here (vectors.asm)
 *          | rbp rbx r12..r15  |  six zeros popped by switch_context
 *   saved_rsp ->
 */
/* vectors.asm: process_start, with interrupts off, before the first user instruction. */
void process_first_return(struct trap_frame *frame)
{
	if (current->trace)
		trace_birth_stop(frame);        /* a followed child stops before running anything */
	return_to_user(frame, false);
}

void proc_prepare_first_run(struct process *process)
{
	uint64_t *stack = (uint64_t *)process->frame;

	*--stack = (uint64_t)process_start;
	for (int i = 0; i < 6; i++)
		*--stack = 0;
	process->saved_rsp = (uint64_t)stack;
}
