/* SPDX-License-Identifier: MIT */
/* Unit tests of core/sched-null.c: one vCPU per pCPU, the wait queue. */
#include <stdio.h>
#include <string.h>
#include <tern/lib.h>
#include <tern/sched-policy.h>
#include "sched-sim.h"

#define MS(x) ((s_time_t)(x) * 1000000)

static double share(const struct sim_vcpu *v, s_time_t span)
{
    return 100.0 * (double)v->ran_since_mark / (double)span;
}

static void mark(struct sim *s)
{
    unsigned int i;

    for ( i = 0; i < s->nr; i++ )
        s->v[i]->ran_since_mark = 0;
}

/* Add a vCPU that is down (as sim_vcpu, but inserted offline, as the glue
 * inserts a secondary vCPU before VCPUOP_up). */
static void sim_vcpu_down(struct sim *s, struct sim_vcpu *v, struct sched_dom *d,
                          cpumask_t aff)
{
    memset(v, 0, sizeof(*v));
    v->u.dom = d;
    v->u.vcpu_id = d->nr_units;
    v->u.hard_affinity = aff ? aff : (1ull << s->nr_cpus) - 1;
    v->u.offline = true;
    v->blocked = true;
    v->woke_at = -1;
    s->v[s->nr++] = v;
    s->ops->insert_unit(&v->u, s->now);
}

/* VCPUOP_down / VCPUOP_up of a spinning vCPU, as the glue tells them. */
static void sim_down(struct sim *s, struct sim_vcpu *v)
{
    v->blocked = true;
    v->started = false;                 /* not woken by the model */
    v->u.offline = true;
    sim_tickle(s, s->ops->sleep(&v->u, s->now));
}

static void sim_up(struct sim *s, struct sim_vcpu *v)
{
    v->u.offline = false;
    sim_wake(s, v);
}

/* Two pCPUs, three spinners: the first two own a pCPU each, for good;
 * the third waits, runnable, until the first goes, then takes its pCPU. */
static void test_partition(void)
{
    static struct sim s;
    static struct sched_dom d1, d2, d3;
    static struct sim_vcpu a, b, c;

    sim_init(&s, &sched_null_ops, 2);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_dom(&s, &d2, 2, 512, 25);       /* weight and cap: ignored */
    sim_dom(&s, &d3, 3, 256, 0);
    sim_vcpu(&s, &a, &d1, 0, 0, 0);
    sim_vcpu(&s, &b, &d2, 0, 0, 0);
    sim_vcpu(&s, &c, &d3, 0, 0, 0);
    CHECK(a.u.has_cpu && a.u.cpu == 0);
    CHECK(b.u.has_cpu && b.u.cpu == 1);
    CHECK(!c.u.has_cpu && c.u.queued);
    sim_wake(&s, &a);
    sim_wake(&s, &b);
    sim_wake(&s, &c);
    sim_run(&s, MS(1000));
    CHECK(share(&a, MS(1000)) == 100.0);
    CHECK(share(&b, MS(1000)) == 100.0);
    CHECK(c.ran == 0);
    CHECK_EQ(s.expires[0], 0);          /* no time slices */
    CHECK_EQ(s.expires[1], 0);

    /* a goes: c gets pCPU 0 and runs at once. */
    CHECK_EQ(sched_null_ops.remove_unit(&a.u, s.now), 1);
    s.curr[0] = NULL;
    s.resched[0] = true;
    CHECK(c.u.has_cpu && c.u.cpu == 0 && !c.u.queued);
    mark(&s);
    sim_run(&s, MS(2000));
    CHECK(share(&c, MS(1000)) == 100.0);
    CHECK(share(&b, MS(1000)) == 100.0);
    CHECK_EQ(a.u.migrations + b.u.migrations + c.u.migrations, 0);
    CHECK_EQ(c.u.ran_on, 1);
}

/* Affinity: a vCPU waits for a pCPU of its affinity even when another is
 * free; a blocked owner leaves its pCPU idle (nobody else takes it). */
static void test_affinity_block(void)
{
    static struct sim s;
    static struct sched_dom d1;
    static struct sim_vcpu a, b, c;

    sim_init(&s, &sched_null_ops, 2);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_vcpu(&s, &a, &d1, 2, MS(1), MS(9));     /* pCPU 1, 10% busy */
    sim_vcpu(&s, &b, &d1, 2, 0, 0);             /* wants pCPU 1 too */
    CHECK(a.u.has_cpu && a.u.cpu == 1);
    CHECK(!b.u.has_cpu);
    CHECK_EQ(sched_null_ops.pick_cpu(&b.u), 1);
    sim_vcpu(&s, &c, &d1, 0, 0, 0);             /* takes pCPU 0 */
    CHECK(c.u.has_cpu && c.u.cpu == 0);
    sim_wake(&s, &a);
    sim_wake(&s, &b);
    sim_wake(&s, &c);
    sim_run(&s, MS(1000));
    CHECK(share(&a, MS(1000)) > 9.9 && share(&a, MS(1000)) < 10.1);
    CHECK(b.ran == 0);
    CHECK(share(&c, MS(1000)) == 100.0);

    /* b is queued; when a goes, b gets pCPU 1 (not before). */
    sched_null_ops.remove_unit(&a.u, s.now);
    s.curr[1] = NULL;
    s.resched[1] = true;
    mark(&s);
    sim_run(&s, MS(2000));
    CHECK(share(&b, MS(1000)) == 100.0);
    CHECK(!(b.u.ran_on & ~2ull));
}

/* A waiting vCPU that wakes takes a pCPU freed while it slept. */
static void test_wake_takes_free(void)
{
    static struct sim s;
    static struct sched_dom d1;
    static struct sim_vcpu a, b;
    struct sched_decision d;

    sim_init(&s, &sched_null_ops, 1);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_vcpu(&s, &a, &d1, 0, 0, 0);
    sim_vcpu(&s, &b, &d1, 0, 0, 0);
    CHECK(!b.u.has_cpu);
    /* a leaves before anything ran: b, not runnable, is assigned. */
    CHECK_EQ(sched_null_ops.remove_unit(&a.u, 0), 0);
    CHECK(b.u.has_cpu && b.u.cpu == 0);
    d = sched_null_ops.do_schedule(0, 0, false);
    CHECK(d.next == NULL);
    CHECK_EQ(sched_null_ops.wake(&b.u, 0), 1);
    d = sched_null_ops.do_schedule(0, 0, false);
    CHECK(d.next == &b.u && d.expires == 0);
    /* Sleep while running: its pCPU reschedules, then idles. */
    CHECK_EQ(sched_null_ops.sleep(&b.u, 0), 1);
    d = sched_null_ops.do_schedule(0, 1, false);
    CHECK(d.next == NULL);
    CHECK_EQ(sched_null_ops.context_saved(&b.u, 1), 0);
    /* Woken while still scheduled: context_saved tickles. */
    d = sched_null_ops.do_schedule(0, 2, false);
    CHECK(d.next == NULL);
    sched_null_ops.wake(&b.u, 2);
    d = sched_null_ops.do_schedule(0, 3, false);
    CHECK(d.next == &b.u);
    sched_null_ops.sleep(&b.u, 4);
    d = sched_null_ops.do_schedule(0, 4, false);
    CHECK_EQ(sched_null_ops.wake(&b.u, 5), 0);
    CHECK_EQ(sched_null_ops.context_saved(&b.u, 5), 1);
}

/* Review M3: a vCPU that is down holds no pCPU. Two pCPUs; d1 has vCPU 0
 * and vCPU 1 (never brought up), d2 one vCPU: d2's gets pCPU 1 and runs.
 * d1v1 brought up later waits; d1v0 going down gives pCPU 0 to it. */
static void test_down_at_insert(void)
{
    static struct sim s;
    static struct sched_dom d1, d2;
    static struct sim_vcpu a0, a1, b;

    sim_init(&s, &sched_null_ops, 2);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_dom(&s, &d2, 2, 256, 0);
    sim_vcpu(&s, &a0, &d1, 0, 0, 0);
    sim_vcpu_down(&s, &a1, &d1, 0);
    sim_vcpu(&s, &b, &d2, 0, 0, 0);
    CHECK(a0.u.has_cpu && a0.u.cpu == 0);
    CHECK(!a1.u.has_cpu && !a1.u.queued);
    CHECK(b.u.has_cpu && b.u.cpu == 1 && !b.u.queued);
    sim_wake(&s, &a0);
    sim_wake(&s, &b);
    sim_run(&s, MS(1000));
    CHECK(share(&a0, MS(1000)) == 100.0);
    CHECK(share(&b, MS(1000)) == 100.0);
    CHECK(a1.ran == 0);

    /* d1v1 comes up: no pCPU is free, it waits (runnable). */
    sim_up(&s, &a1);
    CHECK(!a1.u.has_cpu && a1.u.queued);
    mark(&s);
    sim_run(&s, MS(2000));
    CHECK(a1.ran == 0);
    CHECK(share(&a0, MS(1000)) == 100.0 && share(&b, MS(1000)) == 100.0);

    /* d1v0 goes down while running: d1v1 gets pCPU 0 at once. */
    sim_down(&s, &a0);
    CHECK(!a0.u.has_cpu && !a0.u.queued);
    CHECK(a1.u.has_cpu && a1.u.cpu == 0 && !a1.u.queued);
    mark(&s);
    sim_run(&s, MS(3000));
    CHECK(share(&a1, MS(1000)) == 100.0);
    CHECK(share(&b, MS(1000)) == 100.0);
    CHECK(a0.ran_since_mark == 0);
    CHECK(s.curr[0] == &a1);

    /* d1v0 comes back: it waits; d2v0 going down hands it pCPU 1. */
    sim_up(&s, &a0);
    CHECK(a0.u.queued && !a0.u.has_cpu);
    sim_down(&s, &b);
    CHECK(a0.u.has_cpu && a0.u.cpu == 1 && !a0.u.queued);
    mark(&s);
    sim_run(&s, MS(4000));
    CHECK(share(&a0, MS(1000)) == 100.0);
    CHECK(share(&a1, MS(1000)) == 100.0);
    CHECK(b.ran_since_mark == 0);
    CHECK_EQ(a0.u.migrations, 1);       /* pCPU 0, then 1 */
    CHECK_EQ(s.bad_decisions, 0);
}

/* A vCPU brought up takes a free pCPU (its old one first); a waiting
 * vCPU that goes down leaves the wait queue. */
static void test_up_takes_free(void)
{
    static struct sim s;
    static struct sched_dom d1;
    static struct sim_vcpu a0, a1, a2;

    sim_init(&s, &sched_null_ops, 2);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_vcpu(&s, &a0, &d1, 0, 0, 0);
    sim_vcpu_down(&s, &a1, &d1, 0);
    sim_vcpu_down(&s, &a2, &d1, 0);
    CHECK(!a1.u.has_cpu && !a2.u.has_cpu);
    sim_wake(&s, &a0);
    sim_run(&s, MS(10));
    sim_up(&s, &a1);
    CHECK(a1.u.has_cpu && a1.u.cpu == 1);
    sim_up(&s, &a2);
    CHECK(!a2.u.has_cpu && a2.u.queued);
    sim_run(&s, MS(20));
    CHECK(a1.ran > 0 && a2.ran == 0);
    /* a2 goes down while waiting: out of the queue, pCPUs unchanged. */
    sim_down(&s, &a2);
    CHECK(!a2.u.queued && !a2.u.has_cpu);
    /* a1 goes down and up again: pCPU 1 is free, it takes it back. */
    sim_down(&s, &a1);
    sim_settle(&s);
    CHECK(!a1.u.has_cpu && s.curr[1] == NULL);
    sim_up(&s, &a1);
    CHECK(a1.u.has_cpu && a1.u.cpu == 1);
    mark(&s);
    sim_run(&s, MS(30));
    CHECK(share(&a1, MS(10)) == 100.0);
    CHECK_EQ(a1.u.migrations, 0);
    CHECK_EQ(s.bad_decisions, 0);
}

/* Down and up again before the pCPU switched the vCPU out: no free pCPU,
 * so it is queued only once its context is saved (never queued and
 * scheduled at once); removed after going down while still current, no
 * pCPU keeps it. */
static void test_down_up_while_running(void)
{
    static struct sim s;
    static struct sched_dom d1;
    static struct sim_vcpu a, w;
    struct sched_decision d;

    sim_init(&s, &sched_null_ops, 1);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_vcpu(&s, &a, &d1, 0, 0, 0);
    sim_vcpu(&s, &w, &d1, 0, 0, 0);
    CHECK(w.u.queued);
    CHECK_EQ(sched_null_ops.wake(&a.u, 0), 1);
    sched_null_ops.wake(&w.u, 0);
    d = sched_null_ops.do_schedule(0, 1, false);
    CHECK(d.next == &a.u);
    a.u.offline = true;
    CHECK_EQ(sched_null_ops.sleep(&a.u, 2), 1);     /* w owns pCPU 0 now */
    CHECK(w.u.has_cpu && w.u.cpu == 0 && !w.u.queued);
    a.u.offline = false;
    CHECK_EQ(sched_null_ops.wake(&a.u, 3), 0);
    CHECK(!a.u.queued && a.u.scheduled && a.u.delayed_add);
    d = sched_null_ops.do_schedule(0, 4, true);
    CHECK(d.next == &w.u);
    CHECK_EQ(sched_null_ops.context_saved(&a.u, 5), 0);
    CHECK(a.u.queued && !a.u.scheduled && !a.u.has_cpu);

    /* w goes down while running, then is removed before its pCPU
     * rescheduled: a gets pCPU 0, and w is nobody's current unit. */
    w.u.offline = true;
    CHECK_EQ(sched_null_ops.sleep(&w.u, 6), 1);
    CHECK(a.u.has_cpu && a.u.cpu == 0);
    CHECK_EQ(sched_null_ops.remove_unit(&w.u, 7), 1);
    d = sched_null_ops.do_schedule(0, 8, false);
    CHECK(d.next == &a.u);
}

static void test_dump(void)
{
    static struct sim s;
    static struct sched_dom d1, d2;
    static struct sim_vcpu a, b, c;

    sim_init(&s, &sched_null_ops, 1);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_dom(&s, &d2, 2, 256, 0);
    sim_vcpu(&s, &a, &d1, 0, 0, 0);
    sim_vcpu(&s, &b, &d2, 0, 0, 0);
    sim_vcpu_down(&s, &c, &d1, 0);
    sim_wake(&s, &a);
    sim_wake(&s, &b);
    sim_run(&s, MS(10));
    dump_buf[0] = '\0';
    sched_null_ops.dump(dump_print, s.now);
    CHECK(strstr(dump_buf, "Scheduler: null") != NULL);
    CHECK(strstr(dump_buf, "CPU0: d1v0, running") != NULL);
    CHECK(strstr(dump_buf, "d1v0 running weight 256 cap 0 hard {0} ran {0} "
                 "migrations 0") != NULL);
    CHECK(strstr(dump_buf, "Wait queue:\n  d2v0 waiting") != NULL);
    CHECK(strstr(dump_buf, "Down, without a pCPU:\n  d1v1 down") != NULL);
    if ( unit_failed )
        fputs(dump_buf, stderr);
}

int main(void)
{
    test_partition();
    test_affinity_block();
    test_wake_takes_free();
    test_down_at_insert();
    test_up_takes_free();
    test_down_up_while_running();
    test_dump();
    return unit_done();
}
