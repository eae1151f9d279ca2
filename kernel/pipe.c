/* SPDX-License-Identifier: MIT */
/*
 * pipe.c - anonymous pipes: a 64 KiB ring buffer between a reading and a
 * writing open file.
 *
 * The rules are POSIX's:
 *   - read blocks while the pipe is empty and a writer exists; with no
 *     writer left, an empty pipe reads as end of file (0);
 *   - write blocks while there is no room; with no reader left it fails
 *     with EPIPE and the writer gets SIGPIPE;
 *   - a write of at most PIPE_BUF bytes is atomic: it waits until all of
 *     it fits, so writers never interleave inside such a write;
 *   - O_NONBLOCK turns every wait into EAGAIN.
 * Readers and writers are counted per open file (a dup or fork shares
 * one), and each end's last close wakes the other side.
 */
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/pipe.h"
#include "kernel/poll.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/wait.h"

struct pipe {
	uint8_t *buffer;
	uint64_t head, tail;            /* bytes ever written / read; head - tail is the fill */
	unsigned readers, writers;      /* open files for each end */
	struct wait_queue readable, writable;
};

static inline uint64_t pipe_fill(const struct pipe *pipe)
{
	return pipe->head - pipe->tail;
}

static void pipe_wake(struct pipe *pipe)
{
	wait_queue_wake_all(&pipe->readable);
	wait_queue_wake_all(&pipe->writable);
	poll_notify();
}

static long pipe_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct pipe *pipe = file->inode->private;

	(void)position;
	if (len == 0)
		return 0;
	if (pipe_fill(pipe) == 0 && pipe->writers && (file->flags & O_NONBLOCK))
		return -EAGAIN;
	if (wait_event(&pipe->readable, pipe_fill(pipe) > 0 || pipe->writers == 0))
		return -ERESTARTSYS;

	size_t done = 0;
	while (done < len && pipe_fill(pipe) > 0) {
		size_t at = pipe->tail % PIPE_SIZE;
		size_t chunk = PIPE_SIZE - at;
		if (chunk > pipe_fill(pipe))
			chunk = pipe_fill(pipe);
		if (chunk > len - done)
			chunk = len - done;
		if (io_copy_out(buffer, done, pipe->buffer + at, chunk))
			return done ? (long)done : -EFAULT;
		pipe->tail += chunk;
		done += chunk;
	}
	pipe_wake(pipe);
	return (long)done;
}

static long pipe_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	struct pipe *pipe = file->inode->private;
	size_t done = 0;

	(void)position;
	while (done < len) {
		if (pipe->readers == 0) {
			signal_send(current, SIGPIPE, NULL);
			return done ? (long)done : -EPIPE;
		}
		/* Atomic writes wait for room for all of it; bigger ones for any room at all. */
		/* (For an atomic write, room for all of it was there before the first piece.) */
		size_t want = len <= PIPE_BUF ? len - done : 1;
		if (PIPE_SIZE - pipe_fill(pipe) < want) {
			if (file->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (wait_event(&pipe->writable,
				       PIPE_SIZE - pipe_fill(pipe) >= want || pipe->readers == 0))
				return done ? (long)done : -ERESTARTSYS;
			continue;
		}
		size_t at = pipe->head % PIPE_SIZE;
		size_t chunk = PIPE_SIZE - at;
		if (chunk > PIPE_SIZE - pipe_fill(pipe))
			chunk = PIPE_SIZE - pipe_fill(pipe);
		if (chunk > len - done)
			chunk = len - done;
		if (io_copy_in(buffer, done, pipe->buffer + at, chunk))
			return done ? (long)done : -EFAULT;
		pipe->head += chunk;
		done += chunk;
		pipe_wake(pipe);
	}
	return (long)done;
}

static unsigned pipe_poll(struct file *file)
{
	struct pipe *pipe = file->inode->private;
	unsigned events = 0;

	if ((file->flags & O_ACCMODE) == O_RDONLY) {
		if (pipe_fill(pipe) > 0)
			events |= POLLIN | POLLRDNORM;
		if (pipe->writers == 0)
			events |= POLLHUP;
	} else {
		if (PIPE_SIZE - pipe_fill(pipe) >= PIPE_BUF)
			events |= POLLOUT | POLLWRNORM;
		if (pipe->readers == 0)
			events |= POLLERR;
	}
	return events;
}

static void pipe_release(struct file *file)
{
	struct pipe *pipe = file->inode->private;

	if ((file->flags & O_ACCMODE) == O_RDONLY)
		pipe->readers--;
	else
		pipe->writers--;
	pipe_wake(pipe);
}

static void pipe_destroy(struct inode *inode)
{
	struct pipe *pipe = inode->private;

	kfree(pipe->buffer);
	kfree(pipe);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.release = pipe_release,
};

int pipe_create(struct file *ends[2], uint32_t flags)
{
	struct pipe *pipe = kzalloc(sizeof(*pipe));
	struct inode *inode = vfs_inode_new(S_IFIFO | 0600, NULL, &pipe_ops);
	int error = -ENFILE;

	if (!pipe || !inode)
		goto fail;
	pipe->buffer = kmalloc(PIPE_SIZE);
	if (!pipe->buffer)
		goto fail;
	wait_queue_init(&pipe->readable);
	wait_queue_init(&pipe->writable);
	inode->private = pipe;
	inode->destroy = pipe_destroy;
	pipe->readers = pipe->writers = 1;
	ends[0] = vfs_open_inode(inode, O_RDONLY | (flags & O_NONBLOCK), &error);
	ends[1] = ends[0] ? vfs_open_inode(inode, O_WRONLY | (flags & O_NONBLOCK), &error) : NULL;
	if (!ends[1]) {
		pipe->writers = 0;
		if (ends[0])
			file_put(ends[0]);
		vfs_inode_put(inode);           /* the last reference: frees the pipe too */
		return error;
	}
	vfs_inode_put(inode);                   /* the two files hold it now */
	return 0;
fail:
	if (pipe)
		kfree(pipe->buffer);
	kfree(pipe);
	kfree(inode);
	return error;
}
