/* SPDX-License-Identifier: MIT */
/*
 * wc - count lines, words and bytes.
 *
 *   wc [-l] [-w] [-c] [file...]
 *
 * With no option, all three, in the order lines, words, bytes. No file or
 * "-" reads standard input. Several files get a "total" line. A word is a
 * run of characters between white space. Column widths follow GNU wc: one
 * number alone is printed as is; otherwise every column is as wide as the
 * largest possible count (the digits of the total size of the regular
 * files), and at least 7 when standard input or a pipe is counted, since
 * its size is not known in advance.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct counts {
	unsigned long long lines, words, bytes;
};

static bool show_lines, show_words, show_bytes;

/* Counts fd into counts; returns 0 or an errno. */
static int count_file(int fd, struct counts *counts)
{
	char data[65536];
	bool in_word = false;

	for (;;) {
		ssize_t length = read(fd, data, sizeof(data));
		if (length < 0 && errno == EINTR)
			continue;
		if (length < 0)
			return errno;
		if (length == 0)
			return 0;
		counts->bytes += length;
		for (ssize_t i = 0; i < length; i++) {
			unsigned char ch = data[i];
			if (ch == '\n')
				counts->lines++;
			if (isspace(ch)) {
				in_word = false;
			} else if (!in_word) {
				in_word = true;
				counts->words++;
			}
		}
	}
}

static void print_counts(const struct counts *counts, int width, const char *name)
{
	const char *separator = "";

	if (show_lines)
		printf("%s%*llu", separator, width, counts->lines), separator = " ";
	if (show_words)
		printf("%s%*llu", separator, width, counts->words), separator = " ";
	if (show_bytes)
		printf("%s%*llu", separator, width, counts->bytes);
	printf(name ? " %s\n" : "\n", name);
}

/* GNU wc's column width: digits of the total size of the inputs. */
static int column_width(char **names, int name_count)
{
	unsigned long long total_size = 0;
	int minimum = 1;
	char digits[24];

	for (int i = 0; i < name_count; i++) {
		struct stat info;
		bool from_stdin = strcmp(names[i], "-") == 0;
		if ((from_stdin ? fstat(STDIN_FILENO, &info) : stat(names[i], &info)) < 0)
			continue;
		if (S_ISREG(info.st_mode))
			total_size += info.st_size;
		else
			minimum = 7;	/* a pipe or terminal: size unknown */
	}
	int width = snprintf(digits, sizeof(digits), "%llu", total_size);
	return width > minimum ? width : minimum;
}

int main(int argc, char **argv)
{
	int option, status = 0;

	while ((option = getopt(argc, argv, "lwc")) != -1) {
		switch (option) {
		case 'l': show_lines = true; break;
		case 'w': show_words = true; break;
		case 'c': show_bytes = true; break;
		default:
			fprintf(stderr, "usage: wc [-l] [-w] [-c] [file...]\n");
			return 1;
		}
	}
	if (!show_lines && !show_words && !show_bytes)
		show_lines = show_words = show_bytes = true;

	static char *standard_input[] = { "-" };
	char **names = optind < argc ? argv + optind : standard_input;
	int name_count = optind < argc ? argc - optind : 1;
	bool one_number = show_lines + show_words + show_bytes == 1 && name_count == 1;
	int width = one_number ? 1 : column_width(names, name_count);
	struct counts total = { 0 };

	for (int i = 0; i < name_count; i++) {
		bool from_stdin = strcmp(names[i], "-") == 0;
		int fd = from_stdin ? STDIN_FILENO : open(names[i], O_RDONLY);
		struct counts counts = { 0 };
		int error = fd < 0 ? errno : count_file(fd, &counts);
		if (fd >= 0 && !from_stdin)
			close(fd);
		if (error) {
			fprintf(stderr, "wc: %s: %s\n", names[i], strerror(error));
			status = 1;
			if (fd < 0)
				continue;
		}
		print_counts(&counts, width, optind < argc ? names[i] : NULL);
		total.lines += counts.lines;
		total.words += counts.words;
		total.bytes += counts.bytes;
	}
	if (name_count > 1)
		print_counts(&total, width, "total");
	return status;
}
