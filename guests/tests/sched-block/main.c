/* SPDX-License-Identifier: MIT */
/*
 * Test guest sched-block: SCHEDOP_block, SCHEDOP_poll and friends.
 *
 * Proves: SCHEDOP_block (events masked) sleeps until an event (a one-shot
 * timer 20 ms on), re-enables upcalls and delivers the event before it
 * returns; it returns at once when an event is already pending.
 * SCHEDOP_poll (allowed with upcalls enabled too) sleeps until one of its
 * ports is pending or its timeout passes, returns 0 either way without
 * unmasking or delivering; returns at once for a pending port; rejects a
 * bad port, too many ports and a bad list. SCHEDOP_yield, shutdown_code
 * and the old sched_op_compat yield return 0; an unknown op -ENOSYS.
 */
#include <kit/kit.h>

#define MS 1000000ULL

static evtchn_port_t timer_port, ipi_port;

static long poll_ports(evtchn_port_t *ports, unsigned int nr, uint64_t timeout)
{
    struct sched_poll poll;

    set_xen_guest_handle(poll.ports, ports);
    poll.nr_ports = nr;
    poll.timeout = timeout;
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

static uint64_t ms_since(uint64_t t)
{
    return (kit_system_time() - t) / MS;
}

void test_main(const start_info_t *si)
{
    struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
    evtchn_port_t ports[2], bad = 4096;
    vcpu_info_t *vi;
    uint64_t t0, deadline;
    unsigned int n, t;
    long rc;

    if ( kit_events_init() )
        kit_test_abort("cannot set up event delivery");
    kit_trap_hook = kit_events_hook;
    vi = kit_vcpu_info();
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind) ||
         HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) )
        kit_test_abort("cannot bind the timer and an IPI");
    timer_port = bind.port;
    ipi_port = ipi.port;
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    /* A periodic tick may have come between the bind and the stop (a busy
     * host widens that window): take it now, so block waits for its own. */
    kit_events_unmask();

    /* block: sleeps until the timer, unmasks, delivers. */
    kit_events_mask();
    n = kit_upcall.count;
    t = kit_event_count[timer_port];
    t0 = kit_system_time();
    deadline = t0 + 20 * MS;
    HYPERVISOR_set_timer_op(deadline);
    rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    kit_printf("block: rc %ld after %llu ms, %u upcalls, mask %u\n", rc,
               (unsigned long long)ms_since(t0), kit_upcall.count - n,
               vi->evtchn_upcall_mask);
    if ( rc )
        kit_test_failure("SCHEDOP_block: %ld", rc);
    if ( kit_system_time() + 100000 < deadline )
        kit_test_failure("block returned before the timer");
    if ( vi->evtchn_upcall_mask != 0 || kit_upcall.count == n ||
         kit_event_count[timer_port] != t + 1 )
        kit_test_failure("block: mask %u, %u upcalls, timer %u: want 0, >0, 1",
                         vi->evtchn_upcall_mask, kit_upcall.count - n,
                         kit_event_count[timer_port] - t);

    /* block with an event pending: at once. */
    kit_events_mask();
    kit_evtchn_send(ipi_port);
    n = kit_event_count[ipi_port];
    t0 = kit_system_time();
    HYPERVISOR_set_timer_op(t0 + 200 * MS);     /* a safety net */
    rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    HYPERVISOR_set_timer_op(0);
    if ( rc || ms_since(t0) > 100 || kit_event_count[ipi_port] != n + 1 )
        kit_test_failure("block with a pending event: rc %ld after %llu ms, "
                         "ipi %u", rc, (unsigned long long)ms_since(t0),
                         kit_event_count[ipi_port] - n);

    /* Xen 4.17 polls with upcalls enabled too: 0 after the timeout. */
    ports[0] = ipi_port;
    t0 = kit_system_time();
    rc = poll_ports(ports, 1, t0 + 10 * MS);
    if ( rc || kit_system_time() + 100000 < t0 + 10 * MS )
        kit_test_failure("poll with upcalls enabled: rc %ld after %llu ms, "
                         "want 0 after 10", rc, (unsigned long long)ms_since(t0));
    kit_events_mask();

    /* poll times out. */
    n = kit_upcall.count;
    t0 = kit_system_time();
    rc = poll_ports(ports, 1, t0 + 30 * MS);
    kit_printf("poll timeout: rc %ld after %llu ms\n", rc,
               (unsigned long long)ms_since(t0));
    if ( rc || kit_system_time() + 100000 < t0 + 30 * MS || ms_since(t0) > 500 )
        kit_test_failure("poll with 30 ms timeout: rc %ld after %llu ms", rc,
                         (unsigned long long)ms_since(t0));
    if ( vi->evtchn_upcall_mask != 1 || kit_upcall.count != n )
        kit_test_failure("poll unmasked or delivered");

    /* poll woken by the timer port, no timeout. */
    ports[0] = ipi_port;
    ports[1] = timer_port;
    t0 = kit_system_time();
    deadline = t0 + 20 * MS;
    HYPERVISOR_set_timer_op(deadline);
    rc = poll_ports(ports, 2, 0);
    kit_printf("poll on the timer: rc %ld after %llu ms\n", rc,
               (unsigned long long)ms_since(t0));
    if ( rc || kit_system_time() + 100000 < deadline ||
         !kit_evtchn_is_pending(timer_port) )
        kit_test_failure("poll woken by the timer: rc %ld, pending %d", rc,
                         kit_evtchn_is_pending(timer_port));

    /* poll on a pending port: at once (the timer port still is). */
    t0 = kit_system_time();
    rc = poll_ports(&timer_port, 1, t0 + 200 * MS);
    if ( rc || ms_since(t0) > 100 )
        kit_test_failure("poll on a pending port: rc %ld after %llu ms", rc,
                         (unsigned long long)ms_since(t0));
    kit_events_unmask();    /* take the timer event */
    kit_events_mask();

    /* poll errors. */
    rc = poll_ports(&bad, 1, kit_system_time() + 10 * MS);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("poll on port 4096: %ld, want %d", rc, -XEN_EINVAL);
    rc = poll_ports(ports, 129, kit_system_time() + 10 * MS);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("poll on 129 ports: %ld, want %d", rc, -XEN_EINVAL);
    rc = poll_ports((evtchn_port_t *)0x1000, 1, kit_system_time() + 10 * MS);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("poll with a bad list: %ld, want %d", rc, -XEN_EFAULT);

    /* The rest. */
    rc = HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    if ( rc )
        kit_test_failure("yield: %ld", rc);
    rc = KIT_HC(__HYPERVISOR_sched_op_compat, SCHEDOP_yield, 0, 0, 0, 0);
    if ( rc )
        kit_test_failure("sched_op_compat yield: %ld", rc);
    rc = HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &sd);
    if ( rc )
        kit_test_failure("shutdown_code: %ld", rc);
    rc = HYPERVISOR_sched_op(1000, NULL);
    if ( rc != -XEN_ENOSYS )
        kit_test_failure("sched_op 1000: %ld, want %d", rc, -XEN_ENOSYS);
    kit_test_success();
}
