/* SPDX-License-Identifier: MIT */
/* qemu.c - report a result to the harness through isa-debug-exit (see qemu.h). */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/qemu.h"

void qemu_exit(bool success)
{
	outb(QEMU_EXIT_PORT, success ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE);
}
