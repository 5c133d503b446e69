/* SPDX-License-Identifier: MIT */
/* A discrete-event model of pCPUs and vCPUs driving a scheduling policy. */
#ifndef TERN_TESTS_SCHED_SIM_H
#define TERN_TESTS_SCHED_SIM_H

/*
 * The model plays the glue's part (core/schedule.c) with instant context
 * switches: a pCPU reschedules at the expiry its policy gave, when its
 * vCPU blocks or yields, and when tickled; every decision is checked
 * (affinity, one pCPU per vCPU, only runnable vCPUs run). vCPUs spin, or
 * run a burst and block for a while, over and over. Time is in ns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tern/sched-policy.h>
#include "unit.h"

#define SIM_CPUS   4
#define SIM_VCPUS  8
#define SIM_FOREVER ((s_time_t)1 << 62)

struct sim_vcpu {
    struct sched_unit u;
    s_time_t burst, sleep;           /* 0 burst: spins for ever */
    s_time_t left;                   /* of the current burst */
    s_time_t wake_at;                /* while blocked */
    bool blocked, started;
    s_time_t ran;                    /* total run time */
    s_time_t ran_since_mark;         /* since sim_mark() */
    s_time_t waited_max;             /* longest wake-to-run delay */
    s_time_t woke_at;                /* when it last became runnable, -1: running */
};

struct sim {
    const struct scheduler_ops *ops;
    unsigned int nr_cpus;
    s_time_t now;
    struct sim_vcpu *curr[SIM_CPUS];
    s_time_t expires[SIM_CPUS];
    bool resched[SIM_CPUS];
    struct sim_vcpu *v[SIM_VCPUS];
    unsigned int nr;
    unsigned long bad_decisions;     /* checks that failed (also counted by CHECK) */
    /* Capped run time per window, for cap tests: the largest share of any
     * window of window_ns seen by vcpu window_v. */
    struct sim_vcpu *window_v;
    s_time_t window_ns, window_start, window_ran, window_max;
};

static void sim_init(struct sim *s, const struct scheduler_ops *ops,
                     unsigned int nr_cpus)
{
    memset(s, 0, sizeof(*s));
    s->ops = ops;
    s->nr_cpus = nr_cpus;
    ops->init(nr_cpus >= 64 ? ~0ull : (1ull << nr_cpus) - 1);
}

static void sim_dom(struct sim *s, struct sched_dom *d, unsigned int id,
                    unsigned int weight, unsigned int cap)
{
    memset(d, 0, sizeof(*d));
    d->domid = id;
    d->weight = weight;
    d->cap = cap;
    s->ops->init_domain(d, s->now);
}

/* Add a vCPU (not yet runnable) with its affinity (0: all) and behaviour. */
static void sim_vcpu(struct sim *s, struct sim_vcpu *v, struct sched_dom *d,
                     cpumask_t aff, s_time_t burst, s_time_t sleep)
{
    memset(v, 0, sizeof(*v));
    v->u.dom = d;
    v->u.vcpu_id = d->nr_units;
    v->u.hard_affinity = aff ? aff : (1ull << s->nr_cpus) - 1;
    v->burst = burst;
    v->sleep = sleep;
    v->left = burst;
    v->blocked = true;
    v->woke_at = -1;
    s->v[s->nr++] = v;
    s->ops->insert_unit(&v->u, s->now);
}

static void sim_tickle(struct sim *s, cpumask_t m)
{
    unsigned int cpu;

    for ( cpu = 0; cpu < s->nr_cpus; cpu++ )
        if ( m & (1ull << cpu) )
            s->resched[cpu] = true;
    CHECK(!(m >> s->nr_cpus));
}

/* Make v runnable now. */
static void sim_wake(struct sim *s, struct sim_vcpu *v)
{
    v->blocked = false;
    v->started = true;
    v->woke_at = s->now;
    sim_tickle(s, s->ops->wake(&v->u, s->now));
}

static int sim_cpu_of(const struct sim *s, const struct sim_vcpu *v)
{
    unsigned int cpu;

    for ( cpu = 0; cpu < s->nr_cpus; cpu++ )
        if ( s->curr[cpu] == v )
            return (int)cpu;
    return -1;
}

/* One do_schedule on cpu, with the checks, then context_saved. */
static void sim_schedule(struct sim *s, unsigned int cpu)
{
    struct sim_vcpu *prev = s->curr[cpu], *next;
    struct sched_decision d;

    s->resched[cpu] = false;
    d = s->ops->do_schedule(cpu, s->now, prev && !prev->blocked);
    next = d.next ? container_of(d.next, struct sim_vcpu, u) : NULL;
    if ( next )
    {
        int other = sim_cpu_of(s, next);
        bool ok = cpumask_test(next->u.hard_affinity, cpu) && !next->blocked &&
                  (other < 0 || other == (int)cpu);

        CHECK(ok);
        s->bad_decisions += !ok;
        if ( !ok )
            fprintf(stderr, "  bad pick on CPU%u at %lld: d%uv%u\n", cpu,
                    (long long)s->now, next->u.dom->domid, next->u.vcpu_id);
        if ( next != prev && next->woke_at >= 0 )
        {
            if ( s->now - next->woke_at > next->waited_max )
                next->waited_max = s->now - next->woke_at;
            next->woke_at = -1;
        }
    }
    CHECK(d.expires == 0 || d.expires > s->now);
    s->expires[cpu] = d.expires;
    s->curr[cpu] = next;
    sim_tickle(s, d.tickle);
    if ( prev && prev != next )
    {
        if ( !prev->blocked )
            prev->woke_at = s->now;         /* preempted: waits again */
        sim_tickle(s, s->ops->context_saved(&prev->u, s->now));
    }
}

/* Run every pending reschedule (tickles may cascade). */
static void sim_settle(struct sim *s)
{
    unsigned int cpu, rounds = 0;
    bool again = true;

    while ( again && ++rounds < 1000 )
    {
        again = false;
        for ( cpu = 0; cpu < s->nr_cpus; cpu++ )
            if ( s->resched[cpu] )
            {
                sim_schedule(s, cpu);
                again = true;
            }
    }
    CHECK(rounds < 1000);
}

/* Account run time from s->now to t. */
static void sim_advance(struct sim *s, s_time_t t)
{
    unsigned int cpu;
    s_time_t dt = t - s->now;

    for ( cpu = 0; cpu < s->nr_cpus; cpu++ )
    {
        struct sim_vcpu *v = s->curr[cpu];

        if ( !v )
            continue;
        v->ran += dt;
        v->ran_since_mark += dt;
        if ( v->burst )
            v->left -= dt;
        if ( v == s->window_v )
            s->window_ran += dt;
    }
    s->now = t;
    if ( s->window_v && s->now - s->window_start >= s->window_ns )
    {
        if ( s->window_ran > s->window_max )
            s->window_max = s->window_ran;
        s->window_start = s->now;
        s->window_ran = 0;
    }
}

/* Run the model until time end. */
static void sim_run(struct sim *s, s_time_t end)
{
    unsigned int cpu, i;

    sim_settle(s);
    while ( s->now < end )
    {
        s_time_t t = end;

        for ( cpu = 0; cpu < s->nr_cpus; cpu++ )
        {
            struct sim_vcpu *v = s->curr[cpu];

            if ( s->expires[cpu] && s->expires[cpu] < t )
                t = s->expires[cpu];
            if ( v && v->burst && s->now + v->left < t )
                t = s->now + (v->left > 0 ? v->left : 0);
        }
        for ( i = 0; i < s->nr; i++ )
            if ( s->v[i]->blocked && s->v[i]->started && s->v[i]->wake_at < t )
                t = s->v[i]->wake_at;
        if ( s->window_v && s->window_start + s->window_ns < t )
            t = s->window_start + s->window_ns;
        if ( t < s->now )
            t = s->now;
        sim_advance(s, t);
        for ( i = 0; i < s->nr; i++ )
        {
            struct sim_vcpu *v = s->v[i];

            if ( v->blocked && v->started && v->wake_at <= s->now )
            {
                v->left = v->burst;
                sim_wake(s, v);
            }
        }
        for ( cpu = 0; cpu < s->nr_cpus; cpu++ )
        {
            struct sim_vcpu *v = s->curr[cpu];

            if ( v && v->burst && v->left <= 0 && !v->blocked )
            {
                v->blocked = true;              /* SCHEDOP_block */
                v->wake_at = s->now + v->sleep;
                s->resched[cpu] = true;
            }
            if ( s->expires[cpu] && s->expires[cpu] <= s->now )
                s->resched[cpu] = true;
        }
        sim_settle(s);
    }
}

/* A policy's dump (the 'r' key) collected into dump_buf. */
static char dump_buf[4096];

static inline void __attribute__((format(printf, 1, 2)))
dump_print(const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(dump_buf);

    va_start(ap, fmt);
    vsnprintf(dump_buf + n, sizeof(dump_buf) - n, fmt, ap);
    va_end(ap);
}

#endif /* TERN_TESTS_SCHED_SIM_H */
