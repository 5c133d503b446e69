/* SPDX-License-Identifier: MIT */
/* memory_op: increase/decrease_reservation, populate_physmap, exchange. */
/*
 * A PV guest names its frames by MFN; Tern keeps the M2P right and the
 * guest keeps its own P2M. Every frame given to a domain is zeroed (no
 * data of another owner leaks) and counted against its maximum
 * (memory=); taking one back drops the allocation reference, and the
 * frame returns to Tern when its last mapping goes (core/page-types.c).
 *
 * Results are Xen's: the number of extents done (the ops stop at the
 * first extent that fails), start_extent itself for a request that is
 * refused before any work, -EFAULT/-EPERM/-ESRCH for the arguments.
 * Long requests are continued with the next extent in cmd.
 */
#include <asm/pv.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/reservation.h>
#include <tern/sched.h>
#include <xen/memory.h>
#include <xen/xen.h>

#define DOMU_MAX_ORDER 9             /* Xen's CONFIG_DOMU_MAX_ORDER on x86 */

/* Frames 0..max_mfn fit below 2^bits: the address limit a request may ask. */
static bool address_bits_ok(unsigned int bits, unsigned long mfn, unsigned int order)
{
    return !bits || bits >= 64 ||
           ((mfn + (1ul << order)) << PAGE_SHIFT) <= (1ul << bits);
}

/*
 * 2^order new zeroed frames for d, as one extent. Returns the first MFN,
 * or ~0ul when d would go over its maximum or Tern is out of memory.
 */
static unsigned long give_extent(struct domain *d, unsigned int order,
                                 unsigned int address_bits)
{
    unsigned long mfn, i, n = 1ul << order;

    if ( ACCESS_ONCE(d->tot_pages) + n > d->max_pages )
        return ~0ul;                    /* early out; checked again below */
    mfn = alloc_frames(order);
    if ( mfn == ~0ul )
        return ~0ul;
    if ( !address_bits_ok(address_bits, mfn, order) )
    {
        free_frames(mfn, order);
        return ~0ul;
    }
    for ( i = 0; i < n; i++ )
        memset(mfn_to_virt(mfn + i), 0, PAGE_SIZE);
    /* tot_pages changes under pt_lock: two vCPUs cannot both take the
     * domain's last frames. */
    pt_lock();
    if ( d->tot_pages + n > d->max_pages )
    {
        pt_unlock();
        free_frames(mfn, order);
        return ~0ul;
    }
    for ( i = 0; i < n; i++ )
        pt_assign_page(mfn + i, d->domain_id);
    d->tot_pages += n;
    pt_unlock();
    return mfn;
}

/* The domain a reservation names: only the caller itself (Xen's default
 * policy refuses others to a domU). */
static long reservation_domain(domid_t domid)
{
    struct domain *d = current_vcpu()->domain;

    if ( domid == DOMID_SELF || domid == d->domain_id )
        return 0;
    return domain_by_id(domid) ? -EPERM : -ESRCH;
}

long memory_reservation_op(unsigned int op, unsigned long start, unsigned long arg)
{
    struct domain *d = current_vcpu()->domain;
    struct xen_memory_reservation r;
    unsigned long list, i, j;
    unsigned int bits;
    s_time_t t0 = now();
    long rc;

    if ( copy_from_guest(&r, arg, sizeof(r)) )
        return -EFAULT;
    if ( start >= r.nr_extents )
        return (long)start;
    list = (unsigned long)r.extent_start.p;
    if ( list && !pv_guest_array_ok(list, r.nr_extents, sizeof(xen_pfn_t)) )
        return (long)start;
    if ( r.nr_extents > (1ul << 40) || r.extent_order > DOMU_MAX_ORDER )
        return (long)start;
    bits = XENMEMF_get_address_bits(r.mem_flags);
    if ( bits && bits <= PAGE_SHIFT )
        return (long)start;
    rc = reservation_domain(r.domid);
    if ( rc == -ESRCH )
        return (long)start;
    if ( rc )
        return rc;
    for ( i = start; i < r.nr_extents; i++ )
    {
        unsigned long n = 1ul << r.extent_order, mfn;
        xen_pfn_t e = 0;

        if ( i > start && hypercall_preempt_check(t0) )
            return hypercall_create_continuation(__HYPERVISOR_memory_op, 2,
                                                 op | (i << MEMOP_EXTENT_SHIFT),
                                                 arg, 0, 0);
        if ( op != XENMEM_increase_reservation &&
             (!list || copy_from_guest(&e, list + i * sizeof(e), sizeof(e))) )
            break;
        if ( op == XENMEM_decrease_reservation )
        {
            pt_lock();
            for ( j = 0; j < n; j++ )
                if ( pt_release_page(d->domain_id, (unsigned long)e + j) )
                    break;
            pt_unlock();
            if ( j < n )
                break;
            continue;
        }
        mfn = give_extent(d, r.extent_order, bits);
        if ( mfn == ~0ul )
            break;
        if ( op == XENMEM_populate_physmap )
            for ( j = 0; j < n; j++ )
                set_gpfn_from_mfn(mfn + j, (unsigned long)e + j);
        if ( list )
        {
            e = mfn;
            if ( copy_to_guest(list + i * sizeof(e), &e, sizeof(e)) )
                break;
        }
    }
    return (long)i;
}

/* Can frame mfn go in an exchange? Only if nothing but its allocation
 * holds it (not mapped, not typed). */
static bool stealable(const struct domain *d, unsigned long mfn)
{
    const struct page_info *p = mfn < max_mfn ? mfn_to_page(mfn) : NULL;

    return p && p->owner == d->domain_id && p->count_info == (PGC_allocated | 1) &&
           !(p->type_info & PGT_count_mask);
}

/* Take it from the domain (it is freed once the new frames are given, so
 * that they are other frames). */
static void steal_page(struct domain *d, unsigned long mfn)
{
    struct page_info *p = mfn_to_page(mfn);

    p->count_info = 0;
    p->type_info = 0;
    p->owner = DOMID_TERN;
    p->tlb_stamp = pt_tlb_stamp();
    set_gpfn_from_mfn(mfn, INVALID_M2P_ENTRY);
    d->tot_pages--;
}

/*
 * XENMEM_exchange: in.nr_extents extents of 2^in.order frames for
 * out.nr_extents of 2^out.order, the same number of frames, a chunk (the
 * larger order) at a time; nr_exchanged counts the input extents done and
 * is written back whatever happens.
 */
long memory_exchange(unsigned long arg)
{
    struct domain *d = current_vcpu()->domain;
    struct xen_memory_exchange x;
    unsigned long in_list, out_list, in_per, out_per, k;
    unsigned int bits, big;
    s_time_t t0 = now();
    long rc = 0;

    if ( copy_from_guest(&x, arg, sizeof(x)) )
        return -EFAULT;
    in_list = (unsigned long)x.in.extent_start.p;
    out_list = (unsigned long)x.out.extent_start.p;
    /* Xen's order of checks; each early failure still writes back
     * nr_exchanged. */
    if ( x.in.extent_order > DOMU_MAX_ORDER || x.out.extent_order > DOMU_MAX_ORDER )
        rc = -EPERM;
    else if ( x.nr_exchanged > x.in.nr_extents || x.in.domid != x.out.domid ||
              (~0ul >> x.in.extent_order) < x.in.nr_extents ||
              (~0ul >> x.out.extent_order) < x.out.nr_extents ||
              (x.in.nr_extents << x.in.extent_order) !=
                  (x.out.nr_extents << x.out.extent_order) )
        rc = -EINVAL;
    if ( rc )
        goto fail_early;
    if ( x.nr_exchanged == x.in.nr_extents )
        return 0;
    big = x.in.extent_order > x.out.extent_order ? x.in.extent_order
                                                  : x.out.extent_order;
    in_per = 1ul << (big - x.in.extent_order);
    out_per = 1ul << (big - x.out.extent_order);
    if ( !pv_guest_array_ok(in_list, x.in.nr_extents, sizeof(xen_pfn_t)) ||
         !pv_guest_array_ok(out_list, x.out.nr_extents, sizeof(xen_pfn_t)) )
    {
        rc = -EFAULT;
        goto fail_early;
    }
    if ( x.in.nr_extents % in_per || x.out.nr_extents % out_per ||
         x.nr_exchanged % in_per )
    {
        rc = -EINVAL;
        goto fail_early;
    }
    bits = XENMEMF_get_address_bits(x.out.mem_flags);
    if ( bits && bits <= PAGE_SHIFT )
    {
        rc = -ENOMEM;
        goto fail_early;
    }
    rc = reservation_domain(x.in.domid);
    if ( rc )
        return rc;
    for ( k = x.nr_exchanged / in_per; k < x.in.nr_extents / in_per; k++ )
    {
        unsigned long e, n, i, j, mfn, base = k * in_per, obase = k * out_per;
        unsigned long stolen[1ul << DOMU_MAX_ORDER], nstolen = 0;
        xen_pfn_t gmfn;

        if ( k * in_per > x.nr_exchanged && hypercall_preempt_check(t0) )
        {
            if ( copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged),
                               &x.nr_exchanged, sizeof(x.nr_exchanged)) )
                return -EFAULT;
            return hypercall_create_continuation(__HYPERVISOR_memory_op, 2,
                                                 XENMEM_exchange, arg, 0, 0);
        }
        /* Check the whole chunk before taking any of it. */
        pt_lock();
        for ( e = 0; e < in_per && !rc; e++ )
        {
            if ( copy_from_guest(&gmfn, in_list + (base + e) * sizeof(gmfn), sizeof(gmfn)) )
                rc = -EFAULT;
            for ( j = 0; !rc && j < (1ul << x.in.extent_order); j++ )
                if ( !stealable(d, (unsigned long)gmfn + j) )
                    rc = -EINVAL;
        }
        if ( rc )
        {
            pt_unlock();
            break;
        }
        for ( e = 0; e < in_per; e++ )
        {
            (void)copy_from_guest(&gmfn, in_list + (base + e) * sizeof(gmfn), sizeof(gmfn));
            for ( j = 0; j < (1ul << x.in.extent_order); j++ )
            {
                steal_page(d, (unsigned long)gmfn + j);
                stolen[nstolen++] = (unsigned long)gmfn + j;
            }
        }
        pt_unlock();
        n = 1ul << x.out.extent_order;
        for ( i = 0; i < out_per; i++ )
        {
            if ( copy_from_guest(&gmfn, out_list + (obase + i) * sizeof(gmfn), sizeof(gmfn)) )
            {
                rc = -EFAULT;
                break;
            }
            mfn = give_extent(d, x.out.extent_order, bits);
            if ( mfn == ~0ul )
            {
                rc = -ENOMEM;
                break;
            }
            for ( j = 0; j < n; j++ )
                set_gpfn_from_mfn(mfn + j, (unsigned long)gmfn + j);
            gmfn = mfn;
            if ( copy_to_guest(out_list + (obase + i) * sizeof(gmfn), &gmfn, sizeof(gmfn)) )
            {
                rc = -EFAULT;
                break;
            }
        }
        for ( j = 0; j < nstolen; j++ )
            free_frames(stolen[j], 0);
        if ( rc )
            break;
        x.nr_exchanged = (k + 1) * in_per;
    }
    if ( copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged),
                       &x.nr_exchanged, sizeof(x.nr_exchanged)) )
        return -EFAULT;
    return rc;

 fail_early:
    if ( copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged),
                       &x.nr_exchanged, sizeof(x.nr_exchanged)) )
        return -EFAULT;
    return rc;
}
