/* SPDX-License-Identifier: MIT */
/*
 * sys_proc.c - the process system calls: decode and check the user's
 * arguments, then call the mechanism (fork.c, exec.c, exit.c).
 *
 * Nothing here trusts a user pointer: strings and arrays are copied in
 * with kernel/usercopy.c, results copied out the same way.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/errno.h"
#include "kernel/exec.h"
#include "kernel/exit.h"
#include "kernel/fork.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/ptrace/stop.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/usercopy.h"

#define PATH_MAX 4096
#define RUSAGE_SIZE 144         /* sizeof(struct rusage) on x86_64 */

long sys_getpid(struct trap_frame *frame)
{
	(void)frame;
	return current->pid;
}

long sys_gettid(struct trap_frame *frame)
{
	(void)frame;
	return current->pid;            /* one thread per process */
}

long sys_getppid(struct trap_frame *frame)
{
	(void)frame;
	return current->parent ? current->parent->pid : 0;
}

/* Every process is root until Loupe has users (DESIGN.md keeps the rules ready for them). */
long sys_getuid(struct trap_frame *frame)  { (void)frame; return 0; }
long sys_geteuid(struct trap_frame *frame) { (void)frame; return 0; }
long sys_getgid(struct trap_frame *frame)  { (void)frame; return 0; }
long sys_getegid(struct trap_frame *frame) { (void)frame; return 0; }

long sys_fork(struct trap_frame *frame)
{
	(void)frame;
	return fork_current();
}

long sys_vfork(struct trap_frame *frame)
{
	(void)frame;
	return fork_current();
}

long sys_sched_yield(struct trap_frame *frame)
{
	(void)frame;
	schedule();
	return 0;
}

long sys_set_tid_address(struct trap_frame *frame)
{
	/* Remembered, not yet used: with one thread per process nobody waits on it. */
	current->clear_child_tid = syscall_arg(frame, 0);
	return current->pid;
}

long sys_exit(struct trap_frame *frame)
{
	proc_exit(WAIT_STATUS_EXITED((int)syscall_arg(frame, 0)));
}

long sys_exit_group(struct trap_frame *frame)
{
	proc_exit(WAIT_STATUS_EXITED((int)syscall_arg(frame, 0)));
}

long sys_wait4(struct trap_frame *frame)
{
	int pid = (int)syscall_arg(frame, 0);
	uint64_t user_status = syscall_arg(frame, 1);
	int options = (int)syscall_arg(frame, 2);
	uint64_t user_rusage = syscall_arg(frame, 3);
	int status = 0;

	if (pid == INT32_MIN)
		return -ESRCH;                  /* -pid would overflow; Linux says ESRCH */
	/* Linux checks the pointers only once there is something to write. */
	long pid_collected = proc_wait(pid, &status, options);
	if (pid_collected <= 0)
		return pid_collected;
	if (user_status && copy_to_user(user_status, &status, sizeof(status)))
		return -EFAULT;
	if (user_rusage) {
		static const uint8_t zero_rusage[RUSAGE_SIZE];  /* no accounting yet: all zero */
		if (copy_to_user(user_rusage, zero_rusage, sizeof(zero_rusage)))
			return -EFAULT;
	}
	return pid_collected;
}

#define REBOOT_MAGIC1          0xfee1dead
#define REBOOT_MAGIC2          672274793
#define REBOOT_MAGIC2A         85072278
#define REBOOT_MAGIC2B         369367448
#define REBOOT_MAGIC2C         537993216
#define REBOOT_CMD_RESTART     0x01234567
#define REBOOT_CMD_HALT        0xcdef0123
#define REBOOT_CMD_POWER_OFF   0x4321fedc
#define REBOOT_CMD_CAD_ON      0x89abcdef
#define REBOOT_CMD_CAD_OFF     0x00000000

/*
 * reboot(2), Linux's way to power off: the magic numbers guard against a
 * stray call. Loupe has no disks to sync; power off, halt and restart all
 * end the QEMU run (restart cannot be told apart from the outside).
 */
long sys_reboot(struct trap_frame *frame)
{
	uint32_t magic1 = (uint32_t)syscall_arg(frame, 0), magic2 = (uint32_t)syscall_arg(frame, 1);
	uint32_t command = (uint32_t)syscall_arg(frame, 2);

	if (magic1 != REBOOT_MAGIC1 || (magic2 != REBOOT_MAGIC2 && magic2 != REBOOT_MAGIC2A &&
					magic2 != REBOOT_MAGIC2B && magic2 != REBOOT_MAGIC2C))
		return -EINVAL;
	switch (command) {
	case REBOOT_CMD_CAD_ON:
	case REBOOT_CMD_CAD_OFF:
		return 0;                       /* no Ctrl-Alt-Del on a serial console */
	case REBOOT_CMD_POWER_OFF:
	case REBOOT_CMD_HALT:
	case REBOOT_CMD_RESTART:
		printk("loupe: power off requested by pid %d (%s)\n", current->pid, current->name);
		machine_power_off(0);
	default:
		return -EINVAL;
	}
}

/* Copy a NULL-terminated array of user strings (argv or envp) into args. */
static int execve_copy_strings(struct exec_args *args, uint64_t user_array, int *count)
{
	char *scratch = args->strings + args->used;

	*count = 0;
	if (!user_array)
		return 0;                       /* Linux accepts NULL as an empty array */
	for (;;) {
		uint64_t pointer;
		if (copy_from_user(&pointer, user_array + (uint64_t)*count * 8, sizeof(pointer)))
			return -EFAULT;
		if (!pointer)
			return 0;
		size_t room = EXEC_ARGS_MAX_BYTES - args->used;
		if (room == 0 || *count >= EXEC_ARGS_MAX_COUNT)
			return -E2BIG;
		scratch = args->strings + args->used;
		long length = copy_string_from_user(scratch, pointer, room);
		if (length == -ENAMETOOLONG)
			return -E2BIG;
		if (length < 0)
			return (int)length;
		args->used += (size_t)length + 1;
		(*count)++;
	}
}

long sys_execve(struct trap_frame *frame)
{
	struct exec_args args;
	char *path = kmalloc(PATH_MAX);
	long error;

	if (!path)
		return -ENOMEM;
	error = copy_string_from_user(path, syscall_arg(frame, 0), PATH_MAX);
	if (error < 0)
		goto out_path;
	error = exec_args_init(&args);
	if (error)
		goto out_path;
	error = execve_copy_strings(&args, syscall_arg(frame, 1), &args.argc);
	if (!error)
		error = execve_copy_strings(&args, syscall_arg(frame, 2), &args.envc);
	if (!error)
		error = exec_program(path, &args);
	exec_args_free(&args);
	if (!error && __builtin_expect(current->trace != NULL, 0))
		trace_exec(frame);              /* the new image is in place; the old mem handles are dead */
out_path:
	kfree(path);
	return error;
}
