/* SPDX-License-Identifier: MIT */
/*
 * run.c - run a list of pipelines: redirections, fork, exec, wait.
 *
 * For each pipeline of the list (skipped or not after && and ||):
 *
 *   1. expand every command (expand.c);
 *   2. a builtin or a bare assignment alone runs inside the shell, its
 *      redirections saved and undone around it;
 *   3. otherwise each command is forked, with a pipe between neighbours.
 *      With job control, the first child's pid becomes the pipeline's
 *      process group: parent and child both call setpgid (whoever runs
 *      first wins the race, the other call is harmless), and the child of
 *      a foreground job also calls tcsetpgrp before it execs, so that it
 *      owns the terminal before it can read from it. The child restores
 *      the default signal actions, wires up its pipe ends, applies its
 *      redirections and execs, looking the name up in $PATH;
 *   4. the shell waits for every process (WUNTRACED: ^Z stops count),
 *      reports deaths by signal like bash ("Segmentation fault"), takes
 *      the terminal back, and the status of the last process is $?.
 *
 * Errors: a missing program is "sh: foo: not found" and 127; one that
 * cannot be executed 126; a failed redirection 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

/* The last job ^Z stopped, for `fg`. One slot is enough to teach the idea. */
static struct {
	pid_t pgid;
	pid_t pids[MAX_PIPELINE];
	int count;
} stopped_job;

/* Performs one redirection in this process; reports and returns false on error. */
static bool redirect(const struct redirection *redirection)
{
	char *target = expand_single(redirection->target);
	int file;

	if (!target)
		return false;
	if (redirection->kind == REDIRECT_DUP) {
		if (strcmp(target, "-") == 0) {
			close(redirection->fd);
			return true;
		}
		char *end;
		long source = strtol(target, &end, 10);
		if (*target == '\0' || *end != '\0' || source < 0 || fcntl(source, F_GETFD) < 0) {
			report_error("%s: Bad file descriptor", target);
			return false;
		}
		if (source != redirection->fd && dup2(source, redirection->fd) < 0) {
			report_error("%s: %s", target, strerror(errno));
			return false;
		}
		return true;
	}
	static const int open_flags[] = {
		[REDIRECT_IN] = O_RDONLY,
		[REDIRECT_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
		[REDIRECT_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
		[REDIRECT_READ_WRITE] = O_RDWR | O_CREAT,
	};
	file = open(target, open_flags[redirection->kind], 0666);
	if (file < 0) {
		report_error("%s: %s", target, strerror(errno));
		return false;
	}
	if (file != redirection->fd) {
		if (dup2(file, redirection->fd) < 0) {
			report_error("%s: %s", target, strerror(errno));
			close(file);
			return false;
		}
		close(file);
	}
	return true;
}

static bool redirect_all(const struct command *command)
{
	for (int i = 0; i < command->redirection_count; i++)
		if (!redirect(&command->redirections[i]))
			return false;
	return true;
}

/*
 * For builtins, which run inside the shell: remember what each redirected
 * descriptor was (a copy at SAVED_FD_BASE or above, or -1 if it was
 * closed), so that restore_descriptors() can put the shell back.
 */
struct saved_descriptors {
	int fd[MAX_WORDS];
	int copy[MAX_WORDS];
	int count;
};

static void save_descriptors(const struct command *command, struct saved_descriptors *saved)
{
	saved->count = 0;
	for (int i = 0; i < command->redirection_count; i++) {
		int fd = command->redirections[i].fd;
		saved->fd[saved->count] = fd;
		saved->copy[saved->count++] = fcntl(fd, F_DUPFD_CLOEXEC, SAVED_FD_BASE);
	}
}

static void restore_descriptors(struct saved_descriptors *saved)
{
	fflush(NULL);	/* what the builtin printed belongs to the redirected files */
	for (int i = saved->count - 1; i >= 0; i--) {
		if (saved->copy[i] >= 0) {
			dup2(saved->copy[i], saved->fd[i]);
			close(saved->copy[i]);
		} else {
			close(saved->fd[i]);
		}
	}
}

/* What bash prints when a job dies of a signal; NULL: print nothing. */
static const char *signal_message(int signal_number)
{
	static const char *messages[] = {
		[SIGHUP] = "Hangup", [SIGQUIT] = "Quit", [SIGILL] = "Illegal instruction",
		[SIGTRAP] = "Trace/breakpoint trap", [SIGABRT] = "Aborted",
		[SIGBUS] = "Bus error", [SIGFPE] = "Floating point exception",
		[SIGKILL] = "Killed", [SIGUSR1] = "User defined signal 1",
		[SIGSEGV] = "Segmentation fault", [SIGUSR2] = "User defined signal 2",
		[SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated",
		[SIGSTKFLT] = "Stack fault", [SIGXCPU] = "CPU time limit exceeded",
		[SIGXFSZ] = "File size limit exceeded", [SIGVTALRM] = "Virtual timer expired",
		[SIGPROF] = "Profiling timer expired", [SIGIO] = "I/O possible",
		[SIGPWR] = "Power failure", [SIGSYS] = "Bad system call",
	};
	/* SIGINT and SIGPIPE are what the user (or the next command) wanted. */
	if (signal_number == SIGINT || signal_number == SIGPIPE)
		return NULL;
	if (signal_number > 0 && signal_number < (int)(sizeof(messages) / sizeof(messages[0])) &&
	    messages[signal_number])
		return messages[signal_number];
	return "Unknown signal";
}

/* The signals an interactive shell ignores; its children get the defaults back. */
const int job_control_signals[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };

static void restore_default_signals(void)
{
	for (int i = 0; i < JOB_CONTROL_SIGNAL_COUNT; i++)
		signal(job_control_signals[i], SIG_DFL);
}

/* Runs a script the kernel refused to exec (ENOEXEC) with /bin/sh, as dash does. */
static void exec_as_script(const char *path, char **argv, char **environment)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	char **script_argv = arena_alloc((argc + 2) * sizeof(char *));
	script_argv[0] = "sh";
	script_argv[1] = (char *)path;
	for (int i = 1; i <= argc; i++)
		script_argv[i + 1] = argv[i];
	execve("/bin/sh", script_argv, environment);
}

/* Execs argv[0], through $PATH when it has no slash. Only returns by exiting. */
static _Noreturn void exec_program(char **argv)
{
	char **environment = build_environment();
	const char *name = argv[0];

	if (strchr(name, '/')) {
		execve(name, argv, environment);
		if (errno == ENOEXEC)
			exec_as_script(name, argv, environment);
		int error = errno;
		report_error("%s: %s", name, error == ENOENT ? "not found" : strerror(error));
		_exit(error == ENOENT ? 127 : 126);
	}
	const char *path = variable_get("PATH");
	if (!path)
		path = "/bin";
	bool denied = false;
	for (const char *directory = path;; directory++) {
		size_t length = strcspn(directory, ":");
		char *candidate = arena_alloc(length + strlen(name) + 3);
		/* An empty entry in PATH means the current directory. */
		sprintf(candidate, "%.*s%s%s", (int)length, length ? directory : ".", "/", name);
		execve(candidate, argv, environment);
		if (errno == ENOEXEC)
			exec_as_script(candidate, argv, environment);
		if (errno == EACCES)
			denied = true;
		directory += length;
		if (*directory == '\0')
			break;
	}
	report_error("%s: %s", name, denied ? "Permission denied" : "not found");
	_exit(denied ? 126 : 127);
}

/*
 * The child's half of one command of a pipeline: join the job's process
 * group, take the terminal if it is a foreground job, wire up the pipe
 * ends and redirections, then run a builtin or exec the program.
 */
static _Noreturn void run_child(struct expanded_command *expanded, const struct command *command,
				pid_t pgid, bool foreground, int input, int output, bool null_input)
{
	if (job_control) {
		/* Both parent and child call setpgid, so neither waits for the other. */
		setpgid(0, pgid);
		if (foreground)
			tcsetpgrp(STDIN_FILENO, pgid ? pgid : getpid());
	}
	restore_default_signals();
	if (input >= 0) {
		dup2(input, STDIN_FILENO);
		close(input);
	}
	if (output >= 0) {
		dup2(output, STDOUT_FILENO);
		close(output);
	}
	if (null_input) {	/* a background job without job control must not read the terminal */
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0 && null != STDIN_FILENO) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
	}
	if (!redirect_all(command))
		_exit(1);
	if (expanded->argc == 0)
		_exit(0);
	apply_assignments(expanded, true);
	const struct builtin *builtin = find_builtin(expanded->argv[0]);
	if (builtin) {
		int status = builtin->run(expanded->argc, expanded->argv);
		fflush(NULL);
		_exit(status);
	}
	exec_program(expanded->argv);
}

/* The $? a wait status stands for: the exit status, or 128 + the signal. */
static int status_of(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSTOPPED(wait_status))
		return 128 + WSTOPSIG(wait_status);
	return 128 + WTERMSIG(wait_status);
}

/* Tells the user a process died of a signal, as bash does. */
static void report_signal_death(int wait_status)
{
	const char *message = signal_message(WTERMSIG(wait_status));

	if (message)
		fprintf(stderr, "%s%s\n", message, WCOREDUMP(wait_status) ? " (core dumped)" : "");
}

/*
 * Waits for every process of a job (resumed: after fg has sent SIGCONT)
 * and returns the status of the last one. With job control the job owns
 * the terminal meanwhile; the shell takes it back afterwards.
 */
static int wait_for_job(pid_t pgid, pid_t *pids, int count, bool resumed)
{
	int status = 0;
	bool stopped = false, killed = false, interrupted_by_user = false;

	if (job_control)
		tcsetpgrp(STDIN_FILENO, pgid);
	if (resumed)
		kill(-pgid, SIGCONT);
	for (int i = 0; i < count; i++) {
		int wait_status;
		pid_t pid;
		do
			pid = waitpid(pids[i], &wait_status, job_control ? WUNTRACED : 0);
		while (pid < 0 && errno == EINTR);
		if (pid < 0)
			continue;
		if (WIFSTOPPED(wait_status))
			stopped = true;
		if (WIFSIGNALED(wait_status)) {
			killed = true;
			if (WTERMSIG(wait_status) == SIGINT)
				interrupted_by_user = true;
			report_signal_death(wait_status);
		}
		if (i == count - 1)
			status = status_of(wait_status);
	}
	if (job_control) {
		tcsetpgrp(STDIN_FILENO, shell_pgid);
		/* A program that died or stopped in raw mode must not leave the terminal raw. */
		if (killed || stopped)
			tcsetattr(STDIN_FILENO, TCSADRAIN, &shell_termios);
	}
	if (interrupted_by_user && interactive)
		fputc('\n', stderr);	/* ends the line where the terminal echoed ^C */
	if (stopped) {
		/* Remember the whole job: fg waits for all of it again. */
		stopped_job.pgid = pgid;
		stopped_job.count = count;
		memcpy(stopped_job.pids, pids, count * sizeof(pid_t));
		fprintf(stderr, "\n[1]+  Stopped\n");
	}
	return status;
}

/* fg: give the terminal back to the job ^Z stopped, and wake it up. */
int resume_stopped_job(void)
{
	if (stopped_job.count == 0) {
		report_error("fg: no current job");
		return 1;
	}
	int count = stopped_job.count;
	stopped_job.count = 0;
	return wait_for_job(stopped_job.pgid, stopped_job.pids, count, true);
}

/* Runs a builtin or a bare assignment inside the shell, with its redirections. */
static int run_in_shell(const struct command *command, struct expanded_command *expanded,
			const struct builtin *builtin)
{
	struct saved_descriptors saved;
	int status = 0;

	save_descriptors(command, &saved);
	if (!redirect_all(command))
		status = 1;
	else if (builtin) {
		apply_assignments(expanded, false);
		status = builtin->run(expanded->argc, expanded->argv);
	} else {
		apply_assignments(expanded, false);
	}
	restore_descriptors(&saved);
	return status;
}

static int run_pipeline(struct pipeline *pipeline)
{
	struct expanded_command expanded[MAX_PIPELINE];
	pid_t pids[MAX_PIPELINE];
	pid_t pgid = 0;
	int input = -1, started = 0;

	for (int i = 0; i < pipeline->command_count; i++)
		if (!expand_command(pipeline->commands[i], &expanded[i]))
			return 2;
	if (pipeline->command_count == 1 && !pipeline->background) {
		const struct builtin *builtin =
			expanded[0].argc ? find_builtin(expanded[0].argv[0]) : NULL;
		if (builtin || expanded[0].argc == 0)
			return run_in_shell(pipeline->commands[0], &expanded[0], builtin);
	}
	fflush(NULL);	/* or the children inherit what is still buffered */
	for (int i = 0; i < pipeline->command_count; i++) {
		int pipe_fds[2] = { -1, -1 };
		bool last = i == pipeline->command_count - 1;
		/* O_CLOEXEC: the programs see the pipe only as their stdin/stdout. */
		if (!last && pipe2(pipe_fds, O_CLOEXEC) < 0) {
			report_error("pipe: %s", strerror(errno));
			break;
		}
		pid_t pid = fork();
		if (pid == 0) {
			if (pipe_fds[0] >= 0)
				close(pipe_fds[0]);
			run_child(&expanded[i], pipeline->commands[i], pgid, !pipeline->background,
				  input, pipe_fds[1], pipeline->background && !job_control && i == 0);
		}
		if (pid < 0) {
			report_error("fork: %s", strerror(errno));
			if (pipe_fds[0] >= 0)
				close(pipe_fds[0]), close(pipe_fds[1]);
			break;
		}
		if (job_control) {
			if (pgid == 0)
				pgid = pid;
			setpgid(pid, pgid);
		}
		if (input >= 0)
			close(input);
		if (pipe_fds[1] >= 0)
			close(pipe_fds[1]);
		input = pipe_fds[0];
		pids[started++] = pid;
	}
	if (input >= 0)
		close(input);
	if (started == 0)
		return 1;
	if (pipeline->background) {
		last_background_pid = pids[started - 1];
		if (interactive)
			fprintf(stderr, "[&] %d\n", (int)last_background_pid);
		return 0;
	}
	return wait_for_job(pgid, pids, started, false);
}

void run_list(struct pipeline *list)
{
	for (struct pipeline *pipeline = list; pipeline && !exit_requested; pipeline = pipeline->next) {
		if (pipeline->connector == RUN_IF_SUCCESS && last_status != 0)
			continue;
		if (pipeline->connector == RUN_IF_FAILURE && last_status == 0)
			continue;
		int status = run_pipeline(pipeline);
		last_status = pipeline->negate ? !status : status;
	}
}

/* Background jobs that finished: reap them so they do not stay zombies. */
void reap_background_jobs(void)
{
	int wait_status;

	while (waitpid(-1, &wait_status, WNOHANG) > 0)
		;
}
