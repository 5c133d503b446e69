/* SPDX-License-Identifier: MIT */
/* The AP trampoline: real mode at TRAMPOLINE_PHYS to Tern's 64-bit C entry. */
/*
 * smp.c copies trampoline_start..trampoline_end to TRAMPOLINE_PHYS (below
 * 1 MiB, page-aligned) and fills trampoline_params there before each
 * STARTUP IPI, whose vector is TRAMPOLINE_PHYS >> 12. The AP starts in
 * real mode at CS = TRAMPOLINE_PHYS >> 4, IP = 0, and:
 *
 *   16-bit: sets callin (the BSP stops resending SIPIs), loads the GDT
 *           below, enables caches and protection;
 *   32-bit: PAE, CR3 = the idle page tables (identity-map the first 4 GiB,
 *           so this page stays mapped), EFER |= params.efer (LME, SCE,
 *           NXE as on the BSP), paging;
 *   64-bit: RSP = params.stack (the struct cpu_info at the top of its
 *           stack block), calls params.entry in the high half.
 *
 * The code is assembled for TRAMPOLINE_PHYS: absolute addresses are
 * TP(label); 64-bit code uses RIP-relative addresses, which survive the
 * copy. Keep trampoline_params in step with struct trampoline_params in
 * smp.c.
 */
#include <asm/config.h>

#define TRAMPOLINE_PHYS 0x8000
#define TP(x)           (TRAMPOLINE_PHYS + (x) - trampoline_start)
#define TRAMP_CS32      0x18

#define CR0_PE          0x00000001
#define CR0_NW          0x20000000
#define CR0_CD          0x40000000
#define CR0_WP          0x00010000
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080

        .section .rodata.trampoline, "a"
        .globl  trampoline_phys
        .balign 4
trampoline_phys:
        .long   TRAMPOLINE_PHYS

        .balign 16
        .globl  trampoline_start, trampoline_end, trampoline_params
        .code16
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        movl    $1, tp_callin - trampoline_start
        lgdtl   tp_gdtr - trampoline_start
        mov     %cr0, %eax
        and     $~(CR0_CD | CR0_NW), %eax
        or      $CR0_PE, %eax
        mov     %eax, %cr0
        ljmpl   $TRAMP_CS32, $TP(tramp32)

        .code32
tramp32:
        mov     $BOOT_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %eax, %fs
        mov     %eax, %gs
        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     TP(tp_cr3), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      TP(tp_efer), %eax
        wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_WP | CR0_PE), %eax
        mov     %eax, %cr0
        ljmp    $BOOT_CS, $TP(tramp64)

        .code64
tramp64:
        mov     $BOOT_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        mov     tp_stack(%rip), %rsp
        mov     tp_entry(%rip), %rax
        xor     %ebp, %ebp
        call    *%rax
        ud2

        .balign 8
tp_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* BOOT_CS: 64-bit code */
        .quad   0x00cf92000000ffff      /* BOOT_DS: data */
        .quad   0x00cf9a000000ffff      /* TRAMP_CS32: 32-bit code */
tp_gdt_end:
        .balign 4
tp_gdtr:
        .short  tp_gdt_end - tp_gdt - 1
        .long   TP(tp_gdt)

        .balign 8
trampoline_params:
tp_callin:      .long 0                 /* set by the AP in real mode */
tp_cr3:         .long 0                 /* the idle page tables, < 4 GiB */
tp_efer:        .long 0                 /* bits to set in EFER */
                .long 0
tp_stack:       .quad 0                 /* initial RSP */
tp_entry:       .quad 0                 /* 64-bit C entry */
trampoline_end:
