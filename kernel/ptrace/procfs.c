/* SPDX-License-Identifier: MIT */
/*
 * procfs.c - /proc: one directory per process, made of files that are
 * computed when read (Plan 9's devproc, in miniature).
 *
 *   /proc                 lists "self" and every pid (zombies included)
 *   /proc/self            the caller's own directory
 *   /proc/<pid>/<file>    the rows of proc_files[] below
 *
 * Nothing here is stored: directory and file inodes are made on each
 * lookup, carry only the pid (and which file), and go away when the last
 * reference does. The process is looked up again at each operation, so
 * a file of a process that has died answers ESRCH instead of touching
 * freed memory. The text files are formatted into a buffer at read time;
 * the tracing files (trace, regs, fpregs, siginfo, mem) have their own file_ops
 * in handle.c, regs.c and mem.c.
 */
#include "kernel/addrspace.h"
#include "arch/x86_64/cpu.h"
#include "kernel/errno.h"
#include "kernel/exit.h"
#include "kernel/heap.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/handle.h"
#include "kernel/ptrace/procfs.h"
#include "kernel/ptrace/session.h"
#include "kernel/ramfs.h"
#include "kernel/vfs.h"

#define PROC_TEXT_MAX 16384

enum proc_file_id { PROC_STATUS, PROC_CMDLINE, PROC_MAPS, PROC_TRACE, PROC_REGS, PROC_FPREGS, PROC_MEM,
		   PROC_CONSENT, PROC_WAITABLE, PROC_SIGINFO };

static const struct file_ops proc_text_ops, proc_consent_ops, proc_waitable_ops;

/* The table of per-process files. */
static const struct proc_file {
	const char *name;
	enum proc_file_id id;
	uint32_t mode;
	const struct file_ops *ops;
} proc_files[] = {
	{ "status",  PROC_STATUS,  S_IFREG | 0444, &proc_text_ops },
	{ "cmdline", PROC_CMDLINE, S_IFREG | 0444, &proc_text_ops },
	{ "maps",    PROC_MAPS,    S_IFREG | 0444, &proc_text_ops },
	{ "trace",   PROC_TRACE,   S_IFREG | 0600, &trace_file_ops },
	{ "regs",    PROC_REGS,    S_IFREG | 0600, &regs_file_ops },
	{ "fpregs",  PROC_FPREGS,  S_IFREG | 0600, &fpregs_file_ops },
	{ "mem",     PROC_MEM,     S_IFREG | 0600, &mem_file_ops },
	{ "siginfo", PROC_SIGINFO, S_IFREG | 0600, &siginfo_file_ops },
	{ "consent", PROC_CONSENT, S_IFREG | 0200, &proc_consent_ops },
	{ "waitable", PROC_WAITABLE, S_IFREG | 0400, &proc_waitable_ops },
};
#define PROC_FILE_COUNT (sizeof(proc_files) / sizeof(proc_files[0]))

static struct inode *proc_root;
static const struct inode_ops proc_root_ops, proc_pid_ops;

/* Text-file inodes need the pid and the file id: both fit in `private` and `rdev`. */
static int node_pid(const struct inode *inode)
{
	return (int)(uintptr_t)inode->private;
}

static struct inode *proc_pid_dir(int pid)
{
	struct inode *dir = vfs_inode_new(S_IFDIR | 0555, &proc_pid_ops, NULL);

	if (dir)
		dir->private = (void *)(uintptr_t)pid;
	return dir;
}

/* "123" -> 123; anything else -> 0. */
static int parse_pid(const char *name, size_t len)
{
	int pid = 0;

	if (len == 0 || len > 9 || name[0] == '0')
		return 0;                       /* "01" is not a pid: one spelling per process */
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		pid = pid * 10 + (name[i] - '0');
	}
	return pid;
}

static struct inode *proc_root_lookup(struct inode *dir, const char *name, size_t len)
{
	(void)dir;
	if (len == 4 && memcmp(name, "self", 4) == 0)
		return proc_pid_dir(current->pid);
	int pid = parse_pid(name, len);
	return pid && proc_find(pid) ? proc_pid_dir(pid) : NULL;
}

struct pid_list {
	int pids[PROC_MAX + 1];
	int count;
};

static int collect_pid(struct process *process, void *opaque)
{
	struct pid_list *list = opaque;
	if (list->count < PROC_MAX + 1)
		list->pids[list->count++] = process->pid;
	return 0;
}

static int proc_root_readdir(struct inode *dir, uint64_t *cursor, dirent_emit_t emit, void *context)
{
	struct pid_list list = { .count = 0 };
	char name[16];

	proc_for_each(collect_pid, &list);
	/* 0 ".", 1 "..", 2 "self", then the pids. */
	for (;; (*cursor)++) {
		uint64_t at = *cursor;
		int stop;
		if (at == 0)
			stop = emit(context, ".", 1, dir->ino, dir->mode);
		else if (at == 1)
			stop = emit(context, "..", 2, vfs_root->ino, vfs_root->mode);
		else if (at == 2)
			stop = emit(context, "self", 4, 0, S_IFDIR);
		else if (at - 3 < (uint64_t)list.count)
			stop = emit(context, name, (size_t)ksnprintf(name, sizeof(name), "%d",
								     list.pids[at - 3]),
				    (uint64_t)list.pids[at - 3] << 8, S_IFDIR);
		else
			return 0;
		if (stop)
			return 0;
	}
}

static struct inode *proc_root_parent(struct inode *dir)
{
	(void)dir;
	return vfs_inode_get(vfs_root);
}

static int proc_root_name_of(struct inode *dir, struct inode *child, char *out, size_t size)
{
	(void)dir;
	int length = ksnprintf(out, size, "%d", node_pid(child));
	return length < (int)size ? length : -ERANGE;
}

static const struct inode_ops proc_root_ops = {
	.lookup = proc_root_lookup,
	.readdir = proc_root_readdir,
	.parent = proc_root_parent,
	.name_of = proc_root_name_of,
};

/* --- /proc/<pid> --- */

static struct inode *proc_pid_lookup(struct inode *dir, const char *name, size_t len)
{
	if (!proc_find(node_pid(dir)))
		return NULL;
	for (size_t i = 0; i < PROC_FILE_COUNT; i++) {
		if (strlen(proc_files[i].name) != len || memcmp(proc_files[i].name, name, len) != 0)
			continue;
		struct inode *file = vfs_inode_new(proc_files[i].mode, NULL, proc_files[i].ops);
		if (file) {
			file->private = dir->private;
			file->rdev = proc_files[i].id;  /* which file, for the text files */
		}
		return file;
	}
	return NULL;
}

static int proc_pid_readdir(struct inode *dir, uint64_t *cursor, dirent_emit_t emit, void *context)
{
	for (;; (*cursor)++) {
		uint64_t at = *cursor;
		int stop;
		if (at == 0)
			stop = emit(context, ".", 1, dir->ino, dir->mode);
		else if (at == 1)
			stop = emit(context, "..", 2, proc_root->ino, proc_root->mode);
		else if (at - 2 < PROC_FILE_COUNT)
			stop = emit(context, proc_files[at - 2].name, strlen(proc_files[at - 2].name),
				    ((uint64_t)node_pid(dir) << 8) | (at - 2), proc_files[at - 2].mode);
		else
			return 0;
		if (stop)
			return 0;
	}
}

static struct inode *proc_pid_parent(struct inode *dir)
{
	(void)dir;
	return vfs_inode_get(proc_root);
}

static const struct inode_ops proc_pid_ops = {
	.lookup = proc_pid_lookup,
	.readdir = proc_pid_readdir,
	.parent = proc_pid_parent,
};

/* --- the text files --- */

struct text {
	char *buffer;
	size_t length;
};

__attribute__((format(printf, 2, 3)))
static void text_add(struct text *text, const char *fmt, ...)
{
	va_list ap;

	if (text->length >= PROC_TEXT_MAX)
		return;
	va_start(ap, fmt);
	int added = kvsnprintf(text->buffer + text->length, PROC_TEXT_MAX - text->length, fmt, ap);
	va_end(ap);
	if (added > 0)
		text->length += (size_t)added;
	if (text->length > PROC_TEXT_MAX - 1)
		text->length = PROC_TEXT_MAX - 1;
}

static char proc_state_letter(const struct process *process, const char **word)
{
	if (process->state == PROC_ZOMBIE) { *word = "zombie"; return 'Z'; }
	if (process->trace_stopped) { *word = "tracing stop"; return 't'; }
	if (process->state == PROC_STOPPED) { *word = "stopped"; return 'T'; }
	if (process->state == PROC_SLEEPING) { *word = "sleeping"; return 'S'; }
	*word = "running";
	return 'R';
}

static uint64_t signals_with_handler(const struct process *process, uint64_t handler_kind)
{
	uint64_t mask = 0;

	for (int sig = 1; sig <= NSIG; sig++) {
		uint64_t handler = process->signals.actions[sig].handler;
		bool match = handler_kind == SIG_IGN ? handler == SIG_IGN : handler > SIG_IGN;
		if (match)
			mask |= SIGNAL_BIT(sig);
	}
	return mask;
}

static void proc_status(struct text *text, const struct process *process)
{
	const char *word;
	char letter = proc_state_letter(process, &word);
	int tracer = process->trace ? process->trace->tracer_pid : 0;

	text_add(text, "Name:\t%s\n", process->name);
	text_add(text, "State:\t%c (%s)\n", letter, word);
	text_add(text, "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n", process->pid, process->pid,
		 process->parent ? process->parent->pid : 0, tracer);
	text_add(text, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	text_add(text, "SigPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
		 process->signals.pending, process->signals.blocked,
		 signals_with_handler(process, SIG_IGN), signals_with_handler(process, 2));
}

static void proc_cmdline(struct text *text, const struct process *process)
{
	if (!process->as || process->arg_end <= process->arg_start)
		return;
	size_t length = process->arg_end - process->arg_start;
	if (length > PROC_TEXT_MAX - 1)
		length = PROC_TEXT_MAX - 1;
	text->length = addrspace_access_forced(process->as, process->arg_start, text->buffer, length, false);
}

static void proc_maps(struct text *text, const struct process *process)
{
	if (!process->as)
		return;
	for (const struct vma *vma = process->as->vmas; vma; vma = vma->next) {
		const char *name = vma->kind == VMA_HEAP ? "[heap]" : vma->kind == VMA_STACK ? "[stack]"
				 : vma->kind == VMA_IMAGE ? process->exe_path : "";
		text_add(text, "%08lx-%08lx %c%c%cp %08lx 00:00 0%s%s\n", vma->start, vma->end,
			 vma->prot & PROT_READ ? 'r' : '-', vma->prot & PROT_WRITE ? 'w' : '-',
			 vma->prot & PROT_EXEC ? 'x' : '-', vma->file_offset,
			 name[0] ? "                          " : "", name);
	}
}

static long proc_text_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct process *process = proc_find(node_pid(file->inode));
	struct text text = { kmalloc(PROC_TEXT_MAX), 0 };

	if (!process) {
		kfree(text.buffer);
		return -ESRCH;
	}
	if (!text.buffer)
		return -ENOMEM;
	switch (file->inode->rdev) {
	case PROC_STATUS:  proc_status(&text, process); break;
	case PROC_CMDLINE: proc_cmdline(&text, process); break;
	default:           proc_maps(&text, process); break;
	}
	long result = 0;
	if (*position < text.length) {
		size_t count = text.length - *position < len ? text.length - *position : len;
		result = io_copy_out(buffer, 0, text.buffer + *position, count) ? -EFAULT : (long)count;
		if (result > 0)
			*position += (uint64_t)result;
	}
	kfree(text.buffer);
	return result;
}

static const struct file_ops proc_text_ops = {
	.read = proc_text_read,
	.seekable = true,
};

/*
 * consent: PTRACE_TRACEME as a file. Only the process itself may open it
 * (EPERM otherwise); a write makes a session for its parent, pending until
 * the parent opens /proc/<pid>/trace, with the EXEC and SIGNAL stops
 * armed: the process stops at its next execve or signal, the parent's
 * wait4 reports that stop (kernel/exit.c), and the parent adopts the
 * session (kernel/ptrace/handle.c). docs/ptrace-abi.md has the reasons.
 */
static int proc_self_only_open(struct file *file)
{
	return node_pid(file->inode) == current->pid ? 0 : -EPERM;
}

static long proc_consent_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	(void)file; (void)buffer; (void)position;
	if (len == 0)
		return 0;
	if (!current->parent || current->parent->state == PROC_ZOMBIE)
		return -ESRCH;
	if (current->trace)
		return -EBUSY;                  /* already traced (or already consented) */
	uint64_t flags = irq_save();
	struct trace_session *session = session_create_pending(current, current->parent->pid);
	if (session) {
		session->consent = true;
		session->armed = LOUPE_STOP_EXEC | LOUPE_STOP_SIGNAL;
	}
	irq_restore(flags);
	return session ? (long)len : -ENOMEM;
}

static const struct file_ops proc_consent_ops = {
	.open = proc_self_only_open,
	.write = proc_consent_write,
};

/*
 * waitable: "1\n" when wait4 would find a child to report (exited,
 * stopped, continued, or stopped after consenting), "0\n" otherwise, and
 * pollable: POLLIN in the first case. With poll over this file and its
 * trace handles, a tracer waits for children and tracees at once, which
 * is how the shim's waitpid(-1) works without busy waiting.
 */
static long proc_waitable_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	char answer[2] = { proc_has_waitable_child(current) ? '1' : '0', '\n' };

	(void)file; (void)position;
	if (len < sizeof(answer))
		return -EINVAL;
	return io_copy_out(buffer, 0, answer, sizeof(answer)) ? -EFAULT : (long)sizeof(answer);
}

static unsigned proc_waitable_poll(struct file *file)
{
	(void)file;
	return proc_has_waitable_child(current) ? POLLIN | POLLRDNORM : 0;
}

static const struct file_ops proc_waitable_ops = {
	.open = proc_self_only_open,
	.read = proc_waitable_read,
	.poll = proc_waitable_poll,
};

void procfs_init(void)
{
	proc_root = vfs_inode_new(S_IFDIR | 0555, &proc_root_ops, NULL);
	if (!proc_root || ramfs_link(vfs_root, "proc", proc_root) != 0)
		pr_err("procfs: cannot mount /proc\n");
}
