/* SPDX-License-Identifier: MIT */
/*
 * vfs.c - path lookup, inode and open-file lifetimes, buffer copies.
 *
 * A path is walked one component at a time from the root ("/...") or a
 * starting directory (the cwd, or an openat directory): "." stays, ".."
 * asks the directory for its parent (the root is its own parent), any
 * other name asks the directory's lookup. Every step holds a reference
 * on the directory it is in, so a concurrent rmdir cannot free it under
 * us (kernel code is not preempted, but lookups may one day sleep).
 */
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include "kernel/time.h"
#include "kernel/usercopy.h"
#include "kernel/vfs.h"

struct inode *vfs_root;
static uint64_t next_ino = 1;

int io_copy_out(struct io_buffer buffer, size_t offset, const void *source, size_t n)
{
	if (buffer.kernel) {
		memcpy((uint8_t *)buffer.address + offset, source, n);
		return 0;
	}
	return copy_to_user(buffer.address + offset, source, n);
}

int io_copy_in(struct io_buffer buffer, size_t offset, void *target, size_t n)
{
	if (buffer.kernel) {
		memcpy(target, (const uint8_t *)buffer.address + offset, n);
		return 0;
	}
	return copy_from_user(target, buffer.address + offset, n);
}

int64_t vfs_now(void)
{
	return (int64_t)(time_realtime_ns() / NSEC_PER_SEC);
}

struct inode *vfs_inode_new(uint32_t mode, const struct inode_ops *iops, const struct file_ops *fops)
{
	struct inode *inode = kzalloc(sizeof(*inode));

	if (!inode)
		return NULL;
	inode->ino = next_ino++;
	inode->mode = mode;
	inode->refcount = 1;
	inode->iops = iops;
	inode->fops = fops;
	inode->atime = inode->mtime = inode->ctime = vfs_now();
	return inode;
}

struct inode *vfs_inode_get(struct inode *inode)
{
	if (inode)
		inode->refcount++;
	return inode;
}

void vfs_inode_put(struct inode *inode)
{
	if (!inode)
		return;
	if (inode->refcount == 0)
		panic("vfs_inode_put: inode %lu has no references", inode->ino);
	if (--inode->refcount == 0 && inode->nlink == 0) {
		if (inode->destroy)
			inode->destroy(inode);
		kfree(inode);
	}
}

/* One step: the child of dir called name[0..len), a new reference; dir is not released. */
static int vfs_step(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 1 && name[0] == '.') {
		*out = vfs_inode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = dir->iops->parent ? dir->iops->parent(dir) : vfs_inode_get(dir);
		return 0;
	}
	*out = dir->iops->lookup ? dir->iops->lookup(dir, name, len) : NULL;
	return *out ? 0 : -ENOENT;
}

/* Walk path[0..length) from start (or the root for "/..."); a new reference in *out. */
static int vfs_walk(struct inode *start, const char *path, size_t length, struct inode **out)
{
	struct inode *here = vfs_inode_get(path[0] == '/' ? vfs_root : start);
	size_t at = 0;

	while (at < length) {
		while (at < length && path[at] == '/')
			at++;
		if (at == length)
			break;
		size_t end = at;
		while (end < length && path[end] != '/')
			end++;
		struct inode *next;
		int error = vfs_step(here, path + at, end - at, &next);
		vfs_inode_put(here);
		if (error)
			return error;
		here = next;
		at = end;
	}
	*out = here;
	return 0;
}

int vfs_lookup(struct inode *start, const char *path, struct inode **out)
{
	size_t length = strlen(path);

	*out = NULL;                    /* callers may put it whatever happens */
	if (length == 0)
		return -ENOENT;
	if (length >= PATH_MAX)
		return -ENAMETOOLONG;
	int error = vfs_walk(start, path, length, out);
	if (error) {
		*out = NULL;
		return error;
	}
	if (path[length - 1] == '/' && !S_ISDIR((*out)->mode)) {
		vfs_inode_put(*out);
		*out = NULL;
		return -ENOTDIR;        /* "file/" names a directory that is not one */
	}
	return 0;
}

int vfs_lookup_parent(struct inode *start, const char *path, struct inode **parent,
		      const char **name, size_t *name_len)
{
	size_t length = strlen(path);

	*parent = NULL;
	if (length == 0)
		return -ENOENT;
	if (length >= PATH_MAX)
		return -ENAMETOOLONG;
	while (length > 1 && path[length - 1] == '/')
		length--;               /* "dir/" creates or removes "dir" */
	size_t slash = length;
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	*name = path + slash;
	*name_len = length - slash;
	if (*name_len > NAME_MAX)
		return -ENAMETOOLONG;
	int error = vfs_walk(start, path, slash, parent);
	if (error) {
		*parent = NULL;
		return error;
	}
	if (!S_ISDIR((*parent)->mode)) {
		vfs_inode_put(*parent);
		*parent = NULL;
		return -ENOTDIR;
	}
	return 0;
}

struct file *vfs_open_inode(struct inode *inode, uint32_t flags, int *error)
{
	struct file *file = kzalloc(sizeof(*file));

	if (!file) {
		*error = -ENOMEM;
		return NULL;
	}
	file->refcount = 1;
	file->flags = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_LARGEFILE);
	file->inode = vfs_inode_get(inode);
	file->ops = inode->fops;
	if (file->ops && file->ops->open) {
		*error = file->ops->open(file);
		if (*error) {
			vfs_inode_put(inode);
			kfree(file);
			return NULL;
		}
	}
	return file;
}

struct file *file_get(struct file *file)
{
	file->refcount++;
	return file;
}

void file_put(struct file *file)
{
	if (!file)
		return;
	if (file->refcount == 0)
		panic("file_put: open file with no references");
	if (--file->refcount)
		return;
	if (file->ops && file->ops->release)
		file->ops->release(file);
	vfs_inode_put(file->inode);
	kfree(file);
}
