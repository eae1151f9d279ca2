/* SPDX-License-Identifier: MIT */
/*
 * signal.h - POSIX signals with Linux's numbers, structures and rules
 * (kernel/signal.c: sending, delivery, the signal frame).
 */
#ifndef LOUPE_SIGNAL_H
#define LOUPE_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#define SIGHUP    1
#define SIGINT    2
#define SIGQUIT   3
#define SIGILL    4
#define SIGTRAP   5
#define SIGABRT   6
#define SIGBUS    7
#define SIGFPE    8
#define SIGKILL   9
#define SIGUSR1  10
#define SIGSEGV  11
#define SIGUSR2  12
#define SIGPIPE  13
#define SIGALRM  14
#define SIGTERM  15
#define SIGSTKFLT 16
#define SIGCHLD  17
#define SIGCONT  18
#define SIGSTOP  19
#define SIGTSTP  20
#define SIGTTIN  21
#define SIGTTOU  22
#define SIGURG   23
#define SIGXCPU  24
#define SIGXFSZ  25
#define SIGVTALRM 26
#define SIGPROF  27
#define SIGWINCH 28
#define SIGIO    29
#define SIGPWR   30
#define SIGSYS   31
#define NSIG     64                     /* signals 1..64 */

#define SIG_DFL 0UL
#define SIG_IGN 1UL

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_RESTORER  0x04000000
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* si_code values. */
#define SI_USER     0
#define SI_KERNEL   0x80
#define SI_TKILL    (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPN  2
#define FPE_INTDIV  1
#define FPE_FLTINV  7
#define BUS_ADRALN  1
#define TRAP_BRKPT  1
#define TRAP_TRACE  2
#define CLD_EXITED  1
#define CLD_KILLED  2
#define CLD_DUMPED  3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/* Internal: a syscall interrupted by a signal, to restart or turn into -EINTR. */
#define ERESTARTSYS    512      /* restart if the handler has SA_RESTART (or no handler ran) */
#define ERESTARTNOHAND 514      /* restart only if no handler ran */

#define SIGNAL_BIT(sig) (1UL << ((sig) - 1))
#define SIGNALS_UNBLOCKABLE (SIGNAL_BIT(SIGKILL) | SIGNAL_BIT(SIGSTOP))

/* Linux's wait status: exit code in bits 8-15, or the killing signal in bits 0-6. */
#define WAIT_STATUS_EXITED(code)   (((code) & 0xff) << 8)
#define WAIT_STATUS_SIGNALED(sig)  ((sig) & 0x7f)
#define WAIT_STATUS_STOPPED(sig)   (((sig) << 8) | 0x7f)
#define WAIT_STATUS_CONTINUED      0xffff

/* struct sigaction as the rt_sigaction system call passes it on x86_64. */
struct kernel_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* siginfo_t, the fields Loupe fills; 128 bytes in all, like Linux's. */
struct siginfo {
	int32_t signo;
	int32_t error;
	int32_t code;
	int32_t pad;
	union {
		struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } child;
		struct { int32_t pid; uint32_t uid; } kill;
		struct { uint64_t addr; } fault;
		uint8_t bytes[112];
	} fields;
};
_Static_assert(sizeof(struct siginfo) == 128, "siginfo_t is 128 bytes");

struct signal_state {
	struct kernel_sigaction actions[NSIG + 1];      /* index = signal number */
	uint64_t pending;
	uint64_t blocked;
	struct siginfo info[NSIG + 1];                  /* for each pending signal */
	uint64_t saved_blocked;                         /* rt_sigsuspend's mask, to restore */
	bool restore_blocked;
	/* The last fault, for the handler's uc_mcontext (trapno, err, cr2), as Linux fills them. */
	uint64_t fault_trapno, fault_error, fault_cr2;
};

struct process;
struct trap_frame;

const char *signal_name(int sig);

/* Queue sig for process (info may be NULL: SI_USER from the kernel). Wakes it if needed. */
void signal_send(struct process *process, int sig, const struct siginfo *info);

/*
 * A fault: deliver sig even if blocked or ignored (the default action then
 * applies). trapno/error/cr2 describe the exception for the signal frame.
 */
void signal_force(int sig, int code, uint64_t address);
void signal_record_fault(uint64_t trapno, uint64_t error, uint64_t cr2);

/* Is a signal waiting that would interrupt a sleep of process? */
bool signal_pending(const struct process *process);

/*
 * On the way back to user mode: act on pending signals (default actions,
 * stops, or a handler frame on the user stack). result_of_syscall is the
 * syscall's return value when returning from one (to restart it or make
 * it -EINTR), 0 otherwise.
 */
void signal_deliver(struct trap_frame *frame, bool from_syscall);

/* fork: the child inherits actions and mask, not pending signals. */
void signal_fork(struct process *child, const struct process *parent);
/* execve: handlers go back to default; ignored stays ignored; mask kept. */
void signal_exec(struct process *process);

/* rt_sigreturn's work: restore the frame saved by the handler setup. Returns rax. */
long signal_return(struct trap_frame *frame);

/* Notify the parent of a child's exit/stop/continue (SIGCHLD + wake wait4). */
void signal_notify_parent(struct process *child, int code, int status);

#endif
