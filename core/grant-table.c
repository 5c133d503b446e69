/* SPDX-License-Identifier: MIT */
/* Grant tables v1: the rules of sharing frames between domains. */
/*
 * Theory of operation
 *
 * A domain grants another one access to a frame by filling an entry of
 * its shared grant table (frames Tern allocated and shares writable with
 * it, GNTTABOP_setup_table): flags GTF_permit_access [| GTF_readonly],
 * domid the grantee, frame the machine frame. The grantee names the entry
 * by (granter, ref) to map it (GNTTABOP_map_grant_ref) or to copy through
 * it (GNTTABOP_copy). Three records per table, as in Xen:
 *
 *   shared entry (guest memory)   the guest writes flags/domid/frame at any
 *                                 time; Tern only sets and clears
 *                                 GTF_reading / GTF_writing in flags
 *   active entry (Tern's)         pin counts per kind of use (host or
 *                                 device, read-only or writable), the
 *                                 grantee and the frame, fixed while pinned
 *   maptrack (the grantee's)      handle -> (granter, ref, GNTMAP_* flags)
 *
 *   shared flags:  permit_access --first pin--> permit|reading[|writing]
 *                  --last writable pin goes--> permit|reading
 *                  --last pin goes--> permit_access
 *
 * The first pin checks the shared entry and sets the bits in one cmpxchg
 * of flags+domid (retried a few times, then refused: a guest changing it
 * without end cannot make Tern spin), and reads frame once. A granter ends
 * access by clearing permit_access only while neither bit is set (its own
 * cmpxchg); if it clears it anyway nothing changes for Tern: mappings stay
 * until unmapped and the bits until the last pin goes, as on Xen.
 *
 * References: a host mapping holds one general reference on the frame and,
 * when writable, one writable type reference (so the frame can never
 * become a page table while mapped); they belong to the PTE, which drops
 * them if it goes another way (core/page-types.c). A device mapping holds
 * the same through its maptrack entry; a copy holds them for its duration.
 * So a granted frame cannot be freed or retyped while used, even after its
 * owner died.
 *
 * Lifetime: tables[] holds each domain's table from its build. When the
 * domain ends (gnttab_domain_release) its own mappings are released and
 * its table is dead: not found any more by map, copy or setup, but kept
 * while other domains still pin its entries, so that their unmaps find
 * the pins to drop; gnttab_table_reap frees it after the last.
 *
 * Locks: every call holds gnttab_lock() (one lock for all tables, taken by
 * the hypercall glue), which keeps tables alive and entries stable across
 * domains; page references are changed under pt_lock, taken here inside
 * gnttab_lock and never around a host hook. Order: gnttab_lock, pt_lock.
 */
#include <tern/errno.h>
#include <tern/grant-table.h>
#include <tern/page-types.h>

#define MAPTRACK_TAIL   (~0u)
#define MAP_KINDS       (GNTMAP_device_map | GNTMAP_host_map)
#define PIN_WRITE       (GNTPIN_hstw_mask | GNTPIN_devw_mask)
#define SET_STATUS_TRIES 5

static struct grant_table *tables[GNTTAB_MAX_DOMIDS];

static inline unsigned int nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * GNTTAB_PER_FRAME;
}

static inline struct gnttab_active *active_of(struct grant_table *gt,
                                              grant_ref_t ref)
{
    return &gt->active[ref / GNTTAB_PER_FRAME][ref % GNTTAB_PER_FRAME];
}

/* The shared entry of ref, or NULL once the table is dead. */
static inline grant_entry_v1_t *shared_of(struct grant_table *gt, grant_ref_t ref)
{
    grant_entry_v1_t *f = gt->shared[ref / GNTTAB_PER_FRAME];

    return f ? &f[ref % GNTTAB_PER_FRAME] : NULL;
}

static inline struct gnttab_maptrack *maptrack_of(struct grant_table *gt,
                                                  grant_handle_t h)
{
    return &gt->maptrack[h / GNTTAB_MAPTRACK_PER_FRAME][h % GNTTAB_MAPTRACK_PER_FRAME];
}

struct grant_table *gnttab_table(domid_t domid)
{
    struct grant_table *gt = domid < GNTTAB_MAX_DOMIDS ? tables[domid] : NULL;

    return gt && !gt->dead ? gt : NULL;
}

/* Add delta to act's pins, counting the table's pinned entries. */
static void pin_add(struct grant_table *gt, struct gnttab_active *act,
                    int32_t delta)
{
    uint32_t was = act->pin;

    act->pin += (uint32_t)delta;
    if ( !was && act->pin )
        gt->nr_pinned++;
    else if ( was && !act->pin )
        gt->nr_pinned--;
}

/* Clear GTF_reading / GTF_writing as act's pins no longer need them
 * (writing only after a writable use). */
static void clear_status(struct grant_table *gt, grant_ref_t ref,
                         const struct gnttab_active *act, bool was_write)
{
    grant_entry_v1_t *e = shared_of(gt, ref);
    uint16_t mask = 0;

    if ( was_write && !(act->pin & PIN_WRITE) )
        mask |= GTF_writing;
    if ( !act->pin )
        mask |= GTF_reading;
    if ( mask && e )
        __atomic_fetch_and(&e->flags, (uint16_t)~mask, __ATOMIC_SEQ_CST);
}

/*
 * Mark entry e in use by domain ld (reading, and writing unless readonly)
 * in one cmpxchg of flags+domid, checking first (when nothing pins it yet)
 * that it grants ld access; a mapping also refuses GTF_sub_page. Returns
 * GNTST_okay or GNTST_general_error.
 */
static int set_status(grant_entry_v1_t *e, const struct gnttab_active *act,
                      bool readonly, bool mapping, domid_t ld)
{
    volatile uint32_t *raw = (volatile uint32_t *)e;
    uint16_t mask = GTF_type_mask | (mapping ? GTF_sub_page : 0);
    uint32_t cur = *raw;
    unsigned int tries;

    for ( tries = 0; tries < SET_STATUS_TRIES; tries++ )
    {
        uint16_t flags = (uint16_t)cur;
        domid_t domid = (domid_t)(cur >> 16);
        uint32_t want = cur | GTF_reading | (readonly ? 0 : GTF_writing);
        uint32_t seen;

        if ( !act->pin && ((flags & mask) != GTF_permit_access || domid != ld) )
            return GNTST_general_error;
        if ( !readonly && (flags & GTF_readonly) )
            return GNTST_general_error;
        seen = __sync_val_compare_and_swap(raw, cur, want);
        if ( seen == cur )
            return GNTST_okay;
        cur = seen;
    }
    return GNTST_general_error;             /* the guest keeps changing it */
}

/* A maptrack handle of lgt, growing it by a page when none is free;
 * MAPTRACK_TAIL when it is at its limit or out of memory. */
static grant_handle_t maptrack_get(struct grant_table *lgt)
{
    grant_handle_t h;

    if ( lgt->maptrack_head == MAPTRACK_TAIL )
    {
        unsigned int page = lgt->maptrack_limit / GNTTAB_MAPTRACK_PER_FRAME, i;
        struct gnttab_maptrack *m;

        if ( page >= lgt->max_maptrack_frames ||
             !(m = gnttab_zalloc(GNTTAB_MAPTRACK_PER_FRAME * sizeof(*m))) )
            return MAPTRACK_TAIL;
        for ( i = 0; i < GNTTAB_MAPTRACK_PER_FRAME; i++ )
            m[i].next = lgt->maptrack_limit + i + 1;
        m[GNTTAB_MAPTRACK_PER_FRAME - 1].next = MAPTRACK_TAIL;
        lgt->maptrack[page] = m;
        lgt->maptrack_head = lgt->maptrack_limit;
        lgt->maptrack_tail = lgt->maptrack_limit + GNTTAB_MAPTRACK_PER_FRAME - 1;
        lgt->maptrack_limit += GNTTAB_MAPTRACK_PER_FRAME;
    }
    h = lgt->maptrack_head;
    lgt->maptrack_head = maptrack_of(lgt, h)->next;
    if ( lgt->maptrack_head == MAPTRACK_TAIL )
        lgt->maptrack_tail = MAPTRACK_TAIL;
    lgt->maptrack_used++;
    return h;
}

/* Free handle h: it goes to the tail, so handles are reused late (Xen). */
static void maptrack_put(struct grant_table *lgt, grant_handle_t h)
{
    struct gnttab_maptrack *m = maptrack_of(lgt, h);

    m->flags = 0;
    m->next = MAPTRACK_TAIL;
    if ( lgt->maptrack_tail == MAPTRACK_TAIL )
        lgt->maptrack_head = h;
    else
        maptrack_of(lgt, lgt->maptrack_tail)->next = h;
    lgt->maptrack_tail = h;
    lgt->maptrack_used--;
}

/* Grow gt's shared and active tables to nr frames. 0 or -ENOMEM (then
 * nothing changed). */
static int grow(struct grant_table *gt, unsigned int nr)
{
    unsigned int i;

    for ( i = gt->nr_frames; i < nr; i++ )
    {
        gt->active[i] = gnttab_zalloc(GNTTAB_PER_FRAME * sizeof(struct gnttab_active));
        gt->shared[i] = gt->active[i] ? gnttab_share_frame(gt->domid, &gt->shared_mfn[i])
                                      : NULL;
        if ( !gt->shared[i] )
            goto fail;
    }
    gt->nr_frames = nr;
    return 0;

 fail:
    do {
        if ( gt->shared[i] )
            gnttab_unshare_frame(gt->shared[i], gt->shared_mfn[i]);
        gnttab_free(gt->active[i]);
        gt->shared[i] = NULL;
        gt->active[i] = NULL;
    } while ( i-- > gt->nr_frames );
    return -ENOMEM;
}

static void table_free(struct grant_table *gt)
{
    unsigned int i;

    for ( i = 0; i < gt->nr_frames; i++ )
        gnttab_free(gt->active[i]);
    if ( gt->maptrack )
        for ( i = 0; i < gt->maptrack_limit / GNTTAB_MAPTRACK_PER_FRAME; i++ )
            gnttab_free(gt->maptrack[i]);
    gnttab_free(gt->maptrack);
    gnttab_free(gt);
}

int gnttab_table_create(domid_t domid, unsigned int max_frames,
                        unsigned int max_maptrack_frames)
{
    struct grant_table *gt;

    if ( domid >= GNTTAB_MAX_DOMIDS || max_frames < GNTTAB_INITIAL_FRAMES ||
         max_frames > GNTTAB_MAX_FRAMES ||
         max_maptrack_frames > GNTTAB_MAX_MAPTRACK_FRAMES )
        return -EINVAL;
    if ( tables[domid] )
        return -EEXIST;
    gt = gnttab_zalloc(sizeof(*gt));
    if ( !gt )
        return -ENOMEM;
    gt->domid = domid;
    gt->version = 1;
    gt->max_frames = max_frames;
    gt->max_maptrack_frames = max_maptrack_frames;
    gt->maptrack_head = gt->maptrack_tail = MAPTRACK_TAIL;
    gt->maptrack = gnttab_zalloc((max_maptrack_frames ? max_maptrack_frames : 1) *
                                 sizeof(*gt->maptrack));
    if ( !gt->maptrack || grow(gt, GNTTAB_INITIAL_FRAMES) )
    {
        table_free(gt);
        return -ENOMEM;
    }
    tables[domid] = gt;
    return 0;
}

int gnttab_setup(struct grant_table *gt, unsigned int nr_frames)
{
    if ( nr_frames > gt->max_frames )
        return GNTST_general_error;
    if ( nr_frames > gt->nr_frames && grow(gt, nr_frames) )
        return GNTST_general_error;
    return GNTST_okay;
}

int gnttab_set_version(struct grant_table *gt, uint32_t *version)
{
    int rc = 0;

    if ( *version != 1 && *version != 2 )
        rc = -EINVAL;
    else if ( *version == 2 )
        rc = -ENOSYS;                       /* as Xen with max-ver:1 */
    *version = gt->version;
    return rc;
}

int gnttab_swap(struct grant_table *gt, grant_ref_t a, grant_ref_t b)
{
    grant_entry_v1_t *ea, *eb, t;

    if ( a >= nr_entries(gt) || b >= nr_entries(gt) )
        return GNTST_bad_gntref;
    if ( a == b )
        return GNTST_okay;
    if ( active_of(gt, a)->pin || active_of(gt, b)->pin )
        return GNTST_eagain;
    ea = shared_of(gt, a);
    eb = shared_of(gt, b);
    t = *ea;
    *ea = *eb;
    *eb = t;
    return GNTST_okay;
}

void gnttab_map(domid_t ld, struct gnttab_map_grant_ref *op)
{
    struct grant_table *lgt = gnttab_table(ld), *rgt;
    struct gnttab_active *act;
    struct gnttab_maptrack *mt;
    grant_entry_v1_t *e;
    unsigned int flags = op->flags, refcnt = 0, typecnt = 0;
    bool ro = flags & GNTMAP_readonly;
    int32_t pins = 0;
    grant_handle_t h;
    unsigned long mfn;
    int rc;

    if ( !(flags & MAP_KINDS) )
    {
        op->status = GNTST_bad_gntref;
        return;
    }
    rgt = gnttab_table(op->dom);
    if ( !rgt || !lgt )
    {
        op->status = GNTST_bad_domain;
        return;
    }
    h = maptrack_get(lgt);
    if ( h == MAPTRACK_TAIL )
    {
        op->status = GNTST_no_device_space;
        return;
    }
    if ( op->ref >= nr_entries(rgt) )
    {
        rc = GNTST_bad_gntref;
        goto put_handle;
    }
    act = active_of(rgt, op->ref);
    e = shared_of(rgt, op->ref);
    if ( act->pin && (act->domid != ld || (act->pin & GNTPIN_overflow)) )
    {
        rc = GNTST_general_error;
        goto put_handle;
    }
    if ( !act->pin || (!ro && !(act->pin & PIN_WRITE)) )
    {
        rc = set_status(e, act, ro, true, ld);
        if ( rc )
            goto put_handle;
        if ( !act->pin )
        {
            unsigned long frame = ACCESS_ONCE(e->frame);

            pt_lock();
            refcnt = get_page(frame, rgt->domid);
            pt_unlock();
            if ( !refcnt )
            {
                rc = GNTST_bad_page;
                goto clear;
            }
            act->domid = ld;
            act->mfn = frame;
        }
    }
    if ( flags & GNTMAP_device_map )
        pins += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    if ( flags & GNTMAP_host_map )
        pins += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    pin_add(rgt, act, pins);
    mfn = act->mfn;

    /* The references: one general (and a writable type unless read-only)
     * for each of the device and the host mapping. */
    rc = GNTST_general_error;
    pt_lock();
    if ( !refcnt && !get_page(mfn, rgt->domid) )
        goto undo_locked;
    refcnt = 1;
    if ( (flags & GNTMAP_device_map) && !ro )
    {
        if ( get_page_type(mfn, PGT_writable_page) )
            goto undo_locked;
        typecnt++;
    }
    if ( flags & GNTMAP_host_map )
    {
        if ( flags & GNTMAP_device_map )
        {
            if ( !get_page(mfn, rgt->domid) )
                goto undo_locked;
            refcnt++;
        }
        if ( !ro )
        {
            if ( get_page_type(mfn, PGT_writable_page) )
                goto undo_locked;
            typecnt++;
        }
    }
    pt_unlock();
    if ( flags & GNTMAP_host_map )
    {
        rc = gnttab_create_host_mapping(op->host_addr, mfn, flags);
        if ( rc )
            goto undo;
    }
    mt = maptrack_of(lgt, h);
    mt->domid = op->dom;
    mt->ref = op->ref;
    mt->flags = (uint16_t)flags;
    op->dev_bus_addr = (uint64_t)mfn << 12;
    op->handle = h;
    op->status = GNTST_okay;
    return;

 undo:
    pt_lock();
 undo_locked:
    while ( typecnt-- )
        put_page_type(mfn);
    while ( refcnt-- )
        put_page(mfn);
    pt_unlock();
    pin_add(rgt, act, -pins);
 clear:
    clear_status(rgt, op->ref, act, !ro);
 put_handle:
    maptrack_put(lgt, h);
    op->status = (int16_t)rc;
}

void gnttab_unmap_start(domid_t ld, struct gnttab_unmap_op *op)
{
    struct grant_table *lgt = gnttab_table(ld), *rgt;
    struct gnttab_maptrack *map;
    unsigned int flags;
    int rc;

    op->done = 0;
    if ( !lgt || op->handle >= lgt->maptrack_limit ||
         !(flags = maptrack_of(lgt, op->handle)->flags) )
    {
        op->status = GNTST_bad_handle;
        return;
    }
    map = maptrack_of(lgt, op->handle);
    rgt = map->domid < GNTTAB_MAX_DOMIDS ? tables[map->domid] : NULL;
    if ( !rgt || map->ref >= nr_entries(rgt) )
    {
        op->status = GNTST_bad_handle;      /* cannot happen: pins keep it */
        return;
    }
    op->rd = map->domid;
    op->ref = map->ref;
    op->mfn = active_of(rgt, map->ref)->mfn;
    if ( op->dev_bus_addr && (flags & GNTMAP_device_map) &&
         op->dev_bus_addr != (uint64_t)op->mfn << 12 )
    {
        op->status = GNTST_bad_dev_addr;
        return;
    }
    if ( op->host_addr && (flags & GNTMAP_host_map) )
    {
        rc = gnttab_replace_host_mapping(op->host_addr, op->mfn, op->new_addr,
                                         flags);
        if ( rc )
        {
            op->status = (int16_t)rc;
            return;
        }
        map->flags &= (uint16_t)~GNTMAP_host_map;
        op->done |= GNTMAP_host_map | (flags & GNTMAP_readonly);
    }
    if ( op->dev_bus_addr && (flags & GNTMAP_device_map) )
    {
        map->flags &= (uint16_t)~GNTMAP_device_map;
        op->done |= GNTMAP_device_map | (flags & GNTMAP_readonly);
    }
    if ( !(map->flags & MAP_KINDS) )
        maptrack_put(lgt, op->handle);
    op->status = GNTST_okay;
}

void gnttab_unmap_finish(domid_t ld, struct gnttab_unmap_op *op)
{
    struct grant_table *rgt = op->rd < GNTTAB_MAX_DOMIDS ? tables[op->rd] : NULL;
    struct gnttab_active *act;
    bool ro = op->done & GNTMAP_readonly;
    int32_t pins = 0;

    (void)ld;
    if ( !op->done || !rgt )
        return;
    act = active_of(rgt, op->ref);
    pt_lock();
    if ( op->done & GNTMAP_device_map )
    {
        if ( !ro )
            put_page_type(op->mfn);
        put_page(op->mfn);
        pins += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    }
    if ( op->done & GNTMAP_host_map )
    {
        if ( !ro )
            put_page_type(op->mfn);
        put_page(op->mfn);
        pins += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    }
    pt_unlock();
    pin_add(rgt, act, -pins);
    clear_status(rgt, op->ref, act, !ro);
    gnttab_table_reap(op->rd);
}

/*
 * Pin (rgt, ref) for a copy by ld and take a general reference on its
 * frame (*mfn). Returns a GNTST_* status; nothing is held on failure.
 */
static int acquire_for_copy(struct grant_table *rgt, grant_ref_t ref,
                            domid_t ld, bool ro, unsigned long *mfn)
{
    struct gnttab_active *act;
    grant_entry_v1_t *e;
    bool got;
    int rc;

    if ( ref >= nr_entries(rgt) )
        return GNTST_bad_gntref;
    act = active_of(rgt, ref);
    e = shared_of(rgt, ref);
    if ( act->pin && (act->domid != ld || (act->pin & GNTPIN_overflow)) )
        return GNTST_general_error;
    if ( !act->pin || (!ro && !(act->pin & PIN_WRITE)) )
    {
        rc = set_status(e, act, ro, false, ld);
        if ( rc )
            return rc;
        if ( !act->pin )
        {
            unsigned long frame = ACCESS_ONCE(e->frame);

            pt_lock();
            got = get_page(frame, rgt->domid);
            pt_unlock();
            if ( !got )
            {
                clear_status(rgt, ref, act, !ro);
                return GNTST_bad_page;
            }
            act->domid = ld;
            act->mfn = frame;
            goto pinned;
        }
    }
    pt_lock();
    got = get_page(act->mfn, rgt->domid);
    pt_unlock();
    if ( !got )
    {
        clear_status(rgt, ref, act, !ro);
        return GNTST_bad_domain;
    }
 pinned:
    pin_add(rgt, act, ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc);
    *mfn = act->mfn;
    return GNTST_okay;
}

static void release_for_copy(struct grant_table *rgt, grant_ref_t ref, bool ro)
{
    struct gnttab_active *act = active_of(rgt, ref);

    pin_add(rgt, act, -(int32_t)(ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc));
    clear_status(rgt, ref, act, !ro);
}

/* One side of a copy: the frame it reads or writes, and what it holds. */
struct copy_buf {
    struct grant_table *gt;
    bool is_gref, ro, have_grant, have_page, have_type;
    grant_ref_t ref;
    unsigned long mfn;
};

/* Xen's gnttab_copy_lock_domain: a frame number only of DOMID_SELF. */
static int copy_find(domid_t ld, const struct gnttab_copy_ptr *p, bool is_gref,
                     struct copy_buf *b)
{
    if ( p->domid != DOMID_SELF && !is_gref )
        return GNTST_permission_denied;
    b->gt = gnttab_table(p->domid == DOMID_SELF ? ld : p->domid);
    b->is_gref = is_gref;
    return b->gt ? GNTST_okay : GNTST_bad_domain;
}

static int copy_claim(domid_t ld, const struct gnttab_copy_ptr *p, struct copy_buf *b)
{
    int rc;

    if ( b->is_gref )
    {
        rc = acquire_for_copy(b->gt, p->u.ref, ld, b->ro, &b->mfn);
        if ( rc )
            return rc;
        b->ref = p->u.ref;
        b->have_grant = b->have_page = true;
    }
    else
    {
        b->mfn = (unsigned long)p->u.gmfn;
        pt_lock();
        b->have_page = get_page(b->mfn, ld);
        pt_unlock();
        if ( !b->have_page )
            return GNTST_bad_page;
    }
    if ( !b->ro )
    {
        pt_lock();
        b->have_type = !get_page_type(b->mfn, PGT_writable_page);
        pt_unlock();
        if ( !b->have_type )
            return GNTST_general_error;
    }
    return GNTST_okay;
}

static void copy_release(struct copy_buf *b)
{
    if ( b->have_grant )
        release_for_copy(b->gt, b->ref, b->ro);
    pt_lock();
    if ( b->have_type )
        put_page_type(b->mfn);
    if ( b->have_page )
        put_page(b->mfn);
    pt_unlock();
}

int gnttab_copy(domid_t ld, const struct gnttab_copy *op)
{
    struct copy_buf src = { .ro = true }, dst = { .ro = false };
    int rc;

    rc = copy_find(ld, &op->source, op->flags & GNTCOPY_source_gref, &src);
    if ( !rc )
        rc = copy_find(ld, &op->dest, op->flags & GNTCOPY_dest_gref, &dst);
    if ( rc )
        return rc;
    rc = copy_claim(ld, &op->source, &src);
    if ( !rc )
        rc = copy_claim(ld, &op->dest, &dst);
    if ( !rc && (op->source.offset + op->len > 4096 ||
                 op->dest.offset + op->len > 4096) )
        rc = GNTST_bad_copy_arg;
    if ( !rc )
        __builtin_memcpy((uint8_t *)pt_map_frame(dst.mfn) + op->dest.offset,
                         (const uint8_t *)pt_map_frame(src.mfn) + op->source.offset,
                         op->len);
    copy_release(&src);
    copy_release(&dst);
    return rc;
}

void gnttab_domain_release(domid_t domid)
{
    struct grant_table *lgt = domid < GNTTAB_MAX_DOMIDS ? tables[domid] : NULL;
    grant_handle_t h;
    unsigned int i;

    if ( !lgt || lgt->dead )
        return;
    for ( h = 0; h < lgt->maptrack_limit; h++ )
    {
        struct gnttab_maptrack *map = maptrack_of(lgt, h);
        struct grant_table *rgt;
        struct gnttab_active *act;
        bool ro = map->flags & GNTMAP_readonly;
        int32_t pins = 0;

        if ( !(map->flags & MAP_KINDS) )
            continue;
        rgt = map->domid < GNTTAB_MAX_DOMIDS ? tables[map->domid] : NULL;
        if ( !rgt || map->ref >= nr_entries(rgt) )
            continue;
        act = active_of(rgt, map->ref);
        /* A device mapping's references are its own; a host mapping's
         * belong to its PTE, which goes with the page tables. */
        if ( map->flags & GNTMAP_device_map )
        {
            pt_lock();
            if ( !ro )
                put_page_type(act->mfn);
            put_page(act->mfn);
            pt_unlock();
            pins += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
        }
        if ( map->flags & GNTMAP_host_map )
            pins += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
        map->flags = 0;
        pin_add(rgt, act, -pins);
        clear_status(rgt, map->ref, act, !ro);
        if ( rgt != lgt )
            gnttab_table_reap(rgt->domid);
    }
    for ( i = 0; i < lgt->maptrack_limit / GNTTAB_MAPTRACK_PER_FRAME; i++ )
    {
        gnttab_free(lgt->maptrack[i]);
        lgt->maptrack[i] = NULL;
    }
    lgt->maptrack_limit = lgt->maptrack_used = 0;
    lgt->maptrack_head = lgt->maptrack_tail = MAPTRACK_TAIL;
    /* The shared frames are the domain's: they go with its memory. */
    for ( i = 0; i < lgt->nr_frames; i++ )
        lgt->shared[i] = NULL;
    lgt->dead = true;
}

bool gnttab_frame_in_use(domid_t domid, unsigned long mfn)
{
    struct grant_table *gt = domid < GNTTAB_MAX_DOMIDS ? tables[domid] : NULL;
    unsigned int i, found = 0;

    if ( !gt )
        return false;
    for ( i = 0; i < nr_entries(gt) && found < gt->nr_pinned; i++ )
    {
        const struct gnttab_active *act = active_of(gt, i);

        if ( !act->pin )
            continue;
        if ( act->mfn == mfn )
            return true;
        found++;
    }
    return false;
}

void gnttab_table_reap(domid_t domid)
{
    struct grant_table *gt = domid < GNTTAB_MAX_DOMIDS ? tables[domid] : NULL;

    if ( gt && gt->dead && !gt->nr_pinned )
    {
        tables[domid] = NULL;
        table_free(gt);
    }
}

void gnttab_usage(domid_t domid, struct gnttab_usage *u)
{
    const struct grant_table *gt = domid < GNTTAB_MAX_DOMIDS ? tables[domid] : NULL;

    *u = (struct gnttab_usage){ .exists = gt != NULL };
    if ( !gt )
        return;
    u->dead = gt->dead;
    u->nr_frames = gt->nr_frames;
    u->max_frames = gt->max_frames;
    u->active = gt->nr_pinned;
    u->maptrack_used = gt->maptrack_used;
    u->maptrack_limit = gt->maptrack_limit;
}

bool gnttab_active_entry(domid_t domid, unsigned int n, grant_ref_t *ref,
                         struct gnttab_active *act, uint16_t *flags)
{
    struct grant_table *gt = domid < GNTTAB_MAX_DOMIDS ? tables[domid] : NULL;
    grant_ref_t r;

    for ( r = 0; gt && r < nr_entries(gt); r++ )
    {
        const grant_entry_v1_t *e;

        if ( !active_of(gt, r)->pin || n-- )
            continue;
        e = shared_of(gt, r);
        *ref = r;
        *act = *active_of(gt, r);
        *flags = e ? ACCESS_ONCE(e->flags) : 0;
        return true;
    }
    return false;
}
