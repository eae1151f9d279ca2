/* SPDX-License-Identifier: MIT */
/*
 * syscalls.c - the syscall table: one row per Linux x86_64 system call.
 *
 * The names come from <loupe/syscall_list.h>, the X-macro list the kernel
 * also builds its name table from, so strace and the kernel log can never
 * disagree about what number 257 is called. On top of the names sits the
 * decoding table below: for every call Loupe implements (and the common
 * ones musl makes on Linux), the argument types in order and how the
 * return value is printed. decode.c turns those types into text. A named
 * call without a row prints its six arguments in hex; a number without a
 * name prints as syscall_0xNN(...), as strace does.
 *
 * The trace classes (%file, %process, %signal, %memory, %desc) are lists
 * of names, as in strace's syscallent tables.
 */
#include <string.h>

#include "strace.h"

/* NR_read = 0, NR_write = 1, ...: the numbers by name. */
enum {
#define LOUPE_SYSCALL(number, name) NR_##name = number,
#include <loupe/syscall_list.h>
#undef LOUPE_SYSCALL
};

static const char *const syscall_names[STRACE_MAX_SYSCALL] = {
#define LOUPE_SYSCALL(number, name) [number] = #name,
#include <loupe/syscall_list.h>
#undef LOUPE_SYSCALL
};

struct decode_row {
	uint8_t present, nargs, ret;
	uint8_t args[6];
};

#define ROW(name, ret, n, ...) [NR_##name] = { 1, n, ret, { __VA_ARGS__ } }
#define ROW0(name, ret)        [NR_##name] = { 1, 0, ret, { 0 } }

static const struct decode_row rows[STRACE_MAX_SYSCALL] = {
	/* files and descriptors */
	ROW(read,       RET_DEC, 3, ARG_FD, ARG_BUF_OUT, ARG_UINT),
	ROW(write,      RET_DEC, 3, ARG_FD, ARG_BUF_IN, ARG_UINT),
	ROW(pread64,    RET_DEC, 4, ARG_FD, ARG_BUF_OUT, ARG_UINT, ARG_INT),
	ROW(pwrite64,   RET_DEC, 4, ARG_FD, ARG_BUF_IN, ARG_UINT, ARG_INT),
	ROW(readv,      RET_DEC, 3, ARG_FD, ARG_IOVEC_OUT, ARG_UINT),
	ROW(writev,     RET_DEC, 3, ARG_FD, ARG_IOVEC_IN, ARG_UINT),
	ROW(preadv,     RET_DEC, 4, ARG_FD, ARG_IOVEC_OUT, ARG_UINT, ARG_INT),
	ROW(pwritev,    RET_DEC, 4, ARG_FD, ARG_IOVEC_IN, ARG_UINT, ARG_INT),
	ROW(preadv2,    RET_DEC, 5, ARG_FD, ARG_IOVEC_OUT, ARG_UINT, ARG_INT, ARG_HEX),
	ROW(pwritev2,   RET_DEC, 5, ARG_FD, ARG_IOVEC_IN, ARG_UINT, ARG_INT, ARG_HEX),
	ROW(open,       RET_DEC, 3, ARG_PATH, ARG_OPEN_FLAGS, ARG_MODE),
	ROW(openat,     RET_DEC, 4, ARG_FD, ARG_PATH, ARG_OPEN_FLAGS, ARG_MODE),
	ROW(creat,      RET_DEC, 2, ARG_PATH, ARG_OCTAL),
	ROW(close,      RET_DEC, 1, ARG_FD),
	ROW(stat,       RET_DEC, 2, ARG_PATH, ARG_STAT_OUT),
	ROW(lstat,      RET_DEC, 2, ARG_PATH, ARG_STAT_OUT),
	ROW(fstat,      RET_DEC, 2, ARG_FD, ARG_STAT_OUT),
	ROW(newfstatat, RET_DEC, 4, ARG_FD, ARG_PATH, ARG_STAT_OUT, ARG_AT_FLAGS),
	ROW(lseek,      RET_DEC, 3, ARG_FD, ARG_INT, ARG_WHENCE),
	ROW(ioctl,      RET_DEC, 3, ARG_FD, ARG_IOCTL_REQ, ARG_IOCTL_ARG),
	ROW(fcntl,      RET_DEC, 3, ARG_FD, ARG_FCNTL_CMD, ARG_FCNTL_ARG),
	ROW(access,     RET_DEC, 2, ARG_PATH, ARG_ACCESS_MODE),
	ROW(faccessat,  RET_DEC, 3, ARG_FD, ARG_PATH, ARG_ACCESS_MODE),
	ROW(faccessat2, RET_DEC, 4, ARG_FD, ARG_PATH, ARG_ACCESS_MODE, ARG_AT_FLAGS),
	ROW(pipe,       RET_DEC, 1, ARG_PIPEFDS_OUT),
	ROW(pipe2,      RET_DEC, 2, ARG_PIPEFDS_OUT, ARG_OFLAGS_CLOEXEC),
	ROW(dup,        RET_DEC, 1, ARG_FD),
	ROW(dup2,       RET_DEC, 2, ARG_FD, ARG_FD),
	ROW(dup3,       RET_DEC, 3, ARG_FD, ARG_FD, ARG_OFLAGS_CLOEXEC),
	ROW(poll,       RET_DEC, 3, ARG_POLLFD, ARG_UINT, ARG_INT),
	ROW(ppoll,      RET_DEC, 5, ARG_POLLFD, ARG_UINT, ARG_TIMESPEC_IN, ARG_SIGSET_IN, ARG_SIGSETSIZE),
	ROW(truncate,   RET_DEC, 2, ARG_PATH, ARG_INT),
	ROW(ftruncate,  RET_DEC, 2, ARG_FD, ARG_INT),
	ROW(getdents64, RET_DEC, 3, ARG_FD, ARG_DIRENTS_OUT, ARG_UINT),
	ROW(getdents,   RET_DEC, 3, ARG_FD, ARG_DIRENTS_OUT, ARG_UINT),
	ROW(getcwd,     RET_DEC, 2, ARG_PATH_OUT, ARG_UINT),
	ROW(chdir,      RET_DEC, 1, ARG_PATH),
	ROW(fchdir,     RET_DEC, 1, ARG_FD),
	ROW(rename,     RET_DEC, 2, ARG_PATH, ARG_PATH),
	ROW(renameat,   RET_DEC, 4, ARG_FD, ARG_PATH, ARG_FD, ARG_PATH),
	ROW(renameat2,  RET_DEC, 5, ARG_FD, ARG_PATH, ARG_FD, ARG_PATH, ARG_RENAME_FLAGS),
	ROW(mkdir,      RET_DEC, 2, ARG_PATH, ARG_OCTAL),
	ROW(mkdirat,    RET_DEC, 3, ARG_FD, ARG_PATH, ARG_OCTAL),
	ROW(rmdir,      RET_DEC, 1, ARG_PATH),
	ROW(unlink,     RET_DEC, 1, ARG_PATH),
	ROW(unlinkat,   RET_DEC, 3, ARG_FD, ARG_PATH, ARG_AT_FLAGS),
	ROW(link,       RET_DEC, 2, ARG_PATH, ARG_PATH),
	ROW(symlink,    RET_DEC, 2, ARG_PATH, ARG_PATH),
	ROW(readlink,   RET_DEC, 3, ARG_PATH, ARG_PATH_OUT, ARG_UINT),
	ROW(chmod,      RET_DEC, 2, ARG_PATH, ARG_OCTAL),
	ROW(fchmod,     RET_DEC, 2, ARG_FD, ARG_OCTAL),
	ROW(fchmodat,   RET_DEC, 3, ARG_FD, ARG_PATH, ARG_OCTAL),
	ROW(umask,      RET_OCTAL, 1, ARG_OCTAL),
	ROW(fsync,      RET_DEC, 1, ARG_FD),
	/* memory */
	ROW(mmap,       RET_HEX, 6, ARG_PTR, ARG_UINT, ARG_PROT, ARG_MAP_FLAGS, ARG_FD, ARG_HEX),
	ROW(mprotect,   RET_DEC, 3, ARG_PTR, ARG_UINT, ARG_PROT),
	ROW(munmap,     RET_DEC, 2, ARG_PTR, ARG_UINT),
	ROW(brk,        RET_HEX, 1, ARG_PTR),
	ROW(madvise,    RET_DEC, 3, ARG_PTR, ARG_UINT, ARG_MADVICE),
	/* processes */
	ROW(execve,     RET_DEC, 3, ARG_PATH, ARG_ARGV, ARG_ENVP),
	ROW(exit,       RET_NONE, 1, ARG_INT),
	ROW(exit_group, RET_NONE, 1, ARG_INT),
	ROW(wait4,      RET_DEC, 4, ARG_INT, ARG_WSTATUS_OUT, ARG_WAIT_OPTS, ARG_PTR),
	ROW0(fork,      RET_DEC),
	ROW0(vfork,     RET_DEC),
	ROW(clone,      RET_DEC, 5, ARG_PTR, ARG_CLONE_FLAGS, ARG_PTR, ARG_PTR, ARG_PTR),
	ROW(kill,       RET_DEC, 2, ARG_INT, ARG_SIGNAL),
	ROW(tkill,      RET_DEC, 2, ARG_INT, ARG_SIGNAL),
	ROW(tgkill,     RET_DEC, 3, ARG_INT, ARG_INT, ARG_SIGNAL),
	ROW0(getpid,    RET_DEC),
	ROW0(getppid,   RET_DEC),
	ROW0(gettid,    RET_DEC),
	ROW0(getuid,    RET_DEC),
	ROW0(geteuid,   RET_DEC),
	ROW0(getgid,    RET_DEC),
	ROW0(getegid,   RET_DEC),
	ROW0(getpgrp,   RET_DEC),
	ROW0(setsid,    RET_DEC),
	ROW(getpgid,    RET_DEC, 1, ARG_INT),
	ROW(getsid,     RET_DEC, 1, ARG_INT),
	ROW(setpgid,    RET_DEC, 2, ARG_INT, ARG_INT),
	ROW(set_tid_address, RET_DEC, 1, ARG_PTR),
	ROW(arch_prctl, RET_DEC, 2, ARG_ARCH_PRCTL_CODE, ARG_ARCH_PRCTL_ADDR),
	ROW(getrlimit,  RET_DEC, 2, ARG_RLIMIT_RES, ARG_RLIMIT_OUT),
	ROW(setrlimit,  RET_DEC, 2, ARG_RLIMIT_RES, ARG_RLIMIT_IN),
	ROW(prlimit64,  RET_DEC, 4, ARG_INT, ARG_RLIMIT_RES, ARG_RLIMIT_IN, ARG_RLIMIT_OUT),
	ROW(uname,      RET_DEC, 1, ARG_UTSNAME_OUT),
	ROW(sysinfo,    RET_DEC, 1, ARG_SYSINFO_OUT),
	ROW(reboot,     RET_DEC, 4, ARG_REBOOT_MAGIC, ARG_REBOOT_MAGIC, ARG_REBOOT_CMD, ARG_PTR),
	ROW0(sched_yield, RET_DEC),
	ROW(getrandom,  RET_DEC, 3, ARG_RANDOM_OUT, ARG_UINT, ARG_RANDOM_FLAGS),
	/* time */
	ROW(nanosleep,  RET_DEC, 2, ARG_TIMESPEC_IN, ARG_TIMESPEC_OUT),
	ROW(clock_nanosleep, RET_DEC, 4, ARG_CLOCKID, ARG_CLOCK_FLAGS, ARG_TIMESPEC_IN, ARG_TIMESPEC_OUT),
	ROW(clock_gettime, RET_DEC, 2, ARG_CLOCKID, ARG_TIMESPEC_OUT),
	ROW(gettimeofday, RET_DEC, 2, ARG_TIMEVAL_OUT, ARG_PTR),
	/* signals */
	ROW(rt_sigaction,   RET_DEC, 4, ARG_SIGNAL, ARG_SIGACTION_IN, ARG_SIGACTION_OUT, ARG_SIGSETSIZE),
	ROW(rt_sigprocmask, RET_DEC, 4, ARG_SIGHOW, ARG_SIGSET_IN, ARG_SIGSET_OUT, ARG_SIGSETSIZE),
	ROW(rt_sigpending,  RET_DEC, 2, ARG_SIGSET_OUT, ARG_SIGSETSIZE),
	ROW(rt_sigsuspend,  RET_DEC, 2, ARG_SIGSET_IN, ARG_SIGSETSIZE),
	ROW0(rt_sigreturn,  RET_DEC),     /* decode.c prints {mask=...} */
	ROW0(pause,         RET_DEC),
};

/* Trace classes as strace's syscallent tables assign them. */
static const struct {
	unsigned class;
	const char *names;
} class_lists[] = {
	{ CLASS_FILE, "open stat lstat access execve truncate chdir rename mkdir rmdir "
	  "creat link unlink symlink readlink chmod chown lchown utime mknod "
	  "uselib statfs chroot pivot_root mount umount2 swapon swapoff "
	  "setxattr lsetxattr getxattr lgetxattr listxattr llistxattr "
	  "removexattr lremovexattr utimes inotify_add_watch openat mkdirat "
	  "mknodat fchownat futimesat newfstatat unlinkat renameat linkat "
	  "symlinkat readlinkat fchmodat faccessat utimensat fanotify_mark "
	  "name_to_handle_at renameat2 execveat statx open_tree move_mount "
	  "fsconfig fspick openat2 faccessat2 mount_setattr" },
	{ CLASS_PROCESS, "clone fork vfork execve exit wait4 kill exit_group "
	  "tkill tgkill waitid rt_sigqueueinfo rt_tgsigqueueinfo execveat "
	  "pidfd_send_signal clone3" },
	{ CLASS_SIGNAL, "rt_sigaction rt_sigprocmask rt_sigreturn pause kill "
	  "rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend "
	  "sigaltstack tkill tgkill signalfd signalfd4 rt_tgsigqueueinfo "
	  "pidfd_send_signal" },
	{ CLASS_MEMORY, "mmap mprotect munmap brk mremap msync mincore madvise "
	  "shmat shmdt mlock munlock mlockall munlockall io_setup io_destroy "
	  "remap_file_pages mbind set_mempolicy get_mempolicy migrate_pages "
	  "move_pages mlock2 pkey_mprotect process_madvise memfd_secret" },
	{ CLASS_DESC, "read write open close fstat poll lseek mmap ioctl pread64 "
	  "pwrite64 readv writev pipe select dup dup2 fcntl flock fsync fdatasync "
	  "ftruncate getdents fchdir creat fchmod fchown fstatfs readahead "
	  "fsetxattr fgetxattr flistxattr fremovexattr epoll_create getdents64 "
	  "fadvise64 epoll_wait epoll_ctl openat mkdirat mknodat fchownat "
	  "futimesat newfstatat unlinkat renameat linkat symlinkat readlinkat "
	  "fchmodat faccessat pselect6 ppoll splice tee sync_file_range "
	  "vmsplice utimensat epoll_pwait signalfd timerfd_create eventfd "
	  "fallocate timerfd_settime timerfd_gettime signalfd4 eventfd2 "
	  "epoll_create1 dup3 pipe2 inotify_init1 preadv pwritev "
	  "copy_file_range preadv2 pwritev2 statx faccessat2 close_range" },
};

/*
 * Returns the descriptor for syscall nr, or NULL for a number with no
 * name. A named call without a decoding row gets six hex arguments.
 */
const struct syscall_desc *syscall_desc_of(long nr)
{
	static struct syscall_desc desc;

	if (nr < 0 || nr >= STRACE_MAX_SYSCALL || !syscall_names[nr])
		return NULL;
	desc.name = syscall_names[nr];
	desc.classes = 0;
	if (rows[nr].present) {
		desc.nargs = rows[nr].nargs;
		desc.ret = rows[nr].ret;
		memcpy(desc.args, rows[nr].args, sizeof(desc.args));
	} else {
		desc.nargs = 6;
		desc.ret = RET_DEC;
		memset(desc.args, ARG_HEX, sizeof(desc.args));
	}
	return &desc;
}

/* Returns the number of the syscall called name, or -1. */
int syscall_number_of(const char *name)
{
	for (int nr = 0; nr < STRACE_MAX_SYSCALL; nr++)
		if (syscall_names[nr] && strcmp(syscall_names[nr], name) == 0)
			return nr;
	return -1;
}

/* Sets in set the bit of every syscall in one of the given classes. */
void syscall_class_members(unsigned classes, uint64_t set[STRACE_MAX_SYSCALL / 64])
{
	for (size_t i = 0; i < sizeof(class_lists) / sizeof(class_lists[0]); i++) {
		if (!(class_lists[i].class & classes))
			continue;
		const char *p = class_lists[i].names;
		while (*p) {
			char word[32];
			size_t len = strcspn(p, " ");
			if (len < sizeof(word)) {
				memcpy(word, p, len);
				word[len] = '\0';
				int nr = syscall_number_of(word);
				if (nr >= 0)
					set[nr / 64] |= 1ull << (nr % 64);
			}
			p += len;
			p += strspn(p, " ");
		}
	}
}
