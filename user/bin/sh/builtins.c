/* SPDX-License-Identifier: MIT */
/*
 * builtins.c - the commands the shell runs itself.
 *
 * cd, exit, export and unset change the shell's own state (its current
 * directory, its variables, whether it goes on), so they cannot be
 * separate programs; pwd, : and fg are here because they are tiny or
 * need the shell's job table. A builtin alone on a command line runs in
 * the shell with its redirections applied and undone (run.c); inside a
 * pipeline it runs in a forked child like any command, so `cd /tmp | cat`
 * changes nothing, as in every shell.
 *
 * echo, true and false are ordinary programs in /bin.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static int builtin_cd(int argc, char **argv)
{
	const char *directory = argc > 1 ? argv[1] : variable_get("HOME");
	bool print = false;
	char old[4096];

	if (!directory) {
		report_error("cd: HOME not set");
		return 1;
	}
	if (strcmp(directory, "-") == 0) {
		directory = variable_get("OLDPWD");
		if (!directory) {
			report_error("cd: OLDPWD not set");
			return 1;
		}
		print = true;
	}
	if (!getcwd(old, sizeof(old)))
		old[0] = '\0';
	if (chdir(directory) < 0) {
		report_error("cd: %s: %s", directory, strerror(errno));
		return 1;
	}
	char now[4096];
	if (old[0])
		variable_set("OLDPWD", old, false);
	if (getcwd(now, sizeof(now))) {
		variable_set("PWD", now, false);
		if (print)
			printf("%s\n", now);
	}
	return 0;
}

static int builtin_pwd(int argc, char **argv)
{
	char directory[4096];

	(void)argc, (void)argv;
	if (!getcwd(directory, sizeof(directory))) {
		report_error("pwd: %s", strerror(errno));
		return 1;
	}
	printf("%s\n", directory);
	return 0;
}

static int builtin_exit(int argc, char **argv)
{
	int status = last_status;

	if (argc > 1) {
		char *end;
		long value = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0') {
			report_error("exit: %s: numeric argument required", argv[1]);
			status = 2;
		} else {
			status = value & 255;
		}
	}
	exit_requested = true;
	return status;
}

static int builtin_export(int argc, char **argv)
{
	if (argc == 1) {
		print_exported_variables();
		return 0;
	}
	int status = 0;
	for (int i = 1; i < argc; i++) {
		size_t length = assignment_name_length(argv[i]);
		if (length) {
			argv[i][length] = '\0';
			variable_set(argv[i], argv[i] + length + 1, true);
		} else if (is_name(argv[i])) {
			variable_set(argv[i], NULL, true);
		} else {
			report_error("export: %s: bad variable name", argv[i]);
			status = 1;
		}
	}
	return status;
}

static int builtin_unset(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		variable_unset(argv[i]);
	return 0;
}

static int builtin_colon(int argc, char **argv)
{
	(void)argc, (void)argv;
	return 0;
}

/* fg: give the terminal back to the job ^Z stopped, and wake it up. */
static int builtin_fg(int argc, char **argv)
{
	(void)argc, (void)argv;
	return resume_stopped_job();
}

static const struct builtin builtins[] = {
	{ "cd", builtin_cd }, { "pwd", builtin_pwd }, { "exit", builtin_exit },
	{ "export", builtin_export }, { "unset", builtin_unset }, { ":", builtin_colon },
	{ "fg", builtin_fg },
};

const struct builtin *find_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}
