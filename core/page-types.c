/* SPDX-License-Identifier: MIT */
/* Page types and references: the rules that make direct paging safe. */
/*
 * Theory of operation
 *
 * A PV guest's page tables are real page tables, written by Tern only
 * after it has checked the change. What keeps a guest inside its own
 * memory is one invariant: a frame that the hardware may walk as a page
 * table is never writable through any mapping, and every frame a guest
 * entry maps belongs to the guest. Two counts per frame hold it:
 *
 *   general count (count_info)  every mapping, pin, base pointer and the
 *                               owner's allocation hold one reference;
 *                               at zero the frame goes back to Tern.
 *   type and type count         (type_info) what the frame is being used
 *                               as: writable page, L1..L4 table, segment
 *                               descriptors. Each writable mapping, each
 *                               table entry pointing at a lower table,
 *                               each pin and base pointer hold one type
 *                               reference. The type can change only while
 *                               the type count is zero.
 *
 * Taking the first reference of a page-table type validates the frame:
 * every present entry must pass the rules of its level and takes its own
 * references (recursively for lower tables); the frame is then marked
 * PGT_validated. Dropping the last type reference devalidates it: the
 * entries' references are dropped. An L1 entry with _PAGE_RW takes a
 * writable type reference on its frame, so a frame with a page-table type
 * cannot be mapped writable, and a frame mapped writable cannot become a
 * page table: the two can never hold at once.
 *
 * Rules per level (Xen's for a 64-bit PV guest):
 *   L1  flags within P RW US A D G AVAIL AVAIL_HIGH NX (no cache
 *       attributes for a domain without I/O memory); the frame must be RAM
 *       the domain owns (-EPERM for I/O space, -EINVAL for the all-ones
 *       "invalid" frame number, -EBUSY for a frame of another or no
 *       domain, or a writable mapping of a frame that cannot be writable).
 *   L2..L4  flags within P RW US A D AVAIL AVAIL_HIGH NX (no superpages:
 *       PSE is refused); the frame must be the domain's and take the type
 *       of the level below.
 *   L4  slots PT_TERN_SLOT_FIRST..LAST are Tern's: not validated, filled
 *       by pt_fill_tern_slots(), never changed by an update.
 *   Linear page tables: an entry may point at a table of its own level,
 *       read-only, if that table is already validated. Pointing at itself
 *       takes no reference. A table that holds such entries cannot itself
 *       be the target of one (linear > 0 vs. linear < 0), so there are no
 *       chains and no loops.
 * Present entries get _PAGE_USER added (guest kernel and user share ring
 * 3), and an L1 entry the guest made without it also bit 52, as Xen marks
 * guest-kernel mappings; CR4.PGE is off, so _PAGE_GLOBAL has no effect.
 *
 * Grant mappings (core/grant-table.c) are the one way an L1 entry maps a
 * frame of another domain: the grant code takes the entry's references
 * (general, writable type if _PAGE_RW) on the granted frame, then writes
 * the entry with pt_grant_install; unmapping clears it (pt_grant_remove)
 * and drops them. Such an entry is otherwise an ordinary one: removed by
 * mmu_update or a table's devalidation it drops its references as any
 * entry does (Xen's release builds), though the grant stays in use until
 * the mapper unmaps it or dies. get_entry never accepts another domain's
 * frame, so no other path makes one.
 *
 * Teardown (pt_relinquish_domain) follows Xen's relinquish: pins, tables
 * still in use (forcibly devalidated: no CPU runs on them any more) and
 * the allocation references go; what is left of the domain's frames is
 * freed at once, except the frames other domains map through its grants,
 * which live until their last reference goes.
 *
 * TLBs: when a type count drops to zero the frame gets a stamp; before a
 * frame changes type, every TLB that may hold translations older than the
 * stamp is flushed (pt_flush_stale), so a stale writable mapping never
 * outlives a change to page table, nor a stale table walk a change to
 * writable.
 *
 * Locks: the caller holds pt_lock (one lock for all domains) around each
 * call; nothing here sleeps or waits. Recursion is bounded: validation
 * descends at most four levels, and linear entries only take references
 * on tables that are already validated.
 */
#include <stddef.h>
#include <tern/errno.h>
#include <tern/page-types.h>

#define PTE_FLAGS       (~PTE_MFN_MASK)
#define AVAIL_HIGH      (0x7fful << 52)                  /* bits 52..62 */
#define GUEST_KERNEL    (1ul << 52)       /* Xen marks guest-kernel L1 entries */
#define INVALID_MFN_PTE 0xfffffffffful    /* all address bits set */
#define L1_ALLOWED      (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
                         _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_AVAIL | AVAIL_HIGH | \
                         _PAGE_NX)
#define LN_ALLOWED      (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
                         _PAGE_DIRTY | _PAGE_AVAIL | AVAIL_HIGH | _PAGE_NX)
/* Changes of only these bits keep the entry's references (Xen's fast path). */
#define FASTPATH_BITS   (_PAGE_NX | AVAIL_HIGH | _PAGE_AVAIL | _PAGE_GLOBAL | \
                         _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_USER)

static inline struct page_info *pg(unsigned long mfn)
{
    return &frame_table[mfn];
}

static inline unsigned long type_of(unsigned long mfn)
{
    return pg(mfn)->type_info & PGT_type_mask;
}

static inline unsigned int level_of(unsigned long type)
{
    return type >= PGT_l1_page_table && type <= PGT_l4_page_table
           ? (unsigned int)(type >> 60) : 0;
}

static inline unsigned long table_type(unsigned int level)
{
    return (unsigned long)level << 60;
}

static inline bool is_tern_slot(unsigned int level, unsigned int i)
{
    return level == 4 && i >= PT_TERN_SLOT_FIRST && i <= PT_TERN_SLOT_LAST;
}

unsigned int pt_table_level(unsigned long mfn)
{
    uint64_t t;

    if ( mfn >= max_mfn )
        return 0;
    t = pg(mfn)->type_info;
    return (t & PGT_validated) && (t & PGT_count_mask) ? level_of(t & PGT_type_mask) : 0;
}

bool get_page(unsigned long mfn, domid_t domid)
{
    struct page_info *p;
    uint64_t c;

    if ( mfn >= max_mfn || domid >= DOMID_FIRST_RESERVED )
        return false;
    p = pg(mfn);
    c = p->count_info & PGC_count_mask;
    if ( p->owner != domid || c == 0 || c == PGC_count_mask )
        return false;
    p->count_info++;
    return true;
}

void put_page(unsigned long mfn)
{
    struct page_info *p = pg(mfn);
    domid_t owner = p->owner;

    if ( !(p->count_info & PGC_count_mask) )
        pt_bug("general count underflow", mfn);
    if ( (--p->count_info & PGC_count_mask) )
        return;
    if ( p->type_info & PGT_count_mask )
        pt_bug("freeing a frame with type references", mfn);
    if ( p->count_info & PGC_tern_heap )
        return;                             /* Tern frees its own pages */
    p->count_info = 0;
    p->type_info = 0;
    p->linear = 0;
    pt_free_frame(mfn, owner);
}

static int validate(unsigned long mfn, unsigned int level);
static void devalidate(unsigned long mfn, unsigned int level);

int get_page_type(unsigned long mfn, unsigned long type)
{
    struct page_info *p = pg(mfn);
    uint64_t x = p->type_info;
    unsigned int level = level_of(type);
    int rc;

    if ( (x & PGT_count_mask) == PGT_count_mask )
        return -EINVAL;
    if ( (x & PGT_count_mask) != 0 )
    {
        /* In use: only as the same type, and never half validated. */
        if ( (x & PGT_type_mask) != type || !(x & PGT_validated) )
            return -EINVAL;
        p->type_info = x + 1;
        return 0;
    }
    if ( (x & PGT_type_mask) != type )
        pt_flush_stale(p->tlb_stamp);
    /* First reference: count 1 while (not yet) validated. */
    p->type_info = type | 1;
    if ( level )
        rc = validate(mfn, level);
    else if ( type == PGT_seg_desc_page )
        rc = pt_check_descriptor_page(pt_map_frame(mfn)) ? 0 : -EINVAL;
    else
        rc = 0;
    if ( rc )
    {
        p->type_info = type;
        return rc;
    }
    p->type_info = type | PGT_validated | 1;
    return 0;
}

void put_page_type(unsigned long mfn)
{
    struct page_info *p = pg(mfn);
    uint64_t x = p->type_info;
    unsigned int level = level_of(x & PGT_type_mask);

    if ( !(x & PGT_count_mask) )
        pt_bug("type count underflow", mfn);
    if ( (x & PGT_count_mask) > 1 )
    {
        p->type_info = x - 1;
        return;
    }
    if ( (x & PGT_pinned) )
        pt_bug("last type reference of a pinned frame", mfn);
    /* Last reference: nobody can take the half-torn-down table. */
    p->type_info = (x & PGT_type_mask) | 1;
    if ( level && (x & PGT_validated) )
        devalidate(mfn, level);
    p->tlb_stamp = pt_tlb_stamp();
    p->type_info = x & PGT_type_mask;
}

int get_page_and_type(unsigned long mfn, domid_t domid, unsigned long type)
{
    int rc;

    if ( !get_page(mfn, domid) )
        return -EINVAL;
    rc = get_page_type(mfn, type);
    if ( rc )
        put_page(mfn);
    return rc;
}

void put_page_and_type(unsigned long mfn)
{
    put_page_type(mfn);
    put_page(mfn);
}

/* An entry of level `level` in table self pointing at a table of its own
 * level: read-only, at an already validated table, no chains. */
static int get_linear(uint64_t e, unsigned long self, unsigned int level,
                      domid_t domid)
{
    unsigned long mfn = pte_mfn(e);
    struct page_info *t, *s = pg(self);

    if ( (e & _PAGE_RW) )
        return -EINVAL;
    if ( mfn == self )
        return 0;
    if ( !get_page(mfn, domid) )
        return -EINVAL;
    t = pg(mfn);
    if ( s->linear < 0 || t->linear > 0 || t->linear <= -0x40000000 ||
         (t->type_info & (PGT_type_mask | PGT_validated)) !=
             (table_type(level) | PGT_validated) ||
         (t->type_info & PGT_count_mask) == 0 ||
         (t->type_info & PGT_count_mask) == PGT_count_mask )
    {
        put_page(mfn);
        return -EINVAL;
    }
    t->type_info++;
    s->linear++;
    t->linear--;
    return 0;
}

/* Take the references entry e of a level-`level` table (frame self, owned
 * by domid) holds. Returns 0 or the Xen errno. */
static int get_entry(uint64_t e, unsigned int level, unsigned long self,
                     domid_t domid)
{
    unsigned long mfn = pte_mfn(e);
    int rc;

    if ( !(e & _PAGE_PRESENT) )
        return 0;
    if ( level == 1 )
    {
        if ( (e & PTE_FLAGS) & ~L1_ALLOWED )
            return -EINVAL;
        if ( mfn >= max_mfn || pg(mfn)->owner == DOMID_IO_RSVD )
            /* I/O space: no access granted (Xen's INVALID_MFN: -EINVAL) */
            return mfn == INVALID_MFN_PTE ? -EINVAL : -EPERM;
        if ( !get_page(mfn, domid) )
            return -EBUSY;
        if ( (e & _PAGE_RW) && get_page_type(mfn, PGT_writable_page) )
        {
            put_page(mfn);
            return -EBUSY;
        }
        return 0;
    }
    if ( (e & PTE_FLAGS) & ~LN_ALLOWED )
        return -EINVAL;
    if ( mfn < max_mfn && type_of(mfn) == table_type(level) &&
         (pg(mfn)->type_info & PGT_count_mask) )
        return get_linear(e, self, level, domid);
    if ( mfn == self )
        return get_linear(e, self, level, domid);
    rc = get_page_and_type(mfn, domid, table_type(level - 1));
    return rc;
}

/* Drop what get_entry() took for e. */
static void put_entry(uint64_t e, unsigned int level, unsigned long self)
{
    unsigned long mfn = pte_mfn(e);

    if ( !(e & _PAGE_PRESENT) )
        return;
    if ( level == 1 )
    {
        if ( (e & _PAGE_RW) )
            put_page_type(mfn);
        put_page(mfn);
        return;
    }
    if ( mfn == self )
        return;                             /* linear self map */
    if ( type_of(mfn) == table_type(level) )
    {
        pg(self)->linear--;
        pg(mfn)->linear++;
    }
    put_page_and_type(mfn);
}

static uint64_t adjust(uint64_t e, unsigned int level)
{
    if ( !(e & _PAGE_PRESENT) )
        return e;
    if ( level == 1 && !(e & _PAGE_USER) )
        e |= GUEST_KERNEL;
    return e | _PAGE_USER;
}

static int validate(unsigned long mfn, unsigned int level)
{
    uint64_t *t = pt_map_frame(mfn);
    domid_t domid = pg(mfn)->owner;
    unsigned int i;
    int rc;

    for ( i = 0; i < 512; i++ )
    {
        if ( is_tern_slot(level, i) )
            continue;
        rc = get_entry(t[i], level, mfn, domid);
        if ( rc )
        {
            while ( i-- > 0 )
                if ( !is_tern_slot(level, i) )
                    put_entry(t[i], level, mfn);
            return rc;
        }
        t[i] = adjust(t[i], level);
    }
    if ( level == 4 )
        pt_fill_tern_slots(t);
    return 0;
}

static void devalidate(unsigned long mfn, unsigned int level)
{
    uint64_t *t = pt_map_frame(mfn);
    unsigned int i;

    for ( i = 0; i < 512; i++ )
        if ( !is_tern_slot(level, i) )
            put_entry(t[i], level, mfn);
}

/*
 * Write e over *slot, which holds old (possibly with A/D bits the CPU set
 * since): with preserve_ad the new entry keeps them. Returns the value
 * replaced.
 */
static uint64_t write_entry(volatile uint64_t *slot, uint64_t e, bool preserve_ad)
{
    uint64_t cur = *slot;

    for ( ;; )
    {
        uint64_t want = preserve_ad && (e & _PAGE_PRESENT)
                        ? e | (cur & (_PAGE_ACCESSED | _PAGE_DIRTY)) : e;
        uint64_t seen = __sync_val_compare_and_swap(slot, cur, want);

        if ( seen == cur )
            return cur;
        cur = seen;                          /* the CPU set A or D */
    }
}

int pt_mod_entry(domid_t domid, unsigned long table_mfn, unsigned int idx,
                 uint64_t val, bool preserve_ad)
{
    unsigned int level;
    uint64_t *t, old;
    int rc;

    if ( idx >= 512 || !get_page(table_mfn, domid) )
        return -EINVAL;
    level = pt_table_level(table_mfn);
    if ( !level )
    {
        put_page(table_mfn);
        return -EINVAL;
    }
    if ( is_tern_slot(level, idx) )
    {
        put_page(table_mfn);
        return -EINVAL;
    }
    t = pt_map_frame(table_mfn);
    old = t[idx];
    if ( (val & _PAGE_PRESENT) )
    {
        if ( (val & PTE_FLAGS) & ~(level == 1 ? L1_ALLOWED : LN_ALLOWED) )
        {
            put_page(table_mfn);
            return -EINVAL;
        }
        /* Same frame, only harmless bits changed: keep the references. */
        if ( (old & _PAGE_PRESENT) && !((old ^ val) & ~FASTPATH_BITS) )
        {
            write_entry(&t[idx], adjust(val, level), preserve_ad);
            put_page(table_mfn);
            return 0;
        }
        rc = get_entry(val, level, table_mfn, domid);
        if ( rc )
        {
            put_page(table_mfn);
            return rc;
        }
    }
    old = write_entry(&t[idx], adjust(val, level), preserve_ad);
    put_entry(old, level, table_mfn);
    put_page(table_mfn);
    return 0;
}

/* Entry idx of l1mfn, a validated L1 owned by domid, or NULL. */
static volatile uint64_t *l1_slot(domid_t domid, unsigned long l1mfn,
                                  unsigned int idx)
{
    if ( idx >= 512 || l1mfn >= max_mfn || pg(l1mfn)->owner != domid ||
         !(pg(l1mfn)->count_info & PGC_count_mask) || pt_table_level(l1mfn) != 1 )
        return NULL;
    return &pt_map_frame(l1mfn)[idx];
}

int pt_grant_install(domid_t domid, unsigned long l1mfn, unsigned int idx,
                     uint64_t e)
{
    volatile uint64_t *slot = l1_slot(domid, l1mfn, idx);

    if ( !slot )
        return -EINVAL;
    put_entry(write_entry(slot, adjust(e, 1), false), 1, l1mfn);
    return 0;
}

int pt_grant_remove(domid_t domid, unsigned long l1mfn, unsigned int idx,
                    unsigned long mfn, bool writable, uint64_t repl)
{
    volatile uint64_t *slot = l1_slot(domid, l1mfn, idx);
    uint64_t cur;

    if ( !slot )
        return -EINVAL;
    cur = *slot;
    for ( ;; )
    {
        uint64_t seen;

        if ( !(cur & _PAGE_PRESENT) || pte_mfn(cur) != mfn ||
             !(cur & _PAGE_RW) != !writable )
            return -EINVAL;
        seen = __sync_val_compare_and_swap(slot, cur, repl);
        if ( seen == cur )
            return 0;
        cur = seen;                          /* the CPU set A or D */
    }
}

int pt_l1e_steal(domid_t domid, unsigned long l1mfn, unsigned int idx,
                 uint64_t *old)
{
    volatile uint64_t *slot = l1_slot(domid, l1mfn, idx);

    if ( !slot )
        return -EINVAL;
    *old = write_entry(slot, 0, false);
    return 0;
}

void pt_put_l1e(uint64_t e)
{
    put_entry(e, 1, 0);
}

static inline bool owned_in_use(unsigned long mfn, domid_t domid)
{
    return pg(mfn)->owner == domid && (pg(mfn)->count_info & PGC_count_mask);
}

void pt_relinquish_domain(domid_t domid,
                          bool (*keep)(unsigned long mfn, void *ctx), void *ctx)
{
    unsigned long mfn;
    unsigned int level;

    for ( mfn = 0; mfn < max_mfn; mfn++ )
        if ( owned_in_use(mfn, domid) && (pg(mfn)->type_info & PGT_pinned) )
        {
            pg(mfn)->type_info &= ~PGT_pinned;
            put_page_and_type(mfn);
        }
    /* Tables some other holder keeps in use: devalidate them anyway, top
     * down, so their entries' references (foreign ones too) go. */
    for ( level = 4; level >= 1; level-- )
        for ( mfn = 0; mfn < max_mfn; mfn++ )
            if ( owned_in_use(mfn, domid) && pt_table_level(mfn) == level )
            {
                pg(mfn)->type_info &= ~PGT_validated;
                devalidate(mfn, level);
            }
    for ( mfn = 0; mfn < max_mfn; mfn++ )
        if ( owned_in_use(mfn, domid) && (pg(mfn)->count_info & PGC_allocated) )
        {
            pg(mfn)->count_info &= ~PGC_allocated;
            put_page(mfn);
        }
    for ( mfn = 0; mfn < max_mfn; mfn++ )
    {
        struct page_info *p = pg(mfn);

        if ( !owned_in_use(mfn, domid) )
            continue;
        if ( keep && keep(mfn, ctx) )
        {
            /* Tern's shared page (shared_info, grant frames) granted away:
             * Tern's reference goes, the last mapping frees it. */
            if ( p->count_info & PGC_tern_heap )
            {
                p->count_info &= ~PGC_tern_heap;
                put_page(mfn);
            }
            continue;
        }
        p->count_info = 0;
        p->type_info = 0;
        p->linear = 0;
        pt_free_frame(mfn, domid);
    }
}

int pt_pin(domid_t domid, unsigned long mfn, unsigned long type)
{
    int rc;

    if ( !level_of(type) || !get_page(mfn, domid) )
        return -EINVAL;
    rc = get_page_type(mfn, type);
    if ( rc )
    {
        put_page(mfn);
        return rc;
    }
    if ( pg(mfn)->type_info & PGT_pinned )
    {
        put_page_and_type(mfn);
        return -EINVAL;
    }
    pg(mfn)->type_info |= PGT_pinned;
    return 0;
}

int pt_unpin(domid_t domid, unsigned long mfn)
{
    if ( !get_page(mfn, domid) )
        return -EINVAL;
    if ( !(pg(mfn)->type_info & PGT_pinned) )
    {
        put_page(mfn);
        return -EINVAL;
    }
    pg(mfn)->type_info &= ~PGT_pinned;
    put_page_and_type(mfn);
    put_page(mfn);
    return 0;
}

void pt_assign_page(unsigned long mfn, domid_t domid)
{
    struct page_info *p = pg(mfn);

    p->owner = domid;
    p->count_info = PGC_allocated | 1;
    p->type_info = PGT_none;
    p->linear = 0;
}

int pt_release_page(domid_t domid, unsigned long mfn)
{
    struct page_info *p;

    if ( !get_page(mfn, domid) )
        return -EINVAL;
    p = pg(mfn);
    if ( (p->count_info & PGC_tern_heap) )
    {
        put_page(mfn);
        return -EINVAL;
    }
    /* A pinned table stays pinned (Xen 4.17): the pin keeps it alive. */
    if ( (p->count_info & PGC_allocated) )
    {
        p->count_info &= ~PGC_allocated;
        put_page(mfn);
    }
    put_page(mfn);
    return 0;
}
