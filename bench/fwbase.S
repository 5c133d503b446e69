/* SPDX-License-Identifier: MIT */
/*
 * The firmware baseline of the boot figures: a bare multiboot kernel that
 * reads the TSC on its first instruction and prints it on COM1 as
 *
 *     FWBASE 0x<hi><lo>
 *
 * then halts. Booted with the same QEMU flags as the hypervisors, it tells
 * how much of "power-on to the guest's test_main" is SeaBIOS and QEMU's
 * multiboot loader rather than Tern or Xen. 32-bit, as the loader starts it.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0
#define COM1     0x3f8

    /* One section, header first: the loader looks in the first 8 KiB. */
    .text
    .code32
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .globl _start
_start:
    rdtsc
    movl %eax, %esi             /* low half */
    movl %edx, %edi             /* high half */
    movl $msg, %ebx
1:  movb (%ebx), %al
    testb %al, %al
    jz 2f
    call putc
    incl %ebx
    jmp 1b
2:  movl %edi, %ebp
    call puthex
    movl %esi, %ebp
    call puthex
    movb $'\n', %al
    call putc
3:  cli
    hlt
    jmp 3b

/* Write %al to COM1 once its transmitter is empty; keeps %eax's byte. */
putc:
    movb %al, %ah
    movw $COM1 + 5, %dx
4:  inb %dx, %al
    testb $0x20, %al
    jz 4b
    movw $COM1, %dx
    movb %ah, %al
    outb %al, %dx
    ret

/* Write %ebp as 8 hex digits. */
puthex:
    movl $8, %ecx
5:  roll $4, %ebp
    movl %ebp, %eax
    andl $0xf, %eax
    movb hexdigits(%eax), %al
    pushl %ecx
    call putc
    popl %ecx
    loop 5b
    ret

msg:
    .asciz "FWBASE 0x"
hexdigits:
    .ascii "0123456789abcdef"

    .section .note.GNU-stack, "", @progbits
