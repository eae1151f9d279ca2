/* SPDX-License-Identifier: MIT */
/*
 * pic.c - the two cascaded 8259 PICs.
 *
 * After reset the PICs deliver IRQ 0-7 on vectors 8-15, which collide
 * with CPU exceptions (#DF is 8). pic_init remaps them to 32-47 and masks
 * every line; drivers unmask what they handle. The APIC can replace this
 * when Loupe goes SMP; only this file and trap.c's IRQ range would change.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/trap.h"

#define PIC1_COMMAND 0x20
#define PIC1_DATA    0x21
#define PIC2_COMMAND 0xa0
#define PIC2_DATA    0xa1

#define ICW1_INIT_ICW4 0x11     /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define OCW3_READ_ISR  0x0b
#define PIC_EOI        0x20

/* A write to an unused port: gives the old PIC time to settle between commands. */
static void io_wait(void)
{
	outb(0x80, 0);
}

void pic_init(void)
{
	outb(PIC1_COMMAND, ICW1_INIT_ICW4); io_wait();
	outb(PIC2_COMMAND, ICW1_INIT_ICW4); io_wait();
	outb(PIC1_DATA, VEC_IRQ_BASE);      io_wait();   /* ICW2: vector offset */
	outb(PIC2_DATA, VEC_IRQ_BASE + 8);  io_wait();
	outb(PIC1_DATA, 1 << 2);            io_wait();   /* ICW3: slave on line 2 */
	outb(PIC2_DATA, 2);                 io_wait();   /* ICW3: slave identity */
	outb(PIC1_DATA, ICW4_8086);         io_wait();
	outb(PIC2_DATA, ICW4_8086);         io_wait();
	outb(PIC1_DATA, 0xff & ~(1 << 2));               /* all masked but the cascade */
	outb(PIC2_DATA, 0xff);
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	outb(port, inb(port) & ~(1 << (irq & 7)));
}

void pic_mask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	outb(port, inb(port) | (1 << (irq & 7)));
}

static uint8_t pic_in_service(uint16_t command_port)
{
	outb(command_port, OCW3_READ_ISR);
	return inb(command_port);
}

/*
 * IRQ 7 and 15 can be spurious: the line dropped before the PIC could say
 * which one it was. The in-service register tells; a spurious IRQ 15 still
 * needs an EOI on the master, which did see the cascade line.
 */
bool pic_end_of_interrupt(unsigned irq)
{
	if (irq == 7 && !(pic_in_service(PIC1_COMMAND) & 0x80))
		return false;
	if (irq == 15 && !(pic_in_service(PIC2_COMMAND) & 0x80)) {
		outb(PIC1_COMMAND, PIC_EOI);
		return false;
	}
	if (irq >= 8)
		outb(PIC2_COMMAND, PIC_EOI);
	outb(PIC1_COMMAND, PIC_EOI);
	return true;
}
