/* SPDX-License-Identifier: MIT */
/*
 * sys_info.c - uname, sysinfo, getrandom: questions about the system.
 */
#include <stddef.h>

#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/random.h"
#include "kernel/syscall.h"
#include "kernel/usercopy.h"

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

/* Linux's struct sysinfo on x86_64. */
struct sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct sysinfo) == 112, "struct sysinfo must match Linux x86_64");
_Static_assert(offsetof(struct sysinfo, mem_unit) == 104, "struct sysinfo must match Linux x86_64");

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

long sys_uname(struct trap_frame *frame)
{
	struct utsname name;

	memset(&name, 0, sizeof(name));
	memcpy(name.sysname, "Loupe", 6);
	memcpy(name.nodename, "loupe", 6);
	memcpy(name.release, "0.1.0", 6);
	memcpy(name.version, "#1", 3);
	memcpy(name.machine, "x86_64", 7);
	memcpy(name.domainname, "(none)", 7);
	return copy_to_user(syscall_arg(frame, 0), &name, sizeof(name));
}

/*
 * sysinfo. Loupe convention, relied on by the guest tests and documented
 * in docs/memory.md: freeram is exactly the free physical frames × 4096
 * and bufferram the kernel heap's bytes in use, so a test can check that
 * a workload leaves no frame and no heap byte behind.
 */
long sys_sysinfo(struct trap_frame *frame)
{
	struct sysinfo info;
	struct heap_stats heap;

	memset(&info, 0, sizeof(info));
	heap_get_stats(&heap);
	info.uptime = (int64_t)(timer_ticks() / TIMER_HZ);
	info.totalram = pmm_total_count() * 4096;
	info.freeram = pmm_free_count() * 4096;
	info.bufferram = heap.bytes_in_use;
	info.procs = (uint16_t)proc_count();
	info.mem_unit = 1;
	return copy_to_user(syscall_arg(frame, 0), &info, sizeof(info));
}

long sys_getrandom(struct trap_frame *frame)
{
	uint64_t user_buffer = syscall_arg(frame, 0);
	uint64_t length = syscall_arg(frame, 1);
	uint64_t flags = syscall_arg(frame, 2);
	uint8_t chunk[256];
	uint64_t done = 0;

	if (flags & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (length > 33554431)
		length = 33554431;              /* Linux's per-call cap */
	while (done < length) {
		size_t size = length - done < sizeof(chunk) ? length - done : sizeof(chunk);
		random_fill(chunk, size);
		if (copy_to_user(user_buffer + done, chunk, size))
			return done ? (long)done : -EFAULT;
		done += size;
	}
	return (long)done;
}
