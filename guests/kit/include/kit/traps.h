/* SPDX-License-Identifier: MIT */
/* Kit: exception entry, reported as a test error. */
#ifndef KIT_TRAPS_H
#define KIT_TRAPS_H

#include <kit/lib.h>

/*
 * The frame kit_trap() sees: the general registers pushed by the common
 * entry stub, the vector and error code pushed by the per-vector stub (0
 * for vectors without one), then the frame Xen bounced to the guest.
 */
struct kit_trap_frame {
    unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
    unsigned long rbp, rdi, rsi, rdx, rcx, rbx, rax;
    unsigned long vector, error_code;
    unsigned long rip, cs, rflags, rsp, ss;
};

void kit_traps_init(void);
void kit_trap(struct kit_trap_frame *f);

#endif /* KIT_TRAPS_H */
