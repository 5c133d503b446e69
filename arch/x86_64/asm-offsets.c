/* SPDX-License-Identifier: MIT */
/* Structure offsets for assembly, turned into asm-offsets.h by the build. */
#include <stddef.h>
#include <asm/current.h>
#include <asm/regs.h>

#define DEFINE(sym, val) \
    __asm__ __volatile__("\n.ascii \"->" #sym " %0\"" :: "i"(val))

void asm_offsets(void);

/* Never called: the compiler's assembly output is what matters. */
void asm_offsets(void)
{
    DEFINE(CPUINFO_SIZE, sizeof(struct cpu_info));
    DEFINE(REGS_SIZE, sizeof(struct cpu_regs));
    DEFINE(REGS_VECTOR, offsetof(struct cpu_regs, vector));
    DEFINE(REGS_RIP, offsetof(struct cpu_regs, rip));
}
