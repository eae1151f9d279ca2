/* SPDX-License-Identifier: MIT */
/*
 * random.h - random bytes for AT_RANDOM and getrandom (kernel/random.c).
 */
#ifndef LOUPE_RANDOM_H
#define LOUPE_RANDOM_H

#include <stddef.h>

void random_init(void);
void random_fill(void *buffer, size_t length);

#endif
