/* SPDX-License-Identifier: MIT */
/* memory_op: the queries a PV domU makes of its memory and the M2P. */
#include <asm/pv.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/mm.h>
#include <tern/reservation.h>
#include <tern/sched.h>
#include <xen/memory.h>
#include <xen/xen.h>


/* One entry of the BIOS E820 map, as XENMEM_memory_map returns them. */
struct e820entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __packed;
#define E820_RAM 1

/*
 * The domain a query names: DOMID_SELF or the caller's own id. Xen's
 * default XSM policy lets an unprivileged domain query only itself: any
 * other live domain answers -EPERM, an id that names none -ESRCH.
 */
static long memory_domain(domid_t domid, struct domain **dp)
{
    struct domain *d = current_vcpu()->domain;

    if ( domid == DOMID_SELF || domid == d->domain_id )
    {
        *dp = d;
        return 0;
    }
    return domain_by_id(domid) ? -EPERM : -ESRCH;
}

/*
 * XENMEM_memory_map: the pseudo-physical map. A toolstack gives each PV
 * domU one (libxl: xc_domain_set_memmap_limit, one E820_RAM entry from 0
 * up to the domain's maximum); Tern is that toolstack, so it answers the
 * same single entry covering max_pages. Xen copies min(asked, 1) entries
 * and writes the count back.
 */
static long memory_map(unsigned long arg)
{
    struct domain *d = current_vcpu()->domain;
    struct xen_memory_map map;
    struct e820entry e = {
        .addr = 0,
        .size = (uint64_t)d->max_pages << PAGE_SHIFT,
        .type = E820_RAM,
    };

    if ( copy_from_guest(&map, arg, sizeof(map)) )
        return -EFAULT;
    if ( map.nr_entries > 1 )
        map.nr_entries = 1;
    if ( map.nr_entries &&
         copy_to_guest((uint64_t)map.buffer.p, &e, sizeof(e)) )
        return -EFAULT;
    if ( copy_to_guest(arg, &map, sizeof(map)) )
        return -EFAULT;
    return 0;
}

/*
 * XENMEM_machphys_mfn_list: the first MFN of each 2 MiB block of the M2P,
 * at most max_extents of them; nr_extents says how many were written.
 */
static long machphys_mfn_list(unsigned long arg)
{
    struct xen_machphys_mfn_list xmml;
    unsigned int i, n = arch_m2p_nr_blocks();

    if ( copy_from_guest(&xmml, arg, sizeof(xmml)) )
        return -EFAULT;
    for ( i = 0; i != xmml.max_extents && i < n; i++ )
    {
        xen_pfn_t mfn = arch_m2p_block_mfn(i);

        if ( copy_to_guest((uint64_t)xmml.extent_start.p + i * sizeof(mfn),
                           &mfn, sizeof(mfn)) )
            return -EFAULT;
    }
    xmml.nr_extents = i;
    if ( copy_to_guest(arg, &xmml, sizeof(xmml)) )
        return -EFAULT;
    return 0;
}

/* XENMEM_machphys_mapping: where the M2P is and the MFNs it may cover.
 * Xen tells a domU the whole window, not the RAM actually present. */
static long machphys_mapping(unsigned long arg)
{
    struct xen_machphys_mapping mapping = {
        .v_start = MACH2PHYS_VIRT_START,
        .v_end   = MACH2PHYS_VIRT_END,
        .max_mfn = MACH2PHYS_NR_ENTRIES - 1,
    };

    return copy_to_guest(arg, &mapping, sizeof(mapping)) ? -EFAULT : 0;
}

/*
 * The memory_op hypercall. Returns what the sub-op returns (a count for the
 * reservation queries), -EINVAL for a start extent on an op that takes
 * none, -EFAULT for a bad pointer, -ENOSYS for an op Tern does not offer.
 * Xen hands ops that are not common ones to the arch code with the start
 * extent still in cmd, so those answer -ENOSYS when it is not zero.
 */
long do_memory_op(unsigned long cmd, unsigned long arg)
{
    unsigned long start_extent = cmd >> MEMOP_EXTENT_SHIFT;
    unsigned int op = (unsigned int)(cmd & MEMOP_CMD_MASK);
    struct domain *d;
    domid_t domid;
    long rc;

    switch ( op )
    {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return memory_reservation_op(op, start_extent, arg);
    case XENMEM_exchange:
        if ( start_extent )
            return -EINVAL;
        return memory_exchange(arg);

    case XENMEM_maximum_ram_page:
        if ( start_extent )
            return -EINVAL;
        return (long)max_mfn;

    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        if ( start_extent )
            return -EINVAL;
        if ( copy_from_guest(&domid, arg, sizeof(domid)) )
            return -EFAULT;
        rc = memory_domain(domid, &d);
        if ( rc )
            return rc;
        if ( op == XENMEM_current_reservation )
            return (long)d->tot_pages;
        if ( op == XENMEM_maximum_reservation )
            return (long)d->max_pages;
        /* A PV guest writes its P2M size (a count, not a maximum) into
         * shared info; none written yet reads as gpfn 0, as on Xen. */
        return (long)((ACCESS_ONCE(d->shared_info->arch.max_pfn) ?: 1) - 1);
    }

    switch ( cmd )
    {
    case XENMEM_memory_map:
        return memory_map(arg);
    case XENMEM_machphys_mapping:
        return machphys_mapping(arg);
    case XENMEM_machphys_mfn_list:
        return machphys_mfn_list(arg);
    default:
        return -ENOSYS;
    }
}
