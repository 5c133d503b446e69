/* SPDX-License-Identifier: MIT */
/* TLB flushes across CPUs and the clock that tells which are needed. */
#ifndef ASM_FLUSHTLB_H
#define ASM_FLUSHTLB_H

#include <stdint.h>
#include <asm/processor.h>

/*
 * Every CR3 load flushes the TLB (Tern keeps CR4.PGE off, so no entry is
 * global) and is stamped with a tick of one global clock, per CPU. A page
 * that may still sit in some TLB records a tick too (pt_tlb_stamp); before
 * it is reused in a way a stale translation would break, flush_tlb_stale()
 * flushes the CPUs that run a guest and have not loaded CR3 since. A CPU
 * not running a guest loads CR3 before it runs one again.
 *
 * A remote flush is asked for with a flag and VEC_FLUSH; the asker waits.
 * A CPU spinning in Tern with interrupts off (on a lock) answers the flag
 * from its spin loop (arch_spin_relax), so waiting cannot deadlock.
 */
uint64_t tlb_clock_tick(void);
/* This CPU has just loaded CR3. */
void tlb_note_flush(void);
static inline void switch_cr3(uint64_t cr3)
{
    write_cr3(cr3);
    tlb_note_flush();
}
void flush_tlb_local(void);
/* Flush every CPU (this one too) whose TLB may be older than stamp. */
void flush_tlb_stale(uint64_t stamp);
/*
 * Flush the TLBs of the CPUs in mask (bit n: CPU n, this one included),
 * all of each, or of va only on this CPU (the others flush all), and
 * return once every one of them has: the cross-pCPU shootdown of
 * MMUEXT_*_MULTI/_ALL and UVMF_MULTI/UVMF_ALL.
 */
#define FLUSH_ALL (~0ul)
void flush_tlb_mask(uint64_t mask, unsigned long va);
/* Answer a flush asked of this CPU (VEC_FLUSH, spin loops). */
void tlb_answer_request(void);

#endif /* ASM_FLUSHTLB_H */
