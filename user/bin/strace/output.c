/* SPDX-License-Identifier: MIT */
/*
 * output.c - the output line discipline, as strace keeps it.
 *
 * Every trace line belongs to one tracee. A syscall's line is opened at
 * the entry stop ("read(3, ") and closed at the exit stop ("...) = 5"),
 * so that a call that blocks shows up while it blocks. With -f another
 * tracee may need the output in between: the open line is then closed
 * with " <unfinished ...>" and its owner later starts a new line with
 * "<... read resumed>" (decode.c). Results are aligned at column 40.
 *
 * Prefixes: with -f, "[pid %5u] " once more than one tracee exists; with
 * -f and -o FILE, "%-5d " on every line. -tt adds "HH:MM:SS.uuuuuu ".
 *
 * This file owns the column count and the open line; it does not know
 * what a syscall is.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "strace.h"

#define RESULT_COLUMN 40

static int column;                      /* characters on the current line */
static const struct tracee *line_owner; /* whose line is open, or NULL */
static bool multi_prefix;               /* "[pid N] " prefixes */
bool opt_pid_prefix_always;             /* main.c: -f -o FILE */

void out_puts(const char *s)
{
	fputs(s, opt.out);
	const char *newline = strrchr(s, '\n');
	column = newline ? (int)strlen(newline + 1) : column + (int)strlen(s);
}

void out_printf(const char *fmt, ...)
{
	char small[512];
	va_list ap;

	va_start(ap, fmt);
	int len = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (len < (int)sizeof(small)) {
		out_puts(small);
		return;
	}
	char *big = malloc((size_t)len + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)len + 1, fmt, ap);
	va_end(ap);
	out_puts(big);
	free(big);
}

void out_set_multi(bool multi)
{
	multi_prefix = multi;
}

bool out_line_open_for(const struct tracee *t)
{
	return line_owner == t;
}

/* Closes whatever line is open as " <unfinished ...>". */
void out_interrupt_open_line(void)
{
	if (!line_owner)
		return;
	out_puts(" <unfinished ...>\n");
	((struct tracee *)line_owner)->unfinished = true;
	line_owner = NULL;
}

static void print_timestamp(void)
{
	struct timeval now;
	struct tm tm;

	gettimeofday(&now, NULL);
	localtime_r(&now.tv_sec, &tm);
	if (opt.timestamps >= 2)
		out_printf("%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
			   (long)now.tv_usec);
	else
		out_printf("%02d:%02d:%02d ", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * Starts a new line for t: closes another tracee's open line first, then
 * prints the pid prefix and the timestamp. t may be NULL (no prefix).
 */
void out_line_start(struct tracee *t)
{
	if (line_owner)
		out_interrupt_open_line();
	if (column != 0)
		out_puts("\n");
	column = 0;
	if (t && opt_pid_prefix_always)
		out_printf("%-5d ", (int)t->pid);
	else if (t && multi_prefix)
		out_printf("[pid %5u] ", (unsigned)t->pid);
	if (opt.timestamps)
		print_timestamp();
	line_owner = t;
}

void out_line_end(void)
{
	out_puts("\n");
	line_owner = NULL;
	out_flush();
}

/* ") = 5": strace pads the result to column 40. */
void out_pad_to_result(void)
{
	if (column < RESULT_COLUMN - 1)
		out_printf("%*s", RESULT_COLUMN - 1 - column, "");
	out_puts(" = ");
}

void out_flush(void)
{
	fflush(opt.out);
}
