/* SPDX-License-Identifier: MIT */
/*
 * poll.c - poll and ppoll.
 *
 * The loop is the textbook one: ask every descriptor for its ready
 * events (file_ops.poll); if any is ready, or the timeout is zero, report;
 * otherwise sleep on the global poll queue until something changes
 * (poll_notify), the deadline passes, or a signal arrives; then ask again.
 */
#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/file.h"
#include "kernel/heap.h"
#include "kernel/poll.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/time.h"
#include "kernel/usercopy.h"
#include "kernel/wait.h"

#define POLL_MAX_FDS FD_MAX                     /* Linux allows up to RLIMIT_NOFILE entries */

struct pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

static struct wait_queue poll_queue = WAIT_QUEUE_INIT(poll_queue);

void poll_notify(void)
{
	wait_queue_wake_all(&poll_queue);
}

unsigned poll_file(struct file *file)
{
	if (file->ops && file->ops->poll)
		return file->ops->poll(file);
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;     /* regular files never block */
}

/* Fill revents; the number of entries with any event. */
static int poll_scan(struct pollfd *fds, uint64_t count)
{
	int ready = 0;

	for (uint64_t i = 0; i < count; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;                       /* negative fds are skipped, as POSIX says */
		struct file *file = fd_get(fds[i].fd);
		unsigned events = file ? poll_file(file) : POLLNVAL;
		/* POLLERR, POLLHUP, POLLNVAL are reported whether asked for or not. */
		fds[i].revents = (int16_t)(events & ((uint16_t)fds[i].events | POLLERR | POLLHUP | POLLNVAL));
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

/* timeout_ns: UINT64_MAX waits forever. */
static long poll_common(uint64_t user_fds, uint64_t count, uint64_t timeout_ns)
{
	if (count > POLL_MAX_FDS)
		return -EINVAL;
	struct pollfd *fds = count ? kmalloc(count * sizeof(*fds)) : NULL;
	if (count && !fds)
		return -ENOMEM;
	long result = copy_from_user(fds, user_fds, count * sizeof(*fds));
	if (result) {
		kfree(fds);
		return result;
	}

	uint64_t deadline = 0;
	if (timeout_ns != UINT64_MAX && timeout_ns != 0) {
		uint64_t now = time_monotonic_ns();
		deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	}
	for (;;) {
		uint64_t flags = irq_save();
		int ready = poll_scan(fds, count);
		if (ready || timeout_ns == 0) {
			irq_restore(flags);
			result = ready;
			break;
		}
		int error = wait_queue_sleep_until(&poll_queue, deadline);
		irq_restore(flags);
		if (error == -ETIMEDOUT) {
			result = 0;
			break;
		}
		if (error) {
			result = -ERESTARTNOHAND;
			break;
		}
	}
	if (result >= 0 && copy_to_user(user_fds, fds, count * sizeof(*fds)))
		result = -EFAULT;
	kfree(fds);
	return result;
}

long sys_poll(struct trap_frame *frame)
{
	int timeout_ms = (int)syscall_arg(frame, 2);
	uint64_t timeout = timeout_ms < 0 ? UINT64_MAX : (uint64_t)timeout_ms * 1000000;

	return poll_common(syscall_arg(frame, 0), syscall_arg(frame, 1), timeout);
}

long sys_ppoll(struct trap_frame *frame)
{
	uint64_t user_timeout = syscall_arg(frame, 2), user_mask = syscall_arg(frame, 3);
	uint64_t timeout = UINT64_MAX;

	if (user_timeout) {
		int64_t value[2];
		if (copy_from_user(value, user_timeout, sizeof(value)))
			return -EFAULT;
		if (value[0] < 0 || value[1] < 0 || value[1] >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		timeout = (uint64_t)value[0] * NSEC_PER_SEC + (uint64_t)value[1];
	}
	if (user_mask) {
		uint64_t mask;
		if (syscall_arg(frame, 4) != sizeof(mask))
			return -EINVAL;
		if (copy_from_user(&mask, user_mask, sizeof(mask)))
			return -EFAULT;
		/* Like sigsuspend: the mask holds during the wait and is restored after any handler. */
		current->signals.saved_blocked = current->signals.blocked;
		current->signals.restore_blocked = true;
		current->signals.blocked = mask & ~SIGNALS_UNBLOCKABLE;
	}
	long result = poll_common(syscall_arg(frame, 0), syscall_arg(frame, 1), timeout);
	if (user_mask && result != -ERESTARTNOHAND) {
		current->signals.blocked = current->signals.saved_blocked;
		current->signals.restore_blocked = false;
	}
	return result;                          /* -ERESTARTNOHAND: EINTR if a handler ran */
}
