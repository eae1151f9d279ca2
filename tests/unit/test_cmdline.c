/* SPDX-License-Identifier: MIT */
/*
 * test_cmdline.c - host unit tests for kernel/cmdline.c.
 *
 * One test per rule of the grammar in kernel/cmdline.h, each with its
 * _bad twin: missing keys, partial key matches, values that do not fit,
 * numbers that are not numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/cmdline.h"
#include "kernel/errno.h"

static const char *const example =
	"test=fault-pf loglevel=7 init.cmd=\"/bin/sh -c 'echo hi'\" quiet";

/* cmdline_get into a fresh buffer, checking length against the text. */
#define EXPECT_VALUE(cmdline, key, expected)                                  \
	do {                                                                  \
		char value_[128];                                             \
		memset(value_, 'X', sizeof(value_));                          \
		assert_int_equal(cmdline_get((cmdline), (key), value_,        \
					     sizeof(value_)),                 \
				 (int)strlen(expected));                      \
		assert_string_equal(value_, (expected));                      \
	} while (0)

#define EXPECT_ERROR(cmdline, key, error)                                     \
	do {                                                                  \
		char value_[128];                                             \
		assert_int_equal(cmdline_get((cmdline), (key), value_,        \
					     sizeof(value_)), (error));       \
	} while (0)

static void test_example_line(void **state)
{
	(void)state;
	EXPECT_VALUE(example, "test", "fault-pf");
	EXPECT_VALUE(example, "loglevel", "7");
	EXPECT_VALUE(example, "init.cmd", "/bin/sh -c 'echo hi'");
	EXPECT_VALUE(example, "quiet", "");
	assert_true(cmdline_has(example, "quiet"));
	assert_true(cmdline_has(example, "test"));
	assert_false(cmdline_has(example, "verbose"));
}

static void test_missing_and_partial_keys(void **state)
{
	(void)state;
	EXPECT_ERROR(example, "tes", -ENOENT);
	EXPECT_ERROR("testing=1 xtest=2 test_=3", "test", -ENOENT);
	assert_false(cmdline_has("testing=1 xtest=1", "test"));
	EXPECT_ERROR("", "test", -ENOENT);
	EXPECT_ERROR("   \t ", "test", -ENOENT);
	EXPECT_ERROR(NULL, "test", -ENOENT);
	assert_false(cmdline_has(NULL, "test"));
	/* The value part never matches as a key. */
	EXPECT_ERROR("a=test", "test", -ENOENT);
	EXPECT_ERROR("a=\"x test=1\"", "test", -ENOENT);
}

static void test_last_occurrence_wins(void **state)
{
	(void)state;
	EXPECT_VALUE("log=1 log=2 other log=3", "log", "3");
	EXPECT_VALUE("log=1 log", "log", "");
	EXPECT_VALUE("log log=5", "log", "5");
}

static void test_blanks_and_empty_values(void **state)
{
	(void)state;
	EXPECT_VALUE("\t a=1\t\tb=2  ", "b", "2");
	EXPECT_VALUE("a= b=2", "a", "");
	EXPECT_VALUE("a=\"\" b=2", "a", "");
	EXPECT_VALUE("a==b", "a", "=b");        /* only the first '=' splits */
	EXPECT_VALUE("a=1=2", "a", "1=2");
}

static void test_quotes_and_escapes(void **state)
{
	(void)state;
	EXPECT_VALUE("msg=\"say \\\"hi\\\"\"", "msg", "say \"hi\"");
	EXPECT_VALUE("path=\"C:\\\\dir\"", "path", "C:\\dir");
	/* Other backslashes are kept; outside quotes nothing is an escape. */
	EXPECT_VALUE("x=\"a\\nb\"", "x", "a\\nb");
	EXPECT_VALUE("x=a\\\"b", "x", "a\\b");
	/* Quotes may sit anywhere in the value, as in a shell. */
	EXPECT_VALUE("x=ab\"c d\"e f=1", "x", "abc de");
	EXPECT_VALUE("x=ab\"c d\"e f=1", "f", "1");
	EXPECT_VALUE("x=\"a b\" y=\"c d\"", "y", "c d");
}

static void test_unterminated_quote_runs_to_end(void **state)
{
	(void)state;
	EXPECT_VALUE("a=1 cmd=\"run this y=2", "cmd", "run this y=2");
	EXPECT_ERROR("a=1 cmd=\"run this y=2", "y", -ENOENT);
	EXPECT_VALUE("cmd=\"trailing\\", "cmd", "trailing\\");
	EXPECT_VALUE("cmd=\"", "cmd", "");
}

static void test_value_too_big(void **state)
{
	char small[4];

	(void)state;
	assert_int_equal(cmdline_get("k=abc", "k", small, sizeof(small)), 3);
	assert_string_equal(small, "abc");

	memset(small, 'X', sizeof(small));
	assert_int_equal(cmdline_get("k=abcd", "k", small, sizeof(small)), -E2BIG);
	assert_int_equal(small[0], '\0');
	/* Escapes count once: "\"\"\"" decodes to three characters. */
	assert_int_equal(cmdline_get("k=\"\\\"\\\"\\\"\"", "k", small,
				     sizeof(small)), 3);
	assert_string_equal(small, "\"\"\"");

	assert_int_equal(cmdline_get("k=a", "k", NULL, 0), -E2BIG);
	assert_int_equal(cmdline_get("k", "k", small, 1), 0);
	assert_string_equal(small, "");
}

static void test_bad_arguments(void **state)
{
	char value[8];

	(void)state;
	assert_int_equal(cmdline_get("k=1", NULL, value, sizeof(value)), -EINVAL);
	assert_int_equal(cmdline_get("k=1", "", value, sizeof(value)), -EINVAL);
	assert_int_equal(cmdline_get("k=1", "k", NULL, 8), -EINVAL);
	assert_false(cmdline_has("k=1", NULL));
	assert_false(cmdline_has("=1", ""));
}

static void test_u64(void **state)
{
	uint64_t value = 0;

	(void)state;
	assert_int_equal(cmdline_get_u64("n=42", "n", &value), 0);
	assert_int_equal(value, 42);
	assert_int_equal(cmdline_get_u64("n=0", "n", &value), 0);
	assert_int_equal(value, 0);
	assert_int_equal(cmdline_get_u64("n=0x1F", "n", &value), 0);
	assert_int_equal(value, 0x1f);
	assert_int_equal(cmdline_get_u64("n=0XfF", "n", &value), 0);
	assert_int_equal(value, 0xff);
	assert_int_equal(cmdline_get_u64("n=18446744073709551615", "n", &value), 0);
	assert_true(value == UINT64_MAX);
	assert_int_equal(cmdline_get_u64("n=0xffffffffffffffff", "n", &value), 0);
	assert_true(value == UINT64_MAX);
	assert_int_equal(cmdline_get_u64("n=\"123\"", "n", &value), 0);
	assert_int_equal(value, 123);
	assert_int_equal(cmdline_get_u64("n=007", "n", &value), 0);
	assert_int_equal(value, 7);
}

static void test_u64_bad(void **state)
{
	static const char *const bad[] = {
		"n", "n=", "n=x", "n=12a", "n=-1", "n=+1", "n=0x", "n=0xg",
		"n=1.5", "n=\" 1\"", "n=18446744073709551616",
		"n=0x10000000000000000", "n=99999999999999999999999",
		"n=0000000000000000000000000000000000000000000000000000000000000000001",
	};
	uint64_t value = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cmdline_get_u64(bad[i], "n", &value), -EINVAL);
		assert_int_equal(value, 12345);         /* untouched */
	}
	assert_int_equal(cmdline_get_u64("m=1", "n", &value), -ENOENT);
	assert_int_equal(cmdline_get_u64(NULL, "n", &value), -ENOENT);
	assert_int_equal(cmdline_get_u64("n=1", "n", NULL), -EINVAL);
}

/* What GRUB hands us for init.cmd="/bin/sh -c 'echo \\hi'" (see scripts/mkiso.sh). */
static void test_unescape_grub(void **state)
{
	(void)state;
	char line[] = "init.cmd=\\\"/bin/sh -c \\'echo \\\\hi\\'\\\" quiet";
	char value[64];

	cmdline_unescape_grub(line);
	assert_string_equal(line, "init.cmd=\"/bin/sh -c 'echo \\hi'\" quiet");
	assert_int_equal(cmdline_get(line, "init.cmd", value, sizeof(value)), 21);
	assert_string_equal(value, "/bin/sh -c 'echo \\hi'");

	char trailing[] = "a=1 \\";
	cmdline_unescape_grub(trailing);
	assert_string_equal(trailing, "a=1 ");

	char plain[] = "test=boot loglevel=7";
	cmdline_unescape_grub(plain);
	assert_string_equal(plain, "test=boot loglevel=7");
	cmdline_unescape_grub(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_line),
		cmocka_unit_test(test_missing_and_partial_keys),
		cmocka_unit_test(test_last_occurrence_wins),
		cmocka_unit_test(test_blanks_and_empty_values),
		cmocka_unit_test(test_quotes_and_escapes),
		cmocka_unit_test(test_unterminated_quote_runs_to_end),
		cmocka_unit_test(test_value_too_big),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u64_bad),
		cmocka_unit_test(test_unescape_grub),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
