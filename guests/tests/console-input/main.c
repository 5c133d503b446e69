/* SPDX-License-Identifier: MIT */
/*
 * Test guest console-input: a line typed on the serial console reaches a
 * domU on the `in` ring of its start_info console page, with an event on
 * its console port, once the domain has the input focus.
 *
 * The guest says it waits, then polls its console port (SCHEDOP_poll, 1 s
 * at a time, up to 60 s) and reads the ring until a CR or LF, and prints
 * "console-input: got '<line>'". The boot scenario moves the focus with
 * three Ctrl-A, types the line and checks the echo. It fails if no line
 * comes, if the bytes come without the port becoming pending, or if the
 * ring's indexes are nonsense. The initial domain has no console ring (its
 * input is console_io's): it reports SKIP, so the oracle skips it.
 */
#include <kit/kit.h>

#define S_NS 1000000000ULL

static long poll_port(evtchn_port_t port, uint64_t timeout)
{
    struct sched_poll poll;

    set_xen_guest_handle(poll.ports, &port);
    poll.nr_ports = 1;
    poll.timeout = timeout;
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

void test_main(const start_info_t *si)
{
    struct xencons_interface *ring = kit_console_ring();
    evtchn_port_t port = si->console.domU.evtchn;
    char line[128];
    unsigned int len = 0, events = 0, i;
    bool done = false;

    if ( (si->flags & SIF_INITDOMAIN) || !ring )
    {
        kit_test_skip("no console ring: the initial domain reads console_io");
        return;
    }
    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");

    kit_printf("console-input: waiting for a line on port %u\n", port);
    for ( i = 0; i < 60 && !done; i++ )
    {
        XENCONS_RING_IDX cons = ring->in_cons, prod;

        /* Only input raises this port (the guest's sends go the other
         * way): an event that came after the last poll timed out counts. */
        if ( kit_evtchn_is_pending(port) )
            events++;
        kit_evtchn_clear_pending(port);
        kit_rmb();
        prod = ring->in_prod;
        if ( prod == cons )
        {
            poll_port(port, kit_system_time() + S_NS);
            if ( kit_evtchn_is_pending(port) )
                events++;
            kit_rmb();
            prod = ring->in_prod;
        }
        if ( prod - cons > sizeof(ring->in) )
        {
            kit_test_failure("console ring indexes: cons %u prod %u", cons, prod);
            return;
        }
        while ( cons != prod && !done )
        {
            char c = ring->in[MASK_XENCONS_IDX(cons++, ring->in)];

            if ( c == '\r' || c == '\n' )
                done = len > 0;
            else if ( c >= 0x20 && c < 0x7f && len < sizeof(line) - 1 )
                line[len++] = c;
        }
        kit_mb();
        ring->in_cons = cons;
    }
    line[len] = '\0';
    if ( !done )
    {
        kit_test_failure("no line on the console ring in 60 s ('%s' so far)", line);
        return;
    }
    kit_printf("console-input: got '%s' (%u event%s)\n", line, events,
               events == 1 ? "" : "s");
    if ( !events )
        kit_test_failure("the input came without an event on port %u", port);
    kit_test_success();
}
