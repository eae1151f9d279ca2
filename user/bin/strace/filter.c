/* SPDX-License-Identifier: MIT */
/*
 * filter.c - which syscalls are traced: -e trace=EXPR.
 *
 * EXPR is a comma-separated list of syscall names and classes (%file,
 * %process, %signal, %memory, %desc; the old spellings without % too),
 * "all" or "none", optionally preceded by ! to trace everything else, as
 * in strace. The result is one 512-bit set.
 *
 * Linux stops the tracee at every syscall and strace drops the lines it
 * does not want (filter_traces). On Loupe the set is also handed to the
 * kernel through the shim's one extension, PTRACE_LOUPE_SETFILTER, so the
 * other calls make no stop at all. strace never depends on that: the
 * user-space test runs on both systems, and where the request does not
 * exist (Linux answers EIO) nothing changes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#if defined(__has_include)
#if __has_include(<loupe/ptrace_ext.h>)
#include <loupe/ptrace_ext.h>
#endif
#endif

#include "strace.h"

static uint64_t traced[STRACE_MAX_SYSCALL / 64];
static bool active;                     /* a -e trace= was given */

static const struct {
	const char *name;
	unsigned classes;
} class_names[] = {
	{ "file", CLASS_FILE }, { "process", CLASS_PROCESS }, { "signal", CLASS_SIGNAL },
	{ "memory", CLASS_MEMORY }, { "desc", CLASS_DESC },
};

static bool add_item(const char *item, uint64_t set[STRACE_MAX_SYSCALL / 64])
{
	const char *class = item[0] == '%' ? item + 1 : item;

	if (strcmp(item, "all") == 0) {
		memset(set, 0xff, sizeof(traced));
		return true;
	}
	if (strcmp(item, "none") == 0)
		return true;
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (strcmp(class, class_names[i].name) == 0) {
			syscall_class_members(class_names[i].classes, set);
			return true;
		}
	bool optional = item[0] == '?';
	int nr = syscall_number_of(optional ? item + 1 : item);
	if (nr < 0)
		return optional;
	set[nr / 64] |= 1ull << (nr % 64);
	return true;
}

/* Parses the value of -e: "trace=open,read", "!write", "%file". */
bool filter_parse(const char *expr)
{
	uint64_t set[STRACE_MAX_SYSCALL / 64] = { 0 };

	if (strncmp(expr, "trace=", 6) == 0)
		expr += 6;
	else if (strncmp(expr, "t=", 2) == 0)
		expr += 2;
	else if (strchr(expr, '='))
		return true;                    /* other -e qualifiers: accepted, ignored */
	bool negate = expr[0] == '!';
	if (negate)
		expr++;
	char *copy = strdup(expr);
	if (!copy)
		return false;
	for (char *item = strtok(copy, ","); item; item = strtok(NULL, ",")) {
		if (!add_item(item, set)) {
			fprintf(stderr, "%s: invalid system call '%s'\n", program_name, item);
			free(copy);
			return false;
		}
	}
	free(copy);
	for (size_t i = 0; i < STRACE_MAX_SYSCALL / 64; i++)
		traced[i] = negate ? ~set[i] : set[i];
	active = true;
	return true;
}

bool filter_active(void)
{
	return active;
}

bool filter_traces(long nr)
{
	if (!active)
		return true;
	if (nr < 0 || nr >= STRACE_MAX_SYSCALL)
		return false;
	return (traced[nr / 64] >> (nr % 64)) & 1;
}

/*
 * At a tracee's first stop: ask the kernel to stop only at traced calls.
 * Errors are ignored; the user-space test stays in force either way.
 */
void filter_program_kernel(pid_t pid)
{
#ifdef PTRACE_LOUPE_SETFILTER
	if (active) {
		int saved = errno;
		ptrace(PTRACE_LOUPE_SETFILTER, pid, NULL, traced);
		errno = saved;
	}
#else
	(void)pid;
#endif
}
