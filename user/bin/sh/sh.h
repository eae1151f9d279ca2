/* SPDX-License-Identifier: MIT */
/*
 * sh.h - what the files of the shell share: the parsed form of a command
 * line, the shell's global state, and each file's entry points.
 *
 * The flow of a command line, and which file owns each step, is described
 * at the top of main.c.
 */
#ifndef LOUPE_SH_H
#define LOUPE_SH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

#define MAX_WORDS     256	/* words and redirections of one simple command */
#define MAX_PIPELINE  32	/* commands in one pipeline */
#define SAVED_FD_BASE 10	/* the shell's own descriptors live at or above this */

/* --- the parsed command line (parse.c builds it in the arena) ------------ */

enum redirect_kind {
	REDIRECT_IN,		/* [n]<file   */
	REDIRECT_OUT,		/* [n]>file, [n]>|file */
	REDIRECT_APPEND,	/* [n]>>file  */
	REDIRECT_READ_WRITE,	/* [n]<>file  */
	REDIRECT_DUP,		/* [n]>&m, [n]<&m, [n]>&- */
};

struct redirection {
	int fd;
	enum redirect_kind kind;
	char *target;			/* raw word: a file, or for DUP a descriptor or "-" */
};

struct command {
	char *words[MAX_WORDS];		/* raw, assignments first */
	int word_count;
	struct redirection redirections[MAX_WORDS];
	int redirection_count;
};

enum connector { RUN_ALWAYS, RUN_IF_SUCCESS, RUN_IF_FAILURE };

struct pipeline {
	struct pipeline *next;
	enum connector connector;	/* how it depends on the pipeline before */
	bool negate;			/* ! pipeline */
	bool background;		/* pipeline & */
	struct command *commands[MAX_PIPELINE];
	int command_count;
};

enum parse_result { PARSE_OK, PARSE_INCOMPLETE, PARSE_ERROR };

/* A command ready to run: expanded argv and the VAR=value words before it. */
struct expanded_command {
	char **argv;
	int argc;
	char **assignments;	/* "NAME=value", already expanded */
	int assignment_count;
};

/* --- the shell's state (defined in main.c) ------------------------------- */

extern const char *shell_name;		/* prefix of every error message */
extern int last_status;			/* $? */
extern pid_t shell_pid;			/* $$: the same in every forked child */
extern pid_t last_background_pid;	/* $! */
extern int positional_count;		/* $#: arguments after $0 */
extern char **positional;		/* $0, $1, ... */
extern bool interactive;		/* prompting a user on a terminal */
extern bool job_control;		/* interactive and the terminal accepts tcsetpgrp */
extern pid_t shell_pgid;		/* our own group, given the terminal back after jobs */
extern struct termios shell_termios;	/* terminal modes restored after a job dies */
extern bool exit_requested;		/* set by the exit builtin */
extern volatile sig_atomic_t interrupted;	/* ^C while reading a command */

/* The signals an interactive shell ignores; its children get the defaults back. */
#define JOB_CONTROL_SIGNAL_COUNT 5
extern const int job_control_signals[JOB_CONTROL_SIGNAL_COUNT];

/* "sh: " + the message + newline, on stderr. */
void report_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* --- memory.c ------------------------------------------------------------- */

struct buffer {			/* a growable string on the heap */
	char *data;		/* NUL-terminated once anything was appended */
	size_t length, capacity;
};

void *arena_alloc(size_t size);
char *arena_strndup(const char *text, size_t length);
void arena_reset(void);
void buffer_append(struct buffer *buffer, const char *text, size_t length);
void buffer_append_char(struct buffer *buffer, char ch);

/* --- variables.c ---------------------------------------------------------- */

const char *variable_get(const char *name);
void variable_set(const char *name, const char *value, bool export);
void variable_unset(const char *name);
bool is_name_start(char ch);
bool is_name_char(char ch);
bool is_name(const char *text);
size_t assignment_name_length(const char *text);
void import_environment(char **environment);
char **build_environment(void);
void print_exported_variables(void);

/* --- parse.c, expand.c ----------------------------------------------------- */

enum parse_result parse_line(const char *text, struct pipeline **list);
char *expand_single(const char *raw);
bool expand_command(const struct command *command, struct expanded_command *out);
void apply_assignments(const struct expanded_command *command, bool export);

/* --- builtins.c, run.c ----------------------------------------------------- */

struct builtin {
	const char *name;
	int (*run)(int argc, char **argv);
};

const struct builtin *find_builtin(const char *name);
void run_list(struct pipeline *list);
int resume_stopped_job(void);
void reap_background_jobs(void);

#endif
