/* SPDX-License-Identifier: MIT */
/* SYSCALL from a PV guest: onto Tern's stack, into the common frame. */
/*
 * While a guest runs, GS_BASE is the guest's and the shadow GS base points
 * at this CPU's struct syscall_area. SYSCALL leaves RSP as the guest's, so
 * SWAPGS finds a scratch slot and the top of the frame (TSS.RSP0), builds
 * the same frame an interrupt from ring 3 would (CS/SS the flat ring-3
 * selectors, RIP from RCX, RFLAGS from R11) with vector VEC_SYSCALL, swaps
 * back and joins common_interrupt. The return is the common IRETQ, so RCX
 * and R11 come back intact. SFMASK clears IF, DF, TF, AC and NT on entry.
 */
#include <asm/config.h>

#define VEC_SYSCALL 0x100

        .text
        .globl  syscall_entry
syscall_entry:
        swapgs
        mov     %rsp, %gs:0
        mov     %gs:8, %rsp
        pushq   $GUEST_DS
        pushq   %gs:0
        pushq   %r11
        pushq   $GUEST_CS64
        pushq   %rcx
        pushq   $0
        pushq   $VEC_SYSCALL
        swapgs
        jmp     common_interrupt
