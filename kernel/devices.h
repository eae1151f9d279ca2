/* SPDX-License-Identifier: MIT */
/* devices.h - /dev: null, zero, random, urandom, console, tty (kernel/devices.c). */
#ifndef LOUPE_DEVICES_H
#define LOUPE_DEVICES_H

/* Create /dev (and /tmp if missing) and the device nodes. */
void devices_init(void);

#endif
