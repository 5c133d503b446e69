/* SPDX-License-Identifier: MIT */
/* Unit tests of core/frame-alloc.c: ranges, splitting, merging, random use. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <tern/frame-alloc.h>
#include "unit.h"

/* An allocator over nr frames with its own storage. */
static void fa_new(struct frame_alloc *fa, unsigned long nr)
{
    fa_init(fa, nr, malloc(fa_storage_bytes(nr) + 1));
}

static void fa_delete(struct frame_alloc *fa)
{
    free(fa->meta);
}

/*
 * Take every free block, largest order first, into out[] (as mfn * 32 +
 * order). With no larger block left, fa_alloc(k) only finds blocks of
 * exactly order k, so this lists the free blocks themselves. Returns the
 * count; the allocator ends empty.
 */
static size_t drain(struct frame_alloc *fa, unsigned long *out, size_t max)
{
    size_t n = 0;
    int k;

    for ( k = FA_MAX_ORDER; k >= 0; k-- )
    {
        unsigned long mfn;

        while ( n < max && (mfn = fa_alloc(fa, (unsigned int)k)) != FA_INVALID )
            out[n++] = mfn * 32 + (unsigned long)k;
    }
    return n;
}

static int cmp_ulong(const void *a, const void *b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

    return (x > y) - (x < y);
}

/* Table: ranges added to a fresh allocator and the free blocks expected. */
static const struct {
    unsigned long nr_frames;
    unsigned long ranges[4][2];         /* start, count; count 0 ends */
    const char *blocks;                 /* "mfn/order ..." sorted by mfn */
} cases[] = {
    { 16, { { 0, 16 } }, "0/4" },
    { 16, { { 3, 10 } }, "3/0 4/2 8/2 12/0" },
    { 16, { { 0, 8 }, { 8, 8 } }, "0/4" },
    { 16, { { 8, 8 }, { 0, 4 }, { 4, 4 } }, "0/4" },
    { 16, { { 1, 1 }, { 0, 1 }, { 3, 1 }, { 2, 1 } }, "0/2" },
    { 16, { { 0, 4 }, { 8, 4 } }, "0/2 8/2" },
    { 12, { { 0, 100 } }, "0/3 8/2" },
    { 10, { { 8, 100 }, { 12, 5 } }, "8/1" },
    { 16, { { 20, 5 } }, "" },
    { 1ul << 20, { { 0, 1ul << 20 } }, "0/18 262144/18 524288/18 786432/18" },
    { 1ul << 20, { { 5, (1ul << 19) - 5 } },
      "5/0 6/1 8/3 16/4 32/5 64/6 128/7 256/8 512/9 1024/10 2048/11 "
      "4096/12 8192/13 16384/14 32768/15 65536/16 131072/17 262144/18" },
};

static void test_table(void)
{
    static unsigned long got[64];
    size_t i, j, n;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct frame_alloc fa;
        unsigned long expect_free = 0;
        char text[512] = "";

        fa_new(&fa, cases[i].nr_frames);
        for ( j = 0; j < 4 && cases[i].ranges[j][1]; j++ )
            fa_add_range(&fa, cases[i].ranges[j][0], cases[i].ranges[j][1]);
        n = drain(&fa, got, ARRAY_SIZE(got));
        qsort(got, n, sizeof(got[0]), cmp_ulong);
        for ( j = 0; j < n; j++ )
        {
            snprintf(text + strlen(text), sizeof(text) - strlen(text),
                     "%s%lu/%lu", j ? " " : "", got[j] / 32, got[j] % 32);
            expect_free += 1ul << (got[j] % 32);
        }
        CHECK_STR(text, cases[i].blocks);
        CHECK_EQ(fa.free_frames, 0);
        /* Freeing the drained blocks merges back to the same layout. */
        for ( j = 0; j < n; j++ )
            fa_free(&fa, got[j] / 32, (unsigned int)(got[j] % 32));
        CHECK_EQ(fa.free_frames, expect_free);
        fa_delete(&fa);
    }
}

/* Small cases: splitting on alloc, bad frees ignored, fa_is_free. */
static void test_basics(void)
{
    struct frame_alloc fa;
    unsigned long a, b, c;

    fa_new(&fa, 16);
    CHECK_EQ(fa_alloc(&fa, 0), FA_INVALID);
    fa_add_range(&fa, 0, 16);
    CHECK_EQ(fa.free_frames, 16);
    CHECK_EQ(fa_alloc(&fa, FA_MAX_ORDER + 1), FA_INVALID);
    CHECK_EQ(fa_alloc(&fa, 5), FA_INVALID);
    a = fa_alloc(&fa, 0);
    b = fa_alloc(&fa, 1);
    c = fa_alloc(&fa, 2);
    CHECK_EQ(a, 0);
    CHECK_EQ(b, 2);
    CHECK_EQ(c, 4);
    CHECK_EQ(fa.free_frames, 16 - 7);
    CHECK(!fa_is_free(&fa, 0));
    CHECK(fa_is_free(&fa, 1));
    CHECK(!fa_is_free(&fa, 3));
    CHECK(fa_is_free(&fa, 8));
    CHECK(fa_is_free(&fa, 15));
    CHECK(!fa_is_free(&fa, 16));
    CHECK_EQ(fa_alloc(&fa, 4), FA_INVALID);
    fa_free(&fa, 1, 0);                 /* already free: ignored */
    fa_free(&fa, 3, 1);                 /* misaligned: ignored */
    fa_free(&fa, 16, 0);                /* out of range: ignored */
    fa_free(&fa, 8, 4);                 /* runs past the end: ignored */
    CHECK_EQ(fa.free_frames, 16 - 7);
    fa_free(&fa, b, 1);
    fa_free(&fa, a, 0);
    fa_free(&fa, c, 2);
    CHECK_EQ(fa.free_frames, 16);
    CHECK_EQ(fa_alloc(&fa, 4), 0);
    fa_delete(&fa);
}

/* Random allocations and frees against a shadow map of owned frames. */
static void test_random(void)
{
    enum { NR = 5000, LIVE = 400, OPS = 60000 };
    static bool usable[NR], owned[NR];
    static unsigned long live_mfn[LIVE], before[200], after[200];
    static unsigned int live_order[LIVE];
    struct frame_alloc fa, ref;
    unsigned long total = 0, owned_frames = 0, i;
    size_t nlive = 0, nb, na;
    unsigned int op, errors = 0;

    fa_new(&fa, NR);
    fa_new(&ref, NR);
    /* Memory with holes, added in pieces. */
    for ( i = 0; i < NR; i++ )
        usable[i] = (i >= 1 && i < 1500) || (i >= 1600 && i < 4999);
    fa_add_range(&fa, 1, 700);
    fa_add_range(&fa, 1600, 3399);
    fa_add_range(&fa, 701, 799);
    fa_add_range(&ref, 1, 1499);
    fa_add_range(&ref, 1600, 3399);
    for ( i = 0; i < NR; i++ )
        total += usable[i];
    CHECK_EQ(fa.free_frames, total);

    for ( op = 0; op < OPS; op++ )
    {
        bool do_alloc = nlive == 0 ||
                        (nlive < LIVE && unit_rand() % 100 < 55);

        if ( do_alloc )
        {
            unsigned int order = (unsigned int)(unit_rand() % 7);
            unsigned long mfn = fa_alloc(&fa, order), j;

            if ( mfn == FA_INVALID )
                continue;
            errors += (mfn & ((1ul << order) - 1)) != 0;
            for ( j = mfn; j < mfn + (1ul << order); j++ )
            {
                errors += j >= NR || !usable[j] || owned[j];
                if ( j < NR )
                    owned[j] = true;
            }
            owned_frames += 1ul << order;
            live_mfn[nlive] = mfn;
            live_order[nlive++] = order;
        }
        else
        {
            size_t k = unit_rand() % nlive;
            unsigned long j;

            for ( j = live_mfn[k]; j < live_mfn[k] + (1ul << live_order[k]);
                  j++ )
                owned[j] = false;
            owned_frames -= 1ul << live_order[k];
            fa_free(&fa, live_mfn[k], live_order[k]);
            live_mfn[k] = live_mfn[--nlive];
            live_order[k] = live_order[nlive];
        }

        errors += fa.free_frames != total - owned_frames;
        if ( op % 5000 == 0 )
            for ( i = 0; i < NR; i++ )
                errors += fa_is_free(&fa, i) != (usable[i] && !owned[i]);
    }
    CHECK_EQ(errors, 0);

    /* Everything back: the same blocks as memory added in one go. */
    while ( nlive )
    {
        nlive--;
        fa_free(&fa, live_mfn[nlive], live_order[nlive]);
    }
    CHECK_EQ(fa.free_frames, total);
    na = drain(&fa, after, ARRAY_SIZE(after));
    nb = drain(&ref, before, ARRAY_SIZE(before));
    qsort(after, na, sizeof(after[0]), cmp_ulong);
    qsort(before, nb, sizeof(before[0]), cmp_ulong);
    CHECK_EQ(na, nb);
    CHECK(na == nb && !memcmp(after, before, na * sizeof(after[0])));
    fa_delete(&fa);
    fa_delete(&ref);
}

int main(void)
{
    test_table();
    test_basics();
    test_random();
    return unit_done();
}
