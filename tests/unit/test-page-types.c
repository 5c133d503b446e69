/* SPDX-License-Identifier: MIT */
/* Unit tests of core/page-types.c: every rule, then random sequences. */
#include "unit.h"
#include "pt-model.h"

#define P   _PAGE_PRESENT
#define RW  _PAGE_RW
#define US  _PAGE_USER
#define L1T PGT_l1_page_table
#define L2T PGT_l2_page_table
#define L3T PGT_l3_page_table
#define L4T PGT_l4_page_table

#define e(mfn, flags) (((uint64_t)(mfn) << 12) | (flags))

static unsigned long gcount(unsigned long mfn)
{
    return (unsigned long)(frame_table[mfn].count_info & PGC_count_mask);
}

static unsigned long tcount(unsigned long mfn)
{
    return (unsigned long)(frame_table[mfn].type_info & PGT_count_mask);
}

static unsigned long type(unsigned long mfn)
{
    return (unsigned long)(frame_table[mfn].type_info & PGT_type_mask);
}

#define CHECK_MODEL() do {                                                  \
    bool ok_ = ptm_check();                                                 \
    CHECK(ok_);                                                             \
    if ( !ok_ )                                                             \
        fprintf(stderr, "  model: %s\n", ptm_err);                          \
} while ( 0 )

static void test_get_page(void)
{
    ptm_reset();
    CHECK(get_page(2, PTM_D1));
    CHECK_EQ(gcount(2), 2);
    put_page(2);
    CHECK(!get_page(2, PTM_D2));            /* another domain's */
    CHECK(!get_page(0, PTM_D1));            /* I/O */
    CHECK(!get_page(50, DOMID_TERN));       /* never for Tern's owner id */
    CHECK(!get_page(56, PTM_D1));           /* free */
    CHECK(!get_page(62, PTM_D1));           /* beyond the frame table */
    CHECK(!get_page(~0ul, PTM_D1));
    frame_table[3].count_info = PGC_allocated | PGC_count_mask;
    CHECK(!get_page(3, PTM_D1));            /* would overflow */
    frame_table[3].count_info = PGC_allocated | 1;
    CHECK_MODEL();
}

/* Rules for L1 entries: each row is one entry in an L1 of domain 1. */
static void test_l1_rules(void)
{
    static const struct { uint64_t entry; int rc; } rows[] = {
        { 0, 0 },                                     /* not present */
        { e(3, P), 0 },
        { e(3, P | RW), 0 },
        { e(3, P | RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX), 0 },
        { e(3, P | _PAGE_GLOBAL), 0 },
        { e(3, P | _PAGE_AVAIL | (1ul << 52)), 0 },
        { e(3, P | _PAGE_PCD), -EINVAL },              /* no cache attributes */
        { e(3, P | _PAGE_PWT), -EINVAL },
        { e(3, P | _PAGE_PSE), -EINVAL },              /* PAT bit in an L1 */
        { e(3, P | (1ul << 62)), 0 },                  /* available (release Xen) */
        { e(30, P), -EBUSY },                          /* domain 2's frame */
        { e(50, P), -EBUSY },                          /* Tern's frame */
        { e(56, P), -EBUSY },                          /* a free frame */
        { e(0, P), -EPERM },                           /* I/O space */
        { e(62, P), -EPERM },                          /* beyond RAM */
        { e(10, P | RW), -EBUSY },                     /* the L1 itself, writable */
        { e(10, P), 0 },                               /* ... read-only is fine */
        { e(0xfffffffffful, P), -EINVAL },             /* Xen's INVALID_MFN */
        { e(0xffffffffeul, P), -EPERM },
        { 0xfee00000000000ul | P, -EPERM },
    };
    unsigned int i;

    for ( i = 0; i < sizeof(rows) / sizeof(rows[0]); i++ )
    {
        ptm_reset();
        ptm_mem[10][5] = rows[i].entry;
        CHECK_EQ(pt_pin(PTM_D1, 10, L1T), rows[i].rc);
        CHECK_MODEL();
        if ( rows[i].rc == 0 )
        {
            CHECK_EQ(type(10), L1T);
            CHECK_EQ(tcount(10), 1);
            if ( rows[i].entry & P )
                CHECK(ptm_mem[10][5] & US);    /* guest kernel runs in ring 3 */
            CHECK_EQ(pt_unpin(PTM_D1, 10), 0);
        }
        else
            CHECK_EQ(tcount(10), 0);
        CHECK_MODEL();
        CHECK_EQ(gcount(3), 1);
    }
}

/* A writable mapping and a table type exclude each other. */
static void test_writable_vs_table(void)
{
    ptm_reset();
    ptm_mem[10][0] = e(11, P | RW);
    CHECK_EQ(pt_pin(PTM_D1, 10, L1T), 0);
    CHECK_EQ(type(11), PGT_writable_page);
    CHECK_EQ(pt_pin(PTM_D1, 11, L1T), -EINVAL);      /* mapped writable */
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 0, 0, false), 0);
    CHECK_EQ(tcount(11), 0);
    CHECK_EQ(pt_pin(PTM_D1, 11, L1T), 0);            /* now it may */
    CHECK(ptm_flushes > 0);                          /* after a flush */
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 0, e(11, P | RW), false), -EBUSY);
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 0, e(11, P), false), 0);
    CHECK_EQ(gcount(11), 3);                         /* alloc, pin, mapping */
    CHECK_MODEL();
    /* A table that maps itself writable cannot be validated. */
    ptm_reset();
    ptm_mem[12][0] = e(13, P | RW);                  /* L4 -> L3 */
    ptm_mem[13][0] = e(14, P | RW);                  /* L3 -> L2 */
    ptm_mem[14][0] = e(15, P | RW);                  /* L2 -> L1 */
    ptm_mem[15][7] = e(12, P | RW);                  /* L1 maps the L4 RW */
    CHECK_EQ(pt_pin(PTM_D1, 12, L4T), -EBUSY);
    CHECK_MODEL();
    CHECK_EQ(tcount(13) + tcount(14) + tcount(15), 0);
    ptm_mem[15][7] = e(14, P);                       /* read-only: fine */
    CHECK_EQ(pt_pin(PTM_D1, 12, L4T), 0);
    CHECK_EQ(type(13), L3T);
    CHECK_EQ(type(14), L2T);
    CHECK_EQ(type(15), L1T);
    CHECK_MODEL();
    CHECK_EQ(get_page_and_type(14, PTM_D1, PGT_writable_page), -EINVAL);
    CHECK_EQ(pt_unpin(PTM_D1, 12), 0);               /* the tree goes */
    CHECK_EQ(tcount(13) + tcount(14) + tcount(15), 0);
    CHECK_EQ(gcount(14), 1);
    CHECK_MODEL();
}

static void test_upper_levels(void)
{
    static const struct { uint64_t entry; int rc; } l2rows[] = {
        { e(11, P | RW | US), 0 },
        { e(11, P | RW | _PAGE_PSE), -EINVAL },     /* no superpages */
        { e(11, P | _PAGE_GLOBAL), -EINVAL },
        { e(11, P | _PAGE_PCD), -EINVAL },
        { e(11, P | (1ul << 62)), 0 },               /* available bit here */
        { e(30, P), -EINVAL },                       /* another domain's */
        { e(0, P), -EINVAL },
        { e(62, P), -EINVAL },
    };
    unsigned int i;

    for ( i = 0; i < sizeof(l2rows) / sizeof(l2rows[0]); i++ )
    {
        ptm_reset();
        ptm_mem[10][1] = l2rows[i].entry;
        CHECK_EQ(pt_pin(PTM_D1, 10, L2T), l2rows[i].rc);
        CHECK_MODEL();
    }
    /* The child's own validation fails: its error comes through. */
    ptm_reset();
    ptm_mem[10][1] = e(11, P);
    ptm_mem[11][0] = e(30, P);
    CHECK_EQ(pt_pin(PTM_D1, 10, L2T), -EBUSY);
    CHECK_EQ(tcount(11), 0);
    CHECK_MODEL();
    /* A frame in use as an L1 cannot become an L2 nor the reverse. */
    ptm_reset();
    CHECK_EQ(pt_pin(PTM_D1, 11, L1T), 0);
    CHECK_EQ(pt_pin(PTM_D1, 11, L2T), -EINVAL);
    ptm_mem[10][0] = e(11, P);
    CHECK_EQ(pt_pin(PTM_D1, 10, L3T), -EINVAL);      /* L3 -> an L1 */
    CHECK_EQ(pt_pin(PTM_D1, 10, L2T), 0);
    CHECK_EQ(tcount(11), 2);
    CHECK_EQ(pt_pin(PTM_D1, 11, L1T), -EINVAL);      /* pinned twice */
    CHECK_EQ(pt_unpin(PTM_D1, 11), 0);
    CHECK_EQ(pt_unpin(PTM_D1, 11), -EINVAL);         /* not pinned */
    CHECK_EQ(pt_unpin(PTM_D2, 10), -EINVAL);         /* not its page */
    CHECK_EQ(pt_pin(PTM_D1, 10, PGT_writable_page), -EINVAL);
    CHECK_MODEL();
}

static void test_l4_slots(void)
{
    ptm_reset();
    ptm_mem[12][0] = e(13, P | RW);
    ptm_mem[12][256] = e(30, P | RW);                /* ignored: Tern's slot */
    ptm_mem[12][300] = 0;
    CHECK_EQ(pt_pin(PTM_D1, 12, L4T), 0);
    CHECK_EQ(ptm_mem[12][256], PTM_TERN_SLOT(256));
    CHECK_EQ(ptm_mem[12][271], PTM_TERN_SLOT(271));
    CHECK_EQ(pt_mod_entry(PTM_D1, 12, 256, 0, false), -EINVAL);
    CHECK_EQ(pt_mod_entry(PTM_D1, 12, 270, e(13, P), false), -EINVAL);
    CHECK_EQ(pt_mod_entry(PTM_D1, 12, 272, e(14, P), false), 0);
    CHECK_EQ(pt_mod_entry(PTM_D1, 12, 512, 0, false), -EINVAL);
    CHECK_EQ(type(14), L3T);
    CHECK_MODEL();
}

static void test_linear(void)
{
    ptm_reset();
    ptm_mem[12][5] = e(12, P | RW);                  /* self map, writable */
    CHECK_EQ(pt_pin(PTM_D1, 12, L4T), -EINVAL);
    ptm_mem[12][5] = e(12, P);                       /* read-only: allowed */
    CHECK_EQ(pt_pin(PTM_D1, 12, L4T), 0);
    CHECK_EQ(tcount(12), 1);                         /* no reference of its own */
    CHECK_MODEL();
    /* XSA-182: adding RW to the self map through an update. */
    CHECK_EQ(pt_mod_entry(PTM_D1, 12, 5, e(12, P | RW), false), -EINVAL);
    CHECK_EQ(pt_mod_entry(PTM_D1, 12, 5, e(12, P | _PAGE_ACCESSED), false), 0);
    CHECK_EQ(pt_mod_entry(PTM_D1, 12, 5, 0, false), 0);
    CHECK_MODEL();

    /* Two L2s: A may point at B read-only; then B cannot point at A
     * (B is a linear target), nor can C point at A (A holds linear
     * entries): no chains, no loops. */
    ptm_reset();
    CHECK_EQ(pt_pin(PTM_D1, 10, L2T), 0);           /* A */
    CHECK_EQ(pt_pin(PTM_D1, 11, L2T), 0);           /* B */
    CHECK_EQ(pt_pin(PTM_D1, 14, L2T), 0);           /* C */
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 0, e(11, P | RW), false), -EINVAL);
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 0, e(11, P), false), 0);
    CHECK_EQ(frame_table[10].linear, 1);
    CHECK_EQ(frame_table[11].linear, -1);
    CHECK_EQ(pt_mod_entry(PTM_D1, 11, 0, e(10, P), false), -EINVAL);
    CHECK_EQ(pt_mod_entry(PTM_D1, 14, 0, e(10, P), false), -EINVAL);
    CHECK_EQ(pt_mod_entry(PTM_D1, 14, 0, e(11, P), false), 0);  /* a second user */
    CHECK_MODEL();
    /* Linear targets must already be validated tables of the same level. */
    CHECK_EQ(pt_mod_entry(PTM_D1, 14, 1, e(15, P), false), 0);   /* 15 becomes an L1 */
    CHECK_EQ(type(15), L1T);
    CHECK_EQ(pt_unpin(PTM_D1, 11), 0);               /* B lives on by A and C */
    CHECK_EQ(tcount(11), 2);
    CHECK_EQ(pt_unpin(PTM_D1, 10), 0);
    CHECK_EQ(pt_unpin(PTM_D1, 14), 0);
    CHECK_EQ(tcount(10) + tcount(11) + tcount(14) + tcount(15), 0);
    CHECK_EQ(frame_table[11].linear, 0);
    CHECK_MODEL();
    /* An L3 may not point at an L2 under validation through itself. */
    ptm_reset();
    ptm_mem[12][0] = e(12, P);
    ptm_mem[12][1] = e(13, P);
    ptm_mem[13][0] = e(12, P);                        /* L3 -> the L4: bad type */
    CHECK_EQ(pt_pin(PTM_D1, 12, L4T), -EINVAL);
    CHECK_MODEL();
}

static void test_mod_entry(void)
{
    ptm_reset();
    CHECK_EQ(pt_pin(PTM_D1, 10, L1T), 0);
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 3, e(4, P | RW), false), 0);
    CHECK_EQ(gcount(4), 2);
    CHECK_EQ(type(4), PGT_writable_page);
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 3, e(5, P), false), 0);    /* moves */
    CHECK_EQ(gcount(4), 1);
    CHECK_EQ(tcount(4), 0);
    CHECK_EQ(gcount(5), 2);
    /* The CPU set A/D; PRESERVE_AD keeps them, NORMAL does not. */
    ptm_mem[10][3] |= _PAGE_ACCESSED | _PAGE_DIRTY;
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 3, e(5, P | _PAGE_NX), true), 0);
    CHECK_EQ(ptm_mem[10][3], e(5, P | US | _PAGE_NX | _PAGE_ACCESSED | _PAGE_DIRTY |
                               (1ul << 52)));
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 3, e(5, P | US), false), 0);
    CHECK_EQ(ptm_mem[10][3], e(5, P | US));
    CHECK_EQ(gcount(5), 2);                          /* fast path kept one ref */
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 3, e(5, P | RW), false), 0);
    CHECK_EQ(tcount(5), 1);
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 3, e(30, P), false), -EBUSY);
    CHECK_EQ(ptm_mem[10][3], e(5, P | RW | US | (1ul << 52)));  /* unchanged */
    CHECK_EQ(pt_mod_entry(PTM_D2, 10, 3, 0, false), -EINVAL);    /* not its table */
    CHECK_EQ(pt_mod_entry(PTM_D1, 11, 3, 0, false), -EINVAL);    /* not a table */
    CHECK_EQ(pt_mod_entry(PTM_D1, 62, 3, 0, false), -EINVAL);
    CHECK_MODEL();
    CHECK_EQ(pt_unpin(PTM_D1, 10), 0);
    CHECK_EQ(tcount(5), 0);
    CHECK_MODEL();
}

static void test_release(void)
{
    ptm_reset();
    CHECK_EQ(pt_pin(PTM_D1, 10, L1T), 0);
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 0, e(4, P | RW), false), 0);
    /* Freeing a mapped frame: it stays until the mapping goes. */
    CHECK_EQ(pt_release_page(PTM_D1, 4), 0);
    CHECK_EQ(ptm_freed[4], 0);
    CHECK_EQ(frame_table[4].owner, PTM_D1);
    CHECK_EQ(pt_release_page(PTM_D1, 4), 0);         /* no allocation ref left */
    CHECK_EQ(gcount(4), 1);
    CHECK_MODEL();
    CHECK_EQ(pt_mod_entry(PTM_D1, 10, 0, 0, false), 0);
    CHECK_EQ(ptm_freed[4], 1);
    CHECK_EQ(pt_release_page(PTM_D1, 4), -EINVAL);   /* gone */
    /* A pinned table stays pinned (Xen 4.17) until the guest unpins it. */
    CHECK_EQ(pt_release_page(PTM_D1, 10), 0);
    CHECK_EQ(ptm_freed[10], 0);
    CHECK_EQ(pt_unpin(PTM_D1, 10), 0);
    CHECK_EQ(ptm_freed[10], 1);
    CHECK_EQ(pt_release_page(PTM_D1, 30), -EINVAL);  /* not its page */
    frame_table[5].count_info |= PGC_tern_heap;
    CHECK_EQ(pt_release_page(PTM_D1, 5), -EINVAL);   /* Tern's shared page */
    frame_table[5].count_info &= ~PGC_tern_heap;
    CHECK_MODEL();
}

static void test_overflow_and_desc(void)
{
    ptm_reset();
    frame_table[4].type_info = PGT_writable_page | PGT_validated | PGT_count_mask;
    ptm_ext_typed[4] = 0;
    ptm_ext_type[4] = PGT_writable_page;
    CHECK_EQ(get_page_type(4, PGT_writable_page), -EINVAL);
    frame_table[4].type_info = 0;
    ptm_ext_typed[4] = 0;
    /* Segment descriptor pages: checked, and exclusive of writable. */
    ptm_mem[6][0] = 0xbad;
    CHECK_EQ(get_page_and_type(6, PTM_D1, PGT_seg_desc_page), -EINVAL);
    ptm_mem[6][0] = 0;
    CHECK_EQ(get_page_and_type(6, PTM_D1, PGT_seg_desc_page), 0);
    CHECK_EQ(get_page_and_type(6, PTM_D1, PGT_writable_page), -EINVAL);
    ptm_ext_typed[6] = 1;
    ptm_ext_type[6] = PGT_seg_desc_page;
    CHECK_MODEL();
    ptm_ext_typed[6] = 0;
    put_page_and_type(6);
    CHECK_MODEL();
}

/* Random sequences: the invariants hold after every operation. */
static void test_random(unsigned int seqs, unsigned int ops)
{
    unsigned int s, i, bad = 0;
    uint8_t b[8];

    for ( s = 0; s < seqs && !bad; s++ )
    {
        ptm_reset();
        for ( i = 0; i < ops; i++ )
        {
            uint64_t r = unit_rand();

            memcpy(b, &r, 8);
            if ( !ptm_op(b) )
            {
                fprintf(stderr, "sequence %u op %u: %s\n", s, i, ptm_err);
                bad++;
                break;
            }
        }
    }
    CHECK_EQ(bad, 0);
}

/* With TERN_FUZZ_SEEDS=DIR, write random operation sequences into DIR as
 * the fuzzer's seed corpus (tests/fuzz/fuzz.mk). */
static void write_seeds(const char *dir)
{
    char path[512];
    unsigned int i, j;

    for ( i = 0; i < 16; i++ )
    {
        FILE *f;

        snprintf(path, sizeof(path), "%s/random-%u", dir, i);
        f = fopen(path, "wb");
        if ( !f )
            continue;
        for ( j = 0; j < 64; j++ )
        {
            uint64_t r = unit_rand();

            fwrite(&r, 8, 1, f);
        }
        fclose(f);
    }
}

int main(void)
{
    test_get_page();
    test_l1_rules();
    test_writable_vs_table();
    test_upper_levels();
    test_l4_slots();
    test_linear();
    test_mod_entry();
    test_release();
    test_overflow_and_desc();
    test_random(400, 400);
    if ( getenv("TERN_FUZZ_SEEDS") )
        write_seeds(getenv("TERN_FUZZ_SEEDS"));
    return unit_done();
}
