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

/*
 * A test that provokes exceptions on purpose sets kit_trap_hook. kit_trap()
 * calls it first; when it returns true the exception was expected and the
 * frame (which the hook may edit: rip to skip the instruction, registers)
 * is resumed by HYPERVISOR_iret. When it returns false, or is NULL, the
 * exception is reported and ends the test, as without a hook. An exception
 * inside the hook itself is never given to the hook.
 */
typedef bool (*kit_trap_hook_t)(struct kit_trap_frame *f);
extern kit_trap_hook_t kit_trap_hook;

/* The common entry path, for stubs a test adds for other vectors. */
extern const char kit_trap_common[];

/*
 * An event callback entry point: an upcall reaches kit_trap() (and so the
 * hook) as vector KIT_VECTOR_UPCALL with error code 0; the hook returns
 * true to resume the interrupted code (HYPERVISOR_iret restores its
 * RFLAGS.IF, so events are unmasked again if they were).
 */
#define KIT_VECTOR_UPCALL 256
extern const char kit_upcall_entry[];

void kit_traps_init(void);
/* Point the guest's trap table entry for vector at handler, with gate DPL
 * dpl (set_trap_table); a failure ends the test. */
void kit_set_trap_gate(uint8_t vector, uint8_t dpl, const void *handler);
void kit_trap(struct kit_trap_frame *f);

#endif /* KIT_TRAPS_H */
