/* SPDX-License-Identifier: MIT */
/*
 * ls - list directory contents.
 *
 *   ls [-a] [-l] [-1] [-d] [file...]
 *
 * With no file, lists ".". A directory's entries come from getdents64
 * (through readdir), sorted by name in byte order (as GNU ls in the C
 * locale); names starting with "." only with -a. A file that is not a
 * directory (or any file, with -d) is listed itself. Non-directories come
 * first, then each directory under a "name:" header when there are
 * several. -l adds the mode string, link count, owner, group, size (or
 * "major, minor" for devices), modification time and a symlink's target.
 * Owners and groups are numbers, except 0 which is "root" (Loupe has no
 * /etc/passwd). Output is one name per line unless it is a terminal,
 * where short listings go in columns.
 *
 * Exit status, as GNU ls: 0, 1 if a directory could not be read, 2 if a
 * named file does not exist.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static bool show_all, long_format, one_per_line, list_directories_themselves;
static int exit_status;

struct entry {
	char *name;		/* as shown */
	char *path;		/* to stat and readlink */
	struct stat info;
};

static void *checked_malloc(size_t size)
{
	void *memory = malloc(size);
	if (!memory) {
		fprintf(stderr, "ls: out of memory\n");
		exit(2);
	}
	return memory;
}

static int by_name(const void *left, const void *right)
{
	return strcmp(((const struct entry *)left)->name, ((const struct entry *)right)->name);
}

/* "drwxr-xr-x": the type letter, then rwx for owner, group and others. */
static void mode_string(mode_t mode, char out[11])
{
	const char *types = "?pc?d?b?-?l?s???";	/* indexed by S_IFMT >> 12 */
	out[0] = types[(mode & S_IFMT) >> 12];
	for (int i = 0; i < 9; i++)
		out[1 + i] = mode & (0400 >> i) ? "rwx"[i % 3] : '-';
	if (mode & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

static void owner_name(unsigned id, char out[16])
{
	if (id == 0)
		strcpy(out, "root");
	else
		snprintf(out, 16, "%u", id);
}

/* GNU's choice: recent files show the time, those older than six months the year. */
static void date_string(time_t when, char out[16])
{
	time_t now = time(NULL);
	struct tm parts;
	bool recent = when <= now + 3600 && now - when < 182 * 24 * 3600;

	gmtime_r(&when, &parts);	/* Loupe's clock is UTC and there is no TZ data */
	strftime(out, 16, recent ? "%b %e %H:%M" : "%b %e  %Y", &parts);
}

/* Prints a -l listing with the numeric columns as wide as their widest value. */
static void print_long(struct entry *entries, int count)
{
	int link_width = 1, owner_width = 1, group_width = 1, size_width = 1;
	char text[32];

	for (int i = 0; i < count; i++) {
		struct stat *info = &entries[i].info;
		int width = snprintf(text, sizeof(text), "%lu", (unsigned long)info->st_nlink);
		link_width = width > link_width ? width : link_width;
		owner_name(info->st_uid, text);
		owner_width = (int)strlen(text) > owner_width ? (int)strlen(text) : owner_width;
		owner_name(info->st_gid, text);
		group_width = (int)strlen(text) > group_width ? (int)strlen(text) : group_width;
		if (S_ISCHR(info->st_mode) || S_ISBLK(info->st_mode))
			width = snprintf(text, sizeof(text), "%u, %u", major(info->st_rdev), minor(info->st_rdev));
		else
			width = snprintf(text, sizeof(text), "%lld", (long long)info->st_size);
		size_width = width > size_width ? width : size_width;
	}
	for (int i = 0; i < count; i++) {
		struct stat *info = &entries[i].info;
		char mode[11], owner[16], group[16], date[16], size[32];
		mode_string(info->st_mode, mode);
		owner_name(info->st_uid, owner);
		owner_name(info->st_gid, group);
		date_string(info->st_mtime, date);
		if (S_ISCHR(info->st_mode) || S_ISBLK(info->st_mode))
			snprintf(size, sizeof(size), "%u, %u", major(info->st_rdev), minor(info->st_rdev));
		else
			snprintf(size, sizeof(size), "%lld", (long long)info->st_size);
		printf("%s %*lu %-*s %-*s %*s %s %s", mode, link_width, (unsigned long)info->st_nlink,
		       owner_width, owner, group_width, group, size_width, size, date, entries[i].name);
		if (S_ISLNK(info->st_mode)) {
			char target[4096];
			ssize_t length = readlink(entries[i].path, target, sizeof(target) - 1);
			if (length >= 0)
				printf(" -> %.*s", (int)length, target);
		}
		putchar('\n');
	}
}

/* Names in columns, filled top to bottom, as wide as the terminal. */
static void print_columns(struct entry *entries, int count)
{
	struct winsize window = { 0 };
	int terminal_width = 80, widest = 1;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &window) == 0 && window.ws_col > 0)
		terminal_width = window.ws_col;
	for (int i = 0; i < count; i++)
		if ((int)strlen(entries[i].name) > widest)
			widest = strlen(entries[i].name);
	int column_width = widest + 2;
	int columns = terminal_width / column_width > 0 ? terminal_width / column_width : 1;
	int rows = (count + columns - 1) / columns;
	for (int row = 0; row < rows; row++) {
		for (int column = 0; column < columns; column++) {
			int i = column * rows + row;
			if (i >= count)
				break;
			bool last = i + rows >= count;
			printf("%-*s", last ? 0 : column_width, entries[i].name);
		}
		putchar('\n');
	}
}

static void print_entries(struct entry *entries, int count)
{
	qsort(entries, count, sizeof(*entries), by_name);
	if (long_format)
		print_long(entries, count);
	else if (one_per_line)
		for (int i = 0; i < count; i++)
			printf("%s\n", entries[i].name);
	else
		print_columns(entries, count);
}

/* Lists one directory's entries; returns false if it could not be opened. */
static bool list_directory(const char *path)
{
	DIR *directory = opendir(path);
	struct entry *entries = NULL;
	int count = 0, capacity = 0;
	long long blocks = 0;

	if (!directory) {
		fprintf(stderr, "ls: cannot open directory '%s': %s\n", path, strerror(errno));
		exit_status = exit_status > 1 ? exit_status : 1;
		return false;
	}
	for (struct dirent *item; (item = readdir(directory));) {
		if (item->d_name[0] == '.' && !show_all)
			continue;
		if (count == capacity) {
			capacity = capacity ? capacity * 2 : 64;
			struct entry *grown = realloc(entries, capacity * sizeof(*entries));
			if (!grown) {
				fprintf(stderr, "ls: out of memory\n");
				exit(2);
			}
			entries = grown;
		}
		struct entry *entry = &entries[count];
		entry->name = strdup(item->d_name);
		entry->path = checked_malloc(strlen(path) + strlen(item->d_name) + 2);
		sprintf(entry->path, "%s/%s", path, item->d_name);
		if (long_format && lstat(entry->path, &entry->info) < 0) {
			fprintf(stderr, "ls: cannot access '%s': %s\n", entry->path, strerror(errno));
			exit_status = exit_status > 1 ? exit_status : 1;
			continue;
		}
		if (long_format)
			blocks += entry->info.st_blocks;
		count++;
	}
	closedir(directory);
	if (long_format)
		printf("total %lld\n", blocks / 2);	/* st_blocks counts 512-byte units */
	print_entries(entries, count);
	for (int i = 0; i < count; i++)
		free(entries[i].name), free(entries[i].path);
	free(entries);
	return true;
}

int main(int argc, char **argv)
{
	int option;

	while ((option = getopt(argc, argv, "ald1")) != -1) {
		switch (option) {
		case 'a': show_all = true; break;
		case 'l': long_format = true; break;
		case 'd': list_directories_themselves = true; break;
		case '1': one_per_line = true; break;
		default:
			fprintf(stderr, "usage: ls [-a] [-l] [-1] [-d] [file...]\n");
			return 2;
		}
	}
	if (!isatty(STDOUT_FILENO))
		one_per_line = true;
	static char *here[] = { ".", NULL };
	char **names = optind < argc ? argv + optind : here;
	int name_count = optind < argc ? argc - optind : 1;

	/* Sort the arguments into files, listed together, and directories. */
	struct entry *files = checked_malloc(name_count * sizeof(*files));
	struct entry *directories = checked_malloc(name_count * sizeof(*directories));
	int file_count = 0, directory_count = 0;
	for (int i = 0; i < name_count; i++) {
		struct stat info;
		/* A symlink named here is followed, unless -l or -d show the link itself. */
		bool follow = !long_format && !list_directories_themselves;
		int result = follow ? stat(names[i], &info) : lstat(names[i], &info);
		if (result < 0 && follow)	/* a dangling link: show the link */
			result = lstat(names[i], &info);
		if (result < 0) {
			fprintf(stderr, "ls: cannot access '%s': %s\n", names[i], strerror(errno));
			exit_status = 2;
			continue;
		}
		struct entry entry = { .name = names[i], .path = names[i], .info = info };
		if (S_ISDIR(info.st_mode) && !list_directories_themselves)
			directories[directory_count++] = entry;
		else
			files[file_count++] = entry;
	}
	if (file_count)
		print_entries(files, file_count);
	qsort(directories, directory_count, sizeof(*directories), by_name);
	bool headers = file_count + directory_count > 1 || exit_status != 0;
	for (int i = 0; i < directory_count; i++) {
		if (headers)
			printf("%s%s:\n", file_count || i > 0 ? "\n" : "", directories[i].name);
		list_directory(directories[i].path);
	}
	free(files);
	free(directories);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "ls: write error: %s\n", strerror(errno));
		return 2;
	}
	return exit_status;
}
