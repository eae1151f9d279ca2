/* SPDX-License-Identifier: MIT */
/*
 * loupe/ptrace_ext.h - what Loupe's ptrace shim offers beyond Linux.
 *
 * One extension: a syscall filter. Linux's ptrace has no such request, so
 * a portable tracer guards its use:
 *
 *     #ifdef PTRACE_LOUPE_SETFILTER
 *         ptrace(PTRACE_LOUPE_SETFILTER, pid, 0, bitmap);
 *     #endif
 *
 * bitmap: uint64_t[LOUPE_FILTER_BITS / 64]; bit n set = syscall n makes
 * syscall stops. NULL turns the filter off (every syscall stops again).
 * The kernel skips filtered-out syscalls without stopping at all, which
 * is what makes `strace -e trace=write` cheap (docs/shim.md).
 */
#ifndef LOUPE_UAPI_PTRACE_EXT_H
#define LOUPE_UAPI_PTRACE_EXT_H

#include <loupe/trace.h>

#define PTRACE_LOUPE_SETFILTER 0x4c00   /* 'L' << 8: outside Linux's request numbers */

#endif
