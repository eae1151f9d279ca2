/* SPDX-License-Identifier: MIT */
/*
 * initrd.c - the cpio archive GRUB loaded as the module named "initrd".
 *
 * Its files are copied into the RAM file system (kernel/ramfs.c), which
 * is then the root: writable, so the archive itself is only read once.
 * Its frames stay reserved (main.c) since nothing else knows them.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/initrd.h"
#include "kernel/lib/string.h"
#include "kernel/main.h"
#include "kernel/printk.h"
#include "kernel/ramfs.h"

void initrd_load(void)
{
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const struct mb2_module *module = &boot_info.modules[i];
		if (strcmp(module->name, "initrd") != 0)
			continue;
		int files = ramfs_populate(phys_to_virt(module->start), module->end - module->start);
		if (files < 0)
			pr_err("initrd: the archive is malformed or too big (error %d); the tree may be incomplete\n",
			       files);
		else
			pr_info("initrd: %d files\n", files);
		return;
	}
	pr_warn("initrd: no module named 'initrd': no programs to run\n");
}
