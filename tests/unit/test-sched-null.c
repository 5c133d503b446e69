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

static char dump_buf[2048];

static void __attribute__((format(printf, 1, 2))) dump_print(const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(dump_buf);

    va_start(ap, fmt);
    vsnprintf(dump_buf + n, sizeof(dump_buf) - n, fmt, ap);
    va_end(ap);
}

static void test_dump(void)
{
    static struct sim s;
    static struct sched_dom d1, d2;
    static struct sim_vcpu a, b;

    sim_init(&s, &sched_null_ops, 1);
    sim_dom(&s, &d1, 1, 256, 0);
    sim_dom(&s, &d2, 2, 256, 0);
    sim_vcpu(&s, &a, &d1, 0, 0, 0);
    sim_vcpu(&s, &b, &d2, 0, 0, 0);
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
    if ( unit_failed )
        fputs(dump_buf, stderr);
}

int main(void)
{
    test_partition();
    test_affinity_block();
    test_wake_takes_free();
    test_dump();
    return unit_done();
}
