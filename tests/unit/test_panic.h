/* SPDX-License-Identifier: MIT */
/*
 * test_panic.h - a panic() for host unit tests that can be caught.
 *
 * The kernel's panic() halts the machine; the host tests link
 * tests/unit/test_panic.c instead, whose panic() records the message and
 * jumps back into the test that armed it with EXPECT_PANIC. An unexpected
 * panic fails the running cmocka test with the message.
 */
#ifndef LOUPE_TEST_PANIC_H
#define LOUPE_TEST_PANIC_H

#include <setjmp.h>
#include <stdbool.h>
#include <string.h>

#include "kernel/panic.h"

extern jmp_buf test_panic_jump;
extern volatile bool test_panic_armed;
extern char test_panic_message[512];

/*
 * Run statement, which must panic with a message containing substring.
 * Usable only inside a cmocka test function.
 */
#define EXPECT_PANIC(statement, substring)                                   \
	do {                                                                 \
		test_panic_message[0] = '\0';                                \
		test_panic_armed = true;                                     \
		if (setjmp(test_panic_jump) == 0) {                          \
			statement;                                           \
			test_panic_armed = false;                            \
			fail_msg("expected a panic from: %s", #statement);   \
		}                                                            \
		test_panic_armed = false;                                    \
		if (strstr(test_panic_message, (substring)) == NULL)         \
			fail_msg("panic message \"%s\" lacks \"%s\"",        \
				 test_panic_message, (substring));           \
	} while (0)

#endif
