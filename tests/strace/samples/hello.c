/* SPDX-License-Identifier: MIT */
/*
 * hello - a strace golden sample: output through write(2) only.
 *
 * No stdio, so no buffering and no isatty ioctl whose answer depends on
 * where stdout goes. The strings exercise strace's string printing: a
 * short one, one longer than the default 32-character limit (printed
 * cut, with "..." after the quote) and one with characters strace
 * escapes (\t \n \0 \33 \377 and a quote).
 */
#include <unistd.h>

static const char hello[] = "hello from the strace sample\n";
static const char longer[] = "a line longer than strace's default limit of 32 characters\n";
static const char escapes[] = "tab\there \"quoted\" \0nul \033esc \377 end\n";

int main(void)
{
	write(1, hello, sizeof(hello) - 1);
	write(2, "to stderr\n", 10);
	write(1, longer, sizeof(longer) - 1);
	write(1, escapes, sizeof(escapes) - 1);
	return 0;
}
