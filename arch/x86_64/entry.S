/* SPDX-License-Identifier: MIT */
/* Interrupt and exception entry: 256 stubs and the common save/restore path. */
/*
 * Each vector has a 16-byte stub at idt_stubs + vector * 16 that makes the
 * frame uniform (a zero error code where the CPU pushes none), pushes the
 * vector and joins common_interrupt, which saves the general registers as
 * struct cpu_regs (include/asm/regs.h) and calls do_interrupt(regs).
 */
#include <asm/config.h>
#include <asm/asm-offsets.h>

        .text
        .balign 16
        .globl  idt_stubs
idt_stubs:
vec = 0
        .rept   256
        .balign 16
        .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        .else
        pushq   $0
        .endif
        pushq   $vec
        jmp     common_interrupt
vec = vec + 1
        .endr

        .globl  common_interrupt, restore_all
common_interrupt:
        cld
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, %rdi
        call    do_interrupt
restore_all:
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        add     $16, %rsp               /* vector, error code */
        iretq
