/* SPDX-License-Identifier: MIT */
/*
 * cmdline.c - the kernel command line parser.
 *
 * The grammar is documented in kernel/cmdline.h. The parser never
 * modifies or copies the command line: it walks it token by token with
 * next_token(), remembers where the value of the last matching token
 * starts, and only then decodes that one value (quotes and escapes) into
 * the caller's buffer. It allocates nothing and may run before the heap
 * exists. Where the string comes from (the multiboot2 cmdline tag) is
 * kernel/multiboot2.c's business.
 */
#include "kernel/cmdline.h"

#include "kernel/errno.h"
#include "kernel/lib/string.h"

/* Where one token's parts are inside the command line. */
struct token {
	const char *key;
	size_t key_length;
	const char *value;      /* raw (still quoted) value, or NULL for a flag */
};

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Decode the raw value starting at raw up to the first blank outside
 * quotes (or the end of the string). Stores at most capacity bytes into
 * out (which may be NULL when capacity is 0), without a terminator, and
 * returns the decoded length, which may exceed capacity. If end is not
 * NULL it receives the position just past the value.
 */
static size_t decode_value(const char *raw, char *out, size_t capacity,
			   const char **end)
{
	bool quoted = false;
	size_t length = 0;
	const char *scan = raw;

	while (*scan != '\0' && (quoted || !is_blank(*scan))) {
		char ch = *scan++;

		if (ch == '"') {
			quoted = !quoted;
			continue;
		}
		/* Escapes exist only inside quotes, and only for " and \. */
		if (quoted && ch == '\\' && (*scan == '"' || *scan == '\\'))
			ch = *scan++;
		if (length < capacity)
			out[length] = ch;
		length++;
	}
	if (end != NULL)
		*end = scan;
	return length;
}

/*
 * Find the token at or after *cursor and fill *token. Returns false when
 * only blanks remain. Advances *cursor past the token, so repeated calls
 * visit every token once.
 */
static bool next_token(const char **cursor, struct token *token)
{
	const char *scan = *cursor;

	while (is_blank(*scan))
		scan++;
	if (*scan == '\0') {
		*cursor = scan;
		return false;
	}

	token->key = scan;
	while (*scan != '\0' && *scan != '=' && !is_blank(*scan))
		scan++;
	token->key_length = (size_t)(scan - token->key);
	token->value = NULL;

	if (*scan == '=') {
		token->value = scan + 1;
		/* Skip the value with the same rules that decode it. */
		decode_value(token->value, NULL, 0, &scan);
	}
	*cursor = scan;
	return true;
}

/*
 * Find the last token whose key is exactly key. Returns true and sets
 * *value to its raw value (NULL for a bare flag), or returns false.
 */
static bool find_last(const char *cmdline, const char *key, const char **value)
{
	size_t key_length = strlen(key);
	const char *cursor = cmdline != NULL ? cmdline : "";
	struct token token;
	bool found = false;

	while (next_token(&cursor, &token)) {
		if (token.key_length == key_length &&
		    memcmp(token.key, key, key_length) == 0) {
			found = true;
			*value = token.value;
		}
	}
	return found;
}

int cmdline_get(const char *cmdline, const char *key, char *out, size_t outsz)
{
	const char *raw_value;

	if (key == NULL || key[0] == '\0' || (out == NULL && outsz > 0))
		return -EINVAL;
	if (!find_last(cmdline, key, &raw_value))
		return -ENOENT;

	size_t length = raw_value != NULL
			? decode_value(raw_value, out, outsz, NULL) : 0;

	/* The length is returned as an int, so larger values do not fit. */
	if (length >= outsz || length > (size_t)__INT_MAX__) {
		if (outsz > 0)
			out[0] = '\0';
		return -E2BIG;
	}
	out[length] = '\0';
	return (int)length;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	const char *raw_value;

	if (key == NULL || key[0] == '\0')
		return false;
	return find_last(cmdline, key, &raw_value);
}

/* Value of one digit in base 10 or 16, or -1 if ch is not one. */
static int digit_value(char ch, unsigned base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (base == 16 && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (base == 16 && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int cmdline_get_u64(const char *cmdline, const char *key, uint64_t *out)
{
	/* Enough for "0x" + 16 digits or 20 decimal digits, plus leading
	 * zeros; a longer value is treated as not a number. */
	char text[64];

	if (out == NULL)
		return -EINVAL;

	int length = cmdline_get(cmdline, key, text, sizeof(text));

	if (length == -ENOENT || length == -EINVAL)
		return length;
	if (length <= 0)
		return -EINVAL;

	const char *digits = text;
	unsigned base = 10;
	uint64_t value = 0;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		digits += 2;
	}
	if (*digits == '\0')
		return -EINVAL;
	for (; *digits != '\0'; digits++) {
		int digit = digit_value(*digits, base);

		if (digit < 0)
			return -EINVAL;
		if (value > (UINT64_MAX - (uint64_t)digit) / base)
			return -EINVAL;
		value = value * base + (uint64_t)digit;
	}
	*out = value;
	return 0;
}

void cmdline_unescape_grub(char *cmdline)
{
	char *out = cmdline;

	if (!cmdline)
		return;
	for (const char *in = cmdline; *in; in++) {
		if (*in == '\\' && *++in == '\0')
			break;
		*out++ = *in;
	}
	*out = '\0';
}
