/* SPDX-License-Identifier: MIT */
/*
 * initrd.c - the cpio archive GRUB loaded as the module named "initrd".
 *
 * The archive stays where GRUB put it (main.c reserved those frames) and
 * is read through the direct map. initrd_init parses it once, so a
 * malformed archive is reported at boot rather than at the first execve.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/cpio.h"
#include "kernel/errno.h"
#include "kernel/initrd.h"
#include "kernel/lib/string.h"
#include "kernel/main.h"
#include "kernel/printk.h"

#define PATH_MAX 4096

static const void *archive;
static size_t archive_size;

void initrd_init(void)
{
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const struct mb2_module *module = &boot_info.modules[i];
		if (strcmp(module->name, "initrd") != 0)
			continue;
		archive = phys_to_virt(module->start);
		archive_size = module->end - module->start;
	}
	if (!archive) {
		pr_warn("initrd: no module named 'initrd': no programs to run\n");
		return;
	}

	struct cpio_entry entry;
	size_t offset = 0, files = 0;
	int result;
	while ((result = cpio_next(archive, archive_size, &offset, &entry)) == 1)
		files++;
	if (result < 0) {
		pr_err("initrd: the archive is malformed after %lu entries; ignoring it\n", files);
		archive = NULL;
		return;
	}
	pr_info("initrd: %lu entries\n", files);
}

int initrd_lookup(const char *path, struct cpio_entry *entry)
{
	if (!archive)
		return -ENOENT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	int error = cpio_find(archive, archive_size, path, entry);
	if (error != -ENOENT)
		return error < 0 ? -ENOENT : 0;

	/*
	 * Linux says ENOTDIR when a directory in the path is really a file.
	 * static: too big for a kernel stack, and safe because kernel code is
	 * never preempted and this function does not sleep.
	 */
	static char prefix[PATH_MAX];
	size_t length = strlen(path);
	memcpy(prefix, path, length + 1);
	for (size_t i = length; i > 1; i--) {
		if (prefix[i - 1] != '/')
			continue;
		prefix[i - 1] = '\0';
		struct cpio_entry parent;
		if (cpio_find(archive, archive_size, prefix, &parent) == 0)
			return (parent.mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_DIR ? -ENOENT : -ENOTDIR;
	}
	return -ENOENT;
}
