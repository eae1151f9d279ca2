/* SPDX-License-Identifier: MIT */
/*
 * console.c - COM1 as the processes' terminal, in its simplest form:
 * bytes in, bytes out, no line editing yet (the line discipline with
 * echo, ^C and ^D arrives with the next issue's terminal).
 *
 * Input: the UART's receive interrupt hands every byte to
 * console_receive, which stores it in a ring buffer and wakes readers.
 * A full buffer drops new bytes: losing typed-ahead input is better
 * than blocking an interrupt handler.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"
#include "kernel/console.h"
#include "kernel/wait.h"

#define INPUT_SIZE 1024                 /* a power of two */

static char input[INPUT_SIZE];
static volatile unsigned input_head, input_tail;
static struct wait_queue input_wait = WAIT_QUEUE_INIT(input_wait);

static void console_receive(char c)
{
	if (c == '\r')
		c = '\n';                       /* terminals send CR for Enter */
	if (input_head - input_tail < INPUT_SIZE) {
		input[input_head % INPUT_SIZE] = c;
		input_head++;
	}
	wait_queue_wake_all(&input_wait);
}

void console_init(void)
{
	serial_set_rx_hook(console_receive);
}

long console_read(char *buffer, size_t len)
{
	size_t done = 0;

	if (len == 0)
		return 0;
	int error = wait_event(&input_wait, input_head != input_tail);
	if (error)
		return error;

	uint64_t flags = irq_save();
	while (done < len && input_tail != input_head) {
		char c = input[input_tail % INPUT_SIZE];
		input_tail++;
		buffer[done++] = c;
		if (c == '\n')
			break;                  /* like a terminal: one line per read */
	}
	irq_restore(flags);
	return (long)done;
}

void console_write(const char *buffer, size_t len)
{
	uint64_t flags = irq_save();
	serial_write(buffer, len);
	irq_restore(flags);
}
