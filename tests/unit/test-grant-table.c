/* SPDX-License-Identifier: MIT */
/* Unit tests of core/grant-table.c (with core/page-types.c and pt-model.h). */
/*
 * The machine is pt-model.h's: domain 1 owns frames 2-29, domain 2 frames
 * 30-49, Tern 50-55 (here: the shared grant frames). Each domain has a
 * pinned L1 (frame 2 for d1, 30 for d2) that holds its host mappings; the
 * host hooks take a host address as the machine address of an L1 entry
 * (GNTMAP_contains_pte's meaning) whatever the flags. gt_check() recounts
 * every reference (allocation, pins, Tern's shared pages, every entry of
 * every validated table whoever's frame it maps, device mappings the test
 * made) and every pin (from every maptrack) and shared flag bit, and
 * compares: the invariants the rules promise.
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <stdint.h>
#include <stdlib.h>
#include <tern/grant-table.h>
#pragma GCC diagnostic ignored "-Wunused-function"
#include "pt-model.h"
#include "unit.h"

#define D1 PTM_D1
#define D2 PTM_D2
#define L1_D1 2ul
#define L1_D2 30ul

static domid_t cur_dom;                 /* who makes the host-hook calls */
static unsigned int dev_gen[PTM_FRAMES], dev_typ[PTM_FRAMES];
static unsigned long next_tern_frame;
static size_t zalloc_live;

void gnttab_lock(void) { }
void gnttab_unlock(void) { }

void *gnttab_zalloc(size_t size)
{
    void *p = calloc(1, size);

    if ( p )
        zalloc_live++;
    return p;
}

void gnttab_free(void *p)
{
    if ( p )
        zalloc_live--;
    free(p);
}

grant_entry_v1_t *gnttab_share_frame(domid_t domid, unsigned long *mfn)
{
    unsigned long f;

    for ( f = 50; f < 56; f++ )
        if ( frame_table[f].owner == DOMID_TERN && !frame_table[f].count_info )
            break;
    if ( f == 56 )
        return NULL;
    next_tern_frame = f;
    frame_table[f].owner = domid;
    frame_table[f].count_info = PGC_tern_heap | 1;
    memset(ptm_mem[f], 0, 4096);
    *mfn = f;
    return (grant_entry_v1_t *)ptm_mem[f];
}

void gnttab_unshare_frame(grant_entry_v1_t *page, unsigned long mfn)
{
    (void)page;
    frame_table[mfn].owner = DOMID_TERN;
    frame_table[mfn].count_info = 0;
}

static uint64_t grant_pte(unsigned long mfn, unsigned int flags)
{
    uint64_t e = ((uint64_t)mfn << 12) | _PAGE_PRESENT | _PAGE_ACCESSED |
                 _PAGE_DIRTY | _PAGE_NX |
                 (((uint64_t)(flags >> _GNTMAP_guest_avail0) << 9) & _PAGE_AVAIL);

    if ( flags & GNTMAP_application_map )
        e |= _PAGE_USER;
    if ( !(flags & GNTMAP_readonly) )
        e |= _PAGE_RW;
    return e;
}

int gnttab_create_host_mapping(uint64_t addr, unsigned long mfn, unsigned int flags)
{
    if ( addr & 7 )
        return GNTST_general_error;
    return pt_grant_install(cur_dom, (unsigned long)(addr >> 12),
                            (unsigned int)(addr & 4095) / 8, grant_pte(mfn, flags))
           ? GNTST_general_error : GNTST_okay;
}

int gnttab_replace_host_mapping(uint64_t addr, unsigned long mfn,
                                uint64_t new_addr, unsigned int flags)
{
    uint64_t repl = 0;
    int rc;

    if ( new_addr && pt_l1e_steal(cur_dom, (unsigned long)(new_addr >> 12),
                                  (unsigned int)(new_addr & 4095) / 8, &repl) )
        return GNTST_general_error;
    rc = pt_grant_remove(cur_dom, (unsigned long)(addr >> 12),
                         (unsigned int)(addr & 4095) / 8, mfn,
                         !(flags & GNTMAP_readonly), repl);
    if ( rc && repl )
        pt_put_l1e(repl);
    return rc ? GNTST_general_error : GNTST_okay;
}

/* Host address of entry idx of d's L1. */
static uint64_t slot(domid_t d, unsigned int idx)
{
    return ((d == D1 ? L1_D1 : L1_D2) << 12) + idx * 8ul;
}

static uint64_t pte_at(domid_t d, unsigned int idx)
{
    return ptm_mem[d == D1 ? L1_D1 : L1_D2][idx];
}

static grant_entry_v1_t *entry(domid_t d, grant_ref_t ref)
{
    struct grant_table *gt = gnttab_table(d);

    return &gt->shared[ref / GNTTAB_PER_FRAME][ref % GNTTAB_PER_FRAME];
}

static void grant(domid_t d, grant_ref_t ref, domid_t to, unsigned long frame,
                  uint16_t flags)
{
    grant_entry_v1_t *e = entry(d, ref);

    e->domid = to;
    e->frame = (uint32_t)frame;
    __atomic_store_n(&e->flags, flags, __ATOMIC_SEQ_CST);
}

static int16_t map(domid_t ld, domid_t rd, grant_ref_t ref, uint32_t flags,
                   uint64_t host, grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = { .host_addr = host, .flags = flags,
                                       .ref = ref, .dom = rd, .handle = 0xdead };

    cur_dom = ld;
    gnttab_map(ld, &op);
    if ( h )
        *h = op.handle;
    if ( op.status == GNTST_okay && (flags & GNTMAP_device_map) )
    {
        dev_gen[op.dev_bus_addr >> 12]++;
        if ( !(flags & GNTMAP_readonly) )
            dev_typ[op.dev_bus_addr >> 12]++;
    }
    return op.status;
}

static int16_t unmap3(domid_t ld, grant_handle_t h, uint64_t host, uint64_t dev,
                      uint64_t new_addr)
{
    struct gnttab_unmap_op op = { .host_addr = host, .dev_bus_addr = dev,
                                  .new_addr = new_addr, .handle = h };
    struct gnttab_maptrack *mt = NULL;
    struct grant_table *lgt = gnttab_table(ld);
    uint16_t before = 0;

    if ( lgt && h < lgt->maptrack_limit )
    {
        mt = &lgt->maptrack[h / GNTTAB_MAPTRACK_PER_FRAME][h % GNTTAB_MAPTRACK_PER_FRAME];
        before = mt->flags;
    }
    cur_dom = ld;
    gnttab_unmap_start(ld, &op);
    gnttab_unmap_finish(ld, &op);
    if ( (op.done & GNTMAP_device_map) && (before & GNTMAP_device_map) )
    {
        dev_gen[op.mfn]--;
        if ( !(before & GNTMAP_readonly) )
            dev_typ[op.mfn]--;
    }
    return op.status;
}

static int16_t unmap(domid_t ld, grant_handle_t h, uint64_t host)
{
    return unmap3(ld, h, host, 0, 0);
}

static int16_t copy(domid_t ld, uint16_t flags, domid_t sd, uint64_t s,
                    uint16_t soff, domid_t dd, uint64_t dst, uint16_t doff,
                    uint16_t len)
{
    struct gnttab_copy op = { .len = len, .flags = flags };

    if ( flags & GNTCOPY_source_gref )
        op.source.u.ref = (grant_ref_t)s;
    else
        op.source.u.gmfn = s;
    if ( flags & GNTCOPY_dest_gref )
        op.dest.u.ref = (grant_ref_t)dst;
    else
        op.dest.u.gmfn = dst;
    op.source.domid = sd;
    op.source.offset = soff;
    op.dest.domid = dd;
    op.dest.offset = doff;
    cur_dom = ld;
    return (int16_t)gnttab_copy(ld, &op);
}

static uint32_t pin_of(domid_t d, grant_ref_t ref)
{
    struct grant_table *gt = d < GNTTAB_MAX_DOMIDS ? gnttab_table(d) : NULL;

    return gt ? gt->active[ref / GNTTAB_PER_FRAME][ref % GNTTAB_PER_FRAME].pin : 0;
}

static uint64_t gen_of(unsigned long mfn)
{
    return frame_table[mfn].count_info & PGC_count_mask;
}

static uint64_t typ_of(unsigned long mfn)
{
    return frame_table[mfn].type_info & PGT_count_mask;
}

/* Every table, dead ones too, for the recount: tables[] is the module's. */
static struct grant_table *any_table(domid_t d)
{
    struct gnttab_usage u;

    gnttab_usage(d, &u);
    if ( !u.exists )
        return NULL;
    return gnttab_table(d);             /* NULL when dead: skipped below */
}

static char gt_err[256];
#define GT_FAIL(...) do { snprintf(gt_err, sizeof(gt_err), __VA_ARGS__); return false; } while ( 0 )

/* Recount references, pins and shared flags; false (gt_err says why) on
 * any difference. */
static bool gt_check(void)
{
    static uint64_t gen[PTM_FRAMES], typ[PTM_FRAMES];
    static uint32_t pins[3][GNTTAB_MAX_FRAMES * 512];
    unsigned long mfn, i;
    domid_t d;

    memset(gen, 0, sizeof(gen));
    memset(typ, 0, sizeof(typ));
    memset(pins, 0, sizeof(pins));
    for ( mfn = 0; mfn < PTM_MAX_MFN; mfn++ )
    {
        const struct page_info *p = &frame_table[mfn];
        uint64_t t = p->type_info;
        unsigned int level = (t & PGT_validated) && (t & PGT_count_mask) &&
                             (t & PGT_type_mask) <= PGT_l4_page_table
                             ? (unsigned int)((t & PGT_type_mask) >> 60) : 0;

        gen[mfn] += !!(p->count_info & PGC_allocated) + !!(p->count_info & PGC_tern_heap);
        if ( t & PGT_pinned )
        {
            gen[mfn]++;
            typ[mfn]++;
        }
        gen[mfn] += ptm_ext_gen[mfn] + ptm_ext_typed[mfn] + dev_gen[mfn];
        typ[mfn] += ptm_ext_typed[mfn] + dev_typ[mfn];
        if ( !level )
            continue;
        for ( i = 0; i < 512; i++ )
        {
            uint64_t e = ptm_mem[mfn][i];

            if ( !(e & _PAGE_PRESENT) || (level == 4 && i >= 256 && i <= 271) )
                continue;
            if ( pte_mfn(e) >= PTM_MAX_MFN )
                GT_FAIL("L%u %lu[%lu] beyond RAM", level, mfn, i);
            if ( level > 1 && pte_mfn(e) == mfn )
                continue;
            gen[pte_mfn(e)]++;
            if ( level > 1 || (e & _PAGE_RW) )
                typ[pte_mfn(e)]++;
            if ( level == 1 && frame_table[pte_mfn(e)].owner != p->owner )
            {
                /* A foreign entry: only through a grant mapping. */
                if ( !(e & _PAGE_NX) || !(e & _PAGE_DIRTY) )
                    GT_FAIL("L1 %lu[%lu] = %#lx: foreign, not a grant PTE", mfn,
                            i, (unsigned long)e);
            }
        }
    }
    for ( mfn = 0; mfn < PTM_MAX_MFN; mfn++ )
    {
        if ( gen_of(mfn) != gen[mfn] )
            GT_FAIL("mfn %lu: general count %lu, counted %lu", mfn,
                    (unsigned long)gen_of(mfn), (unsigned long)gen[mfn]);
        if ( typ_of(mfn) != typ[mfn] )
            GT_FAIL("mfn %lu: type count %lu, counted %lu", mfn,
                    (unsigned long)typ_of(mfn), (unsigned long)typ[mfn]);
    }
    /* Pins: from every live table's maptrack, against every live table. */
    for ( d = 1; d <= 2; d++ )
    {
        struct grant_table *lgt = any_table(d);
        grant_handle_t h;

        for ( h = 0; lgt && h < lgt->maptrack_limit; h++ )
        {
            const struct gnttab_maptrack *m =
                &lgt->maptrack[h / GNTTAB_MAPTRACK_PER_FRAME][h % GNTTAB_MAPTRACK_PER_FRAME];
            bool ro = m->flags & GNTMAP_readonly;

            if ( !(m->flags & (GNTMAP_host_map | GNTMAP_device_map)) )
                continue;
            if ( m->domid < 1 || m->domid > 2 )
                GT_FAIL("d%u handle %u: granter d%u", d, h, m->domid);
            if ( m->flags & GNTMAP_host_map )
                pins[m->domid][m->ref] += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
            if ( m->flags & GNTMAP_device_map )
                pins[m->domid][m->ref] += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
        }
    }
    for ( d = 1; d <= 2; d++ )
    {
        struct grant_table *gt = any_table(d);
        unsigned int pinned = 0;
        grant_ref_t r;

        for ( r = 0; gt && r < gt->nr_frames * GNTTAB_PER_FRAME; r++ )
        {
            uint32_t pin = gt->active[r / 512][r % 512].pin;
            uint16_t fl = gt->shared[r / 512][r % 512].flags;

            pinned += pin != 0;
            if ( pin != pins[d][r] )
                GT_FAIL("d%u ref %u: pin %#x, maptracks say %#x", d, r, pin,
                        pins[d][r]);
            if ( !!(fl & GTF_reading) != !!pin )
                GT_FAIL("d%u ref %u: flags %#x with pin %#x", d, r, fl, pin);
            if ( !!(fl & GTF_writing) != !!(pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)) )
                GT_FAIL("d%u ref %u: flags %#x with pin %#x", d, r, fl, pin);
        }
        if ( gt && pinned != gt->nr_pinned )
            GT_FAIL("d%u: %u entries pinned, nr_pinned %u", d, pinned, gt->nr_pinned);
    }
    return true;
}

#define CHECK_GT() do {                                                    \
    bool ok_ = gt_check();                                                 \
    if ( !ok_ )                                                            \
        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, gt_err);        \
    CHECK(ok_);                                                            \
} while ( 0 )

/* A fresh machine: two domains with tables of max 4 frames (1 now) and
 * maptrack max_mt frames, each with its L1 pinned. */
static void setup(unsigned int max_mt)
{
    domid_t d;

    for ( d = 0; d < GNTTAB_MAX_DOMIDS; d++ )
    {
        gnttab_domain_release(d);
        gnttab_table_reap(d);
    }
    ptm_reset();
    memset(dev_gen, 0, sizeof(dev_gen));
    memset(dev_typ, 0, sizeof(dev_typ));
    CHECK_EQ(zalloc_live, 0);
    CHECK_EQ(pt_pin(D1, L1_D1, PGT_l1_page_table), 0);
    CHECK_EQ(pt_pin(D2, L1_D2, PGT_l1_page_table), 0);
    CHECK_EQ(gnttab_table_create(D1, 4, max_mt), 0);
    CHECK_EQ(gnttab_table_create(D2, 4, max_mt), 0);
}

static void test_table(void)
{
    struct grant_table *gt;
    uint32_t v;

    setup(2);
    gt = gnttab_table(D1);
    CHECK(gt != NULL);
    CHECK_EQ(gt->nr_frames, 1);
    CHECK_EQ(frame_table[gt->shared_mfn[0]].owner, D1);
    CHECK_EQ(frame_table[gt->shared_mfn[0]].count_info, PGC_tern_heap | 1);
    CHECK_EQ(gnttab_table_create(D1, 4, 2), -EEXIST);
    CHECK_EQ(gnttab_table_create(70, 4, 2), -EINVAL);
    CHECK_EQ(gnttab_table_create(3, 65, 2), -EINVAL);
    CHECK_EQ(gnttab_table_create(3, 0, 2), -EINVAL);
    CHECK(gnttab_table(3) == NULL);
    CHECK(gnttab_table(DOMID_SELF) == NULL);
    CHECK_EQ(gnttab_setup(gt, 2), GNTST_okay);
    CHECK_EQ(gt->nr_frames, 2);
    CHECK_EQ(gnttab_setup(gt, 1), GNTST_okay);      /* never shrinks */
    CHECK_EQ(gt->nr_frames, 2);
    CHECK_EQ(gnttab_setup(gt, 5), GNTST_general_error);
    CHECK_EQ(gnttab_setup(gt, 0), GNTST_okay);
    /* Out of shared frames (6 in the model, 3 used): growth rolls back. */
    CHECK_EQ(gnttab_setup(gt, 4), GNTST_okay);
    CHECK_EQ(gnttab_setup(gnttab_table(D2), 4), GNTST_general_error);
    CHECK_EQ(gnttab_table(D2)->nr_frames, 1);
    CHECK_EQ(frame_table[55].count_info, 0);
    v = 1;
    CHECK_EQ(gnttab_set_version(gt, &v), 0);
    CHECK_EQ(v, 1);
    v = 2;
    CHECK_EQ(gnttab_set_version(gt, &v), -ENOSYS);
    CHECK_EQ(v, 1);
    v = 0;
    CHECK_EQ(gnttab_set_version(gt, &v), -EINVAL);
    CHECK_EQ(v, 1);
    CHECK_GT();
}

static void test_map_errors(void)
{
    grant_handle_t h;
    grant_entry_v1_t *e;

    setup(2);
    e = entry(D1, 8);
    CHECK_EQ(map(D2, D1, 8, 0, slot(D2, 1), &h), GNTST_bad_gntref);
    CHECK_EQ(map(D2, 7, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_bad_domain);
    CHECK_EQ(map(D2, DOMID_SELF, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_bad_domain);
    CHECK_EQ(map(D2, D1, 512, GNTMAP_host_map, slot(D2, 1), &h), GNTST_bad_gntref);
    CHECK_EQ(h, 0xdead);
    /* Never granted (flags 0), granted to another, read-only mapped
     * writable, sub-page, accept_transfer: general_error, entry untouched. */
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_general_error);
    grant(D1, 8, D1, 10, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_general_error);
    grant(D1, 8, D2, 10, GTF_permit_access | GTF_readonly);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_general_error);
    CHECK_EQ(e->flags, GTF_permit_access | GTF_readonly);
    grant(D1, 8, D2, 10, GTF_permit_access | GTF_sub_page);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map | GNTMAP_readonly, slot(D2, 1), &h),
             GNTST_general_error);
    grant(D1, 8, D2, 10, GTF_accept_transfer);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map | GNTMAP_readonly, slot(D2, 1), &h),
             GNTST_general_error);
    /* A frame the granter does not own: bad_page, and the bits go again. */
    grant(D1, 8, D2, 35, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_bad_page);
    CHECK_EQ(e->flags, GTF_permit_access);
    grant(D1, 8, D2, 1ul << 30, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_bad_page);
    /* A frame that cannot be writable (an L1): general_error writable,
     * fine read-only. */
    grant(D1, 8, D2, L1_D1, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_general_error);
    CHECK_EQ(e->flags, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map | GNTMAP_readonly, slot(D2, 1), &h),
             GNTST_okay);
    CHECK_GT();
    CHECK_EQ(unmap(D2, h, slot(D2, 1)), GNTST_okay);
    /* A host address that is no L1 entry of the mapper's. */
    grant(D1, 8, D2, 10, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D1, 1), &h), GNTST_general_error);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, (35ul << 12), &h), GNTST_general_error);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1) + 4, &h), GNTST_general_error);
    CHECK_EQ(e->flags, GTF_permit_access);
    CHECK_EQ(pin_of(D1, 8), 0);
    CHECK_EQ(gnttab_table(D2)->maptrack_used, 0);
    CHECK_GT();
}

static void test_map_unmap(void)
{
    grant_handle_t h1, h2, h3;
    grant_entry_v1_t *e;
    uint64_t pte;

    setup(2);
    e = entry(D1, 8);
    grant(D1, 8, D2, 10, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map | (5u << _GNTMAP_guest_avail0),
                 slot(D2, 1), &h1), GNTST_okay);
    CHECK_EQ(h1, 0);
    CHECK_EQ(e->flags, GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(pin_of(D1, 8), GNTPIN_hstw_inc);
    CHECK_EQ(gen_of(10), 2);
    CHECK_EQ(typ_of(10), 1);
    pte = pte_at(D2, 1);
    CHECK_EQ(pte_mfn(pte), 10);
    CHECK((pte & (_PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_USER)) ==
          (_PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_USER));
    CHECK_EQ((pte & _PAGE_AVAIL) >> 9, 5);
    CHECK(pte & (1ul << 52));                        /* a kernel mapping */
    CHECK_GT();
    /* A second, read-only mapping, user-accessible. */
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map | GNTMAP_readonly |
                 GNTMAP_application_map, slot(D2, 2), &h2), GNTST_okay);
    CHECK_EQ(h2, 1);
    CHECK_EQ(pin_of(D1, 8), GNTPIN_hstw_inc | GNTPIN_hstr_inc);
    CHECK(!(pte_at(D2, 2) & _PAGE_RW));
    CHECK(!(pte_at(D2, 2) & (1ul << 52)));
    /* While d2 pins it, nobody else may use the entry. */
    CHECK_EQ(map(D1, D1, 8, GNTMAP_host_map | GNTMAP_readonly, slot(D1, 1), &h3),
             GNTST_general_error);
    CHECK_EQ(copy(D1, GNTCOPY_source_gref, D1, 8, 0, DOMID_SELF, 11, 0, 8),
             GNTST_general_error);
    CHECK_GT();
    /* The granter cannot end access (its cmpxchg sees the bits); clearing
     * permit_access anyway changes nothing for the mappings, and a new
     * writable mapping of a pinned entry does not look at it (Xen). */
    CHECK(!__sync_bool_compare_and_swap(&e->flags, GTF_permit_access, 0));
    __atomic_and_fetch(&e->flags, (uint16_t)~GTF_permit_access, __ATOMIC_SEQ_CST);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 3), &h3), GNTST_okay);
    CHECK_EQ(pin_of(D1, 8), 2 * GNTPIN_hstw_inc | GNTPIN_hstr_inc);
    CHECK_GT();
    /* Unmaps: bad handles, a wrong address, no address, then the real. */
    CHECK_EQ(unmap(D2, 256 * 2, slot(D2, 1)), GNTST_bad_handle);
    CHECK_EQ(unmap(D2, 7, slot(D2, 1)), GNTST_bad_handle);
    CHECK_EQ(unmap(D2, h1, slot(D2, 2)), GNTST_general_error);  /* r/o PTE */
    CHECK_EQ(unmap(D2, h1, slot(D2, 9)), GNTST_general_error);  /* empty */
    CHECK_EQ(unmap(D2, h1, 0), GNTST_okay);                     /* no-op */
    CHECK_EQ(pin_of(D1, 8), 2 * GNTPIN_hstw_inc | GNTPIN_hstr_inc);
    CHECK_EQ(unmap(D2, h1, slot(D2, 1)), GNTST_okay);
    CHECK_EQ(pte_at(D2, 1), 0);
    CHECK_EQ(unmap(D2, h1, slot(D2, 1)), GNTST_bad_handle);     /* twice */
    CHECK_EQ(unmap(D2, h3, slot(D2, 3)), GNTST_okay);
    CHECK_EQ(e->flags, GTF_reading);                 /* permit cleared above */
    CHECK_GT();
    CHECK_EQ(unmap(D2, h2, slot(D2, 2)), GNTST_okay);
    CHECK_EQ(e->flags, 0);
    CHECK_EQ(pin_of(D1, 8), 0);
    CHECK_EQ(gen_of(10), 1);
    CHECK_EQ(typ_of(10), 0);
    CHECK_EQ(gnttab_table(D2)->maptrack_used, 0);
    CHECK_GT();
    /* Freed handles go to the tail: the next is 3, not 0. */
    grant(D1, 8, D2, 10, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h1), GNTST_okay);
    CHECK_EQ(h1, 3);
    CHECK_EQ(unmap(D2, h1, slot(D2, 1)), GNTST_okay);
    /* Mapping over a present PTE replaces it (its references go). */
    CHECK_EQ(pt_mod_entry(D2, L1_D2, 4, (36ul << 12) | _PAGE_PRESENT | _PAGE_RW, false), 0);
    CHECK_EQ(typ_of(36), 1);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 4), &h1), GNTST_okay);
    CHECK_EQ(typ_of(36), 0);
    CHECK_EQ(gen_of(36), 1);
    CHECK_GT();
    CHECK_EQ(unmap(D2, h1, slot(D2, 4)), GNTST_okay);
    CHECK_GT();
}

static void test_self_and_device(void)
{
    grant_handle_t h1, h2;

    setup(2);
    /* Mapping one's own grant by one's own id (DOMID_SELF is refused). */
    grant(D1, 3, D1, 12, GTF_permit_access);
    CHECK_EQ(map(D1, D1, 3, GNTMAP_host_map, slot(D1, 7), &h1), GNTST_okay);
    CHECK_EQ(gen_of(12), 2);
    CHECK_EQ(typ_of(12), 1);
    CHECK_GT();
    CHECK_EQ(unmap(D1, h1, slot(D1, 7)), GNTST_okay);
    /* A writable device mapping (no IOMMU: the bus address is the frame). */
    grant(D1, 4, D2, 13, GTF_permit_access);
    {
        struct gnttab_map_grant_ref op = { .flags = GNTMAP_device_map, .ref = 4,
                                           .dom = D1 };

        cur_dom = D2;
        gnttab_map(D2, &op);
        CHECK_EQ(op.status, GNTST_okay);
        CHECK_EQ(op.dev_bus_addr, 13ul << 12);
        h1 = op.handle;
        dev_gen[13]++;
        dev_typ[13]++;
    }
    CHECK_EQ(pin_of(D1, 4), GNTPIN_devw_inc);
    CHECK_GT();
    /* Device and host at once: two references each. */
    CHECK_EQ(map(D2, D1, 4, GNTMAP_host_map | GNTMAP_device_map, slot(D2, 5), &h2),
             GNTST_okay);
    CHECK_EQ(gen_of(13), 4);                        /* alloc, 2 dev, 1 host */
    CHECK_GT();
    CHECK_EQ(unmap3(D2, h1, 0, 14ul << 12, 0), GNTST_bad_dev_addr);
    CHECK_EQ(unmap3(D2, h1, 0, 13ul << 12, 0), GNTST_okay);
    CHECK_GT();
    /* Undo one half at a time: the handle stays until both are gone. */
    CHECK_EQ(unmap3(D2, h2, slot(D2, 5), 0, 0), GNTST_okay);
    CHECK_EQ(pin_of(D1, 4), GNTPIN_devw_inc);
    CHECK_EQ(dev_gen[13], 1);
    CHECK_EQ(unmap3(D2, h2, 0, 13ul << 12, 0), GNTST_okay);
    CHECK_EQ(pin_of(D1, 4), 0);
    CHECK_EQ(entry(D1, 4)->flags, GTF_permit_access);
    CHECK_EQ(unmap3(D2, h2, 0, 13ul << 12, 0), GNTST_bad_handle);
    CHECK_GT();
}

static void test_limits(void)
{
    grant_handle_t h[300];
    unsigned int i;
    int16_t rc;

    setup(1);                                       /* 256 handles */
    grant(D1, 8, D2, 10, GTF_permit_access);
    for ( i = 0; i < 128; i++ )
        CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map | GNTMAP_readonly,
                     slot(D2, 10 + i), &h[i]), GNTST_okay);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map | GNTMAP_readonly, slot(D2, 200), NULL),
             GNTST_general_error);                  /* pin count would overflow */
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 200), NULL),
             GNTST_general_error);                  /* any kind: Xen checks all */
    CHECK_GT();
    for ( i = 0; i < 128; i++ )
        CHECK_EQ(unmap(D2, h[i], slot(D2, 10 + i)), GNTST_okay);
    /* 256 mappings, then no handle left. */
    for ( i = 0; i < 256; i++ )
    {
        grant(D1, (grant_ref_t)(16 + i), D2, 10 + i % 8, GTF_permit_access);
        rc = map(D2, D1, 16 + i, GNTMAP_host_map | GNTMAP_readonly,
                 slot(D2, 10 + i), &h[i]);
        CHECK_EQ(rc, GNTST_okay);
    }
    grant(D1, 300, D2, 10, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 300, GNTMAP_host_map, slot(D2, 300), NULL),
             GNTST_no_device_space);
    CHECK_EQ(entry(D1, 300)->flags, GTF_permit_access);
    CHECK_GT();
    for ( i = 0; i < 256; i++ )
        CHECK_EQ(unmap(D2, h[i], slot(D2, 10 + i)), GNTST_okay);
    CHECK_GT();
}

static void test_copy(void)
{
    uint8_t *p10 = (uint8_t *)ptm_mem[10], *p31 = (uint8_t *)ptm_mem[31];

    setup(2);
    memset(p10, 0xa1, 4096);
    memset(p31, 0, 4096);
    grant(D1, 5, D2, 10, GTF_permit_access | GTF_readonly);
    grant(D1, 6, D2, 11, GTF_permit_access);
    /* From d1's read-only grant to d2's own frame. */
    CHECK_EQ(copy(D2, GNTCOPY_source_gref, D1, 5, 100, DOMID_SELF, 31, 8, 16),
             GNTST_okay);
    CHECK(p31[8] == 0xa1 && p31[23] == 0xa1 && p31[24] == 0 && p31[7] == 0);
    CHECK_EQ(entry(D1, 5)->flags, GTF_permit_access | GTF_readonly);
    CHECK_EQ(pin_of(D1, 5), 0);
    /* Into a read-only grant: general_error; into a writable one: fine. */
    CHECK_EQ(copy(D2, GNTCOPY_dest_gref, DOMID_SELF, 31, 0, D1, 5, 0, 8),
             GNTST_general_error);
    CHECK_EQ(entry(D1, 5)->flags, GTF_permit_access | GTF_readonly);
    p31[0] = 0x5a;
    CHECK_EQ(copy(D2, GNTCOPY_dest_gref, DOMID_SELF, 31, 0, D1, 6, 4095, 1),
             GNTST_okay);
    CHECK(((uint8_t *)ptm_mem[11])[4095] == 0x5a);
    CHECK_EQ(entry(D1, 6)->flags, GTF_permit_access);
    /* Both sides by reference. */
    CHECK_EQ(copy(D2, GNTCOPY_source_gref | GNTCOPY_dest_gref, D1, 5, 0, D1, 6, 0, 64),
             GNTST_okay);
    CHECK(((uint8_t *)ptm_mem[11])[63] == 0xa1);
    /* Errors, in Xen's order. */
    CHECK_EQ(copy(D2, 0, D1, 10, 0, DOMID_SELF, 31, 0, 8), GNTST_permission_denied);
    CHECK_EQ(copy(D2, 0, D2, 31, 0, DOMID_SELF, 31, 0, 8), GNTST_permission_denied);
    CHECK_EQ(copy(D2, GNTCOPY_source_gref, 7, 5, 0, DOMID_SELF, 31, 0, 8),
             GNTST_bad_domain);
    CHECK_EQ(copy(D2, GNTCOPY_source_gref, D1, 600, 0, DOMID_SELF, 31, 0, 8),
             GNTST_bad_gntref);
    CHECK_EQ(copy(D2, GNTCOPY_source_gref, D1, 9, 0, DOMID_SELF, 31, 0, 8),
             GNTST_general_error);                   /* never granted */
    CHECK_EQ(copy(D2, 0, DOMID_SELF, 10, 0, DOMID_SELF, 31, 0, 8),
             GNTST_bad_page);                        /* not our frame */
    CHECK_EQ(copy(D2, GNTCOPY_source_gref, D1, 5, 4000, DOMID_SELF, 31, 0, 97),
             GNTST_bad_copy_arg);
    CHECK_EQ(copy(D2, GNTCOPY_source_gref, D1, 600, 4000, DOMID_SELF, 31, 0, 97),
             GNTST_bad_gntref);                      /* claims come first */
    CHECK_EQ(copy(D2, 0, DOMID_SELF, 31, 0, DOMID_SELF, L1_D2, 0, 8),
             GNTST_general_error);                   /* a table is not writable */
    CHECK_EQ(pin_of(D1, 5) | pin_of(D1, 6), 0);
    CHECK_EQ(entry(D1, 6)->flags, GTF_permit_access);
    CHECK_GT();
}

static void test_implicit_unmap(void)
{
    grant_handle_t h;

    setup(2);
    grant(D1, 8, D2, 10, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h), GNTST_okay);
    /* mmu_update over the grant PTE: its references go, the grant stays in
     * use (Xen release builds); the handle's unmap then fails. */
    CHECK_EQ(pt_mod_entry(D2, L1_D2, 1, 0, false), 0);
    CHECK_EQ(gen_of(10), 1);
    CHECK_EQ(typ_of(10), 0);
    CHECK_EQ(unmap(D2, h, slot(D2, 1)), GNTST_general_error);
    CHECK_EQ(entry(D1, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    /* An mmu_update cannot make a foreign PTE. */
    CHECK_EQ(pt_mod_entry(D2, L1_D2, 1, (10ul << 12) | _PAGE_PRESENT, false), -EBUSY);
    /* d2 ends: its maptrack goes, the entry is free again. */
    gnttab_domain_release(D2);
    CHECK_EQ(pin_of(D1, 8), 0);
    CHECK_EQ(entry(D1, 8)->flags, GTF_permit_access);
    pt_relinquish_domain(D2, NULL, NULL);
    gnttab_table_reap(D2);
    CHECK_GT();
}

static bool keep_cb(unsigned long mfn, void *ctx)
{
    return gnttab_frame_in_use(*(domid_t *)ctx, mfn);
}

static void destroy(domid_t d)
{
    gnttab_domain_release(d);
    pt_relinquish_domain(d, keep_cb, &d);
    gnttab_table_reap(d);
}

static void test_teardown(void)
{
    grant_handle_t h1, h2, h3;
    unsigned long gframe, mfn;
    struct gnttab_usage u;

    /* The granter dies while its frames are mapped: they stay, owned by
     * nobody alive, until the last mapping goes; its table lives on for the
     * unmaps and goes with the last pin. */
    setup(2);
    gframe = gnttab_table(D1)->shared_mfn[0];
    grant(D1, 8, D2, 10, GTF_permit_access);
    grant(D1, 9, D2, gframe, GTF_permit_access | GTF_readonly);
    grant(D1, 10, D1, 14, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), &h1), GNTST_okay);
    CHECK_EQ(map(D2, D1, 9, GNTMAP_host_map | GNTMAP_readonly, slot(D2, 2), &h2),
             GNTST_okay);
    CHECK_EQ(map(D1, D1, 10, GNTMAP_host_map, slot(D1, 3), &h3), GNTST_okay);
    /* d1 also maps d2's frame: released with d1. */
    grant(D2, 1, D1, 40, GTF_permit_access);
    CHECK_EQ(map(D1, D2, 1, GNTMAP_host_map, slot(D1, 4), NULL), GNTST_okay);
    CHECK_EQ(gen_of(40), 2);
    CHECK_GT();
    destroy(D1);
    CHECK(gnttab_table(D1) == NULL);
    gnttab_usage(D1, &u);
    CHECK(u.exists && u.dead && u.active == 2);
    CHECK_EQ(entry(D2, 1)->flags, GTF_permit_access);
    CHECK_EQ(pin_of(D2, 1), 0);
    CHECK_EQ(gen_of(40), 1);
    CHECK_EQ(typ_of(40), 0);
    for ( mfn = 2; mfn < 30; mfn++ )
        if ( mfn != 10 )
            CHECK_EQ(ptm_freed[mfn], 1);
    CHECK_EQ(ptm_freed[10], 0);
    CHECK_EQ(ptm_freed[14], 1);
    CHECK_EQ(gen_of(10), 1);
    CHECK_EQ(typ_of(10), 1);
    CHECK_EQ(frame_table[gframe].owner, D1);
    CHECK_EQ(frame_table[gframe].count_info, 1);     /* Tern's went */
    CHECK_EQ(ptm_freed[gframe], 0);
    /* d2 goes on using them, and unmaps fine. */
    CHECK_EQ(map(D2, D1, 11, GNTMAP_host_map, slot(D2, 3), NULL), GNTST_bad_domain);
    CHECK_EQ(copy(D2, GNTCOPY_source_gref, D1, 8, 0, DOMID_SELF, 31, 0, 8),
             GNTST_bad_domain);
    CHECK_EQ(unmap(D2, h1, slot(D2, 1)), GNTST_okay);
    CHECK_EQ(ptm_freed[10], 1);
    CHECK_EQ(gen_of(10), 0);
    gnttab_usage(D1, &u);
    CHECK(u.exists && u.active == 1);
    CHECK_EQ(unmap(D2, h2, slot(D2, 2)), GNTST_okay);
    CHECK_EQ(ptm_freed[gframe], 1);
    gnttab_usage(D1, &u);
    CHECK(!u.exists);
    CHECK_GT();

    /* The mapper dies holding a mapping: released, nothing leaks. */
    setup(2);
    grant(D1, 8, D2, 10, GTF_permit_access);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 1), NULL), GNTST_okay);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_device_map | GNTMAP_readonly, 0, NULL), GNTST_okay);
    dev_gen[10]--;                                   /* released with d2 */
    destroy(D2);
    CHECK_EQ(pin_of(D1, 8), 0);
    CHECK_EQ(entry(D1, 8)->flags, GTF_permit_access);
    CHECK_EQ(gen_of(10), 1);
    CHECK_EQ(typ_of(10), 0);
    for ( mfn = 30; mfn < 50; mfn++ )
        CHECK_EQ(ptm_freed[mfn], 1);
    CHECK(__sync_bool_compare_and_swap(&entry(D1, 8)->flags, GTF_permit_access, 0));
    CHECK_GT();
    destroy(D1);
    CHECK_EQ(zalloc_live, 0);
    for ( mfn = 2; mfn < 56; mfn++ )
        CHECK(!(frame_table[mfn].count_info & PGC_count_mask));
}

static void test_replace_and_swap(void)
{
    grant_handle_t h;
    uint64_t stolen;

    setup(2);
    grant(D1, 8, D2, 10, GTF_permit_access);
    CHECK_EQ(pt_mod_entry(D2, L1_D2, 5, (36ul << 12) | _PAGE_PRESENT | _PAGE_RW, false), 0);
    CHECK_EQ(map(D2, D1, 8, GNTMAP_host_map, slot(D2, 4), &h), GNTST_okay);
    CHECK_EQ(unmap3(D2, h, slot(D2, 4), 0, slot(D2, 5)), GNTST_okay);
    CHECK_EQ(pte_mfn(pte_at(D2, 4)), 36);
    CHECK_EQ(pte_at(D2, 5), 0);
    CHECK_EQ(typ_of(36), 1);
    CHECK_EQ(gen_of(10), 1);
    CHECK_GT();
    /* The page-type calls themselves. */
    CHECK_EQ(pt_grant_install(D2, L1_D1, 0, 10ul << 12 | 1), -EINVAL);
    CHECK_EQ(pt_grant_install(D2, 31, 0, 10ul << 12 | 1), -EINVAL);
    CHECK_EQ(pt_grant_install(D2, L1_D2, 512, 10ul << 12 | 1), -EINVAL);
    CHECK_EQ(pt_grant_remove(D2, L1_D2, 4, 35, true, 0), -EINVAL);
    CHECK_EQ(pt_grant_remove(D2, L1_D2, 4, 36, false, 0), -EINVAL);
    CHECK_EQ(pt_l1e_steal(D2, L1_D2, 4, &stolen), 0);
    CHECK_EQ(pte_mfn(stolen), 36);
    CHECK_EQ(pt_grant_remove(D2, L1_D2, 4, 36, true, 0), -EINVAL);
    pt_put_l1e(stolen);
    CHECK_EQ(typ_of(36), 0);
    CHECK_GT();
    /* swap_grant_ref. */
    grant(D1, 9, D2, 11, GTF_permit_access | GTF_readonly);
    CHECK_EQ(gnttab_swap(gnttab_table(D1), 8, 9), GNTST_okay);
    CHECK_EQ(entry(D1, 8)->frame, 11);
    CHECK_EQ(entry(D1, 9)->flags, GTF_permit_access);
    CHECK_EQ(gnttab_swap(gnttab_table(D1), 8, 512), GNTST_bad_gntref);
    CHECK_EQ(gnttab_swap(gnttab_table(D1), 9, 9), GNTST_okay);
    CHECK_EQ(map(D2, D1, 9, GNTMAP_host_map, slot(D2, 6), &h), GNTST_okay);
    CHECK_EQ(gnttab_swap(gnttab_table(D1), 8, 9), GNTST_eagain);
    CHECK_EQ(unmap(D2, h, slot(D2, 6)), GNTST_okay);
    CHECK(gnttab_frame_in_use(D1, 10) == false);
    CHECK_GT();
}

/* Random operations by both domains on a few entries; every step keeps
 * the recount exact. */
static void test_random(void)
{
    grant_handle_t handles[2][64];
    uint64_t hosts[2][64];
    unsigned int nh[2] = { 0, 0 }, step;

    setup(1);
    for ( step = 0; step < 20000; step++ )
    {
        uint64_t r = unit_rand();
        domid_t ld = (r & 1) ? D1 : D2, rd = (r & 2) ? D1 : D2;
        unsigned int li = ld - 1;
        grant_ref_t ref = (grant_ref_t)((r >> 2) % 6);
        unsigned int idx = 100 + (unsigned int)((r >> 8) % 64);

        switch ( (r >> 16) % 8 )
        {
        case 0:                                     /* (re)grant */
        {
            unsigned long frame = (rd == D1 ? 10 : 36) + (r >> 24) % 4;
            uint16_t fl = (r >> 28) & 1 ? GTF_permit_access :
                          GTF_permit_access | GTF_readonly;
            grant_entry_v1_t *e = entry(rd, ref);
            uint16_t cur = e->flags;

            /* As a guest does: only while Tern does not use it. */
            if ( !(cur & (GTF_reading | GTF_writing)) )
                grant(rd, ref, (r >> 29) & 1 ? D1 : D2, frame, fl);
            break;
        }
        case 1:
        case 2:
            if ( nh[li] < 64 )
            {
                uint32_t fl = GNTMAP_host_map | ((r >> 30) & 1 ? GNTMAP_readonly : 0);
                grant_handle_t h;

                if ( !(pte_at(ld, idx) & _PAGE_PRESENT) &&
                     map(ld, rd, ref, fl, slot(ld, idx), &h) == GNTST_okay )
                {
                    handles[li][nh[li]] = h;
                    hosts[li][nh[li]++] = slot(ld, idx);
                }
            }
            break;
        case 3:
        case 4:
            if ( nh[li] )
            {
                unsigned int k = (unsigned int)((r >> 32) % nh[li]);
                int16_t rc = unmap(ld, handles[li][k], hosts[li][k]);

                if ( rc == GNTST_okay )
                {
                    handles[li][k] = handles[li][--nh[li]];
                    hosts[li][k] = hosts[li][nh[li]];
                }
            }
            break;
        case 5:
            copy(ld, GNTCOPY_source_gref, rd, ref, 0, DOMID_SELF,
                 ld == D1 ? 20 : 45, 0, 64);
            copy(ld, GNTCOPY_dest_gref, DOMID_SELF, ld == D1 ? 20 : 45, 0, rd, ref,
                 0, 64);
            break;
        case 6:                                     /* implicit unmap */
            if ( (r >> 40) % 8 == 0 )
                pt_mod_entry(ld, ld == D1 ? L1_D1 : L1_D2, idx, 0, false);
            break;
        case 7:                                     /* end access, forcibly */
            if ( (r >> 40) % 16 == 0 )
                __atomic_and_fetch(&entry(rd, ref)->flags,
                                   (uint16_t)~GTF_permit_access, __ATOMIC_SEQ_CST);
            break;
        }
        if ( !gt_check() )
        {
            fprintf(stderr, "random step %u: %s\n", step, gt_err);
            CHECK(false);
            return;
        }
    }
    CHECK(true);
    destroy(D1);
    destroy(D2);
    CHECK_EQ(zalloc_live, 0);
    for ( step = 2; step < 56; step++ )
        CHECK(!(frame_table[step].count_info & PGC_count_mask));
}

int main(void)
{
    test_table();
    test_map_errors();
    test_map_unmap();
    test_self_and_device();
    test_limits();
    test_copy();
    test_implicit_unmap();
    test_teardown();
    test_replace_and_swap();
    test_random();
    return unit_done();
}
