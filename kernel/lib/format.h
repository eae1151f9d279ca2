/* SPDX-License-Identifier: MIT */
/*
 * format.h - printf-style formatting into a caller's buffer.
 *
 * The kernel has no libc, so printk, panic and the /proc files format
 * text with these two functions. They follow C's vsnprintf contract and
 * touch no hardware, so the same code is unit tested on the host
 * (tests/unit/test_format.c).
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%; flags '-' and '0'; width as
 * digits or '*'; precision ('.N' or '.*') for %s (maximum characters)
 * and for integers (minimum digits); length modifiers hh h l ll z j t.
 * %s of NULL prints "(null)"; %p prints "0x" and 16 lowercase hex digits.
 * An unknown conversion is copied to the output literally ("%q" stays
 * "%q"), and so is a lone '%' at the end of the format.
 */
#ifndef LOUPE_LIB_FORMAT_H
#define LOUPE_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format into buf, writing at most size bytes including the final NUL.
 * Returns the length the complete output has (not counting the NUL), even
 * when it was cut short, so "result >= size" means truncation. When
 * size > 0 the output is always NUL-terminated; size 0 writes nothing and
 * buf may then be NULL. Returns -EOVERFLOW if the length exceeds INT_MAX.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list args);

__attribute__((format(printf, 3, 4)))
int ksnprintf(char *buf, size_t size, const char *fmt, ...);

#endif
