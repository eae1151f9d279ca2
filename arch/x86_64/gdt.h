/* SPDX-License-Identifier: MIT */
/*
 * gdt.h - segment selectors. The numbers are Linux's, so CS and SS in
 * /proc/<pid>/regs read the same on Loupe as on Linux (0x33, 0x2b).
 */
#ifndef LOUPE_GDT_H
#define LOUPE_GDT_H

#include <stdint.h>

#define KERNEL_CS   0x10
#define KERNEL_DS   0x18
#define USER32_CS   0x23      /* slot kept for SYSRET's arithmetic; not present */
#define USER_DS     0x2b
#define USER_CS     0x33
#define TSS_SEL     0x40

/* IST slots (1-based, as the IDT gate encodes them). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

void gdt_init(void);
/* The stack the CPU switches to on a trap from ring 3 (TSS.RSP0). */
void gdt_set_kernel_stack(uint64_t stack_top);

#endif
