/* SPDX-License-Identifier: MIT */
/*
 * tty.c - the console terminal: COM1 plus a line discipline.
 *
 * Bytes typed at the serial line arrive in the receive interrupt
 * (tty_receive), which does what a terminal driver does before any
 * program sees them:
 *   - ICRNL: Enter (CR) becomes newline;
 *   - ISIG: ^C sends SIGINT, ^\ SIGQUIT, ^Z SIGTSTP to the foreground
 *     process group, and the pending input is thrown away;
 *   - ICANON: input is edited a line at a time: backspace/DEL erases a
 *     character, ^U the line, ^D ends the line without a newline (at the
 *     start of a line: end of file). Readers get whole lines;
 *   - ECHO: what is typed is written back, so the user sees it.
 * A program may switch these off (raw mode) with TCSETS, as an editor or
 * a shell with its own line editing does.
 *
 * Output (tty_write) turns "\n" into "\r\n" when OPOST|ONLCR ask for it.
 *
 * Job control: the terminal belongs to init's session; TIOCSPGRP names
 * the foreground process group, which ^C signals. A shell gives each
 * pipeline its own group and hands it the terminal while it runs.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"
#include "kernel/errno.h"
#include "kernel/lib/string.h"
#include "kernel/poll.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/tty.h"
#include "kernel/usercopy.h"
#include "kernel/wait.h"

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCSBRK     0x5409
#define TCXONC     0x540a
#define TCFLSH     0x540b
#define TIOCSCTTY  0x540e
#define TIOCGPGRP  0x540f
#define TIOCSPGRP  0x5410
#define TIOCOUTQ   0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541b
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429

/* termios flags (Linux values). */
#define ICRNL   0000400
#define IXON    0002000
#define OPOST   0000001
#define ONLCR   0000004
#define ISIG    0000001
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040
#define ECHOCTL 0001000
#define ECHOKE  0004000
#define IEXTEN  0100000
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSUSP 10
#define NCCS 19

/* The kernel's struct termios, which TCGETS/TCSETS transfer (36 bytes). */
struct termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[NCCS];
};
_Static_assert(sizeof(struct termios) == 36, "Linux's kernel struct termios");

#define LINE_MAX_BYTES 1024
#define READY_SIZE     4096             /* a power of two */
#define EOF_MARK       0x100            /* in `ready`: ^D ended a line */

static struct termios termios = {
	.iflag = ICRNL | IXON,
	.oflag = OPOST | ONLCR,
	.cflag = 0x4bf,                         /* B38400 | CS8 | CREAD | HUPCL */
	.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.cc = { [VINTR] = 3, [VQUIT] = 0x1c, [VERASE] = 0x7f, [VKILL] = 0x15, [VEOF] = 4,
		[VTIME] = 0, [VMIN] = 1, [VSUSP] = 0x1a },
};
static uint16_t window[4] = { 24, 80, 0, 0 };    /* rows, columns */

/* The line being edited, and the input ready for readers (completed lines / raw bytes). */
static char line[LINE_MAX_BYTES];
static unsigned line_length;
static uint16_t ready[READY_SIZE];
static unsigned ready_head, ready_tail;
static struct wait_queue readers = WAIT_QUEUE_INIT(readers);
static int session, foreground;
static struct inode *console;

static void tty_output_byte(char c)
{
	if (c == '\n' && (termios.oflag & OPOST) && (termios.oflag & ONLCR))
		serial_putc('\r');
	serial_putc(c);
}

static void tty_echo(char c)
{
	if (!(termios.lflag & ECHO))
		return;
	if ((termios.lflag & ECHOCTL) && (unsigned char)c < 32 && c != '\n' && c != '\t') {
		tty_output_byte('^');
		tty_output_byte((char)(c + '@'));
		return;
	}
	tty_output_byte(c);
}

static void tty_make_ready(uint16_t value)
{
	if (ready_head - ready_tail < READY_SIZE)
		ready[ready_head++ % READY_SIZE] = value;
}

static int tty_signal_one(struct process *process, void *context)
{
	if (process->pgid == foreground && process->state != PROC_ZOMBIE)
		signal_send(process, *(int *)context, NULL);
	return 0;
}

static void tty_signal(int sig)
{
	line_length = 0;                        /* ISIG flushes pending input */
	ready_tail = ready_head;
	if (foreground)
		proc_for_each(tty_signal_one, &sig);
}

/* The receive interrupt: one byte from the serial line. */
static void tty_receive(char c)
{
	if (c == '\r' && (termios.iflag & ICRNL))
		c = '\n';
	if (termios.lflag & ISIG) {
		int sig = c == termios.cc[VINTR] ? SIGINT : c == termios.cc[VQUIT] ? SIGQUIT
			: c == termios.cc[VSUSP] ? SIGTSTP : 0;
		if (sig) {
			tty_echo(c);            /* "^C"; the shell prints the newline, as on Linux */
			tty_signal(sig);
			goto wake;
		}
	}
	if (!(termios.lflag & ICANON)) {
		tty_make_ready((unsigned char)c);
		tty_echo(c);
		goto wake;
	}
	if (c == termios.cc[VERASE] || c == '\b') {
		if (line_length > 0) {
			line_length--;
			if (termios.lflag & ECHO)
				serial_write("\b \b", 3);
		}
		return;
	}
	if (c == termios.cc[VKILL]) {
		while (line_length > 0) {
			line_length--;
			if (termios.lflag & ECHO)
				serial_write("\b \b", 3);
		}
		return;
	}
	if (c == termios.cc[VEOF]) {
		/* ^D after text hands the text over; ^D on an empty line is end of file. */
		if (line_length == 0)
			tty_make_ready(EOF_MARK);
		for (unsigned i = 0; i < line_length; i++)
			tty_make_ready((unsigned char)line[i]);
		line_length = 0;
		goto wake;
	}
	if (line_length < LINE_MAX_BYTES - 1 || c == '\n')
		line[line_length++] = c;
	tty_echo(c);
	if (c == '\n') {
		for (unsigned i = 0; i < line_length; i++)
			tty_make_ready((unsigned char)line[i]);
		line_length = 0;
	} else {
		return;
	}
wake:
	wait_queue_wake_all(&readers);
	poll_notify();
}

static bool tty_readable(void)
{
	return ready_head != ready_tail;
}

static long tty_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	(void)position;
	if (len == 0)
		return 0;
	if (!(termios.lflag & ICANON) && termios.cc[VMIN] == 0 && !tty_readable())
		return 0;                       /* raw mode, MIN 0: never wait */
	if (!tty_readable() && (file->flags & O_NONBLOCK))
		return -EAGAIN;
	int error = wait_event(&readers, tty_readable());
	if (error)
		return -ERESTARTSYS;

	char chunk[256];
	size_t done = 0;
	uint64_t flags = irq_save();
	while (done < len && done < sizeof(chunk) && tty_readable()) {
		uint16_t value = ready[ready_tail % READY_SIZE];
		if (value == EOF_MARK) {
			if (done == 0)
				ready_tail++;   /* ^D on an empty line: this read returns 0 */
			break;                  /* ^D after text: return the text now, EOF later */
		}
		ready_tail++;
		chunk[done++] = (char)value;
		if (value == '\n' && (termios.lflag & ICANON))
			break;                  /* one line per read */
	}
	irq_restore(flags);
	if (done && io_copy_out(buffer, 0, chunk, done))
		return -EFAULT;
	return (long)done;
}

static long tty_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	char chunk[256];
	size_t done = 0;

	(void)file;
	(void)position;
	while (done < len) {
		size_t size = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		if (io_copy_in(buffer, done, chunk, size))
			return done ? (long)done : -EFAULT;
		uint64_t flags = irq_save();
		for (size_t i = 0; i < size; i++)
			tty_output_byte(chunk[i]);
		irq_restore(flags);
		done += size;
	}
	return (long)done;
}

static int tty_in_group(struct process *process, void *context)
{
	return process->pgid == *(int *)context && process->state != PROC_ZOMBIE &&
	       process->sid == session;
}

static int tty_group_anywhere(struct process *process, void *context)
{
	return process->pgid == *(int *)context && process->state != PROC_ZOMBIE;
}

static bool process_group_exists(int pgrp)
{
	return proc_for_each(tty_in_group, &pgrp) != 0;
}

static long tty_set_termios(uint64_t user, uint64_t request)
{
	struct termios wanted;

	if (copy_from_user(&wanted, user, sizeof(wanted)))
		return -EFAULT;
	uint64_t flags = irq_save();
	if (request == TCSETSF) {
		ready_tail = ready_head;
		line_length = 0;
	}
	termios = wanted;
	irq_restore(flags);
	wait_queue_wake_all(&readers);          /* a mode change may make input readable */
	return 0;
}

static long tty_ioctl(struct file *file, uint64_t request, uint64_t argument)
{
	int32_t value;

	(void)file;
	switch (request) {
	case TCGETS:
		return copy_to_user(argument, &termios, sizeof(termios));
	case TCSETS: case TCSETSW: case TCSETSF:
		return tty_set_termios(argument, request);
	case TIOCGWINSZ:
		return copy_to_user(argument, window, sizeof(window));
	case TIOCSWINSZ:
		return copy_from_user(window, argument, sizeof(window));
	case TIOCGPGRP:
		value = foreground;
		return copy_to_user(argument, &value, sizeof(value));
	case TIOCSPGRP:
		if (copy_from_user(&value, argument, sizeof(value)))
			return -EFAULT;
		if (value < 0)
			return -EINVAL;
		if (current->sid != session)
			return -ENOTTY;
		if (!process_group_exists(value))
			return proc_for_each(tty_group_anywhere, &value) ? -EPERM : -ESRCH;
		foreground = value;
		return 0;
	case TIOCGSID:
		value = session;
		return copy_to_user(argument, &value, sizeof(value));
	case FIONREAD:
	case TIOCOUTQ:
		value = request == FIONREAD ? (int32_t)(ready_head - ready_tail) : 0;
		return copy_to_user(argument, &value, sizeof(value));
	case TCFLSH:
		if (argument == 0 || argument == 2) {
			ready_tail = ready_head;
			line_length = 0;
		}
		return 0;
	case TCSBRK: case TCXONC: case TIOCSCTTY: case TIOCNOTTY:
		return 0;                       /* nothing to drain, no flow control, one terminal */
	default:
		return -ENOTTY;
	}
}

static unsigned tty_poll(struct file *file)
{
	(void)file;
	return POLLOUT | POLLWRNORM | (tty_readable() ? POLLIN | POLLRDNORM : 0);
}

static const struct file_ops tty_ops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};

void tty_init(void)
{
	console = vfs_inode_new(S_IFCHR | 0620, NULL, &tty_ops);
	if (console)
		console->rdev = (5 << 8) | 1;   /* major 5, minor 1: /dev/console */
	serial_set_rx_hook(tty_receive);
}

struct inode *tty_inode(void)
{
	return console;
}

void tty_set_session(int sid, int pgrp)
{
	session = sid;
	foreground = pgrp;
}
