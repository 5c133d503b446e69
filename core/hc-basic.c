/* SPDX-License-Identifier: MIT */
/* The first hypercalls: console_io, xen_version, sched_op, set_trap_table. */
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/event.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/sched.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/sched.h>
#include <xen/version.h>

#define TERN_XEN_MAJOR 4
#define TERN_XEN_MINOR 17

long do_console_io(unsigned long cmd, unsigned long count, unsigned long buffer)
{
    char buf[128];
    unsigned long done = 0;

    switch ( cmd )
    {
    case CONSOLEIO_write:
        while ( done < count )
        {
            size_t n = count - done < sizeof(buf) ? count - done : sizeof(buf);

            if ( copy_from_guest(buf, buffer + done, n) )
                return -EFAULT;
            domain_console_put(current_vcpu()->domain, buf, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read:
        return 0;                   /* no input for domains yet */
    default:
        return -ENOSYS;
    }
}

/*
 * Submap 0 of XENVER_get_features for a PV domU, by Xen 4.17's rules
 * (common/kernel.c) for a PV, non-translated, non-hardware domain:
 *
 *   memory_op_vnode_supported   always (Tern gives no vNUMA, so the node
 *                               in XENMEMF_vnode is ignored, as on Xen)
 *   pae_pgdir_above_4gb         while VMASST_TYPE_pae_extended_cr3 is on
 *   mmu_pt_update_preserve_ad   MMU_PT_UPDATE_PRESERVE_AD is honoured by
 *                               the page-type rules (pt_mod_entry)
 *   highmem_assist              mmuext_op has MMUEXT_CLEAR_PAGE and
 *                               MMUEXT_COPY_PAGE (pv/mm.c)
 *   direct_mapped               a PV guest sees machine frames
 *
 *   gnttab_map_avail_bits       a grant mapping's PTE takes its available
 *                               bits from the GNTMAP_guest_avail flags
 *                               (core/grant-table.c); Linux requires it
 * XENFEAT_dom0 is for the hardware domain only, and no Tern domain is one.
 */
static uint32_t pv_domu_features(const struct domain *d)
{
    uint32_t f = (1u << XENFEAT_memory_op_vnode_supported) |
                 (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1u << XENFEAT_highmem_assist) |
                 (1u << XENFEAT_direct_mapped) |
                 (1u << XENFEAT_gnttab_map_avail_bits);

    if ( ACCESS_ONCE(d->vm_assist) & (1ul << VMASST_TYPE_pae_extended_cr3) )
        f |= 1u << XENFEAT_pae_pgdir_above_4gb;
    return f;
}

long do_xen_version(unsigned long cmd, unsigned long arg)
{
    switch ( cmd )
    {
    case XENVER_version:
        return (TERN_XEN_MAJOR << 16) | TERN_XEN_MINOR;
    case XENVER_extraversion:
    {
        xen_extraversion_t extra = ".0-tern";

        return copy_to_guest(arg, extra, sizeof(extra)) ? -EFAULT : 0;
    }
    case XENVER_capabilities:
    {
        xen_capabilities_info_t caps = "xen-3.0-x86_64 ";

        return copy_to_guest(arg, caps, sizeof(caps)) ? -EFAULT : 0;
    }
    case XENVER_platform_parameters:
    {
        xen_platform_parameters_t p = { .virt_start = HYPERVISOR_VIRT_START };

        return copy_to_guest(arg, &p, sizeof(p)) ? -EFAULT : 0;
    }
    case XENVER_get_features:
    {
        xen_feature_info_t fi;

        if ( copy_from_guest(&fi, arg, sizeof(fi)) )
            return -EFAULT;
        if ( fi.submap_idx != 0 )
            return -EINVAL;
        fi.submap = pv_domu_features(current_vcpu()->domain);
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle:
    {
        xen_domain_handle_t h = { 0 };

        return copy_to_guest(arg, h, sizeof(h)) ? -EFAULT : 0;
    }
    case XENVER_compile_info:
    {
        xen_compile_info_t ci;

        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, "gcc", sizeof(ci.compiler));
        strlcpy(ci.compile_by, "tern", sizeof(ci.compile_by));
        strlcpy(ci.compile_date, TERN_VERSION, sizeof(ci.compile_date));
        return copy_to_guest(arg, &ci, sizeof(ci)) ? -EFAULT : 0;
    }
    case XENVER_changeset:
    {
        xen_changeset_info_t cs = "tern-" TERN_VERSION;

        return copy_to_guest(arg, cs, sizeof(cs)) ? -EFAULT : 0;
    }
    case XENVER_commandline:
        return -EPERM;              /* as Xen answers an unprivileged domain */
    default:
        return -ENOSYS;
    }
}

/*
 * SCHEDOP_poll, in the order of Xen 4.17's do_poll: -EINVAL for more than
 * 128 ports, -EFAULT for a port array a guest may not name; then the vCPU
 * is marked blocked and polling, and the poll ends at once with 0 when an
 * upcall is due (upcall_pending set, upcall_mask clear). Else the ports
 * are read one by one: -EFAULT for one that cannot be read, -EINVAL for
 * one past the domain's ports, 0 at the first one pending (the ports
 * after it are not looked at). Else the vCPU sleeps until one of the
 * ports becomes pending (any port of the domain when it polls several or
 * none), it is kicked (an event for it, an NMI: Xen's vcpu_unblock), or
 * the timeout passes (one in the past ends the poll at once), and 0.
 *
 * The flags are set before anything is looked at, and a sender on
 * another pCPU sets its pending bit before it looks at the flags: it
 * either sees the poll (and ends it) or is seen. poll_port is any port
 * (0) until the ports are read, so a port sent meanwhile ends the poll.
 */
static long sched_poll(const struct sched_poll *sp)
{
    struct vcpu *v = current_vcpu();
    unsigned long ports = (unsigned long)sp->ports.p;
    evtchn_port_t port = 0;
    unsigned int i;
    long rc = 0;

    if ( sp->nr_ports > 128 )
        return -EINVAL;
    if ( !pv_guest_array_ok(ports, sp->nr_ports, sizeof(port)) )
        return -EFAULT;
    v->poll_port = 0;
    v->polling = true;
    v->blocked = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if ( evtchn_upcall_due(v) )
        goto out;
    for ( i = 0; i < sp->nr_ports; i++ )
    {
        rc = -EFAULT;
        if ( copy_from_guest(&port, ports + i * sizeof(port), sizeof(port)) )
            goto out;
        rc = -EINVAL;
        if ( port >= EVTCHN_MAX_PORTS )
            goto out;
        rc = 0;
        if ( evtchn_any_pending(v->domain, &port, 1) )
            goto out;
    }
    if ( sp->nr_ports == 1 )
        v->poll_port = port;
    if ( sp->timeout )
        set_timer(&v->poll_timer, (s_time_t)sp->timeout);
    vcpu_poll_block_current();
    return 0;

 out:
    v->polling = false;
    v->blocked = false;
    return rc;
}

long do_sched_op(unsigned long cmd, unsigned long arg)
{
    switch ( cmd )
    {
    case SCHEDOP_yield:
        vcpu_yield_current();
        return 0;
    case SCHEDOP_shutdown:
    {
        struct sched_shutdown sd;

        if ( copy_from_guest(&sd, arg, sizeof(sd)) )
            return -EFAULT;
        if ( sd.reason > SHUTDOWN_MAX )
            return -EINVAL;
        domain_shutdown_current((int)sd.reason, NULL);
    }
    case SCHEDOP_block:
        /* Enable event delivery and wait for an event (Xen's semantics). */
        current_vcpu()->vcpu_info->evtchn_upcall_mask = 0;
        vcpu_block_current();
        return 0;
    case SCHEDOP_poll:
    {
        struct sched_poll sp;

        if ( copy_from_guest(&sp, arg, sizeof(sp)) )
            return -EFAULT;
        return sched_poll(&sp);
    }
    case SCHEDOP_shutdown_code:
    {
        struct sched_shutdown sd;

        if ( copy_from_guest(&sd, arg, sizeof(sd)) )
            return -EFAULT;
        current_vcpu()->domain->shutdown_code = (int)sd.reason;
        return 0;
    }
    default:
        return -ENOSYS;
    }
}

/* The old sched_op (number 6): the argument is the value itself. */
long do_sched_op_compat(unsigned long cmd, unsigned long arg)
{
    switch ( cmd )
    {
    case SCHEDOP_yield:
    case SCHEDOP_block:
        return do_sched_op(cmd, 0);
    case SCHEDOP_shutdown:
        if ( arg > SHUTDOWN_MAX )
            return -EINVAL;
        domain_shutdown_current((int)arg, NULL);
    default:
        return -ENOSYS;
    }
}

/*
 * set_trap_table: install the guest's virtual IDT entries from an array
 * ended by an entry with address 0 (at most 256 are read). NULL clears
 * the whole table (the NMI callback, kept at vector 2, included).
 * Returns 0, -EFAULT for an unreadable entry, -EINVAL for a non-canonical
 * handler address.
 */
long do_set_trap_table(unsigned long traps)
{
    struct vcpu *v = current_vcpu();
    struct trap_info ti;
    unsigned int i;

    if ( !traps )
    {
        memset(v->pv.traps, 0, sizeof(v->pv.traps));
        return 0;
    }
    for ( i = 0; i < 256; i++ )
    {
        if ( copy_from_guest(&ti, traps + i * sizeof(ti), sizeof(ti)) )
            return -EFAULT;
        if ( !ti.address )
            break;
        /* As Xen: the entries before a bad one stay in place. */
        if ( ti.address >= 0x0000800000000000ul && ti.address < 0xffff800000000000ul )
            return -EINVAL;
        v->pv.traps[ti.vector] = ti;
    }
    return 0;
}
