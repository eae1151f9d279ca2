/* SPDX-License-Identifier: MIT */
/*
 * usercopy.c - copy_from_user and friends for the current process.
 *
 * The range check comes first (user half, no wrap-around), then
 * kernel/addrspace.c does the copy page by page through the direct map,
 * creating lazy pages and breaking copy-on-write as a user access would.
 * A short copy means a page the user could not have touched either:
 * -EFAULT, as Linux reports it.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/proc.h"
#include "kernel/usercopy.h"

int user_range_ok(uint64_t addr, size_t len)
{
	return addr + len >= addr && addr + len <= USER_TOP;
}

int copy_from_user(void *dst, uint64_t user_src, size_t len)
{
	if (!user_range_ok(user_src, len))
		return -EFAULT;
	return addrspace_read(current->as, user_src, dst, len) == len ? 0 : -EFAULT;
}

int copy_to_user(uint64_t user_dst, const void *src, size_t len)
{
	if (!user_range_ok(user_dst, len))
		return -EFAULT;
	return addrspace_write(current->as, user_dst, src, len) == len ? 0 : -EFAULT;
}

long copy_string_from_user(char *dst, uint64_t user_src, size_t size)
{
	size_t length = 0;

	if (size == 0)
		return -ENAMETOOLONG;
	/*
	 * Copy up to the end of each page, then look for the NUL: a chunk
	 * never crosses a page, so it is either all readable or not at all.
	 */
	while (length < size) {
		uint64_t here = user_src + length;
		size_t chunk = 4096 - (here & 4095);
		if (chunk > size - length)
			chunk = size - length;
		if (!user_range_ok(here, chunk) ||
		    addrspace_read(current->as, here, dst + length, chunk) != chunk) {
			dst[length < size ? length : size - 1] = '\0';
			return -EFAULT;
		}
		for (size_t end = length + chunk; length < end; length++)
			if (dst[length] == '\0')
				return (long)length;
	}
	dst[size - 1] = '\0';
	return -ENAMETOOLONG;
}
