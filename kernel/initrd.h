/* SPDX-License-Identifier: MIT */
/*
 * initrd.h - the boot archive (a cpio module from GRUB), read-only.
 *
 * Until the RAM filesystem exists, execve finds programs here directly
 * (kernel/initrd.c).
 */
#ifndef LOUPE_INITRD_H
#define LOUPE_INITRD_H

#include "kernel/cpio.h"

/* Find the module named "initrd" and check the whole archive parses. */
void initrd_init(void);

/*
 * Look up an absolute path. Returns 0, -ENOENT (no such member, or no
 * archive), -ENOTDIR when a leading component is a regular file,
 * -ENAMETOOLONG.
 */
int initrd_lookup(const char *path, struct cpio_entry *entry);

#endif
