/* SPDX-License-Identifier: MIT */
/*
 * ptrace.c - Linux's ptrace(), rebuilt over /proc/<pid>/{trace,regs,fpregs,mem}.
 *
 * Linked before musl's libc.a, so it replaces musl's ptrace(); the kernel
 * has no ptrace system call (DESIGN.md). One table maps each Linux request
 * to a function; docs/shim.md lists, request by request, which file
 * operations it becomes. Errors are Linux's: ESRCH for a process we do
 * not trace or that is not stopped, EPERM for attaching to ourselves or
 * twice, EIO for unknown requests and bad addresses.
 *
 * PEEK requests return the word itself and set errno only on error, as
 * glibc and musl document (a word of all ones is valid data: clear errno
 * before calling to tell them apart).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <loupe/ptrace_ext.h>

#include "shim.h"

_Static_assert(sizeof(struct user_regs_struct) == sizeof(struct loupe_user_regs),
	       "the regs file is struct user_regs_struct");

typedef long (*request_fn)(pid_t pid, void *addr, void *data);

/*
 * Copy into or out of the caller's buffer without crashing on a bad
 * pointer: Linux answers EFAULT there, and so must we. A user-space
 * library cannot test a pointer, but the kernel can: the bytes go
 * through a pipe, and read()/write() report a bad buffer as EFAULT.
 */
static int safe_copy(void *dst, const void *src, size_t size)
{
	int pipe_fds[2];
	int result = -1;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -1;
	if (write(pipe_fds[1], src, size) == (ssize_t)size &&
	    read(pipe_fds[0], dst, size) == (ssize_t)size)
		result = 0;
	int saved = errno;
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	errno = saved;
	return result;
}

/* The tracee, which must be stopped; ESRCH otherwise (Linux's rule). */
static struct shim_tracee *stopped_tracee(pid_t pid)
{
	struct shim_tracee *tracee = shim_find(pid);

	if (tracee && !tracee->dead && !tracee->stopped)
		shim_drain(tracee);             /* it may have stopped since we last looked */
	if (!tracee || tracee->dead || !tracee->stopped) {
		errno = ESRCH;
		return NULL;
	}
	return tracee;
}

static long request_traceme(pid_t pid, void *addr, void *data)
{
	(void)pid; (void)addr; (void)data;
	int fd = open("/proc/self/consent", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t written = write(fd, "1", 1);
	close(fd);
	if (written != 1) {
		if (errno == EBUSY)
			errno = EPERM;          /* Linux: already traced */
		return -1;
	}
	return 0;
}

static long attach(pid_t pid, bool seize, unsigned long options)
{
	if (pid == (pid_t)syscall(SYS_getpid)) {
		errno = EPERM;
		return -1;
	}
	if (shim_find(pid)) {
		errno = EPERM;                  /* Linux: already traced (by us) */
		return -1;
	}
	int fd = shim_open_trace(pid);
	if (fd < 0)
		return -1;
	struct shim_tracee *tracee = shim_add(pid, fd);
	if (!tracee) {
		close(fd);
		return -1;
	}
	tracee->seized = seize;
	tracee->options = options;
	tracee->attach_stop = !seize;
	/* ATTACH stops the tracee (Linux sends SIGSTOP; here: an interrupt reported as one). */
	uint32_t flags = LOUPE_RESUME_NOCONT | (seize ? 0 : LOUPE_RESUME_INTERRUPT);
	if (shim_resume(tracee, flags, 0) < 0) {
		shim_forget(tracee);
		return -1;
	}
	return 0;
}

static long request_attach(pid_t pid, void *addr, void *data)
{
	(void)addr; (void)data;
	return attach(pid, false, 0);
}

static long request_seize(pid_t pid, void *addr, void *data)
{
	unsigned long options = (unsigned long)data;

	(void)addr;
	if (addr || (options & ~(unsigned long)PTRACE_O_MASK)) {
		errno = EIO;
		return -1;
	}
	return attach(pid, true, options);
}

static long request_interrupt(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = shim_find(pid);

	(void)addr; (void)data;
	if (!tracee || !tracee->seized) {
		errno = tracee ? EIO : ESRCH;   /* Linux: only for PTRACE_SEIZE'd tracees */
		return -1;
	}
	return shim_resume(tracee, LOUPE_RESUME_NOCONT | LOUPE_RESUME_INTERRUPT, 0);
}

static long request_listen(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);

	(void)addr; (void)data;
	if (!tracee)
		return -1;
	if (!tracee->seized || tracee->attach_stop ||
	    (tracee->event.kind != LOUPE_EVENT_INTERRUPT && tracee->event.kind != LOUPE_EVENT_GROUP_STOP)) {
		errno = EIO;                    /* only from a PTRACE_EVENT_STOP of a seized tracee */
		return -1;
	}
	/*
	 * The kernel keeps it stopped until SIGCONT, which brings a new
	 * INTERRUPT event (PTRACE_EVENT_STOP). Meanwhile it is not in a stop
	 * the shim may act on: requests give ESRCH, as on Linux.
	 */
	return shim_resume(tracee, LOUPE_RESUME_LISTEN, 0);
}

/* CONT, SYSCALL, SINGLESTEP, SYSEMU(_SINGLESTEP): one resume write. */
static long resume_as(pid_t pid, void *data, enum shim_resume_mode mode, bool step)
{
	struct shim_tracee *tracee = stopped_tracee(pid);
	int sig = (int)(long)data;

	if (!tracee)
		return -1;
	if (sig < 0 || sig > 64) {
		errno = EIO;
		return -1;
	}
	uint32_t flags = step ? LOUPE_RESUME_STEP : 0;
	/* A syscall-entry stop reached under SYSEMU: the call is not run. */
	if (tracee->mode == MODE_SYSEMU && tracee->event.kind == LOUPE_EVENT_SYSCALL_ENTRY)
		flags |= LOUPE_RESUME_SKIP;
	/*
	 * Linux's order around execve under PTRACE_SYSCALL (without
	 * TRACEEXEC) is entry, exit, then a real SIGTRAP; Loupe's exec stop
	 * comes between entry and exit, so the shim passed it by (tracee.c)
	 * and sends the SIGTRAP now, as the execve exit stop is resumed.
	 */
	if (tracee->exec_sigtrap && tracee->event.kind == LOUPE_EVENT_SYSCALL_EXIT && sig == 0) {
		sig = SIGTRAP;
		tracee->exec_sigtrap = false;
	}
	/* At a signal stop the signal is the tracer's choice; elsewhere it is sent. */
	tracee->mode = mode;
	tracee->attach_stop = false;
	return shim_resume(tracee, flags, sig);
}

static long request_cont(pid_t pid, void *addr, void *data)      { (void)addr; return resume_as(pid, data, MODE_CONT, false); }
static long request_syscall(pid_t pid, void *addr, void *data)   { (void)addr; return resume_as(pid, data, MODE_SYSCALL, false); }
static long request_step(pid_t pid, void *addr, void *data)      { (void)addr; return resume_as(pid, data, MODE_CONT, true); }
static long request_sysemu(pid_t pid, void *addr, void *data)    { (void)addr; return resume_as(pid, data, MODE_SYSEMU, false); }
static long request_sysemu_step(pid_t pid, void *addr, void *data) { (void)addr; return resume_as(pid, data, MODE_SYSEMU, true); }

static long request_kill(pid_t pid, void *addr, void *data)
{
	(void)addr; (void)data;
	if (!shim_find(pid)) {
		errno = ESRCH;
		return -1;
	}
	return kill(pid, SIGKILL);
}

static long request_detach(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);
	int sig = (int)(long)data;

	(void)addr;
	if (!tracee)
		return -1;
	if (sig < 0 || sig > 64) {
		errno = EIO;
		return -1;
	}
	/* Resume with the signal (delivered, or sent), then close: the session ends, it runs on. */
	tracee->mode = MODE_CONT;
	tracee->options &= ~(unsigned long)PTRACE_O_EXITKILL;
	shim_resume(tracee, 0, sig);
	shim_forget(tracee);
	return 0;
}

static long regs_transfer(pid_t pid, void *data, size_t size, bool fp, bool write)
{
	struct shim_tracee *tracee = stopped_tracee(pid);

	if (!tracee)
		return -1;
	int fd = fp ? shim_fpregs_fd(tracee) : shim_regs_fd(tracee);
	if (fd < 0)
		return -1;
	ssize_t done = write ? pwrite(fd, data, size, 0) : pread(fd, data, size, 0);
	if (done != (ssize_t)size) {
		if (done >= 0 || errno == EINVAL)
			errno = write ? EIO : EFAULT;   /* Linux: invalid register values: EIO */
		return -1;
	}
	return 0;
}

static long request_getregs(pid_t pid, void *addr, void *data)   { (void)addr; return regs_transfer(pid, data, sizeof(struct user_regs_struct), false, false); }
static long request_setregs(pid_t pid, void *addr, void *data)   { (void)addr; return regs_transfer(pid, data, sizeof(struct user_regs_struct), false, true); }
static long request_getfpregs(pid_t pid, void *addr, void *data) { (void)addr; return regs_transfer(pid, data, LOUPE_FPREGS_SIZE, true, false); }
static long request_setfpregs(pid_t pid, void *addr, void *data) { (void)addr; return regs_transfer(pid, data, LOUPE_FPREGS_SIZE, true, true); }

static long request_peek(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);
	long word;

	(void)data;
	if (!tracee)
		return -1;
	int fd = shim_mem_fd(tracee);
	if (fd < 0 || pread(fd, &word, sizeof(word), (off_t)(uintptr_t)addr) != (ssize_t)sizeof(word)) {
		errno = EIO;                    /* unmapped, kernel, or a word running off the end */
		return -1;
	}
	return word;                            /* errno untouched: -1 may be data */
}

static long request_poke(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);
	long word = (long)data;

	if (!tracee)
		return -1;
	int fd = shim_mem_fd(tracee);
	if (fd < 0 || pwrite(fd, &word, sizeof(word), (off_t)(uintptr_t)addr) != (ssize_t)sizeof(word)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * PEEKUSER/POKEUSER: offsets into the kernel's struct user (musl's plus
 * error_code and fault_address: 16 bytes more). The regs area is real;
 * the debug registers give EIO until Loupe has hardware watchpoints; the
 * other fields read as 0 and refuse writes, as on Linux.
 */
#define KERNEL_USER_SIZE (sizeof(struct user) + 16)

static long user_area(pid_t pid, void *addr, void *data, bool write)
{
	uintptr_t offset = (uintptr_t)addr;
	uintptr_t debugreg = offsetof(struct user, u_debugreg);
	struct user_regs_struct regs;

	if (offset % sizeof(long) || offset >= KERNEL_USER_SIZE ||
	    (offset >= debugreg && offset < debugreg + sizeof(((struct user *)0)->u_debugreg))) {
		errno = EIO;
		return -1;
	}
	if (offset >= sizeof(regs)) {
		if (!stopped_tracee(pid))
			return -1;
		if (write) {
			errno = EIO;
			return -1;
		}
		return 0;
	}
	if (regs_transfer(pid, &regs, sizeof(regs), false, false) < 0)
		return -1;
	long *words = (long *)&regs;
	if (!write)
		return words[offset / sizeof(long)];
	words[offset / sizeof(long)] = (long)data;
	return regs_transfer(pid, &regs, sizeof(regs), false, true);
}

static long request_peekuser(pid_t pid, void *addr, void *data) { return user_area(pid, addr, data, false); }
static long request_pokeuser(pid_t pid, void *addr, void *data) { return user_area(pid, addr, data, true); }

static long request_setoptions(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);
	unsigned long options = (unsigned long)data;

	(void)addr;
	if (!tracee)
		return -1;
	if (options & ~(unsigned long)PTRACE_O_MASK) {
		errno = EINVAL;
		return -1;
	}
	tracee->options = options;
	return shim_resume(tracee, LOUPE_RESUME_NOCONT, 0);    /* arm what the options need now */
}

static long request_geteventmsg(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);

	(void)addr;
	if (!tracee)
		return -1;
	return safe_copy(data, &tracee->eventmsg, sizeof(tracee->eventmsg));
}

static long request_getsiginfo(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);

	(void)addr;
	if (!tracee)
		return -1;
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	if (tracee->event.kind == LOUPE_EVENT_SIGNAL) {
		memcpy(&info, tracee->event.siginfo, sizeof(info));
	} else if (tracee->event.kind == LOUPE_EVENT_GROUP_STOP) {
		/* A seized tracee's group-stop: Linux gives the stop signal and the status code. */
		info.si_signo = tracee->event.signal;
		info.si_code = shim_stop_status(tracee) >> 8;
		info.si_pid = pid;
	} else {
		/* Linux gives every other ptrace stop a SIGTRAP siginfo. */
		/* Linux: the siginfo of a ptrace stop carries the stop's own code (status >> 8). */
		info.si_signo = SIGTRAP;
		int code = shim_stop_status(tracee) >> 8;
		switch (tracee->event.kind) {
		case LOUPE_EVENT_SINGLESTEP:  info.si_code = TRAP_TRACE; break;
		case LOUPE_EVENT_BREAKPOINT:  info.si_code = SI_KERNEL; break;
		default:                      info.si_code = code; break;
		}
		if (code == SIGSTOP) {                  /* ATTACH's stop: a SIGSTOP "sent" by us */
			info.si_signo = SIGSTOP;
			info.si_code = SI_USER;
			info.si_pid = getpid();
		}
	}
	return safe_copy(data, &info, sizeof(info));
}

static long request_setsiginfo(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);

	(void)addr;
	if (!tracee)
		return -1;
	siginfo_t info;
	if (safe_copy(&info, data, sizeof(info)) < 0)
		return -1;
	/*
	 * Only a signal-delivery-stop has a siginfo the tracee will act on:
	 * the kernel's copy is rewritten, and ours kept for GETSIGINFO. At
	 * other stops (and at the SIGSTOP stop the shim makes up for an
	 * attach, where the kernel has no signal: EINVAL) Linux accepts the
	 * write and nothing comes of it.
	 */
	if (tracee->event.kind == LOUPE_EVENT_SIGNAL) {
		if (shim_siginfo_write(tracee, &info, sizeof(info)) < 0 && errno != EINVAL) {
			errno = ESRCH;          /* it died meanwhile (a reaped pid: ENOENT) */
			return -1;
		}
		memcpy(tracee->event.siginfo, &info, sizeof(tracee->event.siginfo));
	}
	return 0;
}

static long request_get_syscall_info(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);
	struct __ptrace_syscall_info info;
	struct user_regs_struct regs;
	size_t size = (size_t)(uintptr_t)addr;

	if (!tracee || regs_transfer(pid, &regs, sizeof(regs), false, false) < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	info.arch = 0xc000003e;                 /* AUDIT_ARCH_X86_64 */
	info.instruction_pointer = regs.rip;
	info.stack_pointer = regs.rsp;
	size_t used = offsetof(struct __ptrace_syscall_info, entry);
	if (tracee->event.kind == LOUPE_EVENT_SYSCALL_ENTRY) {
		info.op = PTRACE_SYSCALL_INFO_ENTRY;
		info.entry.nr = regs.orig_rax;
		uint64_t args[6] = { regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9 };
		memcpy(info.entry.args, args, sizeof(args));
		used = offsetof(struct __ptrace_syscall_info, entry.args) + sizeof(info.entry.args);
	} else if (tracee->event.kind == LOUPE_EVENT_SYSCALL_EXIT) {
		info.op = PTRACE_SYSCALL_INFO_EXIT;
		info.exit.rval = (int64_t)regs.rax;
		info.exit.is_error = (int64_t)regs.rax < 0 && (int64_t)regs.rax >= -4095;
		used = offsetof(struct __ptrace_syscall_info, exit.is_error) + 1;
	}
	if (size && safe_copy(data, &info, size < sizeof(info) ? size : sizeof(info)) < 0)
		return -1;
	return (long)used;                      /* the size of the whole answer, as Linux */
}

/* The Loupe extension (loupe/ptrace_ext.h): the kernel's syscall filter. */
static long request_loupe_setfilter(pid_t pid, void *addr, void *data)
{
	struct shim_tracee *tracee = stopped_tracee(pid);

	(void)addr;
	if (!tracee)
		return -1;
	uint64_t filter[LOUPE_FILTER_BITS / 64];
	if (data && safe_copy(filter, data, sizeof(filter)) < 0)
		return -1;
	tracee->filtering = data != NULL;
	if (data)
		memcpy(tracee->filter, filter, sizeof(tracee->filter));
	return shim_resume(tracee, LOUPE_RESUME_NOCONT, 0);
}

static const struct ptrace_request {
	long request;
	request_fn handler;
} requests[] = {
	{ PTRACE_TRACEME,          request_traceme },
	{ PTRACE_PEEKTEXT,         request_peek },
	{ PTRACE_PEEKDATA,         request_peek },
	{ PTRACE_PEEKUSER,         request_peekuser },
	{ PTRACE_POKETEXT,         request_poke },
	{ PTRACE_POKEDATA,         request_poke },
	{ PTRACE_POKEUSER,         request_pokeuser },
	{ PTRACE_CONT,             request_cont },
	{ PTRACE_KILL,             request_kill },
	{ PTRACE_SINGLESTEP,       request_step },
	{ PTRACE_GETREGS,          request_getregs },
	{ PTRACE_SETREGS,          request_setregs },
	{ PTRACE_GETFPREGS,        request_getfpregs },
	{ PTRACE_SETFPREGS,        request_setfpregs },
	{ PTRACE_ATTACH,           request_attach },
	{ PTRACE_DETACH,           request_detach },
	{ PTRACE_SYSCALL,          request_syscall },
	{ PTRACE_SYSEMU,           request_sysemu },
	{ PTRACE_SYSEMU_SINGLESTEP, request_sysemu_step },
	{ PTRACE_SETOPTIONS,       request_setoptions },
	{ PTRACE_GETEVENTMSG,      request_geteventmsg },
	{ PTRACE_GETSIGINFO,       request_getsiginfo },
	{ PTRACE_SETSIGINFO,       request_setsiginfo },
	{ PTRACE_SEIZE,            request_seize },
	{ PTRACE_INTERRUPT,        request_interrupt },
	{ PTRACE_LISTEN,           request_listen },
	{ PTRACE_GET_SYSCALL_INFO, request_get_syscall_info },
	{ PTRACE_LOUPE_SETFILTER,  request_loupe_setfilter },
};

long ptrace(int request, ...)
{
	va_list ap;

	va_start(ap, request);
	pid_t pid = va_arg(ap, pid_t);
	void *addr = va_arg(ap, void *);
	void *data = va_arg(ap, void *);
	va_end(ap);
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (requests[i].request == request)
			return requests[i].handler(pid, addr, data);
	errno = EIO;                            /* Linux: an unknown request */
	return -1;
}
