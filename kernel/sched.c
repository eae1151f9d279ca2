/* SPDX-License-Identifier: MIT */
/*
 * sched.c - who runs next, and sleeping until something happens.
 *
 * Round robin: runnable processes wait in one FIFO run queue; schedule()
 * takes the first, puts the current one (if still runnable) at the back,
 * and switches kernel stacks with switch_context (switch.asm). When the
 * queue is empty the idle process (pid 0, the boot context) runs `hlt`.
 *
 * Preemption: the timer tick sets need_resched every SCHED_SLICE_TICKS;
 * the kernel acts on it only on its way back to user mode
 * (kernel/syscall.c, arch/x86_64/trap.c), never in the middle of kernel
 * code, so kernel code needs no locks against other processes, only
 * irq_save against interrupt handlers.
 *
 * A switch also swaps what belongs to the CPU rather than to memory:
 * the kernel stack for the next entry from user mode (TSS.RSP0 and the
 * syscall stack), CR3, the FPU/SSE registers, and the FS/GS bases.
 *
 * Wait queues (wait.h) and timed sleeps are here because sleeping is
 * just "leave the run queue and schedule". Deadlines are in nanoseconds
 * of the TSC clock (kernel/time.c), checked at every tick: a sleep never
 * ends early, and ends at most one tick late.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/addrspace.h"
#include "kernel/panic.h"
#include "kernel/proc.h"
#include "kernel/ptrace/session.h"
#include "kernel/errno.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/time.h"
#include "kernel/vmm.h"

#define SCHED_SLICE_TICKS 2             /* 20 ms at 100 Hz */

volatile bool need_resched;

static struct list_node run_queue = LIST_INIT(run_queue);
static struct list_node timed_sleepers = LIST_INIT(timed_sleepers);
static struct process *idle_process;

void switch_context(uint64_t *save_rsp, uint64_t load_rsp);

static void sched_tick(void)
{
	struct process *process, *next;

	/* Wake timed sleepers whose time has come (they may also sit in a wait queue). */
	list_for_each_entry_safe(process, next, &timed_sleepers, timer_link)
		if (time_monotonic_ns() >= process->wake_ns)
			sched_wake(process);
	if (timer_ticks() % SCHED_SLICE_TICKS == 0 || current == idle_process)
		need_resched = true;
}

void sched_init(void)
{
	idle_process = current;
	timer_set_tick_hook(sched_tick);
}

void sched_wake(struct process *process)
{
	uint64_t flags = irq_save();

	if (process->state == PROC_SLEEPING) {
		if (list_linked(&process->run_link))
			list_remove(&process->run_link);        /* out of its wait queue */
		if (list_linked(&process->timer_link))
			list_remove(&process->timer_link);
		process->wake_ns = 0;
		sched_make_runnable(process);
	}
	irq_restore(flags);
}

void sched_make_runnable(struct process *process)
{
	uint64_t flags = irq_save();

	process->state = PROC_RUNNABLE;
	process->waiting_on = NULL;
	if (process != idle_process && !list_linked(&process->run_link))
		list_add_tail(&run_queue, &process->run_link);
	irq_restore(flags);
}

/* Move the CPU's user-mode state from `from` to `to`. */
static void sched_switch_cpu_state(struct process *from, struct process *to)
{
	if (from->as)
		fpu_save(&from->fpu);
	from->fs_base = rdmsr(MSR_FS_BASE);
	from->gs_base = rdmsr(MSR_KERNEL_GS_BASE);  /* the user's GS waits here while in the kernel */

	if (to->as) {
		fpu_restore(&to->fpu);
		if ((read_cr3() & PTE_ADDR_MASK) != to->as->pml4)
			write_cr3(to->as->pml4);
	}
	wrmsr(MSR_FS_BASE, to->fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, to->gs_base);
	cpu_set_kernel_stack(to->kernel_stack + KERNEL_STACK_SIZE);
}

void schedule(void)
{
	uint64_t flags = irq_save();
	struct process *previous = current;
	struct process *next;

	need_resched = false;
	if (previous->state == PROC_RUNNABLE && previous != idle_process &&
	    !list_linked(&previous->run_link))
		list_add_tail(&run_queue, &previous->run_link);

	if (list_empty(&run_queue)) {
		next = idle_process;
	} else {
		next = list_first_entry(&run_queue, struct process, run_link);
		list_remove(&next->run_link);
	}
	if (next != previous) {
		sched_switch_cpu_state(previous, next);
		current = next;
		switch_context(&previous->saved_rsp, next->saved_rsp);
		/* ...we are back: someone switched to `previous` again. */
	}
	irq_restore(flags);
}

/*
 * The one way to sleep: on a queue, until a deadline, or both. Sleeps are
 * interruptible: a signal that would be delivered ends them at once
 * (signal_send calls sched_wake), and the caller sees -EINTR.
 */
/* What may interrupt a sleep: any deliverable signal, or (killable sleeps) only SIGKILL. */
static bool sleep_interrupted(bool killable_only)
{
	if (killable_only)
		return (current->signals.pending & SIGNAL_BIT(SIGKILL)) != 0;
	/* The tracer's LOUPE_RESUME_INTERRUPT ends a sleep like a signal would. */
	return signal_pending(current) || (current->trace && current->trace->interrupt);
}

static int sleep_common(struct wait_queue *queue, uint64_t deadline_ns, bool killable_only)
{
	if (read_rflags() & RFLAGS_IF)
		panic("wait_queue_sleep: called with interrupts on (a wake-up could be lost)");
	if (sleep_interrupted(killable_only))
		return -EINTR;
	if (deadline_ns && time_monotonic_ns() >= deadline_ns)
		return -ETIMEDOUT;
	current->state = PROC_SLEEPING;
	current->waiting_on = queue;
	if (queue)
		list_add_tail(&queue->sleepers, &current->run_link);
	if (deadline_ns) {
		current->wake_ns = deadline_ns;
		list_add_tail(&timed_sleepers, &current->timer_link);
	}
	schedule();
	if (sleep_interrupted(killable_only))
		return -EINTR;
	if (deadline_ns && time_monotonic_ns() >= deadline_ns)
		return -ETIMEDOUT;
	return 0;
}

int wait_queue_sleep_until(struct wait_queue *queue, uint64_t deadline_ns)
{
	return sleep_common(queue, deadline_ns, false);
}

int wait_queue_sleep_killable(struct wait_queue *queue)
{
	return sleep_common(queue, 0, true);
}

int wait_queue_sleep(struct wait_queue *queue)
{
	return wait_queue_sleep_until(queue, 0);
}

void wait_queue_wake_all(struct wait_queue *queue)
{
	uint64_t flags = irq_save();

	while (!list_empty(&queue->sleepers))
		sched_wake(list_first_entry(&queue->sleepers, struct process, run_link));
	irq_restore(flags);
}

int sched_sleep_until(uint64_t deadline_ns)
{
	uint64_t flags = irq_save();
	int error = 0;

	while (!error && time_monotonic_ns() < deadline_ns)
		error = wait_queue_sleep_until(NULL, deadline_ns);
	irq_restore(flags);
	return error == -ETIMEDOUT ? 0 : error;
}

void sched_stop(void)
{
	uint64_t flags = irq_save();

	current->state = PROC_STOPPED;
	schedule();
	irq_restore(flags);
}

void sched_idle(void)
{
	for (;;) {
		irq_disable();
		if (!list_empty(&run_queue)) {
			schedule();
			continue;
		}
		/* sti; hlt back to back: an interrupt between them still wakes the hlt. */
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}
