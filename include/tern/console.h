/* SPDX-License-Identifier: MIT */
/* The hypervisor console: printk, log levels, panic (core/printk.c). */
#ifndef TERN_CONSOLE_H
#define TERN_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <tern/lib.h>

/*
 * A message may start with a level prefix; messages above the console's
 * level (loglvl= on the command line) are dropped. Without a prefix a
 * message is TLOG_INFO.
 */
#define TLOG_ERR     "<1>"
#define TLOG_WARNING "<2>"
#define TLOG_INFO    "<3>"
#define TLOG_DEBUG   "<4>"

#define LOG_LEVEL_ERR     1
#define LOG_LEVEL_WARNING 2
#define LOG_LEVEL_INFO    3
#define LOG_LEVEL_DEBUG   4

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);
void __noreturn panic(const char *fmt, ...) __printf(1, 2);
/* Set the level from "err", "warning", "info", "debug"/"all" or 1..4. */
int console_set_level(const char *val);
/* Write raw bytes to every console device (no prefix, no level). */
void console_write(const char *s, size_t n);
/* Take the console lock whatever its state: for crash reports. */
void console_force_unlock(void);

/* Serial port (arch/x86_64/serial.c). */
void serial_init(void);
void serial_putc(char c);
/* Returns the next received byte, or -1 when none is waiting. */
int serial_getc(void);
/* console=com1|com2|none: picks the port; returns 0 or -EINVAL. */
int serial_set_port(const char *val);

#ifdef DEBUG
#define ASSERT(c) do { \
    if ( unlikely(!(c)) ) \
        panic("Assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__); \
} while ( 0 )
#else
#define ASSERT(c) do { (void)sizeof(c); } while ( 0 )
#endif

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)

#endif /* TERN_CONSOLE_H */
