/* SPDX-License-Identifier: MIT */
/* Per-CPU timer queues (core/timer.c) and system time (arch/x86_64/time.c). */
#ifndef TERN_TIMER_H
#define TERN_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <tern/spinlock.h>

typedef int64_t s_time_t;            /* nanoseconds since boot */

#define MILLISECS(ms) ((s_time_t)(ms) * 1000000)
#define SECONDS(s)    ((s_time_t)(s) * 1000000000)

/*
 * A timer fires once at its expiry on the CPU it was set on, from the
 * LAPIC timer interrupt, with interrupts disabled. A queue is a list sorted
 * by expiry under its CPU's lock.
 */
struct timer {
    s_time_t expires;
    void (*fn)(void *data);
    void *data;
    unsigned int cpu;
    bool active;
    struct timer *next;
    const char *name;                /* for the debug key */
};

struct timer_queue {
    spinlock_t lock;
    struct timer *head;
    struct timer *volatile running;  /* whose callback runs now (kill_timer) */
    uint64_t fired;
};

void timer_init(struct timer *t, void (*fn)(void *), void *data,
                const char *name);
/* (Re)arm t to fire at expires (system time) on the current CPU. */
void set_timer(struct timer *t, s_time_t expires);
void stop_timer(struct timer *t);
/* Stop t for good before its memory goes: also waits for its callback
 * if that runs on another CPU now (and stops it again if the callback
 * re-armed it). Call with no lock the callback takes. */
void kill_timer(struct timer *t);
/* Run expired timers of this CPU and reprogram its LAPIC timer. */
void timer_softirq(void);
void timer_dump(void);
/* Boot check: a few ticks of the timer queue, timed against the TSC. */
void timer_selftest(void);

/* System time. */
s_time_t now(void);
uint64_t tsc_khz(void);
void time_init(void);               /* calibrate the TSC, boot CPU */
void apic_timer_init_cpu(void);     /* each CPU */
/* Program this CPU's one-shot LAPIC timer for system time t (0: off). */
void apic_timer_program(s_time_t t);

#endif /* TERN_TIMER_H */
