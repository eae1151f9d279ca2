/* SPDX-License-Identifier: MIT */
/*
 * signal.h - signal numbers (Linux's) and the wait status encoding.
 *
 * Full signal delivery (handlers, masks, kill) is the next issue's; for
 * now a fault ends the process as if killed by the signal.
 */
#ifndef LOUPE_SIGNAL_H
#define LOUPE_SIGNAL_H

#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define NSIG    65

/* Linux's wait status: exit code in bits 8-15, or the killing signal in bits 0-6. */
#define WAIT_STATUS_EXITED(code)   (((code) & 0xff) << 8)
#define WAIT_STATUS_SIGNALED(sig)  ((sig) & 0x7f)

const char *signal_name(int sig);

#endif
