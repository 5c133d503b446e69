/* SPDX-License-Identifier: MIT */
/* Kit: ELF notes, the entry point, the hypercall page and exception stubs. */
#include <xen/elfnote.h>
#include <xen/xen.h>
#include <kit/frame-asm.h>

/*
 * One Xen ELF note: name "Xen", type, and a descriptor given as assembler
 * directives. The notes form .note.Xen, which the linker script puts in
 * its own PT_NOTE segment.
 */
#define ELFNOTE(type, desc...)                          \
    .pushsection .note.Xen, "a", @note;                 \
    .balign 4;                                          \
    .long 2f - 1f;                                      \
    .long 4f - 3f;                                      \
    .long type;                                         \
1:  .asciz "Xen";                                       \
2:  .balign 4;                                          \
3:  desc;                                               \
4:  .balign 4;                                          \
    .popsection

    ELFNOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "Tern-kit")
    ELFNOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "0.1")
    ELFNOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
    ELFNOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
    ELFNOTE(XEN_ELFNOTE_VIRT_BASE,      .quad __kit_virt_base)
    ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET,   .quad 0)
    ELFNOTE(XEN_ELFNOTE_ENTRY,          .quad _start)
    ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad kit_hypercall_page)
    /* No feature is required: the kit uses plain PV paging and tables. */
    ELFNOTE(XEN_ELFNOTE_FEATURES,       .asciz "")

/*
 * The entry point: RSI holds the start_info page. Switch to the kit's own
 * stack and call kit_main(start_info), which does not return.
 */
    .section .text.entry, "ax", @progbits
    .globl _start
_start:
    cld
    leaq kit_stack_top(%rip), %rsp
    movq %rsi, %rdi
    call kit_main
    ud2

/*
 * The hypercall page: the builder overwrites it with 32-byte stubs. It is
 * filled with int3 so that a builder that ignored the note is noticed.
 */
    .section .text.hypercall_page, "ax", @progbits
    .balign 4096
    .globl kit_hypercall_page
kit_hypercall_page:
    .fill 4096, 1, 0xcc

/*
 * Exception stubs. Xen bounces an exception to the kernel stack as
 * RCX, R11, [error code,] RIP, CS, RFLAGS, RSP, SS. Each stub restores RCX
 * and R11, pushes a zero error code for vectors without one, pushes the
 * vector, and joins kit_trap_common, which saves the registers as struct
 * kit_trap_frame and calls kit_trap(frame). kit_trap returns only when a
 * test's kit_trap_hook handled the exception: the (possibly edited) frame
 * is then resumed with HYPERVISOR_iret. A test may add stubs of its own
 * (for int $N) that do the same and jump to kit_trap_common.
 */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21)

    .section .text, "ax", @progbits
    .altmacro
    .macro trap_stub v
trap_stub_\v:
    popq %rcx
    popq %r11
    .if (HAS_ERROR_CODE(\v)) == 0
    pushq $0
    .endif
    pushq $\v
    jmp trap_common
    .endm

    .set .Lvec, 0
    .rept 22
    trap_stub %.Lvec
    .set .Lvec, .Lvec + 1
    .endr

/*
 * The event callback a test may register (set_callbacks, or callback_op
 * CALLBACKTYPE_event): Xen enters it with RCX, R11, RIP, CS, RFLAGS, RSP,
 * SS on the stack and events masked. It reaches kit_trap() as the pseudo
 * vector KIT_VECTOR_UPCALL, for the test's kit_trap_hook to handle.
 */
    .globl kit_upcall_entry
kit_upcall_entry:
    popq %rcx
    popq %r11
    pushq $0
    pushq $256                  /* KIT_VECTOR_UPCALL */
    jmp trap_common

    .globl kit_trap_common
kit_trap_common:
trap_common:
    KIT_CALL_WITH_FRAME kit_trap
    addq $16, %rsp              /* vector, error code */
    /* struct iret_context: rax, r11, rcx, flags (0), rip, cs, rflags, rsp, ss */
    pushq $0
    /* fall through */

/*
 * kit_hypercall_iret: HYPERVISOR_iret with the iret frame from `flags` up
 * already on the stack: through the hypercall page, whose iret stub pushes
 * RCX, R11 and RAX, or by pushing them and issuing SYSCALL as a guest
 * without a page does. Jump here; it does not return.
 */
    .globl kit_hypercall_iret
kit_hypercall_iret:
    cmpl $0, kit_hypercall_mode(%rip)   /* KIT_HC_PAGE? */
    jne 1f
    jmp kit_hypercall_page + __HYPERVISOR_iret * 32    /* pushes rcx, r11, rax */
1:  pushq %rcx
    pushq %r11
    pushq %rax
    movl $__HYPERVISOR_iret, %eax
    syscall
    ud2

    .macro stub_addr v
    .quad trap_stub_\v
    .endm

    .section .rodata, "a", @progbits
    .balign 8
    .globl kit_trap_stubs
kit_trap_stubs:
    .set .Lvec, 0
    .rept 22
    stub_addr %.Lvec
    .set .Lvec, .Lvec + 1
    .endr

/* The kit's stack. */
    .section .bss, "aw", @nobits
    .balign 16
kit_stack:
    .skip 16384
kit_stack_top:

    .section .note.GNU-stack, "", @progbits
