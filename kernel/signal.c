/* SPDX-License-Identifier: MIT */
/*
 * signal.c - sending signals, and delivering them on the way to user mode.
 *
 * Sending (signal_send) only records: a bit in the target's pending set
 * and a siginfo, then wakes the target if it sleeps and the signal is not
 * blocked. Two signals act at once, because they must work on a process
 * that is not running: SIGKILL (wakes and continues anything) and SIGCONT
 * (resumes a stopped process, drops pending stop signals).
 *
 * Delivering (signal_deliver) happens in the process itself, in
 * return_to_user, the last stop before user mode. For each pending,
 * unblocked signal, in number order:
 *   ignored            -> dropped;
 *   default action     -> ignore, stop (sched_stop, until SIGCONT),
 *                         or terminate (proc_exit with the signal);
 *   a handler          -> an rt_sigframe is built on the user stack and
 *                         the frame's registers are pointed at the handler.
 *
 * The frame is Linux's x86_64 rt_sigframe, byte for byte, so musl (and a
 * debugger) read it as on Linux:
 *
 *      higher   | FXSAVE area (512 bytes, 64-aligned) |  <- uc_mcontext.fpstate
 *               | struct siginfo  (128)               |  <- rsi of the handler
 *               | struct ucontext (304)               |  <- rdx
 *      rsp ->   | pretcode = sa_restorer              |  "return address" of the handler
 *
 * The handler returns into sa_restorer (musl's __restore_rt), which calls
 * rt_sigreturn; signal_return reads the ucontext back, checks every field
 * a forged frame could abuse, and resumes the interrupted code.
 *
 * An interrupted system call returns -ERESTARTSYS or -ERESTARTNOHAND;
 * here it becomes -EINTR, or is restarted by rewinding RIP over the
 * 2-byte `syscall` instruction, as the handler's SA_RESTART asks.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/exit.h"
#include "kernel/lib/string.h"
#include "kernel/poll.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/session.h"
#include "kernel/ptrace/stop.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/usercopy.h"

static const char *const signal_names[NSIG + 1] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};

const char *signal_name(int sig)
{
	if (sig > 0 && sig <= NSIG && signal_names[sig])
		return signal_names[sig];
	return "signal";
}

enum default_action { ACTION_TERMINATE, ACTION_CORE, ACTION_IGNORE, ACTION_STOP, ACTION_CONTINUE };

static enum default_action signal_default(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return ACTION_IGNORE;
	case SIGCONT:
		return ACTION_CONTINUE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return ACTION_STOP;
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return ACTION_CORE;
	default:
		return ACTION_TERMINATE;        /* including the real-time signals 32..64 */
	}
}

static bool signal_is_stop(int sig)
{
	return signal_default(sig) == ACTION_STOP;
}

/* Would sig be thrown away on arrival? (Linux discards ignored signals that are not blocked.) */
static bool signal_ignored(const struct process *process, int sig)
{
	uint64_t handler = process->signals.actions[sig].handler;

	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	/* SIGCONT's default "continue" already happened at send time: nothing left to deliver. */
	return handler == SIG_IGN || (handler == SIG_DFL && (signal_default(sig) == ACTION_IGNORE ||
							     signal_default(sig) == ACTION_CONTINUE));
}

bool signal_pending(const struct process *process)
{
	return (process->signals.pending & (~process->signals.blocked | SIGNALS_UNBLOCKABLE)) != 0;
}

/* Resume a stopped process. Only SIGCONT is reported to the parent; SIGKILL just lets it die. */
static void signal_continue(struct process *process, int sig)
{
	if (process->state != PROC_STOPPED)
		return;
	process->stop_unreported = false;
	sched_make_runnable(process);
	if (sig == SIGCONT) {
		process->continue_unreported = true;
		signal_notify_parent(process, CLD_CONTINUED, SIGCONT);
	}
}

static void signal_send_common(struct process *process, int sig, const struct siginfo *info, bool forced);

void signal_send(struct process *process, int sig, const struct siginfo *info)
{
	signal_send_common(process, sig, info, false);
}

static void signal_send_common(struct process *process, int sig, const struct siginfo *info, bool forced)
{
	struct signal_state *signals = &process->signals;
	uint64_t flags = irq_save();

	if (process->state == PROC_ZOMBIE)
		goto out;
	/*
	 * init only gets the signals it asked for: with the default action a
	 * stray ^C or kill -9 1 would take the whole system down (Linux's
	 * SIGNAL_UNKILLABLE rule).
	 */
	if (process->pid == 1 && process->signals.actions[sig].handler == SIG_DFL && !forced)
		goto out;               /* (a fault in init is forced: it cannot just retry forever) */
	if (sig == SIGCONT || sig == SIGKILL) {
		signals->pending &= ~(SIGNAL_BIT(SIGSTOP) | SIGNAL_BIT(SIGTSTP) |
				      SIGNAL_BIT(SIGTTIN) | SIGNAL_BIT(SIGTTOU));
		signal_continue(process, sig);
		if (sig == SIGCONT && process->trace)
			trace_listen_continue(process);
	} else if (signal_is_stop(sig)) {
		signals->pending &= ~SIGNAL_BIT(SIGCONT);
	}
	/* Ignored signals are dropped on arrival, except for a tracee: its tracer sees them. */
	if (signal_ignored(process, sig) && !(signals->blocked & SIGNAL_BIT(sig)) && !process->trace)
		goto out;
	if (!(signals->pending & SIGNAL_BIT(sig))) {
		signals->pending |= SIGNAL_BIT(sig);
		if (info) {
			signals->info[sig] = *info;
		} else {
			memset(&signals->info[sig], 0, sizeof(signals->info[sig]));
			signals->info[sig].code = SI_KERNEL;
		}
		signals->info[sig].signo = sig;
	}
	if (signal_pending(process))
		sched_wake(process);
out:
	irq_restore(flags);
}

void signal_force(int sig, int code, uint64_t address)
{
	struct signal_state *signals = &current->signals;
	struct siginfo info;

	/* A fault cannot be ignored or blocked away: the program would just fault again. */
	if (signals->actions[sig].handler == SIG_IGN || (signals->blocked & SIGNAL_BIT(sig)))
		signals->actions[sig].handler = SIG_DFL;
	signals->blocked &= ~SIGNAL_BIT(sig);
	memset(&info, 0, sizeof(info));
	info.signo = sig;
	info.code = code;
	info.fields.fault.addr = address;
	signal_send_common(current, sig, &info, true);
}

void signal_record_fault(uint64_t trapno, uint64_t error, uint64_t cr2)
{
	current->signals.fault_trapno = trapno;
	current->signals.fault_error = error;
	current->signals.fault_cr2 = cr2;
}

void signal_notify_parent(struct process *child, int code, int status)
{
	struct process *parent = child->parent;

	if (!parent)
		return;
	wait_queue_wake_all(&parent->child_exit);
	poll_notify();                          /* /proc/<pid>/waitable */
	const struct kernel_sigaction *action = &parent->signals.actions[SIGCHLD];
	if ((code == CLD_STOPPED || code == CLD_CONTINUED) && (action->flags & SA_NOCLDSTOP))
		return;
	struct siginfo info;
	memset(&info, 0, sizeof(info));
	info.code = code;
	info.fields.child.pid = child->pid;
	info.fields.child.status = status;
	signal_send(parent, SIGCHLD, &info);
}

void signal_fork(struct process *child, const struct process *parent)
{
	memcpy(child->signals.actions, parent->signals.actions, sizeof(child->signals.actions));
	child->signals.blocked = parent->signals.blocked;
	child->signals.pending = 0;
}

void signal_exec(struct process *process)
{
	for (int sig = 1; sig <= NSIG; sig++) {
		struct kernel_sigaction *action = &process->signals.actions[sig];
		uint64_t handler = action->handler == SIG_IGN ? SIG_IGN : SIG_DFL;
		memset(action, 0, sizeof(*action));
		action->handler = handler;
	}
}

/* --- the signal frame ----------------------------------------------------- */

struct sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;               /* user address of the FXSAVE area, or 0 */
	uint64_t reserved[8];
};
_Static_assert(sizeof(struct sigcontext) == 256, "Linux's struct sigcontext (x86_64)");

struct ucontext {
	uint64_t flags;
	uint64_t link;
	struct { uint64_t sp; int32_t flags; int32_t pad; uint64_t size; } stack;
	struct sigcontext mcontext;
	uint64_t sigmask;
};
_Static_assert(sizeof(struct ucontext) == 304, "Linux's struct ucontext (x86_64)");

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext uc;
	struct siginfo info;
};
_Static_assert(sizeof(struct rt_sigframe) == 440, "Linux's struct rt_sigframe (x86_64)");

#define SS_DISABLE 2
#define RED_ZONE 128                    /* the x86_64 ABI lets leaf code use 128 bytes below RSP */
#define FLAGS_FROM_USER (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | \
			 RFLAGS_TF | RFLAGS_DF | RFLAGS_OF | RFLAGS_AC | RFLAGS_RF)

static void sigcontext_from_frame(struct sigcontext *context, const struct trap_frame *frame)
{
	context->r8 = frame->r8;   context->r9 = frame->r9;   context->r10 = frame->r10;
	context->r11 = frame->r11; context->r12 = frame->r12; context->r13 = frame->r13;
	context->r14 = frame->r14; context->r15 = frame->r15; context->rdi = frame->rdi;
	context->rsi = frame->rsi; context->rbp = frame->rbp; context->rbx = frame->rbx;
	context->rdx = frame->rdx; context->rax = frame->rax; context->rcx = frame->rcx;
	context->rsp = frame->rsp; context->rip = frame->rip; context->eflags = frame->rflags;
	context->cs = (uint16_t)frame->cs;
	context->ss = (uint16_t)frame->ss;
}

/* Build the frame for sig on the user stack and aim the registers at the handler. */
static bool signal_setup_frame(struct trap_frame *frame, int sig, const struct kernel_sigaction *action,
			       uint64_t old_blocked)
{
	struct rt_sigframe sigframe;
	struct fpu_state fpu;

	if (!(action->flags & SA_RESTORER))
		return false;                   /* x86_64 has no default return trampoline */
	uint64_t sp = frame->rsp - RED_ZONE;
	uint64_t fpstate = (sp - sizeof(fpu)) & ~63UL;
	sp = ((fpstate - sizeof(sigframe)) & ~15UL) - 8;   /* rsp + 8 16-aligned, as after a call */

	memset(&sigframe, 0, sizeof(sigframe));
	sigframe.pretcode = action->restorer;
	sigframe.uc.stack.flags = SS_DISABLE;
	sigcontext_from_frame(&sigframe.uc.mcontext, frame);
	if (current->trace && current->trace->forced_tf)
		sigframe.uc.mcontext.eflags &= ~RFLAGS_TF;     /* a tracer's step is not the program's TF */
	sigframe.uc.mcontext.fpstate = fpstate;
	sigframe.uc.mcontext.oldmask = old_blocked;
	int code = current->signals.info[sig].code;
	bool fault_signal = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
			    sig == SIGTRAP;
	if (fault_signal && code > 0 && code < SI_KERNEL) {
		/* A fault the kernel raised: say which exception, as Linux does. */
		sigframe.uc.mcontext.trapno = current->signals.fault_trapno;
		sigframe.uc.mcontext.err = current->signals.fault_error;
		sigframe.uc.mcontext.cr2 = current->signals.fault_cr2;
	} else if (fault_signal && code == SI_KERNEL && current->signals.fault_trapno) {
		sigframe.uc.mcontext.trapno = current->signals.fault_trapno;
		sigframe.uc.mcontext.err = current->signals.fault_error;
	}
	sigframe.uc.sigmask = old_blocked;
	sigframe.info = current->signals.info[sig];

	current->signals.fault_trapno = current->signals.fault_error = current->signals.fault_cr2 = 0;
	fpu_save(&fpu);                         /* the registers are live: this is their state */
	if (copy_to_user(fpstate, &fpu, sizeof(fpu)) || copy_to_user(sp, &sigframe, sizeof(sigframe)))
		return false;

	frame->rsp = sp;
	frame->rip = action->handler;
	frame->rdi = (uint64_t)sig;
	frame->rsi = sp + __builtin_offsetof(struct rt_sigframe, info);
	frame->rdx = sp + __builtin_offsetof(struct rt_sigframe, uc);
	frame->rax = 0;
	frame->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_RF);
	frame->cs = USER_CS;
	frame->ss = USER_DS;
	current->force_iret = true;
	fpu_init_state(&fpu);                   /* handlers start with a clean FPU, as on Linux */
	fpu_restore(&fpu);
	return true;
}

static bool signal_fpu_valid(const struct fpu_state *fpu)
{
	uint32_t mxcsr;

	memcpy(&mxcsr, &fpu->fxsave[FPU_MXCSR_OFFSET], sizeof(mxcsr));
	return (mxcsr & ~fpu_mxcsr_mask()) == 0;       /* FXRSTOR would #GP in the kernel otherwise */
}

long signal_return(struct trap_frame *frame)
{
	struct ucontext uc;
	struct fpu_state fpu;
	uint64_t uc_address = frame->rsp;       /* the handler's `ret` popped pretcode */

	if (copy_from_user(&uc, uc_address, sizeof(uc)))
		goto bad;
	const struct sigcontext *context = &uc.mcontext;
	/* A forged frame must not give user mode kernel selectors. */
	if ((context->cs | 3) != USER_CS || ((context->ss | 3) != USER_DS && context->ss != 0))
		goto bad;
	if (context->fpstate) {
		if (copy_from_user(&fpu, context->fpstate, sizeof(fpu)) || !signal_fpu_valid(&fpu))
			goto bad;
	} else {
		fpu_init_state(&fpu);
	}

	frame->r8 = context->r8;   frame->r9 = context->r9;   frame->r10 = context->r10;
	frame->r11 = context->r11; frame->r12 = context->r12; frame->r13 = context->r13;
	frame->r14 = context->r14; frame->r15 = context->r15; frame->rdi = context->rdi;
	frame->rsi = context->rsi; frame->rbp = context->rbp; frame->rbx = context->rbx;
	frame->rdx = context->rdx; frame->rax = context->rax; frame->rcx = context->rcx;
	frame->rsp = context->rsp; frame->rip = context->rip;
	/* Only the flags a program may change itself; IOPL, IF and friends stay the kernel's. */
	frame->rflags = (frame->rflags & ~FLAGS_FROM_USER) | (context->eflags & FLAGS_FROM_USER);
	frame->rflags |= RFLAGS_IF | RFLAGS_FIXED;
	frame->cs = USER_CS;
	frame->ss = USER_DS;
	frame->orig_rax = (uint64_t)-1;         /* not in a syscall any more: never restart */
	fpu_restore(&fpu);
	current->signals.blocked = uc.sigmask & ~SIGNALS_UNBLOCKABLE;
	current->force_iret = true;             /* a non-canonical RIP is caught in return_to_user */
	return (long)frame->rax;
bad:
	printk("loupe: pid %d (%s) killed by SIGSEGV: bad signal frame at %p\n",
	       current->pid, current->name, (void *)uc_address);
	signal_force(SIGSEGV, SI_KERNEL, 0);
	return (long)frame->rax;
}

/* --- delivery ----------------------------------------------------------- */

static int signal_next(struct signal_state *signals)
{
	uint64_t ready = signals->pending & (~signals->blocked | SIGNALS_UNBLOCKABLE);

	if (!ready)
		return 0;
	if (ready & SIGNAL_BIT(SIGKILL))
		return SIGKILL;                 /* SIGKILL first: nothing may delay it */
	return __builtin_ctzll(ready) + 1;
}

/* Rewind over `syscall` so the call runs again with its original number. */
static void signal_restart_syscall(struct trap_frame *frame)
{
	frame->rax = frame->orig_rax;
	frame->rip -= 2;
	current->force_iret = true;             /* rcx no longer equals rip */
}

void signal_deliver(struct trap_frame *frame, bool from_syscall)
{
	struct signal_state *signals = &current->signals;
	long result = from_syscall ? (long)frame->rax : 0;
	bool restartable = from_syscall && (result == -ERESTARTSYS || result == -ERESTARTNOHAND);
	int sig;

	while ((sig = signal_next(signals)) != 0) {
		signals->pending &= ~SIGNAL_BIT(sig);
		/* The SIGNAL stop: the tracer may let it through, drop it, or pick another. */
		if (__builtin_expect(current->trace != NULL, 0) && sig != SIGKILL) {
			struct siginfo info = signals->info[sig];
			int chosen = trace_signal(frame, sig, &info);
			if (chosen == 0)
				continue;
			signals->info[chosen] = info;   /* as the tracer may have rewritten it */
			if (chosen != sig) {
				sig = chosen;
				if (signals->blocked & SIGNAL_BIT(sig)) {
					signals->pending |= SIGNAL_BIT(sig);    /* it waits, like any blocked one */
					continue;
				}
			}
		}
		struct kernel_sigaction *action = &signals->actions[sig];

		if (action->handler == SIG_IGN && sig != SIGKILL && sig != SIGSTOP)
			continue;
		if (action->handler == SIG_DFL || sig == SIGKILL || sig == SIGSTOP) {
			enum default_action what = signal_default(sig);
			if (what == ACTION_IGNORE || what == ACTION_CONTINUE)
				continue;
			if (what == ACTION_STOP) {
				if (__builtin_expect(current->trace != NULL, 0) && trace_group_stop(frame, sig))
					continue;       /* its tracer held it instead, and let it go */
				current->stop_signal = sig;
				current->stop_unreported = true;
				current->continue_unreported = false;
				signal_notify_parent(current, CLD_STOPPED, sig);
				sched_stop();
				continue;               /* SIGCONT or SIGKILL woke us */
			}
			proc_exit(WAIT_STATUS_SIGNALED(sig));
		}

		/* A handler. First settle the interrupted syscall's result. */
		uint64_t old_blocked = signals->restore_blocked ? signals->saved_blocked : signals->blocked;
		if (restartable) {
			if (result == -ERESTARTSYS && (action->flags & SA_RESTART))
				signal_restart_syscall(frame);
			else
				frame->rax = (uint64_t)-EINTR;
			restartable = false;
		}
		if (!signal_setup_frame(frame, sig, action, old_blocked)) {
			printk("loupe: pid %d (%s) killed by SIGSEGV: cannot build the frame for %s\n",
			       current->pid, current->name, signal_name(sig));
			proc_exit(WAIT_STATUS_SIGNALED(SIGSEGV));
		}
		signals->restore_blocked = false;
		if (__builtin_expect(current->trace != NULL, 0))
			trace_step_into_handler(frame);
		signals->blocked |= action->mask;
		if (!(action->flags & SA_NODEFER))
			signals->blocked |= SIGNAL_BIT(sig);
		signals->blocked &= ~SIGNALS_UNBLOCKABLE;
		if (action->flags & SA_RESETHAND) {
			action->handler = SIG_DFL;
			action->flags &= ~SA_SIGINFO;
		}
		return;                         /* one handler at a time; the next on its return */
	}
	/* No handler ran: an interrupted call starts over, transparently. */
	if (restartable)
		signal_restart_syscall(frame);
	if (signals->restore_blocked && !restartable) {
		signals->blocked = signals->saved_blocked;
		signals->restore_blocked = false;
	}
}
