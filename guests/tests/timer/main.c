/* SPDX-License-Identifier: MIT */
/*
 * Test guest timer: VIRQ_TIMER, one-shot timers and the pvclock.
 *
 * Proves: the pvclock in vcpu_info.time (version protocol, TSC scaling)
 * advances monotonically; a PV vCPU starts with Xen's default periodic
 * timer (VIRQ_TIMER keeps firing) until VCPUOP_stop_periodic_timer;
 * set_timer_op and VCPUOP_set_singleshot_timer fire VIRQ_TIMER once, not
 * before the deadline and not much after it (as read on the pvclock);
 * set_timer_op(0) and VCPUOP_stop_singleshot_timer cancel; a deadline in
 * the past fires at once (before the hypercall returns to us), even with
 * VCPU_SSHOTTMR_future, which Xen 4.17 ignores (no -ETIME); the wallclock
 * in shared_info is sane.
 */
#include <kit/kit.h>

#define MS 1000000ULL
/* How late a timer may fire: generous, QEMU TCG is slow. */
#define LATE_OK (50 * MS)
/* Xen's and our reading of the pvclock may differ by a little. */
#define EARLY_OK (100000ULL)

static evtchn_port_t timer_port;

static unsigned int timer_events(void)
{
    return kit_event_count[timer_port];
}

/* Spin (yielding) until the timer port fires or ns pass; return the time
 * it was seen to fire, or 0. */
static uint64_t wait_timer(unsigned int before, uint64_t ns)
{
    uint64_t end = kit_system_time() + ns;

    for ( ;; )
    {
        uint64_t now = kit_system_time();

        if ( timer_events() != before )
            return now;
        if ( now > end )
            return 0;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* A timer set for deadline fired once, in time. */
static void check_fire(const char *what, uint64_t deadline, unsigned int before)
{
    uint64_t seen = wait_timer(before, 500 * MS);

    if ( !seen )
    {
        kit_test_failure("%s: never fired", what);
        return;
    }
    kit_printf("%s: fired %lld us after the deadline\n", what,
               ((long long)seen - (long long)deadline) / 1000);
    if ( seen + EARLY_OK < deadline )
        kit_test_failure("%s: fired %llu ns early", what,
                         (unsigned long long)(deadline - seen));
    else if ( seen > deadline + LATE_OK )
        kit_test_failure("%s: fired %llu ms late", what,
                         (unsigned long long)((seen - deadline) / MS));
    /* And only once. */
    if ( wait_timer(before + 1, 30 * MS) )
        kit_test_failure("%s: fired again", what);
}

void test_main(const start_info_t *si)
{
    struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu_set_singleshot_timer sst;
    shared_info_t *s;
    uint64_t t0, t1, deadline;
    uint32_t wc_version, wc_sec, wc_nsec;
    unsigned int n;
    long rc;

    if ( kit_events_init() )
        kit_test_abort("cannot set up event delivery");
    kit_trap_hook = kit_events_hook;
    s = kit_shared_info;

    /* The pvclock. */
    t0 = kit_system_time();
    if ( kit_vcpu_info()->time.tsc_to_system_mul == 0 || t0 == 0 )
        kit_test_failure("pvclock not set up: mul %u, time %llu",
                         kit_vcpu_info()->time.tsc_to_system_mul,
                         (unsigned long long)t0);
    for ( n = 0; n < 1000; n++ )
    {
        t1 = kit_system_time();
        if ( t1 < t0 )
        {
            kit_test_failure("pvclock went back: %llu -> %llu",
                             (unsigned long long)t0, (unsigned long long)t1);
            break;
        }
        t0 = t1;
        if ( n % 100 == 0 )
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }

    /* The wallclock: version even, seconds after 2020-01-01. */
    do {
        wc_version = s->wc_version;
        kit_rmb();
        wc_sec = s->wc_sec;
        wc_nsec = s->wc_nsec;
        kit_rmb();
    } while ( (wc_version & 1) || wc_version != s->wc_version );
    kit_printf("wallclock: %u.%09u (version %u)\n", wc_sec, wc_nsec, wc_version);
    if ( wc_sec < 1577836800u || wc_nsec >= 1000000000u )
        kit_test_failure("wallclock %u.%u is not sane", wc_sec, wc_nsec);

    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);
    if ( rc )
        kit_test_abort("bind_virq VIRQ_TIMER: %ld", rc);
    timer_port = bind.port;
    if ( timer_port >= KIT_EVENT_PORTS )
        kit_test_abort("timer port %u too big", timer_port);
    kit_events_unmask();

    /* Xen starts a PV vCPU with a periodic timer (10 ms). */
    n = timer_events();
    if ( !wait_timer(n, 200 * MS) )
        kit_test_failure("no periodic VIRQ_TIMER by default");
    rc = HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    if ( rc )
        kit_test_failure("stop_periodic_timer: %ld", rc);
    wait_timer(timer_events(), 30 * MS);    /* let a last one through */
    n = timer_events();
    if ( wait_timer(n, 100 * MS) )
        kit_test_failure("VIRQ_TIMER after stop_periodic_timer");

    /* set_timer_op: one-shot at an absolute system time. */
    n = timer_events();
    deadline = kit_system_time() + 20 * MS;
    rc = HYPERVISOR_set_timer_op(deadline);
    if ( rc )
        kit_test_failure("set_timer_op: %ld", rc);
    check_fire("set_timer_op +20ms", deadline, n);

    /* VCPUOP_set_singleshot_timer. */
    n = timer_events();
    deadline = kit_system_time() + 30 * MS;
    sst.timeout_abs_ns = deadline;
    sst.flags = VCPU_SSHOTTMR_future;
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst);
    if ( rc )
        kit_test_failure("set_singleshot_timer: %ld", rc);
    check_fire("singleshot +30ms", deadline, n);

    /* Cancelled timers do not fire. */
    n = timer_events();
    HYPERVISOR_set_timer_op(kit_system_time() + 20 * MS);
    rc = HYPERVISOR_set_timer_op(0);
    if ( rc )
        kit_test_failure("set_timer_op(0): %ld", rc);
    if ( wait_timer(n, 60 * MS) )
        kit_test_failure("set_timer_op(0) did not cancel");
    n = timer_events();
    sst.timeout_abs_ns = kit_system_time() + 20 * MS;
    sst.flags = 0;
    HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst);
    rc = HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
    if ( rc )
        kit_test_failure("stop_singleshot_timer: %ld", rc);
    if ( wait_timer(n, 60 * MS) )
        kit_test_failure("stop_singleshot_timer did not cancel");

    /* A deadline in the past fires before the hypercall returns. */
    n = timer_events();
    rc = HYPERVISOR_set_timer_op(kit_system_time() - 1 * MS);
    if ( rc || timer_events() != n + 1 )
        kit_test_failure("set_timer_op in the past: rc %ld, %u events, want 0 1",
                         rc, timer_events() - n);
    n = timer_events();
    sst.timeout_abs_ns = kit_system_time() - 1 * MS;
    sst.flags = 0;
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst);
    if ( rc || timer_events() != n + 1 )
        kit_test_failure("singleshot in the past: rc %ld, %u events, want 0 1",
                         rc, timer_events() - n);
    /* Xen 4.17 ignores VCPU_SSHOTTMR_future (the header allows it): no
     * -ETIME, the timer fires at once. */
    n = timer_events();
    sst.flags = VCPU_SSHOTTMR_future;
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst);
    if ( rc || timer_events() != n + 1 )
        kit_test_failure("singleshot in the past, future flag: rc %ld, %u "
                         "events, want 0 1", rc, timer_events() - n);

    /* Timers of another (nonexistent) vCPU. */
    rc = HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 1000, NULL);
    if ( rc != -XEN_ENOENT )
        kit_test_failure("stop_singleshot_timer vcpu 1000: %ld, want %d",
                         rc, -XEN_ENOENT);

    kit_events_mask();
    kit_test_success();
}
