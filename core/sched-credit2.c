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
 * the other. Moving a queued unit is cheap: its context is saved already.
 *
 * Service balance (loads n+1 and n). Credits make shares fair inside a
 * runqueue only, so three busy units on two pCPUs would split 100/50/50
 * for good: no move evens loads 2 and 1. (Xen's runqueues are per
 * socket, where the pCPUs of one runqueue share its units.) So each unit
 * also counts its service, run time * SVC_WEIGHT / weight: in a runqueue
 * of busy units of total weight W, credits give each weight / W of the
 * pCPU, so all gain service at the same rate, SVC_WEIGHT / W per ns, and
 * globally fair shares are those that keep every unit's service even.
 * Moving one unit X from a pCPU of n+1 units to one of n leaves X's rate
 * about as it was, slows down the units it joins and speeds up those it
 * leaves: it hands the better rate over to them. Balance does that when
 * it is due: when the least served unit of the n side is ahead, by more
 * than SVC_MARGIN, of the least served of those that would stay on the
 * n+1 side. X is the unit that leaves the least served behind (on a tie,
 * the best served one goes); if X is running just then, nothing moves
 * until a later balance finds it queued (moving another would keep the
 * least served in the crowd). Both pCPUs check, at each do_schedule.
 *
 *     pCPU0: A   (100%)        A - min(C) > margin     pCPU0: A B (50% each)
 *     pCPU1: B C (50% each)    B moves (if B >= C)     pCPU1: C   (100%)
 *     then C - min(A, B) > margin: the better served of A and B moves ...
 *
 * Three equal spinners on two pCPUs thus take turns alone, each getting
 * 2/3 of a pCPU, with a move every few margins of time (host model: one
 * per ~45 ms) and no two services ever more than about two margins apart
 * (three with more pCPUs). Weights come out too: 256/256/512 settle with
 * the heavy one alone, whose service then grows as fast as the light
 * pair's (no gap widens, nothing moves); a unit that cannot use more than
 * its pCPU (weight 1000 next to two of 100) lags without effect, being
 * never on the n+1 side; a pinned unit is never X, and only lends or gets
 * the better rate as others come and go. The margin is hysteresis: a gap
 * must be wider than the noise of slices and of the credit a moved unit
 * carries into its new runqueue (within an epoch of 10 ms). Service is
 * not earned asleep: a unit that wakes from blocked gets at least the
 * least service of the units of the runqueue it joins (of any pCPU when
 * that one has none), else a long sleep would buy it as long a turn
 * alone. Capped units take no part (neither measured nor moved by this
 * rule): their caps, not their shares, limit them.
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
#define SVC_WEIGHT     256              /* service: run time at this weight */
#define SVC_MARGIN     SCHED_MS(10)     /* service gap worth a move */
#define SVC_REBASE     ((s_time_t)1 << 62) /* services go back from here */

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

/* Only differences of service matter: when one nears overflow (after
 * some 400 days of run time at weight 1), all go back by SVC_REBASE / 2
 * (none below 0: that far behind is as good as any lag). */
static void service_rebase(void)
{
    struct sched_unit *u;

    for_each_unit(u)
        u->service = u->service > SVC_REBASE / 2 ?
                     u->service - SVC_REBASE / 2 : 0;
}

/* Charge the running u for its time since start_time. */
static void burn(struct sched_unit *u, s_time_t now)
{
    s_time_t delta = now - u->start_time;

    if ( delta <= 0 )
        return;
    u->credit -= t2c(delta, u);
    u->service += delta * SVC_WEIGHT / (s_time_t)u->dom->weight;
    if ( u->service >= SVC_REBASE )
        service_rebase();
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

/* Does u take part in the service balance: runnable, not parked, uncapped. */
static bool in_service(const struct sched_unit *u)
{
    return u->runnable && !u->parked && !has_cap(u);
}

/* The least service among the units of cpu's runqueue in the service
 * balance (any pCPU's when cpu is SCHED_MAX_CPUS), but skip; false when
 * there are none. */
static bool min_service(unsigned int cpu, const struct sched_unit *skip,
                        s_time_t *min)
{
    const struct sched_unit *u;
    bool found = false;

    for_each_unit(u)
        if ( u != skip && (cpu == SCHED_MAX_CPUS || u->cpu == cpu) &&
             in_service(u) && (!found || u->service < *min) )
        {
            *min = u->service;
            found = true;
        }
    return found;
}

/* A unit that wakes on its runqueue earns nothing for its sleep: it gets at
 * least the least service there (or anywhere, when none is there). */
static void service_floor(struct sched_unit *u)
{
    s_time_t floor;

    if ( min_service(u->cpu, u, &floor) ||
         min_service(SCHED_MAX_CPUS, u, &floor) )
        if ( u->service < floor )
            u->service = floor;
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
    u->service = 0;
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
    service_floor(u);
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

/* The two least services among the units of a runqueue in the service
 * balance: n of them (n >= 2: min and next are valid), least served. */
struct svc_low {
    unsigned int n;
    const struct sched_unit *least;
    s_time_t min, next;
};

static struct svc_low service_low(unsigned int cpu)
{
    struct svc_low lo = { .n = 0, .least = NULL, .min = 0, .next = 0 };
    const struct sched_unit *u;

    for_each_unit(u)
    {
        if ( u->cpu != cpu || !in_service(u) )
            continue;
        if ( !lo.n || u->service < lo.min )
        {
            lo.next = lo.min;
            lo.min = u->service;
            lo.least = u;
        }
        else if ( lo.n == 1 || u->service < lo.next )
            lo.next = u->service;
        lo.n++;
    }
    return lo;
}

/* Move the queued u to cpu's runqueue; returns the pCPUs to tickle. */
static cpumask_t move_queued(struct sched_unit *u, unsigned int cpu,
                             s_time_t now)
{
    rq_remove(u);
    move_to(u, cpu);
    rq_insert(u);
    return tickle_for(u, now);
}

/*
 * The service balance (see the theory above) between cpu (of load l) and
 * each pCPU whose load is one more or one less. From the busier side the
 * unit X that may run on the other side and leaves behind the least
 * served unit (the best served of those on a tie) moves, when the least
 * served unit of the other side is ahead of that one by more than
 * SVC_MARGIN; if X runs, nothing moves now (a later balance finds it
 * queued). Returns the pCPUs to tickle.
 */
static cpumask_t balance_service(unsigned int cpu, unsigned int l, s_time_t now)
{
    struct sched_unit *u, *best = NULL;
    unsigned int o, from, to, best_to = cpu;
    s_time_t gap = SVC_MARGIN, rest;
    struct svc_low lead, low;

    for_each_cpu(o, c2.online)
    {
        unsigned int lo = load(o, NULL);

        if ( o == cpu || (l != lo + 1 && lo != l + 1) )
            continue;
        from = l > lo ? cpu : o;
        to = l > lo ? o : cpu;
        lead = service_low(to);
        low = service_low(from);
        if ( !lead.n || low.n < 2 )
            continue;
        for_each_unit(u)
        {
            if ( u->cpu != from || !in_service(u) ||
                 !cpumask_test(u->hard_affinity, to) )
                continue;
            rest = u == low.least ? low.next : low.min;
            /* The widest gap; on a tie, the best served unit goes. */
            if ( lead.min - rest > gap || (best && lead.min - rest == gap &&
                                           u->service > best->service) )
            {
                best = u;
                best_to = to;
                gap = lead.min - rest;
            }
        }
    }
    if ( !best || !best->queued )
        return 0;                        /* none, or not now: it runs */
    return move_queued(best, best_to, now);
}

/*
 * Even out cpu's load with the pCPU whose load differs most from it, when
 * by two or more, by moving one queued unit; else balance the service
 * with pCPUs whose loads differ by one. Returns pCPUs to tickle.
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
        return balance_service(cpu, l, now);
    if ( l > load(other, NULL) )
    {
        if ( !(u = movable(cpu, other, true)) )
            return 0;
        return move_queued(u, other, now);
    }
    if ( (u = movable(other, cpu, false)) )
        return move_queued(u, cpu, now);
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
               "migrations %lu service %ld ms\n", u->dom->domid, u->vcpu_id,
               unit_state(u), (long)(u->credit / 1000), u->dom->weight,
               u->dom->cap,
               cpulist_format(hard, sizeof(hard), u->hard_affinity),
               cpulist_format(ran, sizeof(ran), u->ran_on), u->migrations,
               (long)(u->service / 1000000));
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
