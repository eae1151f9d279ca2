/* SPDX-License-Identifier: MIT */
/*
 * init - process 1.
 *
 * The kernel starts it with the command of `init.cmd=` as argv[1] (what
 * `make run CMD='...'` sets). init runs that command, reaps every orphan
 * the kernel hands it meanwhile, and when the command ends, exits with
 * its status (128 + signal if it was killed, as shells report it). When
 * init exits, the kernel powers the machine off and reports that status
 * (kernel/exit.c), which is how `make run CMD=...` returns the program's
 * exit status to the host.
 *
 * For now the command is split at spaces, without quoting: the shell of
 * the next issue will take over command lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 64

extern char **environ;

static int split_command(char *command, char **argv)
{
	int argc = 0;

	for (char *word = strtok(command, " \t"); word && argc < MAX_ARGS; word = strtok(NULL, " \t"))
		argv[argc++] = word;
	argv[argc] = NULL;
	return argc;
}

static pid_t start(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execve(argv[0], argv, environ);
		int error = errno;
		fprintf(stderr, "init: cannot run %s: %s\n", argv[0], strerror(error));
		_exit(error == ENOENT ? 127 : 126);
	}
	if (pid < 0)
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
	return pid;
}

static int status_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	char *command_argv[MAX_ARGS + 1];

	if (argc < 2 || split_command(argv[1], command_argv) == 0) {
		printf("init: no command to run. Try: make run CMD='/bin/hello world'\n");
		return 0;
	}
	pid_t command = start(command_argv);
	if (command < 0)
		return 1;
	for (;;) {
		int status;
		pid_t pid = wait4(-1, &status, 0, NULL);
		if (pid == command)
			return status_code(status);
		if (pid < 0 && errno != EINTR) {
			fprintf(stderr, "init: wait4: %s\n", strerror(errno));
			return 1;
		}
		/* Any other pid: an orphan we adopted, now reaped. */
	}
}
