/* SPDX-License-Identifier: MIT */
/* The null policy: each vCPU owns a pCPU, for static partitioning (sched=null). */
/*
 * Theory of operation (Xen's null scheduler)
 *
 * A unit is assigned one pCPU of its hard affinity when it is inserted and
 * keeps it until it is removed: that pCPU runs it whenever it is runnable
 * and idles when it is not; there are no time slices, no weights and no
 * caps (they are accepted and ignored). A unit that finds no free pCPU in
 * its affinity waits in a FIFO wait queue (runnable, for its runstate);
 * when a pCPU is freed, the first waiting unit whose affinity holds it
 * gets it. A unit that wakes while waiting takes a free pCPU if one has
 * appeared. Assignments never move, so a unit never migrates.
 *
 *   pCPU0 -- d1v0        pCPU1 -- d2v0        wait queue: d3v0, d4v0
 *
 * Everything here runs under the glue's one lock (see sched-policy.h).
 */
#include <tern/cpulist.h>
#include <tern/lib.h>
#include <tern/sched-policy.h>

static struct {
    cpumask_t online;
    cpumask_t free;                          /* pCPUs with no unit */
    struct sched_unit *owner[SCHED_MAX_CPUS]; /* the unit a pCPU belongs to */
    struct sched_unit *curr[SCHED_MAX_CPUS];  /* what it runs; NULL: idle */
    struct sched_unit *waitq;                 /* units without a pCPU, FIFO */
    struct sched_unit *all;
} nl;

static void waitq_append(struct sched_unit *u)
{
    struct sched_unit **pp = &nl.waitq;

    while ( *pp )
        pp = &(*pp)->rq_next;
    u->rq_next = NULL;
    *pp = u;
    u->queued = true;
}

static void waitq_remove(struct sched_unit *u)
{
    struct sched_unit **pp = &nl.waitq;

    while ( *pp && *pp != u )
        pp = &(*pp)->rq_next;
    if ( *pp )
        *pp = u->rq_next;
    u->rq_next = NULL;
    u->queued = false;
}

static void assign(struct sched_unit *u, unsigned int cpu)
{
    if ( u->ran_on && u->cpu != cpu )
        u->migrations++;
    u->cpu = cpu;
    u->has_cpu = true;
    nl.owner[cpu] = u;
    nl.free &= ~cpumask_of(cpu);
}

/* Give the free cpu to the first waiting unit that may run there; returns
 * cpu's mask when it now has work. */
static cpumask_t fill(unsigned int cpu)
{
    struct sched_unit *u;

    for ( u = nl.waitq; u; u = u->rq_next )
        if ( cpumask_test(u->hard_affinity, cpu) )
        {
            waitq_remove(u);
            assign(u, cpu);
            return u->runnable ? cpumask_of(cpu) : 0;
        }
    return 0;
}

static void null_init(cpumask_t online)
{
    memset(&nl, 0, sizeof(nl));
    nl.online = nl.free = online;
}

static void null_init_domain(struct sched_dom *sd, s_time_t now __unused)
{
    sd->nr_units = 0;
}

/* A free pCPU of u's affinity (its own first), else where it would go. */
static unsigned int null_pick_cpu(const struct sched_unit *u)
{
    cpumask_t cand = u->hard_affinity & nl.online;

    if ( !cand )
        cand = nl.online;
    if ( cand & nl.free )
        cand &= nl.free;
    return cpumask_test(cand, u->cpu) ? u->cpu : cpumask_first(cand);
}

static void null_insert_unit(struct sched_unit *u, s_time_t now)
{
    struct sched_unit **pp = &nl.all;
    unsigned int cpu;

    u->runnable = u->scheduled = u->queued = u->parked = false;
    u->delayed_add = u->yield = u->has_cpu = false;
    u->run_start = now;
    u->ran_on = 0;
    u->migrations = 0;
    u->rq_next = u->all_next = NULL;
    cpu = null_pick_cpu(u);
    if ( cpumask_test(nl.free, cpu) )
        assign(u, cpu);
    else
    {
        u->cpu = cpu;
        waitq_append(u);
    }
    while ( *pp )
        pp = &(*pp)->all_next;
    *pp = u;
    u->inserted = true;
    u->dom->nr_units++;
}

static cpumask_t null_remove_unit(struct sched_unit *u, s_time_t now __unused)
{
    struct sched_unit **pp;
    cpumask_t tickle = 0;

    if ( u->has_cpu )
    {
        if ( nl.curr[u->cpu] == u )
        {
            nl.curr[u->cpu] = NULL;
            tickle = cpumask_of(u->cpu);
        }
        nl.owner[u->cpu] = NULL;
        nl.free |= cpumask_of(u->cpu);
        u->has_cpu = false;
        tickle |= fill(u->cpu);
    }
    if ( u->queued )
        waitq_remove(u);
    for ( pp = &nl.all; *pp; pp = &(*pp)->all_next )
        if ( *pp == u )
        {
            *pp = u->all_next;
            break;
        }
    u->dom->nr_units--;
    u->inserted = u->runnable = u->scheduled = false;
    return tickle;
}

static cpumask_t null_wake(struct sched_unit *u, s_time_t now __unused)
{
    unsigned int cpu;

    u->runnable = true;
    if ( !u->has_cpu )
    {
        cpu = null_pick_cpu(u);
        if ( !cpumask_test(nl.free, cpu) )
            return 0;
        waitq_remove(u);
        assign(u, cpu);
    }
    return u->scheduled ? 0 : cpumask_of(u->cpu);
}

static cpumask_t null_sleep(struct sched_unit *u, s_time_t now __unused)
{
    u->runnable = false;
    return u->has_cpu && nl.curr[u->cpu] == u ? cpumask_of(u->cpu) : 0;
}

static void null_yield(struct sched_unit *u __unused)
{
}

static struct sched_decision null_do_schedule(unsigned int cpu, s_time_t now,
                                              bool curr_runnable)
{
    struct sched_decision d = { .next = NULL };
    struct sched_unit *curr = nl.curr[cpu], *u;

    if ( curr )
        curr->runnable = curr_runnable;
    if ( !nl.owner[cpu] )
        fill(cpu);
    u = nl.owner[cpu];
    if ( u && u->runnable && (u == curr || !u->scheduled) )
    {
        if ( u != curr )
        {
            u->scheduled = true;
            u->run_start = now;
            u->ran_on |= cpumask_of(cpu);
        }
        d.next = u;
    }
    nl.curr[cpu] = d.next;
    return d;
}

static cpumask_t null_context_saved(struct sched_unit *u, s_time_t now __unused)
{
    u->scheduled = false;
    return u->runnable && u->has_cpu && nl.curr[u->cpu] != u ?
           cpumask_of(u->cpu) : 0;
}

static void dump_unit(sched_print_fn pr, const struct sched_unit *u)
{
    char hard[64], ran[64];

    pr("  d%uv%u %-7s weight %u cap %u hard {%s} ran {%s} migrations %lu\n",
       u->dom->domid, u->vcpu_id,
       u->scheduled ? "running" : u->runnable ? "waiting" : "blocked",
       u->dom->weight, u->dom->cap,
       cpulist_format(hard, sizeof(hard), u->hard_affinity),
       cpulist_format(ran, sizeof(ran), u->ran_on), u->migrations);
}

static void null_dump(sched_print_fn pr, s_time_t now __unused)
{
    const struct sched_unit *u;
    unsigned int cpu;

    pr("Scheduler: null, one vCPU per pCPU, no time slices (weight and cap "
       "ignored)\n");
    for ( cpu = 0; cpu < SCHED_MAX_CPUS; cpu++ )
    {
        if ( !cpumask_test(nl.online, cpu) )
            continue;
        u = nl.owner[cpu];
        if ( !u )
        {
            pr("CPU%u: free\n", cpu);
            continue;
        }
        pr("CPU%u: d%uv%u, %s\n", cpu, u->dom->domid, u->vcpu_id,
           nl.curr[cpu] ? "running" : "idle");
        dump_unit(pr, u);
    }
    pr("Wait queue:%s\n", nl.waitq ? "" : " empty");
    for ( u = nl.waitq; u; u = u->rq_next )
        dump_unit(pr, u);
}

const struct scheduler_ops sched_null_ops = {
    .name = "null",
    .init = null_init,
    .init_domain = null_init_domain,
    .insert_unit = null_insert_unit,
    .remove_unit = null_remove_unit,
    .wake = null_wake,
    .sleep = null_sleep,
    .yield = null_yield,
    .pick_cpu = null_pick_cpu,
    .do_schedule = null_do_schedule,
    .context_saved = null_context_saved,
    .dump = null_dump,
};
