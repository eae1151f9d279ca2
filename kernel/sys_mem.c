/* SPDX-License-Identifier: MIT */
/*
 * sys_mem.c - brk, mmap, munmap, mprotect, arch_prctl: check the user's
 * request the way Linux does, then edit the address space
 * (kernel/addrspace.c).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/file.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "kernel/usercopy.h"

#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE            0x0f
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_GROWSDOWN       0x0100
#define MAP_DENYWRITE       0x0800
#define MAP_EXECUTABLE      0x1000
#define MAP_LOCKED          0x2000
#define MAP_NORESERVE       0x4000
#define MAP_POPULATE        0x8000
#define MAP_NONBLOCK        0x10000
#define MAP_STACK           0x20000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_KNOWN (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE | \
		   MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | \
		   MAP_STACK | MAP_FIXED_NOREPLACE)

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

#define PAGE_MASK 4095UL

static uint64_t page_round_up(uint64_t value)
{
	return (value + PAGE_MASK) & ~PAGE_MASK;
}

/*
 * brk(addr): move the end of the heap. Linux's contract: the return value
 * is the new end on success and the old end on any failure (there is no
 * error code), and brk(0) asks for the current end.
 */
long sys_brk(struct trap_frame *frame)
{
	struct address_space *as = current->as;
	uint64_t wanted = syscall_arg(frame, 0);
	uint64_t old_top = page_round_up(as->brk), new_top = page_round_up(wanted);

	if (wanted < as->brk_start || wanted > as->brk_start + USER_BRK_MAX)
		return (long)as->brk;
	if (new_top > old_top) {
		if (!addrspace_range_free(as, old_top, new_top - old_top))
			return (long)as->brk;
		if (addrspace_map(as, old_top, new_top - old_top, PROT_READ | PROT_WRITE, VMA_HEAP))
			return (long)as->brk;
	} else if (new_top < old_top) {
		addrspace_unmap(as, new_top, old_top - new_top);
	}
	as->brk = wanted;
	return (long)wanted;
}

long sys_mmap(struct trap_frame *frame)
{
	uint64_t addr = syscall_arg(frame, 0);
	uint64_t length = syscall_arg(frame, 1);
	uint64_t prot = syscall_arg(frame, 2);
	uint64_t flags = syscall_arg(frame, 3);
	int fd = (int)syscall_arg(frame, 4);
	uint64_t offset = syscall_arg(frame, 5);
	struct address_space *as = current->as;

	if (length == 0 || (offset & PAGE_MASK) || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (flags & ~(uint64_t)MAP_KNOWN)
		return -EINVAL;
	uint64_t type = flags & MAP_TYPE;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return fd_get(fd) ? -ENODEV : -EBADF;   /* no file can be mapped yet */
	if (type != MAP_PRIVATE)
		return -EINVAL;                         /* shared memory is not implemented */
	if (length > USER_MAP_END)
		return -ENOMEM;
	length = page_round_up(length);

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & PAGE_MASK)
			return -EINVAL;
		if (addr < USER_MIN_ADDRESS)
			return -EPERM;          /* Linux: mmap_min_addr, for anyone without CAP_SYS_RAWIO */
		if (addr > USER_MAP_END || length > USER_MAP_END - addr)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !addrspace_range_free(as, addr, length))
			return -EEXIST;
	} else {
		/* A hint is taken if that range is free; otherwise top-down from USER_MMAP_TOP. */
		addr &= ~PAGE_MASK;
		if (addr < USER_MIN_ADDRESS || addr > USER_MMAP_TOP || length > USER_MMAP_TOP - addr ||
		    !addrspace_range_free(as, addr, length))
			addr = addrspace_find_free(as, length, USER_MMAP_TOP);
		if (!addr)
			return -ENOMEM;
	}
	int error = addrspace_map(as, addr, length, (uint32_t)prot, VMA_ANON);
	return error ? error : (long)addr;
}

long sys_munmap(struct trap_frame *frame)
{
	uint64_t addr = syscall_arg(frame, 0);
	uint64_t length = syscall_arg(frame, 1);

	if ((addr & PAGE_MASK) || length == 0 || addr >= USER_TOP || length > USER_TOP - addr)
		return -EINVAL;
	return addrspace_unmap(current->as, addr, page_round_up(length));
}

long sys_mprotect(struct trap_frame *frame)
{
	uint64_t addr = syscall_arg(frame, 0);
	uint64_t length = syscall_arg(frame, 1);
	uint64_t prot = syscall_arg(frame, 2);

	if ((addr & PAGE_MASK) || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (length == 0)
		return 0;
	if (addr > USER_MAP_END || length > USER_MAP_END - addr)
		return -ENOMEM;
	length = page_round_up(length);
	return addrspace_protect(current->as, addr, length, (uint32_t)prot);
}

/*
 * FS and GS bases: musl keeps its thread pointer (TLS) in FS. The value
 * must be a canonical user address, or the next WRMSR/return would fault
 * in the kernel; Linux answers EPERM for anything at or above the top of
 * user space.
 */
long sys_arch_prctl(struct trap_frame *frame)
{
	uint64_t code = syscall_arg(frame, 0);
	uint64_t addr = syscall_arg(frame, 1);
	uint64_t value;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= USER_MAP_END)
			return -EPERM;          /* Linux: at or above TASK_SIZE_MAX, the last page included */
		if (code == ARCH_SET_FS) {
			current->fs_base = addr;
			wrmsr(MSR_FS_BASE, addr);
		} else {
			current->gs_base = addr;
			wrmsr(MSR_KERNEL_GS_BASE, addr);    /* swapgs on the way out makes it the GS base */
		}
		return 0;
	case ARCH_GET_FS:
		value = rdmsr(MSR_FS_BASE);
		return copy_to_user(addr, &value, sizeof(value));
	case ARCH_GET_GS:
		value = rdmsr(MSR_KERNEL_GS_BASE);
		return copy_to_user(addr, &value, sizeof(value));
	default:
		return -EINVAL;
	}
}
