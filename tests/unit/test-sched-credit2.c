/* SPDX-License-Identifier: MIT */
/* Unit tests of core/sched-credit2.c: shares, caps, affinity, balance, ops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern/lib.h>
#include <tern/sched-policy.h>
#include "sched-sim.h"

#define US(x) ((s_time_t)(x) * 1000)
#define MS(x) ((s_time_t)(x) * 1000000)

/*
 * Each case: pCPUs, domains (weight, cap), vCPUs (domain, affinity, burst
 * and sleep; burst 0 spins), and for each vCPU the share of one pCPU it
 * must get (percent, lo..hi) between WARMUP and RUN, and the longest it
 * may wait from wake-up to running (0: not checked). Capped domains are
 * also checked over every CAP_WINDOW: never more than cap + CAP_SLACK.
 */
#define WARMUP     MS(200)
#define RUN        MS(10000)
#define CAP_WINDOW MS(100)
#define CAP_SLACK  1.5

struct vspec {
    unsigned int dom;
    cpumask_t aff;
    s_time_t burst, sleep;
    double lo, hi;
    s_time_t max_wait;
};

static const struct {
    const char *name;
    unsigned int cpus;
    struct { unsigned int weight, cap; } dom[4];
    unsigned int nr_doms, nr_vcpus;
    struct vspec v[SIM_VCPUS];
} cases[] = {
    { "weights 256:512 on one pCPU", 1, { { 256, 0 }, { 512, 0 } }, 2, 2,
      { { 0, 0, 0, 0, 32.0, 34.7, 0 }, { 1, 0, 0, 0, 65.3, 68.0, 0 } } },
    { "weights 100:200:300", 1, { { 100, 0 }, { 200, 0 }, { 300, 0 } }, 3, 3,
      { { 0, 0, 0, 0, 15.5, 18.0, 0 }, { 1, 0, 0, 0, 32.0, 34.7, 0 },
        { 2, 0, 0, 0, 48.5, 51.5, 0 } } },
    { "256:512 pinned to pCPU 0 of 2", 2, { { 256, 0 }, { 512, 0 } }, 2, 2,
      { { 0, 1, 0, 0, 32.0, 34.7, 0 }, { 1, 1, 0, 0, 65.3, 68.0, 0 } } },
    { "two vCPUs, two pCPUs", 2, { { 256, 0 }, { 256, 0 } }, 2, 2,
      { { 0, 0, 0, 0, 99.9, 100, 0 }, { 1, 0, 0, 0, 99.9, 100, 0 } } },
    { "four vCPUs, two pCPUs", 2, { { 256, 0 } }, 1, 4,
      { { 0, 0, 0, 0, 48, 52, 0 }, { 0, 0, 0, 0, 48, 52, 0 },
        { 0, 0, 0, 0, 48, 52, 0 }, { 0, 0, 0, 0, 48, 52, 0 } } },
    { "cap 25 alone", 1, { { 256, 25 } }, 1, 1,
      { { 0, 0, 0, 0, 24.0, 25.5, 0 } } },
    { "cap 25 against an uncapped domain", 1, { { 256, 25 }, { 256, 0 } }, 2, 2,
      { { 0, 0, 0, 0, 24.0, 25.5, 0 }, { 1, 0, 0, 0, 74.5, 76.0, 0 } } },
    { "cap 50 on the heavier domain", 1, { { 512, 50 }, { 256, 0 } }, 2, 2,
      { { 0, 0, 0, 0, 48.5, 50.5, 0 }, { 1, 0, 0, 0, 49.5, 51.5, 0 } } },
    { "cap 150 over two vCPUs", 2, { { 256, 150 } }, 1, 2,
      { { 0, 0, 0, 0, 72, 77, 0 }, { 0, 0, 0, 0, 72, 77, 0 } } },
    { "a blocked vCPU costs nothing", 1, { { 256, 0 }, { 256, 0 } }, 2, 2,
      { { 0, 0, 0, 0, 98.9, 99.1, 0 },
        { 1, 0, MS(1), MS(99), 0.9, 1.1, US(1000) } } },
    { "a sleeper waits at most one slice among spinners", 1,
      { { 256, 0 }, { 256, 0 }, { 256, 0 } }, 3, 3,
      { { 0, 0, 0, 0, 49, 50, 0 }, { 1, 0, 0, 0, 49, 50, 0 },
        { 2, 0, US(200), MS(20), 0.9, 1.1, MS(10) } } },
    { "a vCPU pinned to pCPU 1 among unpinned ones", 2,
      { { 256, 0 }, { 256, 0 }, { 256, 0 } }, 3, 3,
      { { 0, 2, 0, 0, 62, 71, 0 }, { 1, 0, 0, 0, 62, 71, 0 },
        { 2, 0, 0, 0, 62, 71, 0 } } },
    /* Three spinners share what a sleeper (1 ms every 10 ms) leaves. */
    { "three spinners and a sleeper on two pCPUs", 2,
      { { 256, 0 }, { 256, 0 }, { 256, 0 }, { 256, 0 } }, 4, 4,
      { { 0, 0, 0, 0, 60, 66, 0 }, { 1, 0, 0, 0, 60, 66, 0 },
        { 2, 0, 0, 0, 60, 66, 0 }, { 3, 0, MS(1), MS(9), 9, 10.1, MS(10) } } },
    /* vCPUs 0 and 2 share pCPU 0, 1 and 3 pCPU 1; when 0 and 2 block,
     * pCPU 0 pulls one of the others. */
    { "balance: two spinners get both pCPUs when the others block", 2,
      { { 256, 0 } }, 1, 4,
      { { 0, 0, MS(50), SIM_FOREVER, 0, 0, 0 }, { 0, 0, 0, 0, 99.5, 100, 0 },
        { 0, 0, MS(50), SIM_FOREVER, 0, 0, 0 }, { 0, 0, 0, 0, 99.5, 100, 0 } } },
    { "four pinned vCPUs on four pCPUs", 4, { { 256, 0 } }, 1, 4,
      { { 0, 8, 0, 0, 99.9, 100, 0 }, { 0, 4, 0, 0, 99.9, 100, 0 },
        { 0, 2, 0, 0, 99.9, 100, 0 }, { 0, 1, 0, 0, 99.9, 100, 0 } } },
};

static void test_shares(void)
{
    static struct sim s;
    static struct sched_dom doms[4];
    static struct sim_vcpu vs[SIM_VCPUS];
    size_t c;
    unsigned int i;

    for ( c = 0; c < ARRAY_SIZE(cases); c++ )
    {
        unsigned long failed = unit_failed;
        s_time_t span = RUN - WARMUP;

        sim_init(&s, &sched_credit2_ops, cases[c].cpus);
        for ( i = 0; i < cases[c].nr_doms; i++ )
            sim_dom(&s, &doms[i], i + 1, cases[c].dom[i].weight,
                    cases[c].dom[i].cap);
        for ( i = 0; i < cases[c].nr_vcpus; i++ )
        {
            const struct vspec *v = &cases[c].v[i];

            sim_vcpu(&s, &vs[i], &doms[v->dom], v->aff, v->burst, v->sleep);
        }
        for ( i = 0; i < cases[c].nr_vcpus; i++ )
            sim_wake(&s, &vs[i]);
        /* A capped domain of one vCPU is watched window by window. */
        s.window_v = NULL;
        for ( i = 0; i < cases[c].nr_vcpus; i++ )
            if ( doms[cases[c].v[i].dom].cap &&
                 doms[cases[c].v[i].dom].nr_units == 1 )
            {
                s.window_v = &vs[i];
                s.window_ns = CAP_WINDOW;
                break;
            }
        sim_run(&s, WARMUP);
        for ( i = 0; i < cases[c].nr_vcpus; i++ )
            vs[i].ran_since_mark = 0;
        s.window_start = s.now;
        s.window_ran = s.window_max = 0;
        sim_run(&s, RUN);

        for ( i = 0; i < cases[c].nr_vcpus; i++ )
        {
            const struct vspec *v = &cases[c].v[i];
            double share = 100.0 * (double)vs[i].ran_since_mark / (double)span;

            if ( getenv("SCHED_VERBOSE") )
                printf("  %s: vCPU %u %.2f%%, waited at most %lld us, "
                       "%lu migrations\n", cases[c].name, i, share,
                       (long long)(vs[i].waited_max / 1000), vs[i].u.migrations);
            CHECK(share >= v->lo - 1e-9 && share <= v->hi + 1e-9);
            if ( share < v->lo - 1e-9 || share > v->hi + 1e-9 )
                fprintf(stderr, "  %s: vCPU %u got %.2f%%, want %.1f..%.1f\n",
                        cases[c].name, i, share, v->lo, v->hi);
            if ( v->max_wait )
            {
                CHECK(vs[i].waited_max <= v->max_wait);
                if ( vs[i].waited_max > v->max_wait )
                    fprintf(stderr, "  %s: vCPU %u waited %lld us\n",
                            cases[c].name, i,
                            (long long)(vs[i].waited_max / 1000));
            }
            /* Never outside its affinity (the model checks each pick). */
            if ( v->aff )
                CHECK(!(vs[i].u.ran_on & ~v->aff));
        }
        if ( s.window_v )
        {
            double worst = 100.0 * (double)s.window_max / (double)CAP_WINDOW;

            CHECK(worst <= s.window_v->u.dom->cap + CAP_SLACK);
            if ( worst > s.window_v->u.dom->cap + CAP_SLACK )
                fprintf(stderr, "  %s: %.2f%% in a window, cap %u\n",
                        cases[c].name, worst, s.window_v->u.dom->cap);
        }
        if ( unit_failed != failed )
            fprintf(stderr, "  case '%s' failed\n", cases[c].name);
    }
}

/* A unit that has run less than the ratelimit is not preempted; a yield
 * gives the pCPU away at once, even to less credit. */
static void test_ratelimit_yield(void)
{
    static struct sim s;
    static struct sched_dom da, db;
    static struct sim_vcpu a, b;
    struct sched_decision d;

    sim_init(&s, &sched_credit2_ops, 1);
    sim_dom(&s, &da, 1, 256, 0);
    sim_dom(&s, &db, 2, 256, 0);
    sim_vcpu(&s, &a, &da, 0, 0, 0);
    sim_vcpu(&s, &b, &db, 0, 0, 0);
    sim_wake(&s, &a);
    sim_settle(&s);
    CHECK(s.curr[0] == &a);
    CHECK_EQ(s.expires[0], MS(10));     /* alone: until its credit is gone */

    s.now = US(200);
    sim_wake(&s, &b);                   /* more credit: tickles pCPU 0 */
    CHECK(s.resched[0]);
    d = sched_credit2_ops.do_schedule(0, s.now, true);
    CHECK(d.next == &a.u);              /* but a ran only 200 us */
    CHECK_EQ(d.expires, US(1000));
    s.resched[0] = false;

    s.now = US(1000);
    d = sched_credit2_ops.do_schedule(0, s.now, true);
    CHECK(d.next == &b.u);
    CHECK(b.u.scheduled && a.u.scheduled && a.u.delayed_add);
    CHECK_EQ(sched_credit2_ops.context_saved(&a.u, s.now), 0);
    CHECK(a.u.queued && !a.u.scheduled);

    /* b yields after 100 us: a runs though it has less credit. */
    s.now = US(1100);
    sched_credit2_ops.yield(&b.u);
    d = sched_credit2_ops.do_schedule(0, s.now, true);
    CHECK(d.next == &a.u);
    sched_credit2_ops.context_saved(&b.u, s.now);
    CHECK(b.u.queued);

    /* Sleep: a queued unit leaves its queue, a running one is rescheduled. */
    CHECK_EQ(sched_credit2_ops.sleep(&b.u, s.now), 0);
    CHECK(!b.u.queued && !b.u.runnable);
    CHECK_EQ(sched_credit2_ops.sleep(&a.u, s.now), 1);
    d = sched_credit2_ops.do_schedule(0, s.now, false);
    CHECK(d.next == NULL && d.expires == 0);
    sched_credit2_ops.context_saved(&a.u, s.now);
    CHECK(!a.u.queued);

    /* A wake while still scheduled is queued at context_saved. */
    sched_credit2_ops.wake(&a.u, s.now);
    d = sched_credit2_ops.do_schedule(0, s.now, false);
    CHECK(d.next == &a.u);
    d = sched_credit2_ops.do_schedule(0, s.now + US(2000), false);
    CHECK(d.next == NULL);
    CHECK_EQ(sched_credit2_ops.wake(&a.u, s.now + US(2000)), 0);
    CHECK(a.u.delayed_add && !a.u.queued);
    CHECK_EQ(sched_credit2_ops.context_saved(&a.u, s.now + US(2000)), 1);
    CHECK(a.u.queued);
}

/* Removing the running unit idles its pCPU; units of a pinned domain are
 * placed inside their affinity; migrations are counted. */
static void test_remove_pick(void)
{
    static struct sim s;
    static struct sched_dom da;
    static struct sim_vcpu a, b, c;
    struct sched_decision d;

    sim_init(&s, &sched_credit2_ops, 4);
    sim_dom(&s, &da, 1, 256, 0);
    sim_vcpu(&s, &a, &da, 1u << 2, 0, 0);
    CHECK_EQ(a.u.cpu, 2);
    CHECK_EQ(sched_credit2_ops.pick_cpu(&a.u), 2);
    sim_vcpu(&s, &b, &da, 0, 0, 0);
    sim_vcpu(&s, &c, &da, 0, 0, 0);
    sim_wake(&s, &a);
    sim_wake(&s, &b);
    sim_wake(&s, &c);
    sim_settle(&s);
    CHECK(s.curr[2] == &a && s.curr[0] && s.curr[1]);
    CHECK_EQ(a.u.migrations + b.u.migrations + c.u.migrations, 0);
    CHECK_EQ(sched_credit2_ops.remove_unit(&a.u, s.now), 1u << 2);
    CHECK_EQ(da.nr_units, 2);
    d = sched_credit2_ops.do_schedule(2, s.now, false);
    CHECK(d.next == NULL);
    s.curr[2] = NULL;

    /* b blocks and wakes where c no longer runs: it moves, once counted. */
    s.now = MS(1);
    d = sched_credit2_ops.do_schedule(b.u.cpu, s.now, false);
    CHECK(d.next == NULL);
    sched_credit2_ops.context_saved(&b.u, s.now);
    s.curr[b.u.cpu] = NULL;
    sched_credit2_ops.sleep(&c.u, s.now);
    d = sched_credit2_ops.do_schedule(c.u.cpu, s.now, false);
    sched_credit2_ops.context_saved(&c.u, s.now);
    s.curr[c.u.cpu] = NULL;
    sched_credit2_ops.wake(&c.u, s.now);            /* back to its pCPU */
    CHECK_EQ(c.u.migrations, 0);
    sched_credit2_ops.wake(&b.u, s.now);
    CHECK_EQ(b.u.cpu == c.u.cpu ? 1 : 0, 0);
}

/*
 * Service balance: busy units that do not divide evenly over the pCPUs.
 * Each case: pCPUs, and per vCPU (each its own domain) weight, affinity
 * (0: all) and the share of one pCPU it must get over the first SPAN from
 * the start (percent, lo..hi); then, over LONG_SPAN, at most max_moves
 * migrations in all per SPAN, and every ms the service of any two vCPUs
 * at most max_gap apart (0: not checked).
 */
#define SPAN      MS(2000)
#define LONG_SPAN MS(20000)

struct uspec {
    unsigned int weight;
    cpumask_t aff;
    double lo, hi;
};

static const struct {
    const char *name;
    unsigned int cpus, nr;
    struct uspec v[SIM_VCPUS];
    unsigned long max_moves;
    s_time_t max_gap;
} uneven[] = {
    { "3 on 2 pCPUs", 2, 3,
      { { 256, 0, 63.7, 69.7 }, { 256, 0, 63.7, 69.7 }, { 256, 0, 63.7, 69.7 } },
      SPAN / MS(20), MS(30) },
    { "5 on 2 pCPUs", 2, 5,
      { { 256, 0, 37, 43 }, { 256, 0, 37, 43 }, { 256, 0, 37, 43 },
        { 256, 0, 37, 43 }, { 256, 0, 37, 43 } },
      SPAN / MS(20), MS(30) },
    { "5 on 4 pCPUs", 4, 5,
      { { 256, 0, 77, 83 }, { 256, 0, 77, 83 }, { 256, 0, 77, 83 },
        { 256, 0, 77, 83 }, { 256, 0, 77, 83 } },
      SPAN / MS(20), MS(30) },
    { "7 on 3 pCPUs", 3, 7,
      { { 256, 0, 40, 46 }, { 256, 0, 40, 46 }, { 256, 0, 40, 46 },
        { 256, 0, 40, 46 }, { 256, 0, 40, 46 }, { 256, 0, 40, 46 },
        { 256, 0, 40, 46 } },
      SPAN / MS(20), MS(30) },
    /* The heavy one gets a whole pCPU, each light one half of the other. */
    { "weights 256/256/512 on 2 pCPUs", 2, 3,
      { { 256, 0, 47, 53 }, { 256, 0, 47, 53 }, { 512, 0, 97, 100 } },
      SPAN / MS(100), 0 },
    { "weights 512/256/256 on 2 pCPUs", 2, 3,
      { { 512, 0, 97, 100 }, { 256, 0, 47, 53 }, { 256, 0, 47, 53 } },
      SPAN / MS(100), 0 },
    /* Weights 2:2:1 want 80/80/40: the light one must be alone a tenth
     * of the time. */
    { "weights 512/512/256 on 2 pCPUs", 2, 3,
      { { 512, 0, 77, 83 }, { 512, 0, 77, 83 }, { 256, 0, 37, 43 } },
      SPAN / MS(20), MS(30) },
    /* The heavy one cannot use more than its pCPU: no moves for it. */
    { "weights 100/100/1000 on 2 pCPUs", 2, 3,
      { { 100, 0, 47, 53 }, { 100, 0, 47, 53 }, { 1000, 0, 97, 100 } },
      SPAN / MS(100), 0 },
    /* Pinned units never move. The free one always shares a pCPU (at
     * most 50%), and takes turns with each pinned one so that they get
     * the same (75%). */
    { "pinned to 0 and to 1, one free", 2, 3,
      { { 256, 1, 72, 78 }, { 256, 2, 72, 78 }, { 256, 0, 47, 56 } },
      SPAN / MS(20), 0 },
    /* Two pinned to pCPU 0, two free: the free pair shares pCPU 1 and is
     * not pulled onto pCPU 0 (it would gain nothing). */
    { "two pinned to 0, two free", 2, 4,
      { { 256, 1, 47, 53 }, { 256, 1, 47, 53 }, { 256, 0, 47, 53 },
        { 256, 0, 47, 53 } },
      SPAN / MS(100), 0 },
};

/* Build an uneven case in s with domains ds and vCPUs vs, all woken. */
static void uneven_setup(struct sim *s, struct sched_dom *ds,
                         struct sim_vcpu *vs, size_t c)
{
    unsigned int i;

    sim_init(s, &sched_credit2_ops, uneven[c].cpus);
    for ( i = 0; i < uneven[c].nr; i++ )
    {
        sim_dom(s, &ds[i], i + 1, uneven[c].v[i].weight, 0);
        sim_vcpu(s, &vs[i], &ds[i], uneven[c].v[i].aff, 0, 0);
    }
    for ( i = 0; i < uneven[c].nr; i++ )
        sim_wake(s, &vs[i]);
}

static void test_uneven(void)
{
    static struct sim s;
    static struct sched_dom ds[SIM_VCPUS];
    static struct sim_vcpu vs[SIM_VCPUS];
    size_t c;
    unsigned int i;

    for ( c = 0; c < ARRAY_SIZE(uneven); c++ )
    {
        unsigned long failed = unit_failed, moves = 0;
        s_time_t t, gap = 0, ran[SIM_VCPUS];

        uneven_setup(&s, ds, vs, c);
        for ( t = MS(1); t <= LONG_SPAN; t += MS(1) )
        {
            if ( t == SPAN + MS(1) )
                for ( i = 0; i < uneven[c].nr; i++ )
                    ran[i] = vs[i].ran;
            s_time_t lo = vs[0].u.service, hi = lo;

            sim_run(&s, t);
            for ( i = 1; i < uneven[c].nr; i++ )
            {
                if ( vs[i].u.service < lo )
                    lo = vs[i].u.service;
                if ( vs[i].u.service > hi )
                    hi = vs[i].u.service;
            }
            if ( hi - lo > gap )
                gap = hi - lo;
        }
        for ( i = 0; i < uneven[c].nr; i++ )
        {
            const struct uspec *v = &uneven[c].v[i];
            double share = 100.0 * (double)ran[i] / (double)SPAN;

            moves += vs[i].u.migrations;
            if ( getenv("SCHED_VERBOSE") )
                printf("  %s: vCPU %u %.2f%%, %lu migrations, service %lld ms\n",
                       uneven[c].name, i, share, vs[i].u.migrations,
                       (long long)(vs[i].u.service / MS(1)));
            CHECK(share >= v->lo && share <= v->hi);
            if ( share < v->lo || share > v->hi )
                fprintf(stderr, "  %s: vCPU %u got %.2f%%, want %.1f..%.1f\n",
                        uneven[c].name, i, share, v->lo, v->hi);
            if ( v->aff )
            {
                CHECK(!(vs[i].u.ran_on & ~v->aff));
                CHECK_EQ(vs[i].u.migrations, 0);
            }
        }
        if ( getenv("SCHED_VERBOSE") )
            printf("  %s: %lu migrations, service gap at most %lld us\n",
                   uneven[c].name, moves, (long long)(gap / 1000));
        CHECK(moves <= uneven[c].max_moves * (LONG_SPAN / SPAN));
        CHECK(!uneven[c].max_gap || gap <= uneven[c].max_gap);
        CHECK(!s.bad_decisions);
        if ( unit_failed != failed )
            fprintf(stderr, "  case '%s' failed (%lu migrations, service gap "
                    "%lld us)\n", uneven[c].name, moves, (long long)(gap / 1000));
    }
}

/* A long sleep earns no turn alone: a vCPU that first wakes after 1 s next
 * to two spinners on two pCPUs gets its 2/3 from then on, not a whole pCPU
 * until its service catches up with theirs. */
static void test_sleeper_no_credit(void)
{
    static struct sim s;
    static struct sched_dom ds[3];
    static struct sim_vcpu vs[3];
    unsigned int i;

    sim_init(&s, &sched_credit2_ops, 2);
    for ( i = 0; i < 3; i++ )
    {
        sim_dom(&s, &ds[i], i + 1, 256, 0);
        sim_vcpu(&s, &vs[i], &ds[i], 0, 0, 0);
    }
    sim_wake(&s, &vs[0]);
    sim_wake(&s, &vs[1]);
    sim_run(&s, MS(1000));
    CHECK(vs[0].ran == MS(1000) && vs[1].ran == MS(1000));
    sim_wake(&s, &vs[2]);
    CHECK(vs[2].u.service >= MS(1000));
    for ( i = 0; i < 3; i++ )
        vs[i].ran_since_mark = 0;
    sim_run(&s, MS(2000));
    for ( i = 0; i < 3; i++ )
    {
        double share = (double)vs[i].ran_since_mark / (double)MS(10);

        CHECK(share >= 62 && share <= 71);
        if ( share < 62 || share > 71 )
            fprintf(stderr, "  sleeper: vCPU %u got %.2f%% of the second after\n",
                    i, share);
    }
}

/* Service near overflow goes back for all units alike: the turns go on. */
static void test_service_rebase(void)
{
    static struct sim s;
    static struct sched_dom ds[3];
    static struct sim_vcpu vs[3];
    const s_time_t top = (s_time_t)1 << 62;
    s_time_t d01, d21;
    unsigned int i;

    sim_init(&s, &sched_credit2_ops, 2);
    for ( i = 0; i < 3; i++ )
    {
        sim_dom(&s, &ds[i], i + 1, 256, 0);
        sim_vcpu(&s, &vs[i], &ds[i], 0, 0, 0);
        sim_wake(&s, &vs[i]);
    }
    sim_run(&s, MS(100));
    for ( i = 0; i < 3; i++ )
        vs[i].u.service += top - MS(200);
    d01 = vs[0].u.service - vs[1].u.service;
    d21 = vs[2].u.service - vs[1].u.service;
    for ( i = 0; i < 3; i++ )
        vs[i].ran_since_mark = 0;
    sim_run(&s, MS(2100));
    for ( i = 0; i < 3; i++ )
    {
        double share = (double)vs[i].ran_since_mark / (double)MS(20);

        CHECK(vs[i].u.service < top / 2 + MS(2000));
        CHECK(share >= 63.7 && share <= 69.7);
    }
    CHECK(d01 < MS(40) && d01 > -MS(40) && d21 < MS(40) && d21 > -MS(40));
    d01 = vs[0].u.service - vs[1].u.service;
    d21 = vs[2].u.service - vs[1].u.service;
    CHECK(d01 < MS(40) && d01 > -MS(40) && d21 < MS(40) && d21 > -MS(40));
}

/* The 'r' key shows each unit's service. */
static void test_dump(void)
{
    static struct sim s;
    static struct sched_dom da, db;
    static struct sim_vcpu a, b;

    sim_init(&s, &sched_credit2_ops, 2);
    sim_dom(&s, &da, 1, 512, 0);
    sim_dom(&s, &db, 2, 256, 25);
    sim_vcpu(&s, &a, &da, 1, 0, 0);
    sim_vcpu(&s, &b, &db, 1, 0, 0);
    sim_wake(&s, &a);
    sim_wake(&s, &b);
    sim_run(&s, MS(50));
    dump_buf[0] = '\0';
    sched_credit2_ops.dump(dump_print, s.now);
    CHECK(strstr(dump_buf, "Scheduler: credit2") != NULL);
    CHECK(strstr(dump_buf, "CPU1: load 0, max weight 1, idle") != NULL);
    CHECK(strstr(dump_buf, "weight 512 cap 0 hard {0} ran {0} migrations 0") != NULL);
    CHECK(strstr(dump_buf, "d2v0") != NULL && strstr(dump_buf, "cap 25") != NULL);
    CHECK(strstr(dump_buf, "pool ") != NULL);
    /* In 50 ms, d2 ran 12.5 ms (its cap) and d1 the rest, at weight 512. */
    CHECK(strstr(dump_buf, "ran {0} migrations 0 service 18 ms") != NULL);
    CHECK(strstr(dump_buf, "ran {0} migrations 0 service 12 ms") != NULL);
    if ( unit_failed )
        fputs(dump_buf, stderr);
}

int main(void)
{
    test_shares();
    test_ratelimit_yield();
    test_remove_pick();
    test_dump();
    test_uneven();
    test_sleeper_no_credit();
    test_service_rebase();
    return unit_done();
}
