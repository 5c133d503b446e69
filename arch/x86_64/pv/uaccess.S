/* SPDX-License-Identifier: MIT */
/* Byte copies that may fault on a guest address; the fault resumes at a fixup. */
/*
 * size_t guest_copy_raw(void *dst, const void *src, size_t n)
 * Returns the number of bytes NOT copied: 0 on success. A page fault on
 * the REP MOVSB resumes at guest_copy_fixup_point (see traps.c), which
 * returns the remaining count.
 */
        .text
        .globl  guest_copy_raw, guest_copy_insn, guest_copy_fixup_point
guest_copy_raw:
        mov     %rdx, %rcx
guest_copy_insn:
        rep movsb
        xor     %eax, %eax
        ret
guest_copy_fixup_point:
        mov     %rcx, %rax
        ret
