/* SPDX-License-Identifier: MIT */
/*
 * string.h - the C string and memory functions the kernel uses.
 *
 * The kernel is freestanding, so it brings its own implementations
 * (kernel/lib/string.c) of the standard names with the standard
 * prototypes. Host unit tests define LOUPE_HOST_TEST and get the same
 * names from the host libc instead, so pure kernel modules compile
 * unchanged in both worlds.
 */
#ifndef LOUPE_LIB_STRING_H
#define LOUPE_LIB_STRING_H

#ifdef LOUPE_HOST_TEST
#include <string.h>
#else
#include <stddef.h>

void *memset(void *dest, int byte, size_t count);
void *memcpy(void *restrict dest, const void *restrict src, size_t count);
void *memmove(void *dest, const void *src, size_t count);
int memcmp(const void *left, const void *right, size_t count);
size_t strlen(const char *str);
size_t strnlen(const char *str, size_t maxlen);
int strcmp(const char *left, const char *right);
int strncmp(const char *left, const char *right, size_t count);
char *strchr(const char *str, int ch);
#endif

#endif
