/* SPDX-License-Identifier: MIT */
/* Compiler attributes and helpers, included into every hypervisor file. */
#ifndef TERN_COMPILER_H
#define TERN_COMPILER_H

#ifndef __ASSEMBLY__
/* All hypervisor symbols are local to the one image: RIP-relative access. */
#pragma GCC visibility push(hidden)

#define __packed        __attribute__((packed))
#define __aligned(n)    __attribute__((aligned(n)))
#define __section(s)    __attribute__((section(s)))
#define __noreturn      __attribute__((noreturn))
#define __must_check    __attribute__((warn_unused_result))
#define __printf(a, b)  __attribute__((format(printf, a, b)))
#define __used          __attribute__((used))
#define __unused        __attribute__((unused))
#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)
#define barrier()       __asm__ __volatile__("" ::: "memory")
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define container_of(p, type, member) \
    ((type *)((char *)(p) - __builtin_offsetof(type, member)))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define ACCESS_ONCE(x)  (*(volatile __typeof__(x) *)&(x))
#endif

#endif /* TERN_COMPILER_H */
