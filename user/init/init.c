/* SPDX-License-Identifier: MIT */
/*
 * init - process 1.
 *
 * The kernel starts it with the console open as descriptors 0, 1 and 2
 * and, if the kernel command line had `init.cmd="..."` (what
 * `make run CMD='...'` sets), that command line as argv[1]. init then
 *   - runs the command with `/bin/sh -c`, or, without one, an interactive
 *     /bin/sh on the console (with the banner of /etc/motd first);
 *   - reaps every orphan the kernel hands it meanwhile;
 *   - when that child ends, exits with its status (128 + signal if it was
 *     killed, as shells report it).
 * When init exits, the kernel powers the machine off and reports that
 * status (kernel/exit.c), which is how `make run CMD=...` returns the
 * program's status to the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void show_motd(void)
{
	char buffer[1024];
	int fd = open("/etc/motd", O_RDONLY);
	ssize_t got;

	if (fd < 0)
		return;
	while ((got = read(fd, buffer, sizeof(buffer))) > 0)
		write(1, buffer, (size_t)got);
	close(fd);
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
	char *shell_command[] = { "/bin/sh", "-c", argc > 1 ? argv[1] : "", NULL };
	char *interactive_shell[] = { "-sh", NULL };

	if (argc < 2)
		show_motd();
	pid_t child;
	if (argc >= 2) {
		child = start(shell_command);
	} else {
		/* argv[0] "-sh": the login-shell convention; the path is still /bin/sh. */
		pid_t pid = fork();
		if (pid == 0) {
			execve("/bin/sh", interactive_shell, environ);
			fprintf(stderr, "init: cannot run /bin/sh: %s\n", strerror(errno));
			_exit(127);
		}
		child = pid;
	}
	if (child < 0)
		return 1;
	for (;;) {
		int status;
		pid_t pid = wait4(-1, &status, 0, NULL);
		if (pid == child)
			return status_code(status);
		if (pid < 0 && errno != EINTR) {
			fprintf(stderr, "init: wait4: %s\n", strerror(errno));
			return 1;
		}
		/* Any other pid: an orphan we adopted, now reaped. */
	}
}
