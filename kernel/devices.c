/* SPDX-License-Identifier: MIT */
/*
 * devices.c - the character devices under /dev.
 *
 * Each device is an inode whose file_ops do the work: /dev/null swallows
 * writes and reads as empty, /dev/zero reads as zeros, /dev/urandom (and
 * /dev/random) read from kernel/random.c, /dev/console and /dev/tty are
 * the serial terminal (kernel/tty.c). Device numbers are Linux's, so
 * `ls -l /dev` reads the same.
 */
#include "kernel/devices.h"
#include "kernel/lib/string.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/ramfs.h"
#include "kernel/random.h"
#include "kernel/tty.h"
#include "kernel/vfs.h"

static long null_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	(void)file; (void)buffer; (void)len; (void)position;
	return 0;
}

static long sink_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	(void)file; (void)buffer; (void)position;
	return (long)len;
}

static long fill_read(struct io_buffer buffer, size_t len, bool random)
{
	uint8_t chunk[256] = { 0 };
	size_t done = 0;

	while (done < len) {
		size_t size = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		if (random)
			random_fill(chunk, size);
		if (io_copy_out(buffer, done, chunk, size))
			return done ? (long)done : -EFAULT;
		done += size;
	}
	return (long)done;
}

static long zero_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	(void)file; (void)position;
	return fill_read(buffer, len, false);
}

static long random_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	(void)file; (void)position;
	return fill_read(buffer, len, true);
}

static const struct file_ops null_ops = { .read = null_read, .write = sink_write, .seekable = true };
static const struct file_ops zero_ops = { .read = zero_read, .write = sink_write, .seekable = true };
static const struct file_ops random_ops = { .read = random_read, .write = sink_write, .seekable = true };

static const struct device {
	const char *name;
	uint32_t major, minor;
	uint32_t mode;
	const struct file_ops *ops;
} devices[] = {
	{ "null",    1, 3, 0666, &null_ops },
	{ "zero",    1, 5, 0666, &zero_ops },
	{ "random",  1, 8, 0666, &random_ops },
	{ "urandom", 1, 9, 0666, &random_ops },
};

static struct inode *ensure_directory(struct inode *parent, const char *name)
{
	struct inode *dir = parent->iops->lookup(parent, name, strlen(name));
	int error;

	if (!dir)
		dir = parent->iops->create(parent, name, strlen(name), S_IFDIR | 0755, &error);
	return dir;
}

void devices_init(void)
{
	struct inode *dev = ensure_directory(vfs_root, "dev");
	struct inode *tmp = ensure_directory(vfs_root, "tmp");

	if (!dev || !tmp) {
		pr_err("devices: cannot create /dev or /tmp\n");
		return;
	}
	tmp->mode = S_IFDIR | 01777;            /* sticky and world-writable, as usual */
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		struct inode *node = vfs_inode_new(S_IFCHR | devices[i].mode, NULL, devices[i].ops);
		if (!node)
			continue;
		node->rdev = (devices[i].major << 8) | devices[i].minor;
		ramfs_link(dev, devices[i].name, node);
		vfs_inode_put(node);            /* the directory entry keeps it */
	}
	if (tty_inode()) {
		ramfs_link(dev, "console", tty_inode());
		ramfs_link(dev, "tty", tty_inode());
	}
	vfs_inode_put(dev);
	vfs_inode_put(tmp);
}
