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

void tlb_answer_request(void)
{
    struct percpu *p = this_cpu();

    if ( __atomic_load_n(&p->tlb_flush_req, __ATOMIC_ACQUIRE) )
    {
        flush_tlb_local();
        __atomic_store_n(&p->tlb_flush_req, false, __ATOMIC_RELEASE);
    }
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

void flush_tlb_stale(uint64_t stamp)
{
    unsigned int self = smp_processor_id(), cpu;

    if ( !stamp )
        return;
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
    {
        struct percpu *p = &percpu_data[cpu];

        if ( cpu == self || !p->online || !p->curr || !stale(p, stamp) )
            continue;
        __atomic_store_n(&p->tlb_flush_req, true, __ATOMIC_RELEASE);
        smp_send_ipi(cpu, VEC_FLUSH);
    }
    if ( stale(this_cpu(), stamp) )
        flush_tlb_local();
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
    {
        struct percpu *p = &percpu_data[cpu];

        if ( cpu == self )
            continue;
        while ( __atomic_load_n(&p->tlb_flush_req, __ATOMIC_ACQUIRE) &&
                p->curr && stale(p, stamp) )
            arch_spin_relax();
    }
}
