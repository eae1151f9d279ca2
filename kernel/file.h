/* SPDX-License-Identifier: MIT */
/*
 * file.h - per-process descriptor tables (kernel/file.c).
 *
 * A descriptor is an index into the process's table; the slot points at a
 * shared struct file (vfs.h) and carries the close-on-exec flag, which
 * belongs to the descriptor, not to the open file.
 */
#ifndef LOUPE_FILE_H
#define LOUPE_FILE_H

#include <stdbool.h>

#include "kernel/vfs.h"

#define FD_MAX 256                      /* RLIMIT_NOFILE: EMFILE beyond */
#define FD_CLOEXEC 1

struct fd_table {
	struct file *files[FD_MAX];
	bool cloexec[FD_MAX];
};

struct fd_table *fd_table_new(void);
/* A copy for fork: every open file gains a reference. NULL when out of memory. */
struct fd_table *fd_table_clone(const struct fd_table *table);
/* Close everything and free the table. */
void fd_table_free(struct fd_table *table);
/* execve: close the descriptors marked close-on-exec. */
void fd_table_exec(struct fd_table *table);

/* The open file behind fd in the current process (no new reference), or NULL. */
struct file *fd_get(int fd);
/*
 * Install file at the lowest free descriptor >= min_fd, taking over the
 * caller's reference. Returns the descriptor or -EMFILE (the reference
 * is then dropped).
 */
int fd_install(struct file *file, int min_fd, bool cloexec);
/* Put file at exactly fd, closing what was there. */
int fd_install_at(struct file *file, int fd, bool cloexec);
int fd_close(int fd);

#endif
