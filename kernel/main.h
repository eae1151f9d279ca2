/* SPDX-License-Identifier: MIT */
/* main.h - what kmain (kernel/main.c) leaves for the rest of the kernel. */
#ifndef LOUPE_MAIN_H
#define LOUPE_MAIN_H

#include <stdint.h>

#include "kernel/multiboot2.h"

/* The parsed multiboot2 information: command line, memory map, modules. */
extern struct boot_info boot_info;

void kmain(uint32_t magic, uint32_t info_phys);

#endif
