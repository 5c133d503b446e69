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
#include <tern/sched.h>
#include <xen/vcpu.h>

static void singleshot_fire(void *data)
{
    struct vcpu *v = data;

    pv_update_vcpu_time(v);
    send_guest_vcpu_virq(v, VIRQ_TIMER);
    vcpu_kick(v);
}

void vcpu_timer_init(struct vcpu *v)
{
    timer_init(&v->singleshot, singleshot_fire, v, "vcpu singleshot");
}

long do_set_timer_op(unsigned long timeout)
{
    struct vcpu *v = current_vcpu();

    if ( !timeout )
        stop_timer(&v->singleshot);
    else
        set_timer(&v->singleshot, (s_time_t)timeout);
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
        if ( (st.flags & VCPU_SSHOTTMR_future) && (s_time_t)st.timeout_abs_ns < now() )
            return -ETIME;
        set_timer(&v->singleshot, (s_time_t)st.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if ( v != curr )
            return -EINVAL;
        stop_timer(&v->singleshot);
        return 0;
    case VCPUOP_stop_periodic_timer:
        return 0;                        /* no periodic timer runs */
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
