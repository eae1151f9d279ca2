/* SPDX-License-Identifier: MIT */
/*
 * mkdir - make directories.
 *
 *   mkdir [-p] directory...
 *
 * -p makes the missing parents too and is quiet about directories that
 * already exist. Errors are reported as GNU mkdir does ("mkdir: cannot
 * create directory 'a': File exists") and make the exit status 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_directory(const char *path)
{
	struct stat info;
	return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* mkdir -p: create each prefix of path in turn ("a", "a/b", "a/b/c"). */
static int make_with_parents(char *path)
{
	for (char *slash = path;; slash++) {
		slash = strchr(slash, '/');
		if (slash == path)	/* the root itself: nothing to make */
			continue;
		if (slash)
			*slash = '\0';
		int result = mkdir(path, 0777);
		int error = errno;
		/* An existing prefix is fine; if it is no directory, the next mkdir says ENOTDIR. */
		bool exists = error == EEXIST && (slash || is_directory(path));
		if (result < 0 && !exists) {
			fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", path, strerror(error));
			if (slash)
				*slash = '/';
			return -1;
		}
		if (!slash)
			return 0;
		*slash = '/';
	}
}

int main(int argc, char **argv)
{
	bool parents = false;
	int option, status = 0;

	while ((option = getopt(argc, argv, "p")) != -1) {
		if (option != 'p') {
			fprintf(stderr, "usage: mkdir [-p] directory...\n");
			return 1;
		}
		parents = true;
	}
	if (optind == argc) {
		fprintf(stderr, "mkdir: missing operand\n");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		if (parents) {
			if (make_with_parents(argv[i]) < 0)
				status = 1;
		} else if (mkdir(argv[i], 0777) < 0) {
			fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
