/* SPDX-License-Identifier: MIT */
/*
 * printk.c - format a kernel message and write it to the console.
 *
 * Formatting is kernel/lib/format.c (host-tested); output is COM1
 * (arch/x86_64/serial.c). Each message is formatted into a buffer on the
 * stack and written in one go with interrupts off, so lines from an
 * interrupt handler never land in the middle of another message.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/timer.h"
#include "kernel/lib/format.h"
#include "kernel/printk.h"

#define PRINTK_BUFFER 512

int printk_loglevel = LOGLEVEL_DEFAULT;

void vprintk(const char *fmt, va_list ap)
{
	char buffer[PRINTK_BUFFER];
	int length = kvsnprintf(buffer, sizeof(buffer), fmt, ap);

	if (length < 0)
		return;
	if ((unsigned)length >= sizeof(buffer))
		length = sizeof(buffer) - 1;    /* truncated; better than nothing */

	uint64_t flags = irq_save();
	serial_write(buffer, (unsigned)length);
	irq_restore(flags);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void printk_level(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > printk_loglevel)
		return;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

bool printk_ratelimit(void)
{
	static uint64_t window_start;
	static unsigned printed, suppressed;
	uint64_t now = timer_ticks();

	if (now - window_start >= TIMER_HZ) {
		window_start = now;
		printed = 0;
		if (suppressed) {
			printk("loupe: %u similar messages suppressed\n", suppressed);
			suppressed = 0;
		}
	}
	if (printed < PRINTK_BURST) {
		printed++;
		return true;
	}
	suppressed++;
	return false;
}
