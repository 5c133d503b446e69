/* SPDX-License-Identifier: MIT */
/* Freestanding string, formatting and parsing helpers (lib/). */
#ifndef TERN_LIB_H
#define TERN_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* lib/string.c: the hypervisor's libc subset (on the host, libc's). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* lib/string-extra.c (also built on the host): bounded copies. */
/* Copy up to size-1 bytes and terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * lib/vsnprintf.c: C99-style formatting (also built on the host under its
 * own names, see below). Supports %d %i %u %x %X %o %c %s %p %% with flags
 * '-', '0', '+', ' ', '#', width and precision (also '*'), length
 * modifiers hh h l ll z t j. Extension: %pS prints a symbolised code
 * address through the weak hook symbol_lookup(). Returns the length the
 * full output would have, as C99 does; always terminates when size > 0.
 */
int tern_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int tern_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#ifdef __TERN__
#define vsnprintf tern_vsnprintf
#define snprintf tern_snprintf
#endif

/*
 * Symbol lookup used by %pS: writes "name+0xoff/0xsize" for addr into buf.
 * Returns false when addr is in no known function. The hypervisor provides
 * it (core/symbols.c); on the host a weak default returns false.
 */
bool symbol_lookup(unsigned long addr, char *buf, size_t size);

/*
 * lib/parse.c: numbers and sizes.
 * parse_ulong: decimal, 0x hex or 0 octal; *end set past the digits.
 * parse_size: a number with an optional K/M/G/T suffix (either case,
 * optional trailing 'B' or 'iB'); default_shift applies when no suffix is
 * given (0 for bytes, 20 for MiB as xl's memory=). Returns 0 on success,
 * -EINVAL on malformed input, -ERANGE on overflow.
 */
unsigned long parse_ulong(const char *s, const char **end);
int parse_size(const char *s, unsigned int default_shift, uint64_t *out);

#endif /* TERN_LIB_H */
