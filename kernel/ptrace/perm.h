/* SPDX-License-Identifier: MIT */
/* perm.h - who may trace whom (kernel/ptrace/perm.c). */
#ifndef LOUPE_PTRACE_PERM_H
#define LOUPE_PTRACE_PERM_H

#include <stdbool.h>

struct process;

/*
 * May the current process trace `pid`? With for_session, also refuse a
 * process that already has a tracer (opening regs or mem does not need
 * that rule). Returns 0 and the process in *tracee, or a negative errno.
 */
int trace_may_attach(int pid, bool for_session, struct process **tracee);

#endif
