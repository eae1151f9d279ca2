/* SPDX-License-Identifier: MIT */
/*
 * kill - send a signal to processes.
 *
 *   kill [-SIGNAL | -N | -s SIGNAL] [--] pid...
 *   kill -l [N]
 *
 * The default signal is TERM. A signal is given by name, with or without
 * "SIG" (-KILL, -SIGKILL), or by number (-9). A negative pid names a
 * process group (write `kill -TERM -- -123`, or `kill -9 -123`); 0 is the
 * caller's own group. -l lists the names; -l N names signal N (or the
 * signal of an exit status 128+N, as `kill -l $?`). Errors read like
 * procps kill: "kill: (123): No such process", exit status 1.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Linux x86_64 signal numbers, in order: names[N] is signal N. */
static const char *const names[] = {
	NULL, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
	"SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
	"TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
};
#define SIGNAL_COUNT ((int)(sizeof(names) / sizeof(names[0])))

/* A signal number from "9", "KILL" or "SIGKILL" (any case); -1 if none. */
static int parse_signal(const char *text)
{
	if (isdigit((unsigned char)*text)) {
		char *end;
		long number = strtol(text, &end, 10);
		return *end == '\0' && number >= 0 && number < 65 ? (int)number : -1;
	}
	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	for (int number = 1; number < SIGNAL_COUNT; number++)
		if (strcasecmp(text, names[number]) == 0)
			return number;
	if (strcasecmp(text, "IO") == 0)	/* another name for POLL */
		return SIGIO;
	return -1;
}

static int list_signals(const char *which)
{
	if (!which) {
		for (int number = 1; number < SIGNAL_COUNT; number++)
			printf("%s%c", names[number], number % 16 == 0 || number == SIGNAL_COUNT - 1 ? '\n' : ' ');
		return 0;
	}
	if (isdigit((unsigned char)*which)) {	/* a number: print its name */
		int number = atoi(which);
		if (number > 128)	/* an exit status like 137: killed by signal 9 */
			number -= 128;
		if (number > 0 && number < SIGNAL_COUNT) {
			printf("%s\n", names[number]);
			return 0;
		}
	} else if (parse_signal(which) > 0) {	/* a name: print its number */
		printf("%d\n", parse_signal(which));
		return 0;
	}
	fprintf(stderr, "kill: unknown signal: %s\n", which);
	return 1;
}

int main(int argc, char **argv)
{
	int signal_number = SIGTERM, status = 0, next = 1;

	if (argc > 1 && strcmp(argv[1], "-l") == 0)
		return list_signals(argc > 2 ? argv[2] : NULL);
	if (next < argc && strcmp(argv[next], "-s") == 0 && next + 1 < argc) {
		signal_number = parse_signal(argv[next + 1]);
		if (signal_number < 0) {
			fprintf(stderr, "kill: unknown signal: %s\n", argv[next + 1]);
			return 1;
		}
		next += 2;
	} else if (next < argc && argv[next][0] == '-' && strcmp(argv[next], "--") != 0 &&
		   argv[next][1] != '\0') {
		signal_number = parse_signal(argv[next] + 1);
		if (signal_number < 0) {
			fprintf(stderr, "kill: unknown signal: %s\n", argv[next] + 1);
			return 1;
		}
		next++;
	}
	if (next < argc && strcmp(argv[next], "--") == 0)
		next++;
	if (next == argc) {
		fprintf(stderr, "usage: kill [-SIGNAL | -s SIGNAL] pid... | kill -l [N]\n");
		return 1;
	}
	for (; next < argc; next++) {
		char *end;
		long pid = strtol(argv[next], &end, 10);
		if (*argv[next] == '\0' || *end != '\0') {
			fprintf(stderr, "kill: failed to parse argument: '%s'\n", argv[next]);
			status = 1;
			continue;
		}
		if (kill((pid_t)pid, signal_number) < 0) {
			fprintf(stderr, "kill: (%ld): %s\n", pid, strerror(errno));
			status = 1;
		}
	}
	return status;
}
