/* SPDX-License-Identifier: MIT */
/* Unit tests of core/heap.c: classes, large blocks, patterns and stats. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <tern/heap.h>
#include "unit.h"

/* Pages from the host, tracked so leaks and wrong orders show. */
#define MAX_PAGES 4096
static struct { void *p; unsigned int order; } pages[MAX_PAGES];
static long pages_out, page_budget = -1, bad_frees;

static void *test_alloc_pages(unsigned int order)
{
    size_t i;

    if ( page_budget == 0 )
        return NULL;
    for ( i = 0; i < MAX_PAGES; i++ )
    {
        if ( pages[i].p )
            continue;
        pages[i].p = aligned_alloc(4096, 4096ul << order);
        if ( !pages[i].p )
            return NULL;
        memset(pages[i].p, 0xa5, 4096ul << order);
        pages[i].order = order;
        pages_out++;
        if ( page_budget > 0 )
            page_budget--;
        return pages[i].p;
    }
    return NULL;
}

static void test_free_pages(void *p, unsigned int order)
{
    size_t i;

    for ( i = 0; i < MAX_PAGES; i++ )
    {
        if ( pages[i].p != p )
            continue;
        bad_frees += pages[i].order != order;
        free(p);
        pages[i].p = NULL;
        pages_out--;
        return;
    }
    bad_frees++;
}

static const struct heap_ops ops = {
    .alloc_pages = test_alloc_pages,
    .free_pages = test_free_pages,
};

/* What a block of size bytes costs in heap_stats' in_use. */
static size_t rounded(size_t size)
{
    size_t r = 16;

    if ( size > 2048 )
    {
        r = 4096;
        while ( r < size )
            r <<= 1;
        return r;
    }
    while ( r < size )
        r <<= 1;
    return r;
}

static void test_basics(void)
{
    size_t in_use, held, s;
    void *p, *q;
    unsigned char *z;

    heap_init(&ops);
    CHECK(heap_alloc(0) == NULL);
    heap_free(NULL);

    for ( s = 1; s <= 16384; s = s * 2 + 1 )
    {
        p = heap_alloc(s);
        CHECK(p != NULL);
        CHECK(((uintptr_t)p & 15) == 0);
        if ( s > 2048 )
            CHECK(((uintptr_t)p & 4095) == 0);
        heap_stats(&in_use, &held);
        CHECK_EQ(in_use, rounded(s));
        CHECK(held >= in_use);
        heap_free(p);
    }
    heap_stats(&in_use, &held);
    CHECK_EQ(in_use, 0);
    CHECK_EQ(held, 0);
    CHECK_EQ(pages_out, 0);

    /* zalloc on recycled, dirty memory. */
    p = heap_alloc(100);
    memset(p, 0xff, 100);
    q = heap_alloc(100);            /* keeps the slab alive */
    heap_free(p);
    z = heap_zalloc(100);
    CHECK(z == p);
    for ( s = 0; s < 100 && !z[s]; s++ )
        ;
    CHECK_EQ(s, 100);
    heap_free(z);
    z = heap_zalloc(10000);
    for ( s = 0; s < 10000 && !z[s]; s++ )
        ;
    CHECK_EQ(s, 10000);
    heap_free(z);
    heap_free(q);

    /* Out of pages: NULL, and nothing is held afterwards. */
    page_budget = 0;
    CHECK(heap_alloc(10) == NULL);
    CHECK(heap_alloc(5000) == NULL);
    page_budget = 1;                /* the record's slab, not the block */
    CHECK(heap_alloc(5000) == NULL);
    page_budget = -1;
    CHECK(heap_alloc((size_t)1 << 62) == NULL);
    heap_stats(&in_use, &held);
    CHECK_EQ(in_use, 0);
    CHECK_EQ(held, 0);
    CHECK_EQ(pages_out, 0);
    CHECK_EQ(bad_frees, 0);
}

struct live {
    unsigned char *p;
    size_t size;
    unsigned char fill;
};

static int cmp_live(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct live *)a)->p;
    uintptr_t y = (uintptr_t)((const struct live *)b)->p;

    return (x > y) - (x < y);
}

/* Random sizes, patterns checked on free, no overlap, exact stats. */
static void test_random(void)
{
    enum { LIVE = 600, OPS = 40000 };
    static struct live live[LIVE], sorted[LIVE];
    size_t nlive = 0, expect = 0, in_use, held, i;
    unsigned int op, errors = 0;

    heap_init(&ops);
    for ( op = 0; op < OPS; op++ )
    {
        if ( nlive < LIVE && (nlive == 0 || unit_rand() % 100 < 52) )
        {
            uint64_t r = unit_rand();
            size_t size = r % 16 == 0 ? 2049 + (r >> 8) % 30000
                                      : 1 + (r >> 8) % 2048;
            struct live *l = &live[nlive];

            l->p = heap_alloc(size);
            if ( !l->p )
            {
                errors++;
                continue;
            }
            l->size = size;
            l->fill = (unsigned char)(r >> 40);
            errors += ((uintptr_t)l->p & 15) != 0;
            errors += size > 2048 && ((uintptr_t)l->p & 4095) != 0;
            memset(l->p, l->fill, size);
            expect += rounded(size);
            nlive++;
        }
        else
        {
            size_t k = unit_rand() % nlive;
            struct live *l = &live[k];

            for ( i = 0; i < l->size; i++ )
                if ( l->p[i] != l->fill )
                {
                    errors++;
                    break;
                }
            heap_free(l->p);
            expect -= rounded(l->size);
            *l = live[--nlive];
        }

        heap_stats(&in_use, &held);
        errors += in_use != expect || held < in_use;

        if ( op % 4000 == 0 && nlive )
        {
            memcpy(sorted, live, nlive * sizeof(live[0]));
            qsort(sorted, nlive, sizeof(sorted[0]), cmp_live);
            for ( i = 0; i + 1 < nlive; i++ )
                errors += sorted[i].p + sorted[i].size > sorted[i + 1].p;
        }
    }
    CHECK_EQ(errors, 0);

    while ( nlive )
        heap_free(live[--nlive].p);
    heap_stats(&in_use, &held);
    CHECK_EQ(in_use, 0);
    CHECK_EQ(held, 0);
    CHECK_EQ(pages_out, 0);
    CHECK_EQ(bad_frees, 0);
}

int main(void)
{
    test_basics();
    test_random();
    return unit_done();
}
