/* SPDX-License-Identifier: MIT */
/* Kit: freestanding string and formatting helpers. */
#ifndef KIT_LIB_H
#define KIT_LIB_H

#include <kit/xen.h>

#define KIT_PAGE_SIZE   4096UL
#define KIT_PAGE_SHIFT  12
#define KIT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define kit_barrier()   __asm__ volatile ("" ::: "memory")
/* x86 keeps stores in order and loads in order: a compiler barrier is enough. */
#define kit_wmb()       kit_barrier()
#define kit_rmb()       kit_barrier()
#define kit_mb()        __asm__ volatile ("mfence" ::: "memory")

#define KIT_NORETURN    __attribute__((noreturn))
#define KIT_PRINTF(f, a) __attribute__((format(printf, f, a)))

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

int kit_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kit_snprintf(char *buf, size_t size, const char *fmt, ...) KIT_PRINTF(3, 4);

#endif /* KIT_LIB_H */
