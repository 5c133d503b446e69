/* SPDX-License-Identifier: MIT */
/* Guest time: one-shot timers raising VIRQ_TIMER, set_timer_op, vcpu_op. */
/*
 * Each vCPU has one one-shot timer, armed by set_timer_op,
 * VCPUOP_set_singleshot_timer or a SCHEDOP_poll timeout, on the pCPU the
 * vCPU runs on. When it fires it raises VIRQ_TIMER on the vCPU and wakes it
 * if it is blocked. The pvclock in vcpu_info.time is refreshed whenever
 * the vCPU is scheduled and when its timer fires.
 */
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/event.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <xen/vcpu.h>

static void singleshot_fire(void *data)
{
    struct vcpu *v = data;

    pv_update_vcpu_time(v);
    send_guest_vcpu_virq(v, VIRQ_TIMER);
    vcpu_kick(v);
}

static void periodic_fire(void *data)
{
    struct vcpu *v = data;

    singleshot_fire(v);
    if ( v->periodic_period )
        set_timer(&v->periodic, v->periodic.expires + v->periodic_period);
}

static void poll_timeout(void *data)
{
    struct vcpu *v = data;

    v->polling = false;
    vcpu_kick(v);
}

/* Arm v's one-shot timer; a deadline already past fires now, so the
 * event is pending before the hypercall returns (as on Xen). */
static void arm_singleshot(struct vcpu *v, s_time_t t)
{
    if ( t <= now() )
    {
        stop_timer(&v->singleshot);
        singleshot_fire(v);
    }
    else
        set_timer(&v->singleshot, t);
}

void vcpu_timer_init(struct vcpu *v)
{
    timer_init(&v->singleshot, singleshot_fire, v, "vcpu singleshot");
    timer_init(&v->periodic, periodic_fire, v, "vcpu periodic");
    timer_init(&v->poll_timer, poll_timeout, v, "vcpu poll");
    v->periodic_period = MILLISECS(10);
}

void vcpu_timers_start(struct vcpu *v)
{
    if ( v->periodic_period )
        set_timer(&v->periodic, now() + v->periodic_period);
}

void vcpu_timers_stop(struct vcpu *v)
{
    stop_timer(&v->singleshot);
    stop_timer(&v->periodic);
    stop_timer(&v->poll_timer);
}

/* Move v's vcpu_info into a guest frame (VCPUOP_register_vcpu_info). */
static long register_vcpu_info(struct vcpu *v, unsigned long arg)
{
    struct vcpu_register_vcpu_info info;
    struct vcpu_info *new;
    int rc;

    if ( copy_from_guest(&info, arg, sizeof(info)) )
        return -EFAULT;
    if ( info.offset > PAGE_SIZE - sizeof(struct vcpu_info) )
        return -ENXIO;
    if ( v->vcpu_info_registered )
        return -EINVAL;
    /* The frame stays writable (never a page table) while registered: the
     * reference is dropped when the domain goes. */
    pt_lock();
    rc = get_page_and_type(info.mfn, v->domain->domain_id, PGT_writable_page);
    pt_unlock();
    if ( rc )
        return -EINVAL;
    new = (struct vcpu_info *)((char *)mfn_to_virt(info.mfn) + info.offset);
    memcpy(new, v->vcpu_info, sizeof(*new));
    /* As Xen: everything pending is flagged again in the new place. */
    new->evtchn_upcall_pending = 1;
    new->evtchn_pending_sel = ~0ul;
    v->vcpu_info = new;
    v->vcpu_info_registered = true;
    pv_update_vcpu_time(v);
    return 0;
}

long do_set_timer_op(unsigned long timeout)
{
    struct vcpu *v = current_vcpu();

    if ( !timeout )
        stop_timer(&v->singleshot);
    else
        arm_singleshot(v, (s_time_t)timeout);
    return 0;
}

/* Write the runstate to the guest's registered area, if any. */
void vcpu_runstate_update(struct vcpu *v, int state)
{
    s_time_t t = now();

    v->runstate.time[v->runstate.state] += t - v->runstate.state_entry_time;
    v->runstate.state = state;
    v->runstate.state_entry_time = t;
    if ( v->runstate_area && v == current_vcpu() )
        (void)copy_to_guest(v->runstate_area, &v->runstate, sizeof(v->runstate));
}

long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg)
{
    struct vcpu *curr = current_vcpu(), *v;
    struct domain *d = curr->domain;

    if ( vcpuid >= d->max_vcpus || !(v = d->vcpu[vcpuid]) )
        return -ENOENT;
    switch ( cmd )
    {
    case VCPUOP_is_up:
        return 1;
    case VCPUOP_set_singleshot_timer:
    {
        struct vcpu_set_singleshot_timer st;

        if ( v != curr )
            return -EINVAL;
        if ( copy_from_guest(&st, arg, sizeof(st)) )
            return -EFAULT;
        /* VCPU_SSHOTTMR_future is ignored, as Xen 4.17 ignores it. */
        arm_singleshot(v, (s_time_t)st.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if ( v != curr )
            return -EINVAL;
        stop_timer(&v->singleshot);
        return 0;
    case VCPUOP_stop_periodic_timer:
        if ( v != curr )
            return -EINVAL;
        v->periodic_period = 0;
        stop_timer(&v->periodic);
        return 0;
    case VCPUOP_set_periodic_timer:
    {
        struct vcpu_set_periodic_timer pt;

        if ( v != curr )
            return -EINVAL;
        if ( copy_from_guest(&pt, arg, sizeof(pt)) )
            return -EFAULT;
        if ( pt.period_ns < (uint64_t)MILLISECS(1) || pt.period_ns > (uint64_t)SECONDS(1ll << 30) )
            return -EINVAL;
        v->periodic_period = (s_time_t)pt.period_ns;
        set_timer(&v->periodic, now() + v->periodic_period);
        return 0;
    }
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case VCPUOP_register_runstate_memory_area:
    {
        struct vcpu_register_runstate_memory_area area;

        if ( copy_from_guest(&area, arg, sizeof(area)) )
            return -EFAULT;
        v->runstate_area = (uint64_t)area.addr.v;
        if ( v == curr && v->runstate_area &&
             copy_to_guest(v->runstate_area, &v->runstate, sizeof(v->runstate)) )
            return -EFAULT;
        return 0;
    }
    case VCPUOP_get_runstate_info:
    {
        struct vcpu_runstate_info ri = v->runstate;

        if ( v == curr )
            ri.time[ri.state] += now() - ri.state_entry_time;
        return copy_to_guest(arg, &ri, sizeof(ri)) ? -EFAULT : 0;
    }
    default:
        return -ENOSYS;
    }
}
