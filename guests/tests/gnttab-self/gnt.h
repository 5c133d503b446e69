/* SPDX-License-Identifier: MIT */
/* Grant-table helpers shared by the gnttab-* test guests. */
#ifndef GNT_H
#define GNT_H

#include <kit/kit.h>
#include <kit/pt.h>

/* One grant_table_op; returns Xen's RAX. */
static inline long gnt_op(unsigned int cmd, void *arg, unsigned int count)
{
    return HYPERVISOR_grant_table_op(cmd, arg, count);
}

/* GNTTABOP_setup_table for ourselves: Xen's RAX; *status the op's. */
static inline long gnt_setup(domid_t dom, unsigned int nr, xen_pfn_t *frames,
                             int16_t *status)
{
    struct gnttab_setup_table op = { .dom = dom, .nr_frames = nr };
    long rc;

    op.frame_list.p = frames;
    op.status = 0x7777;
    rc = gnt_op(GNTTABOP_setup_table, &op, 1);
    *status = op.status;
    return rc;
}

/* Map nr shared grant frames at area (page-aligned pages of the image),
 * writable; false (after reporting) when one cannot be mapped. */
static inline bool gnt_map_table(unsigned int nr, const xen_pfn_t *frames,
                                 uint8_t (*area)[4096])
{
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        long rc = kit_map_mfn(area[i], frames[i],
                              KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);

        if ( rc )
        {
            kit_test_error("mapping grant frame %u (mfn %#lx): %ld", i,
                           (unsigned long)frames[i], rc);
            return false;
        }
    }
    return true;
}

/* Our own domain id: the remote end of an unbound port for DOMID_SELF. */
static inline domid_t gnt_my_domid(void)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_status st = { .dom = DOMID_SELF };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    if ( rc )
        kit_test_abort("alloc_unbound: %ld", rc);
    st.port = a.port;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
    if ( rc || st.status != EVTCHNSTAT_unbound )
        kit_test_abort("status of port %u: %ld (%u)", a.port, rc, st.status);
    kit_evtchn_close(a.port);
    return st.u.unbound.dom;
}

/* Fill a v1 entry as a granting guest does: flags last. */
static inline void gnt_grant(grant_entry_v1_t *e, domid_t to, unsigned long frame,
                             uint16_t flags)
{
    e->domid = to;
    e->frame = (uint32_t)frame;
    kit_wmb();
    e->flags = flags;
}

/* End access as Linux does: only while Xen holds neither bit. */
static inline bool gnt_end_access(grant_entry_v1_t *e)
{
    uint16_t f = e->flags;

    if ( f & (GTF_reading | GTF_writing) )
        return false;
    return __sync_bool_compare_and_swap(&e->flags, f, 0);
}

/* One map op; returns its status, handle and bus address in *h / *bus. */
static inline int16_t gnt_map(domid_t dom, grant_ref_t ref, uint32_t flags,
                              uint64_t host, grant_handle_t *h, uint64_t *bus)
{
    struct gnttab_map_grant_ref op = { .host_addr = host, .flags = flags,
                                       .ref = ref, .dom = dom,
                                       .status = 0x7777, .handle = 0xdeadbeef };
    long rc = gnt_op(GNTTABOP_map_grant_ref, &op, 1);

    if ( rc )
        kit_test_failure("map_grant_ref d%u ref %u: rc %ld", dom, ref, rc);
    if ( h )
        *h = op.handle;
    if ( bus )
        *bus = op.dev_bus_addr;
    return op.status;
}

static inline int16_t gnt_unmap(grant_handle_t h, uint64_t host, uint64_t bus)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = host, .dev_bus_addr = bus,
                                         .handle = h, .status = 0x7777 };
    long rc = gnt_op(GNTTABOP_unmap_grant_ref, &op, 1);

    if ( rc )
        kit_test_failure("unmap_grant_ref handle %u: rc %ld", h, rc);
    return op.status;
}

/* One copy op: a grant reference or (DOMID_SELF) a frame on each side. */
static inline int16_t gnt_copy(uint16_t flags, domid_t sdom, uint64_t src,
                               uint16_t soff, domid_t ddom, uint64_t dst,
                               uint16_t doff, uint16_t len)
{
    struct gnttab_copy op = { .len = len, .flags = flags, .status = 0x7777 };
    long rc;

    if ( flags & GNTCOPY_source_gref )
        op.source.u.ref = (grant_ref_t)src;
    else
        op.source.u.gmfn = src;
    if ( flags & GNTCOPY_dest_gref )
        op.dest.u.ref = (grant_ref_t)dst;
    else
        op.dest.u.gmfn = dst;
    op.source.domid = sdom;
    op.source.offset = soff;
    op.dest.domid = ddom;
    op.dest.offset = doff;
    rc = gnt_op(GNTTABOP_copy, &op, 1);
    if ( rc )
        kit_test_failure("copy: rc %ld", rc);
    return op.status;
}

/* The L1 entry that maps va now (0 if a level above is missing). */
static inline uint64_t gnt_pte(const void *va)
{
    uint64_t e = 0;

    if ( kit_pt_walk((unsigned long)va, 1, NULL, &e) )
        return 0;
    return e;
}

/* Machine address of va's L1 entry (GNTMAP_contains_pte's host_addr). */
static inline uint64_t gnt_pte_maddr(const void *va)
{
    unsigned long l1 = 0;

    if ( kit_pt_walk((unsigned long)va, 1, &l1, NULL) )
        kit_test_abort("no L1 for %p", va);
    return kit_pt_maddr(l1, kit_pt_index((unsigned long)va, 1));
}

/* Unmap va (so no stale translation is left) / map its own frame back. */
static inline void gnt_clear_va(void *va)
{
    long rc = HYPERVISOR_update_va_mapping((unsigned long)va, 0, UVMF_INVLPG | UVMF_LOCAL);

    if ( rc )
        kit_test_error("clearing the mapping of %p: %ld", va, rc);
}

static inline void gnt_restore_va(void *va)
{
    long rc = kit_map_mfn(va, kit_virt_to_mfn(va),
                          KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);

    if ( rc )
        kit_test_error("restoring the mapping of %p: %ld", va, rc);
}

/* Check a status (or rc) against the one Xen gives. */
#define GNT_EXPECT(what, got, want) kit_expect_rc(what, (long)(got), (long)(want))

#endif /* GNT_H */
