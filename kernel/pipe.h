/* SPDX-License-Identifier: MIT */
/* pipe.h - anonymous pipes (kernel/pipe.c). */
#ifndef LOUPE_PIPE_H
#define LOUPE_PIPE_H

#include "kernel/vfs.h"

#define PIPE_BUF  4096                  /* writes up to this size are atomic (POSIX) */
#define PIPE_SIZE 65536                 /* capacity, as on Linux */

/* Two open files: ends[0] for reading, ends[1] for writing. flags: O_NONBLOCK. */
int pipe_create(struct file *ends[2], uint32_t flags);

#endif
