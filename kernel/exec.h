/* SPDX-License-Identifier: MIT */
/*
 * exec.h - replacing a process's program (kernel/exec.c).
 */
#ifndef LOUPE_EXEC_H
#define LOUPE_EXEC_H

#include <stddef.h>

#define EXEC_ARGS_MAX_BYTES (128 * 1024)    /* argv + envp strings, like a small ARG_MAX */
#define EXEC_ARGS_MAX_COUNT 4096

/*
 * The arguments and environment, copied into the kernel before the old
 * image goes away: `strings` holds argc + envc NUL-terminated strings
 * back to back, argv first.
 */
struct exec_args {
	char *strings;
	size_t used;
	int argc, envc;
};

/* Empty args with a buffer; -ENOMEM. */
int exec_args_init(struct exec_args *args);
/* Append one string; -E2BIG past the limits. */
int exec_args_add(struct exec_args *args, const char *string, size_t length);
void exec_args_free(struct exec_args *args);

/*
 * Replace the current process's image with the program at path. On
 * success the old address space is gone and the frame is the new
 * program's first user state; returns 0. On failure the old image is
 * untouched: -ENOENT, -EACCES (not a regular file), -ENOEXEC (not a
 * static x86_64 ELF we can load), -ENOMEM, -E2BIG.
 */
int exec_program(const char *path, const struct exec_args *args);

#endif
