/* SPDX-License-Identifier: MIT */
/*
 * Test guest user-mode: the way into guest user mode and back, the syscall
 * callback, and the code that runs in user mode. See main.c for the test.
 */
#include <xen/xen.h>
#include <kit/frame-asm.h>
#include "user-mode.h"

    .section .text, "ax", @progbits

/*
 * void um_enter(void (*fn)(void), unsigned long user_sp)
 * Save the kernel's callee-saved registers and stack, then HYPERVISOR_iret
 * to fn in user mode (CS FLAT_USER_CS64, RPL 3) on user_sp. Returns (0)
 * when the user code's UM_NR_EXIT syscall reaches um_exit_to_kernel().
 */
    .globl um_enter
um_enter:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, um_kernel_rsp(%rip)
    pushq $FLAT_USER_SS64                   /* ss */
    pushq %rsi                              /* rsp */
    pushq $UM_USER_RFLAGS                   /* rflags */
    pushq $FLAT_USER_CS64                   /* cs */
    pushq %rdi                              /* rip */
    pushq $0                                /* flags */
    xorl %eax, %eax
    xorl %ecx, %ecx
    xorl %r11d, %r11d
    jmp kit_hypercall_iret

/* void um_exit_to_kernel(void): back to um_enter's caller (kernel mode). */
    .globl um_exit_to_kernel
um_exit_to_kernel:
    movq um_kernel_rsp(%rip), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    xorl %eax, %eax
    ret

/*
 * The syscall callback. Xen enters it in kernel mode, on the stack_switch
 * stack, with RCX, R11, RIP, CS, RFLAGS, RSP, SS. Save the frame as a
 * struct kit_trap_frame (vector UM_VECTOR_SYSCALL) and call
 * um_syscall(frame), which may edit it and leaves the HYPERVISOR_iret
 * flags in its error_code slot, then return through HYPERVISOR_iret.
 */
    .globl um_syscall_entry
um_syscall_entry:
    movq %rsp, um_sys_entry_rsp(%rip)
    cld                                     /* C code wants DF clear */
    popq %rcx
    popq %r11
    pushq $0
    pushq $UM_VECTOR_SYSCALL
    KIT_CALL_WITH_FRAME um_syscall
    addq $8, %rsp                           /* vector; error_code = flags */
    jmp kit_hypercall_iret

/* Trap-table stubs for the software interrupts 0x80 and 0x81. */
    .globl um_stub_0x80, um_stub_0x81
um_stub_0x80:
    popq %rcx
    popq %r11
    pushq $0
    pushq $0x80
    jmp kit_trap_common
um_stub_0x81:
    popq %rcx
    popq %r11
    pushq $0
    pushq $0x81
    jmp kit_trap_common

/* ---------------------------------------------------------------------
 * User-mode code. It runs from the kit image (Xen gives every entry of a
 * 64-bit PV guest _PAGE_USER) on um_user_stack; it keeps its results in
 * the kit's data, which the user page tables map as the kernel's do.
 */

/* Load the registers the user code does not otherwise use with UM_MAGIC. */
.macro load_magic
    movabsq $UM_MAGIC(UMR_RBX), %rbx
    movabsq $UM_MAGIC(UMR_RDX), %rdx
    movabsq $UM_MAGIC(UMR_RSI), %rsi
    movabsq $UM_MAGIC(UMR_RDI), %rdi
    movabsq $UM_MAGIC(UMR_RBP), %rbp
    movabsq $UM_MAGIC(UMR_R8), %r8
    movabsq $UM_MAGIC(UMR_R9), %r9
    movabsq $UM_MAGIC(UMR_R10), %r10
    movabsq $UM_MAGIC(UMR_R12), %r12
    movabsq $UM_MAGIC(UMR_R13), %r13
    movabsq $UM_MAGIC(UMR_R14), %r14
    movabsq $UM_MAGIC(UMR_R15), %r15
.endm

/* Store every register (and RFLAGS, first: nothing below changes it). */
.macro store_regs dst
    pushfq
    popq \dst + UMR_RFLAGS * 8(%rip)
    movq %rax, \dst + UMR_RAX * 8(%rip)
    movq %rbx, \dst + UMR_RBX * 8(%rip)
    movq %rcx, \dst + UMR_RCX * 8(%rip)
    movq %rdx, \dst + UMR_RDX * 8(%rip)
    movq %rsi, \dst + UMR_RSI * 8(%rip)
    movq %rdi, \dst + UMR_RDI * 8(%rip)
    movq %rbp, \dst + UMR_RBP * 8(%rip)
    movq %rsp, \dst + UMR_RSP * 8(%rip)
    movq %r8, \dst + UMR_R8 * 8(%rip)
    movq %r9, \dst + UMR_R9 * 8(%rip)
    movq %r10, \dst + UMR_R10 * 8(%rip)
    movq %r11, \dst + UMR_R11 * 8(%rip)
    movq %r12, \dst + UMR_R12 * 8(%rip)
    movq %r13, \dst + UMR_R13 * 8(%rip)
    movq %r14, \dst + UMR_R14 * 8(%rip)
    movq %r15, \dst + UMR_R15 * 8(%rip)
.endm

/* End the user run: the callback sends UM_NR_EXIT back to the kernel. */
.macro user_exit
    movl $UM_NR_EXIT, %eax
    syscall
    ud2
.endm

/*
 * Two system calls with the registers loaded: the first (with CF set)
 * returns with VGCF_in_syscall (um_sys_ret1 is the instruction after it),
 * the second (with DF set) with flags 0 (um_sys_ret2). The state before
 * each is in um_before1/2, the state after in um_after1/2.
 */
    .globl um_user_syscalls, um_sys_ret1, um_sys_ret2
um_user_syscalls:
    load_magic
    movq $UM_NR_RET_SYSRET, %rax
    stc                                     /* CF into the user RFLAGS */
    store_regs um_before1
    syscall
um_sys_ret1:
    store_regs um_after1
    load_magic
    movq $UM_NR_RET_IRET, %rax
    std                                     /* DF, which the callback must not see */
    store_regs um_before2
    syscall
um_sys_ret2:
    store_regs um_after2
    user_exit

/*
 * One exception-raising instruction \insn at \name\()_insn after \setup,
 * with RCX and R11 loaded with magic values; the kernel resumes it at
 * \name\()_resume, which records RAX, RCX, R11 and RSP in um_post.
 */
.macro user_case name, setup, insn
    .globl \name, \name\()_insn, \name\()_resume
\name:
    \setup
    movabsq $UM_MAGIC_RCX, %rcx
    movabsq $UM_MAGIC_R11, %r11
\name\()_insn:
    \insn
\name\()_resume:
    store_regs um_post
    user_exit
.endm

    /* Read, write, execute at the address in um_target. */
    user_case um_user_read, "movq um_target(%rip), %rbx", "movq (%rbx), %rax"
    user_case um_user_write, "movq um_target(%rip), %rbx", "movq %rbx, (%rbx)"
    user_case um_user_exec, "movq um_target(%rip), %rbx", "jmp *%rbx"
    /* Software interrupts. */
    user_case um_user_int80, "", "int $0x80"
    user_case um_user_int81, "", "int $0x81"
    user_case um_user_int3, "", "int3"

    .section .note.GNU-stack, "", @progbits
