/* SPDX-License-Identifier: MIT */
/* sys_fs.h - helpers shared by the path-taking system calls (kernel/sys_fs.c). */
#ifndef LOUPE_SYS_FS_H
#define LOUPE_SYS_FS_H

#include <stdint.h>

#include "kernel/vfs.h"

#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EACCESS          0x200
#define AT_EMPTY_PATH       0x1000

/* Copy a path from user memory into a new kernel buffer (PATH_MAX); 0, -EFAULT, -ENAMETOOLONG, -ENOENT (empty). */
int path_from_user(uint64_t user_path, char **path);
/* Like path_from_user, but an empty path is allowed (AT_EMPTY_PATH). */
int path_from_user_maybe_empty(uint64_t user_path, char **path);

/* Where a relative path starts: dir_fd's directory, or the cwd for AT_FDCWD. A new reference. */
int path_start(int dir_fd, const char *path, struct inode **start);

/* The current directory (root if unset), a new reference. */
struct inode *cwd_get(void);

#endif
