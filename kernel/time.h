/* SPDX-License-Identifier: MIT */
/*
 * time.h - the clocks behind clock_gettime (kernel/time.c).
 */
#ifndef LOUPE_TIME_H
#define LOUPE_TIME_H

#include <stdint.h>

#define NSEC_PER_SEC 1000000000UL

/* Calibrate the TSC against the PIT and read the wall clock from the CMOS RTC. */
void time_init(void);

/* Nanoseconds since boot, from the TSC. */
uint64_t time_monotonic_ns(void);

/* Nanoseconds since 1970-01-01 UTC: the RTC at boot plus the monotonic clock. */
uint64_t time_realtime_ns(void);

#endif
