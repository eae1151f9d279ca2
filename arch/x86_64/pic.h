/* SPDX-License-Identifier: MIT */
/* pic.h - the legacy 8259 interrupt controller pair (arch/x86_64/pic.c). */
#ifndef LOUPE_PIC_H
#define LOUPE_PIC_H

#include <stdbool.h>

void pic_init(void);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
/* Acknowledge IRQ irq. Returns false if it was spurious (no EOI sent). */
bool pic_end_of_interrupt(unsigned irq);

#endif
