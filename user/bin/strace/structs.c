/* SPDX-License-Identifier: MIT */
/*
 * structs.c - printing the structures syscalls pass by pointer, in
 * strace's {field=value, ...} form.
 *
 * Each printer takes the tracee and the address, reads the structure
 * with mem_read (format.c) and prints it; an unreadable address prints
 * as the address itself, NULL as NULL, as strace does. Without -v the
 * big ones are abbreviated the way strace abbreviates them: stat shows
 * st_mode and st_size (st_rdev for devices), utsname sysname and
 * nodename, the environment only its count.
 *
 * Layouts are the Linux x86_64 kernel's, which for these structures are
 * also musl's, so the libc types are used directly.
 */
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "strace.h"

static void print_time_comment(long long sec, long nsec)
{
	struct tm tm;
	time_t t = (time_t)sec;
	char date[64];

	if (!localtime_r(&t, &tm))
		return;
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	out_printf(nsec ? " /* %s.%09ld" : " /* %s", date, nsec);
	strftime(date, sizeof(date), "%z", &tm);
	out_printf("%s */", date);
}

static void print_dev(const char *field, unsigned long long dev)
{
	unsigned major = (unsigned)(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff));
	unsigned minor = (unsigned)(((dev >> 12) & 0xffffff00) | (dev & 0xff));
	out_printf("%s=makedev(%#x, %#x)", field, major, minor);
}

void print_stat(struct tracee *t, uint64_t addr)
{
	struct stat st;

	if (addr == 0 || mem_read(t, addr, &st, sizeof(st)) < 0) {
		print_ptr(addr);
		return;
	}
	bool device = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
	out_puts("{");
	if (opt.verbose) {
		print_dev("st_dev", st.st_dev);
		out_printf(", st_ino=%llu, ", (unsigned long long)st.st_ino);
	}
	out_puts("st_mode=");
	print_file_mode(st.st_mode);
	if (opt.verbose)
		out_printf(", st_nlink=%llu, st_uid=%u, st_gid=%u, st_blksize=%ld, st_blocks=%lld",
			   (unsigned long long)st.st_nlink, st.st_uid, st.st_gid,
			   (long)st.st_blksize, (long long)st.st_blocks);
	if (device) {
		out_puts(", ");
		print_dev("st_rdev", st.st_rdev);
	} else {
		out_printf(", st_size=%lld", (long long)st.st_size);
	}
	if (!opt.verbose) {
		out_puts(", ...}");
		return;
	}
	const struct { const char *name; struct timespec ts; } times[] = {
		{ "st_atime", st.st_atim }, { "st_mtime", st.st_mtim }, { "st_ctime", st.st_ctim },
	};
	for (size_t i = 0; i < 3; i++) {
		out_printf(", %s=%lld", times[i].name, (long long)times[i].ts.tv_sec);
		print_time_comment(times[i].ts.tv_sec, times[i].ts.tv_nsec);
		out_printf(", %s_nsec=%ld", times[i].name, (long)times[i].ts.tv_nsec);
	}
	out_puts("}");
}

void print_timespec(struct tracee *t, uint64_t addr)
{
	struct timespec ts;

	if (addr == 0 || mem_read(t, addr, &ts, sizeof(ts)) < 0) {
		print_ptr(addr);
		return;
	}
	out_printf("{tv_sec=%lld, tv_nsec=%ld}", (long long)ts.tv_sec, (long)ts.tv_nsec);
}

void print_timeval(struct tracee *t, uint64_t addr)
{
	struct timeval tv;

	if (addr == 0 || mem_read(t, addr, &tv, sizeof(tv)) < 0) {
		print_ptr(addr);
		return;
	}
	out_printf("{tv_sec=%lld, tv_usec=%ld}", (long long)tv.tv_sec, (long)tv.tv_usec);
}

/*
 * An iovec array of count elements. data_len < 0: print each buffer up to
 * its iov_len (writev at entry); else only data_len bytes in all (readv
 * at exit, where the return value says how much was filled).
 */
void print_iovec(struct tracee *t, uint64_t addr, uint64_t count, int64_t data_len)
{
	if (addr == 0) {
		out_puts("NULL");
		return;
	}
	out_puts("[");
	for (uint64_t i = 0; i < count; i++) {
		struct iovec iov;
		if (i >= (uint64_t)opt.max_strlen) {
			out_puts(", ...");
			break;
		}
		if (mem_read(t, addr + i * sizeof(iov), &iov, sizeof(iov)) < 0) {
			if (i)
				out_puts(", ");
			out_puts("...");
			break;
		}
		uint64_t len = iov.iov_len;
		if (data_len >= 0) {
			len = (uint64_t)data_len < len ? (uint64_t)data_len : len;
			data_len -= (int64_t)len;
		}
		out_printf("%s{iov_base=", i ? ", " : "");
		print_buffer(t, (uint64_t)(uintptr_t)iov.iov_base, len, false);
		out_printf(", iov_len=%zu}", iov.iov_len);
	}
	out_puts("]");
}

void print_utsname(struct tracee *t, uint64_t addr)
{
	struct utsname u;

	if (addr == 0 || mem_read(t, addr, &u, sizeof(u)) < 0) {
		print_ptr(addr);
		return;
	}
	const struct { const char *name; const char *value; } fields[] = {
		{ "sysname", u.sysname }, { "nodename", u.nodename }, { "release", u.release },
		{ "version", u.version }, { "machine", u.machine }, { "domainname", u.__domainname },
	};
	size_t shown = opt.verbose ? 6 : 2;
	out_puts("{");
	for (size_t i = 0; i < shown; i++) {
		out_printf("%s%s=", i ? ", " : "", fields[i].name);
		print_quoted(fields[i].value, strnlen(fields[i].value, 65), false);
	}
	out_puts(opt.verbose ? "}" : ", ...}");
}

static const struct flag_name poll_events[] = {
	{ POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" },
	{ POLLRDNORM, "POLLRDNORM" }, { POLLRDBAND, "POLLRDBAND" },
	{ POLLWRNORM, "POLLWRNORM" }, { POLLWRBAND, "POLLWRBAND" },
	{ POLLMSG, "POLLMSG" }, { POLLERR, "POLLERR" }, { POLLHUP, "POLLHUP" },
	{ POLLNVAL, "POLLNVAL" }, { 0x2000, "POLLRDHUP" }, FLAGS_END
};

/* [{fd=0, events=POLLIN}], or with revents only the entries that have some. */
void print_pollfds(struct tracee *t, uint64_t addr, uint64_t count, bool revents)
{
	bool first = true;

	if (addr == 0) {
		out_puts("NULL");
		return;
	}
	out_puts("[");
	for (uint64_t i = 0; i < count; i++) {
		struct pollfd pfd;
		if (mem_read(t, addr + i * sizeof(pfd), &pfd, sizeof(pfd)) < 0)
			break;
		if (revents && !pfd.revents)
			continue;
		out_printf("%s{fd=%d, %s=", first ? "" : ", ", pfd.fd, revents ? "revents" : "events");
		print_flags(poll_events, (uint16_t)(revents ? pfd.revents : pfd.events), "0");
		out_puts("}");
		first = false;
	}
	out_puts("]");
}

/* argv as ["a", "b"]; envp (abbreviate) as 0x7ffd... / * 3 vars * /. */
void print_string_array(struct tracee *t, uint64_t addr, bool abbreviate)
{
	uint64_t count = 0, element;

	if (addr == 0) {
		out_puts("NULL");
		return;
	}
	if (abbreviate) {
		while (mem_read(t, addr + count * 8, &element, 8) == 0 && element)
			count++;
		out_printf("%#llx /* %llu var%s */", (unsigned long long)addr,
			   (unsigned long long)count, count == 1 ? "" : "s");
		return;
	}
	out_puts("[");
	for (;; count++) {
		if (mem_read(t, addr + count * 8, &element, 8) < 0 || !element)
			break;
		if (count)
			out_puts(", ");
		if (!opt.verbose && count >= (uint64_t)opt.max_strlen) {
			out_puts("...");
			break;
		}
		print_cstring(t, element);
	}
	out_puts("]");
}

static void print_rlim_value(uint64_t value)
{
	if (value == UINT64_MAX)
		out_puts("RLIM64_INFINITY");
	else if (value > 1024 && value % 1024 == 0)
		out_printf("%llu*1024", (unsigned long long)(value / 1024));
	else
		out_printf("%llu", (unsigned long long)value);
}

void print_rlimit(struct tracee *t, uint64_t addr)
{
	uint64_t limits[2];

	if (addr == 0 || mem_read(t, addr, limits, sizeof(limits)) < 0) {
		print_ptr(addr);
		return;
	}
	out_puts("{rlim_cur=");
	print_rlim_value(limits[0]);
	out_puts(", rlim_max=");
	print_rlim_value(limits[1]);
	out_puts("}");
}

void print_sysinfo(struct tracee *t, uint64_t addr)
{
	struct sysinfo si;

	if (addr == 0 || mem_read(t, addr, &si, sizeof(si)) < 0) {
		print_ptr(addr);
		return;
	}
	out_printf("{uptime=%ld, loads=[%lu, %lu, %lu], totalram=%lu, freeram=%lu, "
		   "sharedram=%lu, bufferram=%lu, totalswap=%lu, freeswap=%lu, procs=%u, "
		   "totalhigh=%lu, freehigh=%lu, mem_unit=%u}",
		   (long)si.uptime, si.loads[0], si.loads[1], si.loads[2], si.totalram,
		   si.freeram, si.sharedram, si.bufferram, si.totalswap, si.freeswap,
		   (unsigned)si.procs, si.totalhigh, si.freehigh, (unsigned)si.mem_unit);
}

/* {WIFEXITED(s) && WEXITSTATUS(s) == 3}, without the brackets. */
void print_wstatus_value(int status)
{
	static const char *const events[] = {
		[1] = "PTRACE_EVENT_FORK", [2] = "PTRACE_EVENT_VFORK", [3] = "PTRACE_EVENT_CLONE",
		[4] = "PTRACE_EVENT_EXEC", [5] = "PTRACE_EVENT_VFORK_DONE", [6] = "PTRACE_EVENT_EXIT",
		[7] = "PTRACE_EVENT_SECCOMP",
	};

	out_puts("{");
	if (WIFEXITED(status)) {
		out_printf("WIFEXITED(s) && WEXITSTATUS(s) == %d}", WEXITSTATUS(status));
		return;
	}
	if (WIFSIGNALED(status)) {
		out_puts("WIFSIGNALED(s) && WTERMSIG(s) == ");
		print_signal(WTERMSIG(status));
		out_puts(WCOREDUMP(status) ? " && WCOREDUMP(s)}" : "}");
		return;
	}
	if (WIFSTOPPED(status)) {
		out_puts("WIFSTOPPED(s) && WSTOPSIG(s) == ");
		print_signal(WSTOPSIG(status));
		out_puts("}");
		unsigned event = (unsigned)status >> 16;
		if (event && event < sizeof(events) / sizeof(events[0]) && events[event])
			out_printf("|%s << 16", events[event]);
		return;
	}
	if (WIFCONTINUED(status)) {
		out_puts("WIFCONTINUED(s)}");
		return;
	}
	out_printf("%#x}", status);
}

/* --- ioctl ------------------------------------------------------------- */

enum ioctl_arg { IOCTL_PTR, IOCTL_INT_IN, IOCTL_INT_OUT, IOCTL_WINSIZE_IN,
		 IOCTL_WINSIZE_OUT, IOCTL_TERMIOS_IN, IOCTL_TERMIOS_OUT, IOCTL_NONE };

static const struct ioctl_row {
	uint32_t request;
	const char *name;
	uint8_t arg;
} ioctl_rows[] = {
	{ 0x5401, "TCGETS", IOCTL_TERMIOS_OUT },
	{ 0x5402, "TCSETS", IOCTL_TERMIOS_IN },
	{ 0x5403, "TCSETSW", IOCTL_TERMIOS_IN },
	{ 0x5404, "TCSETSF", IOCTL_TERMIOS_IN },
	{ 0x540b, "TCFLSH", IOCTL_NONE },
	{ 0x540e, "TIOCSCTTY", IOCTL_NONE },
	{ 0x540f, "TIOCGPGRP", IOCTL_INT_OUT },
	{ 0x5410, "TIOCSPGRP", IOCTL_INT_IN },
	{ 0x5411, "TIOCOUTQ", IOCTL_INT_OUT },
	{ 0x5413, "TIOCGWINSZ", IOCTL_WINSIZE_OUT },
	{ 0x5414, "TIOCSWINSZ", IOCTL_WINSIZE_IN },
	{ 0x541b, "FIONREAD", IOCTL_INT_OUT },
	{ 0x5421, "FIONBIO", IOCTL_INT_IN },
	{ 0x5422, "TIOCNOTTY", IOCTL_NONE },
	{ 0x5429, "TIOCGSID", IOCTL_INT_OUT },
	{ 0x5450, "FIONCLEX", IOCTL_NONE },
	{ 0x5451, "FIOCLEX", IOCTL_NONE },
	{ 0x80045430, "TIOCGPTN", IOCTL_INT_OUT },
	{ 0x40045431, "TIOCSPTLCK", IOCTL_INT_IN },
};

static const struct ioctl_row *ioctl_row_of(uint64_t request)
{
	for (size_t i = 0; i < sizeof(ioctl_rows) / sizeof(ioctl_rows[0]); i++)
		if (ioctl_rows[i].request == (uint32_t)request)
			return &ioctl_rows[i];
	return NULL;
}

void print_ioctl_request(uint64_t request)
{
	const struct ioctl_row *row = ioctl_row_of(request);
	static const char *const dirs[] = { "_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
					    "_IOC_READ|_IOC_WRITE" };

	if (row) {
		out_puts(row->name);
		return;
	}
	uint32_t req = (uint32_t)request;
	out_printf("_IOC(%s, %#x, %#x, %#x)", dirs[req >> 30], (req >> 8) & 0xff, req & 0xff,
		   (req >> 16) & 0x3fff);
}

bool ioctl_arg_is_output(uint64_t request)
{
	const struct ioctl_row *row = ioctl_row_of(request);
	return !row || row->arg == IOCTL_INT_OUT || row->arg == IOCTL_WINSIZE_OUT ||
	       row->arg == IOCTL_TERMIOS_OUT || row->arg == IOCTL_PTR;
}

static void print_termios(const struct termios *tio)
{
	static const struct flag_name speeds[] = {
		{ B0, "B0" }, { B50, "B50" }, { B300, "B300" }, { B1200, "B1200" },
		{ B2400, "B2400" }, { B4800, "B4800" }, { B9600, "B9600" },
		{ B19200, "B19200" }, { B38400, "B38400" }, { B57600, "B57600" },
		{ B115200, "B115200" }, { B230400, "B230400" }, FLAGS_END
	};
	const char *speed = value_name(speeds, tio->c_cflag & CBAUD);

	out_printf("{%s", speed ? speed : "B?");
	out_printf(" %sopost %sisig %sicanon %secho ...}",
		   tio->c_oflag & OPOST ? "" : "-", tio->c_lflag & ISIG ? "" : "-",
		   tio->c_lflag & ICANON ? "" : "-", tio->c_lflag & ECHO ? "" : "-");
}

/* The third ioctl argument; at_exit tells whether the call has returned. */
void print_ioctl_arg(struct tracee *t, uint64_t request, uint64_t arg, bool at_exit)
{
	const struct ioctl_row *row = ioctl_row_of(request);
	int value;
	struct winsize ws;
	struct termios tio;

	if (!row) {
		print_ptr(arg);
		return;
	}
	bool output = row->arg == IOCTL_INT_OUT || row->arg == IOCTL_WINSIZE_OUT ||
		      row->arg == IOCTL_TERMIOS_OUT;
	if (output && (!at_exit || t->failed)) {
		print_ptr(arg);
		return;
	}
	switch (row->arg) {
	case IOCTL_NONE:
		out_printf("%llu", (unsigned long long)arg);
		return;
	case IOCTL_INT_IN:
	case IOCTL_INT_OUT:
		if (mem_read(t, arg, &value, sizeof(value)) < 0)
			print_ptr(arg);
		else
			out_printf("[%d]", value);
		return;
	case IOCTL_WINSIZE_IN:
	case IOCTL_WINSIZE_OUT:
		if (mem_read(t, arg, &ws, sizeof(ws)) < 0)
			print_ptr(arg);
		else
			out_printf("{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}",
				   ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);
		return;
	case IOCTL_TERMIOS_IN:
	case IOCTL_TERMIOS_OUT:
		if (mem_read(t, arg, &tio, sizeof(tio)) < 0)
			print_ptr(arg);
		else
			print_termios(&tio);
		return;
	default:
		print_ptr(arg);
	}
}
