/* SPDX-License-Identifier: MIT */
/*
 * variables.c - shell variables and the environment.
 *
 * One list holds every variable, exported or not; the shell imports its
 * own environment into it at startup. The environment a program receives
 * is built from the exported variables at exec time (build_environment),
 * so `export`, `unset`, `VAR=value` and the `VAR=value cmd` prefix only
 * ever change this list, never environ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct variable {
	struct variable *next;
	char *name;
	char *value;
	bool exported;
};

static struct variable *variables;

static struct variable *variable_find(const char *name, size_t length)
{
	for (struct variable *variable = variables; variable; variable = variable->next)
		if (strlen(variable->name) == length && memcmp(variable->name, name, length) == 0)
			return variable;
	return NULL;
}

const char *variable_get(const char *name)
{
	struct variable *variable = variable_find(name, strlen(name));
	return variable ? variable->value : NULL;
}

/* Sets name=value; export adds the export mark, it never removes it. */
void variable_set(const char *name, const char *value, bool export)
{
	struct variable *variable = variable_find(name, strlen(name));

	if (!variable) {
		variable = calloc(1, sizeof(*variable));
		if (!variable || !(variable->name = strdup(name))) {
			report_error("out of memory");
			exit(2);
		}
		variable->next = variables;
		variables = variable;
	}
	if (value) {
		char *copy = strdup(value);
		if (!copy) {
			report_error("out of memory");
			exit(2);
		}
		free(variable->value);
		variable->value = copy;
	}
	variable->exported |= export;
}

void variable_unset(const char *name)
{
	for (struct variable **link = &variables; *link; link = &(*link)->next) {
		struct variable *variable = *link;
		if (strcmp(variable->name, name) == 0) {
			*link = variable->next;
			free(variable->name);
			free(variable->value);
			free(variable);
			return;
		}
	}
}

bool is_name_start(char ch)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

bool is_name_char(char ch)
{
	return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

bool is_name(const char *text)
{
	if (!is_name_start(*text))
		return false;
	while (is_name_char(*text))
		text++;
	return *text == '\0';
}

/* Length of the NAME in "NAME=...", or 0 when text is not an assignment. */
size_t assignment_name_length(const char *text)
{
	size_t length = 0;

	if (!is_name_start(text[0]))
		return 0;
	while (is_name_char(text[length]))
		length++;
	return text[length] == '=' ? length : 0;
}

void import_environment(char **environment)
{
	for (char **entry = environment; *entry; entry++) {
		size_t length = assignment_name_length(*entry);
		if (length) {
			char *name = strndup(*entry, length);
			if (name)
				variable_set(name, *entry + length + 1, true);
			free(name);
		}
	}
}

/* "NAME=value" strings of the exported variables, for execve. */
char **build_environment(void)
{
	int count = 0;

	for (struct variable *variable = variables; variable; variable = variable->next)
		count++;
	char **environment = arena_alloc((count + 1) * sizeof(char *));
	int used = 0;
	for (struct variable *variable = variables; variable; variable = variable->next) {
		if (!variable->exported || !variable->value)
			continue;
		size_t length = strlen(variable->name) + strlen(variable->value) + 2;
		environment[used] = arena_alloc(length);
		snprintf(environment[used++], length, "%s=%s", variable->name, variable->value);
	}
	return environment;
}

/* `export` with no argument: every exported variable, in a form sh reads back. */
void print_exported_variables(void)
{
	for (struct variable *variable = variables; variable; variable = variable->next)
		if (variable->exported && variable->value)
			printf("export %s='%s'\n", variable->name, variable->value);
}
