/* SPDX-License-Identifier: MIT */
/* The grant_table_op hypercall for PV guests, and the PTEs of grant mappings. */
/*
 * The rules live in core/grant-table.c; here is what they need of the
 * machine and of the hypercall ABI: the one grant lock, Tern's shared
 * frames, the L1 entries of host mappings (found by guest virtual address
 * in the current page tables, or by machine address with
 * GNTMAP_contains_pte), TLB flushes, guest copies and continuations, and
 * the domain lifecycle hooks. Answers follow Xen 4.17's do_grant_table_op
 * (see docs/pv-abi.md, "Grant tables").
 *
 * A grant PTE, as Xen's create_grant_pv_mapping makes it: the frame,
 * present, accessed, dirty, NX, writable unless GNTMAP_readonly, user only
 * with GNTMAP_application_map (a kernel mapping otherwise, bit 52), and
 * the three GNTMAP_guest_avail bits in PTE bits 9-11
 * (XENFEAT_gnttab_map_avail_bits); the entry it replaces is dropped.
 * Removal checks the frame, present and writable bits (not the available
 * ones, which the guest may have changed since) and clears the entry, or
 * gives it the entry taken from new_addr (unmap_and_replace).
 *
 * Domains without grant tables cannot exist: the table is made with the
 * domain and ends after it (gnttab_domain_destroy, see grant-table.c).
 */
#include <asm/flushtlb.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/grant-table.h>
#include <tern/heap.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <tern/spinlock.h>

BUILD_BUG_ON(MAX_DOMAINS > GNTTAB_MAX_DOMIDS);
BUILD_BUG_ON(sizeof(struct gnttab_maptrack) != 16);

/* Xen's encoding of a continued grant_table_op: command in the low bits. */
#define GNTTABOP_CMD_MASK   0xfffu
/* Unmaps between two TLB flushes (Xen's GNTTAB_UNMAP_BATCH_SIZE). */
#define UNMAP_BATCH         32

static DEFINE_IRQ_LOCK(grant_irq_lock);

void gnttab_lock(void)
{
    irq_lock(&grant_irq_lock);
}

void gnttab_unlock(void)
{
    irq_unlock(&grant_irq_lock);
}

void *gnttab_zalloc(size_t size)
{
    return heap_zalloc(size);
}

void gnttab_free(void *p)
{
    heap_free(p);
}

grant_entry_v1_t *gnttab_share_frame(domid_t domid, unsigned long *mfn)
{
    grant_entry_v1_t *page = alloc_xen_pages(0);
    struct page_info *p;

    if ( !page )
        return NULL;
    memset(page, 0, PAGE_SIZE);
    *mfn = virt_to_mfn(page);
    p = mfn_to_page(*mfn);
    p->owner = domid;
    p->type_info = PGT_none;
    p->count_info = PGC_tern_heap | 1;
    set_gpfn_from_mfn(*mfn, INVALID_M2P_ENTRY);
    return page;
}

void gnttab_unshare_frame(grant_entry_v1_t *page, unsigned long mfn)
{
    struct page_info *p = mfn_to_page(mfn);

    p->count_info = 0;
    p->owner = DOMID_TERN;
    free_xen_pages(page, 0);
}

/* The L1 entry a host mapping at addr uses: by machine address with
 * GNTMAP_contains_pte (8-aligned), else the current tables' entry for the
 * guest virtual address. Under pt_lock. */
static bool host_slot(uint64_t addr, unsigned int flags, unsigned long *l1mfn,
                      unsigned int *idx)
{
    if ( flags & GNTMAP_contains_pte )
    {
        if ( addr & 7 )
            return false;
        *l1mfn = (unsigned long)(addr >> PAGE_SHIFT);
        *idx = (unsigned int)((addr & (PAGE_SIZE - 1)) / 8);
        return true;
    }
    return pv_find_l1e((unsigned long)addr, l1mfn, idx);
}

int gnttab_create_host_mapping(uint64_t addr, unsigned long mfn, unsigned int flags)
{
    domid_t me = current_vcpu()->domain->domain_id;
    uint64_t pte = ((uint64_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT |
                   _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX |
                   (((uint64_t)(flags >> _GNTMAP_guest_avail0) << 9) & _PAGE_AVAIL);
    unsigned long l1mfn;
    unsigned int idx;
    int rc = -EINVAL;

    if ( flags & GNTMAP_application_map )
        pte |= _PAGE_USER;
    if ( !(flags & GNTMAP_readonly) )
        pte |= _PAGE_RW;
    pt_lock();
    if ( host_slot(addr, flags, &l1mfn, &idx) )
        rc = pt_grant_install(me, l1mfn, idx, pte);
    pt_unlock();
    if ( rc )
        return GNTST_general_error;
    if ( !(flags & GNTMAP_contains_pte) )
        invlpg((unsigned long)addr);
    return GNTST_okay;
}

int gnttab_replace_host_mapping(uint64_t addr, unsigned long mfn,
                                uint64_t new_addr, unsigned int flags)
{
    domid_t me = current_vcpu()->domain->domain_id;
    unsigned long l1mfn;
    unsigned int idx;
    uint64_t repl = 0;
    int rc = -EINVAL;

    if ( (flags & GNTMAP_contains_pte) && new_addr )
        return GNTST_general_error;         /* no replace by machine address */
    pt_lock();
    if ( new_addr && (!pv_find_l1e((unsigned long)new_addr, &l1mfn, &idx) ||
                      pt_l1e_steal(me, l1mfn, idx, &repl)) )
        goto out;
    if ( host_slot(addr, flags, &l1mfn, &idx) )
        rc = pt_grant_remove(me, l1mfn, idx, mfn, !(flags & GNTMAP_readonly), repl);
    if ( rc && repl )
        pt_put_l1e(repl);                   /* we hold the stolen entry */
 out:
    pt_unlock();
    return rc ? GNTST_general_error : GNTST_okay;
}

int gnttab_domain_init(domid_t domid)
{
    int rc;

    gnttab_lock();
    rc = gnttab_table_create(domid, GNTTAB_MAX_FRAMES, GNTTAB_MAX_MAPTRACK_FRAMES);
    gnttab_unlock();
    return rc ? -ENOMEM : 0;
}

static bool frame_kept(unsigned long mfn, void *ctx)
{
    return gnttab_frame_in_use(*(const domid_t *)ctx, mfn);
}

void gnttab_domain_destroy(domid_t domid)
{
    gnttab_lock();
    gnttab_domain_release(domid);
    pt_lock();
    pt_relinquish_domain(domid, frame_kept, &domid);
    pt_unlock();
    gnttab_table_reap(domid);
    gnttab_unlock();
}

/*
 * The domain a setup_table, query_size, get_version or get_status_frames
 * names (Xen's rcu_lock_domain_by_any_id plus the default XSM policy):
 * the caller itself (DOMID_SELF or its own id) -> 0; another domain ->
 * -EPERM; no such domain -> -ESRCH. Under gnttab_lock.
 */
static int target_table(domid_t dom, struct grant_table **gt)
{
    domid_t me = current_vcpu()->domain->domain_id;

    if ( dom == DOMID_SELF || dom == me )
    {
        *gt = gnttab_table(me);
        return *gt ? 0 : -ESRCH;
    }
    return gnttab_table(dom) ? -EPERM : -ESRCH;
}

static int16_t target_status(int rc)
{
    return rc == -EPERM ? GNTST_permission_denied : GNTST_bad_domain;
}

static long setup_table(unsigned long uop, unsigned int count)
{
    struct gnttab_setup_table op;
    struct grant_table *gt;
    unsigned int i;
    int rc;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest(&op, uop, sizeof(op)) )
        return -EFAULT;
    if ( !pv_guest_array_ok((unsigned long)op.frame_list.p, op.nr_frames,
                            sizeof(xen_pfn_t)) )
        return -EFAULT;
    gnttab_lock();
    rc = target_table(op.dom, &gt);
    if ( rc )
        op.status = target_status(rc);
    else
        op.status = (int16_t)gnttab_setup(gt, op.nr_frames);
    for ( i = 0; op.status == GNTST_okay && i < op.nr_frames; i++ )
    {
        xen_pfn_t mfn = gt->shared_mfn[i];

        if ( copy_to_guest((unsigned long)op.frame_list.p + i * sizeof(mfn), &mfn,
                           sizeof(mfn)) )
            op.status = GNTST_bad_virt_addr;
    }
    gnttab_unlock();
    return copy_to_guest(uop + offsetof(struct gnttab_setup_table, status),
                         &op.status, sizeof(op.status)) ? -EFAULT : 0;
}

static long query_size(unsigned long uop, unsigned int count)
{
    struct gnttab_query_size op;
    struct grant_table *gt;
    int rc;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest(&op, uop, sizeof(op)) )
        return -EFAULT;
    gnttab_lock();
    rc = target_table(op.dom, &gt);
    if ( rc )
        op.status = target_status(rc);
    else
    {
        op.nr_frames = gt->nr_frames;
        op.max_nr_frames = gt->max_frames;
        op.status = GNTST_okay;
    }
    gnttab_unlock();
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

static long set_version(unsigned long uop)
{
    struct gnttab_set_version op;
    long rc;

    if ( copy_from_guest(&op, uop, sizeof(op)) )
        return -EFAULT;
    gnttab_lock();
    rc = gnttab_set_version(gnttab_table(current_vcpu()->domain->domain_id),
                            &op.version);
    gnttab_unlock();
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : rc;
}

static long get_version(unsigned long uop)
{
    struct gnttab_get_version op;
    struct grant_table *gt;
    long rc;

    if ( copy_from_guest(&op, uop, sizeof(op)) )
        return -EFAULT;
    gnttab_lock();
    rc = target_table(op.dom, &gt);
    if ( !rc )
        op.version = gt->version;
    gnttab_unlock();
    if ( rc )
        return rc;
    return copy_to_guest(uop + offsetof(struct gnttab_get_version, version),
                         &op.version, sizeof(op.version)) ? -EFAULT : 0;
}

/* Version 1 has no status frames: 0 of them is all one may ask for. */
static long get_status_frames(unsigned long uop, unsigned int count)
{
    struct gnttab_get_status_frames op;
    struct grant_table *gt;
    int rc;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest(&op, uop, sizeof(op)) )
        return -EFAULT;
    gnttab_lock();
    rc = target_table(op.dom, &gt);
    gnttab_unlock();
    if ( rc )
        op.status = target_status(rc);
    else
        op.status = op.nr_frames ? GNTST_general_error : GNTST_okay;
    return copy_to_guest(uop + offsetof(struct gnttab_get_status_frames, status),
                         &op.status, sizeof(op.status)) ? -EFAULT : 0;
}

/* Ops done so far: go on later with the rest (Xen's continuation). */
static long continue_op(unsigned int cmd, unsigned long uop, size_t size,
                        unsigned int done, unsigned int count)
{
    return hypercall_create_continuation(__HYPERVISOR_grant_table_op, 3, cmd,
                                         uop + done * size, count - done, 0);
}

static long map_refs(unsigned long uop, unsigned int count)
{
    domid_t me = current_vcpu()->domain->domain_id;
    s_time_t start = now();
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        struct gnttab_map_grant_ref op;
        unsigned long at = uop + i * sizeof(op);

        if ( i && hypercall_preempt_check(start) )
            return continue_op(GNTTABOP_map_grant_ref, uop, sizeof(op), i, count);
        if ( copy_from_guest(&op, at, sizeof(op)) )
            return -EFAULT;
        gnttab_lock();
        gnttab_map(me, &op);
        gnttab_unlock();
        if ( copy_to_guest(at, &op, sizeof(op)) )
            return -EFAULT;
    }
    return 0;
}

/* Flush the TLBs of every pCPU running a vCPU of the current domain, this
 * one included (Xen's gnttab_flush_tlb of the domain's dirty CPUs): one
 * that does not run it has loaded another CR3 since. */
static void flush_domain_tlbs(void)
{
    const struct vcpu *v;
    uint64_t mask = 0;

    for_each_vcpu ( current_vcpu()->domain, v )
        if ( ACCESS_ONCE(v->running) )
            mask |= 1ull << ACCESS_ONCE(v->processor);
    flush_tlb_mask(mask, FLUSH_ALL);
}

/* The second halves of a batch of unmaps, after the TLB flush that makes
 * sure no stale translation of their frames is left. */
static void unmap_finish_batch(domid_t me, struct gnttab_unmap_op *ops,
                               unsigned int n)
{
    unsigned int i;

    flush_domain_tlbs();
    gnttab_lock();
    for ( i = 0; i < n; i++ )
        gnttab_unmap_finish(me, &ops[i]);
    gnttab_unlock();
}

/* GNTTABOP_unmap_grant_ref (replace false) and unmap_and_replace. */
static long unmap_refs(unsigned long uop, unsigned int count, bool replace)
{
    domid_t me = current_vcpu()->domain->domain_id;
    size_t size = replace ? sizeof(struct gnttab_unmap_and_replace)
                          : sizeof(struct gnttab_unmap_grant_ref);
    size_t status_off = replace ? offsetof(struct gnttab_unmap_and_replace, status)
                                : offsetof(struct gnttab_unmap_grant_ref, status);
    struct gnttab_unmap_op ops[UNMAP_BATCH];
    s_time_t start = now();
    unsigned int done = 0, n;

    while ( done < count )
    {
        for ( n = 0; n < UNMAP_BATCH && done + n < count; n++ )
        {
            unsigned long at = uop + (done + n) * size;
            struct gnttab_unmap_op *op = &ops[n];

            memset(op, 0, sizeof(*op));
            if ( replace )
            {
                struct gnttab_unmap_and_replace r;

                if ( copy_from_guest(&r, at, sizeof(r)) )
                    goto fault;
                op->host_addr = r.host_addr;
                op->new_addr = r.new_addr;
                op->handle = r.handle;
            }
            else
            {
                struct gnttab_unmap_grant_ref u;

                if ( copy_from_guest(&u, at, sizeof(u)) )
                    goto fault;
                op->host_addr = u.host_addr;
                op->dev_bus_addr = u.dev_bus_addr;
                op->handle = u.handle;
            }
            gnttab_lock();
            gnttab_unmap_start(me, op);
            gnttab_unlock();
            if ( copy_to_guest(at + status_off, &op->status, sizeof(op->status)) )
            {
                n++;
                goto fault;
            }
        }
        unmap_finish_batch(me, ops, n);
        done += n;
        if ( done < count && hypercall_preempt_check(start) )
            return continue_op(replace ? GNTTABOP_unmap_and_replace
                                       : GNTTABOP_unmap_grant_ref,
                               uop, size, done, count);
    }
    return 0;

 fault:
    unmap_finish_batch(me, ops, n);
    return -EFAULT;
}

static long copy_refs(unsigned long uop, unsigned int count)
{
    domid_t me = current_vcpu()->domain->domain_id;
    s_time_t start = now();
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        struct gnttab_copy op;
        unsigned long at = uop + i * sizeof(op);

        if ( i && hypercall_preempt_check(start) )
            return continue_op(GNTTABOP_copy, uop, sizeof(op), i, count);
        if ( copy_from_guest(&op, at, sizeof(op)) )
            return -EFAULT;
        gnttab_lock();
        op.status = (int16_t)gnttab_copy(me, &op);
        gnttab_unlock();
        if ( copy_to_guest(at + offsetof(struct gnttab_copy, status), &op.status,
                           sizeof(op.status)) )
            return -EFAULT;
    }
    return 0;
}

static long swap_refs(unsigned long uop, unsigned int count)
{
    domid_t me = current_vcpu()->domain->domain_id;
    s_time_t start = now();
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        struct gnttab_swap_grant_ref op;
        unsigned long at = uop + i * sizeof(op);

        if ( i && hypercall_preempt_check(start) )
            return continue_op(GNTTABOP_swap_grant_ref, uop, sizeof(op), i, count);
        if ( copy_from_guest(&op, at, sizeof(op)) )
            return -EFAULT;
        gnttab_lock();
        op.status = (int16_t)gnttab_swap(gnttab_table(me), op.ref_a, op.ref_b);
        gnttab_unlock();
        if ( copy_to_guest(at + offsetof(struct gnttab_swap_grant_ref, status),
                           &op.status, sizeof(op.status)) )
            return -EFAULT;
    }
    return 0;
}

/* Ops Tern does not have: -ENOSYS, said once per op. */
static long not_implemented(unsigned int cmd)
{
    static uint32_t said;

    if ( cmd < 32 && !(__atomic_fetch_or(&said, 1u << cmd, __ATOMIC_RELAXED) &
                       (1u << cmd)) )
        printk(TLOG_WARNING "d%u: grant_table_op %u is not implemented: -ENOSYS\n",
               current_vcpu()->domain->domain_id, cmd);
    return -ENOSYS;
}

long do_grant_table_op(unsigned long cmd_arg, unsigned long uop, unsigned long count_arg)
{
    unsigned int cmd = (unsigned int)cmd_arg, count = (unsigned int)count_arg;
    size_t size;

    if ( (int)count < 0 )
        return -EINVAL;
    if ( (cmd & ~GNTTABOP_CMD_MASK) && (cmd & GNTTABOP_CMD_MASK) != GNTTABOP_cache_flush )
        return -EINVAL;
    switch ( cmd )
    {
    case GNTTABOP_map_grant_ref:
        size = sizeof(struct gnttab_map_grant_ref);
        return pv_guest_array_ok(uop, count, size) ? map_refs(uop, count) : -EFAULT;
    case GNTTABOP_unmap_grant_ref:
        size = sizeof(struct gnttab_unmap_grant_ref);
        return pv_guest_array_ok(uop, count, size) ? unmap_refs(uop, count, false)
                                                   : -EFAULT;
    case GNTTABOP_unmap_and_replace:
        size = sizeof(struct gnttab_unmap_and_replace);
        return pv_guest_array_ok(uop, count, size) ? unmap_refs(uop, count, true)
                                                   : -EFAULT;
    case GNTTABOP_setup_table:
        return setup_table(uop, count);
    case GNTTABOP_copy:
        size = sizeof(struct gnttab_copy);
        return pv_guest_array_ok(uop, count, size) ? copy_refs(uop, count) : -EFAULT;
    case GNTTABOP_query_size:
        return query_size(uop, count);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(uop, count);
    case GNTTABOP_get_version:
        return get_version(uop);
    case GNTTABOP_swap_grant_ref:
        size = sizeof(struct gnttab_swap_grant_ref);
        return pv_guest_array_ok(uop, count, size) ? swap_refs(uop, count) : -EFAULT;
    case GNTTABOP_transfer:
        /* Page transfer (old netfront flipping): not in Tern. */
    default:
        /* GNTTABOP_cache_flush is for Arm's non-coherent devices; other
         * numbers are not ops at all (Xen 4.17: -ENOSYS). */
        return not_implemented(cmd & GNTTABOP_CMD_MASK);
    }
}

/* The 'g' debug key: each table's use, and its entries in use. */
void gnttab_dump(void)
{
    domid_t id;

    printk("Grant tables (v1):\n");
    gnttab_lock();
    for ( id = 0; id < GNTTAB_MAX_DOMIDS; id++ )
    {
        struct gnttab_usage u;
        struct gnttab_active act;
        grant_ref_t ref;
        uint16_t flags;
        unsigned int n;

        gnttab_usage(id, &u);
        if ( !u.exists )
            continue;
        printk("  d%u%s: %u of %u frames, %u entries in use, maptrack %u of %u "
               "handles in use\n", id, u.dead ? " (ended)" : "", u.nr_frames,
               u.max_frames, u.active, u.maptrack_used, u.maptrack_limit);
        for ( n = 0; n < 8 && gnttab_active_entry(id, n, &ref, &act, &flags); n++ )
            printk("    ref %#x: to d%u, mfn %#lx, pin %#010x, flags %#x\n", ref,
                   act.domid, act.mfn, act.pin, flags);
        if ( u.active > 8 )
            printk("    ... and %u more\n", u.active - 8);
    }
    gnttab_unlock();
}
