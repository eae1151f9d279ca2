/* SPDX-License-Identifier: MIT */
/*
 * sys_console.c - read, write, readv, writev and ioctl while the only
 * open files are descriptors 0, 1 and 2, all of them the console.
 * The next issue's VFS replaces this file with per-process descriptor
 * tables; the checks here (EBADF, EFAULT, EINVAL) stay the same.
 *
 * User buffers go through a small bounce buffer on the kernel stack:
 * never a user pointer dereferenced by the kernel.
 */
#include <stdbool.h>

#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/syscall.h"
#include "kernel/usercopy.h"

#define IOV_MAX 1024
#define BOUNCE_SIZE 256
#define TIOCGWINSZ 0x5413
#define TCGETS     0x5401

struct iovec64 {
	uint64_t base;
	uint64_t length;
};

static bool fd_is_console(uint64_t fd)
{
	return fd <= 2;
}

static long console_write_user(uint64_t user_buffer, uint64_t count)
{
	char bounce[BOUNCE_SIZE];
	uint64_t done = 0;

	/* Linux refuses a range reaching outside user space before copying anything. */
	if (!user_range_ok(user_buffer, count))
		return -EFAULT;
	while (done < count) {
		size_t chunk = count - done < BOUNCE_SIZE ? count - done : BOUNCE_SIZE;
		if (copy_from_user(bounce, user_buffer + done, chunk))
			return done ? (long)done : -EFAULT;
		console_write(bounce, chunk);
		done += chunk;
	}
	return (long)done;
}

static long console_read_user(uint64_t user_buffer, uint64_t count)
{
	char bounce[BOUNCE_SIZE];

	if (count == 0)
		return 0;
	if (!user_range_ok(user_buffer, count))
		return -EFAULT;
	long got = console_read(bounce, count < BOUNCE_SIZE ? count : BOUNCE_SIZE);
	if (got > 0 && copy_to_user(user_buffer, bounce, (size_t)got))
		return -EFAULT;
	return got;
}

long sys_write(struct trap_frame *frame)
{
	if (!fd_is_console(syscall_arg(frame, 0)))
		return -EBADF;
	return console_write_user(syscall_arg(frame, 1), syscall_arg(frame, 2));
}

long sys_read(struct trap_frame *frame)
{
	if (!fd_is_console(syscall_arg(frame, 0)))
		return -EBADF;
	return console_read_user(syscall_arg(frame, 1), syscall_arg(frame, 2));
}

/* Copy in and check an iovec array: count and total length as Linux checks them. */
static long iovec_copy_in(uint64_t user_iov, uint64_t count, struct iovec64 *iov)
{
	uint64_t total = 0;

	if (count > IOV_MAX)
		return -EINVAL;
	if (copy_from_user(iov, user_iov, count * sizeof(*iov)))
		return -EFAULT;
	for (uint64_t i = 0; i < count; i++) {
		if (iov[i].length > (uint64_t)INT64_MAX - total)
			return -EINVAL;
		if (!user_range_ok(iov[i].base, iov[i].length))
			return -EFAULT;         /* like Linux's import_iovec: nothing is transferred */
		total += iov[i].length;
	}
	return 0;
}

static long vector_io(struct trap_frame *frame, bool writing)
{
	uint64_t count = syscall_arg(frame, 2);
	long done = 0;

	if (!fd_is_console(syscall_arg(frame, 0)))
		return -EBADF;
	if (count > IOV_MAX)
		return -EINVAL;
	if (count == 0)
		return 0;
	struct iovec64 *iov = kmalloc(count * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	long error = iovec_copy_in(syscall_arg(frame, 1), count, iov);
	if (error) {
		kfree(iov);
		return error;
	}
	for (uint64_t i = 0; i < count; i++) {
		if (iov[i].length == 0)
			continue;
		long result = writing ? console_write_user(iov[i].base, iov[i].length)
				      : console_read_user(iov[i].base, iov[i].length);
		if (result < 0) {
			kfree(iov);
			return done ? done : result;
		}
		done += result;
		if ((uint64_t)result < iov[i].length || !writing)
			break;                  /* a short transfer, or a read that got its line */
	}
	kfree(iov);
	return done;
}

long sys_writev(struct trap_frame *frame)
{
	return vector_io(frame, true);
}

long sys_readv(struct trap_frame *frame)
{
	return vector_io(frame, false);
}

long sys_ioctl(struct trap_frame *frame)
{
	uint64_t request = syscall_arg(frame, 1);

	if (!fd_is_console(syscall_arg(frame, 0)))
		return -EBADF;
	if (request == TIOCGWINSZ) {
		static const uint16_t winsize[4] = { 24, 80, 0, 0 };  /* rows, columns, pixels */
		return copy_to_user(syscall_arg(frame, 2), winsize, sizeof(winsize));
	}
	return -ENOTTY;
}
