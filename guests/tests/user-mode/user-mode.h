/* SPDX-License-Identifier: MIT */
/* Test guest user-mode: constants shared by main.c and user.S. */
#ifndef USER_MODE_H
#define USER_MODE_H

#ifdef __ASSEMBLY__
#define UM_UL(x) x
#else
#define UM_UL(x) x##UL
#endif

/*
 * "System call numbers" the user code puts in RAX before SYSCALL; the
 * guest kernel's callback (um_syscall) picks its way back by them.
 */
#define UM_NR_RET_SYSRET    0x5301  /* back with VGCF_in_syscall, as Linux */
#define UM_NR_RET_IRET      0x5302  /* back with flags 0: RCX, R11 restored */
#define UM_NR_EXIT          0x53ff  /* end the user run, back to the kernel */

/* The pseudo vector under which the syscall callback's frame is saved. */
#define UM_VECTOR_SYSCALL   0x200

/* What the user code loads into the registers it does not otherwise use. */
#define UM_MAGIC(i)         (UM_UL(0x7575000000000000) + (i) * UM_UL(0x0000010101010101))
#define UM_MAGIC_RCX        UM_UL(0x5c5c5c5c00c0ffee)
#define UM_MAGIC_R11        UM_UL(0x1111222233334444)

/* RCX and R11 the kernel puts in the iret frame on its way back. */
#define UM_RET_RCX          UM_UL(0x0ccccccccccccccc)
#define UM_RET_R11          UM_UL(0x0bbbbbbbbbbbbbbb)

/*
 * RFLAGS the kernel returns to user mode with after the first (CF, ZF, OF)
 * and the second (PF, SF) system call, so that a lost RFLAGS shows; IF is
 * clear so that events stay masked (the iret frame's IF is the inverse of
 * the upcall mask, not the real IF, which is always on).
 */
#define UM_RET_RFLAGS1      0x843
#define UM_RET_RFLAGS2      0x086
/* RFLAGS the first entry to user mode uses (bit 1 only). */
#define UM_USER_RFLAGS      0x2

/*
 * The registers user code stores after a SYSCALL returns (struct um_regs):
 * word offsets.
 */
#define UMR_RAX     0
#define UMR_RBX     1
#define UMR_RCX     2
#define UMR_RDX     3
#define UMR_RSI     4
#define UMR_RDI     5
#define UMR_RBP     6
#define UMR_RSP     7
#define UMR_R8      8
#define UMR_R9      9
#define UMR_R10     10
#define UMR_R11     11
#define UMR_R12     12
#define UMR_R13     13
#define UMR_R14     14
#define UMR_R15     15
#define UMR_RFLAGS  16
#define UMR_WORDS   17

#endif /* USER_MODE_H */
