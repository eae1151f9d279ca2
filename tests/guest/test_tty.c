/* SPDX-License-Identifier: MIT */
/*
 * test_tty - the console as a terminal (issue 4): isatty, TCGETS/TCSETS
 * (the line discipline's settings and raw mode), TIOCGWINSZ, and the
 * foreground process group with TIOCGPGRP/TIOCSPGRP, plus ENOTTY for
 * everything that is not a terminal.
 *
 * On Loupe the terminal is /dev/console. On Linux the same checks run on
 * the slave side of a fresh pseudo-terminal, opened by a new session
 * leader so that it becomes the controlling terminal: Linux's answers are
 * the reference. Nothing here reads from the terminal (no input is typed
 * during a test run).
 *
 * Loupe assumptions: fds 0-2 of a test program are the console, and the
 * program runs in the console's foreground process group of a session
 * whose controlling terminal is the console (init sets that up).
 */
#include "tap.h"

#include <sys/ioctl.h>
#include <termios.h>

/*
 * Runs body(fd) with fd a terminal that is the controlling terminal of
 * the caller's session, with the caller's group in the foreground.
 */
static void with_terminal(void (*body)(int fd))
{
	if (on_loupe()) {
		int fd = open("/dev/console", O_RDWR);
		CHECK(fd >= 0);
		body(fd);
		close(fd);
		return;
	}
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
		tap_skip("no pseudo-terminals on this host");
	const char *name = ptsname(master);
	CHECK(name != NULL);
	pid_t pid = tap_fork();
	if (pid == 0) {
		CHECK(setsid() == getpid());
		int fd = open(name, O_RDWR); /* no O_NOCTTY: it becomes ours */
		CHECK(fd >= 0);
		body(fd);
		_exit(0);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	close(master);
}

static void check_isatty(int fd)
{
	CHECK(isatty(fd));
	struct termios t;
	CHECK_EQ(ioctl(fd, TCGETS, &t), 0);
}

static void test_console_isatty(void)
{
	for (int fd = 0; fd <= 2; fd++)
		CHECK(isatty(fd));
}

static void test_isatty(void)
{
	with_terminal(check_isatty);
}

static void check_termios(int fd)
{
	struct termios t, saved, now;
	CHECK_EQ(tcgetattr(fd, &t), 0);
	saved = t;
	/* A line discipline: canonical mode, echo, signals from ^C and ^\. */
	CHECK(t.c_lflag & ICANON);
	CHECK(t.c_lflag & ECHO);
	CHECK(t.c_lflag & ISIG);
	CHECK_EQ(t.c_cc[VINTR], 3);     /* ^C */
	CHECK_EQ(t.c_cc[VQUIT], 034);   /* ^\ */
	CHECK_EQ(t.c_cc[VERASE], 0177); /* DEL */
	CHECK_EQ(t.c_cc[VKILL], 025);   /* ^U */
	CHECK_EQ(t.c_cc[VEOF], 4);      /* ^D */
	CHECK(t.c_oflag & OPOST);
	CHECK(t.c_oflag & ONLCR);

	/* Raw mode, as a program asks for it, reads back as set. */
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	CHECK_EQ(tcsetattr(fd, TCSANOW, &t), 0);
	CHECK_EQ(tcgetattr(fd, &now), 0);
	CHECK_EQ(now.c_lflag & (ICANON | ECHO | ISIG), 0);
	CHECK_EQ(now.c_oflag & OPOST, 0);
	CHECK_EQ(now.c_cc[VMIN], 1);
	/* Back to what it was (TCSETSW: wait for output to drain first). */
	CHECK_EQ(tcsetattr(fd, TCSADRAIN, &saved), 0);
	CHECK_EQ(tcgetattr(fd, &now), 0);
	CHECK_EQ(now.c_lflag, saved.c_lflag);
	CHECK_EQ(now.c_iflag, saved.c_iflag);
	CHECK_EQ(now.c_oflag, saved.c_oflag);
	CHECK(memcmp(now.c_cc, saved.c_cc, 19) == 0); /* the kernel's NCCS is 19, musl's 32 */

	/* Output still works after the round trip. */
	static const char line[] = "# the terminal writes after TCSETS\n";
	CHECK_EQ(write(fd, line, sizeof(line) - 1), sizeof(line) - 1);
}

static void test_termios(void)
{
	with_terminal(check_termios);
}

static void check_winsize(int fd)
{
	struct winsize ws;
	memset(&ws, 0xff, sizeof(ws));
	CHECK_EQ(ioctl(fd, TIOCGWINSZ, &ws), 0);
	CHECK(ws.ws_row != 0xffff);
	CHECK(ws.ws_col != 0xffff);
}

static void test_winsize(void)
{
	with_terminal(check_winsize);
}

static void check_foreground_group(int fd)
{
	pid_t fg = tcgetpgrp(fd);
	CHECK_EQ(fg, getpgrp());
	pid_t raw = 0;
	CHECK_EQ(ioctl(fd, TIOCGPGRP, &raw), 0);
	CHECK_EQ(raw, fg);
	CHECK_EQ(tcsetpgrp(fd, fg), 0); /* to itself */

	/* A child in its own group takes the foreground and gives it back. */
	pid_t pid = tap_fork();
	if (pid == 0) {
		if (setpgid(0, 0) != 0)
			_exit(1);
		/* Now in the background: TIOCSPGRP would raise SIGTTOU. */
		signal(SIGTTOU, SIG_IGN);
		if (tcsetpgrp(fd, getpid()) != 0)
			_exit(2);
		if (tcgetpgrp(fd) != getpid())
			_exit(3);
		if (tcsetpgrp(fd, fg) != 0)
			_exit(4);
		_exit(0);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_EQ(tcgetpgrp(fd), fg);
}

static void test_foreground_group(void)
{
	with_terminal(check_foreground_group);
}

static void check_foreground_group_bad(int fd)
{
	pid_t fg = tcgetpgrp(fd);
	pid_t gone = tap_fork();
	if (gone == 0)
		_exit(0);
	CHECK_EXITED(tap_wait(gone), 0);
	CHECK_ERRNO(tcsetpgrp(fd, gone), ESRCH);
	CHECK_ERRNO(tcsetpgrp(fd, -1), EINVAL);
	/* A group of another session. */
	int sync[2];
	CHECK_EQ(pipe(sync), 0);
	pid_t other = tap_fork();
	if (other == 0) {
		setsid();
		write(sync[1], "s", 1);
		pause();
		_exit(0);
	}
	char c;
	CHECK_EQ(read(sync[0], &c, 1), 1);
	CHECK_ERRNO(tcsetpgrp(fd, other), EPERM);
	kill(other, SIGKILL);
	CHECK_SIGNALED(tap_wait(other), SIGKILL);
	CHECK_EQ(tcgetpgrp(fd), fg);
	/* Bad pointers. */
	CHECK_ERRNO(ioctl(fd, TIOCGPGRP, TAP_BAD_KERNEL), EFAULT);
	CHECK_ERRNO(ioctl(fd, TIOCSPGRP, TAP_BAD_KERNEL), EFAULT);
	CHECK_ERRNO(ioctl(fd, TCGETS, TAP_BAD_KERNEL), EFAULT);
	CHECK_ERRNO(ioctl(fd, TCSETS, TAP_BAD_KERNEL), EFAULT);
	CHECK_ERRNO(ioctl(fd, TCGETS, tap_readonly_page()), EFAULT);
	CHECK_ERRNO(ioctl(fd, TIOCGWINSZ, NULL), EFAULT);
}

static void test_foreground_group_bad(void)
{
	with_terminal(check_foreground_group_bad);
}

static void test_not_a_tty(void)
{
	struct termios t;
	struct winsize ws;
	pid_t pgrp;
	int null = open("/dev/null", O_RDWR);
	CHECK(null >= 0);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	const char *path = tap_scratch("f");
	tap_make_file(path, "", 0);
	int file = open(path, O_RDWR);
	CHECK(file >= 0);
	int fds[] = { null, p[0], p[1], file };
	for (unsigned i = 0; i < TAP_COUNT(fds); i++) {
		CHECK(!isatty(fds[i]));
		CHECK_ERRNO(ioctl(fds[i], TCGETS, &t), ENOTTY);
		CHECK_ERRNO(ioctl(fds[i], TCSETS, &t), ENOTTY);
		CHECK_ERRNO(ioctl(fds[i], TIOCGWINSZ, &ws), ENOTTY);
		CHECK_ERRNO(ioctl(fds[i], TIOCGPGRP, &pgrp), ENOTTY);
	}
	CHECK_ERRNO(ioctl(-1, TCGETS, &t), EBADF);
	CHECK_ERRNO(ioctl(1000, TCGETS, &t), EBADF);
	tap_scratch_cleanup();
}

static const struct tap_test tests[] = {
	{ "fds 0-2 are the console, a tty", test_console_isatty, TAP_LOUPE_ONLY },
	{ "isatty on the terminal", test_isatty },
	{ "TCGETS defaults, TCSETS raw mode and back", test_termios },
	{ "TIOCGWINSZ", test_winsize },
	{ "TIOCGPGRP, TIOCSPGRP: the foreground group", test_foreground_group },
	{ "TIOCSPGRP: ESRCH, EINVAL, EPERM; EFAULT", test_foreground_group_bad },
	{ "ENOTTY for /dev/null, pipes, files", test_not_a_tty },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
