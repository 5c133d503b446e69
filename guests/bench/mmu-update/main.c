/* SPDX-License-Identifier: MIT */
/*
 * Bench guest mmu-update: one mmu_update of a batch of 512 PTEs.
 *
 * A pinned L1 of the guest's own (not hooked into the live tables) has
 * every one of its 512 entries rewritten in one hypercall, alternately to
 * two sets of 512 distinct data frames, writable: the batch a PV kernel
 * sends to fill a page table. Each entry is validated, takes a writable
 * type reference on its new frame and drops the old one's. Timed per batch
 * of 512.
 */
#include "bench.h"
#include <kit/pt.h>

#define N 512

static mmu_update_t req[2][N];

static void batch(unsigned long ops, void *arg)
{
    unsigned long i;
    unsigned int done;
    long rc;

    for ( i = 0; i < ops; i++ )
    {
        rc = HYPERVISOR_mmu_update(req[i & 1], N, &done, DOMID_SELF);
        if ( rc || done != N )
            kit_test_abort("mmu_update batch: %ld, %u done", rc, done);
    }
}

void bench_main(const start_info_t *si)
{
    const uint64_t rw = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;
    unsigned long l1pfn = kit_pt_new_table(), l1, mfn;
    unsigned int s, i;
    long rc;

    if ( !l1pfn )
    {
        bench_na("mmu.update512", "no spare page for the L1");
        return;
    }
    l1 = kit_pfn_to_mfn(l1pfn);
    for ( s = 0; s < 2; s++ )
        for ( i = 0; i < N; i++ )
        {
            mfn = bench_data_mfn();
            if ( !mfn )
            {
                bench_na("mmu.update512", "only %u spare frames", s * N + i);
                return;
            }
            req[s][i].ptr = kit_pt_maddr(l1, i) | MMU_NORMAL_PT_UPDATE;
            req[s][i].val = kit_pte(mfn, rw);
        }
    rc = kit_pin(1, l1);
    if ( rc )
    {
        bench_na("mmu.update512", "pin of the L1: %ld", rc);
        return;
    }
    bench_run("mmu.update512", 20, batch, NULL);
    /* Clear it and let it go. */
    for ( i = 0; i < N; i++ )
        req[0][i].val = 0;
    HYPERVISOR_mmu_update(req[0], N, NULL, DOMID_SELF);
    kit_unpin(l1);
}
