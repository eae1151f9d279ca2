/* SPDX-License-Identifier: MIT */
/*
 * usercopy.h - moving data between the kernel and the current process.
 *
 * Every system call that takes a pointer goes through these: the range
 * must lie in the user half, every page must be mapped with the access
 * user mode would need, and a failure is an error code, never a kernel
 * fault (kernel/usercopy.c, over kernel/addrspace.c).
 */
#ifndef LOUPE_USERCOPY_H
#define LOUPE_USERCOPY_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -EFAULT if any byte of the user range is unreadable/unwritable. */
int copy_from_user(void *dst, uint64_t user_src, size_t len);
int copy_to_user(uint64_t user_dst, const void *src, size_t len);

/*
 * Copy a NUL-terminated string of at most size - 1 characters. Returns
 * its length, -EFAULT, or -ENAMETOOLONG when no NUL comes within size
 * bytes (dst then holds a truncated, terminated string).
 */
long copy_string_from_user(char *dst, uint64_t user_src, size_t size);

/* Is [addr, addr + len) inside the user half, without wrapping? */
int user_range_ok(uint64_t addr, size_t len);

#endif
