/* SPDX-License-Identifier: MIT */
/* ramfs.h - the RAM file system that is Loupe's root (kernel/ramfs.c). */
#ifndef LOUPE_RAMFS_H
#define LOUPE_RAMFS_H

#include "kernel/vfs.h"

/* Make the root directory (vfs_root). */
void ramfs_init(void);

/* Copy every member of the boot cpio archive into the tree. Returns the file count or -errno. */
int ramfs_populate(const void *archive, size_t size);

/*
 * Add an existing inode (a device) under dir as name: the directory
 * entry takes one link on it.
 */
int ramfs_link(struct inode *dir, const char *name, struct inode *inode);

#endif
