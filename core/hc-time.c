/* SPDX-License-Identifier: MIT */
/* Guest time: one-shot and periodic timers raising VIRQ_TIMER, set_timer_op. */
/*
 * Each vCPU has one one-shot timer, armed by set_timer_op,
 * VCPUOP_set_singleshot_timer or a SCHEDOP_poll timeout, on the pCPU that
 * arms it, and a periodic one (VCPUOP_set_periodic_timer, 10 ms from the
 * start). A timer that fires raises VIRQ_TIMER on its vCPU (the port
 * bound to that vCPU); the event channel code kicks the vCPU as for any
 * event (woken if blocked, an IPI if it runs elsewhere), so an unbound or
 * masked VIRQ_TIMER wakes nothing, as on Xen.
 *
 * The periodic timer runs only while its vCPU runs, as Xen 4.17's
 * (common/sched/core.c): the context switch stops it when the vCPU leaves
 * its pCPU, blocked or preempted, so it never wakes a blocked vCPU; when
 * the vCPU is switched in again, VIRQ_TIMER is sent at once if a period
 * has passed since the last periodic one (one overdue tick, however many
 * were missed), and the timer is armed for last + period:
 *
 *        last      last+P            switched in at t >= last+P
 *   -------|----------|- - - - - - - - - -|------------------> time
 *          tick       (no tick: not       tick now, last = t,
 *                      running)           next at t + P
 *
 * Setting a period does the same at once (a VIRQ_TIMER when one period
 * has passed since the last); a period set for a vCPU that does not run
 * arms its timer anyway, until its next switch-out (as on Xen).
 * periodic_lock orders the switch hooks, the callback and the hypercall.
 *
 * The pvclock in vcpu_info.time is refreshed whenever the vCPU is
 * scheduled and when its timer fires on the pCPU running it (only that
 * pCPU writes it). The vcpu_op sub-ops live in core/vcpu.c.
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

/* Xen's send_timer_event. */
static void send_timer_event(struct vcpu *v)
{
    /* Only v's own pCPU writes its pvclock (one writer: the version
     * protocol); elsewhere, the next switch-in refreshes it. */
    if ( v == current_vcpu() )
        pv_update_vcpu_time(v);
    send_guest_vcpu_virq(v, VIRQ_TIMER);
}

static void singleshot_fire(void *data)
{
    send_timer_event(data);
}

/* VIRQ_TIMER if a period has passed since the last periodic one, then
 * the timer armed on this pCPU for the next. periodic_lock held. */
static void periodic_work_locked(struct vcpu *v)
{
    s_time_t t = now(), next = v->periodic_last + v->periodic_period;

    if ( t >= next )
    {
        send_timer_event(v);
        v->periodic_last = t;
        next = t + v->periodic_period;
    }
    set_timer(&v->periodic, next);
}

void vcpu_periodic_resume(struct vcpu *v)
{
    unsigned long f;

    if ( !ACCESS_ONCE(v->periodic_period) )
        return;
    f = spin_lock_irqsave(&v->periodic_lock);
    if ( v->periodic_period )
        periodic_work_locked(v);
    spin_unlock_irqrestore(&v->periodic_lock, f);
}

static void periodic_fire(void *data)
{
    vcpu_periodic_resume(data);
}

void vcpu_periodic_stop(struct vcpu *v)
{
    unsigned long f = spin_lock_irqsave(&v->periodic_lock);

    stop_timer(&v->periodic);
    spin_unlock_irqrestore(&v->periodic_lock, f);
}

/* A poll's timeout ends it, if it has not ended yet (Xen's poll_timer_fn:
 * a timer left from an earlier poll wakes nothing). */
static void poll_timeout(void *data)
{
    struct vcpu *v = data;

    if ( __atomic_exchange_n(&v->polling, false, __ATOMIC_SEQ_CST) )
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
    v->periodic_period = MILLISECS(10);     /* first tick at first switch-in */
}


/* Xen's vcpu_set_periodic_timer. */
void vcpu_set_periodic(struct vcpu *v, s_time_t period)
{
    unsigned long f = spin_lock_irqsave(&v->periodic_lock);

    stop_timer(&v->periodic);
    v->periodic_period = period;
    if ( period )
        periodic_work_locked(v);
    spin_unlock_irqrestore(&v->periodic_lock, f);
}

void vcpu_timers_kill(struct vcpu *v)
{
    unsigned long f = spin_lock_irqsave(&v->periodic_lock);

    v->periodic_period = 0;
    spin_unlock_irqrestore(&v->periodic_lock, f);
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

/* Write the runstate to the guest's registered area, if any, when v's
 * own tables are loaded. */
void vcpu_runstate_publish(struct vcpu *v)
{
    if ( v->runstate_area && v == current_vcpu() )
        (void)copy_to_guest(v->runstate_area, &v->runstate, sizeof(v->runstate));
}

/* A new runstate from now on (sched_lock held). */
void vcpu_runstate_update(struct vcpu *v, int state)
{
    s_time_t t = now();

    v->runstate.time[v->runstate.state] += t - v->runstate.state_entry_time;
    v->runstate.state = state;
    v->runstate.state_entry_time = t;
    vcpu_runstate_publish(v);
}
