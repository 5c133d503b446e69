/* SPDX-License-Identifier: MIT */
/*
 * Test guest periodic-timer: the periodic timer runs only while its vCPU runs.
 *
 * Proves, as Xen 4.17 (common/sched/core.c) behaves: with the default
 * 10 ms period, a vCPU polling its own VIRQ_TIMER port is not woken by
 * its periodic timer (the timer stops when the vCPU is switched out), so
 * the poll lasts its whole 100 ms timeout, and one overdue VIRQ_TIMER is
 * pending as soon as the vCPU runs again, the next one a period later; a
 * vCPU in SCHEDOP_block is not woken by it either (only by its one-shot
 * timer, 100 ms on); VCPUOP_set_periodic_timer sends VIRQ_TIMER at once
 * when a period has passed since the last periodic one, and not when it
 * has not; while the vCPU runs, ticks keep coming, not faster than the
 * period.
 */
#include <kit/kit.h>

#define MS 1000000ULL
/* The pvclock as read here and as Xen reads it may differ by a little. */
#define SLACK 100000ULL

static evtchn_port_t timer_port;

static uint64_t ms_since(uint64_t t)
{
    return (kit_system_time() - t) / MS;
}

static long set_period(uint64_t ns)
{
    struct vcpu_set_periodic_timer p = { .period_ns = ns };

    return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
}

/* Spin (upcalls masked) until the timer port is pending or ns pass; clear
 * it. Returns the time it was seen, or 0. */
static uint64_t wait_tick(uint64_t ns)
{
    uint64_t end = kit_system_time() + ns;

    for ( ;; )
    {
        uint64_t t = kit_system_time();

        if ( kit_evtchn_is_pending(timer_port) )
        {
            kit_evtchn_clear_pending(timer_port);
            return t;
        }
        if ( t > end )
            return 0;
    }
}

static long poll_timer_port(uint64_t timeout)
{
    struct sched_poll poll;

    set_xen_guest_handle(poll.ports, &timer_port);
    poll.nr_ports = 1;
    poll.timeout = timeout;
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

void test_main(const start_info_t *si)
{
    vcpu_info_t *vi;
    uint64_t t0, t1, seen;
    unsigned int ticks, tries, n;
    long rc;

    timer_port = kit_events_timer_setup();
    vi = kit_vcpu_info();

    /* The default period ticks while we run (upcalls masked: the port's
     * pending bit is watched). */
    if ( !wait_tick(200 * MS) || !wait_tick(200 * MS) )
        kit_test_failure("no periodic VIRQ_TIMER by default");

    /* Polling the timer port itself, just after a tick: the periodic
     * timer does not end the poll; the overdue tick is there at once. */
    for ( tries = 0; tries < 2; tries++ )
    {
        wait_tick(200 * MS);
        t0 = kit_system_time();
        rc = poll_timer_port(t0 + 100 * MS);
        t1 = kit_system_time();
        if ( t1 + SLACK >= t0 + 100 * MS || (t1 - t0) / MS >= 5 )
            break;
        /* Back within 5 ms: a tick may have come before the poll. */
    }
    kit_printf("poll on VIRQ_TIMER, 100 ms timeout: rc %ld after %llu ms, "
               "pending %d\n", rc, (unsigned long long)((t1 - t0) / MS),
               kit_evtchn_is_pending(timer_port));
    if ( rc || t1 + SLACK < t0 + 100 * MS )
        kit_test_failure("the periodic timer ended a poll after %llu ms: it "
                         "ran while the vCPU did not",
                         (unsigned long long)((t1 - t0) / MS));
    if ( !kit_evtchn_is_pending(timer_port) )
        kit_test_failure("no overdue VIRQ_TIMER when switched in again");
    kit_evtchn_clear_pending(timer_port);
    seen = wait_tick(200 * MS);
    kit_printf("next tick %lld us after the poll\n",
               seen ? (long long)(seen - t1) / 1000 : -1LL);
    if ( !seen )
        kit_test_failure("no tick after the overdue one");

    /* SCHEDOP_block (upcalls enabled by it): only the one-shot timer
     * 100 ms on wakes the vCPU. */
    for ( tries = 0; tries < 2; tries++ )
    {
        kit_events_mask();
        wait_tick(200 * MS);
        vi->evtchn_pending_sel = 0;
        vi->evtchn_upcall_pending = 0;
        n = kit_event_count[timer_port];
        t0 = kit_system_time();
        HYPERVISOR_set_timer_op(t0 + 100 * MS);
        rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        t1 = kit_system_time();
        if ( t1 + SLACK >= t0 + 100 * MS || (t1 - t0) / MS >= 5 )
            break;
    }
    kit_events_mask();
    HYPERVISOR_set_timer_op(0);
    kit_printf("block, one-shot 100 ms on: rc %ld after %llu ms, %u timer "
               "event(s)\n", rc, (unsigned long long)((t1 - t0) / MS),
               kit_event_count[timer_port] - n);
    if ( rc || t1 + SLACK < t0 + 100 * MS )
        kit_test_failure("the periodic timer woke a blocked vCPU after %llu ms",
                         (unsigned long long)((t1 - t0) / MS));
    if ( kit_event_count[timer_port] == n )
        kit_test_failure("block returned without a timer event");

    /* Setting a period when one has passed since the last tick: a tick at
     * once, before the hypercall returns. */
    if ( HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL) )
        kit_test_failure("stop_periodic_timer");
    t0 = kit_system_time();
    while ( ms_since(t0) < 30 )
        ;
    kit_evtchn_clear_pending(timer_port);
    if ( wait_tick(30 * MS) )
        kit_test_failure("VIRQ_TIMER 30 ms after stop_periodic_timer");
    rc = set_period(10 * MS);
    if ( rc || !kit_evtchn_is_pending(timer_port) )
        kit_test_failure("set_periodic_timer 10 ms, 60 ms after the last "
                         "tick: rc %ld, pending %d, want 0 1", rc,
                         kit_evtchn_is_pending(timer_port));
    kit_evtchn_clear_pending(timer_port);

    /* ... and not when the last tick is more recent than the period. */
    t0 = kit_system_time();
    rc = set_period(50 * MS);
    if ( rc || kit_evtchn_is_pending(timer_port) )
        kit_test_failure("set_periodic_timer 50 ms just after a tick: rc %ld, "
                         "pending %d, want 0 0", rc,
                         kit_evtchn_is_pending(timer_port));
    seen = wait_tick(300 * MS);
    kit_printf("50 ms period: first tick %lld ms on\n",
               seen ? (long long)(seen - t0) / (long long)MS : -1LL);
    if ( !seen || seen + SLACK < t0 + 40 * MS )
        kit_test_failure("50 ms period: tick %lld ms after set",
                         seen ? (long long)(seen - t0) / (long long)MS : -1LL);

    /* Running: no more than about one tick per period, and they keep
     * coming (a loaded host may run this vCPU late: no lower bound in
     * 100 ms, five ticks within a second). */
    if ( set_period(10 * MS) )
        kit_test_failure("set_periodic_timer 10 ms");
    kit_evtchn_clear_pending(timer_port);
    ticks = 0;
    t0 = kit_system_time();
    while ( ms_since(t0) < 100 )
        if ( wait_tick(100 * MS) )
            ticks++;
    kit_printf("running 100 ms with a 10 ms period: %u ticks\n", ticks);
    if ( ticks > 15 )
        kit_test_failure("%u ticks in 100 ms with a 10 ms period", ticks);
    t0 = kit_system_time();
    for ( ticks = 0; ticks < 5 && ms_since(t0) < 1000; )
        if ( wait_tick(1000 * MS) )
            ticks++;
    if ( ticks < 5 )
        kit_test_failure("%u ticks in 1 s with a 10 ms period", ticks);

    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    kit_test_success();
}
