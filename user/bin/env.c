/* SPDX-License-Identifier: MIT */
/*
 * env - print the environment, or run a program in a changed one.
 *
 *   env [-i] [-u NAME]... [NAME=value]... [command [arg...]]
 *
 * Without a command, prints the (changed) environment one NAME=value per
 * line. With one, execs it, looking it up in $PATH as execvp(3) does.
 * -i starts from an empty environment, -u removes a variable. Exit
 * status 127 if the command does not exist, 126 if it cannot be run, as
 * GNU env.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	int next = 1;

	for (; next < argc && argv[next][0] == '-' && argv[next][1] != '\0'; next++) {
		if (strcmp(argv[next], "--") == 0) {
			next++;
			break;
		}
		if (strcmp(argv[next], "-i") == 0) {
			clearenv();
		} else if (strcmp(argv[next], "-u") == 0 && next + 1 < argc) {
			unsetenv(argv[++next]);
		} else {
			fprintf(stderr, "env: invalid option '%s'\n", argv[next]);
			fprintf(stderr, "usage: env [-i] [-u NAME]... [NAME=value]... [command [arg...]]\n");
			return 125;
		}
	}
	if (next < argc && strcmp(argv[next], "-") == 0) {	/* old spelling of -i */
		clearenv();
		next++;
	}
	for (; next < argc && strchr(argv[next], '='); next++) {
		if (putenv(argv[next]) != 0) {
			fprintf(stderr, "env: cannot set '%s': %s\n", argv[next], strerror(errno));
			return 125;
		}
	}
	if (next == argc) {
		for (char **entry = environ; entry && *entry; entry++)
			printf("%s\n", *entry);
		return fflush(stdout) == 0 ? 0 : 125;
	}
	execvp(argv[next], argv + next);
	int error = errno;
	fprintf(stderr, "env: '%s': %s\n", argv[next], strerror(error));
	return error == ENOENT ? 127 : 126;
}
