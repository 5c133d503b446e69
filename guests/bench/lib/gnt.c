/* SPDX-License-Identifier: MIT */
/* Bench guests: the timed grant-table loops (bench.h). */
#include "bench.h"

void bench_gnt_map_loop(unsigned long ops, void *arg)
{
    struct bench_gnt *g = arg;
    struct gnttab_map_grant_ref m;
    struct gnttab_unmap_grant_ref u;
    long rc;

    while ( ops-- )
    {
        m = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)g->va,
                                           .flags = GNTMAP_host_map,
                                           .ref = g->ref, .dom = g->dom };
        rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
        if ( (rc || m.status != GNTST_okay) && !g->failed )
            g->failed = rc ? rc : 1000 - m.status;
        u = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)g->va,
                                             .handle = m.handle };
        rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
        if ( (rc || u.status != GNTST_okay) && !g->failed )
            g->failed = rc ? rc : 2000 - u.status;
    }
}

void bench_gnt_copy_loop(unsigned long ops, void *arg)
{
    struct bench_gnt *g = arg;
    struct gnttab_copy c;
    long rc;

    while ( ops-- )
    {
        c = (struct gnttab_copy){ .len = 4096, .flags = GNTCOPY_source_gref };
        c.source.u.ref = g->ref;
        c.source.domid = g->dom;
        c.dest.u.gmfn = g->mfn;
        c.dest.domid = DOMID_SELF;
        rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1);
        if ( (rc || c.status != GNTST_okay) && !g->failed )
            g->failed = rc ? rc : 3000 - c.status;
    }
}
