/* SPDX-License-Identifier: MIT */
/*
 * tty.h - the serial console as a terminal (kernel/tty.c).
 */
#ifndef LOUPE_TTY_H
#define LOUPE_TTY_H

#include "kernel/vfs.h"

/* Hook the line discipline to COM1's receive interrupt. */
void tty_init(void);

/* The console's inode (for /dev/console and /dev/tty). */
struct inode *tty_inode(void);

/* The terminal's foreground process group, and its session (init's). */
void tty_set_session(int sid, int pgrp);

#endif
