/* SPDX-License-Identifier: MIT */
/*
 * signals.c - signal names, signal sets, sigaction and siginfo, printed
 * as strace prints them.
 *
 * Numbers are the kernel's: 1-31 the classic signals, 32 SIGRTMIN and
 * 33-64 SIGRT_1..SIGRT_32 (musl and glibc reserve the first few for
 * themselves, which is why masks show "RTMIN RT_1 RT_2"). In a set the
 * "SIG" is dropped, and a set with half or more of its bits set prints
 * as the complement: ~[KILL STOP].
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "strace.h"

static const char *const signal_names[32] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM",
	[15] = "SIGTERM", [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",
	[19] = "SIGSTOP", [20] = "SIGTSTP", [21] = "SIGTTIN", [22] = "SIGTTOU",
	[23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ", [26] = "SIGVTALRM",
	[27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS",
};

/* "SIGINT", "SIGRTMIN", "SIGRT_3"; NULL outside 1..64. */
const char *signal_name(int sig)
{
	static char rt[16];

	if (sig > 0 && sig < 32)
		return signal_names[sig];
	if (sig == 32)
		return "SIGRTMIN";
	if (sig > 32 && sig <= 64) {
		snprintf(rt, sizeof(rt), "SIGRT_%d", sig - 32);
		return rt;
	}
	return NULL;
}

void print_signal(int sig)
{
	const char *name = signal_name(sig);
	if (name)
		out_puts(name);
	else
		out_printf("%d", sig);
}

int signal_number_of(const char *name)
{
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (int sig = 1; sig <= 64; sig++)
		if (strcmp(signal_name(sig) + 3, name) == 0)
			return sig;
	char *end;
	long sig = strtol(name, &end, 10);
	return *end == '\0' && sig > 0 && sig <= 64 ? (int)sig : -1;
}

/* A set of nbits signals (bit n-1 is signal n) as [INT TERM] or ~[...]. */
void print_sigset_value(const uint64_t *mask, unsigned nbits)
{
	unsigned count = 0;

	for (unsigned bit = 0; bit < nbits; bit++)
		count += (mask[bit / 64] >> (bit % 64)) & 1;
	bool invert = count * 2 >= nbits && nbits > 0;
	bool first = true;
	out_puts(invert ? "~[" : "[");
	for (unsigned bit = 0; bit < nbits; bit++) {
		bool set = (mask[bit / 64] >> (bit % 64)) & 1;
		if (set == invert)
			continue;
		const char *name = signal_name((int)bit + 1);
		if (name)
			out_printf("%s%s", first ? "" : " ", name + 3);
		else
			out_printf("%s%u", first ? "" : " ", bit + 1);
		first = false;
	}
	out_puts("]");
}

/* A sigset_t of size bytes at addr (the kernel's sigsetsize argument). */
void print_sigset(struct tracee *t, uint64_t addr, uint64_t size)
{
	uint64_t mask[2] = { 0, 0 };

	if (addr == 0) {
		out_puts("NULL");
		return;
	}
	if (size == 0 || size > sizeof(mask) || mem_read(t, addr, mask, size) < 0) {
		print_ptr(addr);
		return;
	}
	print_sigset_value(mask, (unsigned)size * 8);
}

static const struct flag_name sigaction_flags[] = {
	{ 0x04000000, "SA_RESTORER" }, { 0x08000000, "SA_ONSTACK" },
	{ 0x10000000, "SA_RESTART" }, { 0x40000000, "SA_NODEFER" },
	{ 0x80000000, "SA_RESETHAND" }, { 4, "SA_SIGINFO" }, { 1, "SA_NOCLDSTOP" },
	{ 2, "SA_NOCLDWAIT" }, FLAGS_END
};

/* The kernel's struct sigaction: handler, flags, restorer, mask. */
void print_sigaction(struct tracee *t, uint64_t addr)
{
	struct { uint64_t handler, flags, restorer, mask; } sa;

	if (addr == 0 || mem_read(t, addr, &sa, sizeof(sa)) < 0) {
		print_ptr(addr);
		return;
	}
	out_puts("{sa_handler=");
	if (sa.handler == 0)
		out_puts("SIG_DFL");
	else if (sa.handler == 1)
		out_puts("SIG_IGN");
	else
		print_ptr(sa.handler);
	out_puts(", sa_mask=");
	print_sigset_value(&sa.mask, 64);
	out_puts(", sa_flags=");
	print_flags(sigaction_flags, sa.flags, "0");
	if (sa.flags & 0x04000000) {
		out_puts(", sa_restorer=");
		print_ptr(sa.restorer);
	}
	out_puts("}");
}

/* si_code names: the generic ones, then per signal. */
static const struct flag_name generic_codes[] = {
	{ 0, "SI_USER" }, { 0x80, "SI_KERNEL" }, { (uint32_t)-1, "SI_QUEUE" },
	{ (uint32_t)-2, "SI_TIMER" }, { (uint32_t)-3, "SI_MESGQ" },
	{ (uint32_t)-4, "SI_ASYNCIO" }, { (uint32_t)-5, "SI_SIGIO" },
	{ (uint32_t)-6, "SI_TKILL" }, FLAGS_END
};
static const struct flag_name chld_codes[] = {
	{ 1, "CLD_EXITED" }, { 2, "CLD_KILLED" }, { 3, "CLD_DUMPED" },
	{ 4, "CLD_TRAPPED" }, { 5, "CLD_STOPPED" }, { 6, "CLD_CONTINUED" }, FLAGS_END
};
static const struct flag_name segv_codes[] = {
	{ 1, "SEGV_MAPERR" }, { 2, "SEGV_ACCERR" }, { 3, "SEGV_BNDERR" },
	{ 4, "SEGV_PKUERR" }, FLAGS_END
};
static const struct flag_name bus_codes[] = {
	{ 1, "BUS_ADRALN" }, { 2, "BUS_ADRERR" }, { 3, "BUS_OBJERR" }, FLAGS_END
};
static const struct flag_name ill_codes[] = {
	{ 1, "ILL_ILLOPC" }, { 2, "ILL_ILLOPN" }, { 3, "ILL_ILLADR" }, { 4, "ILL_ILLTRP" },
	{ 5, "ILL_PRVOPC" }, { 6, "ILL_PRVREG" }, { 7, "ILL_COPROC" }, { 8, "ILL_BADSTK" },
	FLAGS_END
};
static const struct flag_name fpe_codes[] = {
	{ 1, "FPE_INTDIV" }, { 2, "FPE_INTOVF" }, { 3, "FPE_FLTDIV" }, { 4, "FPE_FLTOVF" },
	{ 5, "FPE_FLTUND" }, { 6, "FPE_FLTRES" }, { 7, "FPE_FLTINV" }, { 8, "FPE_FLTSUB" },
	FLAGS_END
};
static const struct flag_name trap_codes[] = {
	{ 1, "TRAP_BRKPT" }, { 2, "TRAP_TRACE" }, { 3, "TRAP_BRANCH" }, { 4, "TRAP_HWBKPT" },
	FLAGS_END
};

static const struct {
	int sig;
	const struct flag_name *codes;
	bool has_addr;
} fault_signals[] = {
	{ SIGSEGV, segv_codes, true }, { SIGBUS, bus_codes, true },
	{ SIGILL, ill_codes, true }, { SIGFPE, fpe_codes, true },
	{ SIGTRAP, trap_codes, true }, { SIGCHLD, chld_codes, false },
};

/* {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., ...}, from a Linux siginfo_t. */
void print_siginfo(const void *siginfo)
{
	const siginfo_t *si = siginfo;
	const unsigned char *raw = siginfo;
	int pid, status;
	unsigned uid;
	long utime, stime;
	uint64_t addr;

	memcpy(&pid, raw + 16, 4);
	memcpy(&uid, raw + 20, 4);
	memcpy(&status, raw + 24, 4);
	memcpy(&utime, raw + 32, 8);
	memcpy(&stime, raw + 40, 8);
	memcpy(&addr, raw + 16, 8);

	out_puts("{si_signo=");
	print_signal(si->si_signo);
	out_puts(", si_code=");
	const struct flag_name *codes = NULL;
	bool has_addr = false;
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		if (fault_signals[i].sig == si->si_signo) {
			codes = fault_signals[i].codes;
			has_addr = fault_signals[i].has_addr;
		}
	bool kernel_code = si->si_code > 0 && si->si_code != 0x80;
	if (!(kernel_code && codes && print_value(codes, (uint32_t)si->si_code)) &&
	    !print_value(generic_codes, (uint32_t)si->si_code))
		out_printf("%d", si->si_code);

	if (si->si_code <= 0) {                 /* sent by a process: kill, tkill, sigqueue */
		out_printf(", si_pid=%d, si_uid=%u", pid, uid);
		if (si->si_code == -1) {
			uint64_t value;
			memcpy(&value, raw + 24, 8);
			out_printf(", si_int=%d, si_ptr=", (int)value);
			print_ptr(value);
		}
	} else if (si->si_signo == SIGCHLD && kernel_code) {
		out_printf(", si_pid=%d, si_uid=%u, si_status=", pid, uid);
		if (si->si_code == 1)
			out_printf("%d", status);
		else
			print_signal(status);
		out_printf(", si_utime=%ld, si_stime=%ld", utime, stime);
	} else if (has_addr) {
		out_puts(", si_addr=");
		print_ptr(addr);
	}
	out_puts("}");
}
