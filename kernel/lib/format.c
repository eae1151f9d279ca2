/* SPDX-License-Identifier: MIT */
/*
 * format.c - the kernel's vsnprintf.
 *
 * Formatting is split in three steps, one function each: parse one
 * conversion specification ("%-08lx") into a struct conversion_spec,
 * turn the argument into digits or a string, and emit it with padding.
 * All output goes through emit_char(), which counts every character but
 * stores only those that fit, so the vsnprintf return value (the length
 * the output would have had) falls out for free.
 *
 * What it does not do: floating point (the kernel has no FPU use), the
 * '+', ' ' and '#' flags, %n (a classic exploit vector), positional
 * arguments ("%1$d"). The caller owns the buffer; nothing here allocates.
 */
#include "kernel/lib/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/errno.h"

/* Where the output goes: buf[0..size) and how much was produced so far. */
struct output {
	char *buf;
	size_t size;
	size_t length;          /* characters produced, stored or not */
};

enum length_modifier {
	LENGTH_CHAR,            /* hh */
	LENGTH_SHORT,           /* h */
	LENGTH_INT,             /* none */
	LENGTH_LONG,            /* l */
	LENGTH_LONG_LONG,       /* ll */
	LENGTH_SIZE,            /* z */
	LENGTH_INTMAX,          /* j */
	LENGTH_PTRDIFF,         /* t */
};

/* One parsed "%...X" specification. */
struct conversion_spec {
	bool left_justify;      /* '-' */
	bool zero_pad;          /* '0' */
	size_t width;           /* minimum field width, 0 = none */
	bool has_precision;
	size_t precision;
	enum length_modifier length;
	char conversion;        /* 'd', 's', ...; '\0' if the format ended */
};

/* A 64-bit value in octal needs 22 digits; leave room for that. */
#define MAX_DIGITS 24

static void emit_char(struct output *out, char ch)
{
	/* Keep the last byte free for the terminating NUL. */
	if (out->size > 0 && out->length < out->size - 1)
		out->buf[out->length] = ch;
	out->length++;
}

static void emit_repeated(struct output *out, char ch, size_t count)
{
	while (count-- > 0)
		emit_char(out, ch);
}

static void emit_chars(struct output *out, const char *text, size_t count)
{
	for (size_t i = 0; i < count; i++)
		emit_char(out, text[i]);
}

static size_t bounded_length(const char *text, bool bounded, size_t limit)
{
	size_t length = 0;

	while ((!bounded || length < limit) && text[length] != '\0')
		length++;
	return length;
}

/*
 * Read a decimal number at *cursor, advancing past it. Saturates instead
 * of overflowing: a width of 10^30 is nonsense, but must not be UB.
 */
static size_t parse_decimal(const char **cursor)
{
	size_t value = 0;

	while (**cursor >= '0' && **cursor <= '9') {
		size_t digit = (size_t)(**cursor - '0');

		if (value > (SIZE_MAX - digit) / 10)
			value = SIZE_MAX;
		else
			value = value * 10 + digit;
		(*cursor)++;
	}
	return value;
}

/*
 * Parse the specification that starts just after a '%'. On return
 * *cursor points past the conversion character (or at the final NUL if
 * the format ended early). '*' widths and precisions consume int
 * arguments, as C requires, in the order they appear.
 */
static void parse_spec(const char **cursor, va_list *args,
		       struct conversion_spec *spec)
{
	const char *scan = *cursor;

	*spec = (struct conversion_spec){ .length = LENGTH_INT };

	for (;; scan++) {
		if (*scan == '-')
			spec->left_justify = true;
		else if (*scan == '0')
			spec->zero_pad = true;
		else
			break;
	}

	if (*scan == '*') {
		int width = va_arg(*args, int);

		/* C: a negative '*' width means '-' plus its magnitude. */
		if (width < 0) {
			spec->left_justify = true;
			spec->width = (size_t)0 - (size_t)width;
		} else {
			spec->width = (size_t)width;
		}
		scan++;
	} else {
		spec->width = parse_decimal(&scan);
	}

	if (*scan == '.') {
		scan++;
		spec->has_precision = true;
		if (*scan == '*') {
			int precision = va_arg(*args, int);

			/* C: a negative precision is taken as if omitted. */
			spec->has_precision = precision >= 0;
			spec->precision = precision >= 0 ? (size_t)precision : 0;
			scan++;
		} else {
			spec->precision = parse_decimal(&scan);
		}
	}

	switch (*scan) {
	case 'h':
		scan++;
		spec->length = LENGTH_SHORT;
		if (*scan == 'h') {
			scan++;
			spec->length = LENGTH_CHAR;
		}
		break;
	case 'l':
		scan++;
		spec->length = LENGTH_LONG;
		if (*scan == 'l') {
			scan++;
			spec->length = LENGTH_LONG_LONG;
		}
		break;
	case 'z':
		scan++;
		spec->length = LENGTH_SIZE;
		break;
	case 'j':
		scan++;
		spec->length = LENGTH_INTMAX;
		break;
	case 't':
		scan++;
		spec->length = LENGTH_PTRDIFF;
		break;
	default:
		break;
	}

	spec->conversion = *scan;
	if (*scan != '\0')
		scan++;
	*cursor = scan;
}

/* Fetch a signed argument of the size the length modifier names. */
static int64_t fetch_signed(va_list *args, enum length_modifier length)
{
	switch (length) {
	case LENGTH_CHAR:
		return (signed char)va_arg(*args, int);
	case LENGTH_SHORT:
		return (short)va_arg(*args, int);
	case LENGTH_LONG:
		return va_arg(*args, long);
	case LENGTH_LONG_LONG:
		return va_arg(*args, long long);
	case LENGTH_SIZE:
		/* There is no signed size_t in C11; ptrdiff_t has its width. */
		return va_arg(*args, ptrdiff_t);
	case LENGTH_INTMAX:
		return va_arg(*args, intmax_t);
	case LENGTH_PTRDIFF:
		return va_arg(*args, ptrdiff_t);
	case LENGTH_INT:
	default:
		return va_arg(*args, int);
	}
}

/* Fetch an unsigned argument of the size the length modifier names. */
static uint64_t fetch_unsigned(va_list *args, enum length_modifier length)
{
	switch (length) {
	case LENGTH_CHAR:
		return (unsigned char)va_arg(*args, unsigned int);
	case LENGTH_SHORT:
		return (unsigned short)va_arg(*args, unsigned int);
	case LENGTH_LONG:
		return va_arg(*args, unsigned long);
	case LENGTH_LONG_LONG:
		return va_arg(*args, unsigned long long);
	case LENGTH_SIZE:
		return va_arg(*args, size_t);
	case LENGTH_INTMAX:
		return va_arg(*args, uintmax_t);
	case LENGTH_PTRDIFF:
		return (uint64_t)va_arg(*args, ptrdiff_t);
	case LENGTH_INT:
	default:
		return va_arg(*args, unsigned int);
	}
}

/*
 * Write value's digits in base (8, 10 or 16) into digits[], most
 * significant first, and return how many there are. Zero gives "0".
 */
static size_t to_digits(uint64_t value, unsigned base, bool upper,
			char digits[MAX_DIGITS])
{
	const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char reversed[MAX_DIGITS];
	size_t count = 0;

	do {
		reversed[count++] = alphabet[value % base];
		value /= base;
	} while (value != 0);

	for (size_t i = 0; i < count; i++)
		digits[i] = reversed[count - 1 - i];
	return count;
}

/*
 * Emit one integer field: [spaces][sign or prefix][zeros][digits][spaces].
 * Zero padding fills the width after the sign, as in C, and is ignored
 * when left-justifying or when a precision is given.
 */
static void emit_integer(struct output *out, const struct conversion_spec *spec,
			 bool negative, uint64_t magnitude, unsigned base,
			 bool upper, const char *prefix)
{
	char digits[MAX_DIGITS];
	size_t digit_count = to_digits(magnitude, base, upper, digits);
	size_t prefix_length = negative ? 1 : bounded_length(prefix, false, 0);
	size_t zeros = 0;

	/* C: precision 0 with value 0 prints no digits at all. */
	if (spec->has_precision && spec->precision == 0 && magnitude == 0)
		digit_count = 0;
	if (spec->has_precision && spec->precision > digit_count)
		zeros = spec->precision - digit_count;

	size_t body = prefix_length + zeros + digit_count;
	size_t padding = spec->width > body ? spec->width - body : 0;
	bool pad_with_zeros = spec->zero_pad && !spec->left_justify &&
			      !spec->has_precision;

	if (pad_with_zeros) {
		zeros += padding;
		padding = 0;
	}
	if (!spec->left_justify)
		emit_repeated(out, ' ', padding);
	if (negative)
		emit_char(out, '-');
	else
		emit_chars(out, prefix, prefix_length);
	emit_repeated(out, '0', zeros);
	emit_chars(out, digits, digit_count);
	if (spec->left_justify)
		emit_repeated(out, ' ', padding);
}

/* Emit text (count characters) padded with spaces to the field width. */
static void emit_padded_text(struct output *out,
			     const struct conversion_spec *spec,
			     const char *text, size_t count)
{
	size_t padding = spec->width > count ? spec->width - count : 0;

	if (!spec->left_justify)
		emit_repeated(out, ' ', padding);
	emit_chars(out, text, count);
	if (spec->left_justify)
		emit_repeated(out, ' ', padding);
}

/*
 * Emit one conversion. spec_text..spec_end is the specification as
 * written, echoed verbatim when the conversion is unknown so that a typo
 * in a kernel message shows up instead of eating an argument.
 */
static void emit_conversion(struct output *out,
			    const struct conversion_spec *spec, va_list *args,
			    const char *spec_text, const char *spec_end)
{
	switch (spec->conversion) {
	case 'd':
	case 'i': {
		int64_t value = fetch_signed(args, spec->length);
		/* Negate in unsigned arithmetic: -INT64_MIN overflows int64_t. */
		uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value
					       : (uint64_t)value;

		emit_integer(out, spec, value < 0, magnitude, 10, false, "");
		break;
	}
	case 'u':
		emit_integer(out, spec, false, fetch_unsigned(args, spec->length),
			     10, false, "");
		break;
	case 'x':
	case 'X':
		emit_integer(out, spec, false, fetch_unsigned(args, spec->length),
			     16, spec->conversion == 'X', "");
		break;
	case 'o':
		emit_integer(out, spec, false, fetch_unsigned(args, spec->length),
			     8, false, "");
		break;
	case 'p': {
		/* Always all 16 digits: addresses line up in panic dumps. */
		struct conversion_spec pointer_spec = *spec;
		uintptr_t address = (uintptr_t)va_arg(*args, void *);

		pointer_spec.has_precision = true;
		pointer_spec.precision = 16;
		emit_integer(out, &pointer_spec, false, address, 16, false, "0x");
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*args, int);

		emit_padded_text(out, spec, &ch, 1);
		break;
	}
	case 's': {
		const char *text = va_arg(*args, const char *);

		if (text == NULL)
			text = "(null)";
		emit_padded_text(out, spec, text,
				 bounded_length(text, spec->has_precision,
						spec->precision));
		break;
	}
	case '%':
		emit_char(out, '%');
		break;
	default:
		emit_chars(out, spec_text, (size_t)(spec_end - spec_text));
		break;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct output out = { .buf = buf, .size = size, .length = 0 };
	va_list args_copy;
	const char *cursor = fmt;

	/*
	 * Helpers take a va_list *; a va_list parameter may be an array
	 * that decayed to a pointer, so work on a local copy instead.
	 */
	va_copy(args_copy, args);
	while (*cursor != '\0') {
		if (*cursor != '%') {
			emit_char(&out, *cursor++);
			continue;
		}
		const char *spec_text = cursor++;
		struct conversion_spec spec;

		parse_spec(&cursor, &args_copy, &spec);
		emit_conversion(&out, &spec, &args_copy, spec_text, cursor);
	}
	va_end(args_copy);

	if (size > 0)
		buf[out.length < size ? out.length : size - 1] = '\0';
	if (out.length > (size_t)__INT_MAX__)
		return -EOVERFLOW;
	return (int)out.length;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int length;

	va_start(args, fmt);
	length = kvsnprintf(buf, size, fmt, args);
	va_end(args);
	return length;
}
