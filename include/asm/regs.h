/* SPDX-License-Identifier: MIT */
/* The register frame that every entry into Tern saves (arch/x86_64/entry.S). */
#ifndef TERN_ASM_REGS_H
#define TERN_ASM_REGS_H

#include <stdint.h>

/* Pushed by entry.S, lowest address first; the hardware frame ends it. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t vector;            /* pushed by the stub */
    uint64_t error_code;        /* by the CPU, or 0 by the stub */
    uint64_t rip, cs, rflags, rsp, ss;
};

/* Did the interrupted context run in ring 3 (a guest)? */
static inline int regs_from_guest(const struct cpu_regs *r)
{
    return (r->cs & 3) != 0;
}

#endif /* TERN_ASM_REGS_H */
