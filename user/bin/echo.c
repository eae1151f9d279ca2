/* SPDX-License-Identifier: MIT */
/*
 * echo - write the arguments, separated by spaces, and a newline.
 *
 * Options, as GNU echo: -n (no newline), -e (interpret backslash escapes:
 * \\ \a \b \c \e \f \n \r \t \v \0NNN), -E (do not, the default). Like GNU
 * echo, an argument counts as options only if it is made of those letters
 * alone, so `echo -x` prints "-x".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_option_word(const char *word)
{
	return word[0] == '-' && word[1] != '\0' && strspn(word + 1, "neE") == strlen(word + 1);
}

/* Prints text with its escapes decoded; returns false after \c (stop all output). */
static bool print_escaped(const char *text)
{
	static const char escapes[] = "\\\\a\ab\be\033f\fn\nr\rt\tv\v";

	for (; *text; text++) {
		if (*text != '\\' || text[1] == '\0') {
			putchar(*text);
			continue;
		}
		char letter = *++text;
		const char *found = strchr(escapes, letter);
		if (letter == 'c')
			return false;
		if (letter == '0') {	/* \0NNN: up to three octal digits */
			int value = 0;
			for (int i = 0; i < 3 && text[1] >= '0' && text[1] <= '7'; i++)
				value = value * 8 + (*++text - '0');
			putchar(value);
		} else if (found && (found - escapes) % 2 == 0) {
			putchar(found[1]);
		} else {	/* unknown escape: print it as it is */
			putchar('\\');
			putchar(letter);
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	bool newline = true, escapes = false;
	int first = 1;

	for (; first < argc && is_option_word(argv[first]); first++) {
		for (const char *option = argv[first] + 1; *option; option++) {
			if (*option == 'n')
				newline = false;
			else
				escapes = *option == 'e';
		}
	}
	for (int i = first; i < argc; i++) {
		if (i > first)
			putchar(' ');
		if (!escapes)
			fputs(argv[i], stdout);
		else if (!print_escaped(argv[i]))
			return fflush(stdout) == 0 ? 0 : 1;
	}
	if (newline)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
