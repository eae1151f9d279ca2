/* SPDX-License-Identifier: MIT */
/*
 * test_format.c - host unit tests for kernel/lib/format.c.
 *
 * Most cases are checked against the exact expected text; the
 * conversions that C defines identically are also compared with the
 * host libc's snprintf over a table of values, so edge cases (widths,
 * zero padding, INT64_MIN, UINT64_MAX) match a real implementation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "kernel/lib/format.h"

/*
 * A wrapper without the printf format attribute, so tests can pass
 * formats the compiler would reject ("%q") on purpose.
 */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int length;

	va_start(args, fmt);
	length = kvsnprintf(buf, size, fmt, args);
	va_end(args);
	return length;
}

#define EXPECT_FORMAT(expected, ...)                                          \
	do {                                                                  \
		char buf_[256];                                               \
		int length_ = ksnprintf(buf_, sizeof(buf_), __VA_ARGS__);     \
		assert_string_equal(buf_, (expected));                        \
		assert_int_equal(length_, (int)strlen(expected));             \
	} while (0)

/* Compare with the host libc for one format and argument. */
#define EXPECT_LIKE_LIBC(fmt, value)                                          \
	do {                                                                  \
		char ours_[128], libc_[128];                                  \
		int ours_length_ = ksnprintf(ours_, sizeof(ours_), fmt, value); \
		int libc_length_ = snprintf(libc_, sizeof(libc_), fmt, value); \
		assert_string_equal(ours_, libc_);                            \
		assert_int_equal(ours_length_, libc_length_);                 \
	} while (0)

static void test_plain_text_and_percent(void **state)
{
	(void)state;
	EXPECT_FORMAT("", "%s", "");
	EXPECT_FORMAT("hello", "hello");
	EXPECT_FORMAT("100%", "100%%");
	EXPECT_FORMAT("%%", "%%%%");
}

static void test_signed(void **state)
{
	(void)state;
	EXPECT_FORMAT("0", "%d", 0);
	EXPECT_FORMAT("-42 42", "%d %i", -42, 42);
	EXPECT_FORMAT("-2147483648", "%d", INT32_MIN);
	EXPECT_FORMAT("2147483647", "%d", INT32_MAX);
	EXPECT_FORMAT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT_FORMAT("9223372036854775807", "%ld", (long)INT64_MAX);
	EXPECT_FORMAT("-1", "%zd", (ptrdiff_t)-1);
	EXPECT_FORMAT("-1 -1", "%hd %hhd", (short)-1, (signed char)-1);
}

static void test_unsigned_and_bases(void **state)
{
	(void)state;
	EXPECT_FORMAT("4294967295", "%u", UINT32_MAX);
	EXPECT_FORMAT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	EXPECT_FORMAT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
	EXPECT_FORMAT("DEADBEEF", "%X", 0xdeadbeefu);
	EXPECT_FORMAT("deadbeef", "%x", 0xdeadbeefu);
	EXPECT_FORMAT("1777777777777777777777", "%llo",
		      (unsigned long long)UINT64_MAX);
	EXPECT_FORMAT("17", "%o", 15u);
	EXPECT_FORMAT("12345", "%zu", (size_t)12345);
	EXPECT_FORMAT("65535 255", "%hu %hhu", (unsigned short)0xffff,
		      (unsigned char)0xff);

	/* h and hh truncate a wider int to the narrower type, as in C. */
	char buf[32];

	assert_int_equal(format_unchecked(buf, sizeof(buf), "%hu %hhu %hhd",
					  0x1ffffu, 0x1ffu, 0x180), 14);
	assert_string_equal(buf, "65535 255 -128");
}

static void test_width_and_flags(void **state)
{
	(void)state;
	EXPECT_FORMAT("   42", "%5d", 42);
	EXPECT_FORMAT("42   |", "%-5d|", 42);
	EXPECT_FORMAT("00042", "%05d", 42);
	EXPECT_FORMAT("-0042", "%05d", -42);
	EXPECT_FORMAT("0000beef", "%08x", 0xbeefu);
	EXPECT_FORMAT("   ab", "%*s", 5, "ab");
	EXPECT_FORMAT("ab   |", "%*s|", -5, "ab");
	EXPECT_FORMAT("    x", "%5c", 'x');
	EXPECT_FORMAT("x    |", "%-5c|", 'x');
	EXPECT_FORMAT("12", "%1d", 12);
	EXPECT_FORMAT("  007", "%5.3d", 7);
	EXPECT_FORMAT("", "%.0d", 0);

	/* Flags C compilers warn about, but which must still work. */
	char buf[32];

	assert_int_equal(format_unchecked(buf, sizeof(buf), "%-05d|", -42), 6);
	assert_string_equal(buf, "-42  |");
}

static void test_strings(void **state)
{
	(void)state;
	char buf[32];
	const char *null_string = NULL;

	/* Through the unchecked wrapper: gcc rejects a literal NULL %s. */
	assert_int_equal(format_unchecked(buf, sizeof(buf), "[%s]", null_string), 8);
	assert_string_equal(buf, "[(null)]");
	EXPECT_FORMAT("hel", "%.3s", "hello");
	EXPECT_FORMAT("he", "%.*s", 2, "hello");
	EXPECT_FORMAT("hello", "%.*s", -1, "hello");
	EXPECT_FORMAT("  hel", "%5.3s", "hello");
	EXPECT_FORMAT("hel  |", "%-5.3s|", "hello");
	EXPECT_FORMAT("a b c", "%c %c %c", 'a', 'b', 'c');

	/* Precision must stop reading: the array has no terminator. */
	char unterminated[3] = { 'a', 'b', 'c' };

	EXPECT_FORMAT("abc", "%.3s", unterminated);
}

static void test_pointer(void **state)
{
	(void)state;
	EXPECT_FORMAT("0x0000000000000000", "%p", (void *)0);
	EXPECT_FORMAT("0xffffffff80001000", "%p", (void *)0xffffffff80001000ull);
	EXPECT_FORMAT("  0x00000000000000ff", "%20p", (void *)0xff);
	EXPECT_FORMAT("0x00000000000000ff  |", "%-20p|", (void *)0xff);
}

static void test_unknown_and_trailing(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(format_unchecked(buf, sizeof(buf), "a%qb"), 4);
	assert_string_equal(buf, "a%qb");
	assert_int_equal(format_unchecked(buf, sizeof(buf), "%-5lq|%d", 7), 7);
	assert_string_equal(buf, "%-5lq|7");
	assert_int_equal(format_unchecked(buf, sizeof(buf), "end%"), 4);
	assert_string_equal(buf, "end%");
	assert_int_equal(format_unchecked(buf, sizeof(buf), "end%08l"), 7);
	assert_string_equal(buf, "end%08l");
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 4, "%s", "abcdef"), 6);
	assert_string_equal(buf, "abc");
	assert_int_equal(buf[4], 'X');          /* nothing past size */

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 1, "%d", 12345), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'X');          /* size 0 writes nothing */
	assert_int_equal(ksnprintf(NULL, 0, "%s-%s", "ab", "cd"), 5);

	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", "1234567"), 7);
	assert_string_equal(buf, "1234567");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", "12345678"), 8);
	assert_string_equal(buf, "1234567");
}

static void test_matches_libc(void **state)
{
	static const long long signed_values[] = {
		0, 1, -1, 9, -10, 123456789, -987654321,
		INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX,
	};
	static const unsigned long long unsigned_values[] = {
		0, 1, 7, 8, 15, 16, 255, 0x8000000000000000ull, UINT64_MAX,
		UINT32_MAX, 0x123456789abcdefull,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(signed_values) / sizeof(signed_values[0]); i++) {
		long long value = signed_values[i];

		EXPECT_LIKE_LIBC("%lld", value);
		EXPECT_LIKE_LIBC("%25lld", value);
		EXPECT_LIKE_LIBC("%-25lld|", value);
		EXPECT_LIKE_LIBC("%025lld", value);
		EXPECT_LIKE_LIBC("%.22lld", value);
		EXPECT_LIKE_LIBC("%d", (int)value);
	}
	for (size_t i = 0; i < sizeof(unsigned_values) / sizeof(unsigned_values[0]); i++) {
		unsigned long long value = unsigned_values[i];

		EXPECT_LIKE_LIBC("%llu", value);
		EXPECT_LIKE_LIBC("%llx", value);
		EXPECT_LIKE_LIBC("%llX", value);
		EXPECT_LIKE_LIBC("%llo", value);
		EXPECT_LIKE_LIBC("%030llo", value);
		EXPECT_LIKE_LIBC("%-20llx|", value);
		EXPECT_LIKE_LIBC("%x", (unsigned)value);
	}
}

static void test_many_arguments(void **state)
{
	(void)state;
	EXPECT_FORMAT("pid 7 comm init state R rip 0x0000000000401000 err -12",
		      "pid %d comm %s state %c rip %p err %d",
		      7, "init", 'R', (void *)0x401000, -ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_and_percent),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned_and_bases),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown_and_trailing),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_matches_libc),
		cmocka_unit_test(test_many_arguments),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
