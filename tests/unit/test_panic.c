/* SPDX-License-Identifier: MIT */
/*
 * test_panic.c - the host tests' panic(): record, then jump back.
 *
 * See test_panic.h. Without an armed EXPECT_PANIC a panic is a test
 * failure: cmocka's fail_msg() ends the current test and the run goes on.
 */
#include "tests/unit/test_panic.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

jmp_buf test_panic_jump;
volatile bool test_panic_armed;
char test_panic_message[512];

void panic(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(test_panic_message, sizeof(test_panic_message), fmt, args);
	va_end(args);

	if (test_panic_armed) {
		test_panic_armed = false;
		longjmp(test_panic_jump, 1);
	}
	fail_msg("unexpected panic: %s", test_panic_message);
	abort();        /* fail_msg does not return; this keeps noreturn honest */
}

void panic_trap(struct trap_frame *frame, unsigned long vector, const char *why)
{
	(void)frame;
	panic("trap %lu: %s", vector, why);
}
