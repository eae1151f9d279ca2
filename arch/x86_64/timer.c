/* SPDX-License-Identifier: MIT */
/*
 * timer.c - the periodic tick, from channel 0 of the 8253/8254 PIT.
 *
 * The PIT counts down from a divisor at 1.193182 MHz and raises IRQ 0 at
 * zero; a divisor of 11932 gives TIMER_HZ = 100 ticks a second. The tick
 * count is the kernel's coarse clock and the scheduler's heartbeat.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"

#define PIT_CHANNEL0   0x40
#define PIT_COMMAND    0x43
#define PIT_FREQUENCY  1193182
#define PIT_MODE_RATE  0x34     /* channel 0, lobyte/hibyte, mode 2 (rate generator) */

static volatile uint64_t ticks;
static void (*tick_hook)(void);

static void timer_interrupt(struct trap_frame *frame)
{
	(void)frame;
	ticks++;
	if (tick_hook)
		tick_hook();
}

void timer_init(void)
{
	uint16_t divisor = (PIT_FREQUENCY + TIMER_HZ / 2) / TIMER_HZ;

	outb(PIT_COMMAND, PIT_MODE_RATE);
	outb(PIT_CHANNEL0, divisor & 0xff);
	outb(PIT_CHANNEL0, divisor >> 8);
	irq_register(0, timer_interrupt);
	pic_unmask(0);
}

uint64_t timer_ticks(void)
{
	return ticks;
}

void timer_set_tick_hook(void (*hook)(void))
{
	tick_hook = hook;
}
