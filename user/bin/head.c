/* SPDX-License-Identifier: MIT */
/*
 * head - print the first lines of files.
 *
 *   head [-n N | -N] [file...]
 *
 * Prints the first N lines (default 10) of each file, or of standard
 * input for no file or "-". With several files, each gets a header
 * "==> name <==" and a blank line between, as GNU head. head stops
 * reading as soon as it has its lines, so `yes | head` ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copies the first line_count lines of fd to stdout; returns 0 or an errno. */
static int copy_lines(int fd, long line_count)
{
	char data[4096];

	while (line_count > 0) {
		ssize_t length = read(fd, data, sizeof(data));
		if (length < 0 && errno == EINTR)
			continue;
		if (length < 0)
			return errno;
		if (length == 0)
			break;
		ssize_t end = 0;
		while (end < length && line_count > 0)
			if (data[end++] == '\n')
				line_count--;
		fwrite(data, 1, end, stdout);
	}
	return fflush(stdout) == 0 ? 0 : errno;
}

static bool parse_count(const char *text, long *count)
{
	char *end;
	*count = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || *count < 0) {
		fprintf(stderr, "head: invalid number of lines: '%s'\n", text);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	long line_count = 10;
	int next = 1, status = 0;

	for (; next < argc && argv[next][0] == '-' && argv[next][1] != '\0'; next++) {
		const char *option = argv[next];
		if (strcmp(option, "--") == 0) {
			next++;
			break;
		}
		if (strcmp(option, "-n") == 0 && next + 1 < argc) {
			if (!parse_count(argv[++next], &line_count))
				return 1;
		} else if (strncmp(option, "-n", 2) == 0 && option[2]) {	/* -n5 */
			if (!parse_count(option + 2, &line_count))
				return 1;
		} else if (option[1] >= '0' && option[1] <= '9') {	/* -5, the old way */
			if (!parse_count(option + 1, &line_count))
				return 1;
		} else {
			fprintf(stderr, "head: invalid option '%s'\nusage: head [-n N] [file...]\n", option);
			return 1;
		}
	}
	static char *standard_input[] = { "-" };
	char **names = next < argc ? argv + next : standard_input;
	int name_count = next < argc ? argc - next : 1;

	for (int i = 0; i < name_count; i++) {
		bool from_stdin = strcmp(names[i], "-") == 0;
		int fd = from_stdin ? STDIN_FILENO : open(names[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "head: cannot open '%s' for reading: %s\n", names[i], strerror(errno));
			status = 1;
			continue;
		}
		if (name_count > 1)
			printf("%s==> %s <==\n", i > 0 ? "\n" : "",
			       from_stdin ? "standard input" : names[i]);
		int error = copy_lines(fd, line_count);
		if (error) {
			fprintf(stderr, "head: error reading '%s': %s\n", names[i], strerror(error));
			status = 1;
		}
		if (!from_stdin)
			close(fd);
	}
	return status;
}
