/* SPDX-License-Identifier: MIT */
/*
 * expand.c - turn the raw words of a command into the strings it runs with.
 *
 * Called just before a command runs. One raw word becomes zero, one or
 * several fields:
 *
 *   'text'      kept exactly
 *   "text"      kept as one field; $ expansions and \$ \` \" \\ work inside
 *   \c          the character c itself (backslash-newline disappears)
 *   $NAME ${NAME} $? $$ $! $# $0..$9 $* $@
 *               the value; outside double quotes it is split at blanks
 *   ~ ~/path    $HOME at the start of a word
 *
 * An unquoted expansion that is empty makes no field at all (`echo $UNSET
 * x` has one argument), while "" makes an empty one. Leading NAME=value
 * words are assignments, expanded without splitting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

/* The words a raw word becomes: usually one, none or several after $VAR. */
struct fields {
	char **items;
	int count, capacity;
	struct buffer current;
	bool current_exists;	/* quotes make a field even when it stays empty */
};

static void fields_finish_current(struct fields *fields)
{
	if (!fields->current_exists && fields->current.length == 0)
		return;
	if (fields->count + 1 >= fields->capacity) {
		int capacity = fields->capacity ? fields->capacity * 2 : 16;
		char **items = arena_alloc(capacity * sizeof(char *));
		if (fields->count)
			memcpy(items, fields->items, fields->count * sizeof(char *));
		fields->items = items;
		fields->capacity = capacity;
	}
	fields->items[fields->count++] =
		arena_strndup(fields->current.data ? fields->current.data : "", fields->current.length);
	fields->current.length = 0;
	fields->current_exists = false;
}

/* Adds the value of an expansion; unquoted, blanks in it separate words. */
static void fields_add_expansion(struct fields *fields, const char *value, bool split)
{
	for (; *value; value++) {
		if (split && (*value == ' ' || *value == '\t' || *value == '\n'))
			fields_finish_current(fields);
		else
			buffer_append_char(&fields->current, *value);
	}
}

/*
 * The value of the parameter after a `$` at *cursor, which moves past it.
 * Returns NULL when there is no parameter there (a lone `$` stays as is),
 * and "" for unset variables. Sets *bad on `${` without a valid name.
 */
static const char *expand_parameter(const char **cursor, bool *bad)
{
	static char number[24];
	const char *scan = *cursor;

	if (*scan == '{') {
		const char *name = scan + 1, *end = name;
		while (is_name_char(*end))
			end++;
		if (*end != '}' || end == name || !is_name_start(*name)) {
			*bad = true;
			return NULL;
		}
		*cursor = end + 1;
		char *copy = arena_strndup(name, end - name);
		const char *value = variable_get(copy);
		return value ? value : "";
	}
	if (is_name_start(*scan)) {
		const char *end = scan;
		while (is_name_char(*end))
			end++;
		*cursor = end;
		const char *value = variable_get(arena_strndup(scan, end - scan));
		return value ? value : "";
	}
	*cursor = scan + 1;
	switch (*scan) {
	case '?': snprintf(number, sizeof(number), "%d", last_status); return number;
	case '$': snprintf(number, sizeof(number), "%d", (int)shell_pid); return number;
	case '#': snprintf(number, sizeof(number), "%d", positional_count); return number;
	case '!':
		if (!last_background_pid)
			return "";
		snprintf(number, sizeof(number), "%d", (int)last_background_pid);
		return number;
	case '*':
	case '@': {
		struct buffer joined = { 0 };
		for (int i = 1; i <= positional_count; i++) {
			if (i > 1)
				buffer_append_char(&joined, ' ');
			buffer_append(&joined, positional[i], strlen(positional[i]));
		}
		char *value = arena_strndup(joined.data ? joined.data : "", joined.length);
		free(joined.data);
		return value;
	}
	}
	if (*scan >= '0' && *scan <= '9') {
		int index = *scan - '0';
		return index <= positional_count ? positional[index] : "";
	}
	*cursor = scan;
	return NULL;
}

/*
 * Removes quotes and expands parameters in one raw word, adding the
 * resulting words to fields. split=false (assignments, redirection
 * targets) keeps expansions whole. Returns false on a bad substitution.
 */
static bool expand_word(const char *raw, struct fields *fields, bool split)
{
	bool in_double_quotes = false;
	const char *scan = raw;

	if (scan[0] == '~' && (scan[1] == '/' || scan[1] == '\0')) {
		const char *home = variable_get("HOME");
		fields_add_expansion(fields, home ? home : "~", false);
		fields->current_exists = true;
		scan++;
	}
	while (*scan) {
		char ch = *scan++;
		if (ch == '\'' && !in_double_quotes) {
			const char *end = strchr(scan, '\'');
			buffer_append(&fields->current, scan, end - scan);
			fields->current_exists = true;
			scan = end + 1;
		} else if (ch == '"') {
			in_double_quotes = !in_double_quotes;
			fields->current_exists = true;
		} else if (ch == '\\') {
			/* In double quotes only \$ \` \" \\ and \newline are escapes. */
			if (*scan == '\n')
				scan++;
			else if (!in_double_quotes || strchr("$`\"\\", *scan))
				buffer_append_char(&fields->current, *scan++);
			else
				buffer_append_char(&fields->current, '\\');
		} else if (ch == '$') {
			bool bad = false;
			const char *value = expand_parameter(&scan, &bad);
			if (bad) {
				report_error("%s: bad substitution", raw);
				return false;
			}
			if (value)
				fields_add_expansion(fields, value, split && !in_double_quotes);
			else
				buffer_append_char(&fields->current, '$');
		} else {
			buffer_append_char(&fields->current, ch);
		}
	}
	fields_finish_current(fields);
	return true;
}

/* One word, unsplit: assignment values and redirection targets. */
char *expand_single(const char *raw)
{
	struct fields fields = { 0 };
	bool ok = expand_word(raw, &fields, false);

	free(fields.current.data);
	if (!ok)
		return NULL;
	return fields.count ? fields.items[0] : arena_strndup("", 0);
}

bool expand_command(const struct command *command, struct expanded_command *out)
{
	struct fields fields = { 0 };
	int word = 0;

	out->assignments = arena_alloc((command->word_count + 1) * sizeof(char *));
	out->assignment_count = 0;
	for (; word < command->word_count && assignment_name_length(command->words[word]); word++) {
		char *value = expand_single(command->words[word]);
		if (!value)
			return false;
		out->assignments[out->assignment_count++] = value;
	}
	for (; word < command->word_count; word++) {
		if (!expand_word(command->words[word], &fields, true)) {
			free(fields.current.data);
			return false;
		}
	}
	free(fields.current.data);
	out->argc = fields.count;
	out->argv = arena_alloc((fields.count + 1) * sizeof(char *));
	if (fields.count)
		memcpy(out->argv, fields.items, fields.count * sizeof(char *));
	return true;
}

void apply_assignments(const struct expanded_command *command, bool export)
{
	for (int i = 0; i < command->assignment_count; i++) {
		char *assignment = command->assignments[i];
		size_t length = assignment_name_length(assignment);
		assignment[length] = '\0';
		variable_set(assignment, assignment + length + 1, export);
		assignment[length] = '=';
	}
}
