/* SPDX-License-Identifier: MIT */
/*
 * string.c - memset, memcpy and friends for the freestanding kernel.
 *
 * Byte loops on purpose: they are short, obviously right, and the
 * compiler turns the hot ones into `rep movsb`/`rep stosb` anyway. The
 * compiler may also call memset/memcpy on its own (struct copies), so
 * these exact names must exist.
 */
#include <stdint.h>

#include "kernel/lib/string.h"

void *memset(void *dest, int byte, size_t count)
{
	unsigned char *out = dest;

	__asm__ volatile("rep stosb" : "+D"(out), "+c"(count) : "a"(byte) : "memory");
	return dest;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t count)
{
	void *out = dest;

	__asm__ volatile("rep movsb" : "+D"(out), "+S"(src), "+c"(count) : : "memory");
	return dest;
}

void *memmove(void *dest, const void *src, size_t count)
{
	unsigned char *out = dest;
	const unsigned char *in = src;

	if (out == in || count == 0)
		return dest;
	if (out < in || out >= in + count)
		return memcpy(dest, src, count);
	while (count--)                 /* overlapping, dest above src: copy backwards */
		out[count] = in[count];
	return dest;
}

int memcmp(const void *left, const void *right, size_t count)
{
	const unsigned char *a = left, *b = right;

	for (size_t i = 0; i < count; i++)
		if (a[i] != b[i])
			return a[i] - b[i];
	return 0;
}

size_t strlen(const char *str)
{
	size_t length = 0;

	while (str[length])
		length++;
	return length;
}

size_t strnlen(const char *str, size_t maxlen)
{
	size_t length = 0;

	while (length < maxlen && str[length])
		length++;
	return length;
}

int strcmp(const char *left, const char *right)
{
	while (*left && *left == *right) {
		left++;
		right++;
	}
	return (unsigned char)*left - (unsigned char)*right;
}

int strncmp(const char *left, const char *right, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (left[i] != right[i] || !left[i])
			return (unsigned char)left[i] - (unsigned char)right[i];
	}
	return 0;
}

char *strchr(const char *str, int ch)
{
	for (;; str++) {
		if (*str == (char)ch)
			return (char *)str;
		if (!*str)
			return NULL;
	}
}
