/* SPDX-License-Identifier: MIT */
/* Ticket spinlocks. */
#ifndef TERN_SPINLOCK_H
#define TERN_SPINLOCK_H

#include <stdint.h>
#include <asm/processor.h>

/* FIFO ticket lock: next is the ticket handed out, owner the one served. */
typedef struct {
    volatile uint16_t owner;
    volatile uint16_t next;
} spinlock_t;

/* What a CPU does while it spins: answers TLB flush requests (flushtlb.c)
 * so that a CPU waiting for them never waits on a spinner. */
void arch_spin_relax(void);

#define SPIN_LOCK_UNLOCKED { 0, 0 }
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

static inline void spin_lock(spinlock_t *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
    while ( __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me )
        arch_spin_relax();
}

static inline int spin_trylock(spinlock_t *l)
{
    uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
    uint16_t expect = owner;
    /* Only take a ticket when it would be served at once. */
    return __atomic_compare_exchange_n(&l->next, &expect, (uint16_t)(owner + 1),
                                       0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline int spin_is_locked(const spinlock_t *l)
{
    return l->owner != l->next;
}

static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
    unsigned long f = local_irq_save();
    spin_lock(l);
    return f;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long f)
{
    spin_unlock(l);
    local_irq_restore(f);
}

/*
 * A lock taken with interrupts off whose saved interrupt flag lives in the
 * lock itself, for the global locks whose lock/unlock calls pass no flags
 * (pt_lock, gnttab_lock): only the holder writes or reads it.
 */
typedef struct {
    spinlock_t lock;
    unsigned long flags;
} irq_lock_t;

#define DEFINE_IRQ_LOCK(l) irq_lock_t l = { SPIN_LOCK_UNLOCKED, 0 }

static inline void irq_lock(irq_lock_t *l)
{
    unsigned long f = spin_lock_irqsave(&l->lock);

    l->flags = f;
}

static inline void irq_unlock(irq_lock_t *l)
{
    spin_unlock_irqrestore(&l->lock, l->flags);
}

#endif /* TERN_SPINLOCK_H */
