/* SPDX-License-Identifier: MIT */
/* Thin wrappers around x86-64 instructions and registers. */
#ifndef TERN_ASM_PROCESSOR_H
#define TERN_ASM_PROCESSOR_H

#include <stdint.h>

#define X86_CR0_PE   (1ul << 0)
#define X86_CR0_TS   (1ul << 3)
#define X86_CR0_WP   (1ul << 16)
#define X86_CR0_PG   (1ul << 31)
#define X86_CR4_PAE  (1ul << 5)
#define X86_CR4_PGE  (1ul << 7)
#define X86_CR4_OSFXSR (1ul << 9)
#define X86_CR4_OSXMMEXCPT (1ul << 10)
#define X86_CR4_FSGSBASE (1ul << 16)
#define X86_CR4_SMEP (1ul << 20)
#define X86_CR4_SMAP (1ul << 21)

#define X86_EFLAGS_IF (1ul << 9)

#define MSR_EFER            0xc0000080
#define MSR_STAR            0xc0000081
#define MSR_LSTAR           0xc0000082
#define MSR_CSTAR           0xc0000083
#define MSR_FMASK           0xc0000084
#define MSR_FS_BASE         0xc0000100
#define MSR_GS_BASE         0xc0000101
#define MSR_SHADOW_GS_BASE  0xc0000102
#define MSR_APIC_BASE       0x0000001b
#define MSR_TSC_DEADLINE    0x000006e0

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ __volatile__("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)v),
                         "d"((uint32_t)(v >> 32)));
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
                               uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                         : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
                         uint32_t *c, uint32_t *d)
{
    cpuid_count(leaf, 0, a, b, c, d);
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR(n) \
static inline unsigned long read_cr##n(void) \
{ \
    unsigned long v; \
    __asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v)); \
    return v; \
} \
static inline void write_cr##n(unsigned long v) \
{ \
    __asm__ __volatile__("mov %0, %%cr" #n :: "r"(v) : "memory"); \
}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void cpu_relax(void)
{
    __asm__ __volatile__("pause" ::: "memory");
}

static inline void local_irq_disable(void)
{
    __asm__ __volatile__("cli" ::: "memory");
}

static inline void local_irq_enable(void)
{
    __asm__ __volatile__("sti" ::: "memory");
}

static inline unsigned long local_save_flags(void)
{
    unsigned long f;
    __asm__ __volatile__("pushf; pop %0" : "=r"(f) :: "memory");
    return f;
}

static inline unsigned long local_irq_save(void)
{
    unsigned long f = local_save_flags();
    local_irq_disable();
    return f;
}

static inline void local_irq_restore(unsigned long f)
{
    __asm__ __volatile__("push %0; popf" :: "r"(f) : "memory", "cc");
}

static inline int local_irq_is_enabled(void)
{
    return !!(local_save_flags() & X86_EFLAGS_IF);
}

/* Wait for an interrupt with interrupts enabled (atomic sti; hlt). */
static inline void safe_halt(void)
{
    __asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline void halt(void)
{
    __asm__ __volatile__("hlt" ::: "memory");
}

static inline void invlpg(unsigned long va)
{
    __asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
}

#endif /* TERN_ASM_PROCESSOR_H */
