/* SPDX-License-Identifier: MIT */
/*
 * killed - a strace golden sample: a process that dies of a signal.
 *
 * It sends itself SIGTERM with the default action, so strace shows the
 * signal's delivery and "+++ killed by SIGTERM +++", not an exit status.
 */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	write(1, "about to die\n", 13);
	kill(getpid(), SIGTERM);
	write(1, "not reached\n", 12);
	return 0;
}
