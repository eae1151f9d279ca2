/* SPDX-License-Identifier: MIT */
/*
 * sys_time.c - clock_gettime, gettimeofday, nanosleep, clock_nanosleep.
 *
 * Reading clocks uses kernel/time.c. Sleeping uses the scheduler's timed
 * sleep: the deadline is checked at every 10 ms timer tick, so a sleep
 * never ends early and ends at most a tick late (POSIX allows late).
 */
#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/signal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/time.h"
#include "kernel/usercopy.h"

#define CLOCK_REALTIME          0
#define CLOCK_MONOTONIC         1
#define CLOCK_MONOTONIC_RAW     4
#define CLOCK_REALTIME_COARSE   5
#define CLOCK_MONOTONIC_COARSE  6
#define CLOCK_BOOTTIME          7
#define TIMER_ABSTIME           1


struct timespec64 {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct timeval64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* The clock's time in ns; -EINVAL for clocks Loupe does not have. */
static int clock_read(uint64_t clock, uint64_t *ns)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = time_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = time_monotonic_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(struct trap_frame *frame)
{
	uint64_t ns;
	int error = clock_read(syscall_arg(frame, 0), &ns);

	if (error)
		return error;
	struct timespec64 value = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return copy_to_user(syscall_arg(frame, 1), &value, sizeof(value));
}

long sys_gettimeofday(struct trap_frame *frame)
{
	uint64_t user_tv = syscall_arg(frame, 0);

	if (user_tv) {
		uint64_t ns = time_realtime_ns();
		struct timeval64 value = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
		if (copy_to_user(user_tv, &value, sizeof(value)))
			return -EFAULT;
	}
	if (syscall_arg(frame, 1)) {
		static const int32_t no_timezone[2];    /* struct timezone: UTC, no DST */
		if (copy_to_user(syscall_arg(frame, 1), no_timezone, sizeof(no_timezone)))
			return -EFAULT;
	}
	return 0;
}

static int timespec_from_user(uint64_t user, uint64_t *ns)
{
	struct timespec64 value;

	if (copy_from_user(&value, user, sizeof(value)))
		return -EFAULT;
	if (value.tv_sec < 0 || value.tv_nsec < 0 || value.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)value.tv_sec > UINT64_MAX / NSEC_PER_SEC - 1)
		*ns = UINT64_MAX;               /* "forever" */
	else
		*ns = (uint64_t)value.tv_sec * NSEC_PER_SEC + (uint64_t)value.tv_nsec;
	return 0;
}

/*
 * Sleep ns; when a signal interrupts, store the time left at user_remaining
 * (if given) and return -ERESTARTNOHAND: -EINTR if a handler runs; if none
 * does (a stop and continue), the call restarts, with its original
 * duration: Linux resumes with the time left, Loupe does not yet.
 */
static long sleep_ns(uint64_t ns, uint64_t user_remaining)
{
	uint64_t now = time_monotonic_ns();
	uint64_t deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;

	if (sched_sleep_until(deadline) == 0)
		return 0;
	if (user_remaining) {
		uint64_t left = deadline - time_monotonic_ns();
		if ((int64_t)left < 0)
			left = 0;
		struct timespec64 value = { (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
		if (copy_to_user(user_remaining, &value, sizeof(value)))
			return -EFAULT;
	}
	return -ERESTARTNOHAND;
}

long sys_nanosleep(struct trap_frame *frame)
{
	uint64_t ns;
	int error = timespec_from_user(syscall_arg(frame, 0), &ns);

	return error ? error : sleep_ns(ns, syscall_arg(frame, 1));
}

long sys_clock_nanosleep(struct trap_frame *frame)
{
	uint64_t clock = syscall_arg(frame, 0), flags = syscall_arg(frame, 1), now, ns;
	int error = clock_read(clock, &now);

	if (error)
		return error;
	if (flags & ~(uint64_t)TIMER_ABSTIME)
		return -EINVAL;
	error = timespec_from_user(syscall_arg(frame, 2), &ns);
	if (error)
		return error;
	if (flags & TIMER_ABSTIME)
		ns = ns > now ? ns - now : 0;
	/* An absolute sleep has nothing to report in rem (POSIX). */
	return ns ? sleep_ns(ns, (flags & TIMER_ABSTIME) ? 0 : syscall_arg(frame, 3)) : 0;
}
