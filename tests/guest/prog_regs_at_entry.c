/* SPDX-License-Identifier: MIT */
/*
 * prog_regs_at_entry - a program without libc that checks the state the
 * kernel starts it in, as Linux defines it for x86_64:
 *
 *   - every general register zero except RSP; RFLAGS 0x202 (IF and the
 *     always-one bit 1); CS and SS user selectors (RPL 3)
 *   - RSP 16-byte aligned, pointing at argc, argv[], NULL, envp[], NULL,
 *     then the auxiliary vector, with the strings above all of that
 *   - auxv: AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM
 *     (16 bytes), AT_EXECFN, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_NULL,
 *     with values that match this very ELF file
 *   - FPU/SSE in the reset state: MXCSR 0x1f80, x87 control word 0x37f,
 *     xmm0-15 zero; the FS base zero
 *
 * regs_at_entry.S captures the registers before anything else runs. The
 * test that runs this is "initial register state" in test_cpu.c: it
 * execs /tests/prog_regs_at_entry with argv { path, "alpha", "beta gamma" }
 * and envp { "ENTRY_A=1", "ENTRY_B=two" }, sometimes from a process whose
 * own registers are full of garbage. Exit status 0 means every check held;
 * each failed check prints a "# prog_regs_at_entry: ..." line.
 *
 * Build (no libc at all):
 *   musl-gcc -static -nostdlib -ffreestanding -fno-stack-protector -fno-builtin \
 *       -O2 -Wall -Wextra -Werror -o prog_regs_at_entry \
 *       tests/guest/regs_at_entry.S tests/guest/prog_regs_at_entry.c
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>

enum entry_reg {
	R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_RSP,
	R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
	R_RFLAGS, R_CS, R_SS, R_DS, R_ES, R_FS, R_GS, R_COUNT
};

/* Filled by _start in regs_at_entry.S. */
uint64_t entry_regs[R_COUNT];
uint8_t entry_xmm[16 * 16];
uint32_t entry_mxcsr;
uint16_t entry_fcw;
uint16_t entry_fsw;

extern const char __ehdr_start[]; /* placed by the linker */
extern char _start[];

static const char *const reg_names[R_COUNT] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"rflags", "cs", "ss", "ds", "es", "fs", "gs",
};

static const char *const expected_argv[] = { "alpha", "beta gamma" };
static const char *const expected_envp[] = { "ENTRY_A=1", "ENTRY_B=two" };

/* --- no libc: raw system calls and a little formatting ------------------- */

static long raw_syscall3(long number, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(number), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

#define SYS_WRITE 1
#define SYS_EXIT_GROUP 231
#define SYS_ARCH_PRCTL 158
#define SYS_GETUID 102
#define SYS_GETGID 104
#define SYS_GETEUID 107
#define SYS_GETEGID 108
#define ARCH_GET_FS 0x1003

void *memset(void *dst, int c, size_t n);
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n);
void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static char out[512];
static size_t out_len;

static void put(const char *s)
{
	while (*s && out_len < sizeof(out) - 1)
		out[out_len++] = *s++;
}

static void put_hex(uint64_t value)
{
	char digits[19] = "0x";
	for (int i = 0; i < 16; i++)
		digits[2 + i] = "0123456789abcdef"[(value >> (60 - 4 * i)) & 0xf];
	digits[18] = '\0';
	put(digits);
}

static int failures;

/* Prints "# prog_regs_at_entry: what value" and counts a failure. */
static void fail(const char *what, const char *detail, uint64_t value)
{
	out_len = 0;
	put("# prog_regs_at_entry: ");
	put(what);
	if (detail) {
		put(" ");
		put(detail);
	}
	put(" = ");
	put_hex(value);
	put("\n");
	raw_syscall3(SYS_WRITE, 1, (long)out, (long)out_len);
	failures++;
}

/* --- the checks ----------------------------------------------------------- */

static void check_registers(void)
{
	for (int r = R_RAX; r <= R_R15; r++)
		if (r != R_RSP && entry_regs[r] != 0)
			fail("general register not zero:", reg_names[r], entry_regs[r]);
	if (entry_regs[R_RFLAGS] != 0x202)
		fail("rflags is not 0x202:", "rflags", entry_regs[R_RFLAGS]);
	if ((entry_regs[R_RSP] & 15) != 0)
		fail("rsp is not 16-byte aligned:", "rsp", entry_regs[R_RSP]);
	if ((entry_regs[R_CS] & 3) != 3)
		fail("cs is not a ring 3 selector:", "cs", entry_regs[R_CS]);
	if ((entry_regs[R_SS] & 3) != 3)
		fail("ss is not a ring 3 selector:", "ss", entry_regs[R_SS]);
	for (int r = R_DS; r <= R_GS; r++)
		if (entry_regs[r] != 0 && (entry_regs[r] & 3) != 3)
			fail("data selector neither null nor ring 3:", reg_names[r], entry_regs[r]);
	uint64_t fs_base = 1;
	long ret = raw_syscall3(SYS_ARCH_PRCTL, ARCH_GET_FS, (long)&fs_base, 0);
	if (ret != 0 || fs_base != 0)
		fail("FS base is not 0 (or ARCH_GET_FS failed):", "fs base", fs_base);
}

static void check_fpu_state(void)
{
	if (entry_mxcsr != 0x1f80)
		fail("MXCSR is not the reset value 0x1f80:", "mxcsr", entry_mxcsr);
	if (entry_fcw != 0x37f)
		fail("x87 control word is not the reset value 0x37f:", "fcw", entry_fcw);
	if ((entry_fsw & 0x3800) != 0)
		fail("x87 stack top is not 0:", "fsw", entry_fsw);
	for (int i = 0; i < 16; i++) {
		uint64_t lo, hi;
		memcpy(&lo, entry_xmm + 16 * i, 8);
		memcpy(&hi, entry_xmm + 16 * i + 8, 8);
		if (lo || hi) {
			static const char *const names[16] = {
				"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
				"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
			};
			fail("SSE register not zero (low/high):", names[i], lo);
			fail("SSE register not zero (high):", names[i], hi);
		}
	}
}

struct auxv_seen {
	uint64_t value[64];
	uint64_t present; /* bit n: type n appeared */
};

static void check_auxv(const uint64_t *auxv, const char *argv0, const uint64_t *stack_end)
{
	struct auxv_seen seen;
	memset(&seen, 0, sizeof(seen));
	const uint64_t *entry = auxv;
	for (int n = 0; entry[0] != AT_NULL; entry += 2, n++) {
		if (n > 100) {
			fail("auxv has no AT_NULL within 100 entries", NULL, 0);
			return;
		}
		if (entry[0] < 64) {
			seen.present |= 1ULL << entry[0];
			seen.value[entry[0]] = entry[1];
		}
	}
	static const struct { int type; const char *name; } required[] = {
		{ AT_PHDR, "AT_PHDR" }, { AT_PHENT, "AT_PHENT" }, { AT_PHNUM, "AT_PHNUM" },
		{ AT_PAGESZ, "AT_PAGESZ" }, { AT_ENTRY, "AT_ENTRY" }, { AT_UID, "AT_UID" },
		{ AT_EUID, "AT_EUID" }, { AT_GID, "AT_GID" }, { AT_EGID, "AT_EGID" },
		{ AT_RANDOM, "AT_RANDOM" }, { AT_EXECFN, "AT_EXECFN" },
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(seen.present & (1ULL << required[i].type)))
			fail("auxv entry missing:", required[i].name, (uint64_t)required[i].type);

	const Elf64_Ehdr *ehdr = (const Elf64_Ehdr *)__ehdr_start;
	uint64_t *v = seen.value;
	if (v[AT_PAGESZ] != 4096)
		fail("wrong auxv value:", "AT_PAGESZ", v[AT_PAGESZ]);
	if (v[AT_PHENT] != sizeof(Elf64_Phdr))
		fail("wrong auxv value:", "AT_PHENT", v[AT_PHENT]);
	if (v[AT_PHNUM] != ehdr->e_phnum)
		fail("wrong auxv value:", "AT_PHNUM", v[AT_PHNUM]);
	if (v[AT_PHDR] != (uint64_t)__ehdr_start + ehdr->e_phoff)
		fail("wrong auxv value:", "AT_PHDR", v[AT_PHDR]);
	if (v[AT_ENTRY] != (uint64_t)_start)
		fail("wrong auxv value:", "AT_ENTRY", v[AT_ENTRY]);
	if (v[AT_UID] != (uint64_t)raw_syscall3(SYS_GETUID, 0, 0, 0))
		fail("wrong auxv value:", "AT_UID", v[AT_UID]);
	if (v[AT_EUID] != (uint64_t)raw_syscall3(SYS_GETEUID, 0, 0, 0))
		fail("wrong auxv value:", "AT_EUID", v[AT_EUID]);
	if (v[AT_GID] != (uint64_t)raw_syscall3(SYS_GETGID, 0, 0, 0))
		fail("wrong auxv value:", "AT_GID", v[AT_GID]);
	if (v[AT_EGID] != (uint64_t)raw_syscall3(SYS_GETEGID, 0, 0, 0))
		fail("wrong auxv value:", "AT_EGID", v[AT_EGID]);

	/* AT_RANDOM: 16 bytes, not all zero, above the vectors (on the stack). */
	const uint8_t *random = (const uint8_t *)v[AT_RANDOM];
	if (random) {
		uint8_t any = 0;
		for (int i = 0; i < 16; i++)
			any |= random[i];
		if (!any)
			fail("AT_RANDOM bytes are all zero at", NULL, (uint64_t)random);
		if ((const uint64_t *)random < stack_end)
			fail("AT_RANDOM bytes overlap the vectors at", NULL, (uint64_t)random);
	}
	const char *execfn = (const char *)v[AT_EXECFN];
	if (execfn && !str_eq(execfn, argv0))
		fail("AT_EXECFN differs from the path exec'd (argv[0]) at", NULL, (uint64_t)execfn);
}

static void check_stack(const uint64_t *sp)
{
	uint64_t argc = sp[0];
	char **argv = (char **)(sp + 1);
	if (argc != 3) {
		fail("argc is not 3:", "argc", argc);
		return;
	}
	if (argv[argc] != NULL)
		fail("argv[argc] is not NULL:", "argv[argc]", (uint64_t)argv[argc]);
	char **envp = argv + argc + 1;
	int envc = 0;
	while (envp[envc] && envc < 100)
		envc++;
	if (envc != 2)
		fail("envp does not hold 2 strings:", "envc", (uint64_t)envc);
	const uint64_t *auxv = (const uint64_t *)(envp + envc + 1);
	const uint64_t *end = auxv;
	while (end[0] != AT_NULL && end - auxv < 200)
		end += 2;
	end += 2; /* past AT_NULL */

	for (int i = 0; i < 2; i++)
		if (!str_eq(argv[1 + i], expected_argv[i]))
			fail("argv string differs:", expected_argv[i], (uint64_t)argv[1 + i]);
	for (int i = 0; i < envc && i < 2; i++)
		if (!str_eq(envp[i], expected_envp[i]))
			fail("envp string differs:", expected_envp[i], (uint64_t)envp[i]);
	/* The strings sit above the vectors, as Linux lays them out. */
	for (uint64_t i = 0; i < argc; i++)
		if ((const uint64_t *)argv[i] < end)
			fail("an argv string lies below the end of auxv:", "at", (uint64_t)argv[i]);
	for (int i = 0; i < envc; i++)
		if ((const uint64_t *)envp[i] < end)
			fail("an envp string lies below the end of auxv:", "at", (uint64_t)envp[i]);
	if (str_len(argv[0]) == 0)
		fail("argv[0] is empty", NULL, 0);
	check_auxv(auxv, argv[0], end);
}

__attribute__((noreturn)) void check_entry_state(const uint64_t *initial_sp);
__attribute__((noreturn)) void check_entry_state(const uint64_t *initial_sp)
{
	check_registers();
	check_fpu_state();
	check_stack(initial_sp);
	if (failures == 0) {
		static const char ok[] = "# prog_regs_at_entry: the entry state is as Linux gives it\n";
		raw_syscall3(SYS_WRITE, 1, (long)ok, sizeof(ok) - 1);
	}
	raw_syscall3(SYS_EXIT_GROUP, failures ? 1 : 0, 0, 0);
	__builtin_unreachable();
}
