/* SPDX-License-Identifier: MIT */
/*
 * rm - remove files, and with -r whole directory trees.
 *
 *   rm [-r|-R] [-f] file...
 *
 * Without -r a directory is refused ("Is a directory"). -r removes a
 * directory's entries depth first (readdir, unlink, rmdir); a symlink is
 * removed itself, never followed. -f is quiet about files that do not
 * exist and makes a missing operand no error. Like GNU rm, "." and ".."
 * are refused. Exit status 1 if anything could not be removed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool recursive, force;

static int report(const char *path, int error)
{
	if (force && error == ENOENT)
		return 0;
	fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(error));
	return -1;
}

static int remove_path(const char *path);

/* Removes everything inside directory path, then path itself. */
static int remove_tree(const char *path)
{
	DIR *directory = opendir(path);
	int result = 0;

	if (!directory)
		return report(path, errno);
	for (struct dirent *item; (item = readdir(directory));) {
		if (strcmp(item->d_name, ".") == 0 || strcmp(item->d_name, "..") == 0)
			continue;
		char *child = malloc(strlen(path) + strlen(item->d_name) + 2);
		if (!child) {
			closedir(directory);
			return report(path, ENOMEM);
		}
		sprintf(child, "%s/%s", path, item->d_name);
		if (remove_path(child) < 0)
			result = -1;
		free(child);
	}
	closedir(directory);
	if (rmdir(path) < 0)
		return report(path, errno);
	return result;
}

static int remove_path(const char *path)
{
	struct stat info;

	if (lstat(path, &info) < 0)
		return report(path, errno);
	if (!S_ISDIR(info.st_mode))
		return unlink(path) < 0 ? report(path, errno) : 0;
	if (!recursive)
		return report(path, EISDIR);
	return remove_tree(path);
}

/* True for ".", "..", "dir/." and "dir/..": GNU rm refuses those. */
static bool is_dot_or_dot_dot(const char *path)
{
	const char *last = strrchr(path, '/');
	last = last ? last + 1 : path;
	return strcmp(last, ".") == 0 || strcmp(last, "..") == 0;
}

int main(int argc, char **argv)
{
	int option, status = 0;

	while ((option = getopt(argc, argv, "rRf")) != -1) {
		if (option == 'f')
			force = true;
		else if (option == 'r' || option == 'R')
			recursive = true;
		else {
			fprintf(stderr, "usage: rm [-r] [-f] file...\n");
			return 1;
		}
	}
	if (optind == argc && !force) {
		fprintf(stderr, "rm: missing operand\n");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		if (is_dot_or_dot_dot(argv[i])) {
			fprintf(stderr, "rm: refusing to remove '.' or '..' directory: skipping '%s'\n",
				argv[i]);
			status = 1;
		} else if (remove_path(argv[i]) < 0) {
			status = 1;
		}
	}
	return status;
}
