/* SPDX-License-Identifier: MIT */
/*
 * tracee.c - the shim's table of tracees, their handles, and the two
 * conversions everything else rests on:
 *   - Linux resume requests -> one struct loupe_trace_resume (shim_resume);
 *   - Loupe events -> Linux wait statuses (shim_stop_status).
 * The requests themselves are in ptrace.c, waiting in wait.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

static struct shim_tracee table[SHIM_MAX_TRACEES];
static pid_t table_owner;

/*
 * A child of the tracer inherits the table and the open handles; they are
 * its parent's, not its own. Close its copies (the parent's stay open, so
 * the sessions go on) and start empty.
 */
static void shim_check_owner(void)
{
	pid_t me = (pid_t)syscall(SYS_getpid);

	if (table_owner == me)
		return;
	for (int i = 0; i < SHIM_MAX_TRACEES; i++) {
		if (table[i].pid)
			shim_forget(&table[i]);
	}
	table_owner = me;
}

struct shim_tracee *shim_find(pid_t pid)
{
	shim_check_owner();
	for (int i = 0; i < SHIM_MAX_TRACEES; i++)
		if (pid > 0 && table[i].pid == pid)
			return &table[i];
	return NULL;
}

struct shim_tracee *shim_next(struct shim_tracee *after)
{
	shim_check_owner();
	for (struct shim_tracee *t = after ? after + 1 : table; t < table + SHIM_MAX_TRACEES; t++)
		if (t->pid)
			return t;
	return NULL;
}

struct shim_tracee *shim_add(pid_t pid, int trace_fd)
{
	shim_check_owner();
	for (int i = 0; i < SHIM_MAX_TRACEES; i++) {
		if (table[i].pid)
			continue;
		memset(&table[i], 0, sizeof(table[i]));
		table[i].pid = pid;
		table[i].trace_fd = trace_fd;
		table[i].regs_fd = table[i].fpregs_fd = table[i].mem_fd = -1;
		return &table[i];
	}
	errno = EAGAIN;
	return NULL;
}

void shim_forget(struct shim_tracee *tracee)
{
	int *fds[] = { &tracee->trace_fd, &tracee->regs_fd, &tracee->fpregs_fd, &tracee->mem_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	memset(tracee, 0, sizeof(*tracee));
}

static int proc_open(pid_t pid, const char *file, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return open(path, flags | O_CLOEXEC);
}

int shim_open_trace(pid_t pid)
{
	int fd = proc_open(pid, "trace", O_RDWR | O_NONBLOCK);

	if (fd < 0 && errno == ENOENT)
		errno = ESRCH;                  /* no such process */
	else if (fd < 0 && errno == EBUSY)
		errno = EPERM;                  /* Linux: already traced */
	return fd;
}

/* The lazily opened helpers: regs, fpregs, mem. */
static int shim_lazy(struct shim_tracee *tracee, int *fd, const char *name)
{
	if (*fd < 0)
		*fd = proc_open(tracee->pid, name, O_RDWR);
	return *fd;
}

int shim_regs_fd(struct shim_tracee *tracee)   { return shim_lazy(tracee, &tracee->regs_fd, "regs"); }
int shim_fpregs_fd(struct shim_tracee *tracee) { return shim_lazy(tracee, &tracee->fpregs_fd, "fpregs"); }

/*
 * PTRACE_SETSIGINFO: rewrite the siginfo the tracee's handler will get.
 * Rare enough to open the file each time rather than hold a descriptor
 * per tracee.
 */
int shim_siginfo_write(struct shim_tracee *tracee, const void *info, size_t size)
{
	int fd = proc_open(tracee->pid, "siginfo", O_WRONLY);

	if (fd < 0)
		return -1;
	ssize_t done = pwrite(fd, info, size, 0);
	int saved = errno;
	close(fd);
	errno = saved;
	return done == (ssize_t)size ? 0 : -1;
}

int shim_mem_fd(struct shim_tracee *tracee)
{
	/* A mem handle dies with the image it was opened on: reopen after an exec. */
	return shim_lazy(tracee, &tracee->mem_fd, "mem");
}

#define FORK_OPTIONS (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE)

int shim_resume(struct shim_tracee *tracee, uint32_t flags, int sig)
{
	struct loupe_trace_resume resume;

	memset(&resume, 0, sizeof(resume));
	resume.size = sizeof(resume);
	/* A Linux tracee stops for every signal, and after execve (SIGTRAP or the event). */
	resume.stops = LOUPE_STOP_SIGNAL | LOUPE_STOP_EXEC;
	if (tracee->mode == MODE_SYSCALL)
		resume.stops |= LOUPE_STOP_SYSCALLS;
	if (tracee->mode == MODE_SYSEMU)
		resume.stops |= LOUPE_STOP_SYSCALL_ENTRY;
	/*
	 * A seized tracee's job-control stop is a ptrace stop (PTRACE_EVENT_STOP
	 * with the stop signal). Linux reports it for ATTACH'd tracees too, as
	 * a plain signal stop, but then the tracee also stays stopped for job
	 * control until SIGCONT; the shim leaves those to the kernel's own
	 * job control, where the tracee's parent sees the stop as usual.
	 */
	if (tracee->seized)
		resume.stops |= LOUPE_STOP_GROUP_STOP;
	if (tracee->options & PTRACE_O_TRACEEXIT)
		resume.stops |= LOUPE_STOP_EXIT;
	if (tracee->options & FORK_OPTIONS) {
		resume.stops |= LOUPE_STOP_FORK;
		resume.options |= LOUPE_OPT_FOLLOW_FORK;
	}
	if (tracee->options & PTRACE_O_EXITKILL)
		resume.options |= LOUPE_OPT_KILL_ON_CLOSE;
	if (tracee->filtering) {
		resume.options |= LOUPE_OPT_FILTER;
		memcpy(resume.filter, tracee->filter, sizeof(resume.filter));
	}
	resume.flags = flags;
	resume.signal = sig;
	if (write(tracee->trace_fd, &resume, sizeof(resume)) != (ssize_t)sizeof(resume)) {
		if (errno == EINVAL && sig)
			errno = EIO;            /* Linux: a bad signal number */
		return -1;
	}
	if (!(flags & LOUPE_RESUME_NOCONT))
		tracee->stopped = false;
	return 0;
}

/* Adopted a child we must not trace: drop the kill-on-close it inherited, then let it go. */
static void shim_release(int fd)
{
	struct loupe_trace_resume release;

	memset(&release, 0, sizeof(release));
	release.size = sizeof(release);
	release.flags = LOUPE_RESUME_NOCONT;
	write(fd, &release, sizeof(release));
	close(fd);
}

static int fork_event_kind(struct shim_tracee *tracee)
{
	struct loupe_user_regs regs;
	int fd = shim_regs_fd(tracee);

	if (fd >= 0 && pread(fd, &regs, sizeof(regs), 0) == (ssize_t)sizeof(regs)) {
		if (regs.orig_rax == SYS_vfork)
			return PTRACE_EVENT_VFORK;
		if (regs.orig_rax == SYS_clone)
			return PTRACE_EVENT_CLONE;
	}
	return PTRACE_EVENT_FORK;
}

static unsigned long option_for_event(int event)
{
	return event == PTRACE_EVENT_VFORK ? PTRACE_O_TRACEVFORK
	     : event == PTRACE_EVENT_CLONE ? PTRACE_O_TRACECLONE : PTRACE_O_TRACEFORK;
}

/*
 * A FORK stop: the kernel made the child a pending session of ours
 * (LOUPE_OPT_FOLLOW_FORK). Adopt it if Linux would trace it (the option
 * for this kind of fork is on); otherwise adopt and close at once, which
 * lets it run untraced. Returns whether waitpid should report the stop.
 */
static bool shim_fork_stop(struct shim_tracee *parent)
{
	int event = fork_event_kind(parent);
	pid_t child_pid = parent->event.child_pid;
	int fd = shim_open_trace(child_pid);
	bool follow = parent->options & option_for_event(event);

	parent->eventmsg = (unsigned long)child_pid;
	if (fd >= 0 && follow) {
		struct shim_tracee *child = shim_add(child_pid, fd);
		if (child) {
			child->options = parent->options;
			child->seized = parent->seized;
			child->mode = MODE_CONT;
			shim_drain(child);      /* its first event: the INTERRUPT of its birth */
		} else {
			shim_release(fd);               /* no room to track it */
		}
	} else if (fd >= 0) {
		shim_release(fd);                       /* not traced by Linux's rules */
	}
	if (!follow) {
		shim_resume(parent, 0, 0);      /* Linux would not have stopped: carry on */
		return false;
	}
	parent->event.status = event;   /* remembered for the status */
	return true;
}

/* One event read from the tracee's handle: update the record. */
static void shim_take_event(struct shim_tracee *tracee, const struct loupe_trace_event *event)
{
	if (event->kind == LOUPE_EVENT_DEATH) {
		tracee->dead = true;
		tracee->stopped = false;
		tracee->death_status = event->status;
		return;
	}
	/*
	 * Loupe's EXEC stop comes inside execve, before its exit stop. If the
	 * tracee was not tracing syscalls then, Linux would show no exit stop
	 * for this execve (its SIGTRAP comes after it): skip the one that
	 * follows, so PTRACE_SYSCALL after the exec stop meets the next entry.
	 */
	if (event->kind == LOUPE_EVENT_SYSCALL_EXIT && tracee->skip_exec_exit &&
	    event->syscall == SYS_execve) {
		tracee->skip_exec_exit = false;
		tracee->stopped = true;
		shim_resume(tracee, 0, 0);
		return;
	}
	tracee->skip_exec_exit = false;
	tracee->event = *event;
	tracee->stopped = true;
	tracee->reported = false;
	switch (event->kind) {
	case LOUPE_EVENT_EXEC:
		if (tracee->mode == MODE_SYSCALL && !(tracee->options & PTRACE_O_TRACEEXEC)) {
			/* Linux shows this as a SIGTRAP after the execve exit stop (ptrace.c: resume_as). */
			tracee->exec_sigtrap = true;
			tracee->reported = true;
			shim_resume(tracee, 0, 0);
		}
		tracee->skip_exec_exit = tracee->mode != MODE_SYSCALL;
		tracee->eventmsg = (unsigned long)tracee->pid;
		if (tracee->mem_fd >= 0) {
			close(tracee->mem_fd);  /* bound to the old image */
			tracee->mem_fd = -1;
		}
		break;
	case LOUPE_EVENT_EXIT:
		tracee->eventmsg = (unsigned long)event->status;
		break;
	case LOUPE_EVENT_FORK:
		if (!shim_fork_stop(tracee))
			tracee->reported = true;        /* nothing to report: it runs on */
		break;
	default:
		break;
	}
}

bool shim_drain(struct shim_tracee *tracee)
{
	struct loupe_trace_event events[4];
	bool changed = false;
	ssize_t got;

	while (!tracee->dead && (got = read(tracee->trace_fd, events, sizeof(events))) > 0) {
		for (ssize_t i = 0; i < got / (ssize_t)sizeof(events[0]); i++)
			shim_take_event(tracee, &events[i]);
		changed = true;
	}
	return changed;
}

#define STOPPED(sig) (((sig) << 8) | 0x7f)
#define EVENT_STOPPED(event) STOPPED(SIGTRAP | ((event) << 8))

int shim_stop_status(struct shim_tracee *tracee)
{
	const struct loupe_trace_event *event = &tracee->event;

	if (tracee->dead)
		return tracee->death_status;
	switch (event->kind) {
	case LOUPE_EVENT_SYSCALL_ENTRY:
	case LOUPE_EVENT_SYSCALL_EXIT:
		return STOPPED(SIGTRAP | (tracee->options & PTRACE_O_TRACESYSGOOD ? 0x80 : 0));
	case LOUPE_EVENT_SIGNAL:
		return STOPPED(event->signal);
	case LOUPE_EVENT_EXEC:
		return tracee->options & PTRACE_O_TRACEEXEC ? EVENT_STOPPED(PTRACE_EVENT_EXEC) : STOPPED(SIGTRAP);
	case LOUPE_EVENT_EXIT:
		return EVENT_STOPPED(PTRACE_EVENT_EXIT);
	case LOUPE_EVENT_FORK:
		return EVENT_STOPPED(event->status);    /* shim_fork_stop put the kind there */
	case LOUPE_EVENT_GROUP_STOP:            /* only armed for seized tracees */
		return STOPPED(event->signal | PTRACE_EVENT_STOP << 8);
	case LOUPE_EVENT_INTERRUPT:
		if (tracee->attach_stop || !tracee->seized)
			return STOPPED(SIGSTOP);        /* ATTACH, and followed children of ATTACH */
		return EVENT_STOPPED(PTRACE_EVENT_STOP);
	default:                                /* single step, breakpoint */
		return STOPPED(SIGTRAP);
	}
}
