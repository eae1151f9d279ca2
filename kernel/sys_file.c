/* SPDX-License-Identifier: MIT */
/*
 * sys_file.c - the descriptor system calls: open, close, read, write and
 * their p/v variants, lseek, dup, fcntl, ioctl, pipe.
 *
 * Decoding only: check the descriptor, the flags, the user buffers, the
 * offsets, as Linux does and with Linux's error numbers; then call the
 * open file's operations (vfs.h). No file system is named here.
 */
#include "kernel/errno.h"
#include "kernel/file.h"
#include "kernel/heap.h"
#include "kernel/lib/string.h"
#include "kernel/pipe.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs.h"
#include "kernel/usercopy.h"
#include "kernel/vfs.h"

#define MAX_RW_COUNT 0x7ffff000UL       /* Linux caps one transfer at this */
#define IOV_MAX 1024
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define F_GETPIPE_SZ 1032

struct iovec64 {
	uint64_t base;
	uint64_t length;
};

static bool file_readable(const struct file *file)
{
	return (file->flags & O_ACCMODE) != O_WRONLY;
}

static bool file_writable(const struct file *file)
{
	return (file->flags & O_ACCMODE) != O_RDONLY;
}

/* One transfer at *position (the file's own offset, or a pread/pwrite offset). */
static long file_transfer(struct file *file, uint64_t user_buffer, uint64_t len, uint64_t *position,
			  bool writing)
{
	if (writing ? !file_writable(file) : !file_readable(file))
		return -EBADF;
	if (S_ISDIR(file->inode->mode))
		return -EISDIR;
	if (!user_range_ok(user_buffer, len))
		return -EFAULT;                 /* the whole range, before clamping, as Linux does */
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	struct io_buffer buffer = { user_buffer, false };
	long (*operation)(struct file *, struct io_buffer, size_t, uint64_t *) =
		writing ? file->ops->write : file->ops->read;
	if (!operation)
		return -EINVAL;
	return operation(file, buffer, len, position);
}

long sys_read(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	if (!file)
		return -EBADF;
	return file_transfer(file, syscall_arg(frame, 1), syscall_arg(frame, 2), &file->position, false);
}

long sys_write(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	if (!file)
		return -EBADF;
	return file_transfer(file, syscall_arg(frame, 1), syscall_arg(frame, 2), &file->position, true);
}

static long positioned_transfer(struct trap_frame *frame, bool writing)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));
	int64_t offset = (int64_t)syscall_arg(frame, 3);

	if (!file)
		return -EBADF;
	if (!file->ops || !file->ops->seekable)
		return -ESPIPE;
	if (offset < 0 && !file->ops->unsigned_offsets)
		return -EINVAL;
	/* Linux's pwrite on an O_APPEND file appends anyway (a documented bug); ramfs does the same. */
	uint64_t position = (uint64_t)offset;
	return file_transfer(file, syscall_arg(frame, 1), syscall_arg(frame, 2), &position, writing);
}

long sys_pread64(struct trap_frame *frame)
{
	return positioned_transfer(frame, false);
}

long sys_pwrite64(struct trap_frame *frame)
{
	return positioned_transfer(frame, true);
}

/* position: the file's own offset, or a preadv/pwritev offset. */
static long vector_transfer_at(struct trap_frame *frame, bool writing, uint64_t *position)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));
	uint64_t user_iov = syscall_arg(frame, 1);
	int64_t count = (int64_t)syscall_arg(frame, 2);
	uint64_t total = 0;
	long done = 0;

	if (!file)
		return -EBADF;
	if (!position)
		position = &file->position;
	if (writing ? !file_writable(file) : !file_readable(file))
		return -EBADF;
	if (count < 0 || count > IOV_MAX)
		return -EINVAL;
	if (count == 0)
		return 0;
	struct iovec64 *iov = kmalloc((size_t)count * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	long error = copy_from_user(iov, user_iov, (size_t)count * sizeof(*iov));
	for (int64_t i = 0; !error && i < count; i++) {
		if (iov[i].length > (uint64_t)INT64_MAX - total)
			error = -EINVAL;
		else if (!user_range_ok(iov[i].base, iov[i].length))
			error = -EFAULT;        /* like import_iovec: nothing is transferred */
		total += iov[i].length;
	}
	for (int64_t i = 0; !error && i < count; i++) {
		if (iov[i].length == 0)
			continue;
		long result = file_transfer(file, iov[i].base, iov[i].length, position, writing);
		if (result < 0) {
			if (!done)
				error = result;
			break;
		}
		done += result;
		if ((uint64_t)result < iov[i].length)
			break;                  /* short: the rest would block or is not there */
	}
	kfree(iov);
	return error ? error : done;
}

long sys_readv(struct trap_frame *frame)
{
	return vector_transfer_at(frame, false, NULL);
}

long sys_writev(struct trap_frame *frame)
{
	return vector_transfer_at(frame, true, NULL);
}

/* preadv/pwritev(2): the offset is a whole 64-bit register on x86_64; -1 in the "2" forms means "the file's own". */
static long vector_transfer_positioned(struct trap_frame *frame, bool writing, bool version2)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));
	int64_t offset = (int64_t)syscall_arg(frame, 3);

	if (version2 && syscall_arg(frame, 5) != 0)
		return -EOPNOTSUPP;             /* RWF_* flags: none supported */
	if (!file)
		return -EBADF;
	if (version2 && offset == -1)
		return vector_transfer_at(frame, writing, NULL);
	if (offset < 0)
		return -EINVAL;
	if (!file->ops || !file->ops->seekable)
		return -ESPIPE;
	uint64_t position = (uint64_t)offset;
	return vector_transfer_at(frame, writing, &position);
}

long sys_preadv(struct trap_frame *frame)   { return vector_transfer_positioned(frame, false, false); }
long sys_pwritev(struct trap_frame *frame)  { return vector_transfer_positioned(frame, true, false); }
long sys_preadv2(struct trap_frame *frame)  { return vector_transfer_positioned(frame, false, true); }
long sys_pwritev2(struct trap_frame *frame) { return vector_transfer_positioned(frame, true, true); }

long sys_lseek(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));
	int64_t offset = (int64_t)syscall_arg(frame, 1);
	uint64_t whence = syscall_arg(frame, 2);
	int64_t base;

	if (!file)
		return -EBADF;
	if (!file->ops || !file->ops->seekable)
		return -ESPIPE;
	if (file->ops->unsigned_offsets) {
		/* Offsets are addresses (/proc/<pid>/mem): any 64-bit value, wrapping. */
		if (whence == SEEK_SET)
			file->position = (uint64_t)offset;
		else if (whence == SEEK_CUR)
			file->position += (uint64_t)offset;
		else
			return -EINVAL;
		return (long)file->position;
	}
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)file->position; break;
	case SEEK_END: base = (int64_t)file->inode->size; break;
	default: return -EINVAL;
	}
	if ((offset > 0 && base > INT64_MAX - offset))
		return -EOVERFLOW;
	int64_t target = base + offset;
	if (target < 0)
		return -EINVAL;
	file->position = (uint64_t)target;
	return target;
}

/*
 * openat: find or create, check the type against the flags, truncate if
 * asked, then give the new open file the lowest free descriptor.
 */
long sys_openat(struct trap_frame *frame)
{
	int dir_fd = (int)syscall_arg(frame, 0);
	uint32_t flags = (uint32_t)syscall_arg(frame, 2);
	uint32_t mode = (uint32_t)syscall_arg(frame, 3);
	struct inode *start, *inode = NULL;
	char *path;
	int error = path_from_user(syscall_arg(frame, 1), &path);

	if (error)
		return error;
	if ((flags & O_ACCMODE) == O_ACCMODE) {
		error = -EINVAL;                /* before anything is created */
		goto out_path;
	}
	error = path_start(dir_fd, path, &start);
	if (error)
		goto out_path;
	error = vfs_lookup(start, path, &inode);
	if (error == 0 && (flags & O_CREAT) && (flags & O_EXCL)) {
		error = -EEXIST;
	} else if (error == -ENOENT && (flags & O_CREAT)) {
		struct inode *parent;
		const char *name;
		size_t name_len;
		error = vfs_lookup_parent(start, path, &parent, &name, &name_len);
		if (!error) {
			/* "newfile/" asks for a directory: open never creates one. */
			if (name_len == 0 || !parent->iops->create || path[strlen(path) - 1] == '/')
				error = -EISDIR;
			else
				inode = parent->iops->create(parent, name, name_len,
							     S_IFREG | (mode & 07777 & ~current->umask),
							     &error);
			vfs_inode_put(parent);
		}
	}
	if (error)
		goto out;
	uint32_t access = flags & O_ACCMODE;
	if (S_ISDIR(inode->mode) && (access != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))) {
		error = -EISDIR;
		goto out;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode)) {
		error = -ENOTDIR;
		goto out;
	}
	/* Linux truncates even for O_RDONLY (POSIX leaves it open). */
	if ((flags & O_TRUNC) && S_ISREG(inode->mode) && inode->iops &&
	    inode->iops->truncate) {
		error = inode->iops->truncate(inode, 0);
		if (error)
			goto out;
	}
	struct file *file = vfs_open_inode(inode, flags, &error);
	if (file)
		error = fd_install(file, 0, flags & O_CLOEXEC);
out:
	vfs_inode_put(inode);
	vfs_inode_put(start);
out_path:
	kfree(path);
	return error;
}

long sys_open(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.rdi = (uint64_t)AT_FDCWD;
	shifted.rsi = frame->rdi;
	shifted.rdx = frame->rsi;
	shifted.r10 = frame->rdx;
	return sys_openat(&shifted);
}

long sys_creat(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.rdi = (uint64_t)AT_FDCWD;
	shifted.rsi = frame->rdi;
	shifted.rdx = O_CREAT | O_WRONLY | O_TRUNC;
	shifted.r10 = frame->rsi;
	return sys_openat(&shifted);
}

long sys_close(struct trap_frame *frame)
{
	return fd_close((int)syscall_arg(frame, 0));
}

long sys_dup(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	return file ? fd_install(file_get(file), 0, false) : -EBADF;
}

static long dup_to(int old_fd, int new_fd, uint64_t flags, bool dup3)
{
	struct file *file = fd_get(old_fd);

	if (dup3 && (flags & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	if (!file)
		return -EBADF;
	if (new_fd < 0 || new_fd >= FD_MAX)
		return -EBADF;
	if (old_fd == new_fd)
		return dup3 ? -EINVAL : new_fd;
	return fd_install_at(file_get(file), new_fd, flags & O_CLOEXEC);
}

long sys_dup2(struct trap_frame *frame)
{
	return dup_to((int)syscall_arg(frame, 0), (int)syscall_arg(frame, 1), 0, false);
}

long sys_dup3(struct trap_frame *frame)
{
	return dup_to((int)syscall_arg(frame, 0), (int)syscall_arg(frame, 1), syscall_arg(frame, 2), true);
}

long sys_fcntl(struct trap_frame *frame)
{
	int fd = (int)syscall_arg(frame, 0);
	uint64_t command = syscall_arg(frame, 1), argument = syscall_arg(frame, 2);
	struct file *file = fd_get(fd);

	if (!file)
		return -EBADF;
	switch (command) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int64_t)(int)argument < 0 || (int)argument >= FD_MAX)
			return -EINVAL;
		return fd_install(file_get(file), (int)argument, command == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return current->fds->cloexec[fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		current->fds->cloexec[fd] = argument & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return file->flags;
	case F_SETFL:
		/* Only these two may change after open; the access mode never does. */
		file->flags = (file->flags & ~(uint32_t)(O_APPEND | O_NONBLOCK)) |
			      ((uint32_t)argument & (O_APPEND | O_NONBLOCK));
		return 0;
	case F_GETPIPE_SZ:
		return (file->inode->mode & S_IFMT) == S_IFIFO ? PIPE_SIZE : -EBADF;
	default:
		return -EINVAL;
	}
}

long sys_ioctl(struct trap_frame *frame)
{
	struct file *file = fd_get((int)syscall_arg(frame, 0));

	if (!file)
		return -EBADF;
	if (!file->ops || !file->ops->ioctl)
		return -ENOTTY;
	return file->ops->ioctl(file, syscall_arg(frame, 1), syscall_arg(frame, 2));
}

long sys_pipe2(struct trap_frame *frame)
{
	uint64_t flags = syscall_arg(frame, 1);
	struct file *ends[2];
	int fds[2];

	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!user_range_ok(syscall_arg(frame, 0), sizeof(fds)))
		return -EFAULT;
	int error = pipe_create(ends, (uint32_t)flags);
	if (error)
		return error;
	fds[0] = fd_install(ends[0], 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(ends[1]);
		return fds[0];
	}
	fds[1] = fd_install(ends[1], 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		return fds[1];
	}
	if (copy_to_user(syscall_arg(frame, 0), fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(struct trap_frame *frame)
{
	struct trap_frame shifted = *frame;

	shifted.rsi = 0;
	return sys_pipe2(&shifted);
}
