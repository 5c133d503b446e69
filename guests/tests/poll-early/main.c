/* SPDX-License-Identifier: MIT */
/*
 * Test guest poll-early: when SCHEDOP_poll returns at once, and what ends it.
 *
 * Proves, as Xen 4.17's do_poll: with an upcall deliverable on entry
 * (evtchn_upcall_pending set, evtchn_upcall_mask clear) the poll returns
 * 0 at once, before its ports are looked at: a bad port (5000) or an
 * unreadable port list is then not an error, and the upcall is delivered
 * on the way back; the same upcall pending but masked does not end the
 * poll (it sleeps to its timeout). Checked first in any case: more than
 * 128 ports (-EINVAL) and a list a guest may not name (-EFAULT). The
 * ports are read in order: a pending port before a bad one returns 0, a
 * bad one before a pending one -EINVAL. An event for the polling vCPU on
 * a port it does not poll (VIRQ_TIMER, unmasked, the upcall masked) ends
 * the poll (Xen's vcpu_unblock ends polling); the same port masked does
 * not. A timeout in the past returns at once.
 */
#include <kit/kit.h>

#define MS 1000000ULL
/* The pvclock as read here and as Xen reads it may differ by a little. */
#define SLACK 100000ULL

static evtchn_port_t ipi_a, ipi_b, timer_port;
static vcpu_info_t *vi;

static long poll_list(unsigned long list, unsigned int nr, uint64_t timeout)
{
    struct sched_poll poll;

    poll.ports.p = (evtchn_port_t *)list;
    poll.nr_ports = nr;
    poll.timeout = timeout;
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

static uint64_t ms_since(uint64_t t)
{
    return (kit_system_time() - t) / MS;
}

/* No port pending, no upcall pending, upcalls masked. */
static void quiesce(void)
{
    kit_events_mask();
    kit_evtchn_clear_pending(ipi_a);
    kit_evtchn_clear_pending(ipi_b);
    kit_evtchn_clear_pending(timer_port);
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    kit_mb();
}

/*
 * An upcall due on entry to the poll: ipi_a sent while upcalls are masked
 * (upcall_pending set, nothing delivered), then the mask cleared by a
 * plain store, so the first hypercall sees the upcall deliverable. A
 * hypervisor interrupt in between could deliver it first: the caller
 * tries again once when the result looks like that.
 */
static long poll_with_upcall_due(unsigned long list, unsigned int nr,
                                 uint64_t timeout, unsigned int *upcalls)
{
    unsigned int n;
    long rc;

    quiesce();
    kit_evtchn_send(ipi_a);
    if ( !vi->evtchn_upcall_pending )
        kit_test_abort("ipi_a sent but no upcall pending");
    n = kit_upcall.count;
    kit_barrier();
    vi->evtchn_upcall_mask = 0;
    kit_mb();
    rc = poll_list(list, nr, timeout);
    kit_events_mask();
    *upcalls = kit_upcall.count - n;
    return rc;
}

/* One case of a poll with an upcall due: rc want, back at once, the
 * upcall delivered after it. */
static void check_due(const char *what, unsigned long list, unsigned int nr,
                      long want)
{
    unsigned int upcalls, tries;
    uint64_t t0 = 0;
    long rc = 0;

    for ( tries = 0; tries < 2; tries++ )
    {
        t0 = kit_system_time();
        rc = poll_with_upcall_due(list, nr, t0 + 300 * MS, &upcalls);
        if ( rc != 0 || ms_since(t0) < 200 )
            break;
        kit_printf("%s: slept %llu ms, trying again\n", what,
                   (unsigned long long)ms_since(t0));
    }
    kit_printf("%s: rc %ld after %llu ms, %u upcall(s)\n", what, rc,
               (unsigned long long)ms_since(t0), upcalls);
    if ( rc != want )
        kit_test_failure("%s: rc %ld, want %ld", what, rc, want);
    if ( want == 0 && ms_since(t0) >= 200 )
        kit_test_failure("%s: slept %llu ms with an upcall due", what,
                         (unsigned long long)ms_since(t0));
    if ( upcalls != 1 )
        kit_test_failure("%s: %u upcalls after it, want 1", what, upcalls);
}

void test_main(const start_info_t *si)
{
    struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    static evtchn_port_t list[4];
    uint64_t t0;
    unsigned int n;
    long rc;

    if ( kit_events_init() )
        kit_test_abort("cannot set up event delivery");
    kit_trap_hook = kit_events_hook;
    vi = kit_vcpu_info();
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) )
        kit_test_abort("cannot bind an IPI");
    ipi_a = ipi.port;
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) )
        kit_test_abort("cannot bind a second IPI");
    ipi_b = ipi.port;
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind) )
        kit_test_abort("cannot bind VIRQ_TIMER");
    timer_port = bind.port;
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    HYPERVISOR_set_timer_op(0);

    /* An upcall due: back at once, whatever the ports. */
    list[0] = ipi_b;
    check_due("upcall due, port not pending", (unsigned long)list, 1, 0);
    list[0] = 5000;
    check_due("upcall due, bad port", (unsigned long)list, 1, 0);
    check_due("upcall due, unreadable list", 0x1000, 1, 0);
    check_due("upcall due, no ports", (unsigned long)list, 0, 0);

    /* Checked before: the number of ports and the list's address. */
    check_due("upcall due, 129 ports", (unsigned long)list, 129, -XEN_EINVAL);
    check_due("upcall due, list in Xen's hole", 0xffff800000000000ul, 1,
              -XEN_EFAULT);

    /* The same upcall masked: the poll sleeps to its timeout. */
    quiesce();
    kit_evtchn_send(ipi_a);
    list[0] = ipi_b;
    t0 = kit_system_time();
    rc = poll_list((unsigned long)list, 1, t0 + 50 * MS);
    kit_printf("upcall pending but masked: rc %ld after %llu ms\n", rc,
               (unsigned long long)ms_since(t0));
    if ( rc || kit_system_time() + SLACK < t0 + 50 * MS )
        kit_test_failure("masked upcall: rc %ld after %llu ms, want 0 after 50",
                         rc, (unsigned long long)ms_since(t0));

    /* Ports in order: the first pending one ends the poll, a bad one
     * before it is an error. */
    quiesce();
    kit_evtchn_send(ipi_b);
    list[0] = ipi_b;
    list[1] = 5000;
    rc = poll_list((unsigned long)list, 2, kit_system_time() + 300 * MS);
    if ( rc != 0 )
        kit_test_failure("pending port, then a bad one: %ld, want 0", rc);
    list[0] = 5000;
    list[1] = ipi_b;
    rc = poll_list((unsigned long)list, 2, kit_system_time() + 300 * MS);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("bad port, then a pending one: %ld, want %d", rc,
                         -XEN_EINVAL);
    list[0] = ipi_b;
    rc = poll_list((unsigned long)list, 2, kit_system_time() + 300 * MS);
    if ( rc != 0 )
        kit_test_failure("pending port, then an unreadable one: %ld, want 0",
                         rc);
    rc = poll_list(0x1000, 1, kit_system_time() + 300 * MS);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("unreadable list, nothing due: %ld, want %d", rc,
                         -XEN_EFAULT);

    /* An event for this vCPU on a port it does not poll ends the poll. */
    quiesce();
    list[0] = ipi_b;
    t0 = kit_system_time();
    HYPERVISOR_set_timer_op(t0 + 20 * MS);
    rc = poll_list((unsigned long)list, 1, t0 + 400 * MS);
    kit_printf("poll, VIRQ_TIMER not polled: rc %ld after %llu ms, timer "
               "pending %d\n", rc, (unsigned long long)ms_since(t0),
               kit_evtchn_is_pending(timer_port));
    if ( rc || ms_since(t0) >= 300 || !kit_evtchn_is_pending(timer_port) )
        kit_test_failure("a timer event did not end the poll: rc %ld after "
                         "%llu ms", rc, (unsigned long long)ms_since(t0));
    if ( kit_system_time() + SLACK < t0 + 20 * MS )
        kit_test_failure("the poll ended before the timer");

    /* ... but not when that port is masked. */
    quiesce();
    kit_evtchn_set_mask(timer_port);
    t0 = kit_system_time();
    HYPERVISOR_set_timer_op(t0 + 20 * MS);
    rc = poll_list((unsigned long)list, 1, t0 + 100 * MS);
    kit_printf("poll, VIRQ_TIMER masked: rc %ld after %llu ms\n", rc,
               (unsigned long long)ms_since(t0));
    if ( rc || kit_system_time() + SLACK < t0 + 100 * MS )
        kit_test_failure("a masked timer event ended the poll: rc %ld after "
                         "%llu ms", rc, (unsigned long long)ms_since(t0));
    if ( kit_evtchn_unmask(timer_port) )
        kit_test_failure("unmask timer port");

    /* A timeout in the past. */
    quiesce();
    t0 = kit_system_time();
    n = kit_upcall.count;
    rc = poll_list((unsigned long)list, 1, t0 - 1 * MS);
    if ( rc || ms_since(t0) >= 200 || kit_upcall.count != n )
        kit_test_failure("timeout in the past: rc %ld after %llu ms", rc,
                         (unsigned long long)ms_since(t0));

    quiesce();
    kit_test_success();
}
