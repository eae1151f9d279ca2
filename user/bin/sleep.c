/* SPDX-License-Identifier: MIT */
/*
 * sleep - wait for a while.
 *
 *   sleep number[s|m|h|d]...
 *
 * Numbers may be fractional (0.5); several arguments add up, as with GNU
 * sleep. The wait is one nanosleep(2), restarted with the time left if a
 * signal that does not kill us interrupts it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds for "1.5", "2m", ...; a negative value for anything else. */
static double parse_duration(const char *text)
{
	char *end;
	double seconds = strtod(text, &end);

	if (end == text || seconds < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's': break;
	case 'm': seconds *= 60; break;
	case 'h': seconds *= 3600; break;
	case 'd': seconds *= 86400; break;
	default: return -1;
	}
	return *end && end[1] ? -1 : seconds;
}

int main(int argc, char **argv)
{
	double total = 0;

	if (argc < 2) {
		fprintf(stderr, "sleep: missing operand\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		double seconds = parse_duration(argv[i]);
		if (seconds < 0) {
			fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[i]);
			return 1;
		}
		total += seconds;
	}
	struct timespec left = { .tv_sec = (time_t)total };
	left.tv_nsec = (long)((total - (double)left.tv_sec) * 1e9);
	while (nanosleep(&left, &left) < 0) {
		if (errno != EINTR) {
			perror("sleep");
			return 1;
		}
	}
	return 0;
}
