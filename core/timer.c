/* SPDX-License-Identifier: MIT */
/* Per-CPU timer queues on top of the one-shot LAPIC timer. */
/*
 * Each CPU has a list of armed timers sorted by expiry, under its queue's
 * lock, and its LAPIC timer programmed for the head. A timer belongs to
 * the CPU that armed it last. Callbacks run in interrupt context with the
 * lock dropped, so a callback may re-arm its own timer.
 *
 * Any CPU may set or stop any timer (a vCPU's timers are set from its
 * domain's other vCPUs too). t->cpu, the queue t is on, changes only with
 * that queue's lock held, and set_timer holds the old queue's lock and its
 * own (the lower CPU's first) while it moves t: so a stop or set that
 * locked t->cpu's queue re-reads t->cpu under the lock, and two setters on
 * two CPUs take turns instead of linking t into both queues.
 */
#include <tern/console.h>
#include <tern/smp.h>
#include <tern/timer.h>

void timer_init(struct timer *t, void (*fn)(void *), void *data, const char *name)
{
    *t = (struct timer){ .fn = fn, .data = data, .name = name };
}

/* Unlink t from q; the caller holds q->lock. Returns true if t was the head. */
static bool dequeue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp;

    for ( pp = &q->head; *pp; pp = &(*pp)->next )
        if ( *pp == t )
        {
            bool was_head = pp == &q->head;

            *pp = t->next;
            t->next = NULL;
            t->active = false;
            return was_head;
        }
    return false;
}

/* Lock the queue t is on; interrupts are off. */
static struct timer_queue *lock_timer(struct timer *t)
{
    for ( ;; )
    {
        unsigned int cpu = ACCESS_ONCE(t->cpu);
        struct timer_queue *q = &percpu_data[cpu].timers;

        spin_lock(&q->lock);
        if ( ACCESS_ONCE(t->cpu) == cpu )
            return q;
        spin_unlock(&q->lock);
    }
}

void stop_timer(struct timer *t)
{
    unsigned long f = local_irq_save();
    struct timer_queue *q = lock_timer(t);

    if ( t->active )
        dequeue(q, t);
    spin_unlock(&q->lock);
    local_irq_restore(f);
}

void kill_timer(struct timer *t)
{
    do
    {
        stop_timer(t);
        while ( ACCESS_ONCE(percpu_data[t->cpu].timers.running) == t &&
                t->cpu != smp_processor_id() )
            arch_spin_relax();
    } while ( ACCESS_ONCE(t->active) );
}

void set_timer(struct timer *t, s_time_t expires)
{
    unsigned long f = local_irq_save();
    unsigned int me = smp_processor_id(), old;
    struct timer_queue *q = &percpu_data[me].timers, *oq;
    struct timer **pp;

    for ( ;; )
    {
        old = ACCESS_ONCE(t->cpu);
        oq = &percpu_data[old].timers;
        spin_lock(old < me ? &oq->lock : &q->lock);
        if ( old != me )
            spin_lock(old < me ? &q->lock : &oq->lock);
        if ( ACCESS_ONCE(t->cpu) == old )
            break;
        if ( old != me )
            spin_unlock(&oq->lock);
        spin_unlock(&q->lock);
    }
    /* Dequeued from another CPU's head, t leaves that CPU's LAPIC timer
     * early: it fires, finds nothing due and programs the next one. */
    if ( t->active )
        dequeue(oq, t);
    t->expires = expires;
    t->cpu = me;
    for ( pp = &q->head; *pp && (*pp)->expires <= expires; pp = &(*pp)->next )
        ;
    t->next = *pp;
    *pp = t;
    t->active = true;
    if ( q->head == t )
        apic_timer_program(expires);
    if ( old != me )
        spin_unlock(&oq->lock);
    spin_unlock(&q->lock);
    local_irq_restore(f);
}

void timer_softirq(void)
{
    struct timer_queue *q = &this_cpu()->timers;
    struct timer *t;
    unsigned long f = spin_lock_irqsave(&q->lock);

    while ( (t = q->head) && t->expires <= now() )
    {
        dequeue(q, t);
        q->fired++;
        q->running = t;
        spin_unlock(&q->lock);
        t->fn(t->data);
        spin_lock(&q->lock);
        q->running = NULL;
    }
    apic_timer_program(q->head ? q->head->expires : 0);
    spin_unlock_irqrestore(&q->lock, f);
}

void timer_dump(void)
{
    unsigned int cpu;
    s_time_t t = now();

    printk("Timers at %ld.%06ld s:\n", (long)(t / 1000000000),
           (long)(t % 1000000000 / 1000));
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
    {
        struct timer_queue *q = &percpu_data[cpu].timers;
        unsigned long f;
        struct timer *tm;

        if ( !percpu_data[cpu].online )
            continue;
        f = spin_lock_irqsave(&q->lock);
        printk("  CPU%u: %lu fired\n", cpu, (unsigned long)q->fired);
        for ( tm = q->head; tm; tm = tm->next )
            printk("    %-16s in %ld us\n", tm->name ? tm->name : "?",
                   (long)((tm->expires - t) / 1000));
        spin_unlock_irqrestore(&q->lock, f);
    }
}

#define SELFTEST_TICKS    5
#define SELFTEST_PERIOD   MILLISECS(10)

static volatile unsigned int selftest_ticks;
static struct timer selftest_timer;

static void selftest_tick(void *unused)
{
    if ( ++selftest_ticks < SELFTEST_TICKS )
        set_timer(&selftest_timer, selftest_timer.expires + SELFTEST_PERIOD);
}

/* Five 10 ms ticks: proves the LAPIC timer interrupt, the queue and the
 * clock agree. Runs with interrupts enabled on the boot CPU. */
void timer_selftest(void)
{
    s_time_t start = now(), took;

    timer_init(&selftest_timer, selftest_tick, NULL, "selftest");
    set_timer(&selftest_timer, start + SELFTEST_PERIOD);
    while ( selftest_ticks < SELFTEST_TICKS && now() - start < SECONDS(2) )
        safe_halt();
    took = now() - start;
    if ( selftest_ticks < SELFTEST_TICKS )
        panic("The timer did not tick: %u of %u ticks in 2 s", selftest_ticks,
              SELFTEST_TICKS);
    printk("Timer: ticking, %u ticks of %ld ms in %ld us\n", selftest_ticks,
           (long)(SELFTEST_PERIOD / 1000000), (long)(took / 1000));
}
