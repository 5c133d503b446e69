/* SPDX-License-Identifier: MIT */
/*
 * Bench guest ipi: event channel ping-pong between two vCPUs of a domain.
 *
 * Needs 2 vCPUs (bench/run-bench.py gives it vcpus=2 on Tern,
 * dom0_max_vcpus=2 on Xen, QEMU -smp 2). vCPU 1 is brought up with
 * VCPUOP_initialise + VCPUOP_up (the kit's kit_vcpu_start). Each vCPU has
 * an IPI port of its own (EVTCHNOP_bind_ipi), masked: a vCPU waits for its
 * port with SCHEDOP_poll, clears it and answers on the other's. One
 * operation, timed on vCPU 0, is a round trip: vCPU 0 sends to vCPU 1,
 * vCPU 1 wakes from its poll and sends back, vCPU 0 wakes from its poll.
 * Under -icount QEMU runs the two CPUs one after the other on one thread,
 * so a round trip is every instruction both CPUs run in it (guests and
 * hypervisor, wake-up IPIs and idle loops).
 */
#include "bench.h"
#include <kit/smp.h>

static evtchn_port_t port[2];       /* port[i] is bound to vCPU i */
static volatile unsigned int stop_pong, started;
static volatile unsigned long pongs;

/* Wait for port p (masked) with SCHEDOP_poll, then clear it. */
static void wait_port(evtchn_port_t p)
{
    struct sched_poll poll;
    evtchn_port_t ports[1] = { p };

    set_xen_guest_handle(poll.ports, ports);
    poll.nr_ports = 1;
    poll.timeout = 0;
    while ( !kit_evtchn_is_pending(p) )
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    kit_evtchn_clear_pending(p);
}

/* vCPU 1: answer each event on its port with one on vCPU 0's. */
static void pong(unsigned int id)
{
    (void)id;
    started = 1;
    for ( ;; )
    {
        wait_port(port[1]);
        if ( stop_pong )
            break;
        pongs++;
        kit_evtchn_send(port[0]);
    }
    started = 2;
    kit_evtchn_send(port[0]);
}

static void ping_loop(unsigned long ops, void *arg)
{
    (void)arg;
    while ( ops-- )
    {
        kit_evtchn_send(port[1]);
        wait_port(port[0]);
    }
}

void bench_main(const start_info_t *si)
{
    unsigned int i, nr = kit_nr_vcpus();
    unsigned long want;
    long rc;

    (void)si;
    if ( nr < 2 )
    {
        bench_na("evtchn.ipi", "%u vCPU(s), needs 2", nr);
        return;
    }
    rc = kit_events_init();         /* maps shared info; upcalls stay masked */
    if ( rc )
    {
        bench_na("evtchn.ipi", "event set-up: %ld", rc);
        return;
    }
    for ( i = 0; i < 2; i++ )
    {
        struct evtchn_bind_ipi ipi = { .vcpu = i };

        rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi);
        if ( rc )
        {
            bench_na("evtchn.ipi", "bind_ipi to vCPU %u: %ld", i, rc);
            return;
        }
        port[i] = ipi.port;
        kit_evtchn_set_mask(port[i]);
        kit_evtchn_clear_pending(port[i]);
    }
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 1, NULL);
    rc = kit_vcpu_start(1, pong);
    if ( rc )
    {
        bench_na("evtchn.ipi", "starting vCPU 1: %ld", rc);
        return;
    }
    ping_loop(1, NULL);             /* vCPU 1 runs and answers */
    if ( pongs != 1 )
    {
        bench_na("evtchn.ipi", "vCPU 1 answered %lu times, want 1", pongs);
        return;
    }
    bench_run("evtchn.ipi", 1000, ping_loop, NULL);
    want = 1 + 1000 * (BENCH_ROUNDS + 1);
    if ( pongs != want )
        kit_printf("bench: %lu answers, want %lu\n", pongs, want);
    /* vCPU 1 leaves its loop and the kit takes it down. */
    stop_pong = 1;
    kit_mb();
    kit_evtchn_send(port[1]);
    wait_port(port[0]);
    if ( started != 2 )
        kit_printf("bench: vCPU 1 did not stop\n");
}
