/* SPDX-License-Identifier: MIT */
/* timer.h - the periodic tick (arch/x86_64/timer.c). */
#ifndef LOUPE_TIMER_H
#define LOUPE_TIMER_H

#include <stdint.h>

#define TIMER_HZ 100

void timer_init(void);
/* Ticks since timer_init; read atomically (one aligned 64-bit load). */
uint64_t timer_ticks(void);
/* Called on every tick, after the count is bumped (the scheduler hooks in here). */
void timer_set_tick_hook(void (*hook)(void));

#endif
