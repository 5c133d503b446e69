/* SPDX-License-Identifier: MIT */
/* Boot entry: multiboot1/2 headers and the 32->64-bit trampoline. */
/*
 * Both loaders enter _start in 32-bit protected mode, paging off, with the
 * loader's magic in EAX and the physical address of its information in EBX.
 * We build the boot page tables (identity map of the first 4 GiB, the same
 * map as the start of the direct map, and Tern's image in its slot of the
 * hypervisor hole), enter long mode, jump to the high half and call C.
 * These page tables stay the idle page tables: C extends the direct map
 * beyond 4 GiB when RAM is there.
 */
#include <asm/config.h>
#include <asm/asm-offsets.h>

#define MB1_MAGIC     0x1BADB002
#define MB1_FLAGS     0x00000003      /* page-aligned modules, memory info */
#define MB2_MAGIC     0xE85250D6
#define MB2_ARCH_I386 0

#define PTE_P   0x001
#define PTE_RW  0x002
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS  0x080
#define PTE_G   0x100

        .section .multiboot, "a"
        .balign 4
mb1_header:
        .long   MB1_MAGIC
        .long   MB1_FLAGS
        .long   -(MB1_MAGIC + MB1_FLAGS)

        .balign 8
mb2_header:
        .long   MB2_MAGIC
        .long   MB2_ARCH_I386
        .long   mb2_header_end - mb2_header
        .long   -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
        /* Tag 6: page-align modules. */
        .balign 8
        .short  6, 0
        .long   8
        /* End tag. */
        .balign 8
        .short  0, 0
        .long   8
mb2_header_end:

        .section .text.boot, "ax"
        .code32
        .globl  _start
_start:
        cli
        cld
        mov     %eax, boot_magic
        mov     %ebx, boot_mb_info
        mov     $boot_stack_top, %esp

        /* Long mode? Otherwise say so on COM1 and stop. */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      .Lno_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     .Lno_long_mode
        xor     %ebp, %ebp
        bt      $20, %edx               /* NX available: remember for EFER */
        jnc     1f
        mov     $1, %ebp
1:
        /* 2048 2 MiB pages: phys 0..4 GiB, the top 32 MiB (MMIO) uncached. */
        mov     $boot_l2, %edi
        xor     %ecx, %ecx
2:      mov     %ecx, %eax
        shl     $21, %eax
        or      $(PTE_P | PTE_RW | PTE_PS), %eax
        cmp     $2032, %ecx
        jb      3f
        or      $(PTE_PCD | PTE_PWT), %eax
3:      mov     %eax, (%edi,%ecx,8)
        mov     %ecx, %eax
        shr     $11, %eax               /* bits 32+ of the address */
        mov     %eax, 4(%edi,%ecx,8)
        inc     %ecx
        cmp     $2048, %ecx
        jb      2b

        /* L3: four L2s; the image's L3 points at the first L2 (phys 0..1G). */
        mov     $boot_l3, %edi
        mov     $boot_l2 + (PTE_P | PTE_RW), %eax
        mov     %eax, 0(%edi)
        add     $4096, %eax
        mov     %eax, 8(%edi)
        add     $4096, %eax
        mov     %eax, 16(%edi)
        add     $4096, %eax
        mov     %eax, 24(%edi)
        movl    $boot_l2 + (PTE_P | PTE_RW), boot_l3_text + TERN_TEXT_L3_SLOT * 8

        /* L4: identity (slot 0), image, direct map. */
        mov     $boot_l3 + (PTE_P | PTE_RW), %eax
        mov     %eax, boot_l4
        mov     %eax, boot_l4 + DIRECTMAP_L4_SLOT * 8
        movl    $boot_l3_text + (PTE_P | PTE_RW), boot_l4 + TERN_TEXT_L4_SLOT * 8

        /* PAE, then long mode (with NX and SYSCALL), then paging. */
        mov     %cr4, %eax
        or      $(1 << 5), %eax
        mov     %eax, %cr4
        mov     $boot_l4, %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx
        rdmsr
        or      $((1 << 8) | (1 << 0)), %eax    /* LME, SCE */
        test    %ebp, %ebp
        jz      4f
        or      $(1 << 11), %eax                /* NXE */
4:      wrmsr
        mov     %cr0, %eax
        or      $((1 << 31) | (1 << 16) | (1 << 0)), %eax  /* PG, WP, PE */
        mov     %eax, %cr0

        lgdt    boot_gdtr
        ljmp    $BOOT_CS, $start64_low

        /* Print a message on COM1 (polled, no init needed on QEMU) and halt. */
.Lno_long_mode:
        mov     $msg_no_lm, %esi
5:      lodsb
        test    %al, %al
        jz      6f
        mov     $0x3f8, %dx
        out     %al, %dx
        jmp     5b
6:      hlt
        jmp     6b

        .code64
start64_low:
        movabs  $start64, %rax
        jmp     *%rax

        .section .data.boot, "aw"
        .balign 4096
        .globl  boot_l4, boot_l3, boot_l2, boot_l3_text
boot_l4:        .fill 4096, 1, 0
boot_l3:        .fill 4096, 1, 0
boot_l3_text:   .fill 4096, 1, 0
boot_l2:        .fill 4 * 4096, 1, 0
boot_stack:     .fill 1024, 1, 0
boot_stack_top:

        .balign 8
        .globl  boot_magic, boot_mb_info
boot_magic:     .long 0
boot_mb_info:      .long 0

        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
boot_gdt_end:
boot_gdtr:
        .short  boot_gdt_end - boot_gdt - 1
        .long   boot_gdt

msg_no_lm:
        .asciz  "Tern: this CPU has no 64-bit long mode; Tern needs an x86-64 CPU.\r\n"

        /* The high half. */
        .section .text.entry, "ax"
        .code64
start64:
        mov     $BOOT_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs

        /* Clear bss (the loader should have; do not rely on it). */
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb

        lea     cpu0_stack(%rip), %rsp
        add     $STACK_SIZE - CPUINFO_SIZE, %rsp
        xor     %ebp, %ebp
        mov     boot_magic, %edi        /* low half: still identity mapped */
        mov     boot_mb_info, %esi
        call    __start_tern
        ud2

        .section .bss.stack_aligned, "aw", @nobits
        .balign STACK_SIZE
        .globl  cpu0_stack
cpu0_stack:
        .skip   STACK_SIZE
