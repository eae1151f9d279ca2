/* SPDX-License-Identifier: MIT */
/*
 * selftest.h - in-kernel self-tests, chosen with `test=<name>` on the
 * kernel command line (kernel/selftest.c has the list).
 */
#ifndef LOUPE_SELFTEST_H
#define LOUPE_SELFTEST_H

/* Run the named test, report PASS/FAIL on the console and leave QEMU. */
__attribute__((noreturn)) void selftest_run(const char *name);

#endif
