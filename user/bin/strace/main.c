/* SPDX-License-Identifier: MIT */
/*
 * main.c - strace: options, starting or attaching to the tracees, and
 * the wait loop that turns their stops into lines.
 *
 * The loop is the classic Linux one: waitpid(-1, __WALL) reports a stop,
 * we look at what kind it is, print, and resume with PTRACE_SYSCALL.
 *
 *   WSTOPSIG == SIGTRAP|0x80   syscall entry or exit (PTRACE_O_TRACESYSGOOD);
 *                              PTRACE_GET_SYSCALL_INFO tells which
 *   status >> 16 == event      fork/vfork/clone (a new tracee), exec, stop
 *   other WSTOPSIG             a signal about to be delivered: print
 *                              "--- SIGX {...} ---" and pass it on
 *   WIFEXITED / WIFSIGNALED    "+++ exited with N +++", "+++ killed by ..."
 *
 * A program is started as strace does it in spirit: fork, the child asks
 * PTRACE_TRACEME, stops itself with SIGSTOP and execs, so the first line
 * is its execve. -p attaches with PTRACE_SEIZE and PTRACE_INTERRUPT and,
 * on SIGINT/SIGTERM, detaches every tracee before exiting.
 *
 * The same file builds against Linux and, through the shim, on Loupe.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "strace.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#define MAX_TRACEES 256

struct options opt = { .max_strlen = 32 };
extern bool opt_pid_prefix_always;
const char *errno_message(int err);

static struct tracee tracees[MAX_TRACEES];
static int tracee_count;
static pid_t main_pid;                  /* the started program; 0 with -p */
static int exit_code;                   /* strace's own exit status */
static int killed_by;                   /* the main tracee's fatal signal: strace dies of it too */
const char *program_name = "strace";
static volatile sig_atomic_t interrupted;  /* the signal that asked us to stop */

static const long trace_options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC;
static const long follow_options = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				   PTRACE_O_TRACECLONE;

/* --- the tracee table ------------------------------------------------- */

static struct tracee *tracee_find(pid_t pid)
{
	for (int i = 0; i < MAX_TRACEES; i++)
		if (tracees[i].in_use && tracees[i].pid == pid)
			return &tracees[i];
	return NULL;
}

static struct tracee *tracee_add(pid_t pid)
{
	for (int i = 0; i < MAX_TRACEES; i++) {
		if (tracees[i].in_use)
			continue;
		memset(&tracees[i], 0, sizeof(tracees[i]));
		tracees[i].in_use = true;
		tracees[i].pid = pid;
		tracees[i].mem_fd = -1;
		tracee_count++;
		out_set_multi(tracee_count > 1 && opt.follow_forks);
		return &tracees[i];
	}
	return NULL;
}

static void tracee_remove(struct tracee *t)
{
	mem_forget(t);
	t->in_use = false;
	tracee_count--;
	out_set_multi(tracee_count > 1 && opt.follow_forks);
}

/* --- messages and usage errors ---------------------------------------- */

static void __attribute__((noreturn)) usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", program_name);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s -h' for more information.\n", program_name);
	exit(1);
}

static void __attribute__((noreturn)) fatal(const char *fmt, const char *arg, int err)
{
	fprintf(stderr, "%s: ", program_name);
	fprintf(stderr, fmt, arg);
	if (err)
		fprintf(stderr, ": %s", errno_message(err));
	fprintf(stderr, "\n");
	exit(1);
}

static void usage(void)
{
	fputs("Usage: strace [-cfTtv] [-e trace=EXPR] [-o FILE] [-s STRSIZE] "
	      "{-p PID | PROG [ARGS]}\n"
	      "  -c           count time, calls and errors per syscall, print a summary\n"
	      "  -e trace=SET trace only SET: names, %file, %process, %signal, %memory, !...\n"
	      "  -f           follow forks\n"
	      "  -o FILE      write the trace to FILE\n"
	      "  -p PID       attach to process PID (^C detaches)\n"
	      "  -s STRSIZE   print at most STRSIZE characters of a string (32)\n"
	      "  -T           show the time spent in each syscall\n"
	      "  -t, -tt      prefix lines with the time of day (-tt: with microseconds)\n"
	      "  -v           print structures in full\n", stdout);
	exit(0);
}

/* --- starting and attaching ------------------------------------------- */

/* The file execve will run: PROG itself if it has a '/', else found in PATH. */
static char *find_program(const char *name)
{
	static char path[PATH_MAX];
	struct stat st;

	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			fatal("Can't stat '%s'", name, errno);
		return (char *)name;
	}
	const char *dirs = getenv("PATH");
	if (!dirs)
		dirs = "/bin:/usr/bin";
	while (*dirs) {
		size_t len = strcspn(dirs, ":");
		snprintf(path, sizeof(path), "%.*s/%s", (int)len, len ? dirs : ".", name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return path;
		dirs += len + (dirs[len] == ':');
	}
	fatal("Can't stat '%s'", name, ENOENT);
}

static void start_program(char **argv)
{
	char *path = find_program(argv[0]);
	pid_t pid = fork();

	if (pid < 0)
		fatal("fork%s", "", errno);
	if (pid == 0) {
		if (opt.out != stderr)
			fclose(opt.out);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		kill(getpid(), SIGSTOP);
		execv(path, argv);
		fprintf(stderr, "%s: exec: %s\n", program_name, errno_message(errno));
		_exit(1);
	}
	main_pid = pid;
	tracee_add(pid);
}

static void attach_process(const char *arg)
{
	char *end;
	long pid = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || pid <= 0 || pid > INT_MAX)
		fatal("Invalid process id: '%s'", arg, 0);
	long options = trace_options | (opt.follow_forks ? follow_options : 0);
	if (ptrace(PTRACE_SEIZE, (pid_t)pid, NULL, (void *)options) < 0) {
		char what[64];
		snprintf(what, sizeof(what), "attach: ptrace(PTRACE_SEIZE, %ld)", pid);
		fatal("%s", what, errno);
	}
	ptrace(PTRACE_INTERRUPT, (pid_t)pid, NULL, NULL);
	struct tracee *t = tracee_add((pid_t)pid);
	t->attached_msg = true;
	fprintf(stderr, "%s: Process %ld attached\n", program_name, pid);
}

/* ^C with -p: stop each tracee, finish its line and let it go. */
static void detach_all(void)
{
	for (int i = 0; i < MAX_TRACEES; i++) {
		struct tracee *t = &tracees[i];
		int status;
		if (!t->in_use)
			continue;
		ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL);
		while (waitpid(t->pid, &status, __WALL) == t->pid) {
			if (WIFEXITED(status) || WIFSIGNALED(status))
				break;
			if (!WIFSTOPPED(status))
				continue;
			int sig = WSTOPSIG(status);
			bool deliver = sig != SIGSTOP && sig != SIGTRAP && sig != (SIGTRAP | 0x80) &&
				       (status >> 16) == 0;
			ptrace(PTRACE_DETACH, t->pid, NULL, (void *)(long)(deliver ? sig : 0));
			break;
		}
		out_flush();
		fprintf(stderr, "%s: Process %d detached\n", program_name, (int)t->pid);
		if (t->in_syscall && t->traced_call && !opt.summary && out_line_open_for(t)) {
			out_puts(" <detached ...>");
			out_line_end();
		}
		tracee_remove(t);
	}
}

static void on_interrupt(int sig)
{
	interrupted = sig;
}

static void set_signal_handling(bool attached)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = attached ? on_interrupt : SIG_IGN;   /* no SA_RESTART: wake waitpid */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_interrupt;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* --- the stops ---------------------------------------------------------- */

static void resume(struct tracee *t, int sig)
{
	ptrace(PTRACE_SYSCALL, t->pid, NULL, (void *)(long)sig);
}

static void elapsed_since(const struct timespec *start, struct timespec *spent)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	spent->tv_sec = now.tv_sec - start->tv_sec;
	spent->tv_nsec = now.tv_nsec - start->tv_nsec;
	if (spent->tv_nsec < 0) {
		spent->tv_sec--;
		spent->tv_nsec += 1000000000;
	}
}

/*
 * Reads which stop this is. Returns 1 for entry, 0 for exit, filling in
 * t->nr and t->args (entry) or t->retval and t->failed (exit).
 */
static int read_syscall_stop(struct tracee *t)
{
	struct __ptrace_syscall_info info;
	struct user_regs_struct regs;

	memset(&info, 0, sizeof(info));
	long size = ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof(info), &info);
	if (size > 0 && info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		t->nr = (long)info.entry.nr;
		memcpy(t->args, info.entry.args, sizeof(t->args));
		return 1;
	}
	if (size > 0 && info.op == PTRACE_SYSCALL_INFO_EXIT) {
		t->retval = info.exit.rval;
		t->failed = info.exit.is_error;
		if (!t->in_syscall && ptrace(PTRACE_GETREGS, t->pid, NULL, &regs) == 0)
			t->nr = (long)regs.orig_rax;
		return 0;
	}
	/* No PTRACE_GET_SYSCALL_INFO: entries and exits alternate. */
	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &regs) < 0)
		return t->in_syscall ? 0 : 1;
	if (!t->in_syscall) {
		uint64_t args[6] = { regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9 };
		t->nr = (long)regs.orig_rax;
		memcpy(t->args, args, sizeof(args));
		return 1;
	}
	t->retval = (int64_t)regs.rax;
	t->failed = t->retval < 0 && t->retval >= -4095;
	return 0;
}

static void on_syscall_stop(struct tracee *t)
{
	if (read_syscall_stop(t)) {
		t->in_syscall = true;
		t->unfinished = false;
		t->traced_call = filter_traces(t->nr);
		clock_gettime(CLOCK_MONOTONIC, &t->entry_time);
		if (t->traced_call && !opt.summary)
			decode_entry(t);
		return;
	}
	if (!t->in_syscall) {                   /* exit of a call begun before we attached */
		t->traced_call = filter_traces(t->nr);
		t->first_out = 6;
		clock_gettime(CLOCK_MONOTONIC, &t->entry_time);
	}
	t->in_syscall = false;
	t->prev_nr = t->nr;
	if (!t->traced_call)
		return;
	if (opt.summary) {
		struct timespec spent;
		elapsed_since(&t->entry_time, &spent);
		summary_record(t->nr, t->failed, &spent);
	} else {
		decode_exit(t, false);
	}
}

static void on_signal_stop(struct tracee *t, int sig)
{
	siginfo_t si;

	if (ptrace(PTRACE_GETSIGINFO, t->pid, NULL, &si) < 0) {
		/* a group stop: the tracee really stops; let it */
		if (!opt.summary) {
			out_line_start(t);
			out_printf("--- stopped by %s ---", signal_name(sig) ? signal_name(sig) : "?");
			out_line_end();
		}
		resume(t, 0);
		return;
	}
	if (!opt.summary) {
		out_line_start(t);
		out_puts("--- ");
		print_signal(sig);
		out_puts(" ");
		print_siginfo(&si);
		out_puts(" ---");
		out_line_end();
	}
	resume(t, sig);
}

/* The first stop of a new tracee: set options, program the filter. */
static void on_first_stop(struct tracee *t)
{
	long options = trace_options | (opt.follow_forks ? follow_options : 0);

	t->seen_first_stop = true;
	ptrace(PTRACE_SETOPTIONS, t->pid, NULL, (void *)options);
	filter_program_kernel(t->pid);
	resume(t, 0);
}

static void on_event_stop(struct tracee *t, int event)
{
	unsigned long message;

	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		ptrace(PTRACE_GETEVENTMSG, t->pid, NULL, &message);
		break;
	case PTRACE_EVENT_EXEC:
		mem_forget(t);                  /* the old address space is gone */
		break;
	}
	resume(t, 0);
}

static void on_tracee_exit(struct tracee *t, int status)
{
	if (t->in_syscall && t->traced_call && !opt.summary)
		decode_exit(t, true);
	if (!opt.summary) {
		out_line_start(t);
		if (WIFEXITED(status)) {
			out_printf("+++ exited with %d +++", WEXITSTATUS(status));
		} else {
			out_puts("+++ killed by ");
			print_signal(WTERMSIG(status));
			out_puts(WCOREDUMP(status) ? " (core dumped) +++" : " +++");
		}
		out_line_end();
	}
	if (t->pid == main_pid)
		exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (t->pid == main_pid && WIFSIGNALED(status))
		killed_by = WTERMSIG(status);
	tracee_remove(t);
}

static void on_new_tracee(struct tracee *t)
{
	if (!t->attached_msg) {
		out_flush();
		fprintf(stderr, "%s: Process %d attached\n", program_name, (int)t->pid);
		t->attached_msg = true;
	}
}

static void trace_loop(void)
{
	while (tracee_count > 0) {
		int status;
		if (interrupted) {
			detach_all();
			exit_code = 128 + interrupted;  /* strace re-raises the signal */
			break;
		}
		pid_t pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct tracee *t = tracee_find(pid);
		if (!t) {
			t = tracee_add(pid);
			if (!t) {
				ptrace(PTRACE_DETACH, pid, NULL, NULL);
				continue;
			}
			on_new_tracee(t);
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			on_tracee_exit(t, status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status);
		int event = (unsigned)status >> 16;
		if (!t->seen_first_stop && (sig == SIGSTOP || event == PTRACE_EVENT_STOP))
			on_first_stop(t);
		else if (sig == (SIGTRAP | 0x80)) {
			on_syscall_stop(t);
			resume(t, 0);
		} else if (event == PTRACE_EVENT_STOP)
			resume(t, 0);
		else if (event)
			on_event_stop(t, event);
		else
			on_signal_stop(t, sig);
	}
}

/* --- options ------------------------------------------------------------ */

int main(int argc, char **argv)
{
	if (argv[0] && argv[0][0])
		program_name = argv[0];
	const char *outfile = NULL;
	const char *attach_pids[MAX_TRACEES];
	int attach_count = 0;
	int c;

	opt.out = stderr;
	opterr = 0;
	while ((c = getopt(argc, argv, "+cfhVvTto:p:s:e:")) != -1) {
		switch (c) {
		case 'c': opt.summary = true; break;
		case 'f': opt.follow_forks = true; break;
		case 'T': opt.show_time_spent = true; break;
		case 't': opt.timestamps++; break;
		case 'v': opt.verbose = true; break;
		case 'o': outfile = optarg; break;
		case 'h': usage(); break;
		case 'V': puts("strace -- version 6.1 (Loupe strace, the Linux ptrace API)"); return 0;
		case 'p':
			if (attach_count < MAX_TRACEES)
				attach_pids[attach_count++] = optarg;
			break;
		case 's': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0 || n > INT_MAX)
				usage_error("invalid -s argument: '%s'", optarg);
			opt.max_strlen = (int)n;
			break;
		}
		case 'e':
			if (!filter_parse(optarg))
				exit(1);
			break;
		case '?': {
			char bad[2] = { (char)optopt, '\0' };
			if (strchr("ops:e:", optopt) && optopt != ':')
				usage_error("option requires an argument -- '%s'", bad);
			usage_error("invalid option -- '%s'", bad);
		}
		}
	}
	for (int i = 0; i < attach_count; i++) {
		char *end;
		long pid = strtol(attach_pids[i], &end, 10);
		if (*attach_pids[i] == '\0' || *end != '\0' || pid <= 0)
			fatal("Invalid process id: '%s'", attach_pids[i], 0);
	}
	if (optind >= argc && attach_count == 0)
		usage_error("must have PROG [ARGS] or -p PID%s", "");
	if (outfile) {
		opt.out = fopen(outfile, "w");
		if (!opt.out)
			fatal("Can't fopen '%s'", outfile, errno);
		opt_pid_prefix_always = opt.follow_forks;
	}
	if (optind < argc) {
		start_program(argv + optind);
		set_signal_handling(false);
	} else {
		set_signal_handling(true);
		for (int i = 0; i < attach_count; i++)
			attach_process(attach_pids[i]);
		for (int i = 0; i < MAX_TRACEES; i++)
			tracees[i].seen_first_stop = false;
	}
	trace_loop();
	if (opt.summary)
		summary_print(opt.out);
	out_flush();
	if (killed_by && killed_by != SIGKILL && killed_by != SIGSTOP) {
		/* Like real strace: die of the same signal, so our parent sees what it would have. */
		signal(killed_by, SIG_DFL);
		sigset_t unblock;
		sigemptyset(&unblock);
		sigaddset(&unblock, killed_by);
		sigprocmask(SIG_UNBLOCK, &unblock, NULL);
		fflush(NULL);
		kill(getpid(), killed_by);
	}
	return exit_code;
}
