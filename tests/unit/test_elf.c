/* SPDX-License-Identifier: MIT */
/*
 * test_elf.c - host unit tests for kernel/elf.c.
 *
 * A builder (struct elf_file) holds an ELF header and a program header
 * table as C structures and writes them into a file image; each test
 * starts from a valid file laid out like musl-gcc -static output, breaks
 * one rule of elf_parse()'s contract (kernel/elf.h) and expects -ENOEXEC.
 * Files are parsed from heap copies of exactly their size, so
 * AddressSanitizer reports any read past the end. Two real layouts are
 * covered too: the headers of a musl static binary, embedded below, and
 * this test's own executable, a dynamically linked host program.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/elf.h"
#include "kernel/errno.h"

/* Where Loupe's user space ends (the canonical lower half, less a page). */
#define USER_LIMIT 0x00007ffffffff000ULL

#define MAX_TEST_PHDRS 80
#define FILE_CAPACITY 0x8000

struct elf_file {
	struct elf64_header header;
	struct elf64_phdr phdrs[MAX_TEST_PHDRS];
	size_t size;            /* of the file image */
};

static struct elf_file elf;
static struct elf_image image;

static struct elf64_phdr *add_phdr(struct elf_file *file, uint32_t type,
				   uint32_t flags, uint64_t offset,
				   uint64_t vaddr, uint64_t filesz,
				   uint64_t memsz)
{
	struct elf64_phdr *phdr = &file->phdrs[file->header.e_phnum++];

	*phdr = (struct elf64_phdr){
		.p_type = type, .p_flags = flags, .p_offset = offset,
		.p_vaddr = vaddr, .p_paddr = vaddr, .p_filesz = filesz,
		.p_memsz = memsz, .p_align = ELF_PAGE_SIZE,
	};
	return phdr;
}

static void start_file(struct elf_file *file, uint16_t type, uint64_t entry)
{
	memset(file, 0, sizeof(*file));
	memcpy(file->header.e_ident, "\x7f" "ELF", 4);
	file->header.e_ident[EI_CLASS] = ELFCLASS64;
	file->header.e_ident[EI_DATA] = ELFDATA2LSB;
	file->header.e_ident[EI_VERSION] = EV_CURRENT;
	file->header.e_type = type;
	file->header.e_machine = EM_X86_64;
	file->header.e_version = EV_CURRENT;
	file->header.e_entry = entry;
	file->header.e_phoff = sizeof(struct elf64_header);
	file->header.e_ehsize = sizeof(struct elf64_header);
	file->header.e_phentsize = sizeof(struct elf64_phdr);
	file->size = 0x3000;
}

/*
 * The musl-gcc -static layout: a read-only first page holding the ELF
 * and program headers, text, then data + bss starting mid-page.
 */
static void build_valid(struct elf_file *file)
{
	start_file(file, ET_EXEC, 0x401020);
	add_phdr(file, PT_LOAD, PF_R, 0, 0x400000, 0x1c8, 0x1c8);
	add_phdr(file, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x800, 0x800);
	add_phdr(file, PT_LOAD, PF_R | PF_W, 0x2fd0, 0x403fd0, 0x30, 0x2a8);
	add_phdr(file, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	add_phdr(file, PT_GNU_RELRO, PF_R, 0x2fd0, 0x403fd0, 0x30, 0x30);
}

/*
 * Parse a heap copy of exactly file->size bytes holding the header and,
 * if it fits, the program header table at e_phoff.
 */
static int parse(const struct elf_file *file, uint64_t limit,
		 struct elf_image *out)
{
	static uint8_t bytes[FILE_CAPACITY];
	size_t table = (size_t)file->header.e_phnum * sizeof(struct elf64_phdr);

	assert_true(file->size <= sizeof(bytes));
	memset(bytes, 0, sizeof(bytes));
	memcpy(bytes, &file->header, sizeof(file->header));
	if (file->header.e_phoff <= sizeof(bytes) &&
	    table <= sizeof(bytes) - file->header.e_phoff)
		memcpy(bytes + file->header.e_phoff, file->phdrs, table);

	uint8_t *copy = malloc(file->size > 0 ? file->size : 1);

	assert_non_null(copy);
	memcpy(copy, bytes, file->size);
	int result = elf_parse(copy, file->size, limit, out);

	free(copy);
	return result;
}

#define EXPECT_REJECTED(file)                                               \
	assert_int_equal(parse((file), USER_LIMIT, &image), -ENOEXEC)

#define EXPECT_SEGMENT(segment, want_vaddr, want_memsz, want_offset,         \
		       want_filesz, want_prot)                                 \
	do {                                                                \
		assert_int_equal((segment).vaddr, (want_vaddr));            \
		assert_int_equal((segment).memsz, (want_memsz));            \
		assert_int_equal((segment).file_offset, (want_offset));     \
		assert_int_equal((segment).filesz, (want_filesz));          \
		assert_int_equal((segment).prot, (want_prot));              \
	} while (0)

static void test_valid_static_exec(void **state)
{
	(void)state;
	build_valid(&elf);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.entry, 0x401020);
	assert_false(image.position_independent);
	/* No PT_PHDR: the first PT_LOAD maps file offset 64 to 0x400040. */
	assert_int_equal(image.phdr_vaddr, 0x400040);
	assert_int_equal(image.phent, 56);
	assert_int_equal(image.phnum, 5);
	assert_false(image.stack_executable);
	assert_int_equal(image.nsegments, 3);
	EXPECT_SEGMENT(image.segments[0], 0x400000, 0x1c8, 0, 0x1c8,
		       ELF_PROT_READ);
	EXPECT_SEGMENT(image.segments[1], 0x401000, 0x800, 0x1000, 0x800,
		       ELF_PROT_READ | ELF_PROT_EXEC);
	EXPECT_SEGMENT(image.segments[2], 0x403fd0, 0x2a8, 0x2fd0, 0x30,
		       ELF_PROT_READ | ELF_PROT_WRITE);
	assert_int_equal(image.lowest_vaddr, 0x400000);
	assert_int_equal(image.highest_vaddr, 0x405000);
}

/*
 * The ELF header and the 7 program headers (456 bytes) of a real musl
 * static binary with TLS, .bss and printf, made on Debian 12 with
 * musl-tools 1.2.3 and GNU ld 2.40:
 *
 *   printf '#include <stdio.h>\n_Thread_local int counter = 5;\n
 *     static char big[100000];\nint main(int argc, char **argv) {
 *     big[argc] = 1; counter++; printf("hi %%d %%s\\n", counter,
 *     argv[0]); return big[1]; }\n' > y.c      (one line, shown wrapped)
 *   musl-gcc -static -O2 -o y y.c && xxd -i -l 456 y
 *
 * readelf -lW y says (the binary was 33848 bytes long):
 *   LOAD      0x000000 0x400000 filesz 0x0001c8 memsz 0x0001c8 R
 *   LOAD      0x001000 0x401000 filesz 0x003bd7 memsz 0x003bd7 R E
 *   LOAD      0x005000 0x405000 filesz 0x000c94 memsz 0x000c94 R
 *   LOAD      0x005fbc 0x406fbc filesz 0x000154 memsz 0x018e9c RW
 *   TLS       0x005fbc 0x406fbc filesz 0x000004 memsz 0x000004 R
 *   GNU_STACK 0        0        0                0              RW
 *   GNU_RELRO 0x005fbc 0x406fbc filesz 0x000044 memsz 0x000044 R
 * ET_EXEC, entry 0x401075, no PT_PHDR, no PT_INTERP.
 */
static const uint8_t musl_static_headers[] = {
	0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x75, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x78, 0x7d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x38, 0x00, 0x07, 0x00, 0x40, 0x00,
	0x1b, 0x00, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd7, 0x3b, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xd7, 0x3b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x50, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x40, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x94, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x94, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
	0xbc, 0x5f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbc, 0x6f, 0x40, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xbc, 0x6f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x54, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xbc, 0x5f, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xbc, 0x6f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xbc, 0x6f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x51, 0xe5, 0x74, 0x64,
	0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x52, 0xe5, 0x74, 0x64, 0x04, 0x00, 0x00, 0x00,
	0xbc, 0x5f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbc, 0x6f, 0x40, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xbc, 0x6f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x44, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};
#define MUSL_STATIC_FILE_SIZE 33848

static void test_real_musl_static_binary(void **state)
{
	(void)state;
	uint8_t *file = calloc(1, MUSL_STATIC_FILE_SIZE);

	assert_non_null(file);
	memcpy(file, musl_static_headers, sizeof(musl_static_headers));
	assert_int_equal(elf_parse(file, MUSL_STATIC_FILE_SIZE, USER_LIMIT,
				   &image), 0);
	assert_int_equal(image.entry, 0x401075);
	assert_false(image.position_independent);
	assert_int_equal(image.phdr_vaddr, 0x400040);
	assert_int_equal(image.phent, 56);
	assert_int_equal(image.phnum, 7);
	assert_false(image.stack_executable);
	assert_int_equal(image.nsegments, 4);
	EXPECT_SEGMENT(image.segments[0], 0x400000, 0x1c8, 0, 0x1c8,
		       ELF_PROT_READ);
	EXPECT_SEGMENT(image.segments[1], 0x401000, 0x3bd7, 0x1000, 0x3bd7,
		       ELF_PROT_READ | ELF_PROT_EXEC);
	EXPECT_SEGMENT(image.segments[2], 0x405000, 0xc94, 0x5000, 0xc94,
		       ELF_PROT_READ);
	EXPECT_SEGMENT(image.segments[3], 0x406fbc, 0x18e9c, 0x5fbc, 0x154,
		       ELF_PROT_READ | ELF_PROT_WRITE);
	assert_int_equal(image.lowest_vaddr, 0x400000);
	assert_int_equal(image.highest_vaddr, 0x420000);

	/* The same file cut short of its last segment's data. */
	assert_int_equal(elf_parse(file, 0x5fbc + 0x153, USER_LIMIT, &image),
			 -ENOEXEC);
	free(file);
}

/* A static-pie: ET_DYN linked at 0, with PT_PHDR and PT_DYNAMIC. */
static void test_static_pie(void **state)
{
	(void)state;
	start_file(&elf, ET_DYN, 0x1095);
	elf.size = 0x4000;
	add_phdr(&elf, PT_PHDR, PF_R, 0x40, 0x40, 0x1f8, 0x1f8);
	add_phdr(&elf, PT_LOAD, PF_R, 0, 0, 0x4f0, 0x4f0);
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x19c, 0x19c);
	add_phdr(&elf, PT_LOAD, PF_R | PF_W, 0x2dfc, 0x3dfc, 0x21c, 0x188e4);
	add_phdr(&elf, PT_DYNAMIC, PF_R | PF_W, 0x2e10, 0x3e10, 0x1c0, 0x1c0);
	add_phdr(&elf, PT_TLS, PF_R, 0x2dfc, 0x3dfc, 4, 4);
	add_phdr(&elf, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_true(image.position_independent);
	assert_int_equal(image.entry, 0x1095);
	assert_int_equal(image.phdr_vaddr, 0x40);
	assert_int_equal(image.phnum, 7);
	assert_int_equal(image.nsegments, 3);
	assert_int_equal(image.lowest_vaddr, 0);
	assert_int_equal(image.highest_vaddr, 0x1d000);
}

/* This test program: a dynamically linked host executable. */
static void test_own_executable_is_dynamic(void **state)
{
	(void)state;
	FILE *self = fopen("/proc/self/exe", "rb");

	assert_non_null(self);
	assert_int_equal(fseek(self, 0, SEEK_END), 0);
	long size = ftell(self);

	assert_true(size > 64);
	rewind(self);
	uint8_t *file = malloc((size_t)size);

	assert_non_null(file);
	assert_int_equal(fread(file, 1, (size_t)size, self), (size_t)size);
	fclose(self);
	/* Host compilers build dynamic executables with a PT_INTERP. */
	assert_int_equal(elf_parse(file, (size_t)size, USER_LIMIT, &image),
			 -ENOEXEC);
	assert_int_equal(image.nsegments, 0);
	free(file);
}

static void test_pt_phdr_wins(void **state)
{
	(void)state;
	build_valid(&elf);
	/* PT_PHDR usually comes first; its vaddr is taken as is. */
	add_phdr(&elf, PT_PHDR, PF_R, 0x40, 0x400100, 6 * 56, 6 * 56);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.phdr_vaddr, 0x400100);
}

static void test_phdr_not_loaded(void **state)
{
	(void)state;
	/* The table is in the file but no PT_LOAD maps file offset 64. */
	build_valid(&elf);
	elf.phdrs[0].p_offset = 0x1000;
	elf.phdrs[0].p_vaddr = 0x3ff000;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.phdr_vaddr, 0);

	/* A PT_LOAD that holds only part of the table does not count. */
	build_valid(&elf);
	elf.phdrs[0].p_filesz = 64 + 5 * 56 - 1;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.phdr_vaddr, 0);
	elf.phdrs[0].p_filesz = 64 + 5 * 56;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.phdr_vaddr, 0x400040);
}

static void test_gnu_stack(void **state)
{
	(void)state;
	build_valid(&elf);
	elf.phdrs[3].p_flags = PF_R | PF_W | PF_X;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_true(image.stack_executable);

	/* No PT_GNU_STACK at all: Loupe's default is non-executable. */
	elf.phdrs[3].p_type = PT_NOTE;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_false(image.stack_executable);
}

static void test_memsz_zero_skipped(void **state)
{
	(void)state;
	build_valid(&elf);
	/* Even at an absurd address: an empty segment maps nothing. */
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0, 0);
	add_phdr(&elf, PT_LOAD, PF_R, 0, 0x7ffffffff000, 0, 0);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.nsegments, 3);
	assert_int_equal(image.highest_vaddr, 0x405000);
}

/* Segments may share a page as long as they share no byte. */
static void test_shared_pages_allowed(void **state)
{
	(void)state;
	start_file(&elf, ET_EXEC, 0x400100);
	/* Text and data in one page, touching (GNU ld -z noseparate-code). */
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x800, 0x800);
	add_phdr(&elf, PT_LOAD, PF_R | PF_W, 0x800, 0x400800, 0x100, 0x900);
	/* Another segment starting in the page where .bss ends. */
	add_phdr(&elf, PT_LOAD, PF_R, 0x1100, 0x401100, 0x10, 0x10);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.nsegments, 3);
	assert_int_equal(image.lowest_vaddr, 0x400000);
	assert_int_equal(image.highest_vaddr, 0x402000);

	/* Out of address order is fine too. */
	struct elf64_phdr first = elf.phdrs[0];

	elf.phdrs[0] = elf.phdrs[2];
	elf.phdrs[2] = first;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.lowest_vaddr, 0x400000);
	assert_int_equal(image.highest_vaddr, 0x402000);
}

static void test_overlap_bad(void **state)
{
	(void)state;
	start_file(&elf, ET_EXEC, 0x400100);
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x800, 0x800);
	add_phdr(&elf, PT_LOAD, PF_R | PF_W, 0x7ff, 0x4007ff, 0x100, 0x900);
	EXPECT_REJECTED(&elf);

	/* One inside the other, and .bss running over the next segment. */
	start_file(&elf, ET_EXEC, 0x400100);
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x2000, 0x2000);
	add_phdr(&elf, PT_LOAD, PF_R, 0x1000, 0x401000, 0x10, 0x10);
	EXPECT_REJECTED(&elf);
	start_file(&elf, ET_EXEC, 0x402100);
	add_phdr(&elf, PT_LOAD, PF_R | PF_W, 0, 0x400000, 0x10, 0x2001);
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0x2000, 0x402000, 0x800, 0x800);
	EXPECT_REJECTED(&elf);
}

static void test_load_segment_limits(void **state)
{
	(void)state;
	/* ELF_MAX_LOAD_SEGMENTS pass, one more does not. */
	start_file(&elf, ET_EXEC, 0x400000);
	elf.size = 0x1000;
	for (int i = 0; i < ELF_MAX_LOAD_SEGMENTS; i++)
		add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0,
			 0x400000 + (uint64_t)i * 0x1000, 0x100, 0x100);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.nsegments, ELF_MAX_LOAD_SEGMENTS);
	add_phdr(&elf, PT_LOAD, PF_R, 0, 0x500000, 0x100, 0x100);
	EXPECT_REJECTED(&elf);

	/* 64 program headers pass, 65 do not. */
	build_valid(&elf);
	while (elf.header.e_phnum < ELF_MAX_PHNUM)
		add_phdr(&elf, PT_NOTE, PF_R, 0, 0, 0, 0);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	add_phdr(&elf, PT_NOTE, PF_R, 0, 0, 0, 0);
	EXPECT_REJECTED(&elf);
}

static void test_user_limit(void **state)
{
	(void)state;
	/* A segment ending exactly at the limit is fine; one byte more not. */
	start_file(&elf, ET_EXEC, 0x7fffffffe000);
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0, 0x7fffffffe000, 0x1000, 0x1000);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(image.highest_vaddr, USER_LIMIT);
	elf.phdrs[0].p_memsz = 0x1001;
	EXPECT_REJECTED(&elf);
	/* The limit is the caller's: a smaller one rejects it too. */
	elf.phdrs[0].p_memsz = 0x1000;
	assert_int_equal(parse(&elf, 0x7fffffffefff, &image), -ENOEXEC);

	/* Kernel addresses, and sizes that wrap around 2^64. */
	build_valid(&elf);
	elf.phdrs[2].p_vaddr = 0xffffffff80000fd0;
	EXPECT_REJECTED(&elf);
	build_valid(&elf);
	elf.phdrs[2].p_memsz = UINT64_MAX - 0x403fd0 + 2;   /* wraps to 1 */
	EXPECT_REJECTED(&elf);
	elf.phdrs[2].p_memsz = UINT64_MAX;
	EXPECT_REJECTED(&elf);

	/* With no limit at all, rounding the end up must not wrap. */
	start_file(&elf, ET_EXEC, 0xffffffffffffe000);
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0, 0xffffffffffffe000, 0x100,
		 0x1000);
	assert_int_equal(parse(&elf, UINT64_MAX, &image), 0);
	assert_int_equal(image.highest_vaddr, 0xfffffffffffff000);
	elf.phdrs[0].p_memsz = 0x1001;
	assert_int_equal(parse(&elf, UINT64_MAX, &image), -ENOEXEC);
}

static void test_segment_file_range_bad(void **state)
{
	(void)state;
	/* filesz > memsz */
	build_valid(&elf);
	elf.phdrs[2].p_filesz = elf.phdrs[2].p_memsz + 1;
	EXPECT_REJECTED(&elf);
	build_valid(&elf);
	add_phdr(&elf, PT_LOAD, PF_R, 0, 0x500000, 1, 0);
	EXPECT_REJECTED(&elf);

	/* File bytes past the end of the file: by one, and wrapping. */
	build_valid(&elf);
	elf.phdrs[2].p_filesz = 0x31;
	EXPECT_REJECTED(&elf);
	build_valid(&elf);
	elf.size = 0x2fd0 + 0x30 - 1;
	EXPECT_REJECTED(&elf);
	elf.size = 0x2fd0 + 0x30;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	build_valid(&elf);
	elf.phdrs[2].p_offset = (UINT64_MAX & ~0xfffULL) | 0xfd0;
	EXPECT_REJECTED(&elf);
	build_valid(&elf);
	elf.phdrs[2].p_offset = 0x3fd0;         /* a page past the end */
	EXPECT_REJECTED(&elf);
	/* A .bss-only segment (filesz 0) is fine, but its empty file range
	 * must still start inside the file, as linkers write it. */
	build_valid(&elf);
	elf.phdrs[2].p_filesz = 0;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	elf.phdrs[2].p_offset = 0x10fd0;
	EXPECT_REJECTED(&elf);
}

static void test_page_offset_mismatch(void **state)
{
	(void)state;
	build_valid(&elf);
	elf.phdrs[2].p_vaddr = 0x403fd8;
	EXPECT_REJECTED(&elf);
	build_valid(&elf);
	elf.phdrs[1].p_offset = 0x1001;
	EXPECT_REJECTED(&elf);
	/* Equal page offsets at different page numbers are fine. */
	build_valid(&elf);
	elf.phdrs[2].p_vaddr = 0x407fd0;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
}

static void test_entry_bad(void **state)
{
	(void)state;
	static const uint64_t good[] = { 0x401000, 0x4017ff };
	static const uint64_t bad[] = {
		0, 0x400000, 0x400fff, 0x401800, 0x403fd0, 0x404000,
		0xffffffff80000000,
	};

	build_valid(&elf);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		elf.header.e_entry = good[i];
		assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		elf.header.e_entry = bad[i];
		EXPECT_REJECTED(&elf);
	}
	/* Inside .bss of an executable segment: not in the file, but mapped. */
	build_valid(&elf);
	elf.phdrs[1].p_memsz = 0x1000;
	elf.header.e_entry = 0x401900;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	/* In a segment that is not executable. */
	elf.phdrs[1].p_flags = PF_R;
	EXPECT_REJECTED(&elf);
}

static void test_pt_interp_bad(void **state)
{
	(void)state;
	build_valid(&elf);
	add_phdr(&elf, PT_INTERP, PF_R, 0x1c8, 0x4001c8, 0x19, 0x19);
	EXPECT_REJECTED(&elf);
	/* Static-pie or not, a dynamic linker request is refused. */
	build_valid(&elf);
	elf.header.e_type = ET_DYN;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	add_phdr(&elf, PT_INTERP, PF_R, 0x1c8, 0x4001c8, 0x19, 0x19);
	EXPECT_REJECTED(&elf);
}

static void test_no_load_segment(void **state)
{
	(void)state;
	start_file(&elf, ET_EXEC, 0x401000);
	add_phdr(&elf, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	EXPECT_REJECTED(&elf);
	add_phdr(&elf, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0, 0);
	EXPECT_REJECTED(&elf);
}

static void test_header_bad(void **state)
{
	(void)state;
	static const struct {
		size_t offset;
		uint8_t value;
	} ident[] = {
		{ 0, 0x7e }, { 1, 'e' }, { 2, 'l' }, { 3, 'f' },
		{ EI_CLASS, 1 }, { EI_CLASS, 0 }, { EI_CLASS, 3 },
		{ EI_DATA, 2 }, { EI_DATA, 0 },
		{ EI_VERSION, 0 }, { EI_VERSION, 2 },
	};

	for (size_t i = 0; i < sizeof(ident) / sizeof(ident[0]); i++) {
		build_valid(&elf);
		elf.header.e_ident[ident[i].offset] = ident[i].value;
		EXPECT_REJECTED(&elf);
	}

	static const uint16_t types[] = { 0, 1, 4, 0xfe00, 0xffff };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		build_valid(&elf);
		elf.header.e_type = types[i];
		EXPECT_REJECTED(&elf);
	}

	static const uint16_t machines[] = { 0, 3, 40, 183, 243, 0x3e00 };

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		build_valid(&elf);
		elf.header.e_machine = machines[i];
		EXPECT_REJECTED(&elf);
	}

	build_valid(&elf);
	elf.header.e_version = 0;
	EXPECT_REJECTED(&elf);
	elf.header.e_version = 2;
	EXPECT_REJECTED(&elf);

	/* OS/ABI, flags and section headers are not looked at. */
	build_valid(&elf);
	elf.header.e_ident[7] = 3;
	elf.header.e_flags = 0x1234;
	elf.header.e_shoff = UINT64_MAX;
	elf.header.e_shnum = 0xffff;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
}

static void test_program_header_table_bad(void **state)
{
	(void)state;
	static const uint16_t entsizes[] = { 0, 32, 55, 57, 64 };

	for (size_t i = 0; i < sizeof(entsizes) / sizeof(entsizes[0]); i++) {
		build_valid(&elf);
		elf.header.e_phentsize = entsizes[i];
		EXPECT_REJECTED(&elf);
	}

	build_valid(&elf);
	elf.header.e_phnum = 0;
	EXPECT_REJECTED(&elf);
	elf.header.e_phnum = 0xffff;           /* PN_XNUM */
	EXPECT_REJECTED(&elf);

	/* The table must end inside the file. */
	build_valid(&elf);
	elf.header.e_phoff = elf.size - 5 * 56;
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	elf.header.e_phoff = elf.size - 5 * 56 + 1;
	EXPECT_REJECTED(&elf);
	elf.size = 64 + 5 * 56 - 1;
	elf.header.e_phoff = 64;
	EXPECT_REJECTED(&elf);

	static const uint64_t offsets[] = {
		0x3000, 0x10000, UINT64_MAX, UINT64_MAX - 55,
		UINT64_MAX - 5 * 56 + 1, 1ULL << 63,
	};

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		build_valid(&elf);
		elf.header.e_phoff = offsets[i];
		EXPECT_REJECTED(&elf);
	}
}

static void test_too_small(void **state)
{
	(void)state;
	build_valid(&elf);
	for (size_t size = 0; size < 64 + 5 * 56; size++) {
		elf.size = size;
		EXPECT_REJECTED(&elf);
	}
}

static void test_arguments_and_zeroed_output(void **state)
{
	(void)state;
	build_valid(&elf);
	assert_int_equal(parse(&elf, USER_LIMIT, &image), 0);
	assert_int_equal(elf_parse(NULL, 0x3000, USER_LIMIT, &image), -EINVAL);
	assert_int_equal(image.nsegments, 0);
	assert_int_equal(elf_parse(&elf, 0x3000, USER_LIMIT, NULL), -EINVAL);

	/* A late failure (rule 9) must not leave earlier results behind. */
	static const struct elf_image zero;

	elf.header.e_entry = 0x400000;
	memset(&image, 0xa5, sizeof(image));
	EXPECT_REJECTED(&elf);
	assert_memory_equal(&image, &zero, sizeof(image));
}

/*
 * Corrupting any byte of the headers gives 0 or -ENOEXEC, and a file
 * that is accepted always keeps the promises of struct elf_image.
 */
static void test_fuzz_headers(void **state)
{
	(void)state;
	static const uint8_t values[] = { 0x00, 0x01, 0x10, 0x7f, 0x80, 0xff };
	size_t size = MUSL_STATIC_FILE_SIZE;
	uint8_t *file = calloc(1, size);

	assert_non_null(file);
	for (size_t position = 0; position < sizeof(musl_static_headers);
	     position++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			memcpy(file, musl_static_headers,
			       sizeof(musl_static_headers));
			file[position] = values[v];
			int result = elf_parse(file, size, USER_LIMIT, &image);

			assert_true(result == 0 || result == -ENOEXEC);
			if (result != 0)
				continue;
			assert_true(image.nsegments >= 1 &&
				    image.nsegments <= ELF_MAX_LOAD_SEGMENTS);
			assert_true(image.highest_vaddr <= USER_LIMIT);
			for (size_t i = 0; i < image.nsegments; i++) {
				const struct elf_load_segment *segment =
					&image.segments[i];

				assert_true(segment->filesz <= segment->memsz);
				assert_true(segment->file_offset +
					    segment->filesz <= size);
				assert_true(segment->vaddr >=
					    image.lowest_vaddr);
				assert_true(segment->vaddr + segment->memsz <=
					    image.highest_vaddr);
			}
		}
	}
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_static_exec),
		cmocka_unit_test(test_real_musl_static_binary),
		cmocka_unit_test(test_static_pie),
		cmocka_unit_test(test_own_executable_is_dynamic),
		cmocka_unit_test(test_pt_phdr_wins),
		cmocka_unit_test(test_phdr_not_loaded),
		cmocka_unit_test(test_gnu_stack),
		cmocka_unit_test(test_memsz_zero_skipped),
		cmocka_unit_test(test_shared_pages_allowed),
		cmocka_unit_test(test_overlap_bad),
		cmocka_unit_test(test_load_segment_limits),
		cmocka_unit_test(test_user_limit),
		cmocka_unit_test(test_segment_file_range_bad),
		cmocka_unit_test(test_page_offset_mismatch),
		cmocka_unit_test(test_entry_bad),
		cmocka_unit_test(test_pt_interp_bad),
		cmocka_unit_test(test_no_load_segment),
		cmocka_unit_test(test_header_bad),
		cmocka_unit_test(test_program_header_table_bad),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_arguments_and_zeroed_output),
		cmocka_unit_test(test_fuzz_headers),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
