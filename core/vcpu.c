/* SPDX-License-Identifier: MIT */
/* A domain's vCPUs: creation, the vcpu_op hypercall, teardown. */
/*
 * Theory of operation
 *
 * A domain has cfg.vcpus vCPUs from the start (d->vcpu[], linked by
 * next_in_list for for_each_vcpu). vCPU 0 starts at the kernel entry with
 * the builder's context; the others are down (Xen's VPF_down, runstate
 * offline) and uninitialised until the guest gives one a context
 * (VCPUOP_initialise) and brings it up (VCPUOP_up). Each vCPU's
 * vcpu_info is its slot in the shared-info page, or for vCPUs from
 * XEN_LEGACY_MAX_VCPUS (32) on a dummy one until the guest registers one
 * (VCPUOP_register_vcpu_info): such a vCPU cannot be initialised before.
 *
 *            VCPUOP_initialise         VCPUOP_up
 *   down, ---------------------> down, ---------> up <--------.
 *   uninitialised                initialised        \         |
 *                                                    `--------'
 *                                           VCPUOP_down / VCPUOP_up
 *
 * VCPUOP_down of the domain's last vCPU that is up shuts the domain down
 * (SHUTDOWN_poweroff), as on Xen. A vCPU that goes down keeps its state
 * and references: VCPUOP_up resumes it where it was (a vCPU that took
 * itself down returns from that hypercall with 0).
 *
 * Locks: d->domain_lock (Xen's domain_lock) serialises the changes of a
 * vCPU's context and of up/down (initialise, up, down, register_vcpu_info);
 * it is taken before pt_lock. The scheduler reads the down flag with its
 * own lock (vcpu_runnable): a vCPU put down is made to leave its pCPU by
 * vcpu_sleep_nosync, one brought up is made runnable by vcpu_wake.
 *
 * The sub-ops and their answers follow Xen 4.17's do_vcpu_op for a PV
 * domU (see docs/smp.md and docs/pv-abi.md); timers are core/hc-time.c's,
 * the pvclock and its secondary copy arch/x86_64/time.c's, NMI delivery
 * arch/x86_64/pv/traps.c's.
 */
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/heap.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

/* The vcpu_info of vCPUs past the shared-info page's slots, until they
 * register one: written by anyone, read by no one that matters. */
static struct vcpu_info dummy_vcpu_info = { .evtchn_upcall_mask = 1 };

int vcpus_create(struct domain *d, unsigned int n)
{
    unsigned int i;
    int rc;

    d->vcpu = heap_zalloc(n * sizeof(*d->vcpu));
    if ( !d->vcpu )
        return -ENOMEM;
    d->max_vcpus = n;
    for ( i = 0; i < n; i++ )
    {
        struct vcpu *v = heap_zalloc(sizeof(*v));

        if ( !v )
            return -ENOMEM;
        v->domain = d;
        v->vcpu_id = i;
        v->down = i > 0;                    /* before sched_init_vcpu (null) */
        v->runstate.state = RUNSTATE_offline;
        v->runstate.state_entry_time = now();
        v->vcpu_info = i < XEN_LEGACY_MAX_VCPUS ? &d->shared_info->vcpu_info[i]
                                                : &dummy_vcpu_info;
        vcpu_timer_init(v);
        d->vcpu[i] = v;
        if ( i )
            d->vcpu[i - 1]->next_in_list = v;
        rc = sched_init_vcpu(v);
        if ( rc )
            return rc;
    }
    d->vcpu[0]->is_initialised = true;
    return 0;
}

void vcpus_put_refs(struct domain *d)
{
    struct vcpu *v;

    for_each_vcpu ( d, v )
    {
        if ( v->pv.kernel_cr3 )
            put_page_and_type((unsigned long)(v->pv.kernel_cr3 >> PAGE_SHIFT));
        if ( v->pv.user_cr3 )
            put_page_and_type((unsigned long)(v->pv.user_cr3 >> PAGE_SHIFT));
        v->pv.kernel_cr3 = v->pv.user_cr3 = 0;
        pv_destroy_gdt(v);
        pv_destroy_ldt(v);
        if ( v->vcpu_info_registered )
            put_page_and_type(v->vcpu_info_mfn);
        v->vcpu_info_registered = false;
    }
}

void vcpus_free(struct domain *d)
{
    unsigned int i;

    for ( i = 0; d->vcpu && i < d->max_vcpus; i++ )
        if ( d->vcpu[i] )
        {
            vcpu_timers_kill(d->vcpu[i]);
            sched_destroy_vcpu(d->vcpu[i]);
            heap_free(d->vcpu[i]);
        }
    heap_free(d->vcpu);
    d->vcpu = NULL;
}

/* VCPUOP_initialise: v takes the guest's context (pv_set_info_guest). */
static long vcpu_initialise(struct vcpu *v, unsigned long arg)
{
    struct vcpu_guest_context ctxt;
    struct domain *d = v->domain;
    unsigned long f;
    long rc;

    if ( v->vcpu_info == &dummy_vcpu_info )
        return -EINVAL;
    if ( copy_from_guest(&ctxt, arg, sizeof(ctxt)) )
        return -EFAULT;
    f = spin_lock_irqsave(&d->domain_lock);
    rc = v->is_initialised ? -EEXIST : pv_set_info_guest(v, &ctxt);
    if ( !rc )
    {
        v->is_initialised = true;
        /* As Xen: VGCF_online marks it up without waking it. */
        v->down = !(ctxt.flags & VGCF_online);
    }
    spin_unlock_irqrestore(&d->domain_lock, f);
    return rc;
}

/* VCPUOP_up: -EINVAL until initialised; a vCPU already up stays as it is. */
static long vcpu_up(struct vcpu *v)
{
    struct domain *d = v->domain;
    unsigned long f = spin_lock_irqsave(&d->domain_lock);
    bool wake = false;
    long rc = 0;

    if ( !v->is_initialised )
        rc = -EINVAL;
    else
        wake = __atomic_exchange_n(&v->down, false, __ATOMIC_SEQ_CST);
    spin_unlock_irqrestore(&d->domain_lock, f);
    if ( wake )
        vcpu_wake(v);
    return rc;
}

/* VCPUOP_down: v leaves its pCPU (at once if it is the caller, on its way
 * back to the guest); the domain's last vCPU up ends the domain. */
static long vcpu_down(struct vcpu *v)
{
    struct domain *d = v->domain;
    unsigned long f = spin_lock_irqsave(&d->domain_lock);
    struct vcpu *w;
    bool others = false, sleep;

    for_each_vcpu ( d, w )
        if ( w != v && !w->down )
            others = true;
    sleep = others && !__atomic_exchange_n(&v->down, true, __ATOMIC_SEQ_CST);
    spin_unlock_irqrestore(&d->domain_lock, f);
    if ( !others )
        domain_shutdown_current(SHUTDOWN_poweroff, NULL);
    if ( sleep )
        vcpu_sleep_nosync(v);
    return 0;
}

/*
 * VCPUOP_register_vcpu_info, as Xen 4.17's map_vcpu_info: the vcpu_info
 * moves to offset of the domain's frame mfn, which stays writable (a type
 * reference) until the domain ends. -ENXIO for an offset past the page's
 * end or not 8-aligned, -EINVAL when one is registered already, v is
 * another vCPU that is up, or the frame cannot be writable.
 */
static long register_vcpu_info(struct vcpu *v, unsigned long arg)
{
    struct vcpu_register_vcpu_info info;
    struct domain *d = v->domain;
    struct vcpu_info *new;
    unsigned long f;
    long rc = 0;

    if ( copy_from_guest(&info, arg, sizeof(info)) )
        return -EFAULT;
    f = spin_lock_irqsave(&d->domain_lock);
    if ( info.offset > PAGE_SIZE - sizeof(struct vcpu_info) || (info.offset & 7) )
        rc = -ENXIO;
    else if ( v->vcpu_info_registered ||
              (v != current_vcpu() && !v->down) )
        rc = -EINVAL;
    else
    {
        pt_lock();
        rc = get_page_and_type(info.mfn, d->domain_id, PGT_writable_page) ? -EINVAL : 0;
        pt_unlock();
    }
    if ( rc )
        goto out;
    new = (struct vcpu_info *)((char *)mfn_to_virt(info.mfn) + info.offset);
    if ( v->vcpu_info == &dummy_vcpu_info )
    {
        memset(new, 0, sizeof(*new));
        new->evtchn_upcall_mask = 1;
    }
    else
        memcpy(new, v->vcpu_info, sizeof(*new));
    __atomic_store_n(&v->vcpu_info, new, __ATOMIC_SEQ_CST);
    v->vcpu_info_mfn = info.mfn;
    v->vcpu_info_registered = true;
    /* As Xen: everything pending is flagged again in the new place. */
    new->evtchn_pending_sel = ~0ul;
    new->evtchn_upcall_pending = 1;
    pv_update_vcpu_time(v);                 /* v is current, or down */
 out:
    spin_unlock_irqrestore(&d->domain_lock, f);
    if ( !rc )
        vcpu_kick(v);
    return rc;
}

/* Xen's vcpu_runstate_get: the times up to now. */
static void runstate_get(const struct vcpu *v, struct vcpu_runstate_info *ri)
{
    s_time_t delta;

    vcpu_runstate_snapshot(v, ri);
    delta = now() - (s_time_t)ri->state_entry_time;
    if ( delta > 0 && ri->state < 4 )
        ri->time[ri->state] += (uint64_t)delta;
}

/* VCPUOP_register_runstate_memory_area: v's area is written from now on
 * whenever its runstate changes while its tables are loaded, and at once
 * (in the caller's address space, a fault ignored, as on Xen). */
static long register_runstate(struct vcpu *v, unsigned long arg)
{
    struct vcpu_register_runstate_memory_area area;
    struct vcpu_runstate_info ri;

    if ( copy_from_guest(&area, arg, sizeof(area)) )
        return -EFAULT;
    if ( !pv_guest_array_ok((uint64_t)area.addr.v, 1, sizeof(ri)) )
        return -EFAULT;
    v->runstate_area = (uint64_t)area.addr.v;
    if ( v == current_vcpu() )
        ri = v->runstate;
    else
        runstate_get(v, &ri);
    (void)copy_to_guest(v->runstate_area, &ri, sizeof(ri));
    return 0;
}

/*
 * VCPUOP_register_vcpu_time_memory_area (Xen x86's arch_do_vcpu_op): any
 * vCPU of the domain; -EFAULT for an unreadable argument or an address a
 * guest may not name (an unmapped one is taken: writes to it are lost, as
 * on Xen). A copy of v's vcpu_time_info is written there at once, in the
 * caller's address space, and from then on at each update of v's pvclock
 * (arch/x86_64/time.c); address 0 unregisters.
 */
static long register_time_area(struct vcpu *v, unsigned long arg)
{
    struct vcpu_register_time_memory_area area;
    uint64_t va;

    if ( copy_from_guest(&area, arg, sizeof(area)) )
        return -EFAULT;
    va = area.addr.p;
    if ( !pv_guest_array_ok(va, 1, sizeof(struct vcpu_time_info)) )
        return -EFAULT;
    v->time_area = va;
    v->time_area_pending = false;
    pv_time_area_force(v);
    return 0;
}

/* VCPUOP_send_nmi (Xen's do_vcpu_op): any vCPU of the domain; the
 * argument must be NULL (else -EINVAL). The NMI is delivered through v's
 * NMI callback on its way back to the guest (arch/x86_64/pv/traps.c); one
 * already pending absorbs the new one. */
static long send_nmi(struct vcpu *v, unsigned long arg)
{
    if ( arg )
        return -EINVAL;
    if ( !__atomic_exchange_n(&v->nmi_pending, true, __ATOMIC_SEQ_CST) )
        vcpu_kick(v);
    return 0;
}

long do_vcpu_op(unsigned long cmd_arg, unsigned long vcpuid_arg, unsigned long arg)
{
    int cmd = (int)cmd_arg;                 /* Xen's argument types */
    unsigned int vcpuid = (unsigned int)vcpuid_arg;
    struct vcpu *curr = current_vcpu(), *v;
    struct domain *d = curr->domain;

    if ( vcpuid >= d->max_vcpus || !(v = d->vcpu[vcpuid]) )
        return -ENOENT;
    switch ( cmd )
    {
    case VCPUOP_initialise:
        return vcpu_initialise(v, arg);
    case VCPUOP_up:
        return vcpu_up(v);
    case VCPUOP_down:
        return vcpu_down(v);
    case VCPUOP_is_up:
        return !v->down;
    case VCPUOP_get_runstate_info:
    {
        struct vcpu_runstate_info ri;

        runstate_get(v, &ri);
        return copy_to_guest(arg, &ri, sizeof(ri)) ? -EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area:
        return register_runstate(v, arg);
    case VCPUOP_set_periodic_timer:
    {
        struct vcpu_set_periodic_timer pt;

        if ( copy_from_guest(&pt, arg, sizeof(pt)) )
            return -EFAULT;
        if ( pt.period_ns < (uint64_t)MILLISECS(1) ||
             pt.period_ns > (uint64_t)SECONDS(1ll << 30) )
            return -EINVAL;
        vcpu_set_periodic(v, (s_time_t)pt.period_ns);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        vcpu_set_periodic(v, 0);
        return 0;
    case VCPUOP_set_singleshot_timer:
    {
        struct vcpu_set_singleshot_timer st;

        if ( v != curr )
            return -EINVAL;
        if ( copy_from_guest(&st, arg, sizeof(st)) )
            return -EFAULT;
        /* VCPU_SSHOTTMR_future is ignored, as Xen 4.17 ignores it. */
        vcpu_set_singleshot(v, (s_time_t)st.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if ( v != curr )
            return -EINVAL;
        stop_timer(&v->singleshot);
        return 0;
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case VCPUOP_get_physid:
        return -EINVAL;                     /* for a domU's vCPU, as Xen */
    case VCPUOP_register_vcpu_time_memory_area:
        return register_time_area(v, arg);
    case VCPUOP_send_nmi:
        return send_nmi(v, arg);
    default:
        return -ENOSYS;
    }
}
