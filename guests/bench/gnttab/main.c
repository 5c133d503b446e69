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
static struct bench_gnt loops;  /* the timed loops' state (bench.h) */

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
    loops = (struct bench_gnt){ .dom = me, .ref = REF, .va = map_va, .mfn = buf_mfn };
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
        loops.failed = 0;
        bench_gnt_map_loop(1, &loops);
        if ( loops.failed )
            bench_na("gnttab.map-unmap", "map/unmap failed: %ld", loops.failed);
        else
        {
            bench_run("gnttab.map-unmap", 1000, bench_gnt_map_loop, &loops);
            if ( loops.failed )
                kit_printf("bench: a map or unmap failed in the rounds: %ld\n", loops.failed);
        }
        kit_map_mfn(map_va, kit_virt_to_mfn(map_va),
                    KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);
    }

    loops.failed = 0;
    bench_gnt_copy_loop(1, &loops);
    if ( loops.failed || memcmp(buf, data, sizeof(buf)) )
        bench_na("gnttab.copy", "copy failed: %ld", loops.failed);
    else
    {
        bench_run("gnttab.copy", 1000, bench_gnt_copy_loop, &loops);
        if ( loops.failed )
            kit_printf("bench: a copy failed in the rounds: %ld\n", loops.failed);
    }
    gt[REF].flags = 0;
}
