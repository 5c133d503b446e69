/* SPDX-License-Identifier: MIT */
/*
 * Test guest gnttab-self: grant tables v1 within one domain.
 *
 * Proves, with Xen 4.17's answers: query_size, get_version, set_version
 * (1; 2 is either taken and undone or refused with -ENOSYS), get_status
 * _frames of a v1 table, setup_table (growth, limits, bad domain, bad
 * frame lists); a grant to ourselves mapped and unmapped by virtual
 * address and by PTE machine address (GNTMAP_contains_pte), read-only,
 * user (application_map), with the guest-available PTE bits
 * (XENFEAT_gnttab_map_avail_bits) and as a device mapping; the entry's
 * GTF_reading/GTF_writing while mapped, so that ending access fails until
 * the last unmap, and a forced end leaving the mapping alone;
 * unmap_and_replace; copies through a grant and by frame; swap_grant_ref;
 * and every refusal: never-granted, read-only, other-domain and bad-frame
 * entries, bad references, handles, host and bus addresses, copy
 * arguments and domains. Last, an mmu_update over a grant PTE (accepted,
 * as on Xen's release builds) leaves the grant in use until the domain ends.
 */
#include "gnt.h"

#define NR_FRAMES 4
#define NR_ENTRIES (NR_FRAMES * 512)

static uint8_t table_area[NR_FRAMES][4096] __attribute__((aligned(4096)));
static uint8_t data[4096] __attribute__((aligned(4096)));
static uint8_t ro_data[4096] __attribute__((aligned(4096)));
static uint8_t buf[4096] __attribute__((aligned(4096)));
static uint8_t map_va[4096] __attribute__((aligned(4096)));
static uint8_t map_va2[4096] __attribute__((aligned(4096)));
static uint8_t stuck[4096] __attribute__((aligned(4096)));

static grant_entry_v1_t *gt = (grant_entry_v1_t *)table_area;
static domid_t me;

/* Check entry ref's flags. */
static void expect_flags(const char *what, grant_ref_t ref, uint16_t want)
{
    uint16_t got = *(volatile uint16_t *)&gt[ref].flags;

    if ( got != want )
        kit_test_failure("%s: ref %u flags %#x, want %#x", what, ref, got, want);
}

static void test_versions_and_sizes(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    struct gnttab_set_version sv = { .version = 1 };
    struct gnttab_get_status_frames gs = { .dom = DOMID_SELF };
    uint64_t sframe;
    long rc;

    rc = gnt_op(GNTTABOP_query_size, &q, 1);
    GNT_EXPECT("query_size", rc, 0);
    GNT_EXPECT("query_size status", q.status, GNTST_okay);
    kit_printf("grant table: %u frames, at most %u\n", q.nr_frames, q.max_nr_frames);
    if ( q.nr_frames < 1 || q.max_nr_frames < NR_FRAMES || q.nr_frames > q.max_nr_frames )
        kit_test_failure("query_size: %u of %u frames", q.nr_frames, q.max_nr_frames);
    GNT_EXPECT("query_size count 2", gnt_op(GNTTABOP_query_size, &q, 2), -XEN_EINVAL);
    q.dom = 0x1234;
    GNT_EXPECT("query_size of no domain", gnt_op(GNTTABOP_query_size, &q, 1), 0);
    GNT_EXPECT("query_size of no domain: status", q.status, GNTST_bad_domain);

    rc = gnt_op(GNTTABOP_get_version, &gv, 1);
    GNT_EXPECT("get_version", rc, 0);
    GNT_EXPECT("get_version: version", gv.version, 1);
    gv.dom = 0x1234;
    GNT_EXPECT("get_version of no domain", gnt_op(GNTTABOP_get_version, &gv, 1),
               -XEN_ESRCH);

    GNT_EXPECT("set_version 1", gnt_op(GNTTABOP_set_version, &sv, 1), 0);
    GNT_EXPECT("set_version 1: version", sv.version, 1);
    sv.version = 3;
    GNT_EXPECT("set_version 3", gnt_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
    GNT_EXPECT("set_version 3: version", sv.version, 1);
    /* Version 2: Xen 4.17 (gnttab max-ver 2 by default) takes it; Tern has
     * version 1 only and answers as Xen with max-ver:1. */
    sv.version = 2;
    rc = gnt_op(GNTTABOP_set_version, &sv, 1);
    kit_printf("set_version 2: %ld, version %u\n", rc, sv.version);
    if ( rc == 0 )
    {
        GNT_EXPECT("set_version 2: version", sv.version, 2);
        gv.dom = DOMID_SELF;
        gnt_op(GNTTABOP_get_version, &gv, 1);
        GNT_EXPECT("get_version after 2", gv.version, 2);
        sv.version = 1;
        GNT_EXPECT("set_version back to 1", gnt_op(GNTTABOP_set_version, &sv, 1), 0);
    }
    else
    {
        GNT_EXPECT("set_version 2", rc, -XEN_ENOSYS);
        GNT_EXPECT("set_version 2: version", sv.version, 1);
    }
    gv.dom = DOMID_SELF;
    gnt_op(GNTTABOP_get_version, &gv, 1);
    GNT_EXPECT("get_version at last", gv.version, 1);

    /* A v1 table has no status frames. */
    gs.nr_frames = 0;
    gs.frame_list.p = &sframe;
    GNT_EXPECT("get_status_frames 0", gnt_op(GNTTABOP_get_status_frames, &gs, 1), 0);
    GNT_EXPECT("get_status_frames 0: status", gs.status, GNTST_okay);
    gs.nr_frames = 1;
    GNT_EXPECT("get_status_frames 1", gnt_op(GNTTABOP_get_status_frames, &gs, 1), 0);
    GNT_EXPECT("get_status_frames 1: status", gs.status, GNTST_general_error);
    GNT_EXPECT("get_status_frames count 0", gnt_op(GNTTABOP_get_status_frames, &gs, 0),
               -XEN_EINVAL);
    gs.dom = 0x1234;
    gs.nr_frames = 0;
    gnt_op(GNTTABOP_get_status_frames, &gs, 1);
    GNT_EXPECT("get_status_frames of no domain", gs.status, GNTST_bad_domain);
}

static void test_setup(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    xen_pfn_t frames[NR_FRAMES + 1];
    int16_t st;
    unsigned int i, j;
    long rc;

    memset(frames, 0, sizeof(frames));
    GNT_EXPECT("setup_table count 0", gnt_op(GNTTABOP_setup_table, frames, 0),
               -XEN_EINVAL);
    rc = gnt_setup(DOMID_SELF, NR_FRAMES, frames, &st);
    GNT_EXPECT("setup_table", rc, 0);
    GNT_EXPECT("setup_table status", st, GNTST_okay);
    for ( i = 0; i < NR_FRAMES; i++ )
        for ( j = 0; j < i; j++ )
            if ( !frames[i] || frames[i] == frames[j] )
                kit_test_failure("setup_table: frame %u is %#lx", i,
                                 (unsigned long)frames[i]);
    gnt_op(GNTTABOP_query_size, &q, 1);
    GNT_EXPECT("query_size after setup", q.nr_frames, NR_FRAMES);
    /* By our own id too; the same frames (a table never shrinks). */
    rc = gnt_setup(me, 1, &frames[NR_FRAMES], &st);
    GNT_EXPECT("setup_table by own id", st, GNTST_okay);
    GNT_EXPECT("setup_table by own id: frame", frames[NR_FRAMES], frames[0]);
    gnt_op(GNTTABOP_query_size, &q, 1);
    GNT_EXPECT("query_size after a smaller setup", q.nr_frames, NR_FRAMES);
    /* Beyond the maximum, another domain, bad lists. */
    gnt_setup(DOMID_SELF, q.max_nr_frames + 1, frames, &st);
    GNT_EXPECT("setup_table beyond max", st, GNTST_general_error);
    gnt_setup(0x1234, 1, frames, &st);
    GNT_EXPECT("setup_table of no domain", st, GNTST_bad_domain);
    rc = gnt_setup(DOMID_SELF, 1, (xen_pfn_t *)0xffff800000001000UL, &st);
    GNT_EXPECT("setup_table list in Xen's space", rc, -XEN_EFAULT);
    rc = gnt_setup(DOMID_SELF, 1, (xen_pfn_t *)0x1000UL, &st);
    GNT_EXPECT("setup_table list unmapped", rc, 0);
    GNT_EXPECT("setup_table list unmapped: status", st, GNTST_bad_virt_addr);
    if ( gnt_map_table(NR_FRAMES, frames, table_area) )
        kit_printf("grant table mapped: frames %#lx..\n", (unsigned long)frames[0]);
    else
        kit_test_abort("cannot go on without the grant table");
}

static void test_map_errors(void)
{
    unsigned long mfn = kit_virt_to_mfn(data);
    grant_handle_t h;

    gnt_clear_va(map_va);
    GNT_EXPECT("map: no kind", gnt_map(me, 10, 0, (uint64_t)map_va, &h, NULL),
               GNTST_bad_gntref);
    GNT_EXPECT("map: never granted",
               gnt_map(me, 10, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("map: handle untouched", h, 0xdeadbeef);
    gnt_grant(&gt[10], me, mfn, GTF_permit_access);
    gnt_grant(&gt[12], me, kit_virt_to_mfn(ro_data), GTF_permit_access | GTF_readonly);
    gnt_grant(&gt[13], me + 1, mfn, GTF_permit_access);
    gnt_grant(&gt[14], me, 0xffffffffUL, GTF_permit_access);
    gnt_grant(&gt[15], me, mfn, GTF_accept_transfer);
    GNT_EXPECT("map: DOMID_SELF",
               gnt_map(DOMID_SELF, 10, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_bad_domain);
    GNT_EXPECT("map: no such domain",
               gnt_map(0x1234, 10, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_bad_domain);
    GNT_EXPECT("map: ref past the table",
               gnt_map(me, NR_ENTRIES, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_bad_gntref);
    GNT_EXPECT("map: read-only grant writable",
               gnt_map(me, 12, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("map: granted to another domain",
               gnt_map(me, 13, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)map_va,
                       &h, NULL), GNTST_general_error);
    GNT_EXPECT("map: frame not ours",
               gnt_map(me, 14, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_bad_page);
    GNT_EXPECT("map: accept_transfer entry",
               gnt_map(me, 15, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("map: host address in Xen's space",
               gnt_map(me, 10, GNTMAP_host_map, 0xffff800000001000UL, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("map: host address 0",
               gnt_map(me, 10, GNTMAP_host_map, 0, &h, NULL), GNTST_general_error);
    GNT_EXPECT("map: PTE address not 8-aligned",
               gnt_map(me, 10, GNTMAP_host_map | GNTMAP_contains_pte,
                       gnt_pte_maddr(map_va) + 4, &h, NULL), GNTST_general_error);
    GNT_EXPECT("map: PTE address in a data page",
               gnt_map(me, 10, GNTMAP_host_map | GNTMAP_contains_pte,
                       (uint64_t)mfn << 12, &h, NULL), GNTST_general_error);
    expect_flags("after refused maps", 10, GTF_permit_access);
    expect_flags("after refused maps", 12, GTF_permit_access | GTF_readonly);
    expect_flags("after refused maps", 13, GTF_permit_access);
    expect_flags("after refused maps", 14, GTF_permit_access);
    if ( gnt_pte(map_va) & KIT_PTE_P )
        kit_test_failure("a refused map left a PTE: %#lx", (unsigned long)gnt_pte(map_va));
}

static void test_map_unmap(void)
{
    unsigned long mfn = kit_virt_to_mfn(data);
    grant_handle_t h1, h2;
    uint64_t pte, bus;
    volatile uint8_t *m = map_va, *m2 = map_va2, *d = data;

    memset(data, 0x3c, sizeof(data));
    gnt_clear_va(map_va);
    gnt_clear_va(map_va2);
    GNT_EXPECT("map own grant",
               gnt_map(me, 10, GNTMAP_host_map, (uint64_t)map_va, &h1, &bus),
               GNTST_okay);
    GNT_EXPECT("map: bus address", bus, (uint64_t)mfn << 12);
    expect_flags("mapped writable", 10, GTF_permit_access | GTF_reading | GTF_writing);
    pte = gnt_pte(map_va);
    kit_printf("grant PTE: %#lx\n", (unsigned long)pte);
    GNT_EXPECT("grant PTE frame", kit_pte_mfn(pte), mfn);
    if ( (pte & (KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D | KIT_PTE_NX)) !=
         (KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D | KIT_PTE_NX) ||
         (pte & KIT_PTE_AVAIL) || !(pte & (1UL << 52)) )
        kit_test_failure("grant PTE flags: %#lx", (unsigned long)pte);
    if ( m[17] != 0x3c )
        kit_test_failure("read through the grant mapping: %#x", m[17]);
    m[18] = 0xc3;
    if ( d[18] != 0xc3 )
        kit_test_failure("write through the grant mapping not seen: %#x", d[18]);

    /* A second, read-only user mapping with the available bits. */
    GNT_EXPECT("map read-only with avail bits",
               gnt_map(me, 10, GNTMAP_host_map | GNTMAP_readonly |
                       GNTMAP_application_map | (5u << _GNTMAP_guest_avail0),
                       (uint64_t)map_va2, &h2, NULL), GNTST_okay);
    if ( h2 == h1 )
        kit_test_failure("two mappings, one handle %u", h1);
    pte = gnt_pte(map_va2);
    kit_printf("read-only user grant PTE: %#lx\n", (unsigned long)pte);
    if ( (pte & KIT_PTE_RW) || ((pte & KIT_PTE_AVAIL) >> 9) != 5 ||
         (pte & (1UL << 52)) || kit_pte_mfn(pte) != mfn )
        kit_test_failure("read-only user grant PTE: %#lx", (unsigned long)pte);
    if ( m2[18] != 0xc3 )
        kit_test_failure("read through the read-only mapping: %#x", m2[18]);

    /* Ending access fails while mapped; forcing it changes nothing. */
    if ( gnt_end_access(&gt[10]) )
        kit_test_failure("ended access to a mapped grant");
    __atomic_and_fetch(&gt[10].flags, (uint16_t)~GTF_permit_access, __ATOMIC_SEQ_CST);
    expect_flags("forced end while mapped", 10, GTF_reading | GTF_writing);
    m[19] = 0x99;
    if ( d[19] != 0x99 || m2[19] != 0x99 )
        kit_test_failure("the mappings stopped working after a forced end");

    /* Unmaps: bad handles and addresses, then the real ones. */
    GNT_EXPECT("unmap handle 0xffff", gnt_unmap(0xffff, (uint64_t)map_va, 0),
               GNTST_bad_handle);
    GNT_EXPECT("unmap at the other mapping",
               gnt_unmap(h1, (uint64_t)map_va2, 0), GNTST_general_error);
    /* A bus address is only looked at for a device mapping. */
    GNT_EXPECT("unmap of a host mapping with a wrong bus address",
               gnt_unmap(h1, 0, (uint64_t)(mfn + 1) << 12), GNTST_okay);
    GNT_EXPECT("unmap with no address (no-op)", gnt_unmap(h1, 0, 0), GNTST_okay);
    GNT_EXPECT("unmap", gnt_unmap(h1, (uint64_t)map_va, 0), GNTST_okay);
    GNT_EXPECT("unmap twice", gnt_unmap(h1, (uint64_t)map_va, 0), GNTST_bad_handle);
    if ( gnt_pte(map_va) != 0 )
        kit_test_failure("PTE after unmap: %#lx", (unsigned long)gnt_pte(map_va));
    expect_flags("one read-only mapping left", 10, GTF_reading);
    GNT_EXPECT("unmap the read-only one", gnt_unmap(h2, (uint64_t)map_va2, 0),
               GNTST_okay);
    expect_flags("all unmapped", 10, 0);
    gnt_grant(&gt[10], me, mfn, GTF_permit_access);
    if ( !gnt_end_access(&gt[10]) )
        kit_test_failure("cannot end access after the last unmap");
    gnt_grant(&gt[10], me, mfn, GTF_permit_access);

    /* Two maps and two unmaps in one call each. */
    {
        struct gnttab_map_grant_ref mo[2] = {
            { .host_addr = (uint64_t)map_va, .flags = GNTMAP_host_map, .ref = 10, .dom = me },
            { .host_addr = (uint64_t)map_va2, .flags = GNTMAP_host_map | GNTMAP_readonly,
              .ref = 12, .dom = me },
        };
        struct gnttab_unmap_grant_ref uo[2];

        GNT_EXPECT("map batch", gnt_op(GNTTABOP_map_grant_ref, mo, 2), 0);
        GNT_EXPECT("map batch 0", mo[0].status, GNTST_okay);
        GNT_EXPECT("map batch 1", mo[1].status, GNTST_okay);
        expect_flags("batch-mapped read-only grant", 12,
                     GTF_permit_access | GTF_readonly | GTF_reading);
        memset(uo, 0, sizeof(uo));
        uo[0].host_addr = (uint64_t)map_va;
        uo[0].handle = mo[0].handle;
        uo[1].host_addr = (uint64_t)map_va2;
        uo[1].handle = mo[1].handle;
        GNT_EXPECT("unmap batch", gnt_op(GNTTABOP_unmap_grant_ref, uo, 2), 0);
        GNT_EXPECT("unmap batch 0", uo[0].status, GNTST_okay);
        GNT_EXPECT("unmap batch 1", uo[1].status, GNTST_okay);
        expect_flags("batch-unmapped", 12, GTF_permit_access | GTF_readonly);
    }
    gnt_restore_va(map_va);
    gnt_restore_va(map_va2);
}

/* GNTMAP_contains_pte: the host address is the PTE's machine address. */
static void test_contains_pte(void)
{
    unsigned long mfn = kit_virt_to_mfn(data);
    uint64_t maddr = gnt_pte_maddr(map_va), pte;
    struct gnttab_unmap_and_replace r;
    grant_handle_t h;

    /* The PTE there has available bits of its own: the map's replace them. */
    kit_map_mfn(map_va, kit_virt_to_mfn(map_va),
                KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D | 0x600);
    gnt_clear_va(map_va2);
    GNT_EXPECT("map by PTE address",
               gnt_map(me, 10, GNTMAP_host_map | GNTMAP_contains_pte |
                       (1u << _GNTMAP_guest_avail0), maddr, &h, NULL), GNTST_okay);
    pte = gnt_pte(map_va);
    kit_printf("grant PTE by machine address: %#lx\n", (unsigned long)pte);
    if ( kit_pte_mfn(pte) != mfn || !(pte & KIT_PTE_RW) ||
         ((pte & KIT_PTE_AVAIL) >> 9) != 1 )
        kit_test_failure("grant PTE by machine address: %#lx", (unsigned long)pte);
    HYPERVISOR_update_va_mapping((unsigned long)map_va2, 0, UVMF_INVLPG | UVMF_LOCAL);
    /* No replacing in this mode. */
    memset(&r, 0, sizeof(r));
    r.host_addr = maddr;
    r.new_addr = (uint64_t)map_va2;
    r.handle = h;
    GNT_EXPECT("unmap_and_replace by PTE address",
               gnt_op(GNTTABOP_unmap_and_replace, &r, 1), 0);
    GNT_EXPECT("unmap_and_replace by PTE address: status", r.status,
               GNTST_general_error);
    GNT_EXPECT("unmap by PTE address", gnt_unmap(h, maddr, 0), GNTST_okay);
    if ( gnt_pte(map_va) != 0 )
        kit_test_failure("PTE after unmap: %#lx", (unsigned long)gnt_pte(map_va));
    expect_flags("unmapped by PTE address", 10, GTF_permit_access);

    /* unmap_and_replace by address: the PTE at new_addr moves over. */
    gnt_restore_va(map_va2);
    GNT_EXPECT("map for replace",
               gnt_map(me, 10, GNTMAP_host_map, (uint64_t)map_va, &h, NULL), GNTST_okay);
    memset(&r, 0, sizeof(r));
    r.host_addr = (uint64_t)map_va;
    r.new_addr = (uint64_t)map_va2;
    r.handle = h;
    GNT_EXPECT("unmap_and_replace", gnt_op(GNTTABOP_unmap_and_replace, &r, 1), 0);
    GNT_EXPECT("unmap_and_replace: status", r.status, GNTST_okay);
    if ( kit_pte_mfn(gnt_pte(map_va)) != kit_virt_to_mfn(map_va2) ||
         (gnt_pte(map_va2) & KIT_PTE_P) )
        kit_test_failure("after unmap_and_replace: %#lx %#lx",
                         (unsigned long)gnt_pte(map_va), (unsigned long)gnt_pte(map_va2));
    expect_flags("replaced", 10, GTF_permit_access);
    gnt_restore_va(map_va);
    gnt_restore_va(map_va2);
}

/* A device mapping (no IOMMU: the bus address is the machine address). */
static void test_device_map(void)
{
    unsigned long mfn = kit_virt_to_mfn(data);
    grant_handle_t h;
    uint64_t bus;

    GNT_EXPECT("device map",
               gnt_map(me, 10, GNTMAP_device_map, 0, &h, &bus), GNTST_okay);
    GNT_EXPECT("device map: bus address", bus, (uint64_t)mfn << 12);
    expect_flags("device-mapped", 10, GTF_permit_access | GTF_reading | GTF_writing);
    GNT_EXPECT("device unmap, bus address wrong",
               gnt_unmap(h, 0, bus + 4096), GNTST_bad_dev_addr);
    GNT_EXPECT("device unmap", gnt_unmap(h, 0, bus), GNTST_okay);
    expect_flags("device-unmapped", 10, GTF_permit_access);
    GNT_EXPECT("device unmap twice", gnt_unmap(h, 0, bus), GNTST_bad_handle);

    /* 40 at once each way: more than one batch of unmaps (Xen flushes the
     * TLB every 32). */
    {
        static struct gnttab_map_grant_ref mo[40];
        static struct gnttab_unmap_grant_ref uo[40];
        unsigned int i;

        for ( i = 0; i < 40; i++ )
            mo[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map |
                                                   (i & 1 ? GNTMAP_readonly : 0),
                                                   .ref = 10, .dom = me };
        GNT_EXPECT("40 device maps", gnt_op(GNTTABOP_map_grant_ref, mo, 40), 0);
        for ( i = 0; i < 40; i++ )
        {
            GNT_EXPECT("40 device maps: status", mo[i].status, GNTST_okay);
            uo[i] = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = mo[i].dev_bus_addr,
                                                     .handle = mo[i].handle };
        }
        expect_flags("40 device-mapped", 10, GTF_permit_access | GTF_reading | GTF_writing);
        GNT_EXPECT("40 device unmaps", gnt_op(GNTTABOP_unmap_grant_ref, uo, 40), 0);
        for ( i = 0; i < 40; i++ )
            GNT_EXPECT("40 device unmaps: status", uo[i].status, GNTST_okay);
        expect_flags("40 device-unmapped", 10, GTF_permit_access);
    }
}

static void test_copy(void)
{
    unsigned long mfn = kit_virt_to_mfn(data), bmfn = kit_virt_to_mfn(buf);
    unsigned int i;

    for ( i = 0; i < 4096; i++ )
        data[i] = (uint8_t)(i * 7);
    memset(buf, 0, sizeof(buf));
    GNT_EXPECT("copy from a grant",
               gnt_copy(GNTCOPY_source_gref, me, 10, 100, DOMID_SELF, bmfn, 8, 200),
               GNTST_okay);
    if ( memcmp(buf + 8, data + 100, 200) || buf[7] || buf[208] )
        kit_test_failure("copy from a grant: wrong bytes");
    expect_flags("after a copy", 10, GTF_permit_access);
    memset(buf, 0xee, 64);
    GNT_EXPECT("copy to a grant",
               gnt_copy(GNTCOPY_dest_gref, DOMID_SELF, bmfn, 0, me, 10, 4032, 64),
               GNTST_okay);
    if ( data[4032] != 0xee || data[4095] != 0xee || data[4031] == 0xee )
        kit_test_failure("copy to a grant: wrong bytes");
    GNT_EXPECT("copy grant to grant",
               gnt_copy(GNTCOPY_source_gref | GNTCOPY_dest_gref, me, 12, 0, me, 10, 0, 16),
               GNTST_okay);
    GNT_EXPECT("copy by frame", gnt_copy(0, DOMID_SELF, mfn, 0, DOMID_SELF, bmfn, 0, 4096),
               GNTST_okay);
    if ( memcmp(buf, data, 4096) )
        kit_test_failure("copy by frame: wrong bytes");
    GNT_EXPECT("copy: frame named by our id",
               gnt_copy(0, me, mfn, 0, DOMID_SELF, bmfn, 0, 8), GNTST_permission_denied);
    GNT_EXPECT("copy: into a read-only grant",
               gnt_copy(GNTCOPY_dest_gref, DOMID_SELF, bmfn, 0, me, 12, 0, 8),
               GNTST_general_error);
    GNT_EXPECT("copy: beyond the page",
               gnt_copy(GNTCOPY_source_gref, me, 10, 4000, DOMID_SELF, bmfn, 0, 200),
               GNTST_bad_copy_arg);
    GNT_EXPECT("copy: dest beyond the page",
               gnt_copy(GNTCOPY_source_gref, me, 10, 0, DOMID_SELF, bmfn, 4095, 2),
               GNTST_bad_copy_arg);
    GNT_EXPECT("copy: ref past the table",
               gnt_copy(GNTCOPY_source_gref, me, NR_ENTRIES, 0, DOMID_SELF, bmfn, 0, 8),
               GNTST_bad_gntref);
    GNT_EXPECT("copy: no such domain",
               gnt_copy(GNTCOPY_source_gref, 0x1234, 10, 0, DOMID_SELF, bmfn, 0, 8),
               GNTST_bad_domain);
    GNT_EXPECT("copy: never granted",
               gnt_copy(GNTCOPY_source_gref, me, 11, 0, DOMID_SELF, bmfn, 0, 8),
               GNTST_general_error);
    GNT_EXPECT("copy: frame not ours",
               gnt_copy(0, DOMID_SELF, 0xffffffffUL, 0, DOMID_SELF, bmfn, 0, 8),
               GNTST_bad_page);
    GNT_EXPECT("copy: grant of a frame not ours",
               gnt_copy(GNTCOPY_source_gref, me, 14, 0, DOMID_SELF, bmfn, 0, 8),
               GNTST_bad_page);
    expect_flags("after copies", 10, GTF_permit_access);
    expect_flags("after copies", 12, GTF_permit_access | GTF_readonly);
    expect_flags("after copies", 14, GTF_permit_access);
}

static void test_swap_and_cmds(void)
{
    struct gnttab_swap_grant_ref s = { .ref_a = 12, .ref_b = 13 };
    grant_handle_t h;
    uint32_t f12 = gt[12].frame, f13 = gt[13].frame;

    GNT_EXPECT("swap", gnt_op(GNTTABOP_swap_grant_ref, &s, 1), 0);
    GNT_EXPECT("swap: status", s.status, GNTST_okay);
    if ( gt[12].frame != f13 || gt[13].frame != f12 ||
         gt[13].flags != (GTF_permit_access | GTF_readonly) )
        kit_test_failure("swap did not swap");
    gnt_op(GNTTABOP_swap_grant_ref, &s, 1);
    s.ref_b = NR_ENTRIES;
    gnt_op(GNTTABOP_swap_grant_ref, &s, 1);
    GNT_EXPECT("swap: ref past the table", s.status, GNTST_bad_gntref);
    gnt_clear_va(map_va);
    GNT_EXPECT("map for swap", gnt_map(me, 10, GNTMAP_host_map, (uint64_t)map_va, &h, NULL),
               GNTST_okay);
    s.ref_a = 10;
    s.ref_b = 12;
    gnt_op(GNTTABOP_swap_grant_ref, &s, 1);
    GNT_EXPECT("swap: ref in use", s.status, GNTST_eagain);
    GNT_EXPECT("unmap after swap", gnt_unmap(h, (uint64_t)map_va, 0), GNTST_okay);
    gnt_restore_va(map_va);

    /* Command word and count checks, and ops that do not exist. */
    GNT_EXPECT("op with continuation bits", gnt_op(GNTTABOP_query_size | 0x1000, &s, 1),
               -XEN_EINVAL);
    GNT_EXPECT("op with count < 0", gnt_op(GNTTABOP_copy, &s, 0x80000000u), -XEN_EINVAL);
    GNT_EXPECT("op 13", gnt_op(13, &s, 1), -XEN_ENOSYS);
    GNT_EXPECT("dump_table", gnt_op(GNTTABOP_dump_table, &s, 1), -XEN_ENOSYS);
    GNT_EXPECT("map with a bad op list",
               gnt_op(GNTTABOP_map_grant_ref, (void *)0xffff800000000000UL, 1), -XEN_EFAULT);
    GNT_EXPECT("zero maps", gnt_op(GNTTABOP_map_grant_ref, NULL, 0), 0);
}

/* Map our shared grant frame itself, read-only, through a grant. */
static void test_map_table_frame(xen_pfn_t frame0)
{
    grant_handle_t h;
    volatile grant_entry_v1_t *g = (volatile grant_entry_v1_t *)map_va;

    gnt_grant(&gt[16], me, frame0, GTF_permit_access | GTF_readonly);
    gnt_clear_va(map_va);
    GNT_EXPECT("map the grant frame",
               gnt_map(me, 16, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)map_va,
                       &h, NULL), GNTST_okay);
    if ( g[16].flags != (GTF_permit_access | GTF_readonly | GTF_reading) )
        kit_test_failure("grant frame seen through itself: flags %#x", g[16].flags);
    GNT_EXPECT("unmap the grant frame", gnt_unmap(h, (uint64_t)map_va, 0), GNTST_okay);
    gnt_restore_va(map_va);
}

/* An mmu_update over a grant PTE: accepted (Xen release builds), the
 * grant stays in use, unmapping its handle fails; the domain's end
 * releases it. */
static void test_implicit_unmap(void)
{
    grant_handle_t h;
    long rc;

    gnt_grant(&gt[20], me, kit_virt_to_mfn(data), GTF_permit_access);
    gnt_clear_va(stuck);
    GNT_EXPECT("map to drop", gnt_map(me, 20, GNTMAP_host_map, (uint64_t)stuck, &h, NULL),
               GNTST_okay);
    rc = HYPERVISOR_update_va_mapping((unsigned long)stuck, 0, UVMF_INVLPG | UVMF_LOCAL);
    GNT_EXPECT("update_va_mapping over a grant PTE", rc, 0);
    GNT_EXPECT("unmap after an implicit unmap", gnt_unmap(h, (uint64_t)stuck, 0),
               GNTST_general_error);
    expect_flags("implicitly unmapped", 20, GTF_permit_access | GTF_reading | GTF_writing);
    if ( gnt_end_access(&gt[20]) )
        kit_test_failure("ended access to an implicitly unmapped grant");
    gnt_restore_va(stuck);
}

void test_main(const start_info_t *si)
{
    (void)si;
    me = gnt_my_domid();
    kit_printf("gnttab-self: domain %u\n", me);
    test_versions_and_sizes();
    test_setup();
    test_map_errors();
    test_map_unmap();
    test_contains_pte();
    test_device_map();
    test_copy();
    test_swap_and_cmds();
    {
        xen_pfn_t frames[1];
        int16_t st;

        gnt_setup(DOMID_SELF, 1, frames, &st);
        test_map_table_frame(frames[0]);
    }
    test_implicit_unmap();
    if ( kit_test_status() == KIT_TEST_RUNNING )
        kit_test_success();
}
