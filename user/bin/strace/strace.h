/* SPDX-License-Identifier: MIT */
/*
 * strace.h - what the strace files share: the tracee record, the syscall
 * descriptor table, the output line discipline and the formatters.
 *
 * strace is written only against the Linux ptrace API (<sys/ptrace.h>,
 * <sys/wait.h>, <sys/user.h>), so the same source builds for Linux with
 * musl-gcc and for Loupe with build/sdk/bin/loupe-cc, where the ptrace
 * shim (user/lib/) rebuilds that API over /proc/<pid>/trace. The one Loupe
 * extension, the kernel syscall filter, is used behind #ifdef in filter.c.
 *
 *   main.c     options, starting or attaching, the wait loop
 *   output.c   the output line: pid prefixes, column 40, unfinished/resumed
 *   syscalls.c the syscall table: names from <loupe/syscall_list.h>,
 *              argument types per syscall, trace classes (%file, ...)
 *   decode.c   printing one syscall's arguments and return value
 *   format.c   strings, flags, structs (stat, timespec, iovec, ...)
 *   signals.c  signal names, signal sets, siginfo
 *   filter.c   -e trace=: the set, and the kernel filter on Loupe
 *   summary.c  -c: counting and the summary table
 */
#ifndef STRACE_H
#define STRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define STRACE_MAX_SYSCALL 512          /* table size; the Loupe filter is 512 bits */

/* How one argument is printed (decode.c has a printer per type). */
enum arg_type {
	ARG_INT,            /* signed decimal */
	ARG_UINT,           /* unsigned decimal */
	ARG_HEX,            /* 0x... */
	ARG_PTR,            /* 0x... or NULL */
	ARG_FD,             /* int, AT_FDCWD for -100 */
	ARG_PATH,           /* NUL-terminated path, never cut */
	ARG_STR,            /* NUL-terminated string, cut at -s */
	ARG_BUF_IN,         /* buffer of length next arg, printed at entry */
	ARG_BUF_OUT,        /* buffer filled by the call, length = return value */
	ARG_PATH_OUT,       /* getcwd/readlink result, length = return value */
	ARG_OPEN_FLAGS,
	ARG_MODE,           /* 0644, only with O_CREAT for open */
	ARG_OCTAL,          /* umask */
	ARG_PROT,
	ARG_MAP_FLAGS,
	ARG_CLONE_FLAGS,
	ARG_WAIT_OPTS,
	ARG_WSTATUS_OUT,
	ARG_SIGNAL,
	ARG_SIGSET_IN,
	ARG_SIGSET_OUT,
	ARG_SIGHOW,
	ARG_SIGACTION_IN,
	ARG_SIGACTION_OUT,
	ARG_IOCTL_REQ,
	ARG_IOCTL_ARG,
	ARG_FCNTL_CMD,
	ARG_FCNTL_ARG,
	ARG_STAT_OUT,
	ARG_TIMESPEC_IN,
	ARG_TIMESPEC_OUT,
	ARG_TIMEVAL_OUT,
	ARG_IOVEC_IN,
	ARG_IOVEC_OUT,
	ARG_UTSNAME_OUT,
	ARG_POLLFD,
	ARG_ARGV,
	ARG_ENVP,
	ARG_ARCH_PRCTL_CODE,
	ARG_ARCH_PRCTL_ADDR,
	ARG_PIPEFDS_OUT,
	ARG_DIRENTS_OUT,
	ARG_ACCESS_MODE,
	ARG_WHENCE,
	ARG_CLOCKID,
	ARG_RLIMIT_RES,
	ARG_RLIMIT_IN,
	ARG_RLIMIT_OUT,
	ARG_AT_FLAGS,
	ARG_MADVICE,
	ARG_SYSINFO_OUT,
	ARG_RANDOM_OUT,
	ARG_RANDOM_FLAGS,
	ARG_OFLAGS_CLOEXEC, /* dup3, pipe2: only O_ flags */
	ARG_CLOCK_FLAGS,    /* clock_nanosleep: TIMER_ABSTIME */
	ARG_REBOOT_MAGIC,
	ARG_REBOOT_CMD,
	ARG_RENAME_FLAGS,
	ARG_SIGSETSIZE,     /* plain decimal, but names the sigset size */
	ARG_TYPE_COUNT
};

/* How the return value is printed. */
enum ret_type { RET_DEC, RET_HEX, RET_OCTAL, RET_NONE, RET_FD };

/* Trace classes, for -e trace=%name. */
enum {
	CLASS_FILE    = 1 << 0,
	CLASS_PROCESS = 1 << 1,
	CLASS_SIGNAL  = 1 << 2,
	CLASS_MEMORY  = 1 << 3,
	CLASS_DESC    = 1 << 4,
};

struct syscall_desc {
	const char *name;           /* NULL: not in <loupe/syscall_list.h> */
	uint8_t nargs;
	uint8_t ret;                /* enum ret_type */
	uint8_t classes;
	uint8_t args[6];            /* enum arg_type */
};

/* One traced process. */
struct tracee {
	pid_t pid;
	bool in_use;
	bool in_syscall;            /* between entry and exit stop */
	bool attached_msg;          /* "Process N attached" printed */
	bool seen_first_stop;       /* options set, filter programmed */
	bool unfinished;            /* entry line interrupted by another pid */
	bool traced_call;           /* the current call passes -e trace */
	int mem_fd;                 /* /proc/<pid>/mem, -1 when closed */
	long nr;                    /* current syscall number */
	long prev_nr;               /* the one before (restart_syscall names it) */
	uint64_t args[6];
	int64_t retval;
	bool failed;                /* retval is -errno */
	int first_out;              /* index of the first arg printed at exit */
	struct timespec entry_time;
};

/* main.c: the option values everyone reads. */
struct options {
	bool follow_forks;          /* -f */
	bool summary;               /* -c */
	bool show_time_spent;       /* -T */
	int timestamps;             /* -t count: 2 = -tt */
	bool verbose;               /* -v */
	int max_strlen;             /* -s, 32 */
	FILE *out;                  /* -o file, stderr */
};
extern struct options opt;

/* syscalls.c */
const struct syscall_desc *syscall_desc_of(long nr);
int syscall_number_of(const char *name);
void syscall_class_members(unsigned classes, uint64_t set[STRACE_MAX_SYSCALL / 64]);

/* output.c: every byte of trace output goes through these. */
void out_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_puts(const char *s);
void out_line_start(struct tracee *t);      /* closes another pid's open line */
void out_line_end(void);                    /* newline, line closed */
void out_pad_to_result(void);               /* pad to column 40, then " = " */
bool out_line_open_for(const struct tracee *t);
void out_interrupt_open_line(void);
void out_set_multi(bool multi);             /* print [pid N] prefixes */
void out_flush(void);

/* decode.c */
void decode_entry(struct tracee *t);
void decode_exit(struct tracee *t, bool vanished);

/* format.c */
int mem_read(struct tracee *t, uint64_t addr, void *buf, size_t len);
int mem_read_str(struct tracee *t, uint64_t addr, char *buf, size_t max, bool *terminated);
void mem_forget(struct tracee *t);
void print_ptr(uint64_t addr);
void print_quoted(const char *s, size_t len, bool force_hex);
void print_path(struct tracee *t, uint64_t addr);
void print_cstring(struct tracee *t, uint64_t addr);
void print_buffer(struct tracee *t, uint64_t addr, uint64_t len, bool force_hex);
struct flag_name { uint64_t value; const char *name; };
#define FLAGS_END { 0, NULL }
void print_flags(const struct flag_name *table, uint64_t value, const char *zero_name);
bool print_value(const struct flag_name *table, uint64_t value);  /* false: not found */
const char *value_name(const struct flag_name *table, uint64_t value);
void print_open_flags(uint64_t flags);
void print_mode(uint64_t mode);
void print_file_mode(uint64_t mode);
void print_stat(struct tracee *t, uint64_t addr);
void print_timespec(struct tracee *t, uint64_t addr);
void print_timeval(struct tracee *t, uint64_t addr);
void print_iovec(struct tracee *t, uint64_t addr, uint64_t count, int64_t data_len);
void print_utsname(struct tracee *t, uint64_t addr);
void print_pollfds(struct tracee *t, uint64_t addr, uint64_t count, bool revents);
void print_string_array(struct tracee *t, uint64_t addr, bool abbreviate);
void print_rlimit(struct tracee *t, uint64_t addr);
void print_sysinfo(struct tracee *t, uint64_t addr);
void print_wstatus_value(int status);
void print_ioctl_request(uint64_t request);
void print_ioctl_arg(struct tracee *t, uint64_t request, uint64_t arg, bool at_exit);
bool ioctl_arg_is_output(uint64_t request);
void print_errno_result(int64_t err);

/* signals.c */
const char *signal_name(int sig);                /* "SIGINT", NULL if unknown */
void print_signal(int sig);
void print_sigset_value(const uint64_t *mask, unsigned nbits);
void print_sigset(struct tracee *t, uint64_t addr, uint64_t size);
void print_sigaction(struct tracee *t, uint64_t addr);
void print_siginfo(const void *siginfo);
int signal_number_of(const char *name);

/* filter.c */
bool filter_parse(const char *expr);                 /* -e trace=...; false on error */
bool filter_traces(long nr);
bool filter_active(void);
void filter_program_kernel(pid_t pid);

/* summary.c */
void summary_record(long nr, bool failed, const struct timespec *spent);
void summary_print(FILE *out);

/* How strace was called (argv[0]): its messages name it, as real strace's do. */
extern const char *program_name;

#endif
