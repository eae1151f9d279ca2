/* SPDX-License-Identifier: MIT */
/*
 * test_files - the VFS and the RAM filesystem of issue 4: open/openat and
 * their flags, read/write/lseek/pread/pwrite/readv/writev on regular
 * files, the stat family, getdents64, access, the current directory,
 * mkdir/rmdir/unlink/rename/truncate, dup/dup2/dup3 and fcntl, close-on-
 * exec across execve, the descriptor limit (EMFILE), the devices
 * /dev/null, /dev/zero and /dev/urandom, and the memory of deleted files.
 * Every operation has its _bad twin: bad descriptors, bad paths, bad
 * pointers, names too long, the wrong kind of file.
 *
 * Each test works in its own scratch directory, /tmp/t<pid> (under
 * $LOUPE_ROOT on a host run: see tap_scratch_dir() in tap.h), and removes
 * it when it passes. Paths of devices are used as they are, on Linux too.
 *
 * The program also plays its own exec target: `test_files --fd-state N...`
 * exits with bit i set iff descriptor N_i is open (the close-on-exec test).
 *
 * Runs on Linux too; Loupe's own conventions (256 descriptors, exact
 * sysinfo counters) are TAP_LOUPE_ONLY.
 */
#include "tap.h"

#include <limits.h>
#include <stdint.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define EACH_BAD(ptr) \
	for (int bad_i_ = 0; bad_i_ < TAP_BAD_COUNT && ((ptr) = tap_bad_pointers[bad_i_], 1); bad_i_++)

static const int bad_fds[] = { -1, 1000, INT_MAX, INT_MIN, 255 };

static int open_or_fail(const char *path, int flags, int mode)
{
	int fd = open(path, flags, mode);
	if (fd < 0) {
		tap_diag("open(%s, %#x) failed: %s", path, flags, strerror(errno));
		_exit(1);
	}
	return fd;
}

static void check_contents(const char *path, const char *expected, size_t len)
{
	char buf[256];
	int fd = open_or_fail(path, O_RDONLY, 0);
	CHECK(len <= sizeof(buf));
	CHECK_EQ(tap_read_fully(fd, buf, sizeof(buf)), len);
	CHECK(memcmp(buf, expected, len) == 0);
	close(fd);
}

static void enter_scratch(void)
{
	CHECK_OK(chdir(tap_scratch_dir()));
}

/* --- open, read, write, close -------------------------------------------- */

static void test_create_write_read(void)
{
	umask(022);
	const char *path = tap_scratch("a");
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 3);
	CHECK_EQ(write(fd, "hello, file", 11), 11);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);
	char buf[32] = { 0 };
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0); /* at end of file */
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, buf, 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, ", file", 6) == 0);
	CHECK_EQ(close(fd), 0);
	check_contents(path, "hello, file", 11);

	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0644); /* 0666 & ~022 */
	CHECK_EQ(st.st_size, 11);
	CHECK_EQ(st.st_nlink, 1);
	tap_scratch_cleanup();
}

static void test_open_lowest_fd(void)
{
	tap_close_from(3);
	const char *path = tap_scratch("f");
	int a = open_or_fail(path, O_RDWR | O_CREAT, 0644);
	int b = open_or_fail(path, O_RDONLY, 0);
	int c = open_or_fail(path, O_RDONLY, 0);
	CHECK_EQ(a, 3);
	CHECK_EQ(b, 4);
	CHECK_EQ(c, 5);
	CHECK_EQ(close(b), 0);
	CHECK_EQ(open(path, O_RDONLY), 4);
	CHECK_EQ(close(a), 0);
	CHECK_ERRNO(close(a), EBADF);
	tap_scratch_cleanup();
}

static void test_umask(void)
{
	mode_t old = umask(077);
	CHECK_EQ(umask(077), 077);
	(void)old;
	int fd = open_or_fail(tap_scratch("private"), O_WRONLY | O_CREAT, 0666);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	close(fd);
	CHECK_EQ(mkdir(tap_scratch("pdir"), 0777), 0);
	CHECK_EQ(stat(tap_scratch("pdir"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0700);
	/* Only the low 9 bits + sticky/setid are kept; umask returns the old one. */
	CHECK_EQ(umask(0), 077);
	CHECK_EQ(umask(0777777), 0);
	CHECK_EQ(umask(022), 0777);
	fd = open_or_fail(tap_scratch("modes"), O_WRONLY | O_CREAT, 0751);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0751 & ~022);
	close(fd);
	tap_scratch_cleanup();
}

static void test_open_flags(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "0123456789", 10);

	/* O_EXCL on an existing file; without O_CREAT it is ignored. */
	CHECK_ERRNO(open(path, O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	int fd = open_or_fail(path, O_RDONLY | O_EXCL, 0);
	close(fd);

	/* O_CREAT on an existing file keeps its contents and mode. */
	fd = open_or_fail(path, O_RDWR | O_CREAT, 0600);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 10);
	CHECK_EQ(st.st_mode & 0777, 0644);
	close(fd);

	/* O_TRUNC empties it. */
	fd = open_or_fail(path, O_WRONLY | O_TRUNC, 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	close(fd);

	/* O_APPEND: every write goes to the end, whatever the offset. */
	fd = open_or_fail(path, O_RDWR | O_APPEND, 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "de", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
	CHECK_EQ(lseek(fd, 1, SEEK_SET), 1);
	char buf[8];
	CHECK_EQ(read(fd, buf, 2), 2); /* reads honour the offset */
	CHECK(memcmp(buf, "bc", 2) == 0);
	CHECK_EQ(write(fd, "f", 1), 1);
	close(fd);
	check_contents(path, "abcdef", 6);

	/* O_DIRECTORY opens directories only. */
	CHECK_ERRNO(open(path, O_RDONLY | O_DIRECTORY), ENOTDIR);
	fd = open_or_fail(tap_scratch_dir(), O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	close(fd);

	/* O_NONBLOCK is accepted on a regular file and shows in F_GETFL. */
	fd = open_or_fail(path, O_RDONLY | O_NONBLOCK, 0);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK_EQ(read(fd, buf, 6), 6);
	close(fd);

	/* O_CLOEXEC sets FD_CLOEXEC; other opens do not. */
	fd = open_or_fail(path, O_RDONLY | O_CLOEXEC, 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	fd = open_or_fail(path, O_RDONLY, 0);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
	tap_scratch_cleanup();
}

static void test_open_access_modes(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "xyz", 3);
	char buf[4];
	int ro = open_or_fail(path, O_RDONLY, 0);
	int wo = open_or_fail(path, O_WRONLY, 0);
	int rw = open_or_fail(path, O_RDWR, 0);
	CHECK_ERRNO(write(ro, "a", 1), EBADF);
	CHECK_ERRNO(read(wo, buf, 1), EBADF);
	CHECK_ERRNO(pread(wo, buf, 1, 0), EBADF);
	CHECK_ERRNO(pwrite(ro, "a", 1, 0), EBADF);
	CHECK_EQ(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(fcntl(wo, F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ(fcntl(rw, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ(read(rw, buf, 3), 3);
	CHECK_EQ(write(wo, "A", 1), 1);
	CHECK_EQ(pread(ro, buf, 1, 0), 1);
	CHECK_EQ(buf[0], 'A');
	close(ro);
	close(wo);
	close(rw);
	tap_scratch_cleanup();
}

static void test_open_errors(void)
{
	enter_scratch();
	tap_make_file("file", "x", 1);
	CHECK_EQ(mkdir("dir", 0755), 0);
	CHECK_ERRNO(open("missing", O_RDONLY), ENOENT);
	CHECK_ERRNO(open("missing/x", O_RDONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERRNO(open("nodir/new", O_WRONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERRNO(open("file/x", O_RDONLY), ENOTDIR);
	CHECK_ERRNO(open("file/", O_RDONLY), ENOTDIR);
	CHECK_ERRNO(open("file/x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
	CHECK_ERRNO(open("", O_RDONLY), ENOENT);
	CHECK_ERRNO(open("dir", O_WRONLY), EISDIR);
	CHECK_ERRNO(open("dir", O_RDWR), EISDIR);
	CHECK_ERRNO(open("dir", O_WRONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERRNO(open("dir/", O_WRONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERRNO(open("dir", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK_ERRNO(open("dir", O_RDONLY | O_TRUNC), EISDIR);
	/* A directory opens read-only, but read() on it says EISDIR. */
	int fd = open_or_fail("dir", O_RDONLY, 0);
	char buf[8];
	CHECK_ERRNO(read(fd, buf, sizeof(buf)), EISDIR);
	CHECK_ERRNO(pread(fd, buf, sizeof(buf), 0), EISDIR);
	CHECK_ERRNO(write(fd, "x", 1), EBADF);
	close(fd);
	/* A trailing slash on a name that does not exist, with O_CREAT. */
	CHECK_ERRNO(open("newfile/", O_WRONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERRNO(access("newfile", F_OK), ENOENT);
	tap_scratch_cleanup();
}

static void test_open_efault(void)
{
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_open, bad, O_RDONLY, 0), EFAULT);
		CHECK_ERRNO(syscall(SYS_open, bad, O_WRONLY | O_CREAT, 0644), EFAULT);
		CHECK_ERRNO(syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY, 0), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_open, tap_unmapped_page(), O_RDONLY, 0), EFAULT);
	/* A name that runs into an unmapped page without its NUL. */
	char *name = tap_straddling_pointer(200);
	memset(name, 'a', 100);
	CHECK_ERRNO(syscall(SYS_open, name, O_RDONLY, 0), EFAULT);
}

static void test_openat(void)
{
	const char *dir = tap_scratch_dir();
	int dirfd = open_or_fail(dir, O_RDONLY | O_DIRECTORY, 0);
	int fd = openat(dirfd, "rel", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "at", 2), 2);
	close(fd);
	check_contents(tap_scratch("rel"), "at", 2);
	/* An absolute path ignores dirfd, even a bad one. */
	fd = openat(-1, tap_scratch("rel"), O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	fd = openat(12345, tap_scratch("rel"), O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	/* AT_FDCWD is the current directory. */
	enter_scratch();
	fd = openat(AT_FDCWD, "rel", O_RDONLY);
	CHECK(fd >= 0);
	/* A relative path with a dirfd that is no directory, or no fd at all. */
	CHECK_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
	tap_close_from(3);
	CHECK_ERRNO(openat(200, "rel", O_RDONLY), EBADF);
	CHECK_ERRNO(openat(-1, "rel", O_RDONLY), EBADF);
	close(dirfd);
	tap_scratch_cleanup();
}

/* --- names: length limits, . and .. -------------------------------------- */

static void test_name_lengths(void)
{
	enter_scratch();
	char name[300];
	memset(name, 'n', 255);
	name[255] = '\0';
	/* 255 bytes is a legal name: it can be created, found and removed. */
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(access(name, F_OK), 0);
	CHECK_EQ(unlink(name), 0);
	CHECK_EQ(mkdir(name, 0755), 0);
	CHECK_EQ(rmdir(name), 0);
	/* 256 bytes is not, wherever it appears in the path. */
	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK_ERRNO(open(name, O_RDONLY), ENAMETOOLONG);
	CHECK_ERRNO(open(name, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
	CHECK_ERRNO(mkdir(name, 0755), ENAMETOOLONG);
	CHECK_ERRNO(access(name, F_OK), ENAMETOOLONG);
	struct stat st;
	CHECK_ERRNO(stat(name, &st), ENAMETOOLONG);
	char path[320];
	snprintf(path, sizeof(path), "./%s/x", name);
	CHECK_ERRNO(open(path, O_RDONLY), ENAMETOOLONG);

	/* A whole path of 4095 bytes is fine; 4096 bytes (no room for NUL) is not. */
	static char long_path[8192];
	for (int i = 0; i < 2047; i++)
		memcpy(long_path + 2 * i, "./", 2);
	long_path[4094] = '.';
	long_path[4095] = '\0';
	CHECK_EQ(strlen(long_path), 4095);
	fd = open(long_path, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	close(fd);
	long_path[4095] = '/';
	long_path[4096] = '\0';
	CHECK_ERRNO(open(long_path, O_RDONLY | O_DIRECTORY), ENAMETOOLONG);
	memset(long_path, '/', 6000);
	long_path[6000] = '\0';
	CHECK_ERRNO(stat(long_path, &st), ENAMETOOLONG);
	CHECK_ERRNO(chdir(long_path), ENAMETOOLONG);
	tap_scratch_cleanup();
}

static void test_dot_and_dotdot(void)
{
	enter_scratch();
	CHECK_EQ(mkdir("a", 0755), 0);
	CHECK_EQ(mkdir("a/b", 0755), 0);
	tap_make_file("a/b/f", "dots", 4);
	check_contents("a/b/../b/./f", "dots", 4);
	check_contents("./a/./b/f", "dots", 4);
	check_contents("a//b///f", "dots", 4);
	struct stat here, dotdot, a, b_up;
	CHECK_EQ(stat(".", &here), 0);
	CHECK_EQ(stat("a/..", &dotdot), 0);
	CHECK_EQ(here.st_ino, dotdot.st_ino);
	CHECK_EQ(stat("a", &a), 0);
	CHECK_EQ(stat("a/b/..", &b_up), 0);
	CHECK_EQ(a.st_ino, b_up.st_ino);
	/* .. of the root is the root. */
	struct stat root, root_up, root_up2;
	CHECK_EQ(stat("/", &root), 0);
	CHECK_EQ(stat("/..", &root_up), 0);
	CHECK_EQ(stat("/../../..", &root_up2), 0);
	CHECK_EQ(root.st_ino, root_up.st_ino);
	CHECK_EQ(root.st_ino, root_up2.st_ino);
	CHECK_EQ(root.st_dev, root_up.st_dev);
	/* The initrd's folders are there and are directories. */
	CHECK_EQ(stat(tap_path("/tests"), &a), 0);
	CHECK(S_ISDIR(a.st_mode));
	CHECK_EQ(stat(tap_path("/tests/data"), &a), 0);
	CHECK(S_ISDIR(a.st_mode));
	CHECK_EQ(stat(tap_path("/tmp"), &a), 0);
	CHECK(S_ISDIR(a.st_mode));
	CHECK_EQ(stat(tap_path("/bin/hello"), &a), 0);
	CHECK(S_ISREG(a.st_mode));
	CHECK(a.st_mode & S_IXUSR);
	CHECK(a.st_size > 1000);
	tap_scratch_cleanup();
}

/* --- offsets: lseek, holes, pread/pwrite, sharing ------------------------- */

static void test_lseek(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "0123456789", 10);
	int fd = open_or_fail(path, O_RDWR, 0);
	char buf[16];
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ(lseek(fd, 2, SEEK_CUR), 5);
	CHECK_EQ(lseek(fd, -1, SEEK_CUR), 4);
	CHECK_EQ(read(fd, buf, 2), 2);
	CHECK(memcmp(buf, "45", 2) == 0);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10);
	CHECK_EQ(lseek(fd, -3, SEEK_END), 7);
	CHECK_EQ(read(fd, buf, 16), 3);
	CHECK(memcmp(buf, "789", 3) == 0);

	/* Past the end: reads give 0, a write leaves a hole of zeros. */
	CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);
	CHECK_EQ(read(fd, buf, 16), 0);
	CHECK_EQ(lseek(fd, 10, SEEK_END), 20);
	CHECK_EQ(write(fd, "Z", 1), 1);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 21);
	CHECK_EQ(pread(fd, buf, 16, 8), 13 > 16 ? 16 : 13);
	CHECK(memcmp(buf, "89\0\0\0\0\0\0\0\0\0\0Z", 13) == 0);

	/* A big hole: 1 MiB in, across several pages. */
	CHECK_EQ(lseek(fd, 1 << 20, SEEK_SET), 1 << 20);
	CHECK_EQ(write(fd, "end", 3), 3);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, (1 << 20) + 3);
	static char page[8192];
	memset(page, 0x55, sizeof(page));
	CHECK_EQ(pread(fd, page, sizeof(page), 300000), sizeof(page));
	for (unsigned i = 0; i < sizeof(page); i++)
		CHECK_EQ(page[i], 0);
	CHECK_EQ(pread(fd, buf, 16, (1 << 20) - 2), 5);
	CHECK(memcmp(buf, "\0\0end", 5) == 0);
	close(fd);
	tap_scratch_cleanup();
}

static void test_lseek_errors(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "0123456789", 10);
	int fd = open_or_fail(path, O_RDONLY, 0);
	CHECK_EQ(lseek(fd, 4, SEEK_SET), 4);
	CHECK_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERRNO(lseek(fd, -5, SEEK_CUR), EINVAL);
	CHECK_ERRNO(lseek(fd, -11, SEEK_END), EINVAL);
	CHECK_ERRNO(lseek(fd, 0, 5), EINVAL);
	CHECK_ERRNO(lseek(fd, 0, -1), EINVAL);
	CHECK_ERRNO(syscall(SYS_lseek, fd, 0, 0x10000), EINVAL);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4); /* failures leave the offset alone */
	tap_close_from(3);
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(lseek(bad_fds[i], 0, SEEK_SET), EBADF);
	close(fd);
	CHECK_ERRNO(lseek(fd, 0, SEEK_SET), EBADF);
	/* A pipe cannot seek. */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERRNO(lseek(p[0], 0, SEEK_CUR), ESPIPE);
	CHECK_ERRNO(lseek(p[1], 0, SEEK_SET), ESPIPE);
	char c;
	CHECK_ERRNO(pread(p[0], &c, 1, 0), ESPIPE);
	CHECK_ERRNO(pwrite(p[1], &c, 1, 0), ESPIPE);
	tap_scratch_cleanup();
}

static void test_pread_pwrite(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "abcdefgh", 8);
	int fd = open_or_fail(path, O_RDWR, 0);
	char buf[8];
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(pread(fd, buf, 3, 4), 3);
	CHECK(memcmp(buf, "efg", 3) == 0);
	CHECK_EQ(pwrite(fd, "XY", 2, 6), 2);
	CHECK_EQ(pwrite(fd, "!", 1, 12), 1); /* past the end: a hole */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2); /* neither moved the offset */
	CHECK_EQ(pread(fd, buf, 8, 20), 0);
	CHECK_EQ(read(fd, buf, 8), 8);
	CHECK(memcmp(buf, "cdefXY\0\0", 8) == 0);
	CHECK_ERRNO(pread(fd, buf, 1, -1), EINVAL);
	CHECK_ERRNO(pwrite(fd, "x", 1, -1), EINVAL);
	CHECK_ERRNO(syscall(SYS_pread64, fd, buf, 1, LONG_MIN), EINVAL);
	close(fd);
	tap_scratch_cleanup();
}

static void test_readv_writev_files(void)
{
	const char *path = tap_scratch("f");
	int fd = open_or_fail(path, O_RDWR | O_CREAT, 0644);
	struct iovec out[3] = { { "one ", 4 }, { NULL, 0 }, { "two", 3 } };
	CHECK_EQ(writev(fd, out, 3), 7);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	char a[3], b[10];
	struct iovec in[2] = { { a, 3 }, { b, 10 } };
	CHECK_EQ(readv(fd, in, 2), 7);
	CHECK(memcmp(a, "one", 3) == 0);
	CHECK(memcmp(b, " two", 4) == 0);
	CHECK_EQ(readv(fd, in, 2), 0);
	/* preadv/pwritev keep the offset too. */
	CHECK_EQ(pwritev(fd, out + 2, 1, 0), 3);
	CHECK_EQ(preadv(fd, in, 1, 1), 3);
	CHECK(memcmp(a, "wo ", 3) == 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7);
	close(fd);
	tap_scratch_cleanup();
}

static void test_offsets_shared_by_dup_and_fork(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "0123456789", 10);
	int fd = open_or_fail(path, O_RDWR, 0);
	int copy = dup(fd);
	CHECK(copy >= 0);
	char buf[4];
	CHECK_EQ(read(fd, buf, 2), 2);
	CHECK_EQ(lseek(copy, 0, SEEK_CUR), 2);
	CHECK_EQ(read(copy, buf, 2), 2);
	CHECK(memcmp(buf, "23", 2) == 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);

	/* A second open() is a second description with its own offset. */
	int other = open_or_fail(path, O_RDONLY, 0);
	CHECK_EQ(lseek(other, 0, SEEK_CUR), 0);

	/* A child's reads move the parent's offset. */
	pid_t pid = tap_fork();
	if (pid == 0) {
		char c;
		if (read(fd, &c, 1) != 1 || c != '4' || read(copy, &c, 1) != 1 || c != '5')
			_exit(1);
		_exit(0);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
	CHECK_EQ(lseek(other, 0, SEEK_CUR), 0);

	/* Appends from parent and child through a shared O_APPEND description. */
	int app = open_or_fail(path, O_WRONLY | O_APPEND, 0);
	pid = tap_fork();
	if (pid == 0) {
		for (int i = 0; i < 100; i++)
			if (write(app, "c", 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (int i = 0; i < 100; i++)
		CHECK_EQ(write(app, "p", 1), 1);
	CHECK_EXITED(tap_wait(pid), 0);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 210);
	close(fd);
	close(copy);
	close(other);
	close(app);
	tap_scratch_cleanup();
}

static void test_io_bad(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "0123456789", 10);
	int fd = open_or_fail(path, O_RDWR, 0);
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_read, fd, bad, 4), EFAULT);
		CHECK_ERRNO(syscall(SYS_write, fd, bad, 4), EFAULT);
		CHECK_ERRNO(syscall(SYS_pread64, fd, bad, 4, 0), EFAULT);
		CHECK_ERRNO(syscall(SYS_pwrite64, fd, bad, 4, 0), EFAULT);
		CHECK_ERRNO(syscall(SYS_readv, fd, bad, 1), EFAULT);
		CHECK_ERRNO(syscall(SYS_writev, fd, bad, 1), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_read, fd, tap_readonly_page(), 4), EFAULT);
	CHECK_ERRNO(syscall(SYS_read, fd, tap_unmapped_page(), 4), EFAULT);
	CHECK_ERRNO(syscall(SYS_write, fd, tap_unmapped_page(), 4), EFAULT);
	/* The failed calls changed neither the file nor the offset. */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
	check_contents(path, "0123456789", 10);

	char buf[4];
	tap_close_from(3);
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++) {
		CHECK_ERRNO(read(bad_fds[i], buf, 1), EBADF);
		CHECK_ERRNO(write(bad_fds[i], buf, 1), EBADF);
		CHECK_ERRNO(pread(bad_fds[i], buf, 1, 0), EBADF);
		CHECK_ERRNO(close(bad_fds[i]), EBADF);
	}
	tap_scratch_cleanup();
}

/* --- the stat family ------------------------------------------------------ */

static void test_stat_fields(void)
{
	umask(022);
	enter_scratch();
	struct timespec t0, t1;
	CHECK_EQ(clock_gettime(CLOCK_REALTIME, &t0), 0);
	static char data[10000];
	memset(data, 'd', sizeof(data));
	tap_make_file("f", data, sizeof(data));
	tap_make_file("g", "", 0);
	CHECK_EQ(clock_gettime(CLOCK_REALTIME, &t1), 0);

	struct stat f, g, dir;
	CHECK_EQ(stat("f", &f), 0);
	CHECK_EQ(stat("g", &g), 0);
	CHECK_EQ(f.st_mode, S_IFREG | 0644);
	CHECK_EQ(f.st_size, sizeof(data));
	CHECK_EQ(g.st_size, 0);
	CHECK_EQ(f.st_nlink, 1);
	CHECK(f.st_ino != g.st_ino);
	CHECK_EQ(f.st_dev, g.st_dev);
	CHECK(f.st_blksize > 0);
	CHECK(f.st_blocks * 512 >= (long)sizeof(data));
	CHECK(f.st_blocks * 512 < 4 * (long)sizeof(data) + 8192);
	CHECK_EQ(f.st_uid, getuid());
	CHECK_EQ(f.st_gid, getgid());
	CHECK(f.st_mtim.tv_sec >= t0.tv_sec - 1 && f.st_mtim.tv_sec <= t1.tv_sec + 1);
	CHECK(f.st_ctim.tv_sec >= t0.tv_sec - 1 && f.st_ctim.tv_sec <= t1.tv_sec + 1);
	CHECK(f.st_atim.tv_sec >= t0.tv_sec - 1 && f.st_atim.tv_sec <= t1.tv_sec + 1);
	CHECK(f.st_mtim.tv_nsec >= 0 && f.st_mtim.tv_nsec < 1000000000L);

	CHECK_EQ(mkdir("d", 0777), 0);
	CHECK_EQ(stat("d", &dir), 0);
	CHECK_EQ(dir.st_mode, S_IFDIR | 0755);
	CHECK_EQ(dir.st_nlink, 2); /* its name and its "." */
	CHECK(dir.st_ino != f.st_ino);
	/* Each subdirectory's ".." is one more link. */
	CHECK_EQ(mkdir("d/s1", 0755), 0);
	CHECK_EQ(mkdir("d/s2", 0755), 0);
	tap_make_file("d/file", "", 0);
	CHECK_EQ(stat("d", &dir), 0);
	CHECK_EQ(dir.st_nlink, 4);
	CHECK_EQ(rmdir("d/s1"), 0);
	CHECK_EQ(stat("d", &dir), 0);
	CHECK_EQ(dir.st_nlink, 3);

	/* fstat, lstat and newfstatat agree with stat. */
	int fd = open_or_fail("f", O_RDONLY, 0);
	struct stat by_fd, by_lstat, by_at, by_empty;
	CHECK_EQ(fstat(fd, &by_fd), 0);
	CHECK_EQ(lstat("f", &by_lstat), 0);
	CHECK_EQ(fstatat(AT_FDCWD, "f", &by_at, 0), 0);
	CHECK_EQ(fstatat(fd, "", &by_empty, AT_EMPTY_PATH), 0);
	CHECK_EQ(by_fd.st_ino, f.st_ino);
	CHECK_EQ(by_lstat.st_ino, f.st_ino);
	CHECK_EQ(by_at.st_ino, f.st_ino);
	CHECK_EQ(by_empty.st_ino, f.st_ino);
	CHECK_EQ(by_fd.st_size, f.st_size);
	close(fd);
	int dirfd = open_or_fail("d", O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(fstatat(dirfd, "file", &by_at, 0), 0);
	CHECK(S_ISREG(by_at.st_mode));
	CHECK_EQ(syscall(SYS_newfstatat, dirfd, "s2", &by_at, 0), 0);
	CHECK(S_ISDIR(by_at.st_mode));
	close(dirfd);

	/* A write moves mtime forward (or leaves it equal, with a coarse clock). */
	tap_sleep_ms(20);
	fd = open_or_fail("g", O_WRONLY, 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_EQ(fstat(fd, &by_fd), 0);
	CHECK(by_fd.st_mtim.tv_sec > g.st_mtim.tv_sec ||
	      (by_fd.st_mtim.tv_sec == g.st_mtim.tv_sec && by_fd.st_mtim.tv_nsec >= g.st_mtim.tv_nsec));
	CHECK_EQ(by_fd.st_size, 1);
	close(fd);
	tap_scratch_cleanup();
}

static void test_stat_devices(void)
{
	struct stat st;
	CHECK_EQ(stat("/dev/null", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(stat("/dev/zero", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(stat("/dev/urandom", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fstat(p[0], &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
}

static void test_stat_errors(void)
{
	enter_scratch();
	tap_make_file("file", "", 0);
	struct stat st;
	CHECK_ERRNO(stat("missing", &st), ENOENT);
	CHECK_ERRNO(lstat("missing", &st), ENOENT);
	CHECK_ERRNO(stat("", &st), ENOENT);
	CHECK_ERRNO(stat("file/x", &st), ENOTDIR);
	CHECK_ERRNO(stat("file/", &st), ENOTDIR);
	CHECK_ERRNO(fstatat(AT_FDCWD, "file", &st, 0x12345678), EINVAL);
	int fd = open_or_fail("file", O_RDONLY, 0);
	CHECK_ERRNO(fstatat(fd, "x", &st, 0), ENOTDIR);
	CHECK_ERRNO(fstatat(fd, "", &st, 0), ENOENT); /* no AT_EMPTY_PATH */
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_stat, "file", bad), EFAULT);
		CHECK_ERRNO(syscall(SYS_lstat, "file", bad), EFAULT);
		CHECK_ERRNO(syscall(SYS_fstat, fd, bad), EFAULT);
		CHECK_ERRNO(syscall(SYS_newfstatat, AT_FDCWD, "file", bad, 0), EFAULT);
		CHECK_ERRNO(syscall(SYS_stat, bad, &st), EFAULT);
		CHECK_ERRNO(syscall(SYS_newfstatat, AT_FDCWD, bad, &st, 0), EFAULT);
	}
	CHECK_ERRNO(syscall(SYS_fstat, fd, tap_readonly_page()), EFAULT);
	CHECK_ERRNO(syscall(SYS_fstat, fd, tap_straddling_pointer(sizeof(struct stat))), EFAULT);
	close(fd);
	tap_close_from(3);
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++) {
		CHECK_ERRNO(fstat(bad_fds[i], &st), EBADF);
		CHECK_ERRNO(syscall(SYS_newfstatat, bad_fds[i], "x", &st, 0), EBADF);
	}
	tap_scratch_cleanup();
}

/* --- getdents64 ----------------------------------------------------------- */

/* Lists dir with getdents64 into names (each "name:type"), bufsize bytes at a time. */
static int list_dir(int fd, char names[][300], int max, size_t bufsize)
{
	static char buf[65536];
	int count = 0;
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, bufsize);
		CHECK(got >= 0);
		if (got == 0)
			return count;
		for (long at = 0; at < got;) {
			struct linux_dirent64 *entry = (struct linux_dirent64 *)(buf + at);
			CHECK(entry->d_reclen > 0 && entry->d_reclen % 8 == 0);
			CHECK(entry->d_ino != 0);
			CHECK(count < max);
			snprintf(names[count++], 300, "%s:%d", entry->d_name, entry->d_type);
			at += entry->d_reclen;
		}
	}
}

static int find_name(char names[][300], int count, const char *want)
{
	int found = 0;
	for (int i = 0; i < count; i++)
		found += strcmp(names[i], want) == 0;
	return found;
}

static void test_getdents64(void)
{
	enter_scratch();
	CHECK_EQ(mkdir("d", 0755), 0);
	int fd = open_or_fail("d", O_RDONLY | O_DIRECTORY, 0);
	static char names[64][300];
	int count = list_dir(fd, names, 64, sizeof(names));
	CHECK_EQ(count, 2);
	CHECK_EQ(find_name(names, count, ".:4"), 1); /* DT_DIR */
	CHECK_EQ(find_name(names, count, "..:4"), 1);

	tap_make_file("d/file", "", 0);
	CHECK_EQ(mkdir("d/sub", 0755), 0);
	char long_name[256];
	memset(long_name, 'L', 255);
	long_name[255] = '\0';
	char long_path[300];
	snprintf(long_path, sizeof(long_path), "d/%s", long_name);
	tap_make_file(long_path, "", 0);
	for (int i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d/many%02d", i);
		tap_make_file(name, "", 0);
	}
	/* A directory read to its end stays at the end until rewound. */
	CHECK_EQ(syscall(SYS_getdents64, fd, names, sizeof(names)), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	/* Small buffers: several calls, nothing lost or repeated. */
	count = list_dir(fd, names, 64, 300);
	CHECK_EQ(count, 2 + 3 + 40);
	CHECK_EQ(find_name(names, count, ".:4"), 1);
	CHECK_EQ(find_name(names, count, "..:4"), 1);
	CHECK_EQ(find_name(names, count, "file:8"), 1); /* DT_REG */
	CHECK_EQ(find_name(names, count, "sub:4"), 1);
	char want[300];
	snprintf(want, sizeof(want), "%s:8", long_name);
	CHECK_EQ(find_name(names, count, want), 1);
	for (int i = 0; i < 40; i++) {
		snprintf(want, sizeof(want), "many%02d:8", i);
		CHECK_EQ(find_name(names, count, want), 1);
	}
	close(fd);

	/* The d_ino of an entry is the st_ino of the file. */
	fd = open_or_fail("d", O_RDONLY | O_DIRECTORY, 0);
	static char buf[8192];
	long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	struct stat st;
	CHECK_EQ(stat("d/file", &st), 0);
	int matched = 0;
	for (long at = 0; at < got;) {
		struct linux_dirent64 *entry = (struct linux_dirent64 *)(buf + at);
		if (strcmp(entry->d_name, "file") == 0)
			matched = entry->d_ino == st.st_ino;
		at += entry->d_reclen;
	}
	CHECK(matched);
	close(fd);

	/* readdir (musl, over getdents64) sees the /tests folder of the initrd. */
	DIR *dir = opendir(tap_path("/tests"));
	CHECK(dir != NULL);
	int saw_data = 0;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL)
		saw_data |= strcmp(entry->d_name, "data") == 0;
	closedir(dir);
	CHECK(saw_data);
	tap_scratch_cleanup();
}

static void test_getdents64_bad(void)
{
	enter_scratch();
	tap_make_file("file", "", 0);
	char buf[1024];
	int fd = open_or_fail("file", O_RDONLY, 0);
	CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	fd = open_or_fail(".", O_RDONLY | O_DIRECTORY, 0);
	CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, 10), EINVAL); /* too small for one entry */
	CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, 0), EINVAL);
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_getdents64, fd, bad, sizeof(buf)), EFAULT);
	CHECK_ERRNO(syscall(SYS_getdents64, fd, tap_readonly_page(), 4096), EFAULT);
	close(fd);
	tap_close_from(3);
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(syscall(SYS_getdents64, bad_fds[i], buf, sizeof(buf)), EBADF);
	tap_scratch_cleanup();
}

/* --- access, faccessat ---------------------------------------------------- */

static void test_access(void)
{
	enter_scratch();
	tap_make_file("plain", "", 0);
	int fd = open_or_fail("exec", O_WRONLY | O_CREAT, 0755);
	close(fd);
	CHECK_EQ(access("plain", F_OK), 0);
	CHECK_EQ(access("plain", R_OK | W_OK), 0);
	CHECK_ERRNO(access("plain", X_OK), EACCES); /* even root needs an x bit */
	CHECK_EQ(access("exec", X_OK), 0);
	CHECK_EQ(access(".", R_OK | W_OK | X_OK), 0);
	CHECK_EQ(access(tap_path("/bin/hello"), X_OK), 0);
	CHECK_EQ(faccessat(AT_FDCWD, "plain", R_OK, 0), 0);
	int dirfd = open_or_fail(".", O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(faccessat(dirfd, "exec", X_OK, 0), 0);
	CHECK_ERRNO(faccessat(dirfd, "missing", F_OK, 0), ENOENT);
	close(dirfd);
	CHECK_ERRNO(access("missing", F_OK), ENOENT);
	CHECK_ERRNO(access("plain/x", F_OK), ENOTDIR);
	CHECK_ERRNO(access("plain", 8), EINVAL);
	CHECK_ERRNO(access("plain", -1), EINVAL);
	CHECK_ERRNO(syscall(SYS_faccessat, AT_FDCWD, "", F_OK), ENOENT);
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_access, bad, F_OK), EFAULT);
		CHECK_ERRNO(syscall(SYS_faccessat, AT_FDCWD, bad, F_OK), EFAULT);
	}
	tap_scratch_cleanup();
}

/* --- chdir, fchdir, getcwd ------------------------------------------------ */

static void check_cwd_is(const char *path)
{
	char buf[1024];
	CHECK(getcwd(buf, sizeof(buf)) == buf);
	CHECK_STREQ(buf, path);
}

static void test_cwd(void)
{
	const char *scratch = tap_scratch_dir();
	char dir[600], sub[700];
	snprintf(dir, sizeof(dir), "%s", scratch);
	snprintf(sub, sizeof(sub), "%s/sub", scratch);
	CHECK_EQ(mkdir(sub, 0755), 0);

	CHECK_EQ(chdir(dir), 0);
	check_cwd_is(dir);
	CHECK_EQ(chdir("sub"), 0);
	check_cwd_is(sub);
	CHECK_EQ(chdir(".."), 0);
	check_cwd_is(dir);
	CHECK_EQ(chdir("./sub/../sub/."), 0);
	check_cwd_is(sub);
	tap_make_file("here", "cwd", 3); /* relative names resolve from cwd */
	check_contents(tap_scratch("sub/here"), "cwd", 3);

	int fd = open_or_fail(dir, O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(fchdir(fd), 0);
	check_cwd_is(dir);
	close(fd);

	/* The cwd is per process: a child's chdir leaves the parent alone. */
	pid_t pid = tap_fork();
	if (pid == 0) {
		if (chdir("sub") != 0)
			_exit(1);
		_exit(access("here", F_OK) == 0 ? 0 : 2);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	check_cwd_is(dir);

	/* Root. */
	CHECK_EQ(chdir("/"), 0);
	check_cwd_is("/");
	CHECK_EQ(chdir(".."), 0);
	check_cwd_is("/");

	/* The raw call returns the length including the NUL. */
	char buf[8];
	CHECK_EQ(syscall(SYS_getcwd, buf, sizeof(buf)), 2);
	CHECK_STREQ(buf, "/");
	tap_scratch_cleanup();
}

static void test_cwd_bad(void)
{
	enter_scratch();
	tap_make_file("file", "", 0);
	CHECK_ERRNO(chdir("missing"), ENOENT);
	CHECK_ERRNO(chdir("file"), ENOTDIR);
	CHECK_ERRNO(chdir(""), ENOENT);
	int fd = open_or_fail("file", O_RDONLY, 0);
	CHECK_ERRNO(fchdir(fd), ENOTDIR);
	close(fd);
	tap_close_from(3);
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(fchdir(bad_fds[i]), EBADF);
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_chdir, bad), EFAULT);
	/* getcwd: a buffer too small, of size 0, or bad. */
	char small[2];
	CHECK_ERRNO(syscall(SYS_getcwd, small, sizeof(small)), ERANGE);
	CHECK_ERRNO(syscall(SYS_getcwd, small, 0), ERANGE);
	char buf[1024];
	EACH_BAD(bad)
		if (bad != NULL)
			CHECK_ERRNO(syscall(SYS_getcwd, bad, sizeof(buf)), EFAULT);
	CHECK_ERRNO(syscall(SYS_getcwd, tap_readonly_page(), 4096), EFAULT);
	/* Failed chdirs left the cwd where it was. */
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK_STREQ(buf, tap_scratch_dir());
	tap_scratch_cleanup();
}

/* --- mkdir, rmdir, unlink ------------------------------------------------- */

static void test_mkdir_rmdir(void)
{
	umask(022);
	enter_scratch();
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_EQ(mkdir("d/e", 0700), 0);
	struct stat st;
	CHECK_EQ(stat("d/e", &st), 0);
	CHECK_EQ(st.st_mode, S_IFDIR | 0700);
	int dirfd = open_or_fail("d", O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(mkdirat(dirfd, "f", 0755), 0);
	CHECK_EQ(stat("d/f", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(mkdir("d/g/", 0755), 0); /* a trailing slash is fine */
	CHECK_EQ(rmdir("d/g/"), 0);
	CHECK_EQ(rmdir("d/e"), 0);
	CHECK_EQ(unlinkat(dirfd, "f", AT_REMOVEDIR), 0);
	CHECK_ERRNO(stat("d/e", &st), ENOENT);
	close(dirfd);
	CHECK_EQ(rmdir("d"), 0);
	CHECK_ERRNO(access("d", F_OK), ENOENT);
	tap_scratch_cleanup();
}

static void test_mkdir_rmdir_bad(void)
{
	enter_scratch();
	CHECK_EQ(mkdir("d", 0755), 0);
	tap_make_file("d/file", "", 0);
	tap_make_file("file", "", 0);
	CHECK_ERRNO(mkdir("d", 0755), EEXIST);
	CHECK_ERRNO(mkdir("file", 0755), EEXIST);
	CHECK_ERRNO(mkdir("missing/d", 0755), ENOENT);
	CHECK_ERRNO(mkdir("file/d", 0755), ENOTDIR);
	CHECK_ERRNO(mkdir("", 0755), ENOENT);
	CHECK_ERRNO(rmdir("d"), ENOTEMPTY);
	CHECK_ERRNO(rmdir("file"), ENOTDIR);
	CHECK_ERRNO(rmdir("missing"), ENOENT);
	CHECK_ERRNO(rmdir("."), EINVAL);
	CHECK_ERRNO(rmdir("d/."), EINVAL);
	CHECK_ERRNO(rmdir(".."), ENOTEMPTY);
	CHECK_ERRNO(rmdir("d/.."), ENOTEMPTY);
	CHECK_ERRNO(unlinkat(AT_FDCWD, "d", AT_REMOVEDIR), ENOTEMPTY);
	CHECK_ERRNO(unlinkat(AT_FDCWD, "file", AT_REMOVEDIR), ENOTDIR);
	CHECK_ERRNO(unlinkat(AT_FDCWD, "file", 0x1), EINVAL);
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_mkdir, bad, 0755), EFAULT);
		CHECK_ERRNO(syscall(SYS_rmdir, bad), EFAULT);
		CHECK_ERRNO(syscall(SYS_mkdirat, AT_FDCWD, bad, 0755), EFAULT);
	}
	/* Nothing above changed anything. */
	struct stat st;
	CHECK_EQ(stat("d/file", &st), 0);
	CHECK_EQ(stat("file", &st), 0);
	tap_scratch_cleanup();
}

static void test_unlink(void)
{
	enter_scratch();
	tap_make_file("f", "still here", 10);
	int fd = open_or_fail("f", O_RDWR, 0);
	CHECK_EQ(unlink("f"), 0);
	CHECK_ERRNO(access("f", F_OK), ENOENT);
	CHECK_ERRNO(unlink("f"), ENOENT);
	/* The open description outlives the name. */
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	char buf[16];
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 10);
	CHECK(memcmp(buf, "still here", 10) == 0);
	CHECK_EQ(pwrite(fd, "!", 1, 10), 1);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 11);
	/* A new file of the same name is a new file. */
	tap_make_file("f", "new", 3);
	check_contents("f", "new", 3);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 11);
	close(fd);
	int dirfd = open_or_fail(".", O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(unlinkat(dirfd, "f", 0), 0);
	close(dirfd);
	tap_scratch_cleanup();
}

static void test_unlink_bad(void)
{
	enter_scratch();
	CHECK_EQ(mkdir("d", 0755), 0);
	tap_make_file("file", "", 0);
	CHECK_ERRNO(unlink("d"), EISDIR); /* Linux's answer; POSIX allows EPERM */
	CHECK_ERRNO(unlink("missing"), ENOENT);
	CHECK_ERRNO(unlink("file/x"), ENOTDIR);
	CHECK_ERRNO(unlink(""), ENOENT);
	CHECK_ERRNO(unlinkat(AT_FDCWD, "file", 0x8000), EINVAL);
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_unlink, bad), EFAULT);
		CHECK_ERRNO(syscall(SYS_unlinkat, AT_FDCWD, bad, 0), EFAULT);
	}
	tap_close_from(3);
	CHECK_ERRNO(unlinkat(99, "file", 0), EBADF);
	CHECK_EQ(access("file", F_OK), 0);
	CHECK_EQ(access("d", F_OK), 0);
	tap_scratch_cleanup();
}

/* --- rename --------------------------------------------------------------- */

static void test_rename(void)
{
	enter_scratch();
	tap_make_file("a", "AAA", 3);
	tap_make_file("b", "B", 1);
	struct stat a, b, st;
	CHECK_EQ(stat("a", &a), 0);
	CHECK_EQ(stat("b", &b), 0);

	CHECK_EQ(rename("a", "c"), 0);
	CHECK_ERRNO(access("a", F_OK), ENOENT);
	CHECK_EQ(stat("c", &st), 0);
	CHECK_EQ(st.st_ino, a.st_ino);

	/* Over an existing file: the target is replaced, atomically. */
	int held = open_or_fail("b", O_RDONLY, 0);
	CHECK_EQ(rename("c", "b"), 0);
	check_contents("b", "AAA", 3);
	CHECK_EQ(stat("b", &st), 0);
	CHECK_EQ(st.st_ino, a.st_ino);
	CHECK_EQ(fstat(held, &st), 0); /* the replaced file lives on while open */
	CHECK_EQ(st.st_nlink, 0);
	close(held);

	/* Onto itself: nothing happens. */
	CHECK_EQ(rename("b", "b"), 0);
	check_contents("b", "AAA", 3);

	/* Directories, with their contents, and into other directories. */
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_EQ(mkdir("d/inner", 0755), 0);
	tap_make_file("d/inner/f", "deep", 4);
	CHECK_EQ(mkdir("other", 0755), 0);
	CHECK_EQ(rename("d", "other/moved"), 0);
	check_contents("other/moved/inner/f", "deep", 4);
	CHECK_EQ(stat("other", &st), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_EQ(stat(".", &st), 0);
	CHECK_EQ(st.st_nlink, 3); /* ".", "other", and our name in /tmp */
	struct stat up, here;
	CHECK_EQ(stat("other/moved/..", &up), 0);
	CHECK_EQ(stat("other", &here), 0);
	CHECK_EQ(up.st_ino, here.st_ino); /* ".." follows the move */

	/* A directory over an empty directory. */
	CHECK_EQ(mkdir("empty", 0755), 0);
	CHECK_EQ(rename("other/moved", "empty"), 0);
	check_contents("empty/inner/f", "deep", 4);

	/* renameat with directory descriptors. */
	int from = open_or_fail("empty", O_RDONLY | O_DIRECTORY, 0);
	int to = open_or_fail("other", O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(renameat(from, "inner", to, "back"), 0);
	check_contents("other/back/f", "deep", 4);
	close(from);
	close(to);
	tap_scratch_cleanup();
}

static void test_rename_bad(void)
{
	enter_scratch();
	tap_make_file("file", "F", 1);
	tap_make_file("file2", "G", 1);
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_EQ(mkdir("full", 0755), 0);
	tap_make_file("full/x", "", 0);
	CHECK_ERRNO(rename("missing", "x"), ENOENT);
	CHECK_ERRNO(rename("file", "missing/x"), ENOENT);
	CHECK_ERRNO(rename("file", "file2/x"), ENOTDIR);
	CHECK_ERRNO(rename("file", "d"), EISDIR);
	CHECK_ERRNO(rename("d", "file"), ENOTDIR);
	CHECK_ERRNO(rename("d", "full"), ENOTEMPTY);
	CHECK_ERRNO(rename("d", "d/sub"), EINVAL); /* into itself */
	CHECK_ERRNO(rename("full", "full/x/y"), ENOTDIR);
	CHECK_ERRNO(rename(".", "x"), EBUSY);
	CHECK_ERRNO(rename("d/.", "x"), EBUSY);
	CHECK_ERRNO(rename("file", "."), EBUSY);
	CHECK_ERRNO(rename("file", ""), ENOENT);
	void *bad;
	EACH_BAD(bad) {
		CHECK_ERRNO(syscall(SYS_rename, bad, "x"), EFAULT);
		CHECK_ERRNO(syscall(SYS_rename, "file", bad), EFAULT);
	}
	tap_close_from(3);
	CHECK_ERRNO(renameat(99, "file", AT_FDCWD, "x"), EBADF);
	/* Nothing moved. */
	check_contents("file", "F", 1);
	check_contents("file2", "G", 1);
	CHECK_EQ(access("full/x", F_OK), 0);
	CHECK_EQ(access("d", F_OK), 0);
	tap_scratch_cleanup();
}

/* --- truncate, ftruncate -------------------------------------------------- */

static void test_truncate(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "0123456789", 10);
	CHECK_EQ(truncate(path, 4), 0);
	check_contents(path, "0123", 4);
	CHECK_EQ(truncate(path, 8), 0);
	check_contents(path, "0123\0\0\0\0", 8);
	int fd = open_or_fail(path, O_RDWR, 0);
	CHECK_EQ(lseek(fd, 6, SEEK_SET), 6);
	CHECK_EQ(ftruncate(fd, 2), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6); /* the offset does not move */
	CHECK_EQ(write(fd, "X", 1), 1);
	close(fd);
	check_contents(path, "01\0\0\0\0X", 7);
	/* Shrink a multi-page file, then grow it: the old bytes are gone. */
	static char big[20000];
	memset(big, 'b', sizeof(big));
	tap_make_file(path, big, sizeof(big));
	CHECK_EQ(truncate(path, 5000), 0);
	CHECK_EQ(truncate(path, 20000), 0);
	fd = open_or_fail(path, O_RDONLY, 0);
	CHECK_EQ(tap_read_fully(fd, big, sizeof(big)), 20000);
	for (int i = 0; i < 20000; i++)
		CHECK_EQ(big[i], i < 5000 ? 'b' : 0);
	close(fd);
	CHECK_EQ(truncate(path, 0), 0);
	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_size, 0);
	tap_scratch_cleanup();
}

static void test_truncate_bad(void)
{
	enter_scratch();
	tap_make_file("f", "abc", 3);
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_ERRNO(truncate("f", -1), EINVAL);
	CHECK_ERRNO(truncate("missing", 0), ENOENT);
	CHECK_ERRNO(truncate("d", 0), EISDIR);
	CHECK_ERRNO(truncate("f/x", 0), ENOTDIR);
	int ro = open_or_fail("f", O_RDONLY, 0);
	CHECK_ERRNO(ftruncate(ro, 0), EINVAL); /* not open for writing */
	close(ro);
	int rw = open_or_fail("f", O_RDWR, 0);
	CHECK_ERRNO(ftruncate(rw, -1), EINVAL);
	close(rw);
	int dirfd = open_or_fail("d", O_RDONLY | O_DIRECTORY, 0);
	CHECK_ERRNO(ftruncate(dirfd, 0), EINVAL);
	close(dirfd);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERRNO(ftruncate(p[1], 0), EINVAL);
	close(p[0]);
	close(p[1]);
	void *bad;
	EACH_BAD(bad)
		CHECK_ERRNO(syscall(SYS_truncate, bad, 0), EFAULT);
	tap_close_from(3);
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++)
		CHECK_ERRNO(ftruncate(bad_fds[i], 0), EBADF);
	check_contents("f", "abc", 3);
	tap_scratch_cleanup();
}

/* --- dup, dup2, dup3, fcntl ----------------------------------------------- */

static void test_dup_family(void)
{
	tap_close_from(3);
	const char *path = tap_scratch("f");
	tap_make_file(path, "abcdef", 6);
	int fd = open_or_fail(path, O_RDONLY | O_CLOEXEC, 0);
	CHECK_EQ(fd, 3);
	CHECK_EQ(dup(fd), 4);
	CHECK_EQ(fcntl(4, F_GETFD), 0); /* dup clears close-on-exec */
	CHECK_EQ(dup2(fd, 10), 10);
	CHECK_EQ(fcntl(10, F_GETFD), 0);
	CHECK_EQ(dup2(fd, fd), fd); /* same fd: returns it, changes nothing */
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(syscall(SYS_dup3, fd, 11, O_CLOEXEC), 11);
	CHECK_EQ(fcntl(11, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(syscall(SYS_dup3, fd, 12, 0), 12);
	CHECK_EQ(fcntl(12, F_GETFD), 0);

	/* dup2 onto an open descriptor closes it first. */
	int other = open_or_fail("/dev/null", O_RDONLY, 0);
	CHECK_EQ(other, 5);
	CHECK_EQ(dup2(fd, other), other);
	char c;
	CHECK_EQ(read(other, &c, 1), 1);
	CHECK_EQ(c, 'a');
	CHECK_EQ(read(10, &c, 1), 1); /* all share one offset */
	CHECK_EQ(c, 'b');

	/* fcntl F_DUPFD: the lowest free at or above the argument. */
	CHECK_EQ(fcntl(fd, F_DUPFD, 0), 6);
	CHECK_EQ(fcntl(fd, F_DUPFD, 10), 13);
	CHECK_EQ(fcntl(fd, F_DUPFD, 100), 100);
	CHECK_EQ(fcntl(100, F_GETFD), 0);
	CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 50), 50);
	CHECK_EQ(fcntl(50, F_GETFD), FD_CLOEXEC);
	tap_scratch_cleanup();
}

static void test_dup_bad(void)
{
	tap_close_from(3);
	for (unsigned i = 0; i < TAP_COUNT(bad_fds); i++) {
		CHECK_ERRNO(dup(bad_fds[i]), EBADF);
		CHECK_ERRNO(dup2(bad_fds[i], 20), EBADF);
		CHECK_ERRNO(dup3(bad_fds[i], 20, 0), EBADF);
		CHECK_ERRNO(fcntl(bad_fds[i], F_DUPFD, 0), EBADF);
		CHECK_ERRNO(fcntl(bad_fds[i], F_GETFD), EBADF);
		CHECK_ERRNO(fcntl(bad_fds[i], F_GETFL), EBADF);
	}
	CHECK_ERRNO(dup2(1, -1), EBADF);
	CHECK_ERRNO(dup2(1, INT_MAX), EBADF);
	CHECK_ERRNO(dup2(20, 20), EBADF); /* same fd, but not open */
	/* Raw calls: musl's dup3() checks old == new itself and uses dup2 without O_CLOEXEC. */
	CHECK_ERRNO(syscall(SYS_dup3, 1, 1, 0), EINVAL);
	CHECK_ERRNO(syscall(SYS_dup3, 1, 1, O_CLOEXEC), EINVAL);
	CHECK_ERRNO(syscall(SYS_dup3, 1, 20, O_NONBLOCK), EINVAL);
	CHECK_ERRNO(syscall(SYS_dup3, 1, 20, O_CLOEXEC | O_NONBLOCK), EINVAL);
	CHECK_ERRNO(syscall(SYS_dup3, 1, 20, 0x12345), EINVAL);
	CHECK_ERRNO(syscall(SYS_dup3, 20, 21, 0), EBADF);
	CHECK_ERRNO(fcntl(20, F_GETFD), EBADF); /* nothing was made */
	CHECK_ERRNO(fcntl(1, F_DUPFD, -1), EINVAL);
	CHECK_ERRNO(fcntl(1, F_DUPFD, INT_MAX), EINVAL);
	CHECK_ERRNO(fcntl(1, 0x7fff), EINVAL);
}

static void test_fcntl_flags(void)
{
	const char *path = tap_scratch("f");
	tap_make_file(path, "abc", 3);
	int fd = open_or_fail(path, O_RDWR, 0);
	int copy = dup(fd);
	CHECK(copy >= 0);
	/* Descriptor flags are per descriptor. */
	CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(copy, F_GETFD), 0);
	CHECK_EQ(fcntl(fd, F_SETFD, 0), 0);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	/* Status flags are per open file description: shared with dups. */
	int flags = fcntl(fd, F_GETFL);
	CHECK_EQ(flags & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_RDWR);
	CHECK_EQ(fcntl(fd, F_SETFL, flags | O_APPEND | O_NONBLOCK), 0);
	CHECK_EQ(fcntl(copy, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
	CHECK_EQ(write(copy, "d", 1), 1); /* O_APPEND set later still appends */
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "e", 1), 1);
	check_contents(path, "abcde", 5);
	/* F_SETFL cannot change the access mode or creation flags. */
	CHECK_EQ(fcntl(fd, F_SETFL, O_RDONLY | O_CREAT | O_TRUNC | O_EXCL), 0);
	flags = fcntl(fd, F_GETFL);
	CHECK_EQ(flags & O_ACCMODE, O_RDWR);
	CHECK_EQ(flags & (O_APPEND | O_NONBLOCK | O_CREAT | O_TRUNC | O_EXCL), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5); /* an append leaves the offset at the end */
	CHECK_EQ(lseek(fd, 1, SEEK_SET), 1);
	CHECK_EQ(write(fd, "f", 1), 1); /* no longer appending */
	check_contents(path, "afcde", 5);
	close(fd);
	close(copy);
	tap_scratch_cleanup();
}

/* --- close-on-exec across execve ------------------------------------------ */

static const char *self_path(void)
{
	if (tap_argv0 && tap_argv0[0] == '/')
		return tap_argv0;
	return tap_path("/tests/test_files");
}

/* test_files --fd-state N...: bit i of the exit status iff N_i is open. */
static int fd_state_mode(int argc, char **argv)
{
	int bits = 0;
	for (int i = 2; i < argc && i < 9; i++)
		if (fcntl(atoi(argv[i]), F_GETFD) >= 0)
			bits |= 1 << (i - 2);
	return bits;
}

static void test_cloexec_across_exec(void)
{
	tap_close_from(3);
	const char *path = tap_scratch("f");
	tap_make_file(path, "", 0);
	int plain = open_or_fail(path, O_RDONLY, 0);
	int cloexec = open_or_fail(path, O_RDONLY | O_CLOEXEC, 0);
	int setfd = open_or_fail(path, O_RDONLY, 0);
	CHECK_EQ(fcntl(setfd, F_SETFD, FD_CLOEXEC), 0);
	int dup_of_cloexec = dup(cloexec);
	int p[2];
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	int dup3_cloexec = (int)syscall(SYS_dup3, plain, 30, O_CLOEXEC);
	CHECK_EQ(dup3_cloexec, 30);
	char args[7][16];
	int fds[7] = { plain, cloexec, setfd, dup_of_cloexec, p[0], p[1], dup3_cloexec };
	char *argv[10] = { (char *)self_path(), "--fd-state" };
	for (int i = 0; i < 7; i++) {
		snprintf(args[i], sizeof(args[i]), "%d", fds[i]);
		argv[2 + i] = args[i];
	}
	argv[9] = NULL;
	pid_t pid = tap_fork();
	if (pid == 0) {
		char *envp[] = { NULL };
		execve(argv[0], argv, envp);
		_exit(255);
	}
	/* Open after exec: plain (bit 0) and the dup (bit 3) only. */
	CHECK_EXITED(tap_wait(pid), (1 << 0) | (1 << 3));
	tap_scratch_cleanup();
}

/* --- the descriptor limit ------------------------------------------------- */

static int count_open_fds(int limit)
{
	int count = 0;
	for (int fd = 0; fd < limit; fd++)
		count += fcntl(fd, F_GETFD) >= 0;
	return count;
}

static void test_emfile(void)
{
	struct rlimit limit;
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
	if (limit.rlim_cur > 65536)
		tap_skip("RLIMIT_NOFILE is too large to fill");
	int soft = (int)limit.rlim_cur;
	int already = count_open_fds(soft);
	int opened = 0, last = -1;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			break;
		last = fd;
		opened++;
	}
	CHECK_EQ(errno, EMFILE);
	tap_diag("RLIMIT_NOFILE %d, %d already open, %d more opened", soft, already, opened);
	CHECK_EQ(opened, soft - already);
	CHECK_EQ(last, soft - 1);
	/* Every call that makes a descriptor says EMFILE now. */
	int p[2];
	CHECK_ERRNO(pipe(p), EMFILE);
	CHECK_ERRNO(dup(0), EMFILE);
	CHECK_ERRNO(fcntl(0, F_DUPFD, 0), EMFILE);
	CHECK_ERRNO(open(tap_path("/tests"), O_RDONLY | O_DIRECTORY), EMFILE);
	/* dup2/dup3 onto an open descriptor still work: nothing new is made. */
	CHECK_EQ(dup2(0, last), last);
	/* Past the limit: dup2 says EBADF, F_DUPFD says EINVAL. */
	CHECK_ERRNO(dup2(0, soft), EBADF);
	CHECK_ERRNO(fcntl(0, F_DUPFD, soft), EINVAL);
	/* One free descriptor: open works, pipe (needing two) does not. */
	CHECK_EQ(close(last), 0);
	CHECK_ERRNO(pipe(p), EMFILE);
	CHECK_EQ(open("/dev/null", O_RDONLY), last);
	CHECK_EQ(close(last), 0);
	CHECK_EQ(close(last - 1), 0);
	CHECK_EQ(pipe(p), 0);
}

static void test_emfile_limit_is_256(void)
{
	struct rlimit limit;
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
	CHECK_EQ(limit.rlim_cur, 256);
	CHECK_EQ(limit.rlim_max, 256);
	CHECK_ERRNO(dup2(0, 256), EBADF);
	CHECK_EQ(dup2(0, 255), 255);
}

/* --- devices ----------------------------------------------------------------- */

static void test_dev_null_zero_urandom(void)
{
	char buf[256];
	int null = open_or_fail("/dev/null", O_RDWR, 0);
	CHECK_EQ(read(null, buf, sizeof(buf)), 0);
	CHECK_EQ(write(null, buf, sizeof(buf)), sizeof(buf));
	CHECK_EQ(write(null, buf, 0), 0);
	close(null);

	int zero = open_or_fail("/dev/zero", O_RDWR, 0);
	static char big[100000];
	memset(big, 0x5a, sizeof(big));
	CHECK_EQ(read(zero, big, sizeof(big)), sizeof(big));
	for (unsigned i = 0; i < sizeof(big); i++)
		CHECK_EQ(big[i], 0);
	CHECK_EQ(write(zero, buf, sizeof(buf)), sizeof(buf));
	CHECK_ERRNO(syscall(SYS_read, zero, TAP_BAD_KERNEL, 16), EFAULT);
	CHECK_ERRNO(syscall(SYS_read, zero, tap_readonly_page(), 16), EFAULT);
	close(zero);

	int urandom = open_or_fail("/dev/urandom", O_RDONLY, 0);
	unsigned char a[64], b[64];
	CHECK_EQ(read(urandom, a, sizeof(a)), sizeof(a));
	CHECK_EQ(read(urandom, b, sizeof(b)), sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	int counts[256] = { 0 }, distinct = 0;
	static unsigned char page[4096];
	CHECK_EQ(read(urandom, page, sizeof(page)), sizeof(page));
	for (unsigned i = 0; i < sizeof(page); i++)
		if (counts[page[i]]++ == 0)
			distinct++;
	CHECK(distinct > 200);
	CHECK_ERRNO(syscall(SYS_read, urandom, TAP_BAD_KERNEL, 16), EFAULT);
	close(urandom);

	/* Devices are not terminals; the console is (test_tty.c). */
	CHECK(!isatty(open_or_fail("/dev/null", O_RDONLY, 0)));
	CHECK_EQ(errno, ENOTTY);
}

/* --- memory of deleted files (Loupe: exact counters) ------------------------- */

static char megabyte[1 << 20];

static void write_megabyte(const char *path)
{
	int fd = open_or_fail(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	tap_write_fully(fd, megabyte, sizeof(megabyte));
	close(fd);
}

static void test_deleted_files_free_memory(void)
{
	memset(megabyte, 'm', sizeof(megabyte)); /* touched before counting */
	const char *path = tap_scratch("big");
	struct sysinfo before, full, after;
	write_megabyte(path); /* warm up */
	CHECK_EQ(unlink(path), 0);

	CHECK_EQ(sysinfo(&before), 0);
	write_megabyte(path);
	CHECK_EQ(sysinfo(&full), 0);
	CHECK(before.freeram - full.freeram >= sizeof(megabyte));
	CHECK_EQ(unlink(path), 0);
	CHECK_EQ(sysinfo(&after), 0);
	tap_diag("freeram %lu, %lu with 1 MiB file, %lu after unlink; bufferram %lu -> %lu",
		 before.freeram, full.freeram, after.freeram, before.bufferram, after.bufferram);
	CHECK_EQ(after.freeram, before.freeram);
	CHECK_EQ(after.bufferram, before.bufferram);

	/*
	 * Unlinked while open: freed at the last close, not before. Run once
	 * to warm up (this code path may touch a new page of our own stack),
	 * then count.
	 */
	for (int round = 0; round < 2; round++) {
		CHECK_EQ(sysinfo(&before), 0);
		write_megabyte(path);
		int fd = open_or_fail(path, O_RDONLY, 0);
		int copy = dup(fd);
		CHECK_EQ(unlink(path), 0);
		CHECK_EQ(sysinfo(&full), 0);
		CHECK(before.freeram - full.freeram >= sizeof(megabyte));
		close(fd);
		CHECK_EQ(sysinfo(&full), 0);
		CHECK(before.freeram - full.freeram >= sizeof(megabyte));
		char c;
		CHECK_EQ(pread(copy, &c, 1, sizeof(megabyte) - 1), 1);
		CHECK_EQ(c, 'm');
		close(copy);
		CHECK_EQ(sysinfo(&after), 0);
	}
	CHECK_EQ(after.freeram, before.freeram);
	CHECK_EQ(after.bufferram, before.bufferram);

	/* Truncating to zero frees the pages as well. */
	write_megabyte(path);
	CHECK_EQ(truncate(path, 0), 0);
	CHECK_EQ(sysinfo(&full), 0);
	CHECK(before.freeram - full.freeram < sizeof(megabyte) / 2);
	CHECK_EQ(unlink(path), 0);
	CHECK_EQ(sysinfo(&after), 0);
	CHECK_EQ(after.freeram, before.freeram);
	CHECK_EQ(after.bufferram, before.bufferram);
	tap_scratch_cleanup();
}

static void test_many_files_free_memory(void)
{
	enter_scratch();
	struct sysinfo before, after;
	for (int round = 0; round < 3; round++) { /* round 0 warms up */
		if (round == 1)
			CHECK_EQ(sysinfo(&before), 0);
		CHECK_EQ(mkdir("d", 0755), 0);
		for (int i = 0; i < 100; i++) {
			char name[32];
			snprintf(name, sizeof(name), "d/file%d", i);
			tap_make_file(name, name, strlen(name));
		}
		CHECK_EQ(rename("d", "e"), 0);
		for (int i = 0; i < 100; i++) {
			char name[32];
			snprintf(name, sizeof(name), "e/file%d", i);
			CHECK_EQ(unlink(name), 0);
		}
		CHECK_EQ(rmdir("e"), 0);
	}
	CHECK_EQ(sysinfo(&after), 0);
	tap_diag("freeram %lu -> %lu, bufferram %lu -> %lu", before.freeram, after.freeram,
		 before.bufferram, after.bufferram);
	CHECK_EQ(after.freeram, before.freeram);
	CHECK_EQ(after.bufferram, before.bufferram);
	tap_scratch_cleanup();
}

static const struct tap_test tests[] = {
	{ "create, write, read back", test_create_write_read },
	{ "open returns the lowest free descriptor", test_open_lowest_fd },
	{ "umask applies to open and mkdir", test_umask },
	{ "open: O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NONBLOCK, O_CLOEXEC", test_open_flags },
	{ "open: access modes and EBADF for the wrong direction", test_open_access_modes },
	{ "open: ENOENT, ENOTDIR, EISDIR, EEXIST", test_open_errors },
	{ "open, openat: EFAULT", test_open_efault },
	{ "openat: dirfd, AT_FDCWD, absolute paths, EBADF, ENOTDIR", test_openat },
	{ "names of 255 bytes, ENAMETOOLONG for 256 and for 4096-byte paths", test_name_lengths },
	{ "paths with ., .., //; the root's ..", test_dot_and_dotdot },
	{ "lseek: SEEK_SET/CUR/END, holes read as zeros", test_lseek },
	{ "lseek: EINVAL, EBADF, ESPIPE", test_lseek_errors },
	{ "pread64, pwrite64 leave the offset", test_pread_pwrite },
	{ "readv, writev, preadv, pwritev on files", test_readv_writev_files },
	{ "offsets shared by dup and fork, O_APPEND from two processes", test_offsets_shared_by_dup_and_fork },
	{ "read, write, pread, pwrite: EFAULT, EBADF", test_io_bad },
	{ "stat: mode, size, nlink, ino, blocks, times", test_stat_fields },
	{ "stat: devices and pipes", test_stat_devices },
	{ "stat family: ENOENT, ENOTDIR, EINVAL, EFAULT, EBADF", test_stat_errors },
	{ "getdents64: ., .., names, types, small buffers", test_getdents64 },
	{ "getdents64: ENOTDIR, EINVAL, EFAULT, EBADF", test_getdents64_bad },
	{ "access, faccessat", test_access },
	{ "chdir, fchdir, getcwd", test_cwd },
	{ "chdir, fchdir, getcwd: errors", test_cwd_bad },
	{ "mkdir, mkdirat, rmdir, unlinkat(AT_REMOVEDIR)", test_mkdir_rmdir },
	{ "mkdir, rmdir: EEXIST, ENOTEMPTY, ENOTDIR, EINVAL, EFAULT", test_mkdir_rmdir_bad },
	{ "unlink: an open file lives on", test_unlink },
	{ "unlink: EISDIR, ENOENT, ENOTDIR, EINVAL, EFAULT", test_unlink_bad },
	{ "rename, renameat: files, over files, directories", test_rename },
	{ "rename: EISDIR, ENOTDIR, ENOTEMPTY, EINVAL, EBUSY, EFAULT", test_rename_bad },
	{ "truncate, ftruncate: shrink and grow", test_truncate },
	{ "truncate, ftruncate: EINVAL, EISDIR, EBADF, EFAULT", test_truncate_bad },
	{ "dup, dup2, dup3, F_DUPFD, F_DUPFD_CLOEXEC", test_dup_family },
	{ "dup family: EBADF, EINVAL", test_dup_bad },
	{ "fcntl: F_GETFD/F_SETFD per fd, F_GETFL/F_SETFL shared", test_fcntl_flags },
	{ "close-on-exec across execve", test_cloexec_across_exec },
	{ "EMFILE at RLIMIT_NOFILE", test_emfile },
	{ "the descriptor limit is 256", test_emfile_limit_is_256, TAP_LOUPE_ONLY },
	{ "/dev/null, /dev/zero, /dev/urandom", test_dev_null_zero_urandom },
	{ "a deleted 1 MiB file gives its memory back", test_deleted_files_free_memory, TAP_LOUPE_ONLY },
	{ "100 files made and removed give their memory back", test_many_files_free_memory, TAP_LOUPE_ONLY },
};

int main(int argc, char **argv)
{
	tap_argv0 = argv[0];
	if (argc >= 2 && strcmp(argv[1], "--fd-state") == 0)
		return fd_state_mode(argc, argv);
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
