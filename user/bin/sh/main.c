/* SPDX-License-Identifier: MIT */
/*
 * sh - Loupe's shell: small, readable, and enough for daily use at the
 * serial console. This file: startup, reading commands, the main loop.
 *
 *   sh                      interactive on a terminal, else read stdin
 *   sh -c 'command line' [name [arg...]]
 *   sh script [arg...]
 *   sh -i                   interactive even if stdin is no terminal
 *
 * A command line goes through four steps, one file each:
 *
 *   1. input    here: read a line (a `$ ` prompt on stderr when
 *               interactive); more lines (`> `) while a quote or a
 *               trailing | && || is open
 *   2. parse    parse.c: tokens, then a list of pipelines joined by
 *               ; & && ||, with words still raw (quotes and $ kept)
 *   3. expand   expand.c: just before a command runs, remove quotes and
 *               replace $VAR ${VAR} $? $$ $! $# $0..$9 $* $@ and ~
 *   4. run      run.c and builtins.c: builtins (cd exit export unset pwd
 *               : fg) inside the shell, the rest forked and exec'd
 *               through $PATH, one process group per pipeline
 *
 * plus memory.c (the per-line arena) and variables.c (variables and the
 * environment). sh.h holds what the files share.
 *
 * Job control, when interactive on a terminal: the shell moves into its
 * own process group, ignores SIGINT SIGQUIT SIGTSTP SIGTTIN SIGTTOU, and
 * gives the terminal (tcsetpgrp) to each foreground pipeline while it
 * runs, so that ^C reaches the pipeline and not the shell. ^Z stops a
 * job; `fg` resumes the last one stopped. ^D on an empty line ends the
 * shell with the status of the last command, as dash does.
 *
 * Not supported, on purpose (a teaching shell): if/while/for/case,
 * functions, here-documents, command substitution, globbing, aliases.
 * "$@" is the arguments joined by spaces, like "$*".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

/* The shell's state, shared by all its files: sh.h says what each one means. */
const char *shell_name = "sh";
int last_status;
pid_t shell_pid;
pid_t last_background_pid;
int positional_count;
char **positional;
bool interactive;
bool job_control;
pid_t shell_pgid;
struct termios shell_termios;
bool exit_requested;
volatile sig_atomic_t interrupted;

void report_error(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	fprintf(stderr, "%s: ", shell_name);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
	va_end(args);
}

/* ======================================================================
 * Reading command lines
 * ====================================================================== */

struct input {
	int fd;
	bool one_byte_at_a_time;	/* stdin: leave the rest for the commands we run */
	char data[4096];
	size_t start, end;
};

static void note_interrupt(int signal_number)
{
	(void)signal_number;
	interrupted = 1;
}

enum read_result { READ_LINE, READ_EOF, READ_INTERRUPTED };

/*
 * Appends the next line (without its newline) to line. On a terminal the
 * kernel's line discipline does the editing (echo, backspace, ^U) and
 * hands us whole lines; ^D on an empty line reads as end of file.
 */
static enum read_result read_line(struct input *input, struct buffer *line, const char *prompt)
{
	bool got_something = false;

	if (interactive)
		fputs(prompt, stderr);	/* dash and bash prompt on stderr */
	for (;;) {
		if (input->start == input->end) {
			size_t want = input->one_byte_at_a_time ? 1 : sizeof(input->data);
			ssize_t count = read(input->fd, input->data, want);
			if (count < 0 && errno == EINTR && interrupted)
				return READ_INTERRUPTED;
			if (count < 0 && errno == EINTR)
				continue;
			if (count <= 0)	/* end of file, or an error we treat as one */
				return got_something ? READ_LINE : READ_EOF;
			input->start = 0;
			input->end = count;
		}
		char ch = input->data[input->start++];
		got_something = true;
		if (ch == '\n')
			return READ_LINE;
		buffer_append_char(line, ch);
	}
}

/* ======================================================================
 * Startup and the main loop
 * ====================================================================== */

/*
 * Interactive on a terminal: wait until we are in the foreground, move
 * into our own process group, take the terminal, and ignore the signals
 * the terminal sends to the foreground group. ^C at the prompt only
 * interrupts the read (note_interrupt), so the prompt starts afresh.
 */
static void start_job_control(void)
{
	pid_t foreground;

	while ((foreground = tcgetpgrp(STDIN_FILENO)) > 0 && foreground != getpgrp())
		kill(-getpgrp(), SIGTTIN);	/* started in the background: wait for fg */
	for (int i = 0; i < JOB_CONTROL_SIGNAL_COUNT; i++)
		signal(job_control_signals[i], SIG_IGN);
	struct sigaction action = { .sa_handler = note_interrupt };	/* no SA_RESTART */
	sigaction(SIGINT, &action, NULL);

	if (foreground < 0)	/* no controlling terminal: prompt, but no job control */
		return;
	shell_pgid = getpid();
	if (getpgrp() != shell_pgid && setpgid(0, shell_pgid) < 0)
		return;
	if (tcsetpgrp(STDIN_FILENO, shell_pgid) < 0 || tcgetattr(STDIN_FILENO, &shell_termios) < 0)
		return;
	job_control = true;
}

/* Reads, parses and runs commands until end of input or exit. */
static void command_loop(struct input *input)
{
	struct buffer text = { 0 };

	for (;;) {
		if (interactive)
			reap_background_jobs();
		text.length = 0;
		if (text.data)
			text.data[0] = '\0';
		interrupted = 0;
		enum read_result got = read_line(input, &text, variable_get("PS1") ?: "$ ");
		if (got == READ_EOF)
			break;
		/* A line with an open quote or a trailing | && || continues on the next. */
		struct pipeline *list = NULL;
		enum parse_result result = PARSE_INCOMPLETE;
		while (got == READ_LINE &&
		       (result = parse_line(text.data ? text.data : "", &list)) == PARSE_INCOMPLETE) {
			arena_reset();
			buffer_append_char(&text, '\n');
			got = read_line(input, &text, variable_get("PS2") ?: "> ");
		}
		if (got == READ_INTERRUPTED) {	/* ^C: forget the line, prompt again */
			fputc('\n', stderr);
			last_status = 130;
			arena_reset();
			continue;
		}
		if (got == READ_EOF) {
			report_error("syntax error: unexpected end of file");
			result = PARSE_ERROR;
		}
		if (result == PARSE_OK)
			run_list(list);
		else
			last_status = 2;
		arena_reset();
		/* POSIX: a syntax error ends a non-interactive shell. */
		if (exit_requested || (result != PARSE_OK && !interactive))
			break;
	}
	if (interactive && !exit_requested)
		fputc('\n', stderr);	/* ^D: end the prompt line before whatever comes next */
	free(text.data);
}

static int usage(void)
{
	fprintf(stderr, "usage: sh [-i] [-c command [name [arg...]] | script [arg...]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	extern char **environ;
	const char *command = NULL;
	bool force_interactive = false;
	int next = 1;

	shell_pid = getpid();
	import_environment(environ);
	for (; next < argc && argv[next][0] == '-' && argv[next][1]; next++) {
		if (strcmp(argv[next], "--") == 0) {
			next++;
			break;
		}
		for (const char *option = argv[next] + 1; *option; option++) {
			if (*option == 'c')
				command = "";
			else if (*option == 'i')
				force_interactive = true;
			else if (*option != 's')
				return usage();
		}
	}
	if (command) {		/* sh -c 'command line' [name [args...]] */
		if (next >= argc)
			return usage();
		command = argv[next++];
		static char *default_name[] = { "sh", NULL };
		positional = next < argc ? &argv[next] : default_name;
		positional_count = next < argc ? argc - next - 1 : 0;
		struct pipeline *list;
		enum parse_result result = parse_line(command, &list);
		if (result == PARSE_INCOMPLETE)
			report_error("syntax error: unexpected end of file");
		if (result != PARSE_OK)
			return 2;
		run_list(list);
		return last_status;
	}

	/*
	 * From a pipe or file, stdin is read a byte at a time so that the
	 * commands we run find the rest of it unread (`sh < script` where the
	 * script runs `head -n 1`). A terminal hands out one line per read
	 * anyway, so there the whole buffer is safe.
	 */
	struct input input = { .fd = STDIN_FILENO, .one_byte_at_a_time = !isatty(STDIN_FILENO) };
	positional = argv;	/* $0 = sh */
	positional_count = 0;
	if (next < argc) {	/* sh script [args...] */
		int fd = open(argv[next], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			report_error("cannot open %s: %s", argv[next], strerror(errno));
			return 127;
		}
		/* Move it out of the way of redirections like 3>file. */
		input.fd = fcntl(fd, F_DUPFD_CLOEXEC, SAVED_FD_BASE);
		close(fd);
		input.one_byte_at_a_time = false;
		positional = &argv[next];
		positional_count = argc - next - 1;
	} else {
		interactive = force_interactive || (isatty(STDIN_FILENO) && isatty(STDERR_FILENO));
	}
	if (interactive)
		start_job_control();
	command_loop(&input);
	return last_status;
}
