/* SPDX-License-Identifier: MIT */
/*
 * poll.h - waking pollers (kernel/poll.c).
 *
 * Anything a process can poll (pipes, the terminal, later the trace
 * handles) calls poll_notify() whenever its readiness may have changed.
 * One global queue, rechecked by every poller: with at most 64
 * processes that is simpler than per-file wait lists and just as correct.
 */
#ifndef LOUPE_POLL_H
#define LOUPE_POLL_H

void poll_notify(void);

/* The ready events of an open file (POLLIN | POLLOUT ... ). */
struct file;
unsigned poll_file(struct file *file);

#endif
