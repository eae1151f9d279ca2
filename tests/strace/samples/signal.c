/* SPDX-License-Identifier: MIT */
/*
 * signal - a strace golden sample: a handler, a signal sent to oneself,
 * a blocked and pending signal, then exit status 7.
 *
 * kill(getpid(), ...) rather than raise(): musl's raise() blocks every
 * signal around a tkill, which adds nothing here. The handler writes with
 * write(2), the one output call that is safe in a handler.
 */
#include <signal.h>
#include <unistd.h>

static void on_usr1(int signo)
{
	(void)signo;
	write(1, "caught SIGUSR1\n", 15);
}

int main(void)
{
	struct sigaction action = { .sa_handler = on_usr1 };
	sigset_t set, pending;

	sigemptyset(&action.sa_mask);
	sigaddset(&action.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &action, NULL);
	kill(getpid(), SIGUSR1);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR2);               /* blocked: stays pending */
	sigpending(&pending);
	signal(SIGUSR2, SIG_IGN);               /* discards the pending one */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	_exit(7);
}
