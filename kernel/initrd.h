/* SPDX-License-Identifier: MIT */
/*
 * initrd.h - the boot archive: GRUB's module named "initrd", a cpio
 * (newc) archive copied into the RAM file system at boot (kernel/initrd.c).
 */
#ifndef LOUPE_INITRD_H
#define LOUPE_INITRD_H

/* Find the module and copy its files into ramfs. */
void initrd_load(void);

#endif
