/* SPDX-License-Identifier: MIT */
/* Kit: the register save and restore around a C handler (assembly only). */
#ifndef KIT_FRAME_ASM_H
#define KIT_FRAME_ASM_H

/*
 * With vector and error code already pushed, KIT_CALL_WITH_FRAME pushes the
 * general registers in the order of struct kit_trap_frame (kit/traps.h),
 * calls fn with a pointer to the frame on a 16-byte aligned stack, and
 * pops them again; vector and error code stay on the stack.
 */
.macro KIT_CALL_WITH_FRAME fn
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    call \fn
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm

#endif /* KIT_FRAME_ASM_H */
