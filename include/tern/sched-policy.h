/* SPDX-License-Identifier: MIT */
/* Scheduling policies behind one ops table (core/sched-credit2.c, core/sched-null.c). */
#ifndef TERN_SCHED_POLICY_H
#define TERN_SCHED_POLICY_H

/*
 * A policy decides which vCPU each pCPU runs and for how long; the glue
 * (core/schedule.c) does the rest: the lock, timers, IPIs, context
 * switches and runstates. A policy touches no hardware and takes no lock,
 * so the same source builds into the host unit tests
 * (tests/unit/test-sched-*.c). Every op is called with the scheduler lock
 * held and is given the time; ops that may give work to other pCPUs
 * return the set of pCPUs to "tickle" (make reschedule at once).
 *
 * A vCPU is a struct sched_unit embedded in struct vcpu, of a domain whose
 * struct sched_dom is embedded in struct domain. Unit states:
 *
 *   runnable   it wants a pCPU (the glue says so: wake, sleep, and the
 *              current unit's state at each do_schedule)
 *   scheduled  a pCPU picked it and has not yet saved its context: no
 *              other pCPU may run it; context_saved() ends this
 *   queued     waiting on a runqueue (credit2) or the wait queue (null)
 *   parked     credit2 caps: its domain is out of budget until the next
 *              replenishment (still "runnable" in the runstate)
 *   offline    the vCPU is down (Xen's !is_unit_online): the glue sets it
 *              before insert_unit, wake and sleep; null gives an offline
 *              unit no pCPU, credit2 ignores it (a down unit is simply
 *              not runnable there)
 *
 * A unit is never queued and scheduled at once. A unit that is scheduled
 * when it wakes, or that is preempted while runnable, is queued again by
 * context_saved() (delayed_add).
 */

#include <stdbool.h>
#include <stdint.h>

typedef int64_t s_time_t;            /* ns of system time, as <tern/timer.h> */
typedef uint64_t cpumask_t;          /* bit n: pCPU n */

#define SCHED_MAX_CPUS  64
#define SCHED_US(us)    ((s_time_t)(us) * 1000)
#define SCHED_MS(ms)    ((s_time_t)(ms) * 1000000)

/* A domain, as the policy sees it (set by the glue, then the policy's). */
struct sched_dom {
    unsigned int domid;
    unsigned int weight;             /* credit2: relative share, 1..65535 */
    unsigned int cap;                /* credit2: % of one pCPU; 0: none */
    unsigned int nr_units;
    s_time_t tot_budget;             /* cap: ns per period */
    s_time_t budget;                 /* cap: ns left in the pool this period (< 0: overrun) */
    s_time_t next_repl;              /* cap: end of the current period */
};

/* A vCPU, as the policy sees it. */
struct sched_unit {
    struct sched_dom *dom;
    unsigned int vcpu_id;
    cpumask_t hard_affinity;         /* pCPUs it may run on (set before insert) */
    unsigned int cpu;                /* credit2: its runqueue's pCPU; null: its pCPU */
    bool inserted;
    bool offline;                    /* down: set by the glue, read by the policy */
    bool runnable, scheduled, queued, parked;
    bool delayed_add;                /* queue it at context_saved() */
    bool yield;                      /* credit2: let another run first, once */
    bool has_cpu;                    /* null: a pCPU is assigned (else waiting) */
    s_time_t credit;                 /* credit2: ns, burnt at max_weight / weight */
    s_time_t start_time;             /* credit2: credit burnt up to here */
    s_time_t service;                /* credit2: run time (ns) * 256 / weight */
    s_time_t run_start;              /* when it last started running (ratelimit) */
    s_time_t budget;                 /* cap: grabbed from the domain's pool */
    struct sched_unit *rq_next;      /* runqueue / wait queue link */
    struct sched_unit *all_next;     /* every inserted unit */
    /* For the debug key: */
    cpumask_t ran_on;                /* pCPUs it has ever run on */
    unsigned long migrations;        /* moves to another pCPU after its first run */
};

/* What a pCPU runs next: the unit (NULL: idle) and when to ask again
 * (0: not before an event tickles it). */
struct sched_decision {
    struct sched_unit *next;
    s_time_t expires;
    cpumask_t tickle;                /* other pCPUs with new work */
};

typedef void (*sched_print_fn)(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

struct scheduler_ops {
    const char *name;                /* as on Tern's command line: sched=NAME */
    /* Start over with these pCPUs (non-empty); forgets every unit. */
    void (*init)(cpumask_t online);
    /* A new domain with weight and cap set: its cap period starts now. */
    void (*init_domain)(struct sched_dom *sd, s_time_t now);
    /* A new unit (not runnable), with hard_affinity & online non-empty:
     * gives it a pCPU (null: if one is free, else it waits; none while
     * it is offline). */
    void (*insert_unit)(struct sched_unit *u, s_time_t now);
    /* The unit goes for good. If it is scheduled, its pCPU stops running it
     * at once (its context must not be used any more). */
    cpumask_t (*remove_unit)(struct sched_unit *u, s_time_t now);
    /* The unit became runnable / not runnable; offline says whether it
     * is (still) down (null: sleep of an offline unit gives its pCPU to
     * a waiting unit; wake of a unit without one takes one or waits). */
    cpumask_t (*wake)(struct sched_unit *u, s_time_t now);
    cpumask_t (*sleep)(struct sched_unit *u, s_time_t now);
    /* The running unit yields (SCHEDOP_yield): at its next do_schedule. */
    void (*yield)(struct sched_unit *u);
    /* The pCPU to place a unit that wakes on (affinity respected). */
    unsigned int (*pick_cpu)(const struct sched_unit *u);
    /* Choose what cpu runs from now; curr_runnable says whether its current
     * unit (if any) still wants to run. */
    struct sched_decision (*do_schedule)(unsigned int cpu, s_time_t now,
                                         bool curr_runnable);
    /* u (descheduled by do_schedule) is off its pCPU, its state saved. */
    cpumask_t (*context_saved)(struct sched_unit *u, s_time_t now);
    /* The 'r' debug key: each pCPU and its units. */
    void (*dump)(sched_print_fn pr, s_time_t now);
};

extern const struct scheduler_ops sched_credit2_ops;
extern const struct scheduler_ops sched_null_ops;

/* Bit helpers. */
static inline cpumask_t cpumask_of(unsigned int cpu)
{
    return (cpumask_t)1 << cpu;
}

static inline bool cpumask_test(cpumask_t m, unsigned int cpu)
{
    return cpu < SCHED_MAX_CPUS && (m >> cpu) & 1;
}

/* The lowest CPU in m, or SCHED_MAX_CPUS when m is empty. */
static inline unsigned int cpumask_first(cpumask_t m)
{
    return m ? (unsigned int)__builtin_ctzll(m) : SCHED_MAX_CPUS;
}

#endif /* TERN_SCHED_POLICY_H */
