/* SPDX-License-Identifier: MIT */
/*
 * ramfs.c - a file system that lives in kernel memory: the root of
 * Loupe's tree, filled at boot from the cpio archive GRUB loaded.
 *
 * A directory is a singly linked list of (name, inode) entries plus a
 * pointer to its parent; a regular file is one contiguous buffer that
 * grows by doubling (krealloc), so reads and writes are plain memcpy.
 * Simple, and fine for a RAM disk of programs and scratch files.
 *
 * Links and references: each directory entry is one link (nlink). An
 * unlinked file that is still open keeps its data until the last close
 * (vfs_inode_put frees an inode when both counts are zero), as on Linux.
 */
#include "kernel/cpio.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/printk.h"
#include "kernel/ramfs.h"

#define RAMFS_FILE_MAX (64UL << 20)     /* one file may grow to 64 MiB */

struct ramfs_entry {
	struct ramfs_entry *next;
	struct inode *inode;
	size_t name_len;
	char name[];
};

struct ramfs_dir {
	struct ramfs_entry *entries;
	struct inode *parent;           /* counted (but not for the root): a removed parent
					 * stays in memory while a child is someone's cwd */
};

struct ramfs_data {
	uint8_t *bytes;
	size_t capacity;
};

static const struct inode_ops ramfs_dir_ops;
static const struct inode_ops ramfs_file_iops;
static const struct file_ops ramfs_file_ops;
static const struct file_ops ramfs_dir_fops;

static void ramfs_destroy(struct inode *inode)
{
	if (S_ISDIR(inode->mode)) {
		struct ramfs_dir *contents = inode->private;
		if (contents->parent != inode)
			vfs_inode_put(contents->parent);
		kfree(contents);                /* empty: rmdir checked, removed dirs take no entries */
	} else if (inode->private) {
		struct ramfs_data *data = inode->private;
		kfree(data->bytes);
		kfree(data);
	}
}

static struct inode *ramfs_new_inode(uint32_t mode, int *error)
{
	bool dir = S_ISDIR(mode);
	struct inode *inode = vfs_inode_new(mode, dir ? &ramfs_dir_ops : &ramfs_file_iops,
					    dir ? &ramfs_dir_fops : &ramfs_file_ops);
	void *private = dir ? kzalloc(sizeof(struct ramfs_dir)) : kzalloc(sizeof(struct ramfs_data));

	if (!inode || !private) {
		kfree(inode);
		kfree(private);
		*error = -ENOSPC;
		return NULL;
	}
	inode->private = private;
	inode->destroy = ramfs_destroy;
	if (dir)
		((struct ramfs_dir *)private)->parent = inode;  /* ramfs_add_entry links it */
	return inode;
}

static struct ramfs_entry **ramfs_find(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_dir *contents = dir->private;

	for (struct ramfs_entry **link = &contents->entries; *link; link = &(*link)->next)
		if ((*link)->name_len == len && memcmp((*link)->name, name, len) == 0)
			return link;
	return NULL;
}

static int ramfs_add_entry(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	struct ramfs_dir *contents = dir->private;
	struct ramfs_entry *entry = kmalloc(sizeof(*entry) + len + 1);

	if (!entry)
		return -ENOSPC;
	memcpy(entry->name, name, len);
	entry->name[len] = '\0';
	entry->name_len = len;
	entry->inode = inode;
	/* Append, so listings keep creation order (cpio order at boot). */
	struct ramfs_entry **tail = &contents->entries;
	while (*tail)
		tail = &(*tail)->next;
	entry->next = NULL;
	*tail = entry;
	inode->nlink++;
	if (S_ISDIR(inode->mode))
		dir->nlink++;                   /* the child's ".." */
	if (S_ISDIR(inode->mode) && inode->iops == &ramfs_dir_ops) {
		/* (A mounted directory, like /proc, keeps its own idea of its parent.) */
		struct ramfs_dir *child = inode->private;
		if (child->parent != inode && child->parent != dir)
			vfs_inode_put(child->parent);   /* moved away from its old parent */
		if (child->parent != dir)
			vfs_inode_get(dir);
		child->parent = dir;
	}
	dir->mtime = dir->ctime = vfs_now();
	return 0;
}

/* Take the entry out of dir; the inode goes if nothing else holds it. */
static void ramfs_remove_entry(struct inode *dir, struct ramfs_entry **link)
{
	struct ramfs_entry *entry = *link;
	struct inode *inode = entry->inode;

	*link = entry->next;
	kfree(entry);
	inode->nlink -= S_ISDIR(inode->mode) ? 2 : 1;   /* a directory also loses its "." */
	if (S_ISDIR(inode->mode))
		dir->nlink--;
	inode->ctime = dir->mtime = dir->ctime = vfs_now();
	vfs_inode_put(vfs_inode_get(inode));    /* frees it now if nobody has it open */
}

static struct inode *ramfs_lookup(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_entry **link = ramfs_find(dir, name, len);
	return link ? vfs_inode_get((*link)->inode) : NULL;
}

static struct inode *ramfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
				  int *error)
{
	if (dir->nlink == 0) {
		*error = -ENOENT;               /* the directory was removed (someone's cwd) */
		return NULL;
	}
	if (ramfs_find(dir, name, len)) {
		*error = -EEXIST;
		return NULL;
	}
	struct inode *inode = ramfs_new_inode(mode, error);
	if (!inode)
		return NULL;
	if (S_ISDIR(mode))
		inode->nlink = 1;               /* its own "."; the entry adds the second */
	*error = ramfs_add_entry(dir, name, len, inode);
	if (*error) {
		inode->nlink = 0;
		vfs_inode_put(inode);
		return NULL;
	}
	return inode;
}

static int ramfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_entry **link = ramfs_find(dir, name, len);

	if (!link)
		return -ENOENT;
	if (S_ISDIR((*link)->inode->mode))
		return -EISDIR;
	ramfs_remove_entry(dir, link);
	return 0;
}

static int ramfs_rmdir(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_entry **link = ramfs_find(dir, name, len);

	if (!link)
		return -ENOENT;
	struct inode *victim = (*link)->inode;
	if (!S_ISDIR(victim->mode))
		return -ENOTDIR;
	if (victim->iops != &ramfs_dir_ops)
		return -EBUSY;                  /* a mount point: /proc */
	if (((struct ramfs_dir *)victim->private)->entries)
		return -ENOTEMPTY;
	ramfs_remove_entry(dir, link);
	return 0;
}

/* Is dir the same as ancestor, or somewhere below it? (rename must not create a loop) */
static bool ramfs_is_within(struct inode *dir, struct inode *ancestor)
{
	for (;;) {
		if (dir == ancestor)
			return true;
		struct inode *parent = ((struct ramfs_dir *)dir->private)->parent;
		if (parent == dir)
			return false;           /* reached the root */
		dir = parent;
	}
}

static int ramfs_rename(struct inode *old_dir, const char *old_name, size_t old_len,
			struct inode *new_dir, const char *new_name, size_t new_len)
{
	struct ramfs_entry **old_link = ramfs_find(old_dir, old_name, old_len);
	if (!old_link)
		return -ENOENT;
	struct inode *moving = (*old_link)->inode;
	if (new_dir->iops != &ramfs_dir_ops)
		return -EXDEV;
	if (S_ISDIR(moving->mode) && moving->iops != &ramfs_dir_ops)
		return -EBUSY;                  /* a mount point stays where it is */
	if (new_dir->nlink == 0)
		return -ENOENT;
	if (S_ISDIR(moving->mode) && ramfs_is_within(new_dir, moving))
		return -EINVAL;

	struct ramfs_entry **new_link = ramfs_find(new_dir, new_name, new_len);
	if (new_link) {
		struct inode *target = (*new_link)->inode;
		if (target == moving)
			return 0;
		if (S_ISDIR(target->mode) && target->iops != &ramfs_dir_ops)
			return -EBUSY;
		if (S_ISDIR(moving->mode) && !S_ISDIR(target->mode))
			return -ENOTDIR;
		if (!S_ISDIR(moving->mode) && S_ISDIR(target->mode))
			return -EISDIR;
		if (S_ISDIR(target->mode) && ((struct ramfs_dir *)target->private)->entries)
			return -ENOTEMPTY;
	}
	/* Add the new name first: if memory runs out, nothing has changed. */
	vfs_inode_get(moving);
	int error = ramfs_add_entry(new_dir, new_name, new_len, moving);
	if (error) {
		vfs_inode_put(moving);
		return error;
	}
	if (new_link) {
		new_link = ramfs_find(new_dir, new_name, new_len);  /* the old entry comes first */
		ramfs_remove_entry(new_dir, new_link);
	}
	old_link = ramfs_find(old_dir, old_name, old_len);
	if (S_ISDIR(moving->mode)) {
		/* ramfs_add_entry already counted the new parent; undo the old one's side. */
		struct ramfs_entry *entry = *old_link;
		*old_link = entry->next;
		kfree(entry);
		moving->nlink--;
		old_dir->nlink--;               /* ramfs_add_entry moved the parent reference */
	} else {
		ramfs_remove_entry(old_dir, old_link);
	}
	vfs_inode_put(moving);
	return 0;
}

static int ramfs_readdir(struct inode *dir, uint64_t *cursor, dirent_emit_t emit, void *context)
{
	struct ramfs_dir *contents = dir->private;
	uint64_t index = 0;

	if (*cursor == 0) {
		if (emit(context, ".", 1, dir->ino, dir->mode))
			return 0;
		(*cursor)++;
	}
	if (*cursor == 1) {
		if (emit(context, "..", 2, contents->parent->ino, contents->parent->mode))
			return 0;
		(*cursor)++;
	}
	for (struct ramfs_entry *entry = contents->entries; entry; entry = entry->next, index++) {
		if (index + 2 < *cursor)
			continue;
		if (emit(context, entry->name, entry->name_len, entry->inode->ino, entry->inode->mode))
			return 0;
		(*cursor)++;
	}
	return 0;
}

static struct inode *ramfs_parent(struct inode *dir)
{
	return vfs_inode_get(((struct ramfs_dir *)dir->private)->parent);
}

static int ramfs_name_of(struct inode *dir, struct inode *child, char *out, size_t size)
{
	for (struct ramfs_entry *entry = ((struct ramfs_dir *)dir->private)->entries; entry;
	     entry = entry->next) {
		if (entry->inode != child)
			continue;
		if (entry->name_len + 1 > size)
			return -ERANGE;
		memcpy(out, entry->name, entry->name_len + 1);
		return (int)entry->name_len;
	}
	return -ENOENT;
}

/* Make room for `size` bytes, zero-filling what is new. */
static int ramfs_resize(struct inode *inode, uint64_t size)
{
	struct ramfs_data *data = inode->private;

	if (size > RAMFS_FILE_MAX)
		return -EFBIG;
	if (size > data->capacity) {
		size_t capacity = data->capacity ? data->capacity : 64;
		while (capacity < size)
			capacity *= 2;
		uint8_t *bytes = krealloc(data->bytes, capacity);
		if (!bytes)
			return -ENOSPC;
		data->bytes = bytes;
		data->capacity = capacity;
	}
	if (size > inode->size)
		memset(data->bytes + inode->size, 0, size - inode->size);
	if (size == 0) {
		kfree(data->bytes);             /* give memory back: the leak tests count it */
		data->bytes = NULL;
		data->capacity = 0;
	} else if (size < data->capacity / 4 && data->capacity > 4096) {
		uint8_t *bytes = krealloc(data->bytes, size);
		if (bytes) {
			data->bytes = bytes;
			data->capacity = size;
		}
	}
	inode->size = size;
	return 0;
}

static int ramfs_truncate(struct inode *inode, uint64_t size)
{
	int error = ramfs_resize(inode, size);
	if (!error)
		inode->mtime = inode->ctime = vfs_now();
	return error;
}

static long ramfs_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct inode *inode = file->inode;
	struct ramfs_data *data = inode->private;

	if (*position >= inode->size)
		return 0;
	if (len > inode->size - *position)
		len = inode->size - *position;
	if (io_copy_out(buffer, 0, data->bytes + *position, len))
		return -EFAULT;
	*position += len;
	return (long)len;
}

static long ramfs_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct inode *inode = file->inode;

	if (file->flags & O_APPEND)
		*position = inode->size;
	if (len == 0)
		return 0;
	if (*position > RAMFS_FILE_MAX || len > RAMFS_FILE_MAX - *position)
		return -EFBIG;
	uint64_t old_size = inode->size;
	if (*position + len > inode->size) {
		int error = ramfs_resize(inode, *position + len);
		if (error)
			return error;
	}
	struct ramfs_data *data = inode->private;
	if (io_copy_in(buffer, 0, data->bytes + *position, len)) {
		ramfs_resize(inode, old_size);  /* nothing was written */
		return -EFAULT;
	}
	*position += len;
	inode->mtime = inode->ctime = vfs_now();
	return (long)len;
}

static long ramfs_dir_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	(void)file; (void)buffer; (void)len; (void)position;
	return -EISDIR;
}

static const struct inode_ops ramfs_dir_ops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.unlink = ramfs_unlink,
	.rmdir = ramfs_rmdir,
	.rename = ramfs_rename,
	.readdir = ramfs_readdir,
	.parent = ramfs_parent,
	.name_of = ramfs_name_of,
};

static const struct inode_ops ramfs_file_iops = {
	.truncate = ramfs_truncate,
};

static const struct file_ops ramfs_file_ops = {
	.read = ramfs_read,
	.write = ramfs_write,
	.seekable = true,
};

static const struct file_ops ramfs_dir_fops = {
	.read = ramfs_dir_read,
	.write = ramfs_dir_read,
	.seekable = true,
};

void ramfs_init(void)
{
	int error;

	vfs_root = ramfs_new_inode(S_IFDIR | 0755, &error);
	if (!vfs_root)
		return;
	vfs_root->nlink = 2;                    /* "." and the root's own ".." */
}

int ramfs_link(struct inode *dir, const char *name, struct inode *inode)
{
	if (ramfs_find(dir, name, strlen(name)))
		return -EEXIST;
	return ramfs_add_entry(dir, name, strlen(name), inode);
}

/* mkdir -p for the directories leading to path's last component; returns the parent. */
static struct inode *ramfs_make_parents(const char *path, size_t *name_at)
{
	struct inode *dir = vfs_inode_get(vfs_root);
	size_t at = 0, length = strlen(path);

	for (;;) {
		size_t end = at;
		while (end < length && path[end] != '/')
			end++;
		if (end == length) {
			*name_at = at;
			return dir;
		}
		struct inode *next = ramfs_lookup(dir, path + at, end - at);
		int error;
		if (!next)
			next = ramfs_create(dir, path + at, end - at, S_IFDIR | 0755, &error);
		vfs_inode_put(dir);
		if (!next || !S_ISDIR(next->mode)) {
			vfs_inode_put(next);
			return NULL;
		}
		dir = next;
		at = end + 1;
	}
}

int ramfs_populate(const void *archive, size_t size)
{
	struct cpio_entry member;
	size_t offset = 0;
	int files = 0, result;

	while ((result = cpio_next(archive, size, &offset, &member)) == 1) {
		if (member.name_len == 0)
			continue;                       /* the archive's "." */
		size_t name_at;
		struct inode *dir = ramfs_make_parents(member.name, &name_at);
		if (!dir)
			return -ENOSPC;
		const char *name = member.name + name_at;
		uint32_t type = member.mode & S_IFMT;
		struct inode *inode = ramfs_lookup(dir, name, strlen(name));
		int error = 0;
		if (!inode && (type == S_IFDIR || type == S_IFREG))
			inode = ramfs_create(dir, name, strlen(name), member.mode, &error);
		else if (type != S_IFDIR && type != S_IFREG)
			pr_warn("ramfs: skipping %s: only files and directories are supported\n", member.name);
		if (inode && type == S_IFREG) {
			error = ramfs_resize(inode, member.size);
			if (!error)
				memcpy(((struct ramfs_data *)inode->private)->bytes, member.data, member.size);
			files++;
		}
		if (inode) {
			inode->mode = member.mode;
			inode->mtime = inode->ctime = inode->atime = member.mtime;
		}
		vfs_inode_put(inode);
		vfs_inode_put(dir);
		if (error)
			return error;
	}
	return result < 0 ? result : files;
}
