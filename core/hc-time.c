/* SPDX-License-Identifier: MIT */
/* Guest time: one-shot and periodic timers raising VIRQ_TIMER, set_timer_op. */
/*
 * Each vCPU has one one-shot timer, armed by set_timer_op,
 * VCPUOP_set_singleshot_timer or a SCHEDOP_poll timeout, on the pCPU that
 * arms it, and a periodic one (VCPUOP_set_periodic_timer, 10 ms from the
 * start). When one fires, wherever that is, it raises VIRQ_TIMER on its
 * vCPU (the port bound to that vCPU) and kicks it: woken if blocked, an
 * IPI to its pCPU if it runs elsewhere. The pvclock in vcpu_info.time is
 * refreshed whenever the vCPU is scheduled and when its timer fires on
 * the pCPU running it (only that pCPU writes it). The vcpu_op sub-ops
 * live in core/vcpu.c.
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

    /* Only v's own pCPU writes its pvclock (one writer: the version
     * protocol); elsewhere, the next switch-in refreshes it. */
    if ( v == current_vcpu() )
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
void vcpu_set_singleshot(struct vcpu *v, s_time_t t)
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

void vcpu_set_periodic(struct vcpu *v, s_time_t period)
{
    /* The period first: a callback running meanwhile re-arms by it. */
    v->periodic_period = period;
    if ( period )
        set_timer(&v->periodic, now() + period);
    else
        stop_timer(&v->periodic);
}

void vcpu_timers_kill(struct vcpu *v)
{
    v->periodic_period = 0;
    kill_timer(&v->singleshot);
    kill_timer(&v->periodic);
    kill_timer(&v->poll_timer);
}

long do_set_timer_op(unsigned long timeout)
{
    struct vcpu *v = current_vcpu();

    if ( !timeout )
        stop_timer(&v->singleshot);
    else
        vcpu_set_singleshot(v, (s_time_t)timeout);
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
