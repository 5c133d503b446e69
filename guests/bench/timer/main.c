/* SPDX-License-Identifier: MIT */
/*
 * Bench guest timer: one-shot timers on VIRQ_TIMER.
 *
 *  - timer.fire: set_timer_op with a deadline that has passed by the time
 *    the hypervisor sees it (the pvclock's "now"): the timer fires at once
 *    and VIRQ_TIMER's upcall runs before the guest goes on. Timed per arm,
 *    fire and upcall (the loop waits, yielding, if the event comes later).
 *  - timer.wake: a one-shot 100 us ahead, then SCHEDOP_block: how late,
 *    in pvclock ns, the guest runs again after the deadline (the idle
 *    vCPU's wake-up path). Under -icount,sleep=off QEMU skips idle time, so
 *    this measures the hypervisor's own delay, not a wait.
 */
#include "bench.h"

#define WAKE_AHEAD_NS   100000ULL
#define WAKES           20

static evtchn_port_t port;

static void wait_event(unsigned int before)
{
    unsigned int spins = 0;

    while ( kit_event_count[port] == before )
    {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        if ( ++spins == 1000000 )
            kit_test_abort("VIRQ_TIMER never came");
    }
}

static void fire_loop(unsigned long ops, void *arg)
{
    while ( ops-- )
    {
        unsigned int before = kit_event_count[port];

        HYPERVISOR_set_timer_op(kit_system_time());
        if ( kit_event_count[port] == before )
            wait_event(before);
    }
}

void bench_main(const start_info_t *si)
{
    struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
    uint64_t late[WAKES];
    unsigned int i, before, sync = 0;
    long rc;

    rc = bench_events_on();
    if ( rc == 0 )
        rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);
    if ( rc || bind.port >= KIT_EVENT_PORTS )
    {
        bench_na("timer.fire", "VIRQ_TIMER set-up: %ld", rc);
        bench_na("timer.wake", "VIRQ_TIMER set-up: %ld", rc);
        return;
    }
    port = bind.port;

    /* Does a passed deadline fire before set_timer_op returns? */
    for ( i = 0; i < 10; i++ )
    {
        before = kit_event_count[port];
        HYPERVISOR_set_timer_op(kit_system_time());
        sync += kit_event_count[port] != before;
        wait_event(before);
    }
    kit_printf("bench: a passed deadline fired before the return %u of 10 times\n",
               sync);
    bench_run("timer.fire", 500, fire_loop, NULL);

    /* Block until a deadline 100 us ahead; how late do we run again? */
    for ( i = 0; i < WAKES; i++ )
    {
        uint64_t deadline, now;

        before = kit_event_count[port];
        deadline = kit_system_time() + WAKE_AHEAD_NS;
        HYPERVISOR_set_timer_op(deadline);
        while ( kit_event_count[port] == before )
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        now = kit_system_time();
        late[i] = now > deadline ? now - deadline : 0;
    }
    bench_report("timer.wake", late, WAKES, 1, "ns");
}
