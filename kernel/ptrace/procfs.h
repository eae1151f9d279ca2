/* SPDX-License-Identifier: MIT */
/* procfs.h - the /proc file system (kernel/ptrace/procfs.c). */
#ifndef LOUPE_PTRACE_PROCFS_H
#define LOUPE_PTRACE_PROCFS_H

/* Make /proc: its root directory is linked into the ramfs root as "proc". */
void procfs_init(void);

#endif
