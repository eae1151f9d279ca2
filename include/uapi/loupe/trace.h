/* SPDX-License-Identifier: MIT */
/*
 * loupe/trace.h - the tracing ABI: the bytes that pass through
 * /proc/<pid>/trace, /proc/<pid>/regs, /proc/<pid>/fpregs, /proc/<pid>/mem.
 *
 * Shared by the kernel (kernel/ptrace/) and user space (the ptrace shim,
 * strace, tests). docs/ptrace-abi.md is the manual page for every file
 * and every field; this header is its C form. Everything is little
 * endian, naturally aligned, and fixed-size: a record never changes size
 * within a version, and its `size` field says which version it is.
 *
 *   trace   open O_RDWR: become the tracer (one tracer per tracee).
 *           read:  whole struct loupe_trace_event records; blocks until
 *                  one is available (O_NONBLOCK: EAGAIN); poll says POLLIN.
 *                  After the death event: 0 (end of file).
 *           write: exactly one struct loupe_trace_resume: which stops to
 *                  arm, and resume the tracee if it is stopped.
 *   regs    struct user_regs_struct (Linux's layout, 27 x 8 bytes),
 *           whole, at offset 0, only while the tracee is stopped.
 *   fpregs  the 512-byte FXSAVE area, same rules.
 *   siginfo the 128-byte siginfo_t of the signal a SIGNAL stop is about:
 *           whole, at offset 0, only at a SIGNAL stop (else EINVAL).
 *           A write replaces what the tracee's handler will get
 *           (PTRACE_SETSIGINFO).
 *   mem     the tracee's memory: file offset = virtual address.
 */
#ifndef LOUPE_UAPI_TRACE_H
#define LOUPE_UAPI_TRACE_H

#include <stdint.h>

/*
 * Stop points and events. An armed stop point stops the tracee and
 * produces an event of the same number; LOUPE_EVENT_DEATH is not a stop
 * (the tracee is gone) and is always reported.
 */
enum loupe_event_kind {
	LOUPE_EVENT_NONE          = 0,
	LOUPE_EVENT_SYSCALL_ENTRY = 1,  /* after the registers are saved, before the call runs */
	LOUPE_EVENT_SYSCALL_EXIT  = 2,  /* after the result is in rax, before user mode */
	LOUPE_EVENT_EXIT          = 3,  /* exit or a fatal signal (not SIGKILL), before teardown */
	LOUPE_EVENT_SINGLESTEP    = 4,  /* one instruction done (resume with LOUPE_RESUME_STEP) */
	LOUPE_EVENT_BREAKPOINT    = 5,  /* int3 executed; rip points after it */
	LOUPE_EVENT_SIGNAL        = 6,  /* a signal is about to be delivered */
	LOUPE_EVENT_FORK          = 7,  /* fork/vfork/clone made a child (child_pid) */
	LOUPE_EVENT_EXEC          = 8,  /* execve succeeded; the new image is in place */
	LOUPE_EVENT_INTERRUPT     = 9,  /* the tracer asked for a stop (LOUPE_RESUME_INTERRUPT) */
	LOUPE_EVENT_DEATH         = 10, /* the tracee is gone: status; last event, not a stop */
	LOUPE_EVENT_GROUP_STOP    = 11, /* a stop signal (signal) would stop it: it stops here instead */
	LOUPE_EVENT_KINDS
};

/* Bits of loupe_trace_resume.stops: which stop points are armed. */
#define LOUPE_STOP(kind)            (1ULL << (kind))
#define LOUPE_STOP_SYSCALL_ENTRY    LOUPE_STOP(LOUPE_EVENT_SYSCALL_ENTRY)
#define LOUPE_STOP_SYSCALL_EXIT     LOUPE_STOP(LOUPE_EVENT_SYSCALL_EXIT)
#define LOUPE_STOP_EXIT             LOUPE_STOP(LOUPE_EVENT_EXIT)
#define LOUPE_STOP_BREAKPOINT       LOUPE_STOP(LOUPE_EVENT_BREAKPOINT)
#define LOUPE_STOP_SIGNAL           LOUPE_STOP(LOUPE_EVENT_SIGNAL)
#define LOUPE_STOP_FORK             LOUPE_STOP(LOUPE_EVENT_FORK)
#define LOUPE_STOP_EXEC             LOUPE_STOP(LOUPE_EVENT_EXEC)
#define LOUPE_STOP_GROUP_STOP       LOUPE_STOP(LOUPE_EVENT_GROUP_STOP)
#define LOUPE_STOP_SYSCALLS         (LOUPE_STOP_SYSCALL_ENTRY | LOUPE_STOP_SYSCALL_EXIT)

/* One event, as read(2) returns it from the trace handle: 256 bytes. */
struct loupe_trace_event {
	uint32_t size;          /* sizeof(struct loupe_trace_event): the ABI version */
	uint32_t kind;          /* enum loupe_event_kind */
	uint64_t seq;           /* 1, 2, 3...: per session, never reused, no gaps */
	int32_t pid;            /* the tracee */
	int32_t signal;         /* SIGNAL, GROUP_STOP: the signal number; else 0 */
	uint64_t syscall;       /* SYSCALL_ENTRY/EXIT: the number (orig_rax); else 0 */
	uint64_t args[6];       /* SYSCALL_ENTRY: rdi, rsi, rdx, r10, r8, r9 */
	int64_t retval;         /* SYSCALL_EXIT: the result (rax), e.g. -ENOENT */
	int32_t status;         /* EXIT, DEATH: the Linux wait status (WIFEXITED...) */
	int32_t child_pid;      /* FORK: the new child */
	uint64_t rip;           /* the tracee's instruction pointer at the stop */
	uint8_t siginfo[128];   /* SIGNAL: the siginfo_t to be delivered */
	uint8_t reserved[24];   /* zero */
};

/* Bits of loupe_trace_resume.flags. */
#define LOUPE_RESUME_WAIT      0x01  /* after resuming, block until the next event (PTRACE_WAIT) */
#define LOUPE_RESUME_STEP      0x02  /* run one instruction, then stop (LOUPE_EVENT_SINGLESTEP) */
#define LOUPE_RESUME_SKIP      0x04  /* at a SYSCALL_ENTRY stop: skip the call (SYSEMU) */
#define LOUPE_RESUME_INTERRUPT 0x08  /* stop a running tracee as soon as possible */
#define LOUPE_RESUME_NOCONT    0x10  /* only change arming/options: do not resume a stopped tracee */
#define LOUPE_RESUME_LISTEN    0x20  /* at a GROUP_STOP/INTERRUPT stop: stay stopped until SIGCONT,
				      * which ends the wait with a new INTERRUPT event (PTRACE_LISTEN) */
#define LOUPE_RESUME_FLAGS     0x3f

/* Bits of loupe_trace_resume.options: session options, replaced by every write. */
#define LOUPE_OPT_KILL_ON_CLOSE 0x01 /* the tracer going away kills the tracee (EXITKILL) */
#define LOUPE_OPT_FOLLOW_FORK   0x02 /* children start attached to the same tracer, stopped */
#define LOUPE_OPT_FILTER        0x04 /* syscall stops only for numbers in the filter bitmap */
#define LOUPE_OPTIONS           0x07

#define LOUPE_FILTER_BITS 512        /* syscall numbers 0..511 */

/* One resume, as write(2) takes it on the trace handle: 128 bytes. */
struct loupe_trace_resume {
	uint32_t size;          /* sizeof(struct loupe_trace_resume), else EINVAL */
	uint32_t flags;         /* LOUPE_RESUME_*; unknown bits: EINVAL */
	uint64_t stops;         /* LOUPE_STOP_* bits to arm; unknown bits: EINVAL */
	uint32_t options;       /* LOUPE_OPT_*; unknown bits: EINVAL */
	int32_t signal;         /* at a SIGNAL stop: deliver this one instead (0: drop it);
				 * at any other stop: send this signal as the tracee resumes */
	uint64_t filter[LOUPE_FILTER_BITS / 64];  /* with LOUPE_OPT_FILTER: bit n = stop at syscall n */
	uint64_t reserved[5];   /* zero, else EINVAL */
};

/* struct user_regs_struct, as Linux <sys/user.h> has it on x86_64: the regs file. */
struct loupe_user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

#define LOUPE_FPREGS_SIZE 512   /* the FXSAVE area: the fpregs file */

#endif
