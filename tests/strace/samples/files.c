/* SPDX-License-Identifier: MIT */
/*
 * files - a strace golden sample: paths, descriptors and struct stat.
 *
 * Opens a file that does not exist (ENOENT), then the project's own
 * /tests/data/not-elf (83 bytes of text, the same file on Linux and in
 * Loupe's initrd): reads it whole and in pieces, seeks, stats it by path
 * and by descriptor, closes it twice (EBADF the second time). Finally it
 * creates, writes and removes a file in /tmp. Only results that both
 * kernels must agree on: no directory sizes, inode numbers or times are
 * printed by strace without -v.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	char buffer[128];
	struct stat st;

	open("/tests/no-such-file", O_RDONLY);
	int fd = open("/tests/data/not-elf", O_RDONLY);
	read(fd, buffer, 16);
	read(fd, buffer, sizeof(buffer));
	read(fd, buffer, sizeof(buffer));       /* end of file: 0 */
	lseek(fd, 5, SEEK_SET);
	read(fd, buffer, 2);
	fstat(fd, &st);
	close(fd);
	close(fd);                              /* EBADF */
	stat("/tests/data/not-elf", &st);
	stat("/tests/no-such-dir/file", &st);
	access("/tests/data/not-elf", R_OK);

	fd = open("/tmp/strace-sample", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "written\n", 8);
	dup2(fd, 9);
	close(fd);
	close(9);
	unlink("/tmp/strace-sample");
	unlink("/tmp/strace-sample");           /* ENOENT */
	return 0;
}
