/* SPDX-License-Identifier: MIT */
/*
 * mv - rename files and directories, or move them into a directory.
 *
 *   mv source destination
 *   mv source... directory
 *
 * A move is one rename(2): Loupe has a single filesystem, so there is no
 * copy-and-delete fallback across filesystems (EXDEV is reported). When
 * the destination is an existing directory, the source goes inside it
 * under its own name. Exit status 1 if any move failed.
 */
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int move(const char *source, const char *destination)
{
	struct stat info;

	if (lstat(source, &info) < 0) {
		fprintf(stderr, "mv: cannot stat '%s': %s\n", source, strerror(errno));
		return -1;
	}
	if (rename(source, destination) < 0) {
		fprintf(stderr, "mv: cannot move '%s' to '%s': %s\n", source, destination,
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct stat info;
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, argc < 2 ? "mv: missing file operand\n"
					 : "mv: missing destination file operand after '%s'\n", argv[1]);
		return 1;
	}
	const char *target = argv[argc - 1];
	bool into_directory = stat(target, &info) == 0 && S_ISDIR(info.st_mode);
	if (argc > 3 && !into_directory) {
		fprintf(stderr, "mv: target '%s' is not a directory\n", target);
		return 1;
	}
	for (int i = 1; i < argc - 1; i++) {
		if (!into_directory) {
			status |= move(argv[i], target) < 0;
			continue;
		}
		char *source = strdup(argv[i]);	/* basename() may modify its argument */
		char *destination = source ? malloc(strlen(target) + strlen(argv[i]) + 2) : NULL;
		if (!destination) {
			fprintf(stderr, "mv: out of memory\n");
			return 1;
		}
		sprintf(destination, "%s/%s", target, basename(source));
		status |= move(argv[i], destination) < 0;
		free(destination);
		free(source);
	}
	return status;
}
