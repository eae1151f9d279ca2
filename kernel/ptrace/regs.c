/* SPDX-License-Identifier: MIT */
/*
 * regs.c - /proc/<pid>/regs, /proc/<pid>/fpregs and /proc/<pid>/siginfo.
 *
 * regs is struct user_regs_struct exactly as Linux lays it out, and the
 * first 21 fields are the trap frame itself (arch/x86_64/trap.h), so a
 * read is mostly a copy of the tracee's frame, and a write a copy back.
 * fpregs is the tracee's saved FXSAVE area.
 *
 * Both only while the tracee is in a trace stop: then its registers sit
 * still in its frame and struct process (a running tracee's registers
 * are in the CPU, or changing). Whole structures at offset 0 only.
 *
 * A write is checked completely before anything is committed, so a bad
 * write changes nothing:
 *   - CS and SS must be the user selectors, DS/ES/FS/GS 0 or the user
 *     data selector: anything else could give user mode kernel privilege
 *     or make the return to user mode fault inside the kernel;    EINVAL
 *   - FS and GS bases must be user addresses: WRMSR with a
 *     non-canonical value faults in the kernel;                   EINVAL
 *   - RFLAGS: only the bits a program may set itself are taken (like
 *     Linux, silently): IOPL 3 would grant port I/O, a clear IF would
 *     let the tracee run without ever being preempted;
 *   - RIP may be anything: a non-canonical or kernel RIP is refused on
 *     the way back to user mode (kernel/syscall.c: return_to_user) and
 *     the tracee gets SIGSEGV, as it would for jumping there itself;
 *   - every write sets force_iret, because SYSRET restores RCX/R11 into
 *     RIP/RFLAGS and must not be trusted with a rewritten frame;
 *   - fpregs: MXCSR reserved bits would make FXRSTOR fault.       EINVAL
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/lib/string.h"
#include "kernel/proc.h"
#include "kernel/ptrace/handle.h"
#include "kernel/ptrace/perm.h"
#include "kernel/ptrace/session.h"
#include "kernel/signal.h"

_Static_assert(sizeof(struct loupe_user_regs) == 27 * 8, "user_regs_struct is 27 words");
_Static_assert(__builtin_offsetof(struct loupe_user_regs, ss) == sizeof(struct trap_frame) - 8,
	       "the first 21 words of user_regs_struct are the trap frame (pt_regs)");

#define USER_FLAGS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | \
		    RFLAGS_DF | RFLAGS_OF | RFLAGS_AC | RFLAGS_RF)

/*
 * A handle is bound to the process it was opened for, by its serial
 * number: once that process is gone, its pid may come back as another
 * process, which this handle must never reach.
 */
static int registers_open(struct file *file)
{
	struct process *tracee;
	int pid = (int)(uintptr_t)file->inode->private;
	int error = trace_may_attach(pid, false, &tracee);

	if (error)
		return error;
	file->private = (void *)(uintptr_t)tracee->serial;
	file->position = 0;
	return 0;
}

/* The tracee, if it is alive and stopped in a trace stop; else an errno. */
static int registers_tracee(struct file *file, struct process **tracee)
{
	uint64_t serial = (uint64_t)(uintptr_t)file->private;
	struct process *process = proc_find((int)(uintptr_t)file->inode->private);

	if (!process || process->serial != serial || process->state == PROC_ZOMBIE)
		return -ESRCH;
	if (!process->trace_stopped)
		return -EBUSY;
	*tracee = process;
	return 0;
}

static long regs_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct process *tracee;
	struct loupe_user_regs regs;

	if (*position != 0 || len != sizeof(regs))
		return -EINVAL;
	int error = registers_tracee(file, &tracee);
	if (error)
		return error;
	memcpy(&regs, tracee->frame, sizeof(struct trap_frame));
	if (tracee->trace && tracee->trace->forced_tf)
		regs.eflags &= ~RFLAGS_TF;      /* the TF of a step is ours, not the program's */
	regs.fs_base = tracee->fs_base;
	regs.gs_base = tracee->gs_base;
	regs.ds = regs.es = regs.fs = regs.gs = 0;
	if (io_copy_out(buffer, 0, &regs, sizeof(regs)))
		return -EFAULT;
	return (long)sizeof(regs);              /* the position stays 0: read again freely */
}

static bool data_selector_ok(uint64_t selector)
{
	return selector == 0 || selector == USER_DS;
}

static long regs_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct process *tracee;
	struct loupe_user_regs regs;

	if (*position != 0 || len != sizeof(regs))
		return -EINVAL;
	int error = registers_tracee(file, &tracee);
	if (error)
		return error;
	if (io_copy_in(buffer, 0, &regs, sizeof(regs)))
		return -EFAULT;
	if (regs.cs != USER_CS || regs.ss != USER_DS || !data_selector_ok(regs.ds) ||
	    !data_selector_ok(regs.es) || !data_selector_ok(regs.fs) || !data_selector_ok(regs.gs))
		return -EINVAL;
	if (regs.fs_base >= USER_TOP || regs.gs_base >= USER_TOP)
		return -EINVAL;

	struct trap_frame *frame = tracee->frame;
	uint64_t kept_flags = frame->rflags & ~USER_FLAGS;
	memcpy(frame, &regs, sizeof(struct trap_frame));
	frame->rflags = kept_flags | (regs.eflags & USER_FLAGS) | RFLAGS_IF | RFLAGS_FIXED;
	if (tracee->trace && tracee->trace->forced_tf)
		frame->rflags |= RFLAGS_TF;     /* keep the pending step's TF (hidden on read) */
	tracee->fs_base = regs.fs_base;
	tracee->gs_base = regs.gs_base;
	tracee->force_iret = true;
	return (long)sizeof(regs);
}

static long fpregs_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct process *tracee;

	if (*position != 0 || len != LOUPE_FPREGS_SIZE)
		return -EINVAL;
	int error = registers_tracee(file, &tracee);
	if (error)
		return error;
	return io_copy_out(buffer, 0, tracee->fpu.fxsave, LOUPE_FPREGS_SIZE) ? -EFAULT : LOUPE_FPREGS_SIZE;
}

static long fpregs_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct process *tracee;
	struct fpu_state state;
	uint32_t mxcsr;

	if (*position != 0 || len != LOUPE_FPREGS_SIZE)
		return -EINVAL;
	int error = registers_tracee(file, &tracee);
	if (error)
		return error;
	if (io_copy_in(buffer, 0, state.fxsave, LOUPE_FPREGS_SIZE))
		return -EFAULT;
	memcpy(&mxcsr, &state.fxsave[FPU_MXCSR_OFFSET], sizeof(mxcsr));
	if (mxcsr & ~fpu_mxcsr_mask())
		return -EINVAL;
	tracee->fpu = state;
	return LOUPE_FPREGS_SIZE;
}

const struct file_ops regs_file_ops = {
	.open = registers_open,
	.read = regs_read,
	.write = regs_write,
	.seekable = true,
};

const struct file_ops fpregs_file_ops = {
	.open = registers_open,
	.read = fpregs_read,
	.write = fpregs_write,
	.seekable = true,
};

/*
 * siginfo: the siginfo_t of the signal a SIGNAL stop reports, read and
 * rewritten in place (PTRACE_GETSIGINFO/SETSIGINFO). It is the copy the
 * stopped tracee holds in trace_signal() (stop.c) and hands to
 * signal_deliver() when resumed, so a write is what the handler gets,
 * unless the tracer resumes with a different signal: then the signal
 * number is corrected and the rest of the write is kept.
 */
static long siginfo_transfer(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position,
			     bool write)
{
	struct process *tracee;

	if (*position != 0 || len != sizeof(struct siginfo))
		return -EINVAL;
	int error = registers_tracee(file, &tracee);
	if (error)
		return error;
	struct trace_session *session = tracee->trace;
	if (!session || session->stop_kind != LOUPE_EVENT_SIGNAL || !session->stop_siginfo)
		return -EINVAL;                 /* no signal to speak of at this stop */
	struct siginfo info;
	if (write) {
		if (io_copy_in(buffer, 0, &info, sizeof(info)))
			return -EFAULT;
		*session->stop_siginfo = info;  /* whole structure checked in: nothing half written */
	} else if (io_copy_out(buffer, 0, session->stop_siginfo, sizeof(info))) {
		return -EFAULT;
	}
	return (long)sizeof(info);
}

static long siginfo_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	return siginfo_transfer(file, buffer, len, position, false);
}

static long siginfo_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	return siginfo_transfer(file, buffer, len, position, true);
}

const struct file_ops siginfo_file_ops = {
	.open = registers_open,
	.read = siginfo_read,
	.write = siginfo_write,
	.seekable = true,
};
