/* SPDX-License-Identifier: MIT */
/*
 * test_trace - the raw tracing files of issue 5, without the ptrace shim:
 * /proc (the listing, status, cmdline, maps), who may open
 * /proc/<pid>/trace (the numbered rules of ptrace_may_attach, one test
 * each), the resume record and its errors, syscall entry and exit events
 * (numbers, arguments, results, sequence numbers), the blocking read,
 * O_NONBLOCK and poll over several handles, LOUPE_RESUME_WAIT, the 't'
 * state, SIGCONT and SIGKILL at a stop, and the lifetime rules: tracer
 * killed, handle closed, KILL_ON_CLOSE, tracee killed or exiting, the EXIT
 * stop before teardown, the real parent reaping, and 10 000
 * attach/stop/detach cycles that give back every frame and heap byte.
 *
 * The ABI is include/uapi/loupe/trace.h; docs/ptrace-abi.md is its manual.
 * Registers are tested by test_trace_regs, memory by test_trace_mem.
 *
 * Loupe only: Linux has no such files, so every row is TAP_LOUPE_ONLY and
 * a host run (run-on-linux.sh) prints the plan with every test skipped.
 *
 * The program also plays its own exec target:
 *   test_trace --wait-stdin ...   reads one byte from standard input, exits 0
 */
#include "trace_util.h"

#include <sys/sysinfo.h>

static int main_argc;
static char **main_argv;

/* --- /proc: the listing ------------------------------------------------------ */

static int all_digits(const char *name)
{
	if (!*name)
		return 0;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return 0;
	return 1;
}

/* Is /proc/<pid> in the getdents64 listing of /proc? Also checks every name. */
static int proc_lists(pid_t pid, int *saw_self)
{
	DIR *dir = opendir("/proc");
	CHECK(dir != NULL);
	char want[16];
	snprintf(want, sizeof(want), "%d", (int)pid);
	int found = 0;
	struct dirent *entry;
	if (saw_self)
		*saw_self = 0;
	while ((entry = readdir(dir)) != NULL) {
		const char *name = entry->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (strcmp(name, "self") == 0) {
			if (saw_self)
				*saw_self = 1;
			continue;
		}
		if (!all_digits(name)) {
			tap_diag("/proc lists \"%s\": neither a pid nor self", name);
			_exit(1);
		}
		if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) {
			tap_diag("/proc/%s has d_type %d, expected DT_DIR", name, entry->d_type);
			_exit(1);
		}
		if (strcmp(name, want) == 0)
			found++;
	}
	closedir(dir);
	CHECK(found <= 1);
	return found;
}

static void body_nothing(void)
{
}

static void test_proc_listing(void)
{
	int saw_self;
	struct tracee alive = tracee_start(body_nothing);
	pid_t zombie = tap_fork();
	if (zombie == 0)
		_exit(0);
	wait_state(zombie, 'Z');

	CHECK(proc_lists(getpid(), &saw_self));
	CHECK(saw_self);
	CHECK(proc_lists(getppid(), NULL));
	CHECK(proc_lists(1, NULL));
	CHECK(proc_lists(alive.pid, NULL));
	CHECK(proc_lists(zombie, NULL));     /* zombies stay until reaped */

	/* /proc/self is the caller's own directory. */
	char text[4096];
	CHECK(read_file("/proc/self/status", text, sizeof(text)) > 0);
	char expect[32];
	snprintf(expect, sizeof(expect), "\nPid:\t%d\n", (int)getpid());
	CHECK(strstr(text, expect) != NULL);
	struct stat st;
	CHECK_EQ(stat("/proc/self", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(stat(proc_path(getpid(), ""), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
}

static void test_proc_listing_bad(void)
{
	struct tracee alive = tracee_start(body_nothing);
	pid_t zombie = tap_fork();
	if (zombie == 0)
		_exit(0);
	CHECK_EXITED(tap_wait(zombie), 0);
	/* Reaped: gone from the listing, and its directory with it. */
	CHECK(!proc_lists(zombie, NULL));
	CHECK_ERRNO(open(proc_path(zombie, "status"), O_RDONLY), ENOENT);
	struct stat st;
	CHECK_ERRNO(stat(proc_path(zombie, ""), &st), ENOENT);

	tracee_kill(&alive);
	CHECK(!proc_lists(alive.pid, NULL));
	CHECK_ERRNO(open(proc_path(alive.pid, "status"), O_RDONLY), ENOENT);

	static const char *const bad[] = {
		"/proc/0/status", "/proc/-1/status", "/proc/abc/status", "/proc/1x/status",
		"/proc/01/status", "/proc/99999999/status", "/proc/4294967297/status",
		"/proc/self/nosuchfile", "/proc/self/status/x", "/proc/nosuchfile",
	};
	for (int i = 0; i < TAP_COUNT(bad); i++) {
		errno = 0;
		int fd = open(bad[i], O_RDONLY);
		if (fd >= 0 || (errno != ENOENT && errno != ENOTDIR)) {
			tap_diag("open(%s) returned %d, errno %d (%s); expected ENOENT", bad[i], fd,
				 errno, strerror(errno));
			_exit(1);
		}
	}
	/* /proc is not writable. */
	CHECK(open("/proc/newfile", O_RDWR | O_CREAT, 0644) < 0);
	CHECK(mkdir("/proc/newdir", 0755) < 0);
	CHECK(unlink("/proc/self/status") < 0);
}

/* --- /proc/<pid>/status -------------------------------------------------------- */

static void expect_status(pid_t pid, const char *key, const char *want)
{
	char value[256];
	if (proc_status_value(pid, key, value, sizeof(value)) != 0) {
		tap_diag("/proc/%d/status has no %s line", (int)pid, key);
		_exit(1);
	}
	if (strcmp(value, want) != 0) {
		tap_diag("/proc/%d/status: %s is \"%s\", expected \"%s\"", (int)pid, key, value, want);
		_exit(1);
	}
}

static void expect_status_int(pid_t pid, const char *key, long want)
{
	char text[32];
	snprintf(text, sizeof(text), "%ld", want);
	expect_status(pid, key, text);
}

static void expect_status_mask(pid_t pid, const char *key, uint64_t want)
{
	char text[32];
	snprintf(text, sizeof(text), "%016llx", (unsigned long long)want);
	expect_status(pid, key, text);
}

static void ignore_handler(int sig)
{
	(void)sig;
}

static void test_proc_status_self(void)
{
	const char *name = strrchr(tap_argv0, '/');
	name = name ? name + 1 : tap_argv0;
	char comm[16];
	snprintf(comm, sizeof(comm), "%s", name);   /* TASK_COMM_LEN: 15 characters */
	pid_t me = getpid();
	expect_status(me, "Name", comm);
	expect_status(me, "State", "R (running)");
	expect_status_int(me, "Tgid", me);
	expect_status_int(me, "Pid", me);
	expect_status_int(me, "PPid", getppid());
	expect_status_int(me, "TracerPid", 0);
	expect_status(me, "Uid", "0\t0\t0\t0");
	expect_status(me, "Gid", "0\t0\t0\t0");

	/* The signal sets, as 16 hex digits: bit n-1 for signal n. */
	uint64_t block = 1ULL << (SIGUSR1 - 1);
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &block, NULL, 8), 0);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGHUP, ignore_handler);
	CHECK_EQ(kill(me, SIGUSR1), 0);
	expect_status_mask(me, "SigPnd", 1ULL << (SIGUSR1 - 1));
	expect_status_mask(me, "SigBlk", 1ULL << (SIGUSR1 - 1));
	expect_status_mask(me, "SigIgn", 1ULL << (SIGUSR2 - 1));
	expect_status_mask(me, "SigCgt", 1ULL << (SIGHUP - 1));
	/* The same through /proc/self. */
	char text[4096];
	CHECK(read_file("/proc/self/status", text, sizeof(text)) > 0);
	CHECK(strstr(text, "\nSigBlk:\t0000000000000200\n") != NULL);
	CHECK(strncmp(text, "Name:\t", 6) == 0);
}

static void test_proc_status_states(void)
{
	struct tracee child = tracee_start(body_nothing);
	wait_state(child.pid, 'S');
	expect_status(child.pid, "State", "S (sleeping)");
	expect_status_int(child.pid, "PPid", getpid());
	expect_status_int(child.pid, "TracerPid", 0);
	CHECK_EQ(kill(child.pid, SIGSTOP), 0);
	wait_state(child.pid, 'T');
	expect_status(child.pid, "State", "T (stopped)");
	CHECK_EQ(kill(child.pid, SIGCONT), 0);
	wait_state(child.pid, 'S');
	tracee_go(&child);
	wait_state(child.pid, 'Z');
	expect_status(child.pid, "State", "Z (zombie)");
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_proc_status_bad(void)
{
	/* Read-only: opening for writing, or the write, fails. */
	int fd = open("/proc/self/status", O_WRONLY);
	if (fd >= 0) {
		CHECK(write(fd, "x", 1) < 0);
		close(fd);
	}
	fd = open("/proc/self/status", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) < 0);
	/* Reads at any offset and in small pieces give the same text. */
	char whole[4096], pieces[4096];
	CHECK(read_file("/proc/self/status", whole, sizeof(whole)) > 0);
	size_t got = 0;
	ssize_t done;
	while ((done = read(fd, pieces + got, 7)) > 0)
		got += (size_t)done;
	CHECK_EQ(done, 0);
	pieces[got] = '\0';
	/* Only the first lines are stable between two reads (State may change). */
	CHECK_EQ(strncmp(whole, pieces, 20), 0);
	CHECK_ERRNO(read(fd, TAP_BAD_KERNEL, 16), EFAULT);
	CHECK_ERRNO(pread(fd, TAP_BAD_NONCANONICAL, 16, 0), EFAULT);
	close(fd);
}

/* --- /proc/<pid>/cmdline ---------------------------------------------------------- */

static size_t join_args(char *buf, size_t size, int argc, char *const argv[])
{
	size_t len = 0;
	for (int i = 0; i < argc; i++) {
		size_t one = strlen(argv[i]) + 1;
		CHECK(len + one <= size);
		memcpy(buf + len, argv[i], one);
		len += one;
	}
	return len;
}

static void test_proc_cmdline(void)
{
	char want[512], got[512];
	size_t want_len = join_args(want, sizeof(want), main_argc, main_argv);
	CHECK_EQ(read_file("/proc/self/cmdline", got, sizeof(got)), (long)want_len);
	CHECK(memcmp(got, want, want_len) == 0);

	/* An exec'd child with an empty argument and spaces. */
	char *const args[] = { (char *)tap_argv0, "--wait-stdin", "a b", "", "c", NULL };
	want_len = join_args(want, sizeof(want), 5, args);
	int go[2];
	CHECK_EQ(pipe(go), 0);
	pid_t pid = tap_fork();
	if (pid == 0) {
		dup2(go[0], 0);
		close(go[1]);
		execv(tap_argv0, args);
		_exit(111);
	}
	close(go[0]);
	long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
	long len;
	for (;;) {
		len = read_file(proc_path(pid, "cmdline"), got, sizeof(got));
		if (len == (long)want_len && memcmp(got, want, want_len) == 0)
			break;
		if (tap_now_ns() > deadline) {
			tap_diag("cmdline of %d: %ld bytes, expected %zu", (int)pid, len, want_len);
			_exit(1);
		}
		tap_sleep_ms(2);
	}
	close(go[1]);   /* end of file: the child exits */
	wait_state(pid, 'Z');
	CHECK_EQ(read_file(proc_path(pid, "cmdline"), got, sizeof(got)), 0); /* zombie: empty */
	CHECK_EXITED(tap_wait(pid), 0);
}

static void test_proc_cmdline_bad(void)
{
	char got[64];
	pid_t pid = tap_fork();
	if (pid == 0)
		_exit(0);
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_ERRNO(read_file(proc_path(pid, "cmdline"), got, sizeof(got)), ENOENT);
	int fd = open("/proc/self/cmdline", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) < 0);
	CHECK_ERRNO(read(fd, TAP_BAD_KERNEL, 8), EFAULT);
	close(fd);
}

/* --- /proc/<pid>/maps ------------------------------------------------------------- */

struct map_line {
	unsigned long start, end, offset;
	char perms[8];
	char name[256];
};

/*
 * Parses /proc/<pid>/maps (0: self) and returns the line containing
 * address in *out; 0 if no line does. Every line's format is checked.
 */
static int maps_find(pid_t pid, unsigned long address, struct map_line *out)
{
	static char text[32768];
	const char *path = pid ? proc_path(pid, "maps") : "/proc/self/maps";
	long len = read_file(path, text, sizeof(text));
	CHECK(len > 0);
	CHECK_EQ(text[len - 1], '\n');
	int found = 0;
	unsigned long previous_end = 0;
	for (char *line = text; *line; ) {
		char *end = strchr(line, '\n');
		CHECK(end != NULL);
		*end = '\0';
		struct map_line map;
		unsigned dev_major, dev_minor;
		unsigned long inode;
		int name_at = 0;
		memset(&map, 0, sizeof(map));
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &map.start, &map.end, map.perms,
			   &map.offset, &dev_major, &dev_minor, &inode, &name_at) < 7) {
			tap_diag("%s: malformed line \"%s\"", path, line);
			_exit(1);
		}
		if (name_at)
			snprintf(map.name, sizeof(map.name), "%s", line + name_at);
		if (map.start >= map.end || map.start % 4096 || map.end % 4096 ||
		    map.start < previous_end || strlen(map.perms) != 4 ||
		    !strchr("r-", map.perms[0]) || !strchr("w-", map.perms[1]) ||
		    !strchr("x-", map.perms[2]) || !strchr("ps", map.perms[3])) {
			tap_diag("%s: bad line \"%s\"", path, line);
			_exit(1);
		}
		previous_end = map.end;
		if (address >= map.start && address < map.end) {
			*out = map;
			found = 1;
		}
		line = end + 1;
	}
	return found;
}

static void test_proc_maps(void)
{
	struct map_line map;
	const char *name = strrchr(tap_argv0, '/');
	name = name ? name + 1 : tap_argv0;

	CHECK(maps_find(0, (unsigned long)test_proc_maps, &map));
	CHECK_STREQ(map.perms, "r-xp");
	if (!strstr(map.name, name)) {
		tap_diag("the text line is named \"%s\", expected the program path", map.name);
		_exit(1);
	}

	int local = 0;
	CHECK(maps_find(0, (unsigned long)&local, &map));
	CHECK_STREQ(map.perms, "rw-p");
	CHECK_STREQ(map.name, "[stack]");

	unsigned long brk_now = (unsigned long)syscall(SYS_brk, 0);
	CHECK_EQ(syscall(SYS_brk, brk_now + 3 * 4096), (long)(brk_now + 3 * 4096));
	((volatile char *)brk_now)[100] = 1;
	((volatile char *)brk_now)[2 * 4096 + 100] = 1;
	CHECK(maps_find(0, brk_now + 100, &map));
	CHECK_STREQ(map.perms, "rw-p");
	CHECK_STREQ(map.name, "[heap]");
	CHECK(maps_find(0, brk_now + 2 * 4096 + 100, &map));
	CHECK_STREQ(map.name, "[heap]");

	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *rw = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED && rw != MAP_FAILED);
	CHECK(maps_find(0, (unsigned long)none, &map));
	CHECK_STREQ(map.perms, "---p");
	CHECK(maps_find(0, (unsigned long)rw + 4096, &map));
	CHECK_STREQ(map.perms, "rw-p");
	CHECK_STREQ(map.name, "");

	/* Another process's maps: a child has the same text. */
	struct tracee child = tracee_start(body_nothing);
	CHECK(maps_find(child.pid, (unsigned long)test_proc_maps, &map));
	CHECK_STREQ(map.perms, "r-xp");
	tracee_kill(&child);
}

static void test_proc_maps_bad(void)
{
	struct map_line map;
	char *rw = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(rw != MAP_FAILED);
	CHECK_EQ(munmap(rw, 8192), 0);
	CHECK(!maps_find(0, (unsigned long)rw, &map));
	CHECK(!maps_find(0, (unsigned long)TAP_BAD_LOW, &map));
	CHECK(!maps_find(0, (unsigned long)TAP_BAD_KERNEL, &map));
	pid_t pid = tap_fork();
	if (pid == 0)
		_exit(0);
	CHECK_EXITED(tap_wait(pid), 0);
	char text[64];
	CHECK_ERRNO(read_file(proc_path(pid, "maps"), text, sizeof(text)), ENOENT);
}

/* --- who may trace whom: ptrace_may_attach's rules ------------------------------- */

/* Rule 1: the target must exist and not be a zombie. */
static void test_perm_zombie_esrch(void)
{
	pid_t zombie = tap_fork();
	if (zombie == 0)
		_exit(0);
	wait_state(zombie, 'Z');
	CHECK_ERRNO(open(proc_path(zombie, "trace"), O_RDWR), ESRCH);
	CHECK_ERRNO(open(proc_path(zombie, "regs"), O_RDONLY), ESRCH);
	CHECK_ERRNO(open(proc_path(zombie, "fpregs"), O_RDONLY), ESRCH);
	CHECK_ERRNO(open(proc_path(zombie, "mem"), O_RDONLY), ESRCH);
	CHECK_EXITED(tap_wait(zombie), 0);
}

static void test_perm_unknown_pid(void)
{
	pid_t gone = tap_fork();
	if (gone == 0)
		_exit(0);
	CHECK_EXITED(tap_wait(gone), 0);
	/*
	 * The directory of a pid that does not exist is not there at all
	 * (docs: "opening any of its files gives ENOENT"); the ESRCH of rule 1
	 * is for a pid that exists but is a zombie, or died after the lookup.
	 */
	CHECK_ERRNO(open(proc_path(gone, "trace"), O_RDWR), ENOENT);
	CHECK_ERRNO(open("/proc/99999999/trace", O_RDWR), ENOENT);
	CHECK_ERRNO(open(proc_path(gone, "mem"), O_RDONLY), ENOENT);
}

/* Rule 3: never itself. */
static void test_perm_self_eperm(void)
{
	CHECK_ERRNO(open("/proc/self/trace", O_RDWR), EPERM);
	CHECK_ERRNO(open(proc_path(getpid(), "trace"), O_RDWR), EPERM);
	CHECK_ERRNO(open("/proc/self/regs", O_RDONLY), EPERM);
	CHECK_ERRNO(open("/proc/self/fpregs", O_RDONLY), EPERM);
	CHECK_ERRNO(open("/proc/self/mem", O_RDWR), EPERM);
	/* The twin: the same opens on a child work (a parent may trace its child). */
	struct tracee child = tracee_start(body_nothing);
	int fd = trace_open(child.pid);
	close(proc_open(child.pid, "regs", O_RDWR));
	close(proc_open(child.pid, "fpregs", O_RDONLY));
	close(proc_open(child.pid, "mem", O_RDWR));
	close(fd);
	tracee_kill(&child);
}

/* Rule 4: never one of its own ancestors; rule 5: never pid 1. */
static void ancestor_child(void)
{
	pid_t parent = getppid();
	char grandparent_text[32];
	CHECK_EQ(proc_status_value(parent, "PPid", grandparent_text, sizeof(grandparent_text)), 0);
	pid_t grandparent = atoi(grandparent_text);
	CHECK(grandparent > 0);
	static const char *const files[] = { "trace", "regs", "fpregs", "mem" };
	for (int i = 0; i < TAP_COUNT(files); i++) {
		int flags = i == 0 ? O_RDWR : O_RDONLY;
		CHECK_ERRNO(open(proc_path(parent, files[i]), flags), EPERM);
		CHECK_ERRNO(open(proc_path(grandparent, files[i]), flags), EPERM);
		CHECK_ERRNO(open(proc_path(1, files[i]), flags), EPERM);
	}
}

static void test_perm_ancestors_and_init_eperm(void)
{
	CHECK_ERRNO(open(proc_path(getppid(), "trace"), O_RDWR), EPERM);
	CHECK_ERRNO(open("/proc/1/trace", O_RDWR), EPERM);
	CHECK_EXITED(tap_child_status(ancestor_child), 0);
}

/* The twins of rule 4: a sibling and a grandchild may be traced. */
static void test_perm_sibling_and_grandchild_allowed(void)
{
	struct tracee sibling = tracee_start(body_nothing);
	pid_t pid = tap_fork();
	if (pid == 0) {
		int fd = trace_open(sibling.pid);       /* a sibling: not an ancestor */
		char value[32];
		CHECK_EQ(proc_status_value(sibling.pid, "TracerPid", value, sizeof(value)), 0);
		CHECK_EQ(atoi(value), getpid());
		close(fd);
		_exit(0);
	}
	CHECK_EXITED(tap_wait(pid), 0);

	/* A grandchild, by its grandparent. */
	int report[2], hold[2];
	CHECK_EQ(pipe(report), 0);
	CHECK_EQ(pipe(hold), 0);
	pid_t middle = tap_fork();
	if (middle == 0) {
		close(hold[1]);
		struct tracee grandchild = tracee_start(body_nothing);
		tap_write_fully(report[1], &grandchild.pid, sizeof(grandchild.pid));
		char byte;
		while (read(hold[0], &byte, 1) > 0) /* until the test is done */
			;
		_exit(0);
	}
	close(hold[0]);
	pid_t grandchild = 0;
	CHECK_EQ(tap_read_fully(report[0], &grandchild, sizeof(grandchild)), sizeof(grandchild));
	close(trace_open(grandchild));
	close(hold[1]);
	CHECK_EXITED(tap_wait(middle), 0);
}

/* Rule 6: one tracer per tracee. */
static void test_perm_second_tracer_ebusy(void)
{
	struct tracee child = tracee_start(body_nothing);
	int fd = trace_open(child.pid);
	CHECK_ERRNO(open(proc_path(child.pid, "trace"), O_RDWR), EBUSY);
	pid_t other = tap_fork();
	if (other == 0) {
		CHECK_ERRNO(open(proc_path(child.pid, "trace"), O_RDWR), EBUSY);
		/* Rule 6 is for trace only: regs and mem may be opened by others. */
		close(proc_open(child.pid, "regs", O_RDONLY));
		close(proc_open(child.pid, "mem", O_RDONLY));
		_exit(0);
	}
	CHECK_EXITED(tap_wait(other), 0);
	/* A dup is the same session, not a second tracer; the session ends with the last close. */
	int copy = dup(fd);
	CHECK(copy >= 0);
	close(fd);
	CHECK_ERRNO(open(proc_path(child.pid, "trace"), O_RDWR), EBUSY);
	close(copy);
	/* The twin: after the session ended, a new tracer may open it. */
	fd = trace_open(child.pid);
	close(fd);
	tracee_kill(&child);
}

/* Two siblings race to open the same tracee: exactly one wins, the other gets EBUSY. */
static void test_perm_two_tracers_race(void)
{
	for (int round = 0; round < 10; round++) {
		struct tracee target = tracee_start(body_nothing);
		int start[2], result[2], hold[2];
		CHECK_EQ(pipe(start), 0);
		CHECK_EQ(pipe(result), 0);
		CHECK_EQ(pipe(hold), 0);
		pid_t racer[2];
		for (int i = 0; i < 2; i++) {
			racer[i] = tap_fork();
			if (racer[i] == 0) {
				close(start[1]);
				close(hold[1]);
				char byte;
				if (read(start[0], &byte, 1) != 0)
					_exit(2);
				int fd = open(proc_path(target.pid, "trace"), O_RDWR);
				int outcome = fd >= 0 ? 0 : errno;
				tap_write_fully(result[1], &outcome, sizeof(outcome));
				if (read(hold[0], &byte, 1) != 0) /* hold the session until the test is done */
					_exit(3);
				_exit(0);
			}
		}
		close(start[0]);
		close(hold[0]);
		close(result[1]);
		close(start[1]);        /* both racers wake at once */
		int outcome[2];
		for (int i = 0; i < 2; i++)
			CHECK_EQ(tap_read_fully(result[0], &outcome[i], sizeof(int)), sizeof(int));
		if (!((outcome[0] == 0 && outcome[1] == EBUSY) ||
		      (outcome[0] == EBUSY && outcome[1] == 0))) {
			tap_diag("round %d: the racers got errno %d and %d; expected 0 and EBUSY",
				 round, outcome[0], outcome[1]);
			_exit(1);
		}
		close(hold[1]);
		close(result[0]);
		for (int i = 0; i < 2; i++)
			CHECK_EXITED(tap_wait(racer[i]), 0);
		tracee_kill(&target);
	}
}

static void test_trace_open_modes_bad(void)
{
	struct tracee child = tracee_start(body_nothing);
	CHECK_ERRNO(open(proc_path(child.pid, "trace"), O_RDONLY), EINVAL);
	CHECK_ERRNO(open(proc_path(child.pid, "trace"), O_WRONLY), EINVAL);
	/* Nothing was left behind by the refused opens. */
	expect_status_int(child.pid, "TracerPid", 0);
	close(trace_open(child.pid));
	tracee_kill(&child);
}

/* --- events ----------------------------------------------------------------------- */

#define DISTINCT_FD 987
#define DISTINCT_BUF 0x12345678
#define DISTINCT_LEN 4242

static void body_distinctive(void)
{
	raw_syscall6(SYS_write, DISTINCT_FD, DISTINCT_BUF, DISTINCT_LEN, 0x11, 0x22, 0x33);
	raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

static void test_syscall_entry_exit(void)
{
	struct tracee child = tracee_start(body_distinctive);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_until(fd, child.pid, LOUPE_STOP_SYSCALLS, LOUPE_EVENT_SYSCALL_ENTRY, SYS_write, &event);
	uint64_t seq = event.seq;
	CHECK_EQ(event.args[0], DISTINCT_FD);
	CHECK_EQ(event.args[1], DISTINCT_BUF);
	CHECK_EQ(event.args[2], DISTINCT_LEN);
	CHECK_EQ(event.args[3], 0x11);
	CHECK_EQ(event.args[4], 0x22);
	CHECK_EQ(event.args[5], 0x33);
	CHECK_EQ(event.signal, 0);
	CHECK(event.rip > 0x1000 && event.rip < 0x800000000000UL);
	CHECK_EQ(proc_state(child.pid), 't');

	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
	CHECK_EQ(event.syscall, SYS_write);
	CHECK_EQ(event.retval, -EBADF);
	CHECK_EQ(event.seq, seq + 1);

	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_ENTRY);
	CHECK_EQ(event.syscall, SYS_getpid);
	CHECK_EQ(event.seq, seq + 2);

	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
	CHECK_EQ(event.syscall, SYS_getpid);
	CHECK_EQ(event.retval, child.pid);
	CHECK_EQ(event.seq, seq + 3);

	/* _exit: exit_group's entry, and no exit stop after it, only the death. */
	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_ENTRY);
	CHECK_EQ(event.syscall, SYS_exit_group);
	CHECK_EQ(event.args[0], 0);
	CHECK_EQ(event.seq, seq + 4);
	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_DEATH);
	CHECK_EQ(event.status, EXITED_STATUS(0));
	CHECK_EQ(event.seq, seq + 5);
	char buf[EVENT_SIZE];
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	struct loupe_trace_resume resume = trace_resume_of(0, 0, 0);
	CHECK_ERRNO(write(fd, &resume, sizeof(resume)), ESRCH);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_syscall_stops_unarmed_bad(void)
{
	/* Arming only the entry gives no exit events, and vice versa. */
	struct tracee child = tracee_start(body_distinctive);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_EXIT, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	for (;;) {
		trace_event_of(fd, child.pid, &event);
		if (event.kind == LOUPE_EVENT_DEATH)
			break;
		CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT);
		if (event.syscall == SYS_write)
			CHECK_EQ(event.retval, -EBADF);
		trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
		trace_event_of(fd, child.pid, &event);
		CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_ENTRY);
		if (event.syscall == SYS_exit_group) {
			trace_arm(fd, LOUPE_STOP_SYSCALL_EXIT, 0);
			trace_expect_death(fd, child.pid, EXITED_STATUS(0));
			break;
		}
		trace_arm(fd, LOUPE_STOP_SYSCALL_EXIT, 0);
	}
	CHECK_EXITED(tap_wait(child.pid), 0);

	/* Opening does not stop the tracee, and nothing is armed: it runs to the end. */
	child = tracee_start(body_distinctive);
	fd = trace_open(child.pid);
	tracee_go(&child);
	trace_expect_death(fd, child.pid, EXITED_STATUS(0));
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_seq_numbers(void)
{
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	struct loupe_trace_event event;
	for (uint64_t i = 1; i <= 20; i++) {
		trace_event_of(fd, child.pid, &event);
		CHECK_EQ(event.seq, i);
		trace_arm(fd, LOUPE_STOP_SYSCALLS, 0);
	}
	close(fd);
	/* A new session counts from 1 again. */
	fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.seq, 1);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.seq, 2);
	close(fd);
	tracee_kill(&child);
}

static void body_getpid_once(void)
{
	syscall(SYS_getpid);
}

/* A helper child that writes the go byte after ms milliseconds. */
static pid_t go_after(const struct tracee *tracee, long ms)
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		tap_sleep_ms(ms);
		tracee_go(tracee);
		_exit(0);
	}
	return pid;
}

static void test_read_blocks_until_syscall(void)
{
	struct tracee child = tracee_start(body_getpid_once);
	wait_state(child.pid, 'S');     /* blocked in read(go): no syscall entry to come */
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	pid_t helper = go_after(&child, 300);
	long long start = tap_now_ns();
	struct loupe_trace_event event;
	CHECK_EQ(read(fd, &event, sizeof(event)), EVENT_SIZE);
	long long waited_ms = (tap_now_ns() - start) / 1000000;
	tap_diag("read blocked for %lld ms", waited_ms);
	CHECK(waited_ms >= 200);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_ENTRY);
	CHECK_EQ(event.syscall, SYS_getpid);
	CHECK_EQ(event.seq, 1);
	CHECK_EXITED(tap_wait(helper), 0);
	close(fd);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_read_nonblock_eagain(void)
{
	struct tracee child = tracee_start(body_getpid_once);
	wait_state(child.pid, 'S');     /* blocked in read(go) before anything is armed */
	int fd = trace_open(child.pid);
	CHECK_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	struct loupe_trace_event events[3];
	CHECK_ERRNO(read(fd, events, sizeof(events)), EAGAIN);
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);   /* POLLOUT while the tracee lives, no POLLIN yet */

	tracee_go(&child);
	p.events = POLLIN;
	CHECK_EQ(poll(&p, 1, TRACE_DEADLINE_MS), 1);
	CHECK_EQ(p.revents, POLLIN);
	/* A buffer smaller than one event: EINVAL, and the event stays queued. */
	CHECK_ERRNO(read(fd, events, EVENT_SIZE - 1), EINVAL);
	CHECK_ERRNO(read(fd, events, 1), EINVAL);
	CHECK_ERRNO(read(fd, events, 0), EINVAL);
	CHECK_ERRNO(read(fd, TAP_BAD_KERNEL, EVENT_SIZE), EFAULT);
	CHECK_ERRNO(read(fd, tap_readonly_page(), EVENT_SIZE), EFAULT);
	/* Two and a half events' room, one queued: one whole event. */
	CHECK_EQ(read(fd, events, EVENT_SIZE * 5 / 2), EVENT_SIZE);
	CHECK_EQ(events[0].kind, LOUPE_EVENT_SYSCALL_ENTRY);
	CHECK_EQ(events[0].syscall, SYS_getpid);
	CHECK_EQ(events[0].seq, 1);
	CHECK_ERRNO(read(fd, events, sizeof(events)), EAGAIN); /* stopped: nothing more */
	CHECK_EQ(proc_state(child.pid), 't');
	close(fd);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_poll_several_handles(void)
{
	enum { N = 3 };
	struct tracee child[N];
	struct pollfd p[N];
	for (int i = 0; i < N; i++) {
		child[i] = tracee_start(body_getpid_once);
		wait_state(child[i].pid, 'S');  /* blocked in read(go) before anything is armed */
		p[i].fd = trace_open(child[i].pid);
		p[i].events = POLLIN;
		trace_arm(p[i].fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	}
	CHECK_EQ(poll(p, N, 0), 0);
	long long start = tap_now_ns();
	CHECK_EQ(poll(p, N, 100), 0);
	CHECK((tap_now_ns() - start) / 1000000 >= 90);

	static const int order[N] = { 1, 2, 0 };
	for (int k = 0; k < N; k++) {
		int i = order[k];
		tracee_go(&child[i]);
		CHECK_EQ(poll(p, N, TRACE_DEADLINE_MS), 1);
		for (int j = 0; j < N; j++)
			CHECK_EQ(p[j].revents, j == i ? POLLIN : 0);
		struct loupe_trace_event event;
		trace_event_of(p[i].fd, child[i].pid, &event);
		CHECK_EQ(event.syscall, SYS_getpid);
		p[i].events = 0;        /* stopped: no more events from this one */
	}
	/* Deaths: SIGKILL at the stop; POLLIN for the DEATH event, POLLHUP once it is read. */
	for (int i = 0; i < N; i++) {
		p[i].events = POLLIN;
		CHECK_EQ(kill(child[i].pid, SIGKILL), 0);
		struct pollfd one = { .fd = p[i].fd, .events = POLLIN };
		CHECK_EQ(poll(&one, 1, TRACE_DEADLINE_MS), 1);
		CHECK(one.revents & POLLIN);
		trace_expect_death(p[i].fd, child[i].pid, SIGNALED_STATUS(SIGKILL));
		CHECK_EQ(poll(&one, 1, 0), 1);
		CHECK(one.revents & POLLHUP);
		CHECK(!(one.revents & POLLOUT));
		CHECK_SIGNALED(tap_wait(child[i].pid), SIGKILL);
	}
}

static void body_getpid_then_exit3(void)
{
	syscall(SYS_getpid);
	syscall(SYS_exit_group, 3);
}

static void test_resume_wait(void)
{
	/* Arming a running tracee with WAIT: the write returns once the first event is queued. */
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_RESUME_WAIT);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 1);
	struct loupe_trace_event event;
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_ENTRY);
	CHECK_EQ(event.seq, 1);
	/* Resuming from a stop with WAIT: returns at the next stop, which it does not consume. */
	for (uint64_t seq = 2; seq < 6; seq++) {
		trace_arm(fd, LOUPE_STOP_SYSCALLS, LOUPE_RESUME_WAIT);
		CHECK_EQ(poll(&p, 1, 0), 1);
		CHECK_EQ(proc_state(child.pid), 't');
		trace_event_of(fd, child.pid, &event);
		CHECK_EQ(event.seq, seq);
	}
	close(fd);
	tracee_kill(&child);

	/* WAIT when the next event is the death. */
	child = tracee_start(body_getpid_then_exit3);
	fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	tracee_go(&child);
	trace_until(fd, child.pid, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getpid,
		    &event);
	trace_arm(fd, 0, LOUPE_RESUME_WAIT);
	CHECK_EQ(poll(&p, 1, 0), 1);
	trace_expect_death(fd, child.pid, EXITED_STATUS(3));
	CHECK_EXITED(tap_wait(child.pid), 3);
}

static void bad_resume(int fd, const void *data, size_t len, int error, const char *what)
{
	errno = 0;
	ssize_t done = write(fd, data, len);
	if (done != -1 || errno != error) {
		tap_diag("resume write (%s) returned %zd, errno %d (%s); expected errno %d", what,
			 done, errno, strerror(errno), error);
		_exit(1);
	}
}

static void test_resume_bad(void)
{
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	struct loupe_trace_event event;
	trace_until(fd, child.pid, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getpid,
		    &event);
	uint64_t seq = event.seq;
	struct loupe_trace_resume good = trace_resume_of(LOUPE_STOP_SYSCALLS, 0, 0);
	struct loupe_trace_resume bad;
	char big[RESUME_SIZE + 8];
	memset(big, 0, sizeof(big));
	memcpy(big, &good, sizeof(good));

	bad_resume(fd, &good, RESUME_SIZE - 1, EINVAL, "short");
	bad_resume(fd, &good, 8, EINVAL, "8 bytes");
	bad_resume(fd, &good, 0, EINVAL, "empty");
	bad_resume(fd, big, RESUME_SIZE + 1, EINVAL, "long");
	bad_resume(fd, big, RESUME_SIZE + 8, EINVAL, "long");
	static const uint32_t sizes[] = { 0, RESUME_SIZE - 8, RESUME_SIZE + 8, 0xffffffff };
	for (int i = 0; i < TAP_COUNT(sizes); i++) {
		bad = good;
		bad.size = sizes[i];
		bad_resume(fd, &bad, sizeof(bad), EINVAL, "size field");
	}
	static const uint32_t flags[] = { LOUPE_RESUME_FLAGS + 1, 0x40, 0x80000000 };
	for (int i = 0; i < TAP_COUNT(flags); i++) {
		bad = good;
		bad.flags = flags[i];
		bad_resume(fd, &bad, sizeof(bad), EINVAL, "unknown flag");
	}
	static const uint64_t stops[] = { 1ULL << LOUPE_EVENT_KINDS, 1ULL << 40, 1ULL << 63 };
	for (int i = 0; i < TAP_COUNT(stops); i++) {
		bad = good;
		bad.stops |= stops[i];
		bad_resume(fd, &bad, sizeof(bad), EINVAL, "unknown stop");
	}
	static const uint32_t options[] = { LOUPE_OPTIONS + 1, 0x100, 0x80000000 };
	for (int i = 0; i < TAP_COUNT(options); i++) {
		bad = good;
		bad.options = options[i];
		bad_resume(fd, &bad, sizeof(bad), EINVAL, "unknown option");
	}
	for (int i = 0; i < 5; i++) {
		bad = good;
		bad.reserved[i] = 1ULL << (i * 13);
		bad_resume(fd, &bad, sizeof(bad), EINVAL, "reserved");
	}
	for (int i = 0; i < TAP_BAD_COUNT; i++)
		bad_resume(fd, tap_bad_pointers[i], RESUME_SIZE, EFAULT, "bad pointer");
	bad_resume(fd, tap_straddling_pointer(RESUME_SIZE), RESUME_SIZE, EFAULT, "straddling");

	/* Nothing changed: still stopped, no event. */
	tap_sleep_ms(20);
	CHECK_EQ(proc_state(child.pid), 't');
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);

	/* NOCONT only re-arms: still stopped. */
	trace_arm(fd, LOUPE_STOP_SYSCALLS, LOUPE_RESUME_NOCONT);
	tap_sleep_ms(20);
	CHECK_EQ(proc_state(child.pid), 't');
	CHECK_EQ(poll(&p, 1, 0), 0);

	/* The twin: a good write resumes it, and the sequence has no gap. */
	CHECK_EQ(write(fd, &good, sizeof(good)), RESUME_SIZE);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.seq, seq + 1);
	CHECK_EQ(event.kind, LOUPE_EVENT_SYSCALL_EXIT); /* the NOCONT arming is replaced, not lost */
	/*
	 * "The file offset is ignored": the handle is a stream, so pwrite
	 * may also be refused by the VFS with ESPIPE (as for a pipe); either
	 * way it must not be taken as a malformed resume.
	 */
	errno = 0;
	ssize_t done = pwrite(fd, &good, sizeof(good), 12345);
	if (done != RESUME_SIZE && !(done == -1 && errno == ESPIPE)) {
		tap_diag("pwrite of a resume returned %zd, errno %d (%s)", done, errno,
			 strerror(errno));
		_exit(1);
	}
	if (done == RESUME_SIZE) {
		trace_event_of(fd, child.pid, &event);
		CHECK_EQ(event.seq, seq + 2);
	}
	close(fd);
	tracee_kill(&child);
}

/* --- stops: the 't' state, SIGCONT, SIGKILL --------------------------------------- */

static void test_stop_state_and_tracerpid(void)
{
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	expect_status_int(child.pid, "TracerPid", 0);
	int fd = trace_open(child.pid);
	expect_status_int(child.pid, "TracerPid", getpid());
	CHECK(proc_state(child.pid) != 't'); /* opening does not stop it */
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	struct loupe_trace_event event;
	trace_event_of(fd, child.pid, &event);
	expect_status(child.pid, "State", "t (tracing stop)");
	tap_sleep_ms(20);
	expect_status(child.pid, "State", "t (tracing stop)");
	trace_arm(fd, 0, 0);
	long long deadline = tap_now_ns() + TRACE_DEADLINE_MS * 1000000LL;
	while (proc_state(child.pid) == 't')
		CHECK(tap_now_ns() < deadline);
	close(fd);
	expect_status_int(child.pid, "TracerPid", 0);
	tracee_kill(&child);
}

static void test_sigcont_does_not_resume(void)
{
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	struct loupe_trace_event event;
	trace_event_of(fd, child.pid, &event);
	uint64_t seq = event.seq;
	CHECK_EQ(kill(child.pid, SIGCONT), 0);
	tap_sleep_ms(100);
	CHECK_EQ(proc_state(child.pid), 't');
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);
	/* A job-control stop and continue do not end it either. */
	CHECK_EQ(kill(child.pid, SIGSTOP), 0);
	CHECK_EQ(kill(child.pid, SIGCONT), 0);
	tap_sleep_ms(50);
	CHECK_EQ(proc_state(child.pid), 't');
	CHECK_EQ(poll(&p, 1, 0), 0);
	/* The twin: the resume write does. */
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.seq, seq + 1);
	close(fd);
	tracee_kill(&child);
}

static void test_sigkill_ends_stop(void)
{
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	int fd = trace_open(child.pid);
	int regs = proc_open(child.pid, "regs", O_RDWR);
	int mem = proc_open(child.pid, "mem", O_RDWR);
	uint64_t all = LOUPE_STOP_SYSCALLS | LOUPE_STOP_EXIT;
	trace_arm(fd, all, 0);
	struct loupe_trace_event event;
	trace_until(fd, child.pid, all, LOUPE_EVENT_SYSCALL_ENTRY, SYS_getpid, &event);
	CHECK_EQ(kill(child.pid, SIGKILL), 0);
	/* No EXIT stop for SIGKILL, even when armed: straight to the death. */
	trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGKILL));
	struct loupe_trace_resume resume = trace_resume_of(all, 0, 0);
	CHECK_ERRNO(write(fd, &resume, sizeof(resume)), ESRCH);
	struct loupe_user_regs r;
	CHECK_ERRNO(pread(regs, &r, sizeof(r), 0), ESRCH);
	long word;
	CHECK_ERRNO(pread(mem, &word, sizeof(word), (off_t)(uintptr_t)&word), ESRCH);
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);
	CHECK_ERRNO(pread(regs, &r, sizeof(r), 0), ESRCH);
	CHECK_ERRNO(write(fd, &resume, sizeof(resume)), ESRCH);
	CHECK_EQ(read(fd, &event, sizeof(event)), 0);
}

static void test_sigkill_while_running(void)
{
	struct tracee child = tracee_start(body_nothing);
	wait_state(child.pid, 'S');     /* blocked in read: not in a stop */
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALLS | LOUPE_STOP_EXIT, 0);
	CHECK_EQ(kill(child.pid, SIGKILL), 0);
	trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGKILL));
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);
}

/* --- lifetime ----------------------------------------------------------------------- */

/* Waits for one byte on fd (fails after the deadline or at end of file). */
static void wait_byte(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, TRACE_DEADLINE_MS), 1);
	char byte;
	CHECK_EQ(read(fd, &byte, 1), 1);
}

static void body_say_one(void)
{
	tracee_say(1);
}

/*
 * A sibling tracer: stops `tracee` at its write, tells the test (a byte on
 * `ready`) and holds the session until the test closes `hold` or kills it.
 */
static pid_t start_sibling_tracer(const struct tracee *tracee, uint32_t options, int ready,
				  int hold)
{
	pid_t pid = tap_fork();
	if (pid == 0) {
		int fd = trace_open(tracee->pid);
		trace_arm_opts(fd, LOUPE_STOP_SYSCALL_ENTRY, 0, options);
		tracee_go(tracee);
		struct loupe_trace_event event;
		for (;;) {
			trace_event_of(fd, tracee->pid, &event);
			if (event.kind == LOUPE_EVENT_SYSCALL_ENTRY && event.syscall == SYS_write)
				break;
			trace_arm_opts(fd, LOUPE_STOP_SYSCALL_ENTRY, 0, options);
		}
		tap_write_fully(ready, "s", 1);
		char byte;
		while (read(hold, &byte, 1) > 0)
			;
		_exit(0);
	}
	return pid;
}

static void tracer_killed(uint32_t options)
{
	struct tracee child = tracee_start(body_say_one);
	int ready[2], hold[2];
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(hold), 0);
	pid_t tracer = start_sibling_tracer(&child, options, ready[1], hold[0]);
	wait_byte(ready[0]);
	expect_status(child.pid, "State", "t (tracing stop)");
	expect_status_int(child.pid, "TracerPid", tracer);
	CHECK_EQ(kill(tracer, SIGKILL), 0);
	CHECK_SIGNALED(tap_wait(tracer), SIGKILL);
	if (options & LOUPE_OPT_KILL_ON_CLOSE) {
		CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);
		return;
	}
	CHECK_EQ(tracee_report(&child), 1);     /* it ran on */
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_tracer_killed_tracee_runs_on(void)
{
	tracer_killed(0);
}

static void test_tracer_killed_kill_on_close(void)
{
	tracer_killed(LOUPE_OPT_KILL_ON_CLOSE);
}

static void test_close_resumes_tracee(void)
{
	struct tracee child = tracee_start(body_say_one);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_SYSCALL_ENTRY, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_until(fd, child.pid, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_EVENT_SYSCALL_ENTRY, SYS_write,
		    &event);
	CHECK_EQ(proc_state(child.pid), 't');
	close(fd);
	CHECK_EQ(tracee_report(&child), 1);
	CHECK_EXITED(tap_wait(child.pid), 0);
}

static void test_kill_on_close(void)
{
	/* Set at a stop, then the handle closed: SIGKILL. */
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	int fd = trace_open(child.pid);
	trace_arm_opts(fd, LOUPE_STOP_SYSCALL_ENTRY, 0, LOUPE_OPT_KILL_ON_CLOSE);
	struct loupe_trace_event event;
	trace_event_of(fd, child.pid, &event);
	close(fd);
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);

	/* Set on a running tracee that never stops: SIGKILL too. */
	child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	fd = trace_open(child.pid);
	trace_arm_opts(fd, 0, 0, LOUPE_OPT_KILL_ON_CLOSE);
	close(fd);
	CHECK_SIGNALED(tap_wait(child.pid), SIGKILL);
}

static void test_kill_on_close_replaced_bad(void)
{
	/* Options are replaced by every write: a later write without it disarms it. */
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	int fd = trace_open(child.pid);
	trace_arm_opts(fd, LOUPE_STOP_SYSCALL_ENTRY, 0, LOUPE_OPT_KILL_ON_CLOSE);
	struct loupe_trace_event event;
	trace_event_of(fd, child.pid, &event);
	trace_arm_opts(fd, LOUPE_STOP_SYSCALL_ENTRY, LOUPE_RESUME_NOCONT, 0);
	/* A refused write does not change the options either. */
	struct loupe_trace_resume bad = trace_resume_of(0, 0, LOUPE_OPT_KILL_ON_CLOSE);
	bad.reserved[0] = 1;
	CHECK_ERRNO(write(fd, &bad, sizeof(bad)), EINVAL);
	close(fd);
	tap_sleep_ms(50);
	CHECK_EQ(wait4(child.pid, NULL, WNOHANG, NULL), 0);     /* alive */
	CHECK(proc_state(child.pid) != 't');
	tracee_kill(&child);
}

static void body_exit3(void)
{
	syscall(SYS_exit_group, 3);
}

static void test_tracee_exits_while_tracer_blocked(void)
{
	struct tracee child = tracee_start(body_exit3);
	int fd = trace_open(child.pid);
	wait_state(child.pid, 'S');
	pid_t helper = go_after(&child, 200);
	long long start = tap_now_ns();
	struct loupe_trace_event event;
	CHECK_EQ(read(fd, &event, sizeof(event)), EVENT_SIZE);
	CHECK((tap_now_ns() - start) / 1000000 >= 100);
	CHECK_EQ(event.kind, LOUPE_EVENT_DEATH);
	CHECK_EQ(event.status, EXITED_STATUS(3));
	CHECK_EQ(event.pid, child.pid);
	CHECK_EQ(event.seq, 1);
	CHECK_EQ(read(fd, &event, sizeof(event)), 0);
	struct loupe_trace_resume resume = trace_resume_of(0, 0, 0);
	CHECK_ERRNO(write(fd, &resume, sizeof(resume)), ESRCH);
	CHECK_EXITED(tap_wait(helper), 0);
	CHECK_EXITED(tap_wait(child.pid), 3);
}

static volatile uint64_t exit_marker;

static void body_mark_and_exit7(void)
{
	exit_marker = 0xfeedface12345678ULL;
	_exit(7);
}

static void body_sigterm(void)
{
	kill(getpid(), SIGTERM);
	_exit(1);
}

static void test_exit_stop_before_teardown(void)
{
	struct tracee child = tracee_start(body_mark_and_exit7);
	int fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_EXIT, 0);
	tracee_go(&child);
	struct loupe_trace_event event;
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_EXIT);
	CHECK_EQ(event.status, EXITED_STATUS(7));
	CHECK_EQ(event.seq, 1);
	expect_status(child.pid, "State", "t (tracing stop)");
	/* Before teardown: registers and memory are still there. */
	int regs_fd = proc_open(child.pid, "regs", O_RDONLY);
	struct loupe_user_regs regs;
	regs_get(regs_fd, &regs);
	CHECK_EQ(regs.cs, USER_CS);
	CHECK_EQ(regs.rip, event.rip);
	int mem = proc_open(child.pid, "mem", O_RDONLY);
	uint64_t value = 0;
	CHECK_EQ(pread(mem, &value, sizeof(value), (off_t)(uintptr_t)&exit_marker), 8);
	CHECK_EQ(value, 0xfeedface12345678ULL);
	/* The parent cannot reap it yet. */
	CHECK_EQ(wait4(child.pid, NULL, WNOHANG, NULL), 0);
	trace_arm(fd, LOUPE_STOP_EXIT, 0);
	trace_expect_death(fd, child.pid, EXITED_STATUS(7));
	CHECK_EXITED(tap_wait(child.pid), 7);
	CHECK_ERRNO(pread(regs_fd, &regs, sizeof(regs), 0), ESRCH);

	/* A fatal signal stops there too, with its status. */
	child = tracee_start(body_sigterm);
	fd = trace_open(child.pid);
	trace_arm(fd, LOUPE_STOP_EXIT, 0);
	tracee_go(&child);
	trace_event_of(fd, child.pid, &event);
	CHECK_EQ(event.kind, LOUPE_EVENT_EXIT);
	CHECK_EQ(event.status, SIGNALED_STATUS(SIGTERM));
	trace_arm(fd, 0, 0);
	trace_expect_death(fd, child.pid, SIGNALED_STATUS(SIGTERM));
	CHECK_SIGNALED(tap_wait(child.pid), SIGTERM);
}

static void test_exit_stop_unarmed_bad(void)
{
	/* Not armed: no EXIT event, only the death. */
	struct tracee child = tracee_start(body_mark_and_exit7);
	int fd = trace_open(child.pid);
	trace_arm(fd, 0, 0);
	tracee_go(&child);
	trace_expect_death(fd, child.pid, EXITED_STATUS(7));
	CHECK_EXITED(tap_wait(child.pid), 7);
}

static void test_parent_reaps_sibling_traced(void)
{
	struct tracee child = tracee_start(body_exit3);
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	pid_t tracer = tap_fork();
	if (tracer == 0) {
		int fd = trace_open(child.pid);
		trace_arm(fd, LOUPE_STOP_EXIT, 0);
		tracee_go(&child);
		struct loupe_trace_event event;
		trace_event_of(fd, child.pid, &event);
		CHECK_EQ(event.kind, LOUPE_EVENT_EXIT);
		CHECK_EQ(event.status, EXITED_STATUS(3));
		/* The tracer is not the parent: it cannot reap the tracee. */
		CHECK_ERRNO(wait4(child.pid, NULL, WNOHANG, NULL), ECHILD);
		trace_arm(fd, LOUPE_STOP_EXIT, 0);
		trace_expect_death(fd, child.pid, EXITED_STATUS(3));
		tap_write_fully(ready[1], "d", 1);
		_exit(0);
	}
	wait_byte(ready[0]);
	CHECK_EXITED(tap_wait(child.pid), 3);
	CHECK_EXITED(tap_wait(tracer), 0);
}

/* --- 10 000 attach/stop/detach cycles ------------------------------------------------- */

static void attach_stop_detach(pid_t pid)
{
	int fd = open(proc_path(pid, "trace"), O_RDWR);
	if (fd < 0) {
		tap_diag("open trace failed: %s", strerror(errno));
		_exit(1);
	}
	struct loupe_trace_resume resume = trace_resume_of(LOUPE_STOP_SYSCALL_ENTRY, 0, 0);
	struct loupe_trace_event event;
	if (write(fd, &resume, sizeof(resume)) != RESUME_SIZE ||
	    read(fd, &event, sizeof(event)) != EVENT_SIZE ||
	    event.kind != LOUPE_EVENT_SYSCALL_ENTRY) {
		tap_diag("cycle failed: errno %d (%s), event kind %u", errno, strerror(errno),
			 event.kind);
		_exit(1);
	}
	close(fd);
}

static void test_attach_detach_cycles_free_everything(void)
{
	struct tracee child = tracee_start(body_spin_getpid);
	tracee_go(&child);
	for (int i = 0; i < 50; i++)    /* warm up: first-touch copies, caches */
		attach_stop_detach(child.pid);
	struct sysinfo before, after;
	long long start = tap_now_ns(); /* before the count: musl's first clock_gettime writes a data page */
	CHECK_EQ(sysinfo(&before), 0);
	for (int i = 0; i < 10000; i++)
		attach_stop_detach(child.pid);
	long long ms = (tap_now_ns() - start) / 1000000;
	CHECK_EQ(sysinfo(&after), 0);
	tap_diag("10000 cycles in %lld ms; freeram %lu -> %lu, bufferram (kernel heap) %lu -> %lu",
		 ms, before.freeram, after.freeram, before.bufferram, after.bufferram);
	CHECK_EQ(after.freeram, before.freeram);
	CHECK_EQ(after.bufferram, before.bufferram);
	CHECK_EQ(after.procs, before.procs);
	expect_status_int(child.pid, "TracerPid", 0);
	tracee_kill(&child);
}

static const struct tap_test tests[] = {
	{ "/proc lists live pids, zombies and self", test_proc_listing, LOUPE },
	{ "/proc_bad: reaped pids and bad names are not there", test_proc_listing_bad, LOUPE },
	{ "status of self: ids, state, signal sets", test_proc_status_self, LOUPE },
	{ "status: S, T, Z states of a child", test_proc_status_states, LOUPE },
	{ "status_bad: read-only, small reads, EFAULT", test_proc_status_bad, LOUPE },
	{ "cmdline of self, of an exec'd child, of a zombie", test_proc_cmdline, LOUPE },
	{ "cmdline_bad: reaped pid, writes, EFAULT", test_proc_cmdline_bad, LOUPE },
	{ "maps: text r-xp, [stack], [heap] after brk, mmaps", test_proc_maps, LOUPE },
	{ "maps_bad: unmapped ranges are absent; reaped pid", test_proc_maps_bad, LOUPE },
	{ "rule 1: a zombie gives ESRCH", test_perm_zombie_esrch, LOUPE },
	{ "rule 1: an unknown pid has no directory (ENOENT)", test_perm_unknown_pid, LOUPE },
	{ "rule 3: tracing itself gives EPERM", test_perm_self_eperm, LOUPE },
	{ "rules 4, 5: parent, grandparent, pid 1 give EPERM", test_perm_ancestors_and_init_eperm, LOUPE },
	{ "rule 4 twin: a sibling and a grandchild may be traced", test_perm_sibling_and_grandchild_allowed, LOUPE },
	{ "rule 6: a second tracer gets EBUSY", test_perm_second_tracer_ebusy, LOUPE },
	{ "rule 6: two racing tracers, exactly one wins", test_perm_two_tracers_race, LOUPE },
	{ "trace_bad: O_RDONLY and O_WRONLY give EINVAL", test_trace_open_modes_bad, LOUPE },
	{ "syscall entry and exit events of write and getpid", test_syscall_entry_exit, LOUPE },
	{ "syscall stops_bad: unarmed stops give no events", test_syscall_stops_unarmed_bad, LOUPE },
	{ "seq numbers are 1, 2, 3... per session", test_seq_numbers, LOUPE },
	{ "read blocks until the tracee makes a call", test_read_blocks_until_syscall, LOUPE },
	{ "read_bad: O_NONBLOCK EAGAIN, small buffers EINVAL", test_read_nonblock_eagain, LOUPE },
	{ "poll over several trace handles, POLLHUP at the end", test_poll_several_handles, LOUPE },
	{ "LOUPE_RESUME_WAIT returns at the next event", test_resume_wait, LOUPE },
	{ "resume_bad: sizes, unknown bits, reserved, EFAULT", test_resume_bad, LOUPE },
	{ "a stop is 't (tracing stop)'; TracerPid", test_stop_state_and_tracerpid, LOUPE },
	{ "SIGCONT does not resume a trace stop", test_sigcont_does_not_resume, LOUPE },
	{ "SIGKILL ends a stop: DEATH, EOF, ESRCH", test_sigkill_ends_stop, LOUPE },
	{ "SIGKILL of a running tracee: DEATH", test_sigkill_while_running, LOUPE },
	{ "tracer killed at a stop: the tracee runs on", test_tracer_killed_tracee_runs_on, LOUPE },
	{ "tracer killed with KILL_ON_CLOSE: the tracee dies", test_tracer_killed_kill_on_close, LOUPE },
	{ "closing the handle resumes the tracee", test_close_resumes_tracee, LOUPE },
	{ "KILL_ON_CLOSE: close kills the tracee", test_kill_on_close, LOUPE },
	{ "KILL_ON_CLOSE_bad: replaced by the next write", test_kill_on_close_replaced_bad, LOUPE },
	{ "tracee exits while the tracer blocks in read", test_tracee_exits_while_tracer_blocked, LOUPE },
	{ "EXIT stop before teardown: status, regs, mem", test_exit_stop_before_teardown, LOUPE },
	{ "EXIT stop_bad: not armed, only DEATH", test_exit_stop_unarmed_bad, LOUPE },
	{ "the real parent reaps a tracee of a sibling", test_parent_reaps_sibling_traced, LOUPE },
	{ "10000 attach/stop/detach cycles free everything", test_attach_detach_cycles_free_everything, LOUPE },
};

int main(int argc, char **argv)
{
	tap_argv0 = argv[0];
	main_argc = argc;
	main_argv = argv;
	if (argc >= 2 && strcmp(argv[1], "--wait-stdin") == 0) {
		char byte;
		return read(0, &byte, 1) < 0;
	}
	return trace_tap_main(argc, argv, tests, TAP_COUNT(tests));
}
