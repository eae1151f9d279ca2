/* SPDX-License-Identifier: MIT */
/*
 * format.c - the small printers every decoder uses: reading tracee
 * memory, C-escaped strings, paths, symbolic flags, errors.
 *
 * Tracee memory is read through /proc/<pid>/mem with pread, which works on
 * Linux and on Loupe (where PEEKDATA costs a shim round trip per word);
 * if that fails the reader falls back to PTRACE_PEEKDATA, word by word.
 * The mem handle is per tracee and closed at exec (mem_forget), because
 * on both systems it stays bound to the old address space.
 *
 * Strings are quoted as strace quotes them: \n \t \r \f \v \" \\ escaped,
 * other unprintable bytes in octal (three digits when a digit follows),
 * and cut at -s characters with "..." after the closing quote. Paths are
 * never cut.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>

#include "strace.h"

/* --- tracee memory ---------------------------------------------------- */

static int mem_open(struct tracee *t)
{
	if (t->mem_fd < 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)t->pid);
		t->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return t->mem_fd;
}

void mem_forget(struct tracee *t)
{
	if (t->mem_fd >= 0)
		close(t->mem_fd);
	t->mem_fd = -1;
}

static int peek_read(struct tracee *t, uint64_t addr, unsigned char *buf, size_t len)
{
	while (len > 0) {
		uint64_t aligned = addr & ~7ull;
		size_t skip = (size_t)(addr - aligned);
		errno = 0;
		long word = ptrace(PTRACE_PEEKDATA, t->pid, (void *)(uintptr_t)aligned, NULL);
		if (errno)
			return -1;
		size_t take = 8 - skip < len ? 8 - skip : len;
		memcpy(buf, (unsigned char *)&word + skip, take);
		buf += take;
		addr += take;
		len -= take;
	}
	return 0;
}

/* Reads len bytes at addr of the tracee. Returns 0, or -1 if any is unreadable. */
int mem_read(struct tracee *t, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	int fd = mem_open(t);
	if (fd >= 0 && pread(fd, buf, len, (off_t)addr) == (ssize_t)len)
		return 0;
	return peek_read(t, addr, buf, len);
}

/*
 * Reads a NUL-terminated string of at most max bytes (NUL included) into
 * buf, page by page so that a string ending just before an unmapped page
 * is still read. Returns the length without the NUL, -1 if unreadable;
 * *terminated says whether a NUL was found.
 */
int mem_read_str(struct tracee *t, uint64_t addr, char *buf, size_t max, bool *terminated)
{
	size_t got = 0;

	*terminated = false;
	while (got < max) {
		size_t chunk = 4096 - (size_t)((addr + got) & 4095);
		if (chunk > max - got)
			chunk = max - got;
		if (mem_read(t, addr + got, buf + got, chunk) < 0)
			return got ? (int)got : -1;
		char *nul = memchr(buf + got, '\0', chunk);
		if (nul) {
			*terminated = true;
			return (int)(nul - buf);
		}
		got += chunk;
	}
	return (int)got;
}

/* --- strings ---------------------------------------------------------- */

void print_ptr(uint64_t addr)
{
	if (addr == 0)
		out_puts("NULL");
	else
		out_printf("%#llx", (unsigned long long)addr);
}

/* Prints len bytes of s quoted; force_hex prints every byte as \xNN. */
void print_quoted(const char *s, size_t len, bool force_hex)
{
	static const char escapes[][2] = {
		{ '\n', 'n' }, { '\t', 't' }, { '\r', 'r' }, { '\f', 'f' }, { '\v', 'v' },
		{ '"', '"' }, { '\\', '\\' },
	};
	char *text = malloc(len * 4 + 3);
	char *p = text;

	if (!text)
		return;
	*p++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (force_hex) {
			p += sprintf(p, "\\x%02x", c);
			continue;
		}
		const char *escape = NULL;
		for (size_t e = 0; e < sizeof(escapes) / sizeof(escapes[0]); e++)
			if (escapes[e][0] == (char)c)
				escape = escapes[e];
		if (escape) {
			*p++ = '\\';
			*p++ = escape[1];
		} else if (c >= 0x20 && c < 0x7f) {
			*p++ = (char)c;
		} else {
			bool digit_follows = i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9';
			*p++ = '\\';
			if (digit_follows || c >> 6)
				*p++ = (char)('0' + (c >> 6));
			if (digit_follows || c >> 3)
				*p++ = (char)('0' + ((c >> 3) & 7));
			*p++ = (char)('0' + (c & 7));
		}
	}
	*p++ = '"';
	*p = '\0';
	out_puts(text);
	free(text);
}

/* A path: NULL, the address if unreadable, else the whole string. */
void print_path(struct tracee *t, uint64_t addr)
{
	char buf[PATH_MAX + 1];
	bool terminated;

	if (addr == 0) {
		out_puts("NULL");
		return;
	}
	int len = mem_read_str(t, addr, buf, PATH_MAX, &terminated);
	if (len < 0) {
		print_ptr(addr);
		return;
	}
	print_quoted(buf, (size_t)len, false);
	if (!terminated)
		out_puts("...");
}

/* A NUL-terminated string cut at -s characters. */
void print_cstring(struct tracee *t, uint64_t addr)
{
	size_t max = (size_t)opt.max_strlen;
	char *buf = malloc(max + 1);
	bool terminated;

	if (!buf)
		return;
	int len = addr ? mem_read_str(t, addr, buf, max + 1, &terminated) : -1;
	if (len < 0) {
		print_ptr(addr);
	} else {
		print_quoted(buf, (size_t)len < max ? (size_t)len : max, false);
		if (!terminated || (size_t)len > max)
			out_puts("...");
	}
	free(buf);
}

/* A buffer of len bytes, cut at -s bytes. */
void print_buffer(struct tracee *t, uint64_t addr, uint64_t len, bool force_hex)
{
	uint64_t shown = len < (uint64_t)opt.max_strlen ? len : (uint64_t)opt.max_strlen;
	char *buf = malloc(shown + 1);

	if (!buf)
		return;
	if (addr == 0 || mem_read(t, addr, buf, shown) < 0) {
		print_ptr(addr);
	} else {
		print_quoted(buf, shown, force_hex);
		if (shown < len)
			out_puts("...");
	}
	free(buf);
}

/* --- flags and values ------------------------------------------------- */

/* "A|B|0x40": names in table order, the rest in hex; zero_name for 0. */
void print_flags(const struct flag_name *table, uint64_t value, const char *zero_name)
{
	bool first = true;

	if (value == 0) {
		out_puts(zero_name ? zero_name : "0");
		return;
	}
	for (const struct flag_name *f = table; f->name; f++) {
		if (f->value && (value & f->value) == f->value) {
			out_printf("%s%s", first ? "" : "|", f->name);
			value &= ~f->value;
			first = false;
		}
	}
	if (value)
		out_printf("%s%#llx", first ? "" : "|", (unsigned long long)value);
}

const char *value_name(const struct flag_name *table, uint64_t value)
{
	for (const struct flag_name *f = table; f->name; f++)
		if (f->value == value)
			return f->name;
	return NULL;
}

bool print_value(const struct flag_name *table, uint64_t value)
{
	const char *name = value_name(table, value);
	if (name)
		out_puts(name);
	return name != NULL;
}

/* strace's order for open(2) flags, which is not numeric. */
static const struct flag_name open_flag_names[] = {
	{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" }, { 010000, "O_DSYNC" }, { 020000, "O_ASYNC" },
	{ 040000, "O_DIRECT" }, { 0100000, "O_LARGEFILE" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
	{ 020200000, "O_TMPFILE" }, { 0200000, "O_DIRECTORY" },
	FLAGS_END
};

void print_open_flags(uint64_t flags)
{
	static const char *const access_modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	out_puts(access_modes[flags & 3]);
	if (flags & ~3ull) {
		out_puts("|");
		print_flags(open_flag_names, flags & ~3ull, NULL);
	}
}

/* Only the O_ flags of dup3/pipe2/F_SETFL-like arguments, no access mode. */
void print_oflags_only(uint64_t flags);
void print_oflags_only(uint64_t flags)
{
	print_flags(open_flag_names, flags, "0");
}

void print_mode(uint64_t mode)
{
	out_printf("%#03llo", (unsigned long long)mode);
}

void print_file_mode(uint64_t mode)
{
	static const struct flag_name types[] = {
		{ 0140000, "S_IFSOCK" }, { 0120000, "S_IFLNK" }, { 0100000, "S_IFREG" },
		{ 0060000, "S_IFBLK" }, { 0040000, "S_IFDIR" }, { 0020000, "S_IFCHR" },
		{ 0010000, "S_IFIFO" }, FLAGS_END
	};
	static const struct flag_name special[] = {
		{ 04000, "S_ISUID" }, { 02000, "S_ISGID" }, { 01000, "S_ISVTX" }, FLAGS_END
	};
	const char *type = value_name(types, mode & 0170000);

	if (type)
		out_printf("%s|", type);
	else if (mode & 0170000)
		out_printf("%#llo|", (unsigned long long)(mode & 0170000));
	for (const struct flag_name *f = special; f->name; f++)
		if (mode & f->value)
			out_printf("%s|", f->name);
	out_printf("%#03llo", (unsigned long long)(mode & 0777));
}

/* --- errors ----------------------------------------------------------- */

/* Names and glibc's messages (strace prints glibc's strerror text). */
static const struct errno_row { const char *name, *message; } errno_rows[] = {
	[1] = { "EPERM", "Operation not permitted" },
	[2] = { "ENOENT", "No such file or directory" },
	[3] = { "ESRCH", "No such process" },
	[4] = { "EINTR", "Interrupted system call" },
	[5] = { "EIO", "Input/output error" },
	[6] = { "ENXIO", "No such device or address" },
	[7] = { "E2BIG", "Argument list too long" },
	[8] = { "ENOEXEC", "Exec format error" },
	[9] = { "EBADF", "Bad file descriptor" },
	[10] = { "ECHILD", "No child processes" },
	[11] = { "EAGAIN", "Resource temporarily unavailable" },
	[12] = { "ENOMEM", "Cannot allocate memory" },
	[13] = { "EACCES", "Permission denied" },
	[14] = { "EFAULT", "Bad address" },
	[15] = { "ENOTBLK", "Block device required" },
	[16] = { "EBUSY", "Device or resource busy" },
	[17] = { "EEXIST", "File exists" },
	[18] = { "EXDEV", "Invalid cross-device link" },
	[19] = { "ENODEV", "No such device" },
	[20] = { "ENOTDIR", "Not a directory" },
	[21] = { "EISDIR", "Is a directory" },
	[22] = { "EINVAL", "Invalid argument" },
	[23] = { "ENFILE", "Too many open files in system" },
	[24] = { "EMFILE", "Too many open files" },
	[25] = { "ENOTTY", "Inappropriate ioctl for device" },
	[26] = { "ETXTBSY", "Text file busy" },
	[27] = { "EFBIG", "File too large" },
	[28] = { "ENOSPC", "No space left on device" },
	[29] = { "ESPIPE", "Illegal seek" },
	[30] = { "EROFS", "Read-only file system" },
	[31] = { "EMLINK", "Too many links" },
	[32] = { "EPIPE", "Broken pipe" },
	[33] = { "EDOM", "Numerical argument out of domain" },
	[34] = { "ERANGE", "Numerical result out of range" },
	[35] = { "EDEADLK", "Resource deadlock avoided" },
	[36] = { "ENAMETOOLONG", "File name too long" },
	[37] = { "ENOLCK", "No locks available" },
	[38] = { "ENOSYS", "Function not implemented" },
	[39] = { "ENOTEMPTY", "Directory not empty" },
	[40] = { "ELOOP", "Too many levels of symbolic links" },
	[42] = { "ENOMSG", "No message of desired type" },
	[43] = { "EIDRM", "Identifier removed" },
	[44] = { "ECHRNG", "Channel number out of range" },
	[45] = { "EL2NSYNC", "Level 2 not synchronized" },
	[46] = { "EL3HLT", "Level 3 halted" },
	[47] = { "EL3RST", "Level 3 reset" },
	[48] = { "ELNRNG", "Link number out of range" },
	[49] = { "EUNATCH", "Protocol driver not attached" },
	[50] = { "ENOCSI", "No CSI structure available" },
	[51] = { "EL2HLT", "Level 2 halted" },
	[52] = { "EBADE", "Invalid exchange" },
	[53] = { "EBADR", "Invalid request descriptor" },
	[54] = { "EXFULL", "Exchange full" },
	[55] = { "ENOANO", "No anode" },
	[56] = { "EBADRQC", "Invalid request code" },
	[57] = { "EBADSLT", "Invalid slot" },
	[59] = { "EBFONT", "Bad font file format" },
	[60] = { "ENOSTR", "Device not a stream" },
	[61] = { "ENODATA", "No data available" },
	[62] = { "ETIME", "Timer expired" },
	[63] = { "ENOSR", "Out of streams resources" },
	[64] = { "ENONET", "Machine is not on the network" },
	[65] = { "ENOPKG", "Package not installed" },
	[66] = { "EREMOTE", "Object is remote" },
	[67] = { "ENOLINK", "Link has been severed" },
	[68] = { "EADV", "Advertise error" },
	[69] = { "ESRMNT", "Srmount error" },
	[70] = { "ECOMM", "Communication error on send" },
	[71] = { "EPROTO", "Protocol error" },
	[72] = { "EMULTIHOP", "Multihop attempted" },
	[73] = { "EDOTDOT", "RFS specific error" },
	[74] = { "EBADMSG", "Bad message" },
	[75] = { "EOVERFLOW", "Value too large for defined data type" },
	[76] = { "ENOTUNIQ", "Name not unique on network" },
	[77] = { "EBADFD", "File descriptor in bad state" },
	[78] = { "EREMCHG", "Remote address changed" },
	[79] = { "ELIBACC", "Can not access a needed shared library" },
	[80] = { "ELIBBAD", "Accessing a corrupted shared library" },
	[81] = { "ELIBSCN", ".lib section in a.out corrupted" },
	[82] = { "ELIBMAX", "Attempting to link in too many shared libraries" },
	[83] = { "ELIBEXEC", "Cannot exec a shared library directly" },
	[84] = { "EILSEQ", "Invalid or incomplete multibyte or wide character" },
	[85] = { "ERESTART", "Interrupted system call should be restarted" },
	[86] = { "ESTRPIPE", "Streams pipe error" },
	[87] = { "EUSERS", "Too many users" },
	[88] = { "ENOTSOCK", "Socket operation on non-socket" },
	[89] = { "EDESTADDRREQ", "Destination address required" },
	[90] = { "EMSGSIZE", "Message too long" },
	[91] = { "EPROTOTYPE", "Protocol wrong type for socket" },
	[92] = { "ENOPROTOOPT", "Protocol not available" },
	[93] = { "EPROTONOSUPPORT", "Protocol not supported" },
	[94] = { "ESOCKTNOSUPPORT", "Socket type not supported" },
	[95] = { "EOPNOTSUPP", "Operation not supported" },
	[96] = { "EPFNOSUPPORT", "Protocol family not supported" },
	[97] = { "EAFNOSUPPORT", "Address family not supported by protocol" },
	[98] = { "EADDRINUSE", "Address already in use" },
	[99] = { "EADDRNOTAVAIL", "Cannot assign requested address" },
	[100] = { "ENETDOWN", "Network is down" },
	[101] = { "ENETUNREACH", "Network is unreachable" },
	[102] = { "ENETRESET", "Network dropped connection on reset" },
	[103] = { "ECONNABORTED", "Software caused connection abort" },
	[104] = { "ECONNRESET", "Connection reset by peer" },
	[105] = { "ENOBUFS", "No buffer space available" },
	[106] = { "EISCONN", "Transport endpoint is already connected" },
	[107] = { "ENOTCONN", "Transport endpoint is not connected" },
	[108] = { "ESHUTDOWN", "Cannot send after transport endpoint shutdown" },
	[109] = { "ETOOMANYREFS", "Too many references: cannot splice" },
	[110] = { "ETIMEDOUT", "Connection timed out" },
	[111] = { "ECONNREFUSED", "Connection refused" },
	[112] = { "EHOSTDOWN", "Host is down" },
	[113] = { "EHOSTUNREACH", "No route to host" },
	[114] = { "EALREADY", "Operation already in progress" },
	[115] = { "EINPROGRESS", "Operation now in progress" },
	[116] = { "ESTALE", "Stale file handle" },
	[117] = { "EUCLEAN", "Structure needs cleaning" },
	[118] = { "ENOTNAM", "Not a XENIX named type file" },
	[119] = { "ENAVAIL", "No XENIX semaphores available" },
	[120] = { "EISNAM", "Is a named type file" },
	[121] = { "EREMOTEIO", "Remote I/O error" },
	[122] = { "EDQUOT", "Disk quota exceeded" },
	[123] = { "ENOMEDIUM", "No medium found" },
	[124] = { "EMEDIUMTYPE", "Wrong medium type" },
	[125] = { "ECANCELED", "Operation canceled" },
	[126] = { "ENOKEY", "Required key not available" },
	[127] = { "EKEYEXPIRED", "Key has expired" },
	[128] = { "EKEYREVOKED", "Key has been revoked" },
	[129] = { "EKEYREJECTED", "Key was rejected by service" },
	[130] = { "EOWNERDEAD", "Owner died" },
	[131] = { "ENOTRECOVERABLE", "State not recoverable" },
	[132] = { "ERFKILL", "Operation not possible due to RF-kill" },
};

static const struct errno_row restart_rows[] = {
	{ "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ "ERESTARTNOINTR", "To be restarted" },
	{ "ERESTARTNOHAND", "To be restarted if no handler" },
	{ "ENOIOCTLCMD", "No ioctl command" },
	{ "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
};

/* "-1 ENOENT (No such file or directory)" for a return value of -err. */
void print_errno_result(int64_t err)
{
	const struct errno_row *row = NULL;

	if (err > 0 && err < (int64_t)(sizeof(errno_rows) / sizeof(errno_rows[0])) &&
	    errno_rows[err].name)
		row = &errno_rows[err];
	else if (err >= 512 && err <= 516)
		row = &restart_rows[err - 512];
	if (row && err >= 512)
		out_printf("? %s (%s)", row->name, row->message);
	else if (row)
		out_printf("-1 %s (%s)", row->name, row->message);
	else
		out_printf("-1 %lld (errno %lld)", (long long)err, (long long)err);
}

/* glibc's message for err, for strace's own error messages. */
const char *errno_message(int err)
{
	if (err > 0 && err < (int)(sizeof(errno_rows) / sizeof(errno_rows[0])) &&
	    errno_rows[err].message)
		return errno_rows[err].message;
	return "Unknown error";
}
