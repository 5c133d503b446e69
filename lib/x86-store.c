/* SPDX-License-Identifier: MIT */
/* Decoding and computing the x86-64 stores PV guests make to page tables. */
#include <tern/x86-store.h>

/*
 * Theory of operation.
 *
 * With VMASST_TYPE_writable_pagetables a PV guest kernel may write its own
 * page tables with ordinary instructions, although they are mapped
 * read-only: the write raises #PF (present, write), and the hypervisor
 * emulates it, validating the new entry first. This module is the part of
 * that emulation that knows x86 and nothing else:
 *
 *   bytes at RIP --x86_store_decode--> struct x86_store
 *   x86_store_ea(st, regs)            == cr2? (else not this instruction)
 *   x86_store_apply(st, old word)     --> new word, registers, flags
 *
 * The caller validates the new word, writes it (atomically against the old
 * one) and advances RIP by st->len. It is pure: no memory but its
 * arguments, no globals, the same source in the hypervisor and on the host.
 *
 * Only the stores kernels make to page-table entries are decoded, in
 * 64-bit mode: MOV (88, 89, C6 /0, C7 /0, MOVNTI 0F C3), XCHG (86, 87),
 * CMPXCHG (0F B0, 0F B1), CMPXCHG8B (0F C7 /1), ADD/OR/AND/SUB/XOR with a
 * register (00 08 20 28 30 and the odd ones) or an immediate (80, 81, 83)
 * source, BTS/BTR/BTC with a register (0F AB, B3, BB) or an immediate
 * (0F BA /5-7) bit offset. Everything else, ADC/SBB/XADD/INC/string
 * stores included, is refused with a reason (enum x86_store_err): a refusal
 * only means the fault goes to the guest, as a real one.
 *
 * Prefixes, in any order and number while the instruction fits in 15 bytes:
 * 66 (16-bit operands), F0 (LOCK, refused on MOV where the CPU raises #UD),
 * 2E 36 3E 26 (no effect in 64-bit mode), 64/65 (FS/GS: reported in
 * st->seg, both at once refused), F2/F3 (only on the one-byte opcodes and
 * the 0F B0/B1/AB/B3/BB/BA ones, where they are at most HLE hints), and a
 * REX, which counts only directly before the opcode as on the CPU. 67
 * (32-bit addresses) is refused.
 *
 * Memory operands are decoded in full (ModRM, SIB, disp8/disp32, RIP
 * relative, REX.B/X): x86_store_ea() recomputes the address so the caller
 * can check it against cr2 before trusting the decode (the bytes may have
 * changed since the fault, on another vCPU). apply() works on the aligned
 * 8-byte word that holds the destination, as page-table entries are 8
 * bytes: a 4-byte store at offset 4 is the high half of an entry. Stores
 * that are misaligned (offset not a multiple of the size) are refused, so
 * none ever leaves its word.
 */

#define REX_B   0x1
#define REX_X   0x2
#define REX_R   0x4
#define REX_W   0x8

/* The instruction bytes, how many may be read, and how many were. */
struct cursor {
    const uint8_t *p;
    unsigned int n;
    unsigned int pos;
};

/*
 * Read the next bytes (1, 2 or 4) of the instruction as a little-endian
 * number into *val. Returns 0, -X86_STORE_ETOOLONG when the instruction
 * would pass 15 bytes, or -X86_STORE_ETRUNC when the input ends first.
 */
static int fetch(struct cursor *c, unsigned int bytes, uint32_t *val)
{
    uint32_t v = 0;
    unsigned int i;

    if ( c->pos + bytes > X86_STORE_MAX_LEN )
        return -X86_STORE_ETOOLONG;
    if ( c->pos + bytes > c->n )
        return -X86_STORE_ETRUNC;
    for ( i = 0; i < bytes; i++ )
        v |= (uint32_t)c->p[c->pos + i] << (8 * i);
    c->pos += bytes;
    *val = v;
    return 0;
}

/* Sign-extend the low bytes * 8 bits of v. */
static int64_t sext(uint64_t v, unsigned int bytes)
{
    unsigned int sh = 64 - 8 * bytes;

    return (int64_t)(v << sh) >> sh;
}

/*
 * Decode the ModRM byte modrm and what follows it (SIB, displacement) into
 * the memory operand of st; sets st->reg from ModRM.reg. Returns 0,
 * -X86_STORE_EREG for a register operand (mod 3), or a fetch() error.
 */
static int decode_modrm(struct cursor *c, uint8_t modrm, uint8_t rex,
                        struct x86_store *st)
{
    unsigned int mod = modrm >> 6, rm = modrm & 7;
    uint32_t sib, disp = 0;
    int rc;

    st->reg = (uint8_t)(((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0));
    st->base = -1;
    st->index = -1;
    st->scale = 1;
    if ( mod == 3 )
        return -X86_STORE_EREG;

    if ( rm == 4 )
    {
        unsigned int index, base;

        if ( (rc = fetch(c, 1, &sib)) )
            return rc;
        index = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
        base = sib & 7;
        st->scale = (uint8_t)(1u << (sib >> 6));
        if ( index != X86_RSP )
            st->index = (int8_t)index;
        if ( base == 5 && mod == 0 )
            mod = 2;                        /* no base, disp32 */
        else
            st->base = (int8_t)(base | (rex & REX_B ? 8 : 0));
    }
    else if ( rm == 5 && mod == 0 )
    {
        st->rip_rel = true;
        mod = 2;
    }
    else
        st->base = (int8_t)(rm | (rex & REX_B ? 8 : 0));

    if ( mod == 0 )
        return 0;
    if ( (rc = fetch(c, mod == 1 ? 1 : 4, &disp)) )
        return rc;
    st->disp = (int32_t)sext(disp, mod == 1 ? 1 : 4);
    return 0;
}

/* What an opcode (with its ModRM.reg for the groups) is to this module. */
enum opclass {
    OC_UNKNOWN,                 /* not emulated */
    OC_LOAD,                    /* reads memory only */
    OC_STORE,                   /* a store: kind and op set */
};

/* The ALU ops of the 00-3F row and of group 1 (80-83), by number. */
static const int8_t alu_ops[8] = {
    X86_STORE_ADD, X86_STORE_OR, -1 /* ADC */, -1 /* SBB */,
    X86_STORE_AND, X86_STORE_SUB, X86_STORE_XOR, -1 /* CMP */,
};

/*
 * Classify the opcode b (after 0F when twobyte) whose ModRM.reg field is
 * ext (group opcodes). For a store sets st->kind, st->op, st->size (1 for
 * byte opcodes, else 0 for "the operand size"), st->src_imm and the
 * immediate's size in *imm_bytes (0, 1, or 4 meaning "2 or 4 by operand
 * size", as Intel's iz).
 */
static enum opclass classify(uint8_t b, bool twobyte, unsigned int ext,
                             struct x86_store *st, unsigned int *imm_bytes)
{
    *imm_bytes = 0;
    st->size = 0;
    st->src_imm = false;
    if ( !twobyte )
    {
        if ( b < 0x40 && (b & 7) < 2 )          /* ALU r/m, r */
        {
            if ( alu_ops[b >> 3] < 0 )
                return b >> 3 == 7 ? OC_LOAD : OC_UNKNOWN;
            st->kind = X86_STORE_RMW;
            st->op = (enum x86_store_op)alu_ops[b >> 3];
            st->size = b & 1 ? 0 : 1;
            return OC_STORE;
        }
        if ( b < 0x40 && (b & 7) < 4 )          /* ALU r, r/m */
            return OC_LOAD;
        switch ( b )
        {
        case 0x63: case 0x84: case 0x85: case 0x8a: case 0x8b:
            return OC_LOAD;                     /* MOVSXD, TEST, MOV r, r/m */
        case 0x80: case 0x81: case 0x83:
            if ( alu_ops[ext] < 0 )
                return ext == 7 ? OC_LOAD : OC_UNKNOWN;
            st->kind = X86_STORE_RMW;
            st->op = (enum x86_store_op)alu_ops[ext];
            st->size = b == 0x80 ? 1 : 0;
            st->src_imm = true;
            *imm_bytes = b == 0x81 ? 4 : 1;
            return OC_STORE;
        case 0x86: case 0x87:
            st->kind = X86_STORE_XCHG;
            st->size = b & 1 ? 0 : 1;
            return OC_STORE;
        case 0x88: case 0x89:
            st->kind = X86_STORE_MOV;
            st->size = b & 1 ? 0 : 1;
            return OC_STORE;
        case 0xc6: case 0xc7:
            if ( ext != 0 )
                return OC_UNKNOWN;
            st->kind = X86_STORE_MOV;
            st->size = b & 1 ? 0 : 1;
            st->src_imm = true;
            *imm_bytes = b & 1 ? 4 : 1;
            return OC_STORE;
        }
        return OC_UNKNOWN;
    }

    switch ( b )
    {
    case 0xa3: case 0xb6: case 0xb7: case 0xbe: case 0xbf:
        return OC_LOAD;                         /* BT, MOVZX, MOVSX */
    case 0xab: case 0xb3: case 0xbb:
        st->kind = X86_STORE_RMW;
        st->op = b == 0xab ? X86_STORE_BTS :
                 b == 0xb3 ? X86_STORE_BTR : X86_STORE_BTC;
        return OC_STORE;
    case 0xba:
        if ( ext < 4 )
            return OC_UNKNOWN;
        if ( ext == 4 )
            return OC_LOAD;                     /* BT r/m, imm8 */
        st->kind = X86_STORE_RMW;
        st->op = ext == 5 ? X86_STORE_BTS :
                 ext == 6 ? X86_STORE_BTR : X86_STORE_BTC;
        st->src_imm = true;
        *imm_bytes = 1;
        return OC_STORE;
    case 0xb0: case 0xb1:
        st->kind = X86_STORE_CMPXCHG;
        st->size = b & 1 ? 0 : 1;
        return OC_STORE;
    case 0xc3:
        st->kind = X86_STORE_MOV;
        return OC_STORE;
    case 0xc7:
        if ( ext != 1 )
            return OC_UNKNOWN;
        st->kind = X86_STORE_CMPXCHG8B;
        return OC_STORE;
    }
    return OC_UNKNOWN;
}

/* The prefixes before the opcode that matter (segments go to st->seg). */
struct prefixes {
    bool opsize;                /* 66 */
    bool rep;                   /* F2 or F3 */
    uint8_t rex;                /* the REX directly before the opcode, or 0 */
};

/*
 * Read the prefixes into *p and st (lock, seg), and the first opcode byte
 * into *opcode. A REX counts only if the opcode follows it directly, as on
 * the CPU; CS/DS/ES/SS overrides do nothing in 64-bit mode. Returns 0,
 * -X86_STORE_EPREFIX for 67 or both FS and GS, or a fetch() error.
 */
static int decode_prefixes(struct cursor *c, struct prefixes *p,
                           struct x86_store *st, uint8_t *opcode)
{
    uint32_t b;
    int rc;

    for ( ; ; )
    {
        if ( (rc = fetch(c, 1, &b)) )
            return rc;
        if ( (b & 0xf0) == 0x40 )
        {
            p->rex = (uint8_t)b;
            continue;
        }
        switch ( b )
        {
        case 0x66:
            p->opsize = true;
            break;
        case 0xf0:
            st->lock = true;
            break;
        case 0xf2: case 0xf3:
            p->rep = true;
            break;
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            break;
        case 0x64: case 0x65:
        {
            enum x86_store_seg seg = b == 0x64 ? X86_STORE_SEG_FS :
                                                 X86_STORE_SEG_GS;

            if ( st->seg != X86_STORE_SEG_NONE && st->seg != seg )
                return -X86_STORE_EPREFIX;
            st->seg = seg;
            break;
        }
        case 0x67:
            return -X86_STORE_EPREFIX;
        default:
            *opcode = (uint8_t)b;
            return 0;
        }
        p->rex = 0;
    }
}

/*
 * May opcode b (after 0F when twobyte) be one classify() knows? All of
 * those have a ModRM byte; nothing else is worth reading further.
 */
static bool candidate(uint8_t b, bool twobyte)
{
    if ( twobyte )
        return b == 0xa3 || b == 0xab || (b >= 0xb0 && b <= 0xb7) ||
               (b >= 0xba && b <= 0xbf) || b == 0xc3 || b == 0xc7;
    return (b < 0x40 && (b & 7) < 4) || b == 0x63 ||
           (b >= 0x80 && b <= 0x8b && b != 0x82) || b == 0xc6 || b == 0xc7;
}

/*
 * Check the prefixes against the decoded instruction: LOCK only on the
 * read-modify-write ones (MOV with LOCK raises #UD), F2/F3 only where they
 * are at most hints, 66 not on MOVNTI and CMPXCHG8B (0F C3 and 0F C7 take
 * no 66/F2/F3). Returns 0 or -X86_STORE_EPREFIX.
 */
static int check_prefixes(const struct x86_store *st, const struct prefixes *p,
                          uint8_t b, bool twobyte)
{
    if ( st->lock && st->kind == X86_STORE_MOV )
        return -X86_STORE_EPREFIX;
    if ( twobyte && (b == 0xc3 || b == 0xc7) && (p->opsize || p->rep) )
        return -X86_STORE_EPREFIX;
    return 0;
}

int x86_store_decode(const uint8_t *insn, unsigned int n, struct x86_store *st)
{
    struct cursor c = { insn, n < X86_STORE_MAX_LEN ? n : X86_STORE_MAX_LEN,
                        0 };
    struct prefixes p = { false, false, 0 };
    bool twobyte = false;
    unsigned int imm_bytes;
    uint32_t v, modrm;
    enum opclass oc;
    uint8_t b;
    int rc;

    *st = (struct x86_store){ .seg = X86_STORE_SEG_NONE };
    if ( (rc = decode_prefixes(&c, &p, st, &b)) )
        return rc;
    if ( b == 0x0f )
    {
        if ( (rc = fetch(&c, 1, &v)) )
            return rc;
        b = (uint8_t)v;
        twobyte = true;
    }
    if ( !candidate(b, twobyte) )
        return -X86_STORE_EOPCODE;
    if ( (rc = fetch(&c, 1, &modrm)) )
        return rc;
    oc = classify(b, twobyte, (modrm >> 3) & 7, st, &imm_bytes);
    if ( oc == OC_UNKNOWN )
        return -X86_STORE_EOPCODE;
    if ( (rc = decode_modrm(&c, (uint8_t)modrm, p.rex, st)) )
        return rc;
    if ( oc == OC_LOAD )
        return -X86_STORE_ELOAD;

    /* Operand size: byte opcodes, else REX.W, 66, 32 bits. */
    if ( st->kind == X86_STORE_CMPXCHG8B )
    {
        if ( p.rex & REX_W )
            return -X86_STORE_EOPCODE;          /* CMPXCHG16B */
        st->size = 8;
    }
    else if ( twobyte && b == 0xc3 )
        st->size = p.rex & REX_W ? 8 : 4;       /* MOVNTI: no 16-bit form */
    else if ( st->size == 1 )
        st->reg_hi8 = !p.rex && st->reg >= 4 && !st->src_imm;
    else
        st->size = p.rex & REX_W ? 8 : p.opsize ? 2 : 4;

    if ( imm_bytes )
    {
        if ( imm_bytes == 4 && st->size == 2 )
            imm_bytes = 2;
        if ( (rc = fetch(&c, imm_bytes, &v)) )
            return rc;
        st->imm = sext(v, imm_bytes);
    }

    if ( (rc = check_prefixes(st, &p, b, twobyte)) )
        return rc;
    if ( st->src_imm || st->kind == X86_STORE_CMPXCHG8B )
        st->reg = 0;                    /* ModRM.reg was an opcode extension */
    st->len = c.pos;
    return 0;
}

/* All ones in the low size bytes. */
static uint64_t size_mask(unsigned int size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Read register reg at the given size (AH..BH when hi8). */
static uint64_t reg_read(const struct x86_store_regs *regs, unsigned int reg,
                         bool hi8, unsigned int size)
{
    if ( hi8 )
        return (regs->gpr[reg - 4] >> 8) & 0xff;
    return regs->gpr[reg] & size_mask(size);
}

/*
 * Write val to register reg at the given size, as the CPU does in 64-bit
 * mode: 32-bit writes clear bits 32-63, 8- and 16-bit ones keep the rest.
 */
static void reg_write(struct x86_store_regs *regs, unsigned int reg,
                      bool hi8, unsigned int size, uint64_t val)
{
    if ( hi8 )
        regs->gpr[reg - 4] = (regs->gpr[reg - 4] & ~0xff00ull) |
                             ((val & 0xff) << 8);
    else if ( size == 4 )
        regs->gpr[reg] = val & 0xffffffffull;
    else
        regs->gpr[reg] = (regs->gpr[reg] & ~size_mask(size)) |
                         (val & size_mask(size));
}

/* PF, ZF and SF of result r of the given size. */
static uint64_t flags_szp(uint64_t r, unsigned int size)
{
    uint64_t f = 0;
    uint8_t p = (uint8_t)r;

    p ^= p >> 4;
    p ^= p >> 2;
    p ^= p >> 1;
    if ( !(p & 1) )
        f |= X86_FLAGS_PF;
    if ( !(r & size_mask(size)) )
        f |= X86_FLAGS_ZF;
    if ( (r >> (8 * size - 1)) & 1 )
        f |= X86_FLAGS_SF;
    return f;
}

/*
 * a + b (sub false) or a - b (sub true) at the given size, both masked to
 * it; sets *flags to the six arithmetic flags. Returns the masked result.
 */
static uint64_t add_sub(uint64_t a, uint64_t b, bool sub, unsigned int size,
                        uint64_t *flags)
{
    uint64_t mask = size_mask(size);
    uint64_t r = (sub ? a - b : a + b) & mask;
    uint64_t f = flags_szp(r, size);
    unsigned int msb = 8 * size - 1;

    if ( sub ? a < b : r < a )
        f |= X86_FLAGS_CF;
    if ( (a ^ b ^ r) & 0x10 )
        f |= X86_FLAGS_AF;
    if ( (((sub ? a ^ b : ~(a ^ b)) & (a ^ r)) >> msb) & 1 )
        f |= X86_FLAGS_OF;
    *flags = f;
    return r;
}

/* Replace the arithmetic flags of regs that are in which by those in f. */
static void set_flags(struct x86_store_regs *regs, uint64_t which, uint64_t f)
{
    regs->rflags = (regs->rflags & ~which) | (f & which);
}

/*
 * The bit offset of a BTS/BTR/BTC: the immediate, or the source register
 * sign-extended from the operand size (it may address other units, see
 * x86_store_ea()).
 */
static int64_t bit_offset(const struct x86_store *st,
                          const struct x86_store_regs *regs)
{
    if ( st->src_imm )
        return st->imm & (8 * st->size - 1);
    return sext(regs->gpr[st->reg], st->size);
}

/*
 * Compute the RMW result of cur (masked to the size) with source src,
 * setting the flags the instruction sets. Returns the value to store.
 */
static uint64_t rmw(const struct x86_store *st, uint64_t cur, uint64_t src,
                    const struct x86_store_regs *in,
                    struct x86_store_regs *regs)
{
    unsigned int bits = 8 * st->size;
    uint64_t r, f, bit;

    switch ( st->op )
    {
    case X86_STORE_ADD:
    case X86_STORE_SUB:
        r = add_sub(cur, src, st->op == X86_STORE_SUB, st->size, &f);
        set_flags(regs, X86_FLAGS_ARITH, f);
        return r;
    case X86_STORE_OR:
    case X86_STORE_AND:
    case X86_STORE_XOR:
        r = st->op == X86_STORE_OR ? cur | src :
            st->op == X86_STORE_AND ? cur & src : cur ^ src;
        /* CF, OF cleared; AF undefined: cleared as the CPUs do. */
        set_flags(regs, X86_FLAGS_ARITH, flags_szp(r, st->size));
        return r;
    default:
        bit = 1ull << ((uint64_t)bit_offset(st, in) & (bits - 1));
        /* CF is the old bit; OF, SF, AF, PF undefined: left alone. */
        set_flags(regs, X86_FLAGS_CF, cur & bit ? X86_FLAGS_CF : 0);
        return st->op == X86_STORE_BTS ? cur | bit :
               st->op == X86_STORE_BTR ? cur & ~bit : cur ^ bit;
    }
}

int x86_store_apply(const struct x86_store *st, uint64_t old,
                    unsigned int offset, struct x86_store_regs *regs,
                    uint64_t *new_word)
{
    unsigned int size = st->size, shift = 8 * offset;
    uint64_t mask = size_mask(size), cur, src, val, acc, f;
    struct x86_store_regs in;

    if ( (size != 1 && size != 2 && size != 4 && size != 8) ||
         offset >= 8 || offset % size )
        return -X86_STORE_EALIGN;
    in = *regs;
    cur = (old >> shift) & mask;
    src = st->src_imm ? (uint64_t)st->imm & mask
                      : reg_read(&in, st->reg, st->reg_hi8, size);

    switch ( st->kind )
    {
    case X86_STORE_MOV:
        val = src;
        break;
    case X86_STORE_XCHG:
        val = src;
        reg_write(regs, st->reg, st->reg_hi8, size, cur);
        break;
    case X86_STORE_CMPXCHG:
        acc = in.gpr[X86_RAX] & mask;
        add_sub(acc, cur, true, size, &f);
        set_flags(regs, X86_FLAGS_ARITH, f);
        if ( acc != cur )
        {
            reg_write(regs, X86_RAX, false, size, cur);
            *new_word = old;
            return 0;
        }
        val = src;
        break;
    case X86_STORE_CMPXCHG8B:
        acc = (in.gpr[X86_RDX] << 32) | (in.gpr[X86_RAX] & 0xffffffffull);
        if ( acc != cur )
        {
            set_flags(regs, X86_FLAGS_ZF, 0);
            reg_write(regs, X86_RAX, false, 4, cur);
            reg_write(regs, X86_RDX, false, 4, cur >> 32);
            *new_word = old;
            return 0;
        }
        set_flags(regs, X86_FLAGS_ZF, X86_FLAGS_ZF);
        val = (in.gpr[X86_RCX] << 32) | (in.gpr[X86_RBX] & 0xffffffffull);
        break;
    default:
        val = rmw(st, cur, src, &in, regs) & mask;
        break;
    }
    *new_word = (old & ~(mask << shift)) | ((val & mask) << shift);
    return 1;
}

uint64_t x86_store_ea(const struct x86_store *st,
                      const struct x86_store_regs *regs, uint64_t rip,
                      uint64_t seg_base)
{
    uint64_t ea = (uint64_t)(int64_t)st->disp;

    if ( st->rip_rel )
        ea += rip + st->len;
    if ( st->base >= 0 )
        ea += regs->gpr[st->base];
    if ( st->index >= 0 )
        ea += regs->gpr[st->index] * st->scale;
    if ( st->kind == X86_STORE_RMW && st->op >= X86_STORE_BTS &&
         !st->src_imm )
    {
        unsigned int log2bits = st->size == 2 ? 4 : st->size == 4 ? 5 : 6;
        int64_t bit = bit_offset(st, regs);
        int64_t unit = bit >= 0 ? bit >> log2bits : ~(~bit >> log2bits);

        ea += (uint64_t)unit * st->size;
    }
    return ea + seg_base;
}

const char *x86_store_strerror(int rc)
{
    static const char *const names[] = {
        [0] = "ok",
        [X86_STORE_ETRUNC] = "truncated instruction",
        [X86_STORE_ETOOLONG] = "instruction longer than 15 bytes",
        [X86_STORE_EPREFIX] = "prefix not accepted",
        [X86_STORE_EOPCODE] = "instruction not emulated",
        [X86_STORE_ELOAD] = "not a store",
        [X86_STORE_EREG] = "register operand",
        [X86_STORE_EALIGN] = "misaligned store",
    };

    if ( rc == 1 )
        return "store";
    if ( rc > 0 || -rc >= (int)(sizeof(names) / sizeof(names[0])) )
        return "unknown";
    return names[-rc];
}
