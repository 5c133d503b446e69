/* SPDX-License-Identifier: MIT */
/*
 * Test guest sched-spin: a CPU-bound guest that measures what it gets.
 *
 * It counts loop iterations (fixed chunks of work) and reads its runstate
 * (VCPUOP_get_runstate_info) over a measurement window, printing its rate
 * and running share every interval and a summary line, then optionally
 * blocks for a while and measures that too. The boot scenarios run
 * several of these side by side with weights, caps and pinning, and
 * compare the summaries; alone (no command line, as under the Xen 4.17
 * oracle) it checks what holds for any lone vCPU.
 *
 * Command line (all optional; times in ms):
 *   window=FROM-TO  measure from system time FROM to TO (default: from
 *                   200 ms after start, for spin= ms)
 *   spin=MS         window length when no window= (default 2000); 0: no
 *                   spin window at all (only block=)
 *   report=MS       interval of the rate lines (default 500)
 *   cap=PCT         fail if the running share of any interval exceeds
 *                   PCT + tol=PCT (default 2), or of the window PCT + 1
 *   min=PCT max=PCT fail if the window's running share is out of range
 *   block=MS        then block (SCHEDOP_block, a timer every 100 ms) for
 *                   MS: fail unless running < 2% and blocked > 80% of it
 *                   (a wake-up costs ~0.2 ms of TCG time; QEMU threads
 *                   stalled by a busy host add to it)
 *   say=MS          print the window's summary at system time MS, not at
 *                   once (spinning until then): several domains' summaries
 *                   then come in a known order
 *   hold=MS         at the end, spin until system time MS (keeps the
 *                   load up while a scenario looks at Tern's debug keys)
 * With no command line at all: spin=2000 block=1000 min=80.
 * Always: the runstate times add up to the time that passed (1%).
 *
 * First line: "sched-spin: at T ms (runnable R ms, offline O ms before)"
 * from its runstate: how long it waited for its first pCPU.
 * Summary line (the scenarios keep its numbers):
 *   sched-spin: window A-B ms: iters N running_us R runnable_us Q
 *     blocked_us B share S (running per 10000 of the window)
 */
#include <kit/kit.h>

#define MS 1000000ULL

struct opts {
    unsigned long from, to, spin, report, cap, tol, min, max, block, say, hold;
};

static volatile unsigned long sink;
static evtchn_port_t timer_port;

/* The value of key=N on the command line (N decimal), or def. A value
 * "A-B" gives A, and B through *second (if not NULL). */
static unsigned long opt_num(const char *cmd, const char *key, unsigned long def,
                             unsigned long *second)
{
    size_t n = strlen(key);
    const char *p;

    for ( p = cmd; *p; p++ )
        if ( (p == cmd || p[-1] == ' ') && !strncmp(p, key, n) && p[n] == '=' )
        {
            unsigned long v = 0, w = 0;

            for ( p += n + 1; *p >= '0' && *p <= '9'; p++ )
                v = v * 10 + (unsigned long)(*p - '0');
            if ( *p == '-' )
                for ( p++; *p >= '0' && *p <= '9'; p++ )
                    w = w * 10 + (unsigned long)(*p - '0');
            if ( second )
                *second = w;
            return v;
        }
    return def;
}

static void runstate(struct vcpu_runstate_info *r)
{
    long rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, r);

    if ( rc )
        kit_test_abort("VCPUOP_get_runstate_info: %ld", rc);
}

static uint64_t rs_sum(const struct vcpu_runstate_info *r)
{
    return r->time[0] + r->time[1] + r->time[2] + r->time[3];
}

/* Per 10000 of whole. */
static unsigned long per10k(uint64_t part, uint64_t whole)
{
    return whole ? (unsigned long)(part * 10000 / whole) : 0;
}

/* Runstate times must add up to the time that passed (as Xen's do). */
static void check_sum(const char *what, const struct vcpu_runstate_info *a,
                      const struct vcpu_runstate_info *b, uint64_t t0, uint64_t t1)
{
    uint64_t d = rs_sum(b) - rs_sum(a), dt = t1 - t0;
    uint64_t off = d > dt ? d - dt : dt - d;

    if ( off > dt / 100 + MS )
        kit_test_failure("%s: runstate times grew by %llu us in %llu us", what,
                         (unsigned long long)(d / 1000),
                         (unsigned long long)(dt / 1000));
}

/* A chunk of work: the unit of progress the scenarios compare. */
static void chunk(void)
{
    unsigned long i;

    for ( i = 0; i < 2000; i++ )
        sink += i;
}

static void spin_until(uint64_t t)
{
    while ( kit_system_time() < t )
        chunk();
}

/* The measured spin: window [from, to), a line every report ms. */
static void measure_spin(const struct opts *o)
{
    struct vcpu_runstate_info r0, r1, ri;
    uint64_t from = o->from * MS, to = o->to * MS, next, t, ti, t0;
    unsigned long long iters = 0, iters_i = 0;
    unsigned long share, n = 0;

    spin_until(from);
    t0 = kit_system_time();
    runstate(&r0);
    ri = r0;
    ti = t0;
    next = from + o->report * MS;
    for ( ;; )
    {
        chunk();
        iters++;
        t = kit_system_time();
        if ( t < next && t < to )
            continue;
        runstate(&r1);
        share = per10k(r1.time[RUNSTATE_running] - ri.time[RUNSTATE_running], t - ti);
        kit_printf("sched-spin: interval %lu: %llu iters (%llu/s), running %lu.%02lu%%\n",
                   n++, iters - iters_i, (iters - iters_i) * 1000000000ULL / (t - ti),
                   share / 100, share % 100);
        if ( o->cap && share > (o->cap + o->tol) * 100 && t - ti >= o->report * MS / 2 )
            kit_test_failure("interval %lu: running %lu.%02lu%% over cap %lu%%",
                             n - 1, share / 100, share % 100, o->cap);
        iters_i = iters;
        ri = r1;
        ti = t;
        next += o->report * MS;
        if ( t >= to )
            break;
    }
    share = per10k(r1.time[RUNSTATE_running] - r0.time[RUNSTATE_running], t - t0);
    spin_until(o->say * MS);
    kit_printf("sched-spin: window %lu-%lu ms: iters %llu running_us %llu "
               "runnable_us %llu blocked_us %llu share %lu\n", o->from, o->to, iters,
               (unsigned long long)((r1.time[RUNSTATE_running] -
                                     r0.time[RUNSTATE_running]) / 1000),
               (unsigned long long)((r1.time[RUNSTATE_runnable] -
                                     r0.time[RUNSTATE_runnable]) / 1000),
               (unsigned long long)((r1.time[RUNSTATE_blocked] -
                                     r0.time[RUNSTATE_blocked]) / 1000), share);
    check_sum("spin", &r0, &r1, t0, t);
    if ( o->cap && share > (o->cap + 1) * 100 )
        kit_test_failure("window: running %lu.%02lu%% over cap %lu%%", share / 100,
                         share % 100, o->cap);
    if ( share < o->min * 100 || (o->max && share > o->max * 100) )
        kit_test_failure("window: running %lu.%02lu%%, want %lu..%lu%%", share / 100,
                         share % 100, o->min, o->max ? o->max : 100);
}

/* Block for ms in SCHEDOP_block, woken by a one-shot timer every 100 ms. */
static void measure_block(unsigned long ms)
{
    struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu_runstate_info r0, r1;
    uint64_t t0, t1, end, wake;
    unsigned long run, blocked;
    unsigned int wakes = 0;

    if ( !timer_port )
    {
        if ( kit_events_init() )
            kit_test_abort("cannot set up event delivery");
        kit_trap_hook = kit_events_hook;
        if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind) )
            kit_test_abort("cannot bind VIRQ_TIMER");
        timer_port = bind.port;
        HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    }
    t0 = kit_system_time();
    runstate(&r0);
    end = t0 + ms * MS;
    for ( wake = t0; kit_system_time() < end; wakes++ )
    {
        wake += 100 * MS;
        kit_events_mask();
        HYPERVISOR_set_timer_op(wake < end ? wake : end);
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
    kit_events_mask();
    t1 = kit_system_time();
    runstate(&r1);
    run = per10k(r1.time[RUNSTATE_running] - r0.time[RUNSTATE_running], t1 - t0);
    blocked = per10k(r1.time[RUNSTATE_blocked] - r0.time[RUNSTATE_blocked], t1 - t0);
    kit_printf("sched-spin: blocked %lu ms (%u wake-ups): running_us %llu "
               "blocked_us %llu running %lu.%02lu%% blocked %lu.%02lu%%\n", ms, wakes,
               (unsigned long long)((r1.time[RUNSTATE_running] -
                                     r0.time[RUNSTATE_running]) / 1000),
               (unsigned long long)((r1.time[RUNSTATE_blocked] -
                                     r0.time[RUNSTATE_blocked]) / 1000),
               run / 100, run % 100, blocked / 100, blocked % 100);
    check_sum("block", &r0, &r1, t0, t1);
    if ( run >= 200 || blocked <= 8000 )
        kit_test_failure("blocked: running %lu.%02lu%%, blocked %lu.%02lu%%, want "
                         "< 2%% and > 80%%", run / 100, run % 100, blocked / 100,
                         blocked % 100);
}

void test_main(const start_info_t *si)
{
    const char *cmd = (const char *)si->cmd_line;
    bool alone = !cmd[0];
    struct vcpu_runstate_info r;
    struct opts o;
    uint64_t now;

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    runstate(&r);
    now = kit_system_time() / MS;
    kit_printf("sched-spin: at %llu ms (runnable %llu ms, offline %llu ms before)\n",
               (unsigned long long)now,
               (unsigned long long)(r.time[RUNSTATE_runnable] / MS),
               (unsigned long long)(r.time[RUNSTATE_offline] / MS));
    o.spin = opt_num(cmd, "spin", 2000, NULL);
    o.from = opt_num(cmd, "window", now + 200, &o.to);
    if ( !o.to )
        o.to = o.from + o.spin;
    o.report = opt_num(cmd, "report", 500, NULL);
    o.cap = opt_num(cmd, "cap", 0, NULL);
    o.tol = opt_num(cmd, "tol", 2, NULL);
    o.min = opt_num(cmd, "min", alone ? 80 : 0, NULL);
    o.max = opt_num(cmd, "max", 0, NULL);
    o.block = opt_num(cmd, "block", alone ? 1000 : 0, NULL);
    o.say = opt_num(cmd, "say", 0, NULL);
    o.hold = opt_num(cmd, "hold", 0, NULL);
    if ( o.spin )
    {
        kit_printf("sched-spin: '%s': window %lu-%lu ms\n", cmd, o.from, o.to);
        if ( o.to <= o.from || o.report == 0 || o.to <= now )
            kit_test_abort("bad window %lu-%lu at %llu ms", o.from, o.to,
                           (unsigned long long)now);
        if ( o.from < now )
            kit_printf("sched-spin: window starts late: %lu ms < %llu\n", o.from,
                       (unsigned long long)now);
        measure_spin(&o);
    }
    if ( o.block )
        measure_block(o.block);
    if ( o.hold )
    {
        kit_printf("sched-spin: holding until %lu ms\n", o.hold);
        spin_until(o.hold * MS);
    }
    kit_test_success();
}
