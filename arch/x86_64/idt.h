/* SPDX-License-Identifier: MIT */
/* idt.h - load the IDT (arch/x86_64/idt.c). */
#ifndef LOUPE_IDT_H
#define LOUPE_IDT_H

void idt_init(void);

#endif
