/* SPDX-License-Identifier: MIT */
/*
 * pipe_fork - a strace golden sample: a pipe, fork, wait4.
 *
 * The child writes a line into the pipe and exits with status 3; the
 * parent reads the line and collects the child with wait4. SIGCHLD is
 * blocked first: otherwise strace would show its delivery at a point
 * that depends on when the child happens to exit (and with si_utime and
 * si_stime, which are times).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int fds[2], status;
	char buffer[64];
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	pipe(fds);
	pid_t child = fork();
	if (child == 0) {
		close(fds[0]);
		write(fds[1], "from the child\n", 15);
		_exit(3);
	}
	close(fds[1]);
	ssize_t got = read(fds[0], buffer, sizeof(buffer));
	read(fds[0], buffer, sizeof(buffer));   /* the child closed its end: 0 */
	waitpid(child, &status, 0);
	write(1, buffer, got > 0 ? (size_t)got : 0);
	return 0;
}
