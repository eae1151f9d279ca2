/* SPDX-License-Identifier: MIT */
/*
 * bench_pipe - a one-byte ping-pong between two processes over two pipes.
 *
 * Each round trip is two context switches plus four pipe calls: the
 * parent writes a byte and blocks in read, the child wakes, reads, writes
 * it back and blocks again. A ptrace stop round trip (the tracee stops,
 * the tracer wakes, the tracer resumes it) also needs two switches, so
 * this is the floor a stop can be compared with (scripts/bench.py prints
 * that ratio). On one CPU, as Loupe has, every round trip really switches.
 *
 *   BENCH_PIPE_N   round trips to time (default 50000), in BENCH_BATCHES
 *                  batches: the median batch is reported
 *
 * Prints: bench pipe_roundtrip <ns> ns/roundtrip
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static void echo_back(int from, int to)
{
	char byte;

	while (read(from, &byte, 1) == 1)
		if (write(to, &byte, 1) != 1)
			break;
	_exit(0);
}

int main(void)
{
	long trips = bench_count("BENCH_PIPE_N", 50000) / BENCH_BATCHES + 1;
	double per_trip[BENCH_BATCHES];
	int ping[2], pong[2];
	char byte = 'x';

	if (pipe(ping) != 0 || pipe(pong) != 0)
		bench_die("pipe_roundtrip", "pipe");
	pid_t child = fork();
	if (child < 0)
		bench_die("pipe_roundtrip", "fork");
	if (child == 0) {
		close(ping[1]);
		close(pong[0]);
		echo_back(ping[0], pong[1]);
	}
	close(ping[0]);
	close(pong[1]);

	for (int batch = -1; batch < BENCH_BATCHES; batch++) {  /* batch -1 warms up */
		unsigned long long start = bench_now_ns();
		for (long i = 0; i < trips; i++)
			if (write(ping[1], &byte, 1) != 1 || read(pong[0], &byte, 1) != 1)
				bench_die("pipe_roundtrip", "ping-pong");
		if (batch >= 0)
			per_trip[batch] = (double)(bench_now_ns() - start) / (double)trips;
	}

	close(ping[1]);                                 /* the child reads EOF and leaves */
	waitpid(child, NULL, 0);
	bench_report("pipe_roundtrip", bench_median(per_trip, BENCH_BATCHES), "ns/roundtrip");
	return 0;
}
