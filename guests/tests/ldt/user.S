/* SPDX-License-Identifier: MIT */
/*
 * Test guest ldt: the way into guest user mode and back, and the user
 * code that loads LDT selectors. See main.c for the test.
 */
#include <xen/xen.h>
#include "ldt.h"

    .section .text, "ax", @progbits

/*
 * void ldt_user_enter(void (*fn)(void), unsigned long user_sp): save the
 * callee-saved registers and the stack, then HYPERVISOR_iret to fn in
 * user mode with RFLAGS 0x2 (events stay masked). Returns when the user
 * code's SYSCALL reaches ldt_syscall_entry.
 */
    .globl ldt_user_enter
ldt_user_enter:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, ldt_kernel_rsp(%rip)
    pushq $FLAT_USER_SS64                   /* ss */
    pushq %rsi                              /* rsp */
    pushq $2                                /* rflags */
    pushq $FLAT_USER_CS64                   /* cs */
    pushq %rdi                              /* rip */
    pushq $0                                /* flags */
    xorl %eax, %eax
    xorl %ecx, %ecx
    xorl %r11d, %r11d
    jmp kit_hypercall_iret

/*
 * The syscall callback: Xen enters it in kernel mode on the stack_switch
 * stack. The user run is over: back to ldt_user_enter's caller.
 */
    .globl ldt_syscall_entry
ldt_syscall_entry:
    movq ldt_kernel_rsp(%rip), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/*
 * User code: load DS, ES, FS and GS with LDT selectors, read through FS
 * and GS (at ldt_user_off_fs/gs from their bases), store what it saw in
 * ldt_user_seen[], then load a selector beyond the LDT (#GP) and one in
 * an LDT page that cannot be mapped (#PF): the test's hook resumes at the
 * *_resume labels. NUL selectors again, and SYSCALL back to the kernel.
 */
    .globl ldt_user_fn, ldt_user_gp_insn, ldt_user_gp_resume
    .globl ldt_user_pf_insn, ldt_user_pf_resume
ldt_user_fn:
    movl $LDT_SEL(LDT_E_DATA), %eax
    mov %eax, %ds
    movl $LDT_SEL(LDT_E_DPL0), %eax
    mov %eax, %es
    movl $LDT_SEL(LDT_E_DATA), %eax
    mov %eax, %fs
    movl $LDT_SEL(LDT_E_GS), %eax
    mov %eax, %gs
    movw %ds, ldt_user_seen + LDT_SEEN_DS * 8(%rip)
    movw %es, ldt_user_seen + LDT_SEEN_ES * 8(%rip)
    movw %fs, ldt_user_seen + LDT_SEEN_FS * 8(%rip)
    movw %gs, ldt_user_seen + LDT_SEEN_GS * 8(%rip)
    movq ldt_user_off_fs(%rip), %rdx
    movq %fs:(%rdx), %rax
    movq %rax, ldt_user_seen + LDT_SEEN_FS_READ * 8(%rip)
    movq ldt_user_off_gs(%rip), %rdx
    movq %gs:(%rdx), %rax
    movq %rax, ldt_user_seen + LDT_SEEN_GS_READ * 8(%rip)
    movl $LDT_SEL(LDT_ENTS), %eax
ldt_user_gp_insn:
    mov %eax, %ds
ldt_user_gp_resume:
    movl $LDT_SEL(LDT_E_PAGE1), %eax
ldt_user_pf_insn:
    mov %eax, %ds
ldt_user_pf_resume:
    xorl %eax, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    syscall
    ud2

/*
 * unsigned long ldt_iret_to(unsigned long cs, unsigned long ss):
 * HYPERVISOR_iret (by SYSCALL) to ldt_iret_landing with these selectors,
 * the current RSP and RFLAGS 0x2 (events stay masked); returns the %cs
 * found there (the next hypercall returns to the flat selectors).
 */
    .globl ldt_iret_to, ldt_iret_landing
ldt_iret_to:
    movq %rsp, %rax
    subq $80, %rsp
    andq $-16, %rsp
    movq $0, 0(%rsp)                        /* rax */
    movq $0, 8(%rsp)                        /* r11 */
    movq $0, 16(%rsp)                       /* rcx */
    movq $0, 24(%rsp)                       /* flags */
    leaq ldt_iret_landing(%rip), %rcx
    movq %rcx, 32(%rsp)                     /* rip */
    movq %rdi, 40(%rsp)                     /* cs */
    movq $2, 48(%rsp)                       /* rflags */
    movq %rax, 56(%rsp)                     /* rsp */
    movq %rsi, 64(%rsp)                     /* ss */
    movl $__HYPERVISOR_iret, %eax
    syscall
ldt_iret_landing:
    xorl %eax, %eax
    movw %cs, %ax
    ret
