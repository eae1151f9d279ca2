/* SPDX-License-Identifier: MIT */
/* fork.h - copy the current process (kernel/fork.c). */
#ifndef LOUPE_FORK_H
#define LOUPE_FORK_H

/* The child's pid in the parent; -EAGAIN, -ENOMEM. */
long fork_current(void);

#endif
