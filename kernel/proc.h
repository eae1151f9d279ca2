/* SPDX-License-Identifier: MIT */
/*
 * proc.h - the process: what the kernel knows about one running program.
 *
 * Locking: one CPU. Fields are changed either by the process itself in
 * a system call, or with interrupts off (irq_save) when an interrupt
 * handler or another process may look at them too: that is noted per
 * group below. Lock order, when SMP comes: process table, then a
 * process, then its address space.
 */
#ifndef LOUPE_PROC_H
#define LOUPE_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/fpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/list.h"
#include "kernel/signal.h"
#include "kernel/wait.h"

#define PROC_MAX            64          /* processes at once, init included; fork gives EAGAIN beyond */
#define PROC_NAME_MAX       16          /* like Linux's comm: TASK_COMM_LEN */
#define KERNEL_STACK_PAGES  4           /* 16 KiB per process */
#define KERNEL_STACK_SIZE   (KERNEL_STACK_PAGES * 4096)
#define PID_MAX             32768

enum proc_state {
	PROC_RUNNABLE,      /* on the run queue, or running (current) */
	PROC_SLEEPING,      /* waiting in a wait queue and/or for a timer */
	PROC_STOPPED,       /* job-control stop (SIGSTOP, SIGTSTP...) until SIGCONT */
	PROC_ZOMBIE,        /* exited; the parent has not collected the status yet */
};

struct address_space;
struct fd_table;
struct trace_session;
struct inode;

struct process {
	/* Identity: set at creation, read by anyone. */
	int pid;
	uint64_t serial;                    /* unique, never reused (pids are): binds handles */
	char name[PROC_NAME_MAX];

	/* Family: changed only with interrupts off (fork, exit, reparenting). */
	struct process *parent;
	struct list_node children;          /* of struct process, by sibling */
	struct list_node sibling;           /* in the parent's children */
	struct list_node table_link;        /* in the process table (proc.c) */
	int pgid, sid;                      /* process group and session (job control) */

	/* Scheduling (sched.c), with interrupts off. */
	enum proc_state state;
	struct list_node run_link;          /* on the run queue, or in a wait queue */
	struct list_node timer_link;        /* among the timed sleepers */
	struct wait_queue *waiting_on;      /* the queue we sleep in, if any */
	uint64_t wake_ns;                   /* timed sleep: wake at this monotonic time (0: none) */
	uint64_t saved_rsp;                 /* kernel RSP while switched out */

	/* The machine state of user mode, owned by the process itself. */
	uint64_t kernel_stack;              /* lowest address; KERNEL_STACK_SIZE bytes */
	struct trap_frame *frame;           /* user registers: at the top of the kernel stack */
	bool force_iret;                    /* the frame was rewritten: leave by IRETQ */
	uint64_t fs_base, gs_base;          /* user FS/GS bases (MSRs while running) */
	struct fpu_state fpu;               /* x87/SSE registers (FXSAVE area) */
	uint64_t clear_child_tid;           /* set_tid_address; not acted upon yet (no threads) */

	/* Memory, files and signals, owned by the process itself. */
	struct address_space *as;
	struct fd_table *fds;
	struct inode *cwd;
	uint32_t umask;
	struct signal_state signals;        /* pending: also written by senders, interrupts off */
	bool did_exec;                      /* setpgid on a child that exec'd: EACCES */
	uint64_t arg_start, arg_end;        /* argv strings on the user stack: /proc/<pid>/cmdline */
	char exe_path[64];                  /* what execve ran: /proc/<pid>/maps names its regions */

	/* Tracing (kernel/ptrace/): the session, if a tracer holds this process. */
	struct trace_session *trace;
	bool trace_stopped;                 /* in a trace stop: state 't' */
	long restart_result;                /* -ERESTART* from the syscall being returned from */

	/* Exit and job control: written by the process or its signal senders, read by the parent. */
	int exit_status;                    /* Linux wait status encoding */
	int stop_signal;                    /* the signal that stopped it (PROC_STOPPED) */
	bool stop_unreported;               /* wait4(WUNTRACED) has not seen this stop yet */
	bool continue_unreported;           /* wait4(WCONTINUED) has not seen the SIGCONT yet */
	struct wait_queue child_exit;       /* the parent sleeps here in wait4 */
};

extern struct process *current;

/* Boot: make the idle "process" (pid 0) out of the running boot context. */
void proc_init(void);

/* Find a live or zombie process by pid; NULL if none. */
struct process *proc_find(int pid);

/*
 * A new process structure with a kernel stack, a pid and no address
 * space, not yet runnable. Returns NULL with *error = -EAGAIN at the
 * process limit or when out of pids, -ENOMEM when out of memory.
 */
struct process *proc_create(const char *name, int *error);

/* Undo proc_create, or free a reaped zombie. */
void proc_free(struct process *process);

/* Arrange for a new process's first switch_context to leave to user mode through its frame. */
void proc_prepare_first_run(struct process *process);

/* Set the visible name (comm) from a path: its last component. */
void proc_set_name(struct process *process, const char *path);

/*
 * Call visit for every process in the table (zombies included), stopping
 * early if it returns non-zero, which is then the result. visit must not
 * free processes.
 */
int proc_for_each(int (*visit)(struct process *process, void *context), void *context);

/* How many processes exist (zombies included). */
int proc_count(void);

/*
 * Create pid 1 running path with argv = { path, command } (just { path }
 * if command is empty) and make it runnable. In kernel/exec.c.
 * Returns 0 or a negative errno.
 */
int proc_start_init(const char *path, const char *command);

#endif
