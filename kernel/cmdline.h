/* SPDX-License-Identifier: MIT */
/*
 * cmdline.h - look up options on the kernel command line.
 *
 * GRUB hands the kernel one string, for example
 *
 *     test=fault-pf loglevel=7 init.cmd="/bin/sh -c 'echo hi'" quiet
 *
 * Grammar (implemented in kernel/cmdline.c):
 *   - tokens are separated by spaces and tabs;
 *   - a token is "key" (a flag, whose value is "") or "key=value";
 *     the key runs up to the first '=' or blank;
 *   - inside a value, double quotes group text that contains blanks;
 *     within quotes, \" is a quote and \\ a backslash, and any other
 *     backslash is kept as is; quotes may appear anywhere in the value
 *     ("a"b"c d" is the value ab c d), as in a shell;
 *   - an unterminated quote runs to the end of the command line;
 *   - when a key appears more than once, the last occurrence wins, so a
 *     boot loader entry can override a default by appending.
 * A NULL command line behaves as an empty one.
 */
#ifndef LOUPE_CMDLINE_H
#define LOUPE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copy the unquoted value of the last occurrence of key into out
 * (NUL-terminated) and return its length; a bare flag yields "" and 0.
 * The key must match a whole key: "test" matches neither "testing=1"
 * nor "xtest=1".
 * Errors: -ENOENT if key is absent; -E2BIG if the value and its NUL do
 * not fit in outsz bytes (out is then "" if outsz > 0); -EINVAL if key is
 * NULL or empty, or out is NULL while outsz > 0.
 */
int cmdline_get(const char *cmdline, const char *key, char *out, size_t outsz);

/* True if key occurs, as a flag or with any value. */
bool cmdline_has(const char *cmdline, const char *key);

/*
 * Parse the value of key as an unsigned 64-bit number, decimal or with a
 * 0x / 0X prefix hexadecimal, into *out (untouched on error).
 * Errors: -ENOENT if absent; -EINVAL for an empty value, a non-digit,
 * trailing junk, a sign, a value above UINT64_MAX, a value longer than
 * 63 characters (even if it is all leading zeros), or a NULL out.
 */
int cmdline_get_u64(const char *cmdline, const char *key, uint64_t *out);

/*
 * Undo GRUB's escaping, in place. GRUB's multiboot2 command puts a
 * backslash before every \ ' and " of the command line it passes on
 * (scripts/mkiso.sh explains the two layers of quoting), so the kernel
 * drops each backslash and keeps the character after it. A trailing lone
 * backslash is dropped. Call once, before any cmdline_get().
 */
void cmdline_unescape_grub(char *cmdline);

#endif
