/* SPDX-License-Identifier: MIT */
/*
 * Bench guest multicall: one multicall of 32 null calls (xen_version), the
 * batch a PV kernel sends on a context switch, timed per multicall.
 */
#include "bench.h"
#include <kit/pt.h>

#define CALLS 32

static multicall_entry_t mc[CALLS];

static void batch(unsigned long ops, void *arg)
{
    while ( ops-- )
        kit_multicall(mc, CALLS);
}

void bench_main(const start_info_t *si)
{
    unsigned int i;
    long rc;

    for ( i = 0; i < CALLS; i++ )
    {
        mc[i].op = __HYPERVISOR_xen_version;
        mc[i].args[0] = XENVER_version;
        mc[i].result = ~0UL;
    }
    rc = kit_multicall(mc, CALLS);
    if ( rc || (long)mc[CALLS - 1].result < 0 )
    {
        bench_na("multicall.32", "multicall: %ld, last entry %ld", rc,
                 (long)mc[CALLS - 1].result);
        return;
    }
    bench_run("multicall.32", 500, batch, NULL);
}
