/* SPDX-License-Identifier: MIT */
/* A host machine for core/page-types.c and a checker of its invariants. */
#ifndef TERN_TESTS_PT_MODEL_H
#define TERN_TESTS_PT_MODEL_H

/*
 * Shared by tests/unit/test-page-types.c and tests/fuzz/fuzz-page-types.c.
 * A machine of PTM_FRAMES frames: 0-1 I/O, 2-29 domain 1, 30-49 domain 2,
 * 50-55 Tern's, 56-61 free, and 62-63 beyond the frame table (RAM ends at
 * PTM_MAX_MFN). ptm_check() recounts every reference from scratch (the
 * owner's allocation, pins, what the test holds, every entry of every
 * validated table) and compares with the frame table: any difference, any
 * frame both a table and writable, any entry reaching another domain's
 * frame is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern/errno.h>
#include <tern/page-types.h>

#define PTM_FRAMES   64
#define PTM_MAX_MFN  62
#define PTM_D1       1
#define PTM_D2       2
#define PTM_TERN_SLOT(i) ((0xabc00ul + (i)) << 12 | 0x63)

struct page_info *frame_table;
unsigned long max_mfn;

static struct page_info ptm_frames[PTM_FRAMES];
static uint64_t ptm_mem[PTM_FRAMES][512] __attribute__((aligned(4096)));
static unsigned int ptm_ext_gen[PTM_FRAMES];   /* get_page by the test */
static unsigned int ptm_ext_typed[PTM_FRAMES]; /* get_page_and_type by the test */
static unsigned long ptm_ext_type[PTM_FRAMES]; /* ... of this type */
static unsigned int ptm_freed[PTM_FRAMES];     /* pt_free_frame calls */
static uint64_t ptm_clock, ptm_last_flush;
static unsigned long ptm_flushes;
static char ptm_err[256];

void pt_lock(void) { }
void pt_unlock(void) { }

void pt_bug(const char *what, unsigned long mfn)
{
    fprintf(stderr, "pt_bug: %s (mfn %lu)\n", what, mfn);
    abort();
}

uint64_t *pt_map_frame(unsigned long mfn)
{
    if ( mfn >= PTM_MAX_MFN )
        pt_bug("mapping a frame beyond RAM", mfn);
    return ptm_mem[mfn];
}

void pt_fill_tern_slots(uint64_t *l4)
{
    unsigned int i;

    for ( i = PT_TERN_SLOT_FIRST; i <= PT_TERN_SLOT_LAST; i++ )
        l4[i] = PTM_TERN_SLOT(i);
}

bool pt_check_descriptor_page(const uint64_t *descs)
{
    return descs[0] != 0xbad;
}

uint64_t pt_tlb_stamp(void)
{
    return ++ptm_clock;
}

void pt_flush_stale(uint64_t stamp)
{
    if ( stamp > ptm_last_flush )
    {
        ptm_flushes++;
        ptm_last_flush = ++ptm_clock;
    }
}

void pt_free_frame(unsigned long mfn, domid_t owner)
{
    (void)owner;
    ptm_freed[mfn]++;
    frame_table[mfn].owner = DOMID_FREE;
}

static domid_t ptm_owner_of(unsigned long mfn)
{
    if ( mfn < 2 )
        return DOMID_IO_RSVD;
    if ( mfn < 30 )
        return PTM_D1;
    if ( mfn < 50 )
        return PTM_D2;
    if ( mfn < 56 )
        return DOMID_TERN;
    return DOMID_FREE;
}

static void ptm_reset(void)
{
    unsigned long mfn;

    frame_table = ptm_frames;
    max_mfn = PTM_MAX_MFN;
    memset(ptm_frames, 0, sizeof(ptm_frames));
    memset(ptm_mem, 0, sizeof(ptm_mem));
    memset(ptm_ext_gen, 0, sizeof(ptm_ext_gen));
    memset(ptm_ext_typed, 0, sizeof(ptm_ext_typed));
    memset(ptm_freed, 0, sizeof(ptm_freed));
    ptm_clock = ptm_last_flush = ptm_flushes = 0;
    for ( mfn = 0; mfn < PTM_MAX_MFN; mfn++ )
    {
        domid_t o = ptm_owner_of(mfn);

        if ( o == PTM_D1 || o == PTM_D2 )
            pt_assign_page(mfn, o);
        else
            ptm_frames[mfn].owner = o;
    }
}

static unsigned int ptm_level(unsigned long mfn)
{
    unsigned long t = frame_table[mfn].type_info;

    if ( !(t & PGT_validated) || !(t & PGT_count_mask) )
        return 0;
    t &= PGT_type_mask;
    return t >= PGT_l1_page_table && t <= PGT_l4_page_table ? (unsigned int)(t >> 60) : 0;
}

#define PTM_FAIL(...) do { snprintf(ptm_err, sizeof(ptm_err), __VA_ARGS__); return false; } while ( 0 )

/* Recount everything; false (and ptm_err says why) on any difference. */
static bool ptm_check(void)
{
    static uint64_t gen[PTM_FRAMES], typ[PTM_FRAMES];
    static int64_t lin[PTM_FRAMES];
    unsigned long mfn, i;

    memset(gen, 0, sizeof(gen));
    memset(typ, 0, sizeof(typ));
    memset(lin, 0, sizeof(lin));
    for ( mfn = 0; mfn < PTM_MAX_MFN; mfn++ )
    {
        const struct page_info *p = &frame_table[mfn];
        unsigned int level = ptm_level(mfn);

        if ( p->count_info & PGC_allocated )
            gen[mfn]++;
        if ( p->type_info & PGT_pinned )
        {
            gen[mfn]++;
            typ[mfn]++;
        }
        gen[mfn] += ptm_ext_gen[mfn] + ptm_ext_typed[mfn];
        typ[mfn] += ptm_ext_typed[mfn];
        if ( ptm_ext_typed[mfn] &&
             (p->type_info & PGT_type_mask) != ptm_ext_type[mfn] )
            PTM_FAIL("mfn %lu: held as type %#lx but is %#lx", mfn,
                     ptm_ext_type[mfn], (unsigned long)p->type_info);
        if ( (p->type_info & PGT_count_mask) && !(p->type_info & PGT_validated) )
            PTM_FAIL("mfn %lu: in use but not validated", mfn);
        if ( !level )
            continue;
        for ( i = 0; i < 512; i++ )
        {
            uint64_t e = ptm_mem[mfn][i];
            unsigned long t = pte_mfn(e);

            if ( level == 4 && i >= PT_TERN_SLOT_FIRST && i <= PT_TERN_SLOT_LAST )
            {
                if ( e != PTM_TERN_SLOT(i) )
                    PTM_FAIL("L4 %lu: Tern slot %lu changed", mfn, i);
                continue;
            }
            if ( !(e & _PAGE_PRESENT) )
                continue;
            if ( !(e & _PAGE_USER) )
                PTM_FAIL("L%u %lu[%lu]: present without _PAGE_USER", level, mfn, i);
            if ( t >= PTM_MAX_MFN || frame_table[t].owner != p->owner )
                PTM_FAIL("L%u %lu[%lu] = %#lx: not the owner's frame", level,
                         mfn, i, (unsigned long)e);
            if ( level == 1 )
            {
                gen[t]++;
                if ( e & _PAGE_RW )
                {
                    typ[t]++;
                    if ( (frame_table[t].type_info & PGT_type_mask) != PGT_writable_page )
                        PTM_FAIL("L1 %lu[%lu]: maps %lu writable, type %#lx", mfn, i,
                                 t, (unsigned long)frame_table[t].type_info);
                }
                continue;
            }
            if ( t == mfn )
            {
                if ( e & _PAGE_RW )
                    PTM_FAIL("L%u %lu[%lu]: writable self map", level, mfn, i);
                continue;
            }
            gen[t]++;
            typ[t]++;
            if ( (frame_table[t].type_info & PGT_type_mask) == ((unsigned long)level << 60) )
            {
                if ( e & _PAGE_RW )
                    PTM_FAIL("L%u %lu[%lu]: writable linear entry", level, mfn, i);
                lin[mfn]++;
                lin[t]--;
            }
            else if ( (frame_table[t].type_info & PGT_type_mask) !=
                      ((unsigned long)(level - 1) << 60) )
                PTM_FAIL("L%u %lu[%lu]: points at %lu of type %#lx", level, mfn,
                         i, t, (unsigned long)frame_table[t].type_info);
        }
    }
    for ( mfn = 0; mfn < PTM_MAX_MFN; mfn++ )
    {
        const struct page_info *p = &frame_table[mfn];

        if ( (p->count_info & PGC_count_mask) != gen[mfn] )
            PTM_FAIL("mfn %lu: general count %lu, counted %lu", mfn,
                     (unsigned long)(p->count_info & PGC_count_mask),
                     (unsigned long)gen[mfn]);
        if ( (p->type_info & PGT_count_mask) != typ[mfn] )
            PTM_FAIL("mfn %lu: type count %lu, counted %lu", mfn,
                     (unsigned long)(p->type_info & PGT_count_mask),
                     (unsigned long)typ[mfn]);
        if ( p->linear != lin[mfn] )
            PTM_FAIL("mfn %lu: linear %d, counted %ld", mfn, p->linear,
                     (long)lin[mfn]);
        if ( ptm_freed[mfn] > 1 )
            PTM_FAIL("mfn %lu: freed %u times", mfn, ptm_freed[mfn]);
        if ( ptm_freed[mfn] && (p->count_info || p->type_info) )
            PTM_FAIL("mfn %lu: freed but still counted", mfn);
        if ( !ptm_freed[mfn] && (p->owner == PTM_D1 || p->owner == PTM_D2) &&
             !(p->count_info & PGC_count_mask) )
            PTM_FAIL("mfn %lu: unreferenced but not freed", mfn);
    }
    return true;
}


/*
 * One operation of a random sequence, decoded from 8 bytes: what a guest
 * (or Tern on its behalf) can ask of the rules. Returns false if the
 * result is not one the rules may give.
 */
static const unsigned int ptm_idx[8] = { 0, 1, 2, 255, 256, 271, 272, 511 };

static unsigned long ptm_type(uint8_t b)
{
    static const unsigned long t[6] = { PGT_l1_page_table, PGT_l2_page_table,
        PGT_l3_page_table, PGT_l4_page_table, PGT_writable_page,
        PGT_seg_desc_page };

    return t[b % 6];
}

static uint64_t ptm_entry(const uint8_t *b)
{
    static const uint64_t extra[8] = { 0, 0, 0, _PAGE_PSE, _PAGE_PCD,
        1ul << 62, _PAGE_NX, _PAGE_GLOBAL };
    uint64_t e = (uint64_t)(b[0] % PTM_FRAMES) << 12;

    if ( b[1] & 7 )
        e |= _PAGE_PRESENT;
    if ( b[1] & 8 )
        e |= _PAGE_RW;
    if ( b[1] & 16 )
        e |= _PAGE_USER;
    if ( b[1] & 32 )
        e |= _PAGE_ACCESSED | _PAGE_DIRTY;
    e |= extra[b[2] & 7];
    if ( (b[2] & 0xf8) == 0xf8 )
        e |= 1ul << 51;                      /* far beyond RAM */
    return e;
}

static bool ptm_rc_ok(int rc)
{
    return rc == 0 || rc == -EINVAL || rc == -EBUSY || rc == -EPERM;
}

static bool ptm_op(const uint8_t *b)
{
    domid_t dom = (b[1] & 1) ? PTM_D1 : PTM_D2;
    unsigned long mfn = b[2] % PTM_FRAMES;
    int rc = 0;

    switch ( b[0] % 10 )
    {
    case 0:
        rc = pt_mod_entry(dom, mfn, ptm_idx[b[3] & 7] + (b[3] >> 7),
                          ptm_entry(b + 4), b[7] & 1);
        break;
    case 1:
        rc = pt_pin(dom, mfn, ptm_type(b[3]));
        break;
    case 2:
        rc = pt_unpin(dom, mfn);
        break;
    case 3:
        if ( mfn < PTM_MAX_MFN && ptm_ext_typed[mfn] &&
             ptm_ext_type[mfn] != ptm_type(b[3]) )
            break;
        rc = get_page_and_type(mfn, dom, ptm_type(b[3]));
        if ( rc == 0 )
        {
            ptm_ext_typed[mfn]++;
            ptm_ext_type[mfn] = ptm_type(b[3]);
        }
        break;
    case 4:
        if ( mfn < PTM_MAX_MFN && ptm_ext_typed[mfn] )
        {
            ptm_ext_typed[mfn]--;
            put_page_and_type(mfn);
        }
        break;
    case 5:
        rc = pt_release_page(dom, mfn);
        break;
    case 6:
        if ( mfn < PTM_MAX_MFN && !ptm_freed[mfn] &&
             (frame_table[mfn].owner == PTM_D1 || frame_table[mfn].owner == PTM_D2) &&
             (!(frame_table[mfn].type_info & PGT_count_mask) ||
              (frame_table[mfn].type_info & PGT_type_mask) == PGT_writable_page) )
            ptm_mem[mfn][ptm_idx[b[3] & 7]] = ptm_entry(b + 4);
        break;
    case 7:
        if ( mfn < PTM_MAX_MFN && ptm_freed[mfn] )
        {
            ptm_freed[mfn] = 0;
            pt_assign_page(mfn, dom);
        }
        break;
    case 8:
        if ( get_page(mfn, dom) )
            ptm_ext_gen[mfn]++;
        break;
    case 9:
        if ( mfn < PTM_MAX_MFN && ptm_ext_gen[mfn] )
        {
            ptm_ext_gen[mfn]--;
            put_page(mfn);
        }
        break;
    }
    if ( !ptm_rc_ok(rc) )
    {
        snprintf(ptm_err, sizeof(ptm_err), "op %u: unexpected rc %d", b[0] % 10, rc);
        return false;
    }
    return ptm_check();
}

#endif /* TERN_TESTS_PT_MODEL_H */
