/* SPDX-License-Identifier: MIT */
/* exit.h - ending a process and collecting its status (kernel/exit.c). */
#ifndef LOUPE_EXIT_H
#define LOUPE_EXIT_H

#include <stdint.h>

/* wait4 options (Linux's values). */
#define WNOHANG     0x00000001
#define WUNTRACED   0x00000002
#define WCONTINUED  0x00000008
#define WNOTHREAD   0x20000000
#define WALL        0x40000000
#define WCLONE      0x80000000

/*
 * Switch the machine off. Under the test harness the code becomes QEMU's
 * exit status through isa-debug-exit (0: success); otherwise ACPI.
 */
__attribute__((noreturn)) void machine_power_off(int code);

/* End the current process with a Linux wait status. Never returns. */
__attribute__((noreturn)) void proc_exit(int wait_status);

/* Would wait4(-1, WNOHANG) find an exited child or a consent stop? (/proc/<pid>/waitable) */
#include <stdbool.h>
struct process;
bool proc_has_waitable_child(struct process *parent);

/*
 * Wait for a child as wait4 does: pid > 0 that child, -1 any child, 0 any
 * in the caller's process group, < -1 any in group -pid. Returns the pid
 * collected (with *status filled), 0 with WNOHANG if none is ready yet,
 * -ECHILD if no child matches, -EINVAL for unknown options.
 */
long proc_wait(int pid, int *status, int options);

#endif
