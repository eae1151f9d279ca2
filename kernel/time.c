/* SPDX-License-Identifier: MIT */
/*
 * time.c - clocks.
 *
 * The timer tick (10 ms) is too coarse for clock_gettime, so the
 * monotonic clock counts the CPU's time stamp counter instead. Its rate
 * is unknown, so at boot we measure it: PIT channel 2 is programmed to
 * count down for exactly 10 ms (the PIT's 1.193182 MHz input is a fixed
 * standard), and the TSC ticks seen meanwhile give its frequency.
 *
 * The wall clock (CLOCK_REALTIME) is the CMOS real-time clock read once
 * at boot, plus the monotonic time since. Nobody sets it yet.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/printk.h"
#include "kernel/time.h"

#define PIT_CHANNEL2      0x42
#define PIT_COMMAND       0x43
#define PIT_GATE_PORT     0x61      /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */
#define CALIBRATE_TICKS   11932     /* 10 ms of the 1.193182 MHz PIT clock */

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static uint64_t tsc_hz;
static uint64_t tsc_at_boot;
static uint64_t realtime_at_boot_ns;

static uint64_t time_calibrate_tsc(void)
{
	uint8_t gate = inb(PIT_GATE_PORT);

	outb(PIT_GATE_PORT, (gate & ~0x02) | 0x01);     /* gate on, speaker off */
	outb(PIT_COMMAND, 0xb0);                        /* channel 2, lo/hi byte, mode 0: one countdown */
	outb(PIT_CHANNEL2, CALIBRATE_TICKS & 0xff);
	outb(PIT_CHANNEL2, CALIBRATE_TICKS >> 8);

	uint64_t start = rdtsc();
	while (!(inb(PIT_GATE_PORT) & 0x20))            /* output goes high at zero */
		;
	uint64_t end = rdtsc();
	outb(PIT_GATE_PORT, gate);
	return (end - start) * 100;                     /* ticks in 10 ms -> per second */
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t value, bool bcd)
{
	return bcd ? (value & 0x0f) + (value >> 4) * 10 : value;
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian; H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	unsigned year_of_era = (unsigned)(year - era * 400);
	unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + (int64_t)day_of_era - 719468;
}

static uint64_t time_read_rtc_seconds(void)
{
	while (cmos_read(0x0a) & 0x80)                  /* an update is in progress */
		;
	uint8_t status_b = cmos_read(0x0b);
	bool bcd = !(status_b & 0x04);
	unsigned second = from_bcd(cmos_read(0x00), bcd);
	unsigned minute = from_bcd(cmos_read(0x02), bcd);
	uint8_t raw_hour = cmos_read(0x04);
	unsigned hour = from_bcd(raw_hour & 0x7f, bcd);
	unsigned day = from_bcd(cmos_read(0x07), bcd);
	unsigned month = from_bcd(cmos_read(0x08), bcd);
	unsigned year = from_bcd(cmos_read(0x09), bcd) + 2000;

	if (!(status_b & 0x02) && (raw_hour & 0x80))    /* 12-hour clock, PM */
		hour = (hour % 12) + 12;
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return 0;
	return (uint64_t)days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

void time_init(void)
{
	tsc_hz = time_calibrate_tsc();
	if (tsc_hz == 0)
		tsc_hz = 1000000000;            /* cannot happen on x86_64; keep the division safe */
	tsc_at_boot = rdtsc();
	realtime_at_boot_ns = time_read_rtc_seconds() * NSEC_PER_SEC;
	pr_info("time: TSC at %lu MHz\n", tsc_hz / 1000000);
}

uint64_t time_monotonic_ns(void)
{
	uint64_t ticks = rdtsc() - tsc_at_boot;
	/* Split so that ticks * 10^9 cannot overflow 64 bits. */
	return (ticks / tsc_hz) * NSEC_PER_SEC + (ticks % tsc_hz) * NSEC_PER_SEC / tsc_hz;
}

uint64_t time_realtime_ns(void)
{
	return realtime_at_boot_ns + time_monotonic_ns();
}
