/* SPDX-License-Identifier: MIT */
/*
 * Bench guest evtchn: an event sent to oneself and delivered.
 *
 * An IPI port bound to vCPU 0, upcalls unmasked: each EVTCHNOP_send marks
 * the port pending and the hypervisor enters the event callback on the way
 * back; the kit's handler scans the 2-level bitmaps, clears the port and
 * returns with HYPERVISOR_iret. Timed per send, callback and iret.
 */
#include "bench.h"

static evtchn_port_t port;

static void send_loop(unsigned long ops, void *arg)
{
    while ( ops-- )
        kit_evtchn_send(port);
}

void bench_main(const start_info_t *si)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    unsigned int before;
    long rc;

    rc = bench_events_on();
    if ( rc )
    {
        bench_na("evtchn.self", "event set-up: %ld", rc);
        return;
    }
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi);
    if ( rc || ipi.port >= KIT_EVENT_PORTS )
    {
        bench_na("evtchn.self", "bind_ipi: %ld", rc);
        return;
    }
    port = ipi.port;
    before = kit_event_count[port];
    send_loop(1, NULL);
    if ( kit_event_count[port] != before + 1 )
    {
        bench_na("evtchn.self", "a send was not delivered before it returned");
        return;
    }
    before = kit_event_count[port];
    bench_run("evtchn.self", 1000, send_loop, NULL);
    if ( kit_event_count[port] != before + 1000 * (BENCH_ROUNDS + 1) )
        kit_printf("bench: %u events delivered, want %u\n",
                   kit_event_count[port] - before, 1000 * (BENCH_ROUNDS + 1));
    kit_evtchn_close(port);
}
