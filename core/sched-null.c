/* SPDX-License-Identifier: MIT */
/* The null policy: each vCPU owns a pCPU, for static partitioning (sched=null). */
/*
 * Theory of operation (Xen's null scheduler)
 *
 * A unit is assigned one pCPU of its hard affinity when it is inserted and
 * keeps it until it is removed or goes down: that pCPU runs it whenever it
 * is runnable and idles when it is not (blocked); there are no time
 * slices, no weights and no caps (they are accepted and ignored). A unit
 * that finds no free pCPU in its affinity waits in a FIFO wait queue
 * (runnable, for its runstate); when a pCPU is freed, the first waiting
 * unit whose affinity holds it gets it. A unit that wakes while waiting
 * takes a free pCPU if one has appeared. An assignment never moves while
 * the unit is up, so a unit migrates only across a down/up.
 *
 * A unit that is down (offline, as the glue says) holds no pCPU and does
 * not wait, as in Xen's null_unit_insert / null_unit_sleep: inserted
 * offline (a secondary vCPU before VCPUOP_up) it gets nothing; going
 * offline it gives its pCPU to the first suitable waiter (or leaves the
 * wait queue); coming up (wake) it takes a free pCPU, its old one first,
 * or waits. A unit that goes down while still running keeps its place on
 * the pCPU (curr) until that pCPU reschedules; coming up again before its
 * context is saved it is queued by context_saved (delayed_add), so a unit
 * is never queued and scheduled at once.
 *
 *   pCPU0 -- d1v0        pCPU1 -- d2v0        wait queue: d3v0, d4v0
 *                                             down: d1v1
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

static unsigned int null_pick_cpu(const struct sched_unit *u);

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

/* u gives up its pCPU (removed, or down), which goes to the first waiter
 * that may run there; returns the pCPUs to tickle. A pCPU running u keeps
 * it as curr until it reschedules (tickled here). */
static cpumask_t deassign(struct sched_unit *u)
{
    unsigned int cpu = u->cpu;
    cpumask_t tickle = nl.curr[cpu] == u ? cpumask_of(cpu) : 0;

    nl.owner[cpu] = NULL;
    nl.free |= cpumask_of(cpu);
    u->has_cpu = false;
    return tickle | fill(cpu);
}

/* u (up, runnable or not, without a pCPU) takes a free one of its
 * affinity, else waits; one still scheduled waits from context_saved on.
 * Returns the pCPUs to tickle. */
static cpumask_t place(struct sched_unit *u)
{
    unsigned int cpu = null_pick_cpu(u);

    if ( cpumask_test(nl.free, cpu) )
    {
        if ( u->queued )
            waitq_remove(u);
        u->delayed_add = false;
        assign(u, cpu);
        return u->runnable && !u->scheduled ? cpumask_of(cpu) : 0;
    }
    if ( u->scheduled )
        u->delayed_add = true;
    else if ( !u->queued )
    {
        u->cpu = cpu;
        waitq_append(u);
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

    u->runnable = u->scheduled = u->queued = u->parked = false;
    u->delayed_add = u->yield = u->has_cpu = false;
    u->run_start = now;
    u->ran_on = 0;
    u->migrations = 0;
    u->rq_next = u->all_next = NULL;
    u->cpu = null_pick_cpu(u);
    if ( !u->offline )
        place(u);
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
    unsigned int cpu;

    if ( u->has_cpu )
        tickle = deassign(u);
    if ( u->queued )
        waitq_remove(u);
    /* Gone for good: no pCPU may look at it as its current unit (one that
     * went down may still be curr of a pCPU it no longer owns). */
    for ( cpu = 0; cpu < SCHED_MAX_CPUS; cpu++ )
        if ( nl.curr[cpu] == u )
        {
            nl.curr[cpu] = NULL;
            tickle |= cpumask_of(cpu);
        }
    for ( pp = &nl.all; *pp; pp = &(*pp)->all_next )
        if ( *pp == u )
        {
            *pp = u->all_next;
            break;
        }
    u->dom->nr_units--;
    u->inserted = u->runnable = u->scheduled = u->delayed_add = false;
    return tickle;
}

/* A unit without a pCPU (waiting, or coming up) takes a free one. */
static cpumask_t null_wake(struct sched_unit *u, s_time_t now __unused)
{
    u->runnable = true;
    if ( u->offline )
        return 0;                       /* the glue never does this */
    if ( !u->has_cpu )
        return place(u);
    return u->scheduled ? 0 : cpumask_of(u->cpu);
}

/* A blocked unit keeps its pCPU (idle meanwhile); one going down gives it
 * up, or leaves the wait queue. */
static cpumask_t null_sleep(struct sched_unit *u, s_time_t now __unused)
{
    u->runnable = false;
    if ( u->offline )
    {
        u->delayed_add = false;
        if ( u->queued )
            waitq_remove(u);
        if ( u->has_cpu )
            return deassign(u);
        return 0;
    }
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
    if ( u->delayed_add )
    {
        u->delayed_add = false;
        return place(u);
    }
    return u->runnable && u->has_cpu && nl.curr[u->cpu] != u ?
           cpumask_of(u->cpu) : 0;
}

static void dump_unit(sched_print_fn pr, const struct sched_unit *u)
{
    char hard[64], ran[64];

    pr("  d%uv%u %-7s weight %u cap %u hard {%s} ran {%s} migrations %lu\n",
       u->dom->domid, u->vcpu_id,
       u->scheduled ? "running" : u->offline ? "down" :
       u->runnable ? "waiting" : "blocked",
       u->dom->weight, u->dom->cap,
       cpulist_format(hard, sizeof(hard), u->hard_affinity),
       cpulist_format(ran, sizeof(ran), u->ran_on), u->migrations);
}

static void null_dump(sched_print_fn pr, s_time_t now __unused)
{
    const struct sched_unit *u;
    bool any_down = false;
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
    for ( u = nl.all; u; u = u->all_next )
        if ( !u->has_cpu && !u->queued )
        {
            if ( !any_down )
                pr("Down, without a pCPU:\n");
            any_down = true;
            dump_unit(pr, u);
        }
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
