/* SPDX-License-Identifier: MIT */
/*
 * vfs.h - the virtual file system: inodes, open files, path lookup.
 *
 * Every file-like thing (a RAM file or directory, a device, a pipe end,
 * later the /proc files) is an inode with two tables of operations:
 * inode_ops for the namespace (lookup, create, unlink, ...) and file_ops
 * for I/O on an open file (read, write, ioctl, poll, ...). The system
 * calls (sys_file.c, sys_fs.c) only talk to these tables, so a new kind
 * of file never touches them: ramfs.c, devices.c, tty.c, pipe.c each
 * fill in their own. That is the microkernel shape of DESIGN.md: each
 * module could later move to a user-space server behind the same calls.
 *
 * Lifetimes: an inode is counted by its references (open files, cwds,
 * lookups in progress) and its links (directory entries); it is freed
 * when both reach zero (vfs_inode_put). A struct file (an "open file
 * description") is counted by the descriptors pointing at it, across
 * dup and fork (kernel/file.c).
 */
#ifndef LOUPE_VFS_H
#define LOUPE_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAME_MAX 255
#define PATH_MAX 4096

/* st_mode: the Linux values. */
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)

/* open flags: the Linux values. */
#define O_ACCMODE   0003
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DSYNC     010000
#define O_ASYNC     020000
#define O_DIRECT    040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_NOATIME   01000000
#define O_CLOEXEC   02000000
#define O_SYNC      04010000
#define O_PATH      010000000

/* poll events. */
#define POLLIN   0x001
#define POLLPRI  0x002
#define POLLOUT  0x004
#define POLLERR  0x008
#define POLLHUP  0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

struct inode;
struct file;

/*
 * A buffer on one side of a transfer: user memory of the current process
 * (checked, copied with usercopy) or kernel memory. File systems copy
 * through it so they never care which.
 */
struct io_buffer {
	uint64_t address;
	bool kernel;
};

/* Copy n bytes to/from the buffer at offset; 0 or -EFAULT. */
int io_copy_out(struct io_buffer buffer, size_t offset, const void *source, size_t n);
int io_copy_in(struct io_buffer buffer, size_t offset, void *target, size_t n);

struct file_ops {
	/* Transfer up to len bytes at *position (advance it). Bytes, or -errno. */
	long (*read)(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position);
	long (*write)(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position);
	long (*ioctl)(struct file *file, uint64_t request, uint64_t argument);
	/* Ready events now (POLLIN...). NULL: always ready to read and write. */
	unsigned (*poll)(struct file *file);
	/* The last descriptor of this open file is gone. */
	void (*release)(struct file *file);
	/* The file was opened (device files use it, e.g. pipes count readers). */
	int (*open)(struct file *file);
	bool seekable;
	bool unsigned_offsets;          /* offsets are addresses: all 2^64 values are valid */
};

/* A directory entry as getdents64 wants it. */
typedef int (*dirent_emit_t)(void *context, const char *name, size_t name_len, uint64_t ino,
			     uint32_t mode);

struct inode_ops {
	/* Find name in dir; a new reference, or NULL. */
	struct inode *(*lookup)(struct inode *dir, const char *name, size_t len);
	/* Make a new entry of mode (S_IFREG or S_IFDIR | perms); a new reference or NULL + *error. */
	struct inode *(*create)(struct inode *dir, const char *name, size_t len, uint32_t mode, int *error);
	int (*unlink)(struct inode *dir, const char *name, size_t len);       /* files */
	int (*rmdir)(struct inode *dir, const char *name, size_t len);        /* empty directories */
	int (*rename)(struct inode *old_dir, const char *old_name, size_t old_len,
		      struct inode *new_dir, const char *new_name, size_t new_len);
	/* Emit entries from index *cursor on; stop early when emit returns non-zero. */
	int (*readdir)(struct inode *dir, uint64_t *cursor, dirent_emit_t emit, void *context);
	int (*truncate)(struct inode *inode, uint64_t size);
	/* The directory's parent (for ".." and getcwd), a new reference. */
	struct inode *(*parent)(struct inode *dir);
	/* The name of child in dir, for getcwd: its length, or -ENOENT. */
	int (*name_of)(struct inode *dir, struct inode *child, char *out, size_t size);
};

struct inode {
	uint64_t ino;
	uint32_t mode;                  /* S_IF* | permission bits */
	uint32_t nlink;                 /* directory entries naming it */
	uint32_t refcount;              /* references held in memory */
	uint64_t size;
	uint64_t rdev;                  /* device number for S_IFCHR */
	int64_t atime, mtime, ctime;    /* seconds since the epoch */
	const struct inode_ops *iops;
	const struct file_ops *fops;
	void *private;                  /* the owner's data */
	void (*destroy)(struct inode *inode);  /* free private when the inode goes */
};

struct file {
	uint32_t refcount;              /* descriptors (in any process) pointing here */
	uint32_t flags;                 /* O_ACCMODE | O_APPEND | O_NONBLOCK */
	uint64_t position;
	struct inode *inode;
	const struct file_ops *ops;
	void *private;                  /* per open file, e.g. which end of a pipe */
};

/* A new inode with refcount 1 and the next inode number. */
struct inode *vfs_inode_new(uint32_t mode, const struct inode_ops *iops, const struct file_ops *fops);
struct inode *vfs_inode_get(struct inode *inode);
void vfs_inode_put(struct inode *inode);

/* The root directory (ramfs), referenced forever. */
extern struct inode *vfs_root;

/*
 * Resolve path (absolute, or relative to dir_fd's directory / the cwd)
 * to an inode. With parent_out, resolve all but the last component and
 * return the parent directory plus the last name instead (for create,
 * unlink, rename); the last name may then not exist.
 * Returns 0 and a new reference, or -ENOENT, -ENOTDIR, -ENAMETOOLONG.
 */
int vfs_lookup(struct inode *start, const char *path, struct inode **out);
int vfs_lookup_parent(struct inode *start, const char *path, struct inode **parent,
		      const char **name, size_t *name_len);

/* Open an inode into a new struct file (refcount 1). */
struct file *vfs_open_inode(struct inode *inode, uint32_t flags, int *error);
struct file *file_get(struct file *file);
void file_put(struct file *file);

/* The current time in seconds, for timestamps. */
int64_t vfs_now(void);

#endif
