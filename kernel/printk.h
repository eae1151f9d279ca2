/* SPDX-License-Identifier: MIT */
/*
 * printk.h - kernel messages on the console.
 *
 * printk() always prints. The pr_*() helpers print only when their level
 * is at or below the `loglevel=` of the kernel command line (default 6,
 * info), with Linux's numbering: 3 error, 4 warning, 6 info, 7 debug.
 */
#ifndef LOUPE_PRINTK_H
#define LOUPE_PRINTK_H

#include <stdarg.h>
#include <stdbool.h>

#define LOGLEVEL_ERR     3
#define LOGLEVEL_WARN    4
#define LOGLEVEL_INFO    6
#define LOGLEVEL_DEBUG   7
#define LOGLEVEL_DEFAULT LOGLEVEL_INFO

extern int printk_loglevel;

__attribute__((format(printf, 1, 2))) void printk(const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void printk_level(int level, const char *fmt, ...);
void vprintk(const char *fmt, va_list ap);

/*
 * For messages a user program can cause at will (a fault log line per
 * killed process): true at most PRINTK_BURST times per second; the
 * next allowed message first says how many were suppressed.
 */
#define PRINTK_BURST 10
bool printk_ratelimit(void);

#define pr_err(...)   printk_level(LOGLEVEL_ERR, __VA_ARGS__)
#define pr_warn(...)  printk_level(LOGLEVEL_WARN, __VA_ARGS__)
#define pr_info(...)  printk_level(LOGLEVEL_INFO, __VA_ARGS__)
#define pr_debug(...) printk_level(LOGLEVEL_DEBUG, __VA_ARGS__)

#endif
