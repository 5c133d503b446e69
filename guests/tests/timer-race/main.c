/* SPDX-License-Identifier: MIT */
/*
 * Test guest timer-race: two vCPUs hammering the same vCPU timers at once.
 *
 * A stress test for review H2 (set_timer from two pCPUs on one timer could
 * link it into two queues): for about 2 s both vCPUs loop
 * VCPUOP_set_periodic_timer(vCPU 0, 1 ms) / VCPUOP_stop_periodic_timer(vCPU 0)
 * and VCPUOP_set_singleshot_timer on themselves (due within a millisecond,
 * so they fire while being re-armed). Afterwards the timers must still
 * work, as on Xen 4.17: each vCPU gets VIRQ_TIMER from a one-shot timer on
 * itself (not before its deadline, within a second; watched by spinning on
 * the masked port's pending bit, so no other timer is relied on), and
 * vCPU 0 blocks (SCHEDOP_block) on a 50 ms one-shot and is woken by it,
 * neither early nor more than a second late. A lost timer would leave
 * vCPU 0 blocked for good: vCPU 1 then wakes it after 3 s with an event
 * of its own, and the test fails instead of hanging.
 *
 * Needs 2 vCPUs (vcpus=2; the oracle runs it as a 2-vCPU dom0).
 */
#include <kit/kit.h>
#include <kit/smp.h>

#define MS        1000000ull
#define HAMMER    (2000 * MS)
/* The pvclock as read here and as the hypervisor reads it may differ. */
#define SLACK     100000ull

static evtchn_port_t timer_port[2], rescue_port;
static volatile unsigned int phase;         /* 1 hammer, 2 check, 3 block */
static volatile unsigned long rounds[2];
static volatile long hammer_rc[2], check_rc[2];
static volatile unsigned int done1, checked1, blocked0, rescued;
static volatile uint64_t hammer_end;

static long vcpu_op(int cmd, unsigned int id, void *arg)
{
    return HYPERVISOR_vcpu_op(cmd, id, arg);
}

static long singleshot(unsigned int id, uint64_t deadline)
{
    struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = deadline };

    return vcpu_op(VCPUOP_set_singleshot_timer, id, &st);
}

/* Both vCPUs: re-arm and stop vCPU 0's periodic timer and this vCPU's
 * one-shot until the hammer time is over; the first error is kept. */
static void hammer(unsigned int id, uint64_t end)
{
    struct vcpu_set_periodic_timer p = { .period_ns = 1 * MS };
    unsigned long i;
    long rc = 0;

    for ( i = 0; !rc && kit_system_time() < end; i++ )
    {
        rc = vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
        if ( !rc )
            rc = singleshot(id, kit_system_time() + (i % 4) * 250000);
        if ( !rc && (i + id) % 2 )
            rc = vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
        if ( !rc && i % 8 == 7 )
            rc = vcpu_op(VCPUOP_stop_singleshot_timer, id, NULL);
    }
    rounds[id] = i;
    hammer_rc[id] = rc;
}

/* A one-shot VIRQ_TIMER on this vCPU, due in 5 ms: 0, -1 (never came in a
 * second), -2 (came early), or the error arming it. */
static long check_oneshot(unsigned int id)
{
    uint64_t deadline, end, t;
    long rc;

    kit_evtchn_clear_pending(timer_port[id]);
    deadline = kit_system_time() + 5 * MS;
    end = deadline + 1000 * MS;
    rc = singleshot(id, deadline);
    if ( rc )
        return rc;
    while ( !kit_evtchn_is_pending(timer_port[id]) && kit_system_time() < end )
        kit_cpu_relax();
    t = kit_system_time();
    if ( !kit_evtchn_is_pending(timer_port[id]) )
        return -1;
    kit_evtchn_clear_pending(timer_port[id]);
    return t + SLACK < deadline ? -2 : 0;
}

/* vCPU 1: hammer, its one-shot check, then the guard of vCPU 0's block. */
static void vcpu1_main(unsigned int id)
{
    uint64_t end;

    while ( phase < 1 )
        kit_cpu_relax();
    hammer(id, hammer_end);
    done1 = 1;
    while ( phase < 2 )
        kit_cpu_relax();
    check_rc[id] = check_oneshot(id);
    checked1 = 1;
    while ( phase < 3 )
        kit_cpu_relax();
    end = kit_system_time() + 3000 * MS;
    while ( blocked0 != 2 && kit_system_time() < end )
        kit_cpu_relax();
    if ( blocked0 != 2 )
    {
        rescued = 1;
        kit_mb();
        kit_evtchn_send(rescue_port);
    }
}

static evtchn_port_t bind_virq_timer(unsigned int vcpu)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = vcpu };

    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b) )
        kit_test_abort("bind_virq VIRQ_TIMER to vCPU %u", vcpu);
    return b.port;
}

static void expect_zero(const char *what, unsigned int id, long rc)
{
    if ( rc )
        kit_test_failure("vCPU %u: %s: %ld", id, what, rc);
}

void test_main(const start_info_t *si)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    uint64_t t0, t1, end;
    unsigned int n;
    long rc;

    if ( kit_nr_vcpus() < 2 )
    {
        kit_test_skip("the domain has one vCPU (give it vcpus=2)");
        return;
    }
    timer_port[0] = kit_events_timer_setup();
    kit_evtchn_set_mask(timer_port[0]);
    timer_port[1] = bind_virq_timer(1);
    kit_evtchn_set_mask(timer_port[1]);
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) ||
         ipi.port >= KIT_EVENT_PORTS )
        kit_test_abort("bind_ipi");
    rescue_port = ipi.port;
    kit_evtchn_unmask(rescue_port);
    if ( kit_vcpu_start(1, vcpu1_main) )
        kit_test_abort("cannot start vCPU 1");

    kit_printf("timer-race: both vCPUs hammer vCPU 0's periodic timer and "
               "their one-shots for 2 s\n");
    hammer_end = kit_system_time() + HAMMER;
    kit_mb();
    phase = 1;
    hammer(0, hammer_end);
    end = kit_system_time() + 2000 * MS;
    while ( !done1 && kit_system_time() < end )
        kit_cpu_relax();
    if ( !done1 )
        kit_test_abort("vCPU 1 did not finish hammering");
    kit_printf("timer-race: done, %lu and %lu rounds\n", rounds[0], rounds[1]);
    expect_zero("hammer", 0, hammer_rc[0]);
    expect_zero("hammer", 1, hammer_rc[1]);
    if ( !rounds[0] || !rounds[1] )
        kit_test_failure("a vCPU did not hammer: %lu, %lu rounds", rounds[0],
                         rounds[1]);
    expect_zero("stop_periodic_timer", 0,
                vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL));
    expect_zero("stop_periodic_timer", 1,
                vcpu_op(VCPUOP_stop_periodic_timer, 1, NULL));

    /* Both one-shots at once, each on its own vCPU. */
    phase = 2;
    check_rc[0] = check_oneshot(0);
    end = kit_system_time() + 2000 * MS;
    while ( !checked1 && kit_system_time() < end )
        kit_cpu_relax();
    kit_printf("timer-race: one-shot VIRQ_TIMER: vCPU 0 %ld, vCPU 1 %ld "
               "(0: in time, -1: never, -2: early)\n", check_rc[0],
               checked1 ? check_rc[1] : -1000);
    expect_zero("one-shot after the hammer", 0, check_rc[0]);
    if ( !checked1 )
        kit_test_failure("vCPU 1 did not check its one-shot in 2 s");
    else
        expect_zero("one-shot after the hammer", 1, check_rc[1]);

    /* vCPU 0 sleeps 50 ms on a one-shot (vCPU 1 guards). */
    kit_evtchn_clear_pending(timer_port[0]);
    kit_evtchn_unmask(timer_port[0]);
    n = kit_event_count[timer_port[0]];
    blocked0 = 1;
    phase = 3;
    t0 = kit_system_time();
    rc = singleshot(0, t0 + 50 * MS);
    while ( !rc && kit_event_count[timer_port[0]] == n && !rescued )
        rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    t1 = kit_system_time();
    kit_events_mask();
    blocked0 = 2;
    kit_evtchn_set_mask(timer_port[0]);
    kit_printf("timer-race: block on a 50 ms one-shot: rc %ld, woken after "
               "%llu ms%s\n", rc, (unsigned long long)((t1 - t0) / MS),
               rescued ? " by vCPU 1 (the timer never fired)" : "");
    expect_zero("block", 0, rc);
    if ( rescued )
        kit_test_failure("the 50 ms one-shot never woke vCPU 0");
    else if ( t1 + SLACK < t0 + 50 * MS || t1 > t0 + 1050 * MS )
        kit_test_failure("woken after %llu ms, want 50 to 1050",
                         (unsigned long long)((t1 - t0) / MS));
    if ( kit_test_status() == KIT_TEST_RUNNING )
        kit_test_success();
}
