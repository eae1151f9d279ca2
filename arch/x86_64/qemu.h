/* SPDX-License-Identifier: MIT */
/*
 * qemu.h - leaving QEMU with a result code (arch/x86_64/qemu.c).
 *
 * The test harness starts QEMU with `-device isa-debug-exit,iobase=0xf4`;
 * a byte written there ends QEMU with exit status (byte << 1) | 1. On a
 * machine without the device the write does nothing and the caller goes
 * on (to halt).
 */
#ifndef LOUPE_QEMU_H
#define LOUPE_QEMU_H

#include <stdbool.h>

#define QEMU_EXIT_PORT     0xf4
#define QEMU_EXIT_SUCCESS  0x10     /* QEMU exits with 33 */
#define QEMU_EXIT_FAILURE  0x11     /* QEMU exits with 35 */

void qemu_exit(bool success);

#endif
