/* SPDX-License-Identifier: MIT */
/* Per-CPU information at the top of each CPU's stack block. */
#ifndef TERN_ASM_CURRENT_H
#define TERN_ASM_CURRENT_H

#include <asm/config.h>
#include <stdint.h>

/*
 * Each CPU runs on a STACK_SIZE block, naturally aligned: the IST stacks
 * in its first pages, the primary stack in the rest, and struct cpu_info at
 * the very top. Any code on any of these stacks finds its CPU by rounding
 * RSP, so no segment base (and no SWAPGS) is needed to reach per-CPU data.
 */
struct cpu_info {
    uint32_t cpu;              /* logical CPU number, 0 = the boot CPU */
    uint32_t apic_id;
    void *percpu;              /* this CPU's struct percpu (tern/smp.h) */
    uint64_t _reserved[6];
};

static inline struct cpu_info *get_cpu_info(void)
{
    unsigned long sp;
    __asm__ ("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 -
                               sizeof(struct cpu_info));
}

static inline unsigned int smp_processor_id(void)
{
    return get_cpu_info()->cpu;
}

#endif /* TERN_ASM_CURRENT_H */
