/* SPDX-License-Identifier: MIT */
/*
 * cat - copy files (or standard input, for no file or "-") to standard
 * output, in order.
 *
 * A file that cannot be read is reported ("cat: /nope: No such file or
 * directory") and skipped; the exit status is then 1. The copy uses
 * read(2) and write(2) directly, with no stdio buffer in between, so that
 * `cat` typed at the console shows each line as soon as it is entered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Writes all of data, retrying short writes; false on error. */
static bool write_all(int fd, const char *data, size_t length)
{
	while (length > 0) {
		ssize_t written = write(fd, data, length);
		if (written < 0 && errno == EINTR)
			continue;
		if (written < 0)
			return false;
		data += written;
		length -= written;
	}
	return true;
}

/* Copies fd to stdout; returns 0, or the errno of the failure and which side failed. */
static int copy(int fd, bool *write_failed)
{
	char data[65536];

	for (;;) {
		ssize_t count = read(fd, data, sizeof(data));
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0)
			return errno;
		if (count == 0)
			return 0;
		if (!write_all(STDOUT_FILENO, data, count)) {
			*write_failed = true;
			return errno;
		}
	}
}

int main(int argc, char **argv)
{
	static char *standard_input[] = { "-", NULL };
	char **names = argc > 1 ? argv + 1 : standard_input;
	int status = 0;

	for (; *names; names++) {
		const char *name = *names;
		bool from_stdin = strcmp(name, "-") == 0;
		int fd = from_stdin ? STDIN_FILENO : open(name, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
			status = 1;
			continue;
		}
		bool write_failed = false;
		int error = copy(fd, &write_failed);
		if (write_failed) {
			/* A closed pipe already killed us with SIGPIPE; other errors end the copy. */
			fprintf(stderr, "cat: write error: %s\n", strerror(error));
			return 1;
		}
		if (error) {
			fprintf(stderr, "cat: %s: %s\n", name, strerror(error));
			status = 1;
		}
		if (!from_stdin)
			close(fd);
	}
	return status;
}
