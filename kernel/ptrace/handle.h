/* SPDX-License-Identifier: MIT */
/* handle.h - the file operations of /proc/<pid>/trace, regs, fpregs and mem. */
#ifndef LOUPE_PTRACE_HANDLE_H
#define LOUPE_PTRACE_HANDLE_H

#include "kernel/vfs.h"

/*
 * The inode of each of these files carries the pid in `private`
 * (procfs.c makes a fresh inode per lookup); the open file keeps what it
 * is bound to (the session, or the address space) in file->private.
 */
extern const struct file_ops trace_file_ops;    /* handle.c */
extern const struct file_ops regs_file_ops;     /* regs.c */
extern const struct file_ops fpregs_file_ops;   /* regs.c */
extern const struct file_ops siginfo_file_ops;  /* regs.c */
extern const struct file_ops mem_file_ops;      /* mem.c */

#endif
