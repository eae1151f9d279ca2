/* SPDX-License-Identifier: MIT */
/*
 * test_memory - brk, anonymous private mmap, munmap, mprotect, and fork's
 * copy-on-write: what lands in memory, what faults (each fault in a
 * forked child, which must die of SIGSEGV), and the error paths (EINVAL,
 * ENOMEM, EBADF, ENODEV for file mappings Loupe cannot do yet).
 */
#include "tap.h"

#include <stdint.h>
#include <sys/sysinfo.h>

#define PAGE 4096UL

static uintptr_t page_up(uintptr_t value) { return (value + PAGE - 1) & ~(PAGE - 1); }

static uintptr_t raw_brk(uintptr_t want) { return (uintptr_t)syscall(SYS_brk, want); }

static char *map_anon(size_t length, int prot)
{
	char *area = mmap(NULL, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		tap_diag("mmap(%zu bytes, prot %d): %s", length, prot, strerror(errno));
		_exit(1);
	}
	return area;
}

/* The address a child faults on; volatile so the access is not optimised out. */
static volatile char *volatile fault_address;

static void read_fault_address(void) { (void)*fault_address; }
static void write_fault_address(void) { *fault_address = 1; }

static int status_of_read(void *address)
{
	fault_address = address;
	return tap_child_status(read_fault_address);
}

static int status_of_write(void *address)
{
	fault_address = address;
	return tap_child_status(write_fault_address);
}

/* --- brk ------------------------------------------------------------------ */

static void test_brk_grow_shrink(void)
{
	uintptr_t start = raw_brk(0);
	CHECK(start != 0);
	CHECK_EQ(raw_brk(0), start); /* asking again changes nothing */

	uintptr_t end = start + 3 * PAGE + 123;
	CHECK_EQ(raw_brk(end), end);
	CHECK_EQ(raw_brk(0), end);
	unsigned char *heap = (unsigned char *)start;
	for (uintptr_t i = 0; i < end - start; i++)
		CHECK_EQ(heap[i], 0); /* fresh break memory is zero */
	for (uintptr_t i = 0; i < end - start; i++)
		heap[i] = (unsigned char)(i * 7);
	for (uintptr_t i = 0; i < end - start; i++)
		CHECK_EQ(heap[i], (unsigned char)(i * 7));

	/* Shrink, then grow again: the pages given back come back zeroed. */
	CHECK_EQ(raw_brk(start), start);
	CHECK_EQ(raw_brk(end), end);
	for (uintptr_t i = page_up(start) - start; i < end - start; i++)
		CHECK_EQ(heap[i], 0);
	CHECK_EQ(raw_brk(start), start);
}

static void test_brk_shrink_unmaps(void)
{
	uintptr_t start = raw_brk(0);
	uintptr_t end = page_up(start) + 4 * PAGE;
	CHECK_EQ(raw_brk(end), end);
	((char *)end)[-1] = 1;
	CHECK_EQ(raw_brk(page_up(start)), page_up(start));
	CHECK_SIGNALED(status_of_read((char *)page_up(start) + PAGE), SIGSEGV);
	CHECK_SIGNALED(status_of_write((char *)end - 1), SIGSEGV);
}

static void test_brk_refusals(void)
{
	uintptr_t start = raw_brk(0);
	/* Each refusal returns the current break and changes nothing. */
	CHECK_EQ(raw_brk(1), start);
	CHECK_EQ(raw_brk(start - 64 * 1024 * 1024), start); /* below the heap */
	CHECK_EQ(raw_brk(start + (1UL << 46)), start);      /* 64 TiB */
	CHECK_EQ(raw_brk(0xffffffff80000000UL), start);     /* the kernel */
	CHECK_EQ(raw_brk(0x8000000000000000UL), start);     /* non-canonical */
	CHECK_EQ(raw_brk(0), start);
}

static void test_brk_after_fork(void)
{
	uintptr_t start = raw_brk(0);
	uintptr_t end = page_up(start) + 2 * PAGE;
	CHECK_EQ(raw_brk(end), end);
	memset((void *)start, 'p', end - start);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* The child's break is its own: it grows, the parent's does not. */
		if (raw_brk(0) != end || ((char *)start)[0] != 'p')
			_exit(1);
		uintptr_t more = end + 8 * PAGE;
		if (raw_brk(more) != more)
			_exit(2);
		memset((void *)start, 'c', more - start);
		_exit(0);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_EQ(raw_brk(0), end);
	for (uintptr_t p = start; p < end; p++)
		CHECK_EQ(*(char *)p, 'p');
	CHECK_SIGNALED(status_of_read((char *)end + PAGE), SIGSEGV);
}

/* --- mmap ----------------------------------------------------------------- */

static void test_mmap_anonymous(void)
{
	size_t length = 16 * PAGE;
	unsigned char *area = (unsigned char *)map_anon(length, PROT_READ | PROT_WRITE);
	CHECK_EQ((uintptr_t)area % PAGE, 0);
	for (size_t i = 0; i < length; i++)
		CHECK_EQ(area[i], 0);
	for (size_t i = 0; i < length; i++)
		area[i] = (unsigned char)(i ^ (i >> 8));
	for (size_t i = 0; i < length; i++)
		CHECK_EQ(area[i], (unsigned char)(i ^ (i >> 8)));
	/* A length that is not a page multiple is rounded up. */
	unsigned char *odd = (unsigned char *)map_anon(PAGE + 1, PROT_READ | PROT_WRITE);
	odd[2 * PAGE - 1] = 9;
	CHECK_EQ(odd[2 * PAGE - 1], 9);
	/* Two mappings do not overlap. */
	CHECK(odd + 2 * PAGE <= area || area + length <= odd);
	CHECK_EQ(munmap(area, length), 0);
	CHECK_EQ(munmap(odd, PAGE + 1), 0);
}

static void test_mmap_protections(void)
{
	char *readonly = map_anon(PAGE, PROT_READ);
	CHECK_EQ(readonly[100], 0);
	CHECK_SIGNALED(status_of_write(readonly + 100), SIGSEGV);

	char *none = map_anon(PAGE, PROT_NONE);
	CHECK_SIGNALED(status_of_read(none), SIGSEGV);
	CHECK_SIGNALED(status_of_write(none), SIGSEGV);

	char *writeonly = map_anon(PAGE, PROT_WRITE); /* x86 cannot deny reads */
	writeonly[5] = 5;
	CHECK_EXITED(status_of_write(writeonly), 0);
}

static void run_code(void) { ((int (*)(void))(uintptr_t)fault_address)(); }

static void test_mmap_exec_and_nx(void)
{
	static const unsigned char return_42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 }; /* mov $42,%eax; ret */
	unsigned char *code = (unsigned char *)map_anon(PAGE, PROT_READ | PROT_WRITE);
	memcpy(code, return_42, sizeof(return_42));
	/* Writable data is not executable (NX). */
	fault_address = (char *)code;
	CHECK_SIGNALED(tap_child_status(run_code), SIGSEGV);
	CHECK_EQ(mprotect(code, PAGE, PROT_READ | PROT_EXEC), 0);
	CHECK_EQ(((int (*)(void))(uintptr_t)code)(), 42);
	/* Executable but not writable. */
	CHECK_SIGNALED(status_of_write(code), SIGSEGV);
	/* A mapping made executable from the start. */
	unsigned char *rwx = (unsigned char *)map_anon(PAGE, PROT_READ | PROT_WRITE | PROT_EXEC);
	memcpy(rwx, return_42, sizeof(return_42));
	CHECK_EQ(((int (*)(void))(uintptr_t)rwx)(), 42);
}

static void test_mprotect(void)
{
	char *area = map_anon(4 * PAGE, PROT_READ | PROT_WRITE);
	memset(area, 'a', 4 * PAGE);
	/* Read-only in the middle page only. */
	CHECK_EQ(mprotect(area + PAGE, PAGE, PROT_READ), 0);
	CHECK_EQ(area[PAGE], 'a');
	CHECK_SIGNALED(status_of_write(area + PAGE), SIGSEGV);
	CHECK_SIGNALED(status_of_write(area + 2 * PAGE - 1), SIGSEGV);
	CHECK_EXITED(status_of_write(area), 0);
	CHECK_EXITED(status_of_write(area + 2 * PAGE), 0);
	area[0] = 'b';
	area[3 * PAGE] = 'c';
	/* No access, then back to read-write: the data was kept throughout. */
	CHECK_EQ(mprotect(area, 4 * PAGE, PROT_NONE), 0);
	CHECK_SIGNALED(status_of_read(area + 3 * PAGE), SIGSEGV);
	CHECK_EQ(mprotect(area, 4 * PAGE, PROT_READ | PROT_WRITE), 0);
	CHECK_EQ(area[0], 'b');
	CHECK_EQ(area[PAGE], 'a');
	CHECK_EQ(area[3 * PAGE], 'c');
	area[PAGE] = 'd';
	CHECK_EQ(area[PAGE], 'd');
}

static void test_mprotect_then_child_writes(void)
{
	/* The case from the issue: mprotect, then a write in a child. */
	char *area = map_anon(PAGE, PROT_READ | PROT_WRITE);
	area[0] = 'x';
	CHECK_EQ(mprotect(area, PAGE, PROT_READ), 0);
	CHECK_SIGNALED(status_of_write(area), SIGSEGV);
	CHECK_EQ(area[0], 'x');
}

static void test_munmap_partial(void)
{
	char *area = map_anon(5 * PAGE, PROT_READ | PROT_WRITE);
	for (int i = 0; i < 5; i++)
		area[i * PAGE] = (char)('0' + i);
	CHECK_EQ(munmap(area + 2 * PAGE, PAGE), 0);      /* a hole in the middle */
	CHECK_EQ(munmap(area, PAGE), 0);                 /* the first page */
	CHECK_EQ(munmap(area + 4 * PAGE, PAGE), 0);      /* the last page */
	CHECK_EQ(area[1 * PAGE], '1');
	CHECK_EQ(area[3 * PAGE], '3');
	CHECK_SIGNALED(status_of_read(area), SIGSEGV);
	CHECK_SIGNALED(status_of_read(area + 2 * PAGE), SIGSEGV);
	CHECK_SIGNALED(status_of_read(area + 4 * PAGE + 10), SIGSEGV);
	/* Unmapping what is already unmapped, or a range with holes, is fine. */
	CHECK_EQ(munmap(area + 2 * PAGE, PAGE), 0);
	CHECK_EQ(munmap(area, 5 * PAGE), 0);
	CHECK_SIGNALED(status_of_read(area + PAGE), SIGSEGV);
	CHECK_SIGNALED(status_of_read(area + 3 * PAGE), SIGSEGV);
}

static void test_map_fixed(void)
{
	char *area = map_anon(3 * PAGE, PROT_READ | PROT_WRITE);
	memset(area, 'o', 3 * PAGE);
	/* A fresh page over the middle one: zeroed, neighbours untouched. */
	char *middle = mmap(area + PAGE, PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(middle == area + PAGE);
	CHECK_EQ(middle[0], 0);
	CHECK_EQ(middle[PAGE - 1], 0);
	CHECK_EQ(area[PAGE - 1], 'o');
	CHECK_EQ(area[2 * PAGE], 'o');
	/* With a different protection. */
	char *readonly = mmap(area + 2 * PAGE, PAGE, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(readonly == area + 2 * PAGE);
	CHECK_EQ(readonly[0], 0);
	CHECK_SIGNALED(status_of_write(readonly), SIGSEGV);
	/* Into a hole that was unmapped: exactly there. */
	CHECK_EQ(munmap(area, 3 * PAGE), 0);
	char *again = mmap(area, 3 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(again == area);
	CHECK_EQ(again[PAGE], 0);
}

static void test_mmap_hint(void)
{
	/* Without MAP_FIXED the address is a hint: any aligned free place will do. */
	char *area = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	char *hinted = mmap(area, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hinted != MAP_FAILED);
	CHECK(hinted != area); /* area is taken: the hint cannot be honoured */
	CHECK_EQ((uintptr_t)hinted % PAGE, 0);
	area[0] = 1;
	hinted[0] = 2;
	CHECK_EQ(area[0], 1);
}

/* The kernel's answers, not musl's: its mmap wrapper checks some of these itself. */
static long raw_mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)
{
	return syscall(SYS_mmap, addr, length, prot, flags, fd, offset);
}

static void test_mmap_einval(void)
{
	int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	CHECK_ERRNO(raw_mmap(NULL, 0, PROT_READ, anon, -1, 0), EINVAL);
	CHECK_ERRNO(raw_mmap((void *)0x10000123, PAGE, PROT_READ, anon | MAP_FIXED, -1, 0), EINVAL);
	CHECK_ERRNO(raw_mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL); /* neither private nor shared */
	CHECK_ERRNO(raw_mmap(NULL, PAGE, PROT_READ, anon, -1, 123), EINVAL);        /* unaligned offset */
	CHECK_ERRNO(syscall(SYS_munmap, 0x10000123, PAGE), EINVAL);
	char *area = map_anon(PAGE, PROT_READ | PROT_WRITE);
	CHECK_ERRNO(syscall(SYS_munmap, area, 0), EINVAL);
	CHECK_ERRNO(syscall(SYS_munmap, area + 1, PAGE), EINVAL);
	CHECK_ERRNO(syscall(SYS_mprotect, area + 1, PAGE, PROT_READ), EINVAL);
	CHECK_ERRNO(syscall(SYS_mprotect, area, PAGE, 0x10), EINVAL);              /* unknown PROT bit */
	area[0] = 1; /* still mapped, still writable */
}

static void test_mmap_enomem(void)
{
	int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	CHECK_ERRNO(raw_mmap(NULL, 1UL << 62, PROT_READ, anon, -1, 0), ENOMEM);
	CHECK_ERRNO(raw_mmap(NULL, (size_t)-PAGE, PROT_READ, anon, -1, 0), ENOMEM);
	/* mprotect of a range that is not (all) mapped. */
	char *area = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	CHECK_EQ(munmap(area + PAGE, PAGE), 0);
	CHECK_ERRNO(syscall(SYS_mprotect, area + PAGE, PAGE, PROT_READ), ENOMEM);
	CHECK_ERRNO(syscall(SYS_mprotect, area, 2 * PAGE, PROT_READ), ENOMEM);
}

static void test_map_fixed_outside_user_space(void)
{
	/* Linux says ENOMEM; EINVAL would be fair too. Nothing may get mapped. */
	static void *const places[] = {
		(void *)0xffffffff80000000UL, (void *)0xffff800000000000UL,
		(void *)0x0000800000000000UL, (void *)0x00007ffffffff000UL,
	};
	for (unsigned i = 0; i < TAP_COUNT(places); i++) {
		errno = 0;
		long got = raw_mmap(places[i], 2 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (got != -1 || (errno != ENOMEM && errno != EINVAL)) {
			tap_diag("MAP_FIXED at %p returned %#lx, errno %d (%s)", places[i],
				 (unsigned long)got, errno, strerror(errno));
			_exit(1);
		}
	}
}

/* The last page below the canonical hole is never mapped (Linux's TASK_SIZE_MAX). */
static void test_last_user_page_refused(void)
{
	void *last = (void *)0x00007ffffffff000UL;
	CHECK_ERRNO(syscall(SYS_mmap, last, PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
	CHECK_ERRNO(syscall(SYS_mmap, (void *)0x00007fffffffe000UL, 2 * PAGE, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
	/* A hint there is just a hint: the mapping lands elsewhere. */
	void *hinted = mmap(last, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hinted != MAP_FAILED && hinted != last);
	CHECK_EQ(munmap(hinted, PAGE), 0);
}

/*
 * mprotect must not make a page writable while another process still
 * shares it: the child writes after R -> RW and after a read-only page
 * it touched became RW; the parent must still see its own values.
 */
static int volatile cow_shared_value = 1;
static void mprotect_and_write(void)
{
	char *page = (char *)((uintptr_t)&cow_shared_value & ~(uintptr_t)(PAGE - 1));
	if (mprotect(page, PAGE, PROT_READ) || mprotect(page, PAGE, PROT_READ | PROT_WRITE))
		_exit(3);
	cow_shared_value = 2;
	_exit(0);
}

static int *readonly_then_writable;
static void readonly_page_made_writable(void)
{
	if (mprotect(readonly_then_writable, PAGE, PROT_READ | PROT_WRITE))
		_exit(3);
	*readonly_then_writable = 3;
	_exit(0);
}

static void test_mprotect_keeps_cow(void)
{
	cow_shared_value = 1;
	CHECK_EXITED(tap_child_status(mprotect_and_write), 0);
	CHECK_EQ(cow_shared_value, 1);

	readonly_then_writable = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(readonly_then_writable != MAP_FAILED);
	*readonly_then_writable = 0;            /* present before the fork */
	CHECK_EQ(mprotect(readonly_then_writable, PAGE, PROT_READ), 0);
	CHECK_EXITED(tap_child_status(readonly_page_made_writable), 0);
	CHECK_EQ(*readonly_then_writable, 0);
	CHECK_EQ(munmap(readonly_then_writable, PAGE), 0);
}

static void test_file_mapping_ebadf(void)
{
	CHECK_ERRNO(raw_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	CHECK_ERRNO(raw_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 1000, 0), EBADF);
}

static void test_file_mapping_console_enodev(void)
{
	/* Loupe-only: on Linux, fds 0-2 of a host run may be files that map fine. */
	for (int fd = 0; fd <= 2; fd++)
		CHECK_ERRNO(raw_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV);
}

/* --- malloc ----------------------------------------------------------------- */

static void test_malloc_large(void)
{
	size_t size = 32UL * 1024 * 1024;
	unsigned char *big = malloc(size);
	CHECK(big != NULL);
	for (size_t i = 0; i < size; i += PAGE)
		big[i] = (unsigned char)(i / PAGE);
	for (size_t i = 0; i < size; i += PAGE)
		CHECK_EQ(big[i], (unsigned char)(i / PAGE));
	free(big);
	/* Again, with calloc: the memory must be zero. */
	unsigned long *zeroed = calloc(size / sizeof(long), sizeof(long));
	CHECK(zeroed != NULL);
	for (size_t i = 0; i < size / sizeof(long); i += 64)
		CHECK_EQ(zeroed[i], 0);
	free(zeroed);
}

static void test_malloc_many_small(void)
{
	enum { N = 4000 };
	static unsigned char *blocks[N];
	static size_t sizes[N];
	unsigned seed = 12345;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		sizes[i] = 1 + (seed >> 16) % 600;
		blocks[i] = malloc(sizes[i]);
		CHECK(blocks[i] != NULL);
		memset(blocks[i], i & 0xff, sizes[i]);
	}
	for (int i = 0; i < N; i += 2) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
	for (int i = 1; i < N; i += 2) {
		for (size_t j = 0; j < sizes[i]; j++)
			CHECK_EQ(blocks[i][j], i & 0xff);
		blocks[i] = realloc(blocks[i], sizes[i] * 20);
		CHECK(blocks[i] != NULL);
		CHECK_EQ(blocks[i][0], i & 0xff);
		CHECK_EQ(blocks[i][sizes[i] - 1], i & 0xff);
		free(blocks[i]);
	}
}

/* --- copy-on-write across fork ----------------------------------------------- */

static int cow_global = 1;
static char cow_bss[3 * PAGE];

static void test_cow_child_writes(void)
{
	int on_stack = 2;
	char *heap = malloc(100);
	CHECK(heap != NULL);
	strcpy(heap, "parent heap");
	char *mapped = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	strcpy(mapped, "parent map");
	memset(cow_bss, 'P', sizeof(cow_bss));

	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int seen_ok = cow_global == 1 && on_stack == 2 && strcmp(heap, "parent heap") == 0 &&
			      strcmp(mapped, "parent map") == 0 && cow_bss[PAGE] == 'P';
		cow_global = 10;
		on_stack = 20;
		strcpy(heap, "child heap");
		strcpy(mapped, "child map");
		memset(cow_bss, 'C', sizeof(cow_bss));
		int wrote_ok = cow_global == 10 && on_stack == 20 && strcmp(heap, "child heap") == 0 &&
			       strcmp(mapped, "child map") == 0 && cow_bss[2 * PAGE] == 'C';
		_exit(seen_ok && wrote_ok ? 0 : 1);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_EQ(cow_global, 1);
	CHECK_EQ(on_stack, 2);
	CHECK_STREQ(heap, "parent heap");
	CHECK_STREQ(mapped, "parent map");
	for (size_t i = 0; i < sizeof(cow_bss); i++)
		CHECK_EQ(cow_bss[i], 'P');
}

static void test_cow_parent_writes(void)
{
	/* The parent writes right after fork; the child looks later. */
	char *mapped = map_anon(PAGE, PROT_READ | PROT_WRITE);
	mapped[0] = 'o';
	cow_global = 5;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		tap_sleep_ms(100);
		_exit(mapped[0] == 'o' && cow_global == 5 ? 0 : 1);
	}
	mapped[0] = 'n';
	cow_global = 6;
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_EQ(mapped[0], 'n');
	CHECK_EQ(cow_global, 6);
}

static void test_cow_large(void)
{
	size_t size = 8UL * 1024 * 1024;
	unsigned char *area = (unsigned char *)map_anon(size, PROT_READ | PROT_WRITE);
	for (size_t i = 0; i < size; i += 512)
		area[i] = (unsigned char)(i >> 9);
	for (int round = 0; round < 3; round++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			for (size_t i = 0; i < size; i += 512)
				if (area[i] != (unsigned char)(i >> 9))
					_exit(1);
			for (size_t i = 0; i < size; i += 512)
				area[i] = 0xee;
			_exit(0);
		}
		CHECK_EXITED(tap_wait(pid), 0);
	}
	for (size_t i = 0; i < size; i += 512)
		CHECK_EQ(area[i], (unsigned char)(i >> 9));
}

static void test_cow_grandchild_chain(void)
{
	/* Three generations share a page; each write stays with its writer. */
	static int shared = 100;
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		pid_t grandchild = fork();
		if (grandchild < 0)
			_exit(10);
		if (grandchild == 0) {
			int ok = shared == 100;
			shared = 300;
			_exit(ok && shared == 300 ? 0 : 1);
		}
		int status = 0;
		if (wait4(grandchild, &status, 0, NULL) != grandchild || status != 0)
			_exit(11);
		if (shared != 100)
			_exit(12);
		shared = 200;
		_exit(0);
	}
	CHECK_EXITED(tap_wait(child), 0);
	CHECK_EQ(shared, 100);
}

static void test_child_munmap_does_not_touch_parent(void)
{
	char *area = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	area[0] = 'k';
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		munmap(area, 2 * PAGE);
		mprotect(cow_bss, PAGE, PROT_NONE); /* harmless if it fails */
		_exit(0);
	}
	CHECK_EXITED(tap_wait(pid), 0);
	CHECK_EQ(area[0], 'k');
	cow_bss[0] = 'w';
	CHECK_EQ(cow_bss[0], 'w');
}

static void test_readonly_image_pages(void)
{
	static const char constant[] = "a read-only string";
	CHECK_SIGNALED(status_of_write((void *)constant), SIGSEGV);
	CHECK_SIGNALED(status_of_write((void *)(uintptr_t)test_readonly_image_pages), SIGSEGV);
}

static void use_stack(void)
{
	volatile char big[128 * 1024];
	for (size_t i = 0; i < sizeof(big); i += 512)
		big[i] = (char)i;
	for (size_t i = 0; i < sizeof(big); i += 512)
		if (big[i] != (char)i)
			_exit(1);
}

static void test_stack_128k(void)
{
	CHECK_EXITED(tap_child_status(use_stack), 0);
}

static void test_munmap_gives_frames_back(void)
{
	/* Loupe: freeram is exact, so 1 MiB touched then unmapped returns. */
	struct sysinfo before, touched, after;
	char *warm = map_anon(PAGE, PROT_READ | PROT_WRITE); /* page tables in place */
	warm[0] = 1;
	CHECK_EQ(sysinfo(&before), 0);
	size_t size = 1024 * 1024;
	char *area = map_anon(size, PROT_READ | PROT_WRITE);
	for (size_t i = 0; i < size; i += PAGE)
		area[i] = 1;
	CHECK_EQ(sysinfo(&touched), 0);
	CHECK(before.freeram - touched.freeram >= size);
	CHECK_EQ(munmap(area, size), 0);
	CHECK_EQ(sysinfo(&after), 0);
	tap_diag("freeram %lu, %lu after touching 1 MiB, %lu after munmap", before.freeram,
		 touched.freeram, after.freeram);
	/* Page tables may stay; the 256 data frames may not. */
	CHECK(before.freeram - after.freeram <= 16 * PAGE);
}

static const struct tap_test tests[] = {
	{ "brk: grow, write, shrink, grow zeroed", test_brk_grow_shrink },
	{ "brk: shrinking unmaps", test_brk_shrink_unmaps },
	{ "brk: refusals return the current break", test_brk_refusals },
	{ "brk: per process after fork", test_brk_after_fork },
	{ "mmap: anonymous, zeroed, page-aligned", test_mmap_anonymous },
	{ "mmap: PROT_READ, PROT_NONE, PROT_WRITE", test_mmap_protections },
	{ "mmap: NX data, mprotect to exec", test_mmap_exec_and_nx },
	{ "mprotect: parts of a mapping, data kept", test_mprotect },
	{ "mprotect then a write in a child: SIGSEGV", test_mprotect_then_child_writes },
	{ "munmap: partial, holes, twice", test_munmap_partial },
	{ "mmap: MAP_FIXED", test_map_fixed },
	{ "mmap: a hint that is taken", test_mmap_hint },
	{ "mmap/munmap/mprotect: EINVAL", test_mmap_einval },
	{ "mmap/mprotect: ENOMEM", test_mmap_enomem },
	{ "mmap: MAP_FIXED outside user space fails", test_map_fixed_outside_user_space },
	{ "mmap: the last user page is never mapped", test_last_user_page_refused },
	{ "mprotect keeps shared pages copy-on-write", test_mprotect_keeps_cow },
	{ "mmap: file mapping of a bad fd: EBADF", test_file_mapping_ebadf },
	{ "mmap: file mapping of the console: ENODEV", test_file_mapping_console_enodev, TAP_LOUPE_ONLY },
	{ "malloc: 32 MiB, calloc zeroed", test_malloc_large },
	{ "malloc: 4000 small blocks, realloc", test_malloc_many_small },
	{ "copy-on-write: the child writes", test_cow_child_writes },
	{ "copy-on-write: the parent writes", test_cow_parent_writes },
	{ "copy-on-write: 8 MiB, three children", test_cow_large },
	{ "copy-on-write: three generations", test_cow_grandchild_chain },
	{ "a child's munmap leaves the parent's memory", test_child_munmap_does_not_touch_parent },
	{ "read-only data and text are not writable", test_readonly_image_pages },
	{ "128 KiB of stack", test_stack_128k },
	{ "munmap gives the frames back", test_munmap_gives_frames_back, TAP_LOUPE_ONLY },
};

int main(int argc, char **argv)
{
	return tap_main(argc, argv, tests, TAP_COUNT(tests));
}
