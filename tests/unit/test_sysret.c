/* SPDX-License-Identifier: MIT */
/*
 * test_sysret.c - host unit tests for arch/x86_64/sysret.c.
 *
 * A table of frames: one frame exactly as the syscall entry builds it,
 * which must take the SYSRETQ fast path, then one row per condition in
 * sysret.c's list, each changing only what that condition is about
 * (a row that moves RIP moves RCX with it, so that only the RIP rule is
 * broken), plus the boundary values around the canonical hole. Every
 * row is named after the condition it breaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/sysret.h"
#include "arch/x86_64/trap.h"

#define GOOD_RIP    0x401000ULL
#define GOOD_RFLAGS ((uint64_t)(RFLAGS_FIXED | RFLAGS_IF))

/* Which part of the good frame a row changes. */
enum change {
	KEEP,           /* the good frame as it is */
	FORCED_IRET,    /* frame_forced_iret = true */
	RIP,            /* rip and rcx, so that rcx == rip still holds */
	RCX,            /* rcx alone */
	RFLAGS,         /* rflags and r11, so that r11 == rflags still holds */
	R11,            /* r11 alone */
	CS,
	SS,
	RSP,
};

struct row {
	const char *name;
	enum change change;
	uint64_t value;
	bool sysret_ok;
};

static const struct row rows[] = {
	{ "good_frame_from_syscall_entry", KEEP, 0, true },
	{ "frame_forced_iret", FORCED_IRET, 0, false },

	{ "rcx_differs_from_rip", RCX, GOOD_RIP + 2, false },
	{ "rcx_canonical_but_rip_not", RCX, 0x0000800000000000, false },
	{ "r11_differs_from_rflags", R11, GOOD_RFLAGS | RFLAGS_CF, false },
	{ "r11_has_tf_rflags_not", R11, GOOD_RFLAGS | RFLAGS_TF, false },

	{ "cs_is_kernel_cs", CS, KERNEL_CS, false },
	{ "cs_is_32bit_user_cs", CS, USER32_CS, false },
	{ "cs_user_cs_with_rpl0", CS, USER_CS & ~3ULL, false },
	{ "cs_is_user_ds", CS, USER_DS, false },
	{ "ss_is_kernel_ds", SS, KERNEL_DS, false },
	{ "ss_is_null", SS, 0, false },
	{ "ss_is_user_cs", SS, USER_CS, false },

	{ "rip_last_byte_before_last_page", RIP, 0x00007fffffffefff, true },
	{ "rip_in_last_page_below_hole", RIP, 0x00007ffffffff000, false },
	{ "rip_last_canonical_lower_byte", RIP, 0x00007fffffffffff, false },
	{ "rip_first_noncanonical", RIP, 0x0000800000000000, false },
	{ "rip_last_noncanonical", RIP, 0xffff7fffffffffff, false },
	{ "rip_first_canonical_upper", RIP, 0xffff800000000000, false },
	{ "rip_kernel_text", RIP, 0xffffffff80100000, false },
	{ "rip_all_ones", RIP, UINT64_MAX, false },
	{ "rip_zero", RIP, 0, true },

	{ "rflags_tf_set", RFLAGS, GOOD_RFLAGS | RFLAGS_TF, false },
	{ "rflags_rf_set", RFLAGS, GOOD_RFLAGS | RFLAGS_RF, false },
	{ "rflags_if_clear", RFLAGS, RFLAGS_FIXED, false },
	{ "rflags_iopl_1", RFLAGS, GOOD_RFLAGS | (1ULL << 12), false },
	{ "rflags_iopl_2", RFLAGS, GOOD_RFLAGS | (2ULL << 12), false },
	{ "rflags_iopl_3", RFLAGS, GOOD_RFLAGS | RFLAGS_IOPL, false },
	{ "rflags_nt_set", RFLAGS, GOOD_RFLAGS | RFLAGS_NT, false },
	{ "rflags_vm_set", RFLAGS, GOOD_RFLAGS | RFLAGS_VM, false },
	{ "rflags_reserved_bit3", RFLAGS, GOOD_RFLAGS | (1ULL << 3), false },
	{ "rflags_reserved_bit5", RFLAGS, GOOD_RFLAGS | (1ULL << 5), false },
	{ "rflags_reserved_bit15", RFLAGS, GOOD_RFLAGS | (1ULL << 15), false },
	{ "rflags_reserved_bit22", RFLAGS, GOOD_RFLAGS | (1ULL << 22), false },
	{ "rflags_reserved_bit63", RFLAGS, GOOD_RFLAGS | (1ULL << 63), false },

	/* What user code may legitimately have in RFLAGS. */
	{ "rflags_arithmetic_flags", RFLAGS,
	  GOOD_RFLAGS | RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF |
	  RFLAGS_SF | RFLAGS_OF, true },
	{ "rflags_df_ac_id", RFLAGS,
	  GOOD_RFLAGS | RFLAGS_DF | RFLAGS_AC | RFLAGS_ID, true },

	/* RSP is the user's business: SYSRET does not use it. */
	{ "rsp_noncanonical_not_checked", RSP, 0x0000800000000000, true },
};

/* The frame syscall.asm builds for `syscall` at 0x400ffe. */
static struct trap_frame good_frame(void)
{
	return (struct trap_frame){
		.rip = GOOD_RIP, .rcx = GOOD_RIP,
		.rflags = GOOD_RFLAGS, .r11 = GOOD_RFLAGS,
		.cs = USER_CS, .ss = USER_DS,
		.rsp = 0x7fffffffe000, .rax = 0, .orig_rax = 39,
	};
}

/* Apply row's change to a good frame; returns frame_forced_iret. */
static bool apply(const struct row *row, struct trap_frame *frame)
{
	*frame = good_frame();
	switch (row->change) {
	case KEEP:
		break;
	case FORCED_IRET:
		return true;
	case RIP:
		frame->rip = frame->rcx = row->value;
		break;
	case RCX:
		frame->rcx = row->value;
		break;
	case RFLAGS:
		frame->rflags = frame->r11 = row->value;
		break;
	case R11:
		frame->r11 = row->value;
		break;
	case CS:
		frame->cs = row->value;
		break;
	case SS:
		frame->ss = row->value;
		break;
	case RSP:
		frame->rsp = row->value;
		break;
	}
	return false;
}

static void test_frame_table(void **state)
{
	(void)state;
	int failures = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct trap_frame frame;
		bool forced = apply(&rows[i], &frame);
		bool got = sysret_is_safe(&frame, forced);

		if (got != rows[i].sysret_ok) {
			print_error("%s: sysret_is_safe() = %d, expected %d\n",
				    rows[i].name, got, rows[i].sysret_ok);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* Each rule alone forces IRETQ, whatever the others say. */
static void test_forced_iret_wins(void **state)
{
	(void)state;
	struct trap_frame frame = good_frame();

	assert_true(sysret_is_safe(&frame, false));
	assert_false(sysret_is_safe(&frame, true));
}

/* A tracer moving RIP without RCX (or the reverse) loses the fast path. */
static void test_tracer_style_rewrites(void **state)
{
	(void)state;
	struct trap_frame frame = good_frame();

	frame.rip += 1;
	assert_false(sysret_is_safe(&frame, false));
	frame = good_frame();
	frame.rflags |= RFLAGS_TF;              /* PTRACE_SINGLESTEP */
	assert_false(sysret_is_safe(&frame, false));
	frame.r11 = frame.rflags;
	assert_false(sysret_is_safe(&frame, false));
}

static void test_limit_constant(void **state)
{
	(void)state;
	/* One page below the start of the canonical hole. */
	assert_int_equal(SYSRET_RIP_LIMIT, (1ULL << 47) - 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_table),
		cmocka_unit_test(test_forced_iret_wins),
		cmocka_unit_test(test_tracer_style_rewrites),
		cmocka_unit_test(test_limit_constant),
	};

	return cmocka_run_group_tests_name("sysret", tests, NULL, NULL);
}
