/* SPDX-License-Identifier: MIT */
/* Fuzzing lib/x86-store.c: any bytes as the instruction at a faulting RIP. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern/x86-store.h>

/*
 * The first 15 bytes (fewer if the input is shorter) are the instruction;
 * a hash of the whole input seeds the registers and the memory word. An
 * instruction the decoder refuses must get a known reason. One it accepts
 * must keep every promise of x86-store.h: a length within the bytes and
 * within 15, a size of 1, 2, 4 or 8, a well-formed memory operand, the
 * same decode from exactly len bytes and "truncated" from len - 1; and for
 * every offset in the word apply() refuses the misaligned ones without
 * touching anything, and for the others changes only the destination's
 * bytes, only the registers the instruction writes and only arithmetic
 * flags.
 */

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz-x86-store: broken promise: %s\n", what);
    abort();
}

#define PROMISE(c) do { if ( !(c) ) fuzz_fail(#c); } while ( 0 )

/* xorshift64* over an FNV-1a hash of the input: deterministic junk. */
static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static void seed(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for ( i = 0; i < size; i++ )
        h = (h ^ data[i]) * 0x100000001b3ull;
    rng = h | 1;
}

/* Do two decodes of the same bytes agree, field by field? */
static int same(const struct x86_store *a, const struct x86_store *b)
{
    return a->len == b->len && a->size == b->size && a->kind == b->kind &&
           a->op == b->op && a->seg == b->seg && a->lock == b->lock &&
           a->src_imm == b->src_imm && a->imm == b->imm &&
           a->reg == b->reg && a->reg_hi8 == b->reg_hi8 &&
           a->rip_rel == b->rip_rel && a->base == b->base &&
           a->index == b->index && a->scale == b->scale &&
           a->disp == b->disp;
}

/* The shape of an accepted decode. */
static void check_decode(const struct x86_store *st, unsigned int n)
{
    PROMISE(st->len >= 2 && st->len <= n && st->len <= X86_STORE_MAX_LEN);
    PROMISE(st->size == 1 || st->size == 2 || st->size == 4 || st->size == 8);
    PROMISE(st->kind <= X86_STORE_RMW);
    PROMISE(st->kind == X86_STORE_RMW ? st->op <= X86_STORE_BTC : st->op == 0);
    PROMISE(st->seg <= X86_STORE_SEG_GS);
    PROMISE(st->scale == 1 || st->scale == 2 || st->scale == 4 ||
            st->scale == 8);
    PROMISE(st->base >= -1 && st->base < 16 && st->index >= -1 &&
            st->index < 16 && st->index != X86_RSP);
    PROMISE(!st->rip_rel || (st->base < 0 && st->index < 0));
    PROMISE(st->reg < 16 && (!st->reg_hi8 || (st->reg >= 4 && st->reg < 8)));
    PROMISE(!st->reg_hi8 || (st->size == 1 && !st->src_imm));
    PROMISE(!st->src_imm || st->reg == 0);
    PROMISE(st->kind != X86_STORE_CMPXCHG8B || st->size == 8);
    PROMISE(!st->lock || st->kind != X86_STORE_MOV);
    PROMISE(st->kind != X86_STORE_RMW || st->op < X86_STORE_BTS ||
            st->size >= 2);
}

/* Which general registers may the store write? A bit mask. */
static unsigned int writable_gprs(const struct x86_store *st)
{
    switch ( st->kind )
    {
    case X86_STORE_XCHG:
        return 1u << (st->reg_hi8 ? st->reg - 4 : st->reg);
    case X86_STORE_CMPXCHG:
        return 1u << X86_RAX;
    case X86_STORE_CMPXCHG8B:
        return 1u << X86_RAX | 1u << X86_RDX;
    default:
        return 0;
    }
}

/* Apply at every offset of a random word, with random registers. */
static void check_apply(const struct x86_store *st)
{
    struct x86_store_regs regs, before;
    uint64_t old = next(), nw, mask, rip = next();
    unsigned int off, i;
    int rc;

    mask = st->size == 8 ? ~0ull : (1ull << (8 * st->size)) - 1;
    for ( i = 0; i < 16; i++ )
        regs.gpr[i] = next();
    regs.rflags = next();
    /* Sometimes make a compare succeed. */
    if ( next() & 1 )
    {
        regs.gpr[X86_RAX] = old;
        regs.gpr[X86_RDX] = old >> 32;
    }

    for ( off = 0; off < 9; off++ )
    {
        before = regs;
        nw = 0x5a5a5a5a5a5a5a5aull;
        rc = x86_store_apply(st, old, off, &regs, &nw);
        if ( off >= 8 || off % st->size )
        {
            PROMISE(rc == -X86_STORE_EALIGN);
            PROMISE(nw == 0x5a5a5a5a5a5a5a5aull);
            PROMISE(!memcmp(&regs, &before, sizeof(regs)));
            continue;
        }
        PROMISE(rc == 0 || rc == 1);
        PROMISE(((nw ^ old) & ~(mask << (8 * off))) == 0);
        PROMISE(rc == 1 || (nw == old && (st->kind == X86_STORE_CMPXCHG ||
                                          st->kind == X86_STORE_CMPXCHG8B)));
        PROMISE(!((regs.rflags ^ before.rflags) & ~(uint64_t)X86_FLAGS_ARITH));
        if ( st->kind == X86_STORE_MOV || st->kind == X86_STORE_XCHG )
            PROMISE(regs.rflags == before.rflags);
        if ( st->kind == X86_STORE_CMPXCHG8B )
            PROMISE(!((regs.rflags ^ before.rflags) & ~(uint64_t)X86_FLAGS_ZF));
        for ( i = 0; i < 16; i++ )
            PROMISE(regs.gpr[i] == before.gpr[i] ||
                    (writable_gprs(st) >> i) & 1);
        regs = before;
    }
    (void)x86_store_ea(st, &regs, rip, next());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned int n = size < X86_STORE_MAX_LEN ? (unsigned int)size
                                              : X86_STORE_MAX_LEN;
    struct x86_store st, again;
    int rc;

    seed(data, size);
    rc = x86_store_decode(data, n, &st);
    if ( rc )
    {
        PROMISE(rc >= -X86_STORE_EREG && rc <= -X86_STORE_ETRUNC);
        PROMISE(strcmp(x86_store_strerror(rc), "unknown") != 0);
        return 0;
    }
    check_decode(&st, n);
    PROMISE(x86_store_decode(data, st.len, &again) == 0 && same(&st, &again));
    PROMISE(x86_store_decode(data, st.len - 1, &again) == -X86_STORE_ETRUNC);
    check_apply(&st);
    return 0;
}

#define FUZZ_NAME "fuzz-x86-store"
#include "replay.h"
