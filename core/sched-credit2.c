/* SPDX-License-Identifier: MIT */
/* The credit2 policy: weights, caps, per-pCPU runqueues, load balancing. */
/*
 * Theory of operation (Xen's credit2, with one runqueue per pCPU)
 *
 * Credits. Every unit holds credit, in ns. A running unit burns it at
 * max_weight / weight per ns of run time, max_weight being the highest
 * weight on its runqueue: the heaviest burn 1:1, a unit of half the weight
 * twice as fast. A runqueue is sorted by credit and its pCPU runs the unit
 * with the most; when the best one's credit is no longer positive, the
 * epoch ends: every unit of the runqueue (running, queued or blocked)
 * gets CREDIT_INIT more, clipped to CREDIT_INIT + CARRYOVER_MAX. Over an
 * epoch each busy unit runs for about CREDIT_INIT * weight / max_weight,
 * hence shares in proportion to the weights.
 *
 * Time slices. A unit runs until its credit would fall to that of the next
 * queued unit (or to 0 when none waits), at least MIN_TIMER and at most
 * MAX_TIMER, and never less than RATELIMIT after it started: a unit that
 * has run less than RATELIMIT is not preempted (unless it yields).
 *
 * Runqueues and balance. Each pCPU has its runqueue; a unit belongs to one
 * (u->cpu) and only ever runs on that pCPU, which its hard affinity always
 * holds. A unit that wakes goes to the pCPU of its affinity with the
 * fewest runnable units (its own pCPU on a tie, or when that one has
 * nothing to do), and that pCPU is tickled when idle or when the unit has
 * more credit than what runs there. Each do_schedule also balances: when
 * another pCPU's load (runnable units) differs from this one's by two or
 * more, a queued unit whose affinity allows it moves from the busier to
 * the other (a move of one unit between loads n+1 and n would change
 * nothing). Moving a queued unit is cheap: its context is saved already.
 *
 * Caps (credit2's budgets). A capped domain has tot_budget = cap% of
 * CAP_PERIOD per period, in a pool that its units grab quotas from
 * (tot_budget / nr_units, at least MIN_TIMER) before they run; a running
 * unit's budget burns with its run time and its slice ends when the budget
 * does. A unit that finds the pool empty is parked: it stays runnable for
 * the guest (runstate) but is off its runqueue until the pool is refilled
 * at the end of the period, when parked units are queued again and their
 * pCPUs tickled. Overruns are debts: the pool can go negative and is
 * refilled by tot_budget per period up to tot_budget, so over any window
 * of whole periods the domain runs at most cap% plus one overrun. The
 * policy has no timers: refills happen in do_schedule(), and a pCPU that
 * has parked units asks to be scheduled again at their refill time
 * (decision.expires).
 *
 * States (see sched-policy.h): the unit a pCPU runs is rq->curr and
 * scheduled; when do_schedule() picks another, the old one stays
 * scheduled until context_saved(), which queues it again if it is still
 * runnable (delayed_add). Everything here runs under the glue's one lock.
 */
#include <tern/cpulist.h>
#include <tern/lib.h>
#include <tern/sched-policy.h>

#define CREDIT_INIT    SCHED_MS(10)     /* added at each reset */
#define CREDIT_MIN     (-CREDIT_INIT)   /* no deeper debt is kept */
#define CARRYOVER_MAX  SCHED_US(500)    /* credit kept over a reset */
#define MIN_TIMER      SCHED_US(500)    /* shortest slice */
#define MAX_TIMER      CREDIT_INIT      /* longest slice */
#define RATELIMIT      SCHED_US(1000)   /* no preemption before this */
#define CAP_PERIOD     SCHED_MS(10)     /* budget refill period */

struct runqueue {
    struct sched_unit *head;         /* queued units, most credit first */
    struct sched_unit *curr;         /* what the pCPU runs; NULL: idle */
};

static struct {
    cpumask_t online;
    struct runqueue rq[SCHED_MAX_CPUS];
    struct sched_unit *all;          /* every inserted unit, in insertion order */
} c2;

#define for_each_unit(u) for ( (u) = c2.all; (u); (u) = (u)->all_next )
#define for_each_cpu(c, m) \
    for ( (c) = 0; (c) < SCHED_MAX_CPUS; (c)++ ) if ( cpumask_test(m, c) )

static bool has_cap(const struct sched_unit *u)
{
    return u->dom->cap != 0;
}

/* The highest weight among the units of cpu's runqueue (1 if none). */
static s_time_t max_weight(unsigned int cpu)
{
    const struct sched_unit *u;
    unsigned int w = 1;

    for_each_unit(u)
        if ( u->cpu == cpu && u->dom->weight > w )
            w = u->dom->weight;
    return w;
}

/* Credit u burns in t ns, and the time u takes to burn credit c. */
static s_time_t t2c(s_time_t t, const struct sched_unit *u)
{
    return t * max_weight(u->cpu) / (s_time_t)u->dom->weight;
}

static s_time_t c2t(s_time_t c, const struct sched_unit *u)
{
    return c * (s_time_t)u->dom->weight / max_weight(u->cpu);
}

/* Charge the running u for its time since start_time. */
static void burn(struct sched_unit *u, s_time_t now)
{
    s_time_t delta = now - u->start_time;

    if ( delta <= 0 )
        return;
    u->credit -= t2c(delta, u);
    if ( u->credit < CREDIT_MIN )
        u->credit = CREDIT_MIN;
    if ( has_cap(u) )
        u->budget -= delta;
    u->start_time = now;
}

/* Queue u on its runqueue after the units with at least as much credit. */
static void rq_insert(struct sched_unit *u)
{
    struct sched_unit **pp = &c2.rq[u->cpu].head;

    while ( *pp && (*pp)->credit >= u->credit )
        pp = &(*pp)->rq_next;
    u->rq_next = *pp;
    *pp = u;
    u->queued = true;
}

static void rq_remove(struct sched_unit *u)
{
    struct sched_unit **pp = &c2.rq[u->cpu].head;

    while ( *pp && *pp != u )
        pp = &(*pp)->rq_next;
    if ( *pp )
        *pp = u->rq_next;
    u->rq_next = NULL;
    u->queued = false;
}

/* Runnable units of cpu's runqueue (running or waiting), but skip. */
static unsigned int load(unsigned int cpu, const struct sched_unit *skip)
{
    const struct sched_unit *u;
    unsigned int n = 0;

    for_each_unit(u)
        n += u != skip && u->cpu == cpu && u->runnable && !u->parked;
    return n;
}

/* Give a unit that is neither queued nor scheduled to cpu's runqueue. */
static void move_to(struct sched_unit *u, unsigned int cpu)
{
    if ( u->cpu == cpu )
        return;
    if ( u->ran_on )
        u->migrations++;
    u->cpu = cpu;
}

/* Which pCPU should run the queued u: none (0), or its own, when it is
 * idle or runs a unit with less credit. */
static cpumask_t tickle_for(struct sched_unit *u, s_time_t now)
{
    struct sched_unit *curr = c2.rq[u->cpu].curr;

    if ( !curr )
        return cpumask_of(u->cpu);
    burn(curr, now);
    return u->credit > curr->credit ? cpumask_of(u->cpu) : 0;
}

/* ---- Caps ---- */

/* Refill sd's pool for every period that ended by now. */
static void replenish(struct sched_dom *sd, s_time_t now)
{
    s_time_t periods;

    if ( !sd->cap || now < sd->next_repl )
        return;
    periods = (now - sd->next_repl) / CAP_PERIOD + 1;
    sd->next_repl += periods * CAP_PERIOD;
    sd->budget += periods * sd->tot_budget;
    if ( sd->budget > sd->tot_budget )
        sd->budget = sd->tot_budget;
}

/* Queue sd's parked units again (its pool has budget); returns the pCPUs
 * to tickle. */
static cpumask_t unpark(struct sched_dom *sd, s_time_t now)
{
    struct sched_unit *u;
    cpumask_t tickle = 0;

    for_each_unit(u)
    {
        if ( u->dom != sd || !u->parked )
            continue;
        u->parked = false;
        if ( u->scheduled )
            u->delayed_add = u->runnable;
        else if ( u->runnable )
        {
            rq_insert(u);
            tickle |= tickle_for(u, now);
        }
    }
    return tickle;
}

/* Refill the pools whose period ended and unpark their units. */
static cpumask_t replenish_all(s_time_t now)
{
    struct sched_unit *u;
    cpumask_t tickle = 0;

    for_each_unit(u)
        if ( u->parked )
        {
            replenish(u->dom, now);
            if ( u->dom->budget > 0 )
                tickle |= unpark(u->dom, now);
        }
    return tickle;
}

/*
 * Make sure u has budget to run: returns true if it has some or got a
 * quota from its domain's pool; else parks it (off its runqueue) and
 * returns false. An overrun (budget < 0) is paid back to the pool first.
 */
static bool grab_budget(struct sched_unit *u, s_time_t now)
{
    struct sched_dom *sd = u->dom;
    s_time_t quota;

    if ( u->budget > 0 )
        return true;
    replenish(sd, now);
    sd->budget += u->budget;
    u->budget = 0;
    if ( sd->budget > 0 )
    {
        quota = sd->tot_budget / (s_time_t)(sd->nr_units ? sd->nr_units : 1);
        if ( quota < MIN_TIMER )
            quota = MIN_TIMER;
        u->budget = sd->budget < quota ? sd->budget : quota;
        sd->budget -= u->budget;
        return true;
    }
    if ( u->queued )
        rq_remove(u);
    u->parked = true;
    return false;
}

/* When cpu must look again for its parked units' refill (0: none). */
static s_time_t parked_expiry(unsigned int cpu)
{
    const struct sched_unit *u;
    s_time_t t = 0;

    for_each_unit(u)
        if ( u->parked && u->cpu == cpu && (!t || u->dom->next_repl < t) )
            t = u->dom->next_repl;
    return t;
}

/* ---- Ops ---- */

static void c2_init(cpumask_t online)
{
    memset(&c2, 0, sizeof(c2));
    c2.online = online;
}

static void c2_init_domain(struct sched_dom *sd, s_time_t now)
{
    sd->nr_units = 0;
    sd->tot_budget = CAP_PERIOD * (s_time_t)sd->cap / 100;
    sd->budget = sd->tot_budget;
    sd->next_repl = now + CAP_PERIOD;
}

/* The pCPU of u's affinity with the fewest runnable units; u's own when
 * it has none or on a tie. */
static unsigned int c2_pick_cpu(const struct sched_unit *u)
{
    cpumask_t cand = u->hard_affinity & c2.online;
    unsigned int cpu, best = SCHED_MAX_CPUS, best_load = ~0u;

    if ( !cand )
        cand = c2.online;
    if ( cpumask_test(cand, u->cpu) && !load(u->cpu, u) )
        return u->cpu;
    for_each_cpu(cpu, cand)
    {
        unsigned int l = load(cpu, u);

        if ( l < best_load || (l == best_load && cpu == u->cpu) )
        {
            best = cpu;
            best_load = l;
        }
    }
    return best;
}

static void c2_insert_unit(struct sched_unit *u, s_time_t now)
{
    struct sched_unit **pp = &c2.all;

    u->runnable = u->scheduled = u->queued = u->parked = false;
    u->delayed_add = u->yield = u->has_cpu = false;
    u->credit = CREDIT_INIT;
    u->start_time = u->run_start = now;
    u->budget = 0;
    u->ran_on = 0;
    u->migrations = 0;
    u->rq_next = u->all_next = NULL;
    u->cpu = c2_pick_cpu(u);
    while ( *pp )
        pp = &(*pp)->all_next;
    *pp = u;
    u->inserted = true;
    u->dom->nr_units++;
}

static cpumask_t c2_remove_unit(struct sched_unit *u, s_time_t now)
{
    struct sched_unit **pp;
    cpumask_t tickle = 0;

    if ( c2.rq[u->cpu].curr == u )
    {
        c2.rq[u->cpu].curr = NULL;
        tickle = cpumask_of(u->cpu);
    }
    if ( u->queued )
        rq_remove(u);
    for ( pp = &c2.all; *pp; pp = &(*pp)->all_next )
        if ( *pp == u )
        {
            *pp = u->all_next;
            break;
        }
    u->dom->nr_units--;
    if ( has_cap(u) && u->budget > 0 )
    {
        u->dom->budget += u->budget;
        u->budget = 0;
        if ( u->dom->budget > 0 )
            tickle |= unpark(u->dom, now);
    }
    u->inserted = u->runnable = u->scheduled = u->parked = false;
    u->delayed_add = false;
    return tickle;
}

static cpumask_t c2_wake(struct sched_unit *u, s_time_t now)
{
    u->runnable = true;
    if ( u->scheduled )
    {
        if ( c2.rq[u->cpu].curr != u )
            u->delayed_add = true;
        return 0;
    }
    if ( u->queued || u->parked )
        return 0;
    move_to(u, c2_pick_cpu(u));
    rq_insert(u);
    return tickle_for(u, now);
}

static cpumask_t c2_sleep(struct sched_unit *u, s_time_t now __unused)
{
    u->runnable = false;
    if ( u->scheduled )
    {
        if ( c2.rq[u->cpu].curr == u )
            return cpumask_of(u->cpu);
        u->delayed_add = false;
    }
    else if ( u->queued )
        rq_remove(u);
    return 0;
}

static void c2_yield(struct sched_unit *u)
{
    u->yield = true;
}

/* A queued unit of from's runqueue that may run on to: the last (least
 * credit) when pushing, the first when pulling. */
static struct sched_unit *movable(unsigned int from, unsigned int to, bool last)
{
    struct sched_unit *u, *found = NULL;

    for ( u = c2.rq[from].head; u; u = u->rq_next )
        if ( cpumask_test(u->hard_affinity, to) )
        {
            found = u;
            if ( !last )
                break;
        }
    return found;
}

/*
 * Even out cpu's load with the pCPU whose load differs most from it, when
 * by two or more, by moving one queued unit. Returns pCPUs to tickle.
 */
static cpumask_t balance(unsigned int cpu, s_time_t now)
{
    unsigned int l = load(cpu, NULL), o, other = SCHED_MAX_CPUS;
    int diff = 0;
    struct sched_unit *u;

    for_each_cpu(o, c2.online)
    {
        int d = (int)l - (int)load(o, NULL);

        if ( o != cpu && (d > diff || -d > diff) )
        {
            diff = d < 0 ? -d : d;
            other = o;
        }
    }
    if ( diff < 2 )
        return 0;
    if ( l > load(other, NULL) )
    {
        if ( !(u = movable(cpu, other, true)) )
            return 0;
        rq_remove(u);
        move_to(u, other);
        rq_insert(u);
        return tickle_for(u, now);
    }
    if ( (u = movable(other, cpu, false)) )
    {
        rq_remove(u);
        move_to(u, cpu);
        rq_insert(u);
    }
    return 0;
}

/* End of an epoch on cpu's runqueue: everyone gets CREDIT_INIT more. */
static void reset_credit(unsigned int cpu, const struct sched_unit *snext,
                         s_time_t now)
{
    s_time_t add = CREDIT_INIT;
    struct sched_unit *u;

    if ( snext->credit <= CREDIT_MIN )
        add += CREDIT_INIT;
    for_each_unit(u)
    {
        if ( u->cpu != cpu )
            continue;
        u->credit += add;
        if ( u->credit > CREDIT_INIT + CARRYOVER_MAX )
            u->credit = CREDIT_INIT + CARRYOVER_MAX;
        u->start_time = now;
    }
}

/* How long snext may run on cpu from now (see the theory above). */
static s_time_t runtime(unsigned int cpu, const struct sched_unit *snext,
                        s_time_t now)
{
    const struct sched_unit *wait = c2.rq[cpu].head;
    s_time_t min_time = MIN_TIMER, rl = snext->run_start + RATELIMIT - now;
    s_time_t rt = snext->credit, t;

    if ( rl > min_time )
        min_time = rl;
    if ( wait && wait->credit > 0 )
        rt = snext->credit - wait->credit;
    t = rt > 0 ? c2t(rt, snext) : 0;
    if ( has_cap(snext) && snext->budget < t )
        t = snext->budget;
    if ( t < min_time )
        t = min_time;
    if ( t > MAX_TIMER )
        t = MAX_TIMER;
    return t;
}

static struct sched_decision c2_do_schedule(unsigned int cpu, s_time_t now,
                                            bool curr_runnable)
{
    struct runqueue *rq = &c2.rq[cpu];
    struct sched_unit *curr = rq->curr, *snext, *u, *next_u;
    struct sched_decision d = { .next = NULL };
    bool yield = false, curr_ok;
    s_time_t pe, top;

    d.tickle = replenish_all(now);
    if ( curr )
    {
        burn(curr, now);
        curr->runnable = curr_runnable;
        if ( curr_runnable && has_cap(curr) && curr->budget <= 0 )
            grab_budget(curr, now);
        yield = curr->yield;
        curr->yield = false;
    }
    d.tickle |= balance(cpu, now);

    curr_ok = curr && curr->runnable && !curr->parked;
    snext = curr_ok ? curr : NULL;
    if ( !curr_ok || yield || now - curr->run_start >= RATELIMIT )
        for ( u = rq->head; u; u = next_u )
        {
            next_u = u->rq_next;
            if ( snext && !yield && u->credit <= snext->credit )
                break;                   /* sorted: nobody after is better */
            if ( !cpumask_test(u->hard_affinity, cpu) )
                continue;
            if ( has_cap(u) && !grab_budget(u, now) )
                continue;                /* parked, off the queue */
            snext = u;
            break;
        }

    if ( curr && snext != curr && curr->runnable && !curr->parked )
        curr->delayed_add = true;
    if ( snext && snext != curr )
    {
        rq_remove(snext);
        snext->scheduled = true;
        snext->run_start = now;
    }
    if ( snext )
    {
        top = snext->credit;
        if ( rq->head && rq->head->credit > top )
            top = rq->head->credit;
        if ( top <= 0 )
            reset_credit(cpu, snext, now);
        snext->start_time = now;
        snext->ran_on |= cpumask_of(cpu);
        d.expires = now + runtime(cpu, snext, now);
    }
    rq->curr = snext;
    d.next = snext;
    d.tickle &= ~cpumask_of(cpu);
    pe = parked_expiry(cpu);
    if ( pe && (!d.expires || pe < d.expires) )
        d.expires = pe;
    return d;
}

static cpumask_t c2_context_saved(struct sched_unit *u, s_time_t now)
{
    cpumask_t tickle = 0;

    u->scheduled = false;
    if ( has_cap(u) && u->budget > 0 )
    {
        u->dom->budget += u->budget;
        u->budget = 0;
        if ( u->dom->budget > 0 )
            tickle |= unpark(u->dom, now);
    }
    if ( u->delayed_add )
    {
        u->delayed_add = false;
        if ( u->runnable && !u->parked && !u->queued )
        {
            rq_insert(u);
            tickle |= tickle_for(u, now);
        }
    }
    return tickle;
}

static const char *unit_state(const struct sched_unit *u)
{
    if ( u->scheduled )
        return c2.rq[u->cpu].curr == u ? "running" : "leaving";
    if ( u->parked )
        return "parked";
    if ( u->queued )
        return "queued";
    return u->runnable ? "waking" : "blocked";
}

static void c2_dump(sched_print_fn pr, s_time_t now)
{
    const struct sched_unit *u, *curr;
    char hard[64], ran[64];
    unsigned int cpu;

    pr("Scheduler: credit2, a runqueue per pCPU (ratelimit %ld us, slices "
       "%ld..%ld us, cap period %ld ms)\n", (long)(RATELIMIT / 1000),
       (long)(MIN_TIMER / 1000), (long)(MAX_TIMER / 1000),
       (long)(CAP_PERIOD / 1000000));
    for_each_cpu(cpu, c2.online)
    {
        curr = c2.rq[cpu].curr;
        if ( curr )
            pr("CPU%u: load %u, max weight %ld, running d%uv%u\n", cpu,
               load(cpu, NULL), (long)max_weight(cpu), curr->dom->domid,
               curr->vcpu_id);
        else
            pr("CPU%u: load %u, max weight %ld, idle\n", cpu, load(cpu, NULL),
               (long)max_weight(cpu));
        for_each_unit(u)
        {
            if ( u->cpu != cpu )
                continue;
            pr("  d%uv%u %-7s credit %ld us weight %u cap %u hard {%s} ran {%s} "
               "migrations %lu\n", u->dom->domid, u->vcpu_id, unit_state(u),
               (long)(u->credit / 1000), u->dom->weight, u->dom->cap,
               cpulist_format(hard, sizeof(hard), u->hard_affinity),
               cpulist_format(ran, sizeof(ran), u->ran_on), u->migrations);
            if ( has_cap(u) )
            {
                struct sched_dom sd = *u->dom;  /* with the refills due by now */

                replenish(&sd, now);
                pr("         budget %ld us, pool %ld of %ld us, refill in %ld us\n",
                   (long)(u->budget / 1000), (long)(sd.budget / 1000),
                   (long)(sd.tot_budget / 1000), (long)((sd.next_repl - now) / 1000));
            }
        }
    }
}

const struct scheduler_ops sched_credit2_ops = {
    .name = "credit2",
    .init = c2_init,
    .init_domain = c2_init_domain,
    .insert_unit = c2_insert_unit,
    .remove_unit = c2_remove_unit,
    .wake = c2_wake,
    .sleep = c2_sleep,
    .yield = c2_yield,
    .pick_cpu = c2_pick_cpu,
    .do_schedule = c2_do_schedule,
    .context_saved = c2_context_saved,
    .dump = c2_dump,
};
