/* SPDX-License-Identifier: MIT */
/*
 * Test guest evtchn-self: 2-level event channels to oneself.
 *
 * Proves: an IPI port bound to vCPU 0 and a loopback interdomain pair
 * (alloc_unbound + bind_interdomain with DOMID_SELF, which leaves the new
 * port pending) deliver events; while
 * upcalls are masked a send only sets the port's pending bit, the selector
 * bit and evtchn_upcall_pending; unmasking (plus a hypercall) runs the
 * event callback once, with the upcall mask set inside it and the frame's
 * saved mask 0 / IF set; a port masked in shared_info stays pending without
 * an upcall until EVTCHNOP_unmask delivers it; EVTCHNOP_status reports
 * each state; close frees a port; and the errors Xen gives for bad ports
 * and VIRQs.
 */
#include <kit/kit.h>

static long evtchn_op(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static long status_of(evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    return evtchn_op(EVTCHNOP_status, st);
}

/* Check port's status; peer is the interdomain/unbound detail or ~0u. */
static void expect_status(const char *what, evtchn_port_t port,
                          uint32_t status, uint32_t peer)
{
    struct evtchn_status st;
    long rc = status_of(port, &st);

    if ( rc )
    {
        kit_test_failure("status %s (port %u): %ld", what, port, rc);
        return;
    }
    if ( st.status != status )
        kit_test_failure("status %s (port %u): %u, want %u", what, port,
                         st.status, status);
    if ( status == EVTCHNSTAT_interdomain && st.u.interdomain.port != peer )
        kit_test_failure("status %s: peer port %u, want %u", what,
                         st.u.interdomain.port, peer);
    if ( status == EVTCHNSTAT_ipi && st.vcpu != 0 )
        kit_test_failure("status %s: vcpu %u, want 0", what, st.vcpu);
}

void test_main(const start_info_t *si)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    struct evtchn_alloc_unbound unb = { .dom = DOMID_SELF,
                                        .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain inter;
    struct evtchn_bind_virq virq;
    struct evtchn_status st;
    evtchn_port_t p_ipi, p_a, p_b;
    vcpu_info_t *vi;
    unsigned int n;
    long rc;

    if ( kit_events_init() )
        kit_test_abort("cannot set up event delivery");
    kit_trap_hook = kit_events_hook;
    vi = kit_vcpu_info();

    rc = evtchn_op(EVTCHNOP_bind_ipi, &ipi);
    if ( rc )
        kit_test_abort("bind_ipi: %ld", rc);
    p_ipi = ipi.port;
    rc = evtchn_op(EVTCHNOP_alloc_unbound, &unb);
    if ( rc )
        kit_test_abort("alloc_unbound: %ld", rc);
    p_a = unb.port;
    expect_status("unbound", p_a, EVTCHNSTAT_unbound, ~0u);
    inter.remote_dom = DOMID_SELF;
    inter.remote_port = p_a;
    rc = evtchn_op(EVTCHNOP_bind_interdomain, &inter);
    if ( rc )
        kit_test_abort("bind_interdomain to self: %ld", rc);
    p_b = inter.local_port;
    kit_printf("ports: ipi %u, loopback %u <-> %u\n", p_ipi, p_a, p_b);
    if ( p_ipi == 0 || p_a == 0 || p_b == 0 || p_ipi == p_a ||
         p_a == p_b || p_ipi == p_b || p_b >= KIT_EVENT_PORTS )
        kit_test_failure("ports not distinct and non-zero");

    /* Xen marks the new local end pending (in case the remote end had
     * been notified while it was unbound). */
    if ( !kit_evtchn_is_pending(p_b) )
        kit_test_failure("bind_interdomain did not set the new port pending");

    expect_status("ipi", p_ipi, EVTCHNSTAT_ipi, ~0u);
    expect_status("loopback a", p_a, EVTCHNSTAT_interdomain, p_b);
    expect_status("loopback b", p_b, EVTCHNSTAT_interdomain, p_a);

    /* Upcalls masked (start of day): a send only marks pending. */
    if ( !vi->evtchn_upcall_mask )
        kit_test_failure("upcalls not masked at start of day");
    rc = kit_evtchn_send(p_ipi);
    if ( rc )
        kit_test_failure("send ipi: %ld", rc);
    if ( !kit_evtchn_is_pending(p_ipi) )
        kit_test_failure("ipi port not pending after send");
    if ( !(vi->evtchn_pending_sel & (1UL << (p_ipi / 64))) )
        kit_test_failure("selector bit %u not set: %#lx", p_ipi / 64,
                         vi->evtchn_pending_sel);
    if ( !vi->evtchn_upcall_pending )
        kit_test_failure("evtchn_upcall_pending not set");
    if ( kit_upcall.count != 0 )
        kit_test_failure("upcall while masked");

    /* Unmask: the callback runs once, masked inside, and takes the port. */
    kit_events_unmask();
    if ( kit_upcall.count != 1 )
        kit_test_failure("%u upcalls after unmask, want 1", kit_upcall.count);
    if ( kit_event_count[p_ipi] != 1 || kit_event_count[p_b] != 1 )
        kit_test_failure("ipi port seen %u times, loopback b %u, want 1 1",
                         kit_event_count[p_ipi], kit_event_count[p_b]);
    if ( kit_upcall.mask_in_handler != 1 || kit_upcall.pending_in_handler != 1 )
        kit_test_failure("in the callback: upcall mask %u pending %u, want 1 1",
                         kit_upcall.mask_in_handler,
                         kit_upcall.pending_in_handler);
    if ( ((kit_upcall.frame.cs >> 32) & 0xff) != 0 ||
         !(kit_upcall.frame.rflags & 0x200) )
        kit_test_failure("upcall frame: saved mask %#lx rflags %#lx, want 0, IF",
                         (kit_upcall.frame.cs >> 32) & 0xff,
                         kit_upcall.frame.rflags);
    if ( vi->evtchn_upcall_mask )
        kit_test_failure("upcalls still masked after the callback's iret");

    /* With upcalls on, a send is delivered before the hypercall returns. */
    n = kit_upcall.count;
    kit_evtchn_send(p_ipi);
    if ( kit_upcall.count != n + 1 || kit_event_count[p_ipi] != 2 )
        kit_test_failure("ipi send with upcalls on: %u upcalls, port seen %u",
                         kit_upcall.count - n, kit_event_count[p_ipi]);

    /* Loopback: a send on one end raises the other. */
    kit_evtchn_send(p_a);
    kit_evtchn_send(p_b);
    if ( kit_event_count[p_b] != 2 || kit_event_count[p_a] != 1 )
        kit_test_failure("loopback: a seen %u, b seen %u, want 1 2",
                         kit_event_count[p_a], kit_event_count[p_b]);

    /* A masked port stays pending, no upcall, until EVTCHNOP_unmask. */
    kit_evtchn_set_mask(p_b);
    n = kit_upcall.count;
    kit_evtchn_send(p_a);
    if ( kit_upcall.count != n || !kit_evtchn_is_pending(p_b) )
        kit_test_failure("masked port: %u upcalls, pending %d",
                         kit_upcall.count - n, kit_evtchn_is_pending(p_b));
    rc = kit_evtchn_unmask(p_b);
    if ( rc || kit_evtchn_is_masked(p_b) )
        kit_test_failure("EVTCHNOP_unmask: %ld, masked %d", rc,
                         kit_evtchn_is_masked(p_b));
    if ( kit_upcall.count != n + 1 || kit_event_count[p_b] != 3 )
        kit_test_failure("unmask of a pending port: %u upcalls, b seen %u",
                         kit_upcall.count - n, kit_event_count[p_b]);

    /* Closing one end leaves the other unbound (towards ourselves). */
    rc = kit_evtchn_close(p_b);
    if ( rc )
        kit_test_failure("close: %ld", rc);
    expect_status("closed", p_b, EVTCHNSTAT_closed, ~0u);
    expect_status("peer closed", p_a, EVTCHNSTAT_unbound, ~0u);
    /* Sending on an unbound port is accepted and dropped. */
    n = kit_upcall.count;
    rc = kit_evtchn_send(p_a);
    if ( rc != 0 || kit_upcall.count != n )
        kit_test_failure("send on unbound port: %ld, %u upcalls, want 0 0",
                         rc, kit_upcall.count - n);

    /* Errors. */
    rc = kit_evtchn_send(p_b);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("send on closed port: %ld, want %d", rc, -XEN_EINVAL);
    rc = kit_evtchn_send(4096);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("send on port 4096: %ld, want %d", rc, -XEN_EINVAL);
    rc = kit_evtchn_close(p_b);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("close of closed port: %ld, want %d", rc, -XEN_EINVAL);
    rc = status_of(4096, &st);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("status of port 4096: %ld, want %d", rc, -XEN_EINVAL);
    virq.virq = NR_VIRQS;
    virq.vcpu = 0;
    rc = evtchn_op(EVTCHNOP_bind_virq, &virq);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("bind_virq %u: %ld, want %d", NR_VIRQS, rc, -XEN_EINVAL);
    virq.virq = VIRQ_TIMER;
    virq.vcpu = 1000;
    rc = evtchn_op(EVTCHNOP_bind_virq, &virq);
    if ( rc != -XEN_ENOENT )
        kit_test_failure("bind_virq to vcpu 1000: %ld, want %d", rc,
                         -XEN_ENOENT);
    ipi.vcpu = 1000;
    rc = evtchn_op(EVTCHNOP_bind_ipi, &ipi);
    if ( rc != -XEN_ENOENT )
        kit_test_failure("bind_ipi to vcpu 1000: %ld, want %d", rc, -XEN_ENOENT);
    rc = evtchn_op(1000, &st);
    if ( rc != -XEN_ENOSYS )
        kit_test_failure("event_channel_op 1000: %ld, want %d", rc, -XEN_ENOSYS);

    kit_evtchn_close(p_a);
    kit_evtchn_close(p_ipi);
    expect_status("ipi closed", p_ipi, EVTCHNSTAT_closed, ~0u);
    kit_test_success();
}
