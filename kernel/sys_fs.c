/* SPDX-License-Identifier: MIT */
/*
 * sys_fs.c - the name-space system calls: stat, getdents64, access,
 * mkdir, rmdir, unlink, rename, truncate, chdir, getcwd, umask,
 * and the resource limits that go with descriptors.
 *
 * Each resolves its path(s) with vfs.c, checks what Linux checks, and
 * calls the directory's inode_ops. Errors follow Linux: ENOENT, ENOTDIR,
 * EISDIR, EEXIST, ENOTEMPTY, EBUSY for the root, EINVAL for "." ...
 */
#include "kernel/errno.h"
#include "kernel/file.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs.h"
#include "kernel/usercopy.h"

#define R_OK 4
#define W_OK 2
#define X_OK 1
#define RENAME_NOREPLACE 1
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DIRECTORY_END (1UL << 62)       /* a directory offset past every entry */

/* struct stat on x86_64 Linux. */
struct stat64 {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	int64_t reserved[3];
};
_Static_assert(sizeof(struct stat64) == 144, "Linux's struct stat (x86_64)");

static int path_copy(uint64_t user_path, char **path, bool allow_empty)
{
	*path = kmalloc(PATH_MAX);
	if (!*path)
		return -ENOMEM;
	long length = copy_string_from_user(*path, user_path, PATH_MAX);
	if (length == 0 && !allow_empty)
		length = -ENOENT;
	if (length < 0) {
		kfree(*path);
		*path = NULL;
		return (int)length;
	}
	return 0;
}

int path_from_user(uint64_t user_path, char **path)
{
	return path_copy(user_path, path, false);
}

int path_from_user_maybe_empty(uint64_t user_path, char **path)
{
	return path_copy(user_path, path, true);
}

struct inode *cwd_get(void)
{
	return vfs_inode_get(current->cwd ? current->cwd : vfs_root);
}

int path_start(int dir_fd, const char *path, struct inode **start)
{
	if (path[0] == '/' || dir_fd == AT_FDCWD) {
		*start = cwd_get();
		return 0;
	}
	struct file *file = fd_get(dir_fd);
	if (!file)
		return -EBADF;
	if (!S_ISDIR(file->inode->mode))
		return -ENOTDIR;
	*start = vfs_inode_get(file->inode);
	return 0;
}

/* Resolve (dir_fd, user path) to an inode; AT_EMPTY_PATH allows "" = dir_fd itself. */
static int lookup_at(int dir_fd, uint64_t user_path, int flags, struct inode **out)
{
	char *path;
	struct inode *start;
	int error = (flags & AT_EMPTY_PATH) ? path_from_user_maybe_empty(user_path, &path)
					     : path_from_user(user_path, &path);
	if (error)
		return error;
	if (path[0] == '\0') {
		kfree(path);
		if (dir_fd == AT_FDCWD) {
			*out = cwd_get();
			return 0;
		}
		struct file *file = fd_get(dir_fd);
		if (!file)
			return -EBADF;
		*out = vfs_inode_get(file->inode);
		return 0;
	}
	error = path_start(dir_fd, path, &start);
	if (!error) {
		error = vfs_lookup(start, path, out);
		vfs_inode_put(start);
	}
	kfree(path);
	return error;
}

static int stat_to_user(const struct inode *inode, uint64_t user_buffer)
{
	struct stat64 st;

	memset(&st, 0, sizeof(st));
	st.dev = 1;
	st.ino = inode->ino;
	/* An unlinked file says 0; a pipe, never linked anywhere, says 1 as on Linux. */
	st.nlink = (inode->mode & S_IFMT) == S_IFIFO && inode->nlink == 0 ? 1 : inode->nlink;
	st.mode = inode->mode;
	st.rdev = inode->rdev;
	st.size = (int64_t)inode->size;
	st.blksize = 4096;
	st.blocks = (int64_t)((inode->size + 511) / 512);
	st.atime = inode->atime;
	st.mtime = inode->mtime;
	st.ctime = inode->ctime;
	return copy_to_user(user_buffer, &st, sizeof(st));
}

long sys_newfstatat(struct trap_frame *frame)
{
	int flags = (int)syscall_arg(frame, 3);
	struct inode *inode;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 /* AT_NO_AUTOMOUNT */))
		return -EINVAL;
	int error = lookup_at((int)syscall_arg(frame, 0), syscall_arg(frame, 1), flags, &inode);
	if (error)
		return error;
	error = stat_to_user(inode, syscall_arg(frame, 2));
	vfs_inode_put(inode);
	return error;
}

long sys_stat(struct trap_frame *frame)
{
	struct inode *inode;
	int error = lookup_at(AT_FDCWD, syscall_arg(frame, 0), 0, &inode);

	if (error)
		return error;
	error = stat_to_user(inode, syscall_arg(frame, 1));
	vfs_inode_put(inode);
	return error;
}

long sys_lstat(struct trap_frame *frame)
{
	return sys_stat(frame);                 /* no symbolic links on Loupe yet */
}

long sys_fstat(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	return file ? stat_to_user(file->inode, syscall_arg(frame, 1)) : -EBADF;
}

/* --- getdents64 --- */

struct dirent_context {
	uint8_t *buffer;
	size_t size, used;
	bool full;
};

static uint8_t dirent_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return DT_DIR;
	case S_IFREG: return DT_REG;
	case S_IFCHR: return DT_CHR;
	case S_IFIFO: return DT_FIFO;
	default: return DT_UNKNOWN;
	}
}

static int dirent_emit(void *opaque, const char *name, size_t name_len, uint64_t ino, uint32_t mode)
{
	struct dirent_context *context = opaque;
	size_t record = (19 + name_len + 1 + 7) & ~7UL;     /* header 19 bytes, name, NUL, align 8 */

	if (context->used + record > context->size) {
		context->full = true;
		return 1;
	}
	uint8_t *out = context->buffer + context->used;
	memset(out, 0, record);
	uint64_t offset = context->used + record;   /* opaque to programs; telldir-ish */
	uint16_t length = (uint16_t)record;
	memcpy(out, &ino, 8);
	memcpy(out + 8, &offset, 8);
	memcpy(out + 16, &length, 2);
	out[18] = dirent_type(mode);
	memcpy(out + 19, name, name_len);
	context->used += record;
	return 0;
}

long sys_getdents64(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));
	uint64_t user_buffer = syscall_arg(frame, 1);
	uint64_t size = syscall_arg(frame, 2);

	if (!file)
		return -EBADF;
	if (!S_ISDIR(file->inode->mode) || !file->inode->iops || !file->inode->iops->readdir)
		return -ENOTDIR;
	if (!user_range_ok(user_buffer, size))
		return -EFAULT;
	if (size > 65536)
		size = 65536;
	struct dirent_context context = { kmalloc(size ? size : 1), size, 0, false };
	if (!context.buffer)
		return -ENOMEM;
	uint64_t cursor = file->position;
	int error = cursor == DIRECTORY_END ? 0
		    : file->inode->iops->readdir(file->inode, &cursor, dirent_emit, &context);
	if (!error && context.used == 0 && context.full)
		error = -EINVAL;                /* not even one entry fits */
	if (!error && copy_to_user(user_buffer, context.buffer, context.used))
		error = -EFAULT;                /* the cursor stays: nothing was consumed */
	if (!error)
		/* Read to the end: stay there, even if entries are added, until lseek rewinds. */
		file->position = context.full ? cursor : DIRECTORY_END;
	kfree(context.buffer);
	return error ? error : (long)context.used;
}

/* --- access, chdir, getcwd, umask --- */

long sys_faccessat(struct trap_frame *frame)
{
	uint64_t mode = syscall_arg(frame, 2);
	struct inode *inode;

	if (mode & ~(uint64_t)(R_OK | W_OK | X_OK))
		return -EINVAL;
	int error = lookup_at((int)syscall_arg(frame, 0), syscall_arg(frame, 1), 0, &inode);
	if (error)
		return error;
	/* Everyone is root: read and write are allowed; execute needs an x bit somewhere. */
	if ((mode & X_OK) && !S_ISDIR(inode->mode) && !(inode->mode & 0111))
		error = -EACCES;
	vfs_inode_put(inode);
	return error;
}

long sys_faccessat2(struct trap_frame *frame)
{
	if (syscall_arg(frame, 3) & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return sys_faccessat(frame);
}

long sys_access(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.rdi = (uint64_t)AT_FDCWD;
	shifted.rsi = frame->rdi;
	shifted.rdx = frame->rsi;
	return sys_faccessat(&shifted);
}

static long change_directory(struct inode *inode)
{
	if (!S_ISDIR(inode->mode)) {
		vfs_inode_put(inode);
		return -ENOTDIR;
	}
	vfs_inode_put(current->cwd);
	current->cwd = inode;
	return 0;
}

long sys_chdir(struct trap_frame *frame)
{
	struct inode *inode;
	int error = lookup_at(AT_FDCWD, syscall_arg(frame, 0), 0, &inode);

	return error ? error : change_directory(inode);
}

long sys_fchdir(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	return file ? change_directory(vfs_inode_get(file->inode)) : -EBADF;
}

/* Build the cwd's path from the leaf up: each directory asks its parent for its name. */
long sys_getcwd(struct trap_frame *frame)
{
	uint64_t user_buffer = syscall_arg(frame, 0), size = syscall_arg(frame, 1);
	char *path = kmalloc(PATH_MAX), name[NAME_MAX + 1];
	size_t start = PATH_MAX - 1;
	struct inode *here = cwd_get();
	long error = 0;

	if (!path) {
		vfs_inode_put(here);
		return -ENOMEM;
	}
	path[start] = '\0';
	while (here != vfs_root && !error) {
		struct inode *parent = here->iops->parent(here);
		int length = parent->iops->name_of(parent, here, name, sizeof(name));
		if (length < 0 || (size_t)length + 1 > start) {
			error = length < 0 ? -ENOENT : -ENAMETOOLONG;   /* removed, or too deep */
		} else {
			start -= (size_t)length;
			memcpy(path + start, name, (size_t)length);
			path[--start] = '/';
		}
		vfs_inode_put(here);
		here = parent;
	}
	vfs_inode_put(here);
	if (!error && start == PATH_MAX - 1)
		path[--start] = '/';
	size_t length = PATH_MAX - start;       /* with the NUL */
	if (!error && size < length)
		error = -ERANGE;
	if (!error && copy_to_user(user_buffer, path + start, length))
		error = -EFAULT;
	kfree(path);
	return error ? error : (long)length;
}

long sys_umask(struct trap_frame *frame)
{
	uint32_t old = current->umask;

	current->umask = (uint32_t)syscall_arg(frame, 0) & 0777;
	return old;
}

/* --- mkdir, rmdir, unlink, rename, truncate --- */

/* Resolve the parent of a user path; *path must be freed by the caller. */
static int parent_at(int dir_fd, uint64_t user_path, char **path, struct inode **parent,
		     const char **name, size_t *name_len)
{
	struct inode *start;
	int error = path_from_user(user_path, path);

	if (error)
		return error;
	error = path_start(dir_fd, *path, &start);
	if (!error) {
		error = vfs_lookup_parent(start, *path, parent, name, name_len);
		vfs_inode_put(start);
	}
	if (error) {
		kfree(*path);
		*path = NULL;
	}
	return error;
}

static bool name_is(const char *name, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(name, what, len) == 0;
}

long sys_mkdirat(struct trap_frame *frame)
{
	char *path;
	struct inode *parent;
	const char *name;
	size_t len;
	int error = parent_at((int)syscall_arg(frame, 0), syscall_arg(frame, 1), &path, &parent, &name, &len);

	if (error)
		return error;
	if (len == 0 || name_is(name, len, ".") || name_is(name, len, "..")) {
		error = -EEXIST;
	} else {
		uint32_t mode = S_IFDIR | ((uint32_t)syscall_arg(frame, 2) & 07777 & ~current->umask);
		struct inode *dir = parent->iops->create ? parent->iops->create(parent, name, len, mode, &error)
							 : NULL;
		if (!parent->iops->create)
			error = -EPERM;
		vfs_inode_put(dir);
	}
	vfs_inode_put(parent);
	kfree(path);
	return error;
}

long sys_mkdir(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.rdi = (uint64_t)AT_FDCWD;
	shifted.rsi = frame->rdi;
	shifted.rdx = frame->rsi;
	return sys_mkdirat(&shifted);
}

static long remove_at(int dir_fd, uint64_t user_path, bool directory)
{
	char *path;
	struct inode *parent;
	const char *name;
	size_t len;
	int error = parent_at(dir_fd, user_path, &path, &parent, &name, &len);

	if (error)
		return error;
	if (len == 0)
		error = directory ? -EBUSY : -EISDIR;           /* the root */
	else if (directory && name_is(name, len, "."))
		error = -EINVAL;
	else if (directory && name_is(name, len, ".."))
		error = -ENOTEMPTY;
	else if (!directory && (name_is(name, len, ".") || name_is(name, len, "..")))
		error = -EISDIR;
	else if (!(directory ? parent->iops->rmdir : parent->iops->unlink))
		error = -EPERM;
	else
		error = directory ? parent->iops->rmdir(parent, name, len)
				  : parent->iops->unlink(parent, name, len);
	vfs_inode_put(parent);
	kfree(path);
	return error;
}

long sys_unlinkat(struct trap_frame *frame)
{
	uint64_t flags = syscall_arg(frame, 2);

	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return remove_at((int)syscall_arg(frame, 0), syscall_arg(frame, 1), flags & AT_REMOVEDIR);
}

long sys_unlink(struct trap_frame *frame)
{
	return remove_at(AT_FDCWD, syscall_arg(frame, 0), false);
}

long sys_rmdir(struct trap_frame *frame)
{
	return remove_at(AT_FDCWD, syscall_arg(frame, 0), true);
}

long sys_renameat2(struct trap_frame *frame)
{
	uint64_t flags = syscall_arg(frame, 4);
	char *old_path = NULL, *new_path = NULL;
	struct inode *old_parent = NULL, *new_parent = NULL;
	const char *old_name, *new_name;
	size_t old_len, new_len;

	if (flags & ~(uint64_t)RENAME_NOREPLACE)
		return -EINVAL;
	int error = parent_at((int)syscall_arg(frame, 0), syscall_arg(frame, 1), &old_path, &old_parent,
			      &old_name, &old_len);
	if (!error)
		error = parent_at((int)syscall_arg(frame, 2), syscall_arg(frame, 3), &new_path,
				  &new_parent, &new_name, &new_len);
	if (error)
		goto out;
	if (old_len == 0 || new_len == 0 || name_is(old_name, old_len, ".") ||
	    name_is(old_name, old_len, "..") || name_is(new_name, new_len, ".") ||
	    name_is(new_name, new_len, "..")) {
		error = -EBUSY;                 /* Linux: ".", ".." and "/" are never renamed */
		goto out;
	}
	if (flags & RENAME_NOREPLACE) {
		struct inode *existing = new_parent->iops->lookup(new_parent, new_name, new_len);
		if (existing) {
			vfs_inode_put(existing);
			error = -EEXIST;
			goto out;
		}
	}
	error = old_parent->iops->rename ? old_parent->iops->rename(old_parent, old_name, old_len,
								    new_parent, new_name, new_len)
					 : -EPERM;
out:
	vfs_inode_put(old_parent);
	vfs_inode_put(new_parent);
	kfree(old_path);
	kfree(new_path);
	return error;
}

long sys_renameat(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.r8 = 0;
	return sys_renameat2(&shifted);
}

long sys_rename(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.rdi = (uint64_t)AT_FDCWD;
	shifted.rsi = frame->rdi;
	shifted.rdx = (uint64_t)AT_FDCWD;
	shifted.r10 = frame->rsi;
	shifted.r8 = 0;
	return sys_renameat2(&shifted);
}

static long truncate_inode(struct inode *inode, int64_t length)
{
	if (length < 0)
		return -EINVAL;
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode) || !inode->iops || !inode->iops->truncate)
		return -EINVAL;
	return inode->iops->truncate(inode, (uint64_t)length);
}

long sys_truncate(struct trap_frame *frame)
{
	struct inode *inode;
	int error = lookup_at(AT_FDCWD, syscall_arg(frame, 0), 0, &inode);

	if (error)
		return error;
	error = (int)truncate_inode(inode, (int64_t)syscall_arg(frame, 1));
	vfs_inode_put(inode);
	return error;
}

long sys_ftruncate(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	if (!file)
		return -EBADF;
	if ((file->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;                 /* Linux: not open for writing */
	return truncate_inode(file->inode, (int64_t)syscall_arg(frame, 1));
}

/* chmod: only the permission bits change (setuid and friends included); the type never does. */
static long chmod_inode(struct inode *inode, uint64_t mode)
{
	inode->mode = (inode->mode & S_IFMT) | ((uint32_t)mode & 07777);
	inode->ctime = vfs_now();
	vfs_inode_put(inode);
	return 0;
}

long sys_fchmodat(struct trap_frame *frame)
{
	struct inode *inode;
	int error = lookup_at((int)syscall_arg(frame, 0), syscall_arg(frame, 1), 0, &inode);

	return error ? error : chmod_inode(inode, syscall_arg(frame, 2));
}

long sys_chmod(struct trap_frame *frame)
{
	struct inode *inode;
	int error = lookup_at(AT_FDCWD, syscall_arg(frame, 0), 0, &inode);

	return error ? error : chmod_inode(inode, syscall_arg(frame, 1));
}

long sys_fchmod(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	return file ? chmod_inode(vfs_inode_get(file->inode), syscall_arg(frame, 1)) : -EBADF;
}

long sys_readlink(struct trap_frame *frame)
{
	struct inode *inode = NULL;
	int error = lookup_at(AT_FDCWD, syscall_arg(frame, 0), 0, &inode);

	vfs_inode_put(inode);
	return error ? error : -EINVAL;         /* it exists, and is not a symbolic link */
}

/* --- resource limits (only the file descriptor limit is real) --- */

#define RLIMIT_STACK  3
#define RLIMIT_CORE   4
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0UL)

static void rlimit_of(uint64_t resource, uint64_t limit[2])
{
	limit[0] = limit[1] = RLIM_INFINITY;
	if (resource == RLIMIT_NOFILE)
		limit[0] = limit[1] = FD_MAX;
	else if (resource == RLIMIT_CORE)
		limit[0] = limit[1] = 0;        /* no core dumps */
	else if (resource == RLIMIT_STACK)
		limit[0] = 8UL << 20;
}

long sys_prlimit64(struct trap_frame *frame)
{
	int pid = (int)syscall_arg(frame, 0);
	uint64_t resource = syscall_arg(frame, 1), user_new = syscall_arg(frame, 2);
	uint64_t user_old = syscall_arg(frame, 3), limit[2], wanted[2];

	if (pid != 0 && pid != current->pid && !proc_find(pid))
		return -ESRCH;
	if (resource >= 16)
		return -EINVAL;
	rlimit_of(resource, limit);
	if (user_new) {
		if (copy_from_user(wanted, user_new, sizeof(wanted)))
			return -EFAULT;
		if (wanted[0] > wanted[1])
			return -EINVAL;
		if (wanted[1] > limit[1])
			return -EPERM;
		/* Accepted but not enforced below the kernel's own limits. */
	}
	if (user_old && copy_to_user(user_old, limit, sizeof(limit)))
		return -EFAULT;
	return 0;
}

long sys_getrlimit(struct trap_frame *frame)
{
	uint64_t limit[2];

	if (syscall_arg(frame, 0) >= 16)
		return -EINVAL;
	rlimit_of(syscall_arg(frame, 0), limit);
	return copy_to_user(syscall_arg(frame, 1), limit, sizeof(limit));
}

long sys_setrlimit(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.rdi = 0;
	shifted.rsi = frame->rdi;
	shifted.rdx = frame->rsi;
	shifted.r10 = 0;
	return sys_prlimit64(&shifted);
}
