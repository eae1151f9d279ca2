/* SPDX-License-Identifier: MIT */
/*
 * serial.c - the 16550 UART on COM1, which is Loupe's console.
 *
 * Output is polled: wait for the transmit register to empty, write the
 * byte. That is slow but works anywhere, including inside panic() with
 * interrupts off, which is when output matters most.
 *
 * Input is interrupt driven: IRQ 4 drains the receive FIFO into a ring
 * buffer, so no keystroke is lost while the kernel is busy. If the buffer
 * is full, new bytes are dropped (and counted) rather than overwriting
 * unread ones.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/trap.h"

#define COM1            0x3f8
#define UART_DATA       0       /* DLAB=0: receive/transmit; DLAB=1: divisor low */
#define UART_IER        1       /* DLAB=0: interrupt enable; DLAB=1: divisor high */
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5

#define LSR_DATA_READY  0x01
#define LSR_THR_EMPTY   0x20
#define LCR_8N1         0x03
#define LCR_DLAB        0x80
#define MCR_DTR_RTS_OUT2 0x0b   /* OUT2 gates the UART's IRQ line to the PIC */
#define IER_RX_AVAILABLE 0x01
#define COM1_IRQ        4

#define RX_BUFFER_SIZE  1024    /* a power of two: indices wrap with a mask */

static char rx_buffer[RX_BUFFER_SIZE];
static volatile unsigned rx_head;   /* written by the interrupt */
static volatile unsigned rx_tail;   /* written by serial_getc */
static unsigned rx_dropped;
static void (*rx_hook)(char c);

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 1);          /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);        /* enable and clear FIFOs, 14-byte trigger */
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

void serial_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			serial_putc('\r');      /* terminals want CR LF */
		serial_putc(buf[i]);
	}
}

static void serial_interrupt(struct trap_frame *frame)
{
	(void)frame;
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		char c = (char)inb(COM1 + UART_DATA);
		if (rx_hook) {
			rx_hook(c);
			continue;
		}
		if (rx_head - rx_tail >= RX_BUFFER_SIZE) {
			rx_dropped++;
			continue;
		}
		rx_buffer[rx_head & (RX_BUFFER_SIZE - 1)] = c;
		rx_head++;
	}
}

void serial_enable_rx_interrupt(void)
{
	irq_register(COM1_IRQ, serial_interrupt);
	outb(COM1 + UART_IER, IER_RX_AVAILABLE);
	pic_unmask(COM1_IRQ);
}

int serial_getc(void)
{
	uint64_t flags = irq_save();
	int c = -1;

	if (rx_tail != rx_head) {
		c = (unsigned char)rx_buffer[rx_tail & (RX_BUFFER_SIZE - 1)];
		rx_tail++;
	}
	irq_restore(flags);
	return c;
}

void serial_set_rx_hook(void (*hook)(char c))
{
	rx_hook = hook;
}
