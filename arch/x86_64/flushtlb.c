/* SPDX-License-Identifier: MIT */
/* TLB flushes across CPUs (theory in include/asm/flushtlb.h). */
#include <asm/flushtlb.h>
#include <tern/sched.h>
#include <tern/smp.h>
#include <tern/spinlock.h>

static uint64_t tlb_clock = 1;

uint64_t tlb_clock_tick(void)
{
    return __atomic_add_fetch(&tlb_clock, 1, __ATOMIC_SEQ_CST);
}

void tlb_note_flush(void)
{
    this_cpu()->tlb_flush_time = tlb_clock_tick();
}

void flush_tlb_local(void)
{
    switch_cr3(read_cr3());
}

/* The request is taken before the flush: one made meanwhile stays set
 * and is answered by the next IPI or spin, and the askers wait on the
 * flush clock, not on the flag. */
void tlb_answer_request(void)
{
    struct percpu *p = this_cpu();

    if ( __atomic_exchange_n(&p->tlb_flush_req, false, __ATOMIC_ACQ_REL) )
        flush_tlb_local();
}

void arch_spin_relax(void)
{
    tlb_answer_request();
    cpu_relax();
}

static bool stale(const struct percpu *p, uint64_t stamp)
{
    return __atomic_load_n(&p->tlb_flush_time, __ATOMIC_ACQUIRE) <= stamp;
}

/*
 * Flush the other CPUs in mask whose TLB is older than stamp, and wait
 * until each has (it answers from its VEC_FLUSH handler or from a spin
 * loop), or has loaded CR3 anyway, or (all_cpus) stopped running a guest.
 */
static void flush_others(uint64_t mask, uint64_t stamp, bool all_cpus)
{
    unsigned int self = smp_processor_id(), cpu;

    mask &= ~(1ull << self);
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
    {
        struct percpu *p = &percpu_data[cpu];

        if ( !(mask & (1ull << cpu)) )
            continue;
        if ( !p->online || (all_cpus && !p->curr) || !stale(p, stamp) )
        {
            mask &= ~(1ull << cpu);
            continue;
        }
        __atomic_store_n(&p->tlb_flush_req, true, __ATOMIC_RELEASE);
        smp_send_ipi(cpu, VEC_FLUSH);
    }
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
    {
        const struct percpu *p = &percpu_data[cpu];

        if ( !(mask & (1ull << cpu)) )
            continue;
        while ( p->online && (!all_cpus || p->curr) && stale(p, stamp) )
            arch_spin_relax();
    }
}

void flush_tlb_stale(uint64_t stamp)
{
    if ( !stamp )
        return;
    flush_others(~0ull, stamp, true);
    if ( stale(this_cpu(), stamp) )
        flush_tlb_local();
}

void flush_tlb_mask(uint64_t mask, unsigned long va)
{
    uint64_t stamp = tlb_clock_tick();

    if ( mask & (1ull << smp_processor_id()) )
    {
        if ( va == FLUSH_ALL )
            flush_tlb_local();
        else
            invlpg(va);
    }
    flush_others(mask, stamp, false);
}
