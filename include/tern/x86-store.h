/* SPDX-License-Identifier: MIT */
/* Decoding and computing the x86-64 stores PV guests make to page tables. */
#ifndef TERN_X86_STORE_H
#define TERN_X86_STORE_H

#include <stdbool.h>
#include <stdint.h>

/* No x86 instruction is longer (a longer one raises #GP). */
#define X86_STORE_MAX_LEN   15

/*
 * Why x86_store_decode() or x86_store_apply() refused, returned negated.
 * Every one means "not emulated here": bounce the fault to the guest.
 */
enum x86_store_err {
    X86_STORE_ETRUNC = 1,       /* the bytes given end inside the instruction */
    X86_STORE_ETOOLONG,         /* longer than X86_STORE_MAX_LEN bytes */
    X86_STORE_EPREFIX,          /* a prefix refused here (67, LOCK MOV ...) */
    X86_STORE_EOPCODE,          /* an instruction not emulated here */
    X86_STORE_ELOAD,            /* reads its memory operand, never writes it */
    X86_STORE_EREG,             /* the r/m operand is a register, not memory */
    X86_STORE_EALIGN,           /* misaligned, or not inside one 8-byte word */
};

/* The general registers in the order the hardware numbers them, and flags. */
enum {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};
struct x86_store_regs {
    uint64_t gpr[16];
    uint64_t rflags;
};

/* The arithmetic flags the emulated instructions may change. */
#define X86_FLAGS_CF        0x001u
#define X86_FLAGS_PF        0x004u
#define X86_FLAGS_AF        0x010u
#define X86_FLAGS_ZF        0x040u
#define X86_FLAGS_SF        0x080u
#define X86_FLAGS_OF        0x800u
#define X86_FLAGS_ARITH     (X86_FLAGS_CF | X86_FLAGS_PF | X86_FLAGS_AF | \
                             X86_FLAGS_ZF | X86_FLAGS_SF | X86_FLAGS_OF)

enum x86_store_kind {
    X86_STORE_MOV,              /* MOV r/m,r|imm, MOVNTI: store the source */
    X86_STORE_XCHG,             /* XCHG r/m,r: the register gets the old value */
    X86_STORE_CMPXCHG,          /* CMPXCHG r/m,r: compare with rAX */
    X86_STORE_CMPXCHG8B,        /* CMPXCHG8B m64: EDX:EAX, then ECX:EBX */
    X86_STORE_RMW,              /* read-modify-write: the ALU op in op */
};

/* The operation of an X86_STORE_RMW store. */
enum x86_store_op {
    X86_STORE_ADD,
    X86_STORE_OR,
    X86_STORE_AND,
    X86_STORE_SUB,
    X86_STORE_XOR,
    X86_STORE_BTS,              /* bit test and set: CF is the old bit */
    X86_STORE_BTR,              /* ... and reset */
    X86_STORE_BTC,              /* ... and complement */
};

/* A segment override that adds a base in 64-bit mode (CS/DS/ES/SS do not). */
enum x86_store_seg {
    X86_STORE_SEG_NONE,
    X86_STORE_SEG_FS,
    X86_STORE_SEG_GS,
};

/* A decoded store. Fields its kind does not use are 0 (base, index: -1). */
struct x86_store {
    unsigned int len;           /* instruction length, prefixes included */
    unsigned int size;          /* operand size in bytes: 1, 2, 4 or 8 */
    enum x86_store_kind kind;
    enum x86_store_op op;       /* X86_STORE_RMW only */
    enum x86_store_seg seg;     /* the caller adds this segment's base */
    bool lock;                  /* a LOCK prefix (XCHG is locked without it) */

    /* The source: an immediate, else a register. */
    bool src_imm;
    int64_t imm;                /* sign-extended to 64 bits */
    uint8_t reg;                /* ModRM.reg with REX.R: X86_RAX ... X86_R15 */
    bool reg_hi8;               /* reg 4..7 mean AH..BH (byte op, no REX) */

    /* The memory operand: [base + index * scale + disp], or [rip + disp]. */
    bool rip_rel;               /* disp is from the next instruction */
    int8_t base;                /* X86_RAX ... X86_R15, or -1 for none */
    int8_t index;               /* likewise, -1 for none */
    uint8_t scale;              /* 1, 2, 4 or 8 */
    int32_t disp;
};

/*
 * Decode insn[0..n) as one 64-bit-mode instruction that writes its memory
 * operand. Only n <= X86_STORE_MAX_LEN bytes are looked at, the first of
 * them the first prefix. Fills *st and returns 0, or returns the negated
 * x86_store_err of the first problem found (then *st is unspecified).
 * Pure: reads only insn[0..n).
 */
int x86_store_decode(const uint8_t *insn, unsigned int n, struct x86_store *st);

/*
 * The linear address the decoded instruction writes: the memory operand
 * computed from regs, plus seg_base (the FS or GS base when st->seg says
 * so, else 0), modulo 2^64. rip is the address of the instruction itself;
 * RIP-relative operands count from rip + st->len. For BTS/BTR/BTC with a
 * register bit offset this is the operand-size unit the bit lies in, as the
 * CPU accesses it: operand + size * floor(offset / (8 * size)).
 */
uint64_t x86_store_ea(const struct x86_store *st,
                      const struct x86_store_regs *regs, uint64_t rip,
                      uint64_t seg_base);

/*
 * Execute the decoded store against memory word old: the naturally aligned
 * 8 bytes that hold the destination, which starts offset bytes into it
 * (the low 3 bits of the address). On success sets *new_word to old with
 * bytes [offset, offset + size) replaced, updates regs as the instruction
 * would (the register XCHG loads, rAX or EDX:EAX on a failed compare, the
 * arithmetic flags), and returns 1 if the instruction stores, 0 if it does
 * not (a failed compare: *new_word is old). Returns -X86_STORE_EALIGN, and
 * touches nothing, when offset is not a multiple of size inside the word.
 * RIP is not advanced: the caller adds st->len once the write is done.
 */
int x86_store_apply(const struct x86_store *st, uint64_t old,
                    unsigned int offset, struct x86_store_regs *regs,
                    uint64_t *new_word);

/* A short name for a value x86_store_decode()/apply() returned, for logs. */
const char *x86_store_strerror(int rc);

#endif /* TERN_X86_STORE_H */
