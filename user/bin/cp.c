/* SPDX-License-Identifier: MIT */
/*
 * cp - copy files.
 *
 *   cp source destination
 *   cp source... directory
 *
 * The copy gets the source's permission bits (less the umask, as open(2)
 * applies it) and replaces the contents of an existing destination.
 * Directories are not copied (there is no -r): "cp: -r not specified;
 * omitting directory 'd'". Copying a file onto itself is refused, as GNU
 * cp does. Exit status 1 if any copy failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Copies the file source to the path destination; reports and returns -1 on failure. */
static int copy_file(const char *source, const char *destination)
{
	struct stat source_info, destination_info;
	char data[65536];
	int result = -1;

	int input = open(source, O_RDONLY);
	if (input < 0 || fstat(input, &source_info) < 0) {
		fprintf(stderr, "cp: cannot stat '%s': %s\n", source, strerror(errno));
		if (input >= 0)
			close(input);
		return -1;
	}
	if (S_ISDIR(source_info.st_mode)) {
		fprintf(stderr, "cp: -r not specified; omitting directory '%s'\n", source);
		close(input);
		return -1;
	}
	if (stat(destination, &destination_info) == 0 && destination_info.st_dev == source_info.st_dev &&
	    destination_info.st_ino == source_info.st_ino) {
		fprintf(stderr, "cp: '%s' and '%s' are the same file\n", source, destination);
		close(input);
		return -1;
	}
	int output = open(destination, O_WRONLY | O_CREAT | O_TRUNC, source_info.st_mode & 07777);
	if (output < 0) {
		fprintf(stderr, "cp: cannot create regular file '%s': %s\n", destination, strerror(errno));
		close(input);
		return -1;
	}
	for (;;) {
		ssize_t count = read(input, data, sizeof(data));
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0) {
			fprintf(stderr, "cp: error reading '%s': %s\n", source, strerror(errno));
			break;
		}
		if (count == 0) {
			result = 0;
			break;
		}
		if (!write_all(output, data, count)) {
			fprintf(stderr, "cp: error writing '%s': %s\n", destination, strerror(errno));
			break;
		}
	}
	close(input);
	if (close(output) < 0 && result == 0) {
		fprintf(stderr, "cp: error writing '%s': %s\n", destination, strerror(errno));
		result = -1;
	}
	return result;
}

int main(int argc, char **argv)
{
	struct stat info;
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, argc < 2 ? "cp: missing file operand\n"
					 : "cp: missing destination file operand after '%s'\n", argv[1]);
		return 1;
	}
	const char *target = argv[argc - 1];
	bool into_directory = stat(target, &info) == 0 && S_ISDIR(info.st_mode);
	if (argc > 3 && !into_directory) {
		fprintf(stderr, "cp: target '%s' is not a directory\n", target);
		return 1;
	}
	for (int i = 1; i < argc - 1; i++) {
		if (!into_directory) {
			status |= copy_file(argv[i], target) < 0;
			continue;
		}
		/* cp a/b/file dir: the copy is dir/file. basename() may modify its argument. */
		char *source = strdup(argv[i]);
		char *destination = source ? malloc(strlen(target) + strlen(argv[i]) + 2) : NULL;
		if (!destination) {
			fprintf(stderr, "cp: out of memory\n");
			return 1;
		}
		sprintf(destination, "%s/%s", target, basename(source));
		status |= copy_file(argv[i], destination) < 0;
		free(destination);
		free(source);
	}
	return status;
}
