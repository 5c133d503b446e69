/* SPDX-License-Identifier: MIT */
/*
 * Bench guest gnttab: a grant of one of the domain's own pages, used by
 * the domain itself (Tern and Xen 4.17 both let a domain map its own grant
 * when it names itself by its numeric domid, as guests/tests/gnttab-self
 * does).
 *
 * gnttab.map-unmap: one GNTTABOP_map_grant_ref (GNTMAP_host_map, writable,
 * at a spare page of the image whose PTE was cleared) and one
 * GNTTABOP_unmap_grant_ref of it: two hypercalls per operation.
 * gnttab.copy: one GNTTABOP_copy of 4096 bytes from the grant (source
 * GNTCOPY_source_gref, our domid) to a local frame (gmfn, DOMID_SELF).
 */
#include "bench.h"
#include <kit/pt.h>

#define REF 8

static uint8_t table_area[4096] __attribute__((aligned(4096)));
static uint8_t data[4096] __attribute__((aligned(4096)));
static uint8_t buf[4096] __attribute__((aligned(4096)));
static uint8_t map_va[4096] __attribute__((aligned(4096)));

static domid_t me;
static unsigned long buf_mfn;
static long failed;             /* the first bad status or rc, 0 if none */

/* Our own domain id: the remote end of an unbound port for DOMID_SELF. */
static long my_domid(domid_t *id)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_status st = { .dom = DOMID_SELF };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    if ( rc )
        return rc;
    st.port = a.port;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
    kit_evtchn_close(a.port);
    if ( rc )
        return rc;
    *id = st.u.unbound.dom;
    return 0;
}

static void map_loop(unsigned long ops, void *arg)
{
    struct gnttab_map_grant_ref m;
    struct gnttab_unmap_grant_ref u;
    long rc;

    (void)arg;
    while ( ops-- )
    {
        m = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)map_va,
                                           .flags = GNTMAP_host_map,
                                           .ref = REF, .dom = me };
        rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
        if ( (rc || m.status != GNTST_okay) && !failed )
            failed = rc ? rc : 1000 - m.status;
        u = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)map_va,
                                             .handle = m.handle };
        rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
        if ( (rc || u.status != GNTST_okay) && !failed )
            failed = rc ? rc : 2000 - u.status;
    }
}

static void copy_loop(unsigned long ops, void *arg)
{
    struct gnttab_copy c;
    long rc;

    (void)arg;
    while ( ops-- )
    {
        c = (struct gnttab_copy){ .len = 4096, .flags = GNTCOPY_source_gref };
        c.source.u.ref = REF;
        c.source.domid = me;
        c.dest.u.gmfn = buf_mfn;
        c.dest.domid = DOMID_SELF;
        rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1);
        if ( (rc || c.status != GNTST_okay) && !failed )
            failed = rc ? rc : 3000 - c.status;
    }
}

static void na_both(const char *why, long rc)
{
    bench_na("gnttab.map-unmap", "%s: %ld", why, rc);
    bench_na("gnttab.copy", "%s: %ld", why, rc);
}

void bench_main(const start_info_t *si)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    grant_entry_v1_t *gt = (grant_entry_v1_t *)table_area;
    xen_pfn_t frame = 0;
    long rc;

    (void)si;
    rc = my_domid(&me);
    if ( rc )
    {
        na_both("own domid", rc);
        return;
    }
    st.frame_list.p = &frame;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if ( rc || st.status != GNTST_okay )
    {
        na_both("setup_table", rc ? rc : st.status);
        return;
    }
    rc = kit_map_mfn(table_area, frame, KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);
    if ( rc )
    {
        na_both("mapping the grant frame", rc);
        return;
    }
    memset(data, 0x5a, sizeof(data));
    buf_mfn = kit_virt_to_mfn(buf);
    gt[REF].domid = me;
    gt[REF].frame = (uint32_t)kit_virt_to_mfn(data);
    kit_wmb();
    gt[REF].flags = GTF_permit_access;

    /* The map goes where the image's own page was. */
    rc = HYPERVISOR_update_va_mapping((unsigned long)map_va, 0, UVMF_INVLPG | UVMF_LOCAL);
    if ( rc )
        bench_na("gnttab.map-unmap", "clearing the map address: %ld", rc);
    else
    {
        failed = 0;
        map_loop(1, NULL);
        if ( failed )
            bench_na("gnttab.map-unmap", "map/unmap failed: %ld", failed);
        else
        {
            bench_run("gnttab.map-unmap", 1000, map_loop, NULL);
            if ( failed )
                kit_printf("bench: a map or unmap failed in the rounds: %ld\n", failed);
        }
        kit_map_mfn(map_va, kit_virt_to_mfn(map_va),
                    KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);
    }

    failed = 0;
    copy_loop(1, NULL);
    if ( failed || memcmp(buf, data, sizeof(buf)) )
        bench_na("gnttab.copy", "copy failed: %ld", failed);
    else
    {
        bench_run("gnttab.copy", 1000, copy_loop, NULL);
        if ( failed )
            kit_printf("bench: a copy failed in the rounds: %ld\n", failed);
    }
    gt[REF].flags = 0;
}
