/* SPDX-License-Identifier: MIT */
/*
 * file.c - descriptor tables: the numbers a process uses for its files.
 *
 * fork copies the table (both processes then share every open file:
 * offsets and flags included, as POSIX requires); dup copies a slot;
 * close empties one and drops its reference; execve closes the slots
 * marked close-on-exec. The open files themselves are vfs.c's.
 */
#include "kernel/errno.h"
#include "kernel/file.h"
#include "kernel/heap.h"
#include "kernel/proc.h"

struct fd_table *fd_table_new(void)
{
	return kzalloc(sizeof(struct fd_table));
}

struct fd_table *fd_table_clone(const struct fd_table *table)
{
	struct fd_table *copy = kzalloc(sizeof(*copy));

	if (!copy)
		return NULL;
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (!table->files[fd])
			continue;
		copy->files[fd] = file_get(table->files[fd]);
		copy->cloexec[fd] = table->cloexec[fd];
	}
	return copy;
}

void fd_table_free(struct fd_table *table)
{
	if (!table)
		return;
	for (int fd = 0; fd < FD_MAX; fd++)
		file_put(table->files[fd]);
	kfree(table);
}

void fd_table_exec(struct fd_table *table)
{
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (table->files[fd] && table->cloexec[fd]) {
			file_put(table->files[fd]);
			table->files[fd] = NULL;
			table->cloexec[fd] = false;
		}
	}
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX || !current->fds)
		return NULL;
	return current->fds->files[fd];
}

int fd_install(struct file *file, int min_fd, bool cloexec)
{
	struct fd_table *table = current->fds;

	for (int fd = min_fd < 0 ? 0 : min_fd; fd < FD_MAX; fd++) {
		if (table->files[fd])
			continue;
		table->files[fd] = file;
		table->cloexec[fd] = cloexec;
		return fd;
	}
	file_put(file);
	return -EMFILE;
}

int fd_install_at(struct file *file, int fd, bool cloexec)
{
	struct fd_table *table = current->fds;

	if (fd < 0 || fd >= FD_MAX) {
		file_put(file);
		return -EBADF;
	}
	struct file *old = table->files[fd];
	table->files[fd] = file;
	table->cloexec[fd] = cloexec;
	file_put(old);                  /* after installing: old may be the same file */
	return fd;
}

int fd_close(int fd)
{
	struct file *file = fd_get(fd);

	if (!file)
		return -EBADF;
	current->fds->files[fd] = NULL;
	current->fds->cloexec[fd] = false;
	file_put(file);
	return 0;
}
