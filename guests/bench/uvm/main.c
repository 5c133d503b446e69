/* SPDX-License-Identifier: MIT */
/*
 * Bench guest uvm: update_va_mapping with UVMF_INVLPG | UVMF_LOCAL.
 *
 * One page of the image is remapped, writable, to one of two data frames
 * and back, the way a PV kernel changes a single kernel mapping; each call
 * validates the new entry, drops the old one's references and flushes the
 * page's TLB entry. Timed per call.
 */
#include "bench.h"

static volatile uint64_t alias[512] __attribute__((aligned(4096)));
static uint64_t pte[2];

static void remap(unsigned long ops, void *arg)
{
    unsigned long i;

    for ( i = 0; i < ops; i++ )
        HYPERVISOR_update_va_mapping((unsigned long)alias, pte[i & 1],
                                     UVMF_INVLPG | UVMF_LOCAL);
}

void bench_main(const start_info_t *si)
{
    const uint64_t rw = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;
    unsigned long a = bench_data_mfn(), b = bench_data_mfn();
    long rc;

    if ( !a || !b )
    {
        bench_na("uvm.invlpg", "no spare frames");
        return;
    }
    pte[0] = ((uint64_t)a << KIT_PAGE_SHIFT) | rw;
    pte[1] = ((uint64_t)b << KIT_PAGE_SHIFT) | rw;
    rc = HYPERVISOR_update_va_mapping((unsigned long)alias, pte[0],
                                      UVMF_INVLPG | UVMF_LOCAL);
    if ( rc )
    {
        bench_na("uvm.invlpg", "update_va_mapping: %ld", rc);
        return;
    }
    alias[0] = 0x5a5a;
    bench_run("uvm.invlpg", 1000, remap, NULL);
    /* Give the page its own frame back. */
    HYPERVISOR_update_va_mapping((unsigned long)alias,
                                 ((uint64_t)kit_virt_to_mfn((const void *)alias)
                                  << KIT_PAGE_SHIFT) | rw,
                                 UVMF_INVLPG | UVMF_LOCAL);
}
