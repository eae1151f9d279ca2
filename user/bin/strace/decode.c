/* SPDX-License-Identifier: MIT */
/*
 * decode.c - turning one syscall stop into text: "name(args" at entry,
 * "rest) = result" at exit.
 *
 * An argument is printed at entry if the call only reads it (a path, a
 * write buffer, flags) and at exit if the call fills it in (a read
 * buffer, a struct stat): as in strace, everything from the first output
 * argument on waits for the exit stop, so a blocked read shows as
 * "read(0, " while it blocks. Each argument type of syscalls.c has one
 * printer in the table below; the printers call format.c, structs.c and
 * signals.c. Output arguments of a failed call print as addresses.
 *
 * The few calls whose printing depends on another argument (open's mode,
 * fcntl's third argument, ioctl's) are handled by their printers looking
 * at t->args; the results that carry a comment (fcntl F_GETFL, poll) are
 * in print_result.
 */
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "strace.h"

void print_oflags_only(uint64_t flags);

enum { NR_nanosleep = 35, NR_fcntl = 72, NR_poll = 7, NR_ppoll = 271, NR_unlinkat = 263,
       NR_clone = 56, NR_rt_sigreturn = 15, NR_clock_nanosleep = 230, NR_restart_syscall = 219,
       NR_ioctl = 16, NR_arch_prctl = 158, NR_open = 2, NR_openat = 257 };

enum { F_DUPFD_ = 0, F_GETFD_ = 1, F_SETFD_ = 2, F_GETFL_ = 3, F_SETFL_ = 4, F_DUPFD_CLOEXEC_ = 1030 };

static const struct flag_name fcntl_cmds[] = {
	{ 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" },
	{ 4, "F_SETFL" }, { 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" },
	{ 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 10, "F_SETSIG" }, { 11, "F_GETSIG" },
	{ 1024, "F_SETLEASE" }, { 1025, "F_GETLEASE" }, { 1026, "F_NOTIFY" },
	{ 1030, "F_DUPFD_CLOEXEC" }, { 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" },
	FLAGS_END
};
static const struct flag_name fd_flags[] = { { 1, "FD_CLOEXEC" }, FLAGS_END };
static const struct flag_name prot_flags[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" }, { 8, "PROT_SEM" },
	{ 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" }, FLAGS_END
};
static const struct flag_name map_types[] = {
	{ 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" }, { 3, "MAP_SHARED_VALIDATE" }, FLAGS_END
};
static const struct flag_name map_flags[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" }, { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" }, { 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0x4000000, "MAP_UNINITIALIZED" }, FLAGS_END
};
static const struct flag_name clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" }, { 0x2000, "CLONE_PTRACE" },
	{ 0x4000, "CLONE_VFORK" }, { 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" }, { 0x80000, "CLONE_SETTLS" },
	{ 0x100000, "CLONE_PARENT_SETTID" }, { 0x200000, "CLONE_CHILD_CLEARTID" },
	{ 0x400000, "CLONE_DETACHED" }, { 0x800000, "CLONE_UNTRACED" },
	{ 0x1000000, "CLONE_CHILD_SETTID" }, { 0x2000000, "CLONE_NEWCGROUP" },
	{ 0x4000000, "CLONE_NEWUTS" }, { 0x8000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" }, { 0x80000000, "CLONE_IO" }, FLAGS_END
};
static const struct flag_name wait_options[] = {
	{ 1, "WNOHANG" }, { 2, "WSTOPPED" }, { 4, "WEXITED" }, { 8, "WCONTINUED" },
	{ 0x1000000, "WNOWAIT" }, { 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" },
	{ 0x80000000, "__WCLONE" }, FLAGS_END
};
static const struct flag_name sighow[] = {
	{ 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" }, FLAGS_END
};
static const struct flag_name arch_prctl_codes[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" }, { 0x1003, "ARCH_GET_FS" },
	{ 0x1004, "ARCH_GET_GS" }, { 0x1011, "ARCH_GET_CPUID" }, { 0x1012, "ARCH_SET_CPUID" },
	FLAGS_END
};
static const struct flag_name access_modes[] = {
	{ 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" }, FLAGS_END
};
static const struct flag_name whence_names[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" }, { 3, "SEEK_DATA" },
	{ 4, "SEEK_HOLE" }, FLAGS_END
};
static const struct flag_name clock_ids[] = {
	{ 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" }, { 2, "CLOCK_PROCESS_CPUTIME_ID" },
	{ 3, "CLOCK_THREAD_CPUTIME_ID" }, { 4, "CLOCK_MONOTONIC_RAW" },
	{ 5, "CLOCK_REALTIME_COARSE" }, { 6, "CLOCK_MONOTONIC_COARSE" },
	{ 7, "CLOCK_BOOTTIME" }, { 8, "CLOCK_REALTIME_ALARM" }, { 9, "CLOCK_BOOTTIME_ALARM" },
	{ 11, "CLOCK_TAI" }, FLAGS_END
};
static const struct flag_name rlimit_names[] = {
	{ 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" }, { 3, "RLIMIT_STACK" },
	{ 4, "RLIMIT_CORE" }, { 5, "RLIMIT_RSS" }, { 6, "RLIMIT_NPROC" }, { 7, "RLIMIT_NOFILE" },
	{ 8, "RLIMIT_MEMLOCK" }, { 9, "RLIMIT_AS" }, { 10, "RLIMIT_LOCKS" },
	{ 11, "RLIMIT_SIGPENDING" }, { 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" },
	{ 14, "RLIMIT_RTPRIO" }, { 15, "RLIMIT_RTTIME" }, FLAGS_END
};
static const struct flag_name at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_EACCESS" }, { 0x400, "AT_SYMLINK_FOLLOW" },
	{ 0x800, "AT_NO_AUTOMOUNT" }, { 0x1000, "AT_EMPTY_PATH" }, FLAGS_END
};
static const struct flag_name unlinkat_flags[] = { { 0x200, "AT_REMOVEDIR" }, FLAGS_END };
static const struct flag_name madvice[] = {
	{ 0, "MADV_NORMAL" }, { 1, "MADV_RANDOM" }, { 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" }, { 4, "MADV_DONTNEED" }, { 8, "MADV_FREE" }, { 9, "MADV_REMOVE" },
	{ 10, "MADV_DONTFORK" }, { 11, "MADV_DOFORK" }, { 12, "MADV_MERGEABLE" },
	{ 13, "MADV_UNMERGEABLE" }, { 14, "MADV_HUGEPAGE" }, { 15, "MADV_NOHUGEPAGE" },
	{ 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" }, { 18, "MADV_WIPEONFORK" },
	{ 19, "MADV_KEEPONFORK" }, { 20, "MADV_COLD" }, { 21, "MADV_PAGEOUT" }, FLAGS_END
};
static const struct flag_name random_flags[] = {
	{ 1, "GRND_NONBLOCK" }, { 2, "GRND_RANDOM" }, { 4, "GRND_INSECURE" }, FLAGS_END
};
static const struct flag_name clock_flags[] = { { 1, "TIMER_ABSTIME" }, FLAGS_END };
static const struct flag_name rename_flags[] = {
	{ 1, "RENAME_NOREPLACE" }, { 2, "RENAME_EXCHANGE" }, { 4, "RENAME_WHITEOUT" }, FLAGS_END
};
static const struct flag_name reboot_magic[] = {
	{ 0xfee1dead, "LINUX_REBOOT_MAGIC1" }, { 672274793, "LINUX_REBOOT_MAGIC2" },
	{ 85072278, "LINUX_REBOOT_MAGIC2A" }, { 369367448, "LINUX_REBOOT_MAGIC2B" },
	{ 537993216, "LINUX_REBOOT_MAGIC2C" }, FLAGS_END
};
static const struct flag_name reboot_cmds[] = {
	{ 0x01234567, "LINUX_REBOOT_CMD_RESTART" }, { 0xcdef0123, "LINUX_REBOOT_CMD_HALT" },
	{ 0x89abcdef, "LINUX_REBOOT_CMD_CAD_ON" }, { 0, "LINUX_REBOOT_CMD_CAD_OFF" },
	{ 0x4321fedc, "LINUX_REBOOT_CMD_POWER_OFF" }, { 0xa1b2c3d4, "LINUX_REBOOT_CMD_RESTART2" },
	{ 0xd000fce2, "LINUX_REBOOT_CMD_SW_SUSPEND" }, { 0x45584543, "LINUX_REBOOT_CMD_KEXEC" },
	FLAGS_END
};

/* --- argument printers ------------------------------------------------ */

typedef void arg_printer(struct tracee *t, int i);

static uint64_t sigsetsize_of(struct tracee *t)
{
	const struct syscall_desc *desc = syscall_desc_of(t->nr);
	for (int i = 0; desc && i < desc->nargs; i++)
		if (desc->args[i] == ARG_SIGSETSIZE)
			return t->args[i];
	return 8;
}

static void named_value(const struct flag_name *table, uint64_t value, const char *fallback_fmt)
{
	if (!print_value(table, value))
		out_printf(fallback_fmt, (unsigned long long)value);
}

static void p_int(struct tracee *t, int i)   { out_printf("%d", (int)t->args[i]); }
static void p_long(struct tracee *t, int i)  { out_printf("%lld", (long long)t->args[i]); }
static void p_uint(struct tracee *t, int i)  { out_printf("%llu", (unsigned long long)t->args[i]); }
static void p_hex(struct tracee *t, int i)   { out_printf("%#llx", (unsigned long long)t->args[i]); }
static void p_ptr(struct tracee *t, int i)   { print_ptr(t->args[i]); }
static void p_path(struct tracee *t, int i)  { print_path(t, t->args[i]); }
static void p_str(struct tracee *t, int i)   { print_cstring(t, t->args[i]); }
static void p_octal(struct tracee *t, int i) { print_mode(t->args[i]); }

static void p_fd(struct tracee *t, int i)
{
	if ((int)t->args[i] == -100)
		out_puts("AT_FDCWD");
	else
		out_printf("%d", (int)t->args[i]);
}

static void p_buf_in(struct tracee *t, int i)
{
	print_buffer(t, t->args[i], t->args[i + 1], false);
}

static void p_buf_out(struct tracee *t, int i)
{
	print_buffer(t, t->args[i], (uint64_t)t->retval, false);
}

static void p_random_out(struct tracee *t, int i)
{
	print_buffer(t, t->args[i], (uint64_t)t->retval, true);
}

static void p_path_out(struct tracee *t, int i)
{
	/* getcwd returns the length with the NUL, readlink without */
	uint64_t len = (uint64_t)t->retval;
	if (t->nr == 79 && len > 0)
		len--;
	print_buffer(t, t->args[i], len, false);
}

static void p_open_flags(struct tracee *t, int i) { print_open_flags(t->args[i]); }
static void p_mode(struct tracee *t, int i)       { print_mode(t->args[i]); }
static void p_prot(struct tracee *t, int i)       { print_flags(prot_flags, t->args[i], "PROT_NONE"); }

static void p_map_flags(struct tracee *t, int i)
{
	uint64_t flags = t->args[i];
	named_value(map_types, flags & 0xf, "%#llx");
	if (flags & ~0xfull) {
		out_puts("|");
		print_flags(map_flags, flags & ~0xfull, NULL);
	}
}

static void p_clone_flags(struct tracee *t, int i)
{
	uint64_t flags = t->args[i];
	print_flags(clone_flags, flags & ~0xffull, NULL);
	if (flags & 0xff) {
		if (flags & ~0xffull)
			out_puts("|");
		print_signal((int)(flags & 0xff));
	} else if (!(flags & ~0xffull)) {
		out_puts("0");
	}
}

static void p_wait_opts(struct tracee *t, int i) { print_flags(wait_options, t->args[i], "0"); }

static void p_wstatus_out(struct tracee *t, int i)
{
	int status;
	if (t->args[i] == 0 || t->retval == 0 || mem_read(t, t->args[i], &status, 4) < 0) {
		print_ptr(t->args[i]);
		return;
	}
	out_puts("[");
	print_wstatus_value(status);
	out_puts("]");
}

static void p_signal(struct tracee *t, int i)     { print_signal((int)t->args[i]); }
static void p_sigset(struct tracee *t, int i)     { print_sigset(t, t->args[i], sigsetsize_of(t)); }
static void p_sighow(struct tracee *t, int i)     { named_value(sighow, t->args[i], "%#llx"); }
static void p_sigaction(struct tracee *t, int i)  { print_sigaction(t, t->args[i]); }
static void p_ioctl_req(struct tracee *t, int i)  { print_ioctl_request(t->args[i]); }

static void p_ioctl_arg(struct tracee *t, int i)
{
	print_ioctl_arg(t, t->args[1], t->args[i], ioctl_arg_is_output(t->args[1]));
}

static void p_fcntl_cmd(struct tracee *t, int i)  { named_value(fcntl_cmds, t->args[i], "%#llx"); }

static void p_fcntl_arg(struct tracee *t, int i)
{
	switch (t->args[1]) {
	case F_SETFD_:
		print_flags(fd_flags, t->args[i], "0");
		break;
	case F_SETFL_:
		print_open_flags(t->args[i]);
		break;
	case 5: case 6: case 7:                 /* struct flock */
		print_ptr(t->args[i]);
		break;
	default:
		out_printf("%lld", (long long)(int)t->args[i]);
	}
}

static void p_stat(struct tracee *t, int i)      { print_stat(t, t->args[i]); }
static void p_timespec(struct tracee *t, int i)  { print_timespec(t, t->args[i]); }
static void p_timeval(struct tracee *t, int i)   { print_timeval(t, t->args[i]); }
static void p_utsname(struct tracee *t, int i)   { print_utsname(t, t->args[i]); }
static void p_sysinfo(struct tracee *t, int i)   { print_sysinfo(t, t->args[i]); }
static void p_rlimit(struct tracee *t, int i)    { print_rlimit(t, t->args[i]); }
static void p_iovec_in(struct tracee *t, int i)  { print_iovec(t, t->args[i], t->args[i + 1], -1); }
static void p_iovec_out(struct tracee *t, int i) { print_iovec(t, t->args[i], t->args[i + 1], t->retval); }
static void p_pollfd(struct tracee *t, int i)    { print_pollfds(t, t->args[i], t->args[i + 1], false); }
static void p_argv(struct tracee *t, int i)      { print_string_array(t, t->args[i], false); }
static void p_envp(struct tracee *t, int i)      { print_string_array(t, t->args[i], !opt.verbose); }

/* nanosleep's remaining time is only written when the sleep was interrupted. */
static void p_timespec_out(struct tracee *t, int i)
{
	bool rem = t->nr == NR_nanosleep || t->nr == NR_clock_nanosleep;
	if (rem && !t->failed)
		print_ptr(t->args[i]);
	else
		print_timespec(t, t->args[i]);
}

static void p_arch_code(struct tracee *t, int i) { named_value(arch_prctl_codes, t->args[i], "%#llx"); }

static void p_arch_addr(struct tracee *t, int i)
{
	uint64_t value;
	bool get = t->args[0] == 0x1003 || t->args[0] == 0x1004;
	if (get && !t->failed && mem_read(t, t->args[i], &value, 8) == 0)
		out_printf("[%#llx]", (unsigned long long)value);
	else
		print_ptr(t->args[i]);
}

static void p_pipefds(struct tracee *t, int i)
{
	int fds[2];
	if (mem_read(t, t->args[i], fds, sizeof(fds)) < 0)
		print_ptr(t->args[i]);
	else
		out_printf("[%d, %d]", fds[0], fds[1]);
}

static void p_dirents(struct tracee *t, int i)
{
	/* linux_dirent64: d_ino 8, d_off 8, d_reclen 2, d_type 1, d_name */
	unsigned entries = 0;
	for (int64_t offset = 0; offset < t->retval; entries++) {
		uint16_t reclen;
		if (mem_read(t, t->args[i] + (uint64_t)offset + 16, &reclen, 2) < 0 || reclen == 0)
			break;
		offset += reclen;
	}
	out_printf("%#llx /* %u entries */", (unsigned long long)t->args[i], entries);
}

static void p_access(struct tracee *t, int i)    { print_flags(access_modes, t->args[i], "F_OK"); }
static void p_whence(struct tracee *t, int i)    { named_value(whence_names, t->args[i], "%#llx"); }
static void p_clockid(struct tracee *t, int i)   { named_value(clock_ids, t->args[i], "%#llx"); }
static void p_rlimit_res(struct tracee *t, int i){ named_value(rlimit_names, t->args[i], "%#llx"); }
static void p_madvice(struct tracee *t, int i)   { named_value(madvice, t->args[i], "%#llx"); }
static void p_random_fl(struct tracee *t, int i) { print_flags(random_flags, t->args[i], "0"); }
static void p_oflags(struct tracee *t, int i)    { print_oflags_only(t->args[i]); }
static void p_clock_fl(struct tracee *t, int i)  { print_flags(clock_flags, t->args[i], "0"); }
static void p_rename_fl(struct tracee *t, int i) { print_flags(rename_flags, t->args[i], "0"); }
static void p_reboot_mg(struct tracee *t, int i) { named_value(reboot_magic, t->args[i], "%#llx"); }
static void p_reboot_cmd(struct tracee *t, int i){ named_value(reboot_cmds, t->args[i], "%#llx"); }

static void p_at_flags(struct tracee *t, int i)
{
	print_flags(t->nr == NR_unlinkat ? unlinkat_flags : at_flags, t->args[i], "0");
}

static const struct arg_row {
	arg_printer *print;
	bool output;            /* filled in by the call: printed at exit */
} arg_rows[ARG_TYPE_COUNT] = {
	[ARG_INT]            = { p_int, false },
	[ARG_UINT]           = { p_uint, false },
	[ARG_HEX]            = { p_hex, false },
	[ARG_PTR]            = { p_ptr, false },
	[ARG_FD]             = { p_fd, false },
	[ARG_PATH]           = { p_path, false },
	[ARG_STR]            = { p_str, false },
	[ARG_BUF_IN]         = { p_buf_in, false },
	[ARG_BUF_OUT]        = { p_buf_out, true },
	[ARG_PATH_OUT]       = { p_path_out, true },
	[ARG_OPEN_FLAGS]     = { p_open_flags, false },
	[ARG_MODE]           = { p_mode, false },
	[ARG_OCTAL]          = { p_octal, false },
	[ARG_PROT]           = { p_prot, false },
	[ARG_MAP_FLAGS]      = { p_map_flags, false },
	[ARG_CLONE_FLAGS]    = { p_clone_flags, false },
	[ARG_WAIT_OPTS]      = { p_wait_opts, false },
	[ARG_WSTATUS_OUT]    = { p_wstatus_out, true },
	[ARG_SIGNAL]         = { p_signal, false },
	[ARG_SIGSET_IN]      = { p_sigset, false },
	[ARG_SIGSET_OUT]     = { p_sigset, true },
	[ARG_SIGHOW]         = { p_sighow, false },
	[ARG_SIGACTION_IN]   = { p_sigaction, false },
	[ARG_SIGACTION_OUT]  = { p_sigaction, true },
	[ARG_IOCTL_REQ]      = { p_ioctl_req, false },
	[ARG_IOCTL_ARG]      = { p_ioctl_arg, false },    /* output decided per request */
	[ARG_FCNTL_CMD]      = { p_fcntl_cmd, false },
	[ARG_FCNTL_ARG]      = { p_fcntl_arg, false },
	[ARG_STAT_OUT]       = { p_stat, true },
	[ARG_TIMESPEC_IN]    = { p_timespec, false },
	[ARG_TIMESPEC_OUT]   = { p_timespec_out, true },
	[ARG_TIMEVAL_OUT]    = { p_timeval, true },
	[ARG_IOVEC_IN]       = { p_iovec_in, false },
	[ARG_IOVEC_OUT]      = { p_iovec_out, true },
	[ARG_UTSNAME_OUT]    = { p_utsname, true },
	[ARG_POLLFD]         = { p_pollfd, false },
	[ARG_ARGV]           = { p_argv, false },
	[ARG_ENVP]           = { p_envp, false },
	[ARG_ARCH_PRCTL_CODE] = { p_arch_code, false },
	[ARG_ARCH_PRCTL_ADDR] = { p_arch_addr, false },   /* output for ARCH_GET_* */
	[ARG_PIPEFDS_OUT]    = { p_pipefds, true },
	[ARG_DIRENTS_OUT]    = { p_dirents, true },
	[ARG_ACCESS_MODE]    = { p_access, false },
	[ARG_WHENCE]         = { p_whence, false },
	[ARG_CLOCKID]        = { p_clockid, false },
	[ARG_RLIMIT_RES]     = { p_rlimit_res, false },
	[ARG_RLIMIT_IN]      = { p_rlimit, false },
	[ARG_RLIMIT_OUT]     = { p_rlimit, true },
	[ARG_AT_FLAGS]       = { p_at_flags, false },
	[ARG_MADVICE]        = { p_madvice, false },
	[ARG_SYSINFO_OUT]    = { p_sysinfo, true },
	[ARG_RANDOM_OUT]     = { p_random_out, true },
	[ARG_RANDOM_FLAGS]   = { p_random_fl, false },
	[ARG_OFLAGS_CLOEXEC] = { p_oflags, false },
	[ARG_CLOCK_FLAGS]    = { p_clock_fl, false },
	[ARG_REBOOT_MAGIC]   = { p_reboot_mg, false },
	[ARG_REBOOT_CMD]     = { p_reboot_cmd, false },
	[ARG_RENAME_FLAGS]   = { p_rename_fl, false },
	[ARG_SIGSETSIZE]     = { p_uint, false },
};

/* lseek's offset and the like are signed 64-bit; p_int would cut them. */
static arg_printer *printer_for(const struct syscall_desc *desc, int i)
{
	if (desc->args[i] == ARG_INT && desc->nargs > 1 && i > 0 &&
	    (desc->args[0] == ARG_FD || desc->args[0] == ARG_PATH))
		return p_long;
	return arg_rows[desc->args[i]].print;
}

static bool arg_is_output(struct tracee *t, const struct syscall_desc *desc, int i)
{
	if (desc->args[i] == ARG_IOCTL_ARG)
		return ioctl_arg_is_output(t->args[1]);
	if (desc->args[i] == ARG_ARCH_PRCTL_ADDR)
		return t->args[0] == 0x1003 || t->args[0] == 0x1004;
	return arg_rows[desc->args[i]].output;
}

/* How many arguments this call prints: open's mode only with O_CREAT, ... */
static int shown_args(struct tracee *t, const struct syscall_desc *desc)
{
	int n = desc->nargs;

	if (n > 0 && desc->args[n - 1] == ARG_MODE) {
		uint64_t flags = t->args[n - 2];
		if (!(flags & 0100) && (flags & 020200000) != 020200000)
			n--;
	}
	if (desc->args[1] == ARG_FCNTL_CMD && n == 3) {
		uint64_t cmd = t->args[1];
		if (cmd == F_GETFD_ || cmd == F_GETFL_ || cmd == 9 || cmd == 11 ||
		    cmd == 1025 || cmd == 1032)
			n = 2;
	}
	return n;
}

static void print_args(struct tracee *t, const struct syscall_desc *desc, int from, int to)
{
	for (int i = from; i < to; i++) {
		if (i > from)
			out_puts(", ");
		if (t->failed && arg_is_output(t, desc, i) && desc->args[i] != ARG_TIMESPEC_OUT)
			print_ptr(t->args[i]);         /* a failed call filled nothing in */
		else
			printer_for(desc, i)(t, i);
	}
}

/* clone's arguments are printed with names, in strace's order. */
static void print_clone(struct tracee *t)
{
	uint64_t flags = t->args[0];
	out_puts("child_stack=");
	print_ptr(t->args[1]);
	out_puts(", flags=");
	p_clone_flags(t, 0);
	if (flags & 0x100000)
		out_printf(", parent_tid=%#llx", (unsigned long long)t->args[2]);
	if (flags & 0x80000)
		out_printf(", tls=%#llx", (unsigned long long)t->args[4]);
	if (flags & 0x1200000)
		out_printf(", child_tidptr=%#llx", (unsigned long long)t->args[3]);
}

/* rt_sigreturn: the mask being restored, from the signal frame at rsp. */
static void print_sigreturn(struct tracee *t)
{
	struct user_regs_struct regs;
	uint64_t mask;
	const uint64_t uc_sigmask = 40 + 256;   /* ucontext: flags, link, stack, mcontext */

	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &regs) < 0 ||
	    mem_read(t, regs.rsp + uc_sigmask, &mask, 8) < 0) {
		out_puts("{mask=?}");
		return;
	}
	out_puts("{mask=");
	print_sigset_value(&mask, 64);
	out_puts("}");
}

/* --- entry and exit --------------------------------------------------- */

static void print_name(struct tracee *t, const struct syscall_desc *desc)
{
	if (desc)
		out_printf("%s(", desc->name);
	else
		out_printf("syscall_%#lx(", (unsigned long)t->nr);
}

/* Prints "name(" and the arguments the call only reads. */
void decode_entry(struct tracee *t)
{
	const struct syscall_desc *desc = syscall_desc_of(t->nr);

	out_line_start(t);
	print_name(t, desc);
	if (!desc) {
		for (int i = 0; i < 6; i++)
			out_printf("%s%#llx", i ? ", " : "", (unsigned long long)t->args[i]);
		t->first_out = 6;
		return;
	}
	if (t->nr == NR_clone) {
		print_clone(t);
		t->first_out = 5;
		return;
	}
	if (t->nr == NR_rt_sigreturn) {
		print_sigreturn(t);
		t->first_out = 0;
		return;
	}
	if (t->nr == NR_restart_syscall) {
		/* strace names the previous call, syscall 0 if none was seen */
		const struct syscall_desc *prev = syscall_desc_of(t->prev_nr);
		out_printf("<... resuming interrupted %s ...>", prev ? prev->name : "call");
		t->first_out = 0;
		return;
	}
	int n = shown_args(t, desc);
	int first_out = 0;
	while (first_out < n && !arg_is_output(t, desc, first_out))
		first_out++;
	print_args(t, desc, 0, first_out);
	if (first_out < n && first_out > 0)
		out_puts(", ");
	t->first_out = first_out;
}

static void print_result(struct tracee *t, const struct syscall_desc *desc)
{
	int ret_type = desc ? desc->ret : RET_DEC;

	if (ret_type == RET_NONE) {
		out_puts("?");
		return;
	}
	if (t->failed) {
		print_errno_result(-t->retval);
		return;
	}
	if (t->nr == NR_fcntl && (t->args[1] == F_GETFD_ || t->args[1] == F_GETFL_)) {
		out_printf("%#llx", (unsigned long long)t->retval);
		if (t->args[1] == F_GETFL_) {
			out_puts(" (flags ");
			print_open_flags((uint64_t)t->retval);
			out_puts(")");
		} else if (t->retval & 1) {
			out_puts(" (flags FD_CLOEXEC)");
		}
		return;
	}
	if ((t->nr == NR_poll || t->nr == NR_ppoll) && t->retval >= 0) {
		out_printf("%lld", (long long)t->retval);
		if (t->retval == 0) {
			out_puts(" (Timeout)");
		} else {
			out_puts(" (");
			print_pollfds(t, t->args[0], t->args[1], true);
			out_puts(")");
		}
		return;
	}
	switch (ret_type) {
	case RET_HEX:
		out_printf("%#llx", (unsigned long long)t->retval);
		break;
	case RET_OCTAL:
		print_mode((uint64_t)t->retval);
		break;
	default:
		out_printf("%lld", (long long)t->retval);
	}
}

/*
 * Prints the rest of the line: "<... name resumed>" if another tracee
 * wrote in between, the output arguments, ") = result". vanished: the
 * tracee died inside the call (exit_group, a fatal signal), result "?".
 */
void decode_exit(struct tracee *t, bool vanished)
{
	const struct syscall_desc *desc = syscall_desc_of(t->nr);
	int n = desc && t->nr != NR_clone && t->nr != NR_rt_sigreturn &&
		t->nr != NR_restart_syscall ? shown_args(t, desc) : t->first_out;

	if (!out_line_open_for(t)) {
		out_line_start(t);
		if (desc)
			out_printf("<... %s resumed>", desc->name);
		else
			out_printf("<... syscall_%#lx resumed>", (unsigned long)t->nr);
	}
	if (vanished) {
		if (t->first_out < n)
			out_puts(" <unfinished ...>");
		out_puts(")");
		out_pad_to_result();
		out_puts("?");
		out_line_end();
		return;
	}
	if (desc && t->first_out < n)
		print_args(t, desc, t->first_out, n);
	out_puts(")");
	out_pad_to_result();
	if (desc && desc->ret == RET_NONE && !t->failed)
		out_printf("%lld", (long long)t->retval);   /* exit returned?! show it */
	else
		print_result(t, desc);
	if (opt.show_time_spent) {
		struct timespec now, spent;
		clock_gettime(CLOCK_MONOTONIC, &now);
		spent.tv_sec = now.tv_sec - t->entry_time.tv_sec;
		spent.tv_nsec = now.tv_nsec - t->entry_time.tv_nsec;
		if (spent.tv_nsec < 0) {
			spent.tv_sec--;
			spent.tv_nsec += 1000000000;
		}
		out_printf(" <%lld.%06ld>", (long long)spent.tv_sec, spent.tv_nsec / 1000);
	}
	out_line_end();
}
