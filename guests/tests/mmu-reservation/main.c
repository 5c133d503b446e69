/* SPDX-License-Identifier: MIT */
/*
 * Test guest mmu-reservation: giving frames back and getting new ones.
 *
 * Proves, for a PV guest (whose extent lists hold machine frames):
 *  - XENMEM_decrease_reservation of unmapped spare frames answers the count
 *    done, current_reservation drops by it, and the frames are no longer
 *    the guest's (mapping one is -EBUSY, giving it back again does 0);
 *  - XENMEM_populate_physmap gives new frames (their numbers written back
 *    into the list), sets their M2P entries to the pfns asked for, raises
 *    current_reservation, and stops at maximum_reservation: a request past
 *    it gets a short count, at the maximum it gets 0;
 *  - XENMEM_increase_reservation likewise (machine frames back, their M2P
 *    entries INVALID_M2P_ENTRY until the guest sets them);
 *  - the M2P entries of frames given back read INVALID_M2P_ENTRY (~0);
 *  - a frame given back while still mapped stays readable and writable
 *    through that mapping with its old content: it is not freed (and still
 *    counts in current_reservation) until the last mapping goes; then the
 *    reservation drops and it cannot be mapped again;
 *  - XENMEM_exchange of an unmapped frame for a new one (nr_exchanged 1, a
 *    new frame with the M2P entry set, the old one gone, reservation
 *    unchanged), of two frames for one 2-page extent, and the refusal to
 *    exchange a frame that is still mapped (-EINVAL, nothing exchanged,
 *    content kept).
 * The oracle's dom0 starts at its maximum (dom0_mem=32M,max:32M); a domU
 * may have room above current_reservation, which the test fills up first.
 */
#include <kit/kit.h>
#include <kit/pt.h>

#define NR 4

static uint64_t page_m[512] __attribute__((aligned(4096)));  /* freed while mapped */
static volatile uint64_t view[512] __attribute__((aligned(4096)));

static domid_t self = DOMID_SELF;
static unsigned long next_gpfn;     /* pfns past nr_pages for extra frames */

static long cur_res(void)
{
    return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static long reservation_op(unsigned int cmd, xen_pfn_t *list, unsigned long n,
                           unsigned int order)
{
    struct xen_memory_reservation r = {
        .nr_extents = n, .extent_order = order, .domid = DOMID_SELF,
    };

    set_xen_guest_handle(r.extent_start, list);
    return HYPERVISOR_memory_op(cmd, &r);
}

/* Map mfn read-only at view: Xen's answer. */
static long view_map(unsigned long mfn)
{
    return kit_map_mfn((void *)view, mfn, KIT_PTE_P | KIT_PTE_A);
}

static void expect_res(const char *what, long want)
{
    kit_expect_rc(what, cur_res(), want);
}

/* Populate single pages at fresh pfns until Xen stops; returns the count. */
static long fill_to_maximum(void)
{
    xen_pfn_t list[64];
    long total = 0, rc;
    unsigned int i;

    do {
        for ( i = 0; i < 64; i++ )
            list[i] = next_gpfn + i;
        rc = reservation_op(XENMEM_populate_physmap, list, 64, 0);
        if ( rc < 0 )
            return rc;
        next_gpfn += rc;
        total += rc;
    } while ( rc == 64 && total < 65536 );
    return total;
}

void test_main(const start_info_t *si)
{
    xen_pfn_t list[NR + 1], old[NR];
    unsigned long pfns[NR];
    long cur0, max, rc, room;
    unsigned int i;

    next_gpfn = si->nr_pages + 0x100;
    cur0 = cur_res();
    max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
    kit_printf("reservation: current %ld maximum %ld\n", cur0, max);
    if ( cur0 <= 0 || max < cur0 )
        kit_test_abort("bad reservation %ld / %ld", cur0, max);

    /* Room above the current reservation (none for the oracle's dom0). */
    room = fill_to_maximum();
    kit_printf("populated %ld pages up to the maximum\n", room);
    if ( room != max - cur0 )
        kit_test_failure("populate up to the maximum: %ld pages, want %ld",
                         room, max - cur0);
    cur0 = cur_res();
    if ( cur0 != max )
        kit_test_failure("current %ld != maximum %ld after filling", cur0, max);

    /* Give back NR unmapped spare frames. */
    for ( i = 0; i < NR; i++ )
    {
        pfns[i] = kit_spare_unmapped_pfn();
        if ( !pfns[i] )
            kit_test_abort("no unmapped spare frame");
        old[i] = list[i] = kit_pfn_to_mfn(pfns[i]);
    }
    rc = reservation_op(XENMEM_decrease_reservation, list, NR, 0);
    kit_expect_rc("decrease_reservation of unmapped frames", rc, NR);
    expect_res("current after decrease", cur0 - NR);
    kit_printf("freed mfn %#lx: M2P now %#lx\n", (unsigned long)old[0],
               kit_mfn_to_pfn(old[0]));
    /* Xen 4.17: a freed frame's M2P entry is INVALID_M2P_ENTRY (~0). */
    for ( i = 0; i < NR; i++ )
        if ( kit_mfn_to_pfn(old[i]) != ~0UL )
            kit_test_failure("M2P[%#lx] of a freed frame: %#lx",
                             (unsigned long)old[i], kit_mfn_to_pfn(old[i]));
    kit_expect_rc("map a frame given back", view_map(old[0]), -XEN_EBUSY);
    rc = reservation_op(XENMEM_decrease_reservation, list, 1, 0);
    kit_expect_rc("decrease_reservation of a frame given back", rc, 0);
    expect_res("current after the refused decrease", cur0 - NR);

    /* Ask for NR + 1: only NR fit under the maximum. */
    for ( i = 0; i < NR + 1; i++ )
        list[i] = i < NR ? pfns[i] : next_gpfn;
    rc = reservation_op(XENMEM_populate_physmap, list, NR + 1, 0);
    kit_expect_rc("populate_physmap past the maximum", rc, NR);
    expect_res("current after populate", cur0);
    for ( i = 0; i < NR; i++ )
    {
        ((unsigned long *)si->mfn_list)[pfns[i]] = list[i];
        if ( kit_mfn_to_pfn(list[i]) != pfns[i] )
            kit_test_failure("populate: M2P[%#lx] = %#lx, want %#lx",
                             (unsigned long)list[i], kit_mfn_to_pfn(list[i]),
                             pfns[i]);
    }
    kit_expect_rc("map a populated frame", view_map(list[0]), 0);
    rc = reservation_op(XENMEM_populate_physmap, list, 1, 0);
    kit_expect_rc("populate_physmap at the maximum", rc, 0);
    rc = reservation_op(XENMEM_increase_reservation, list, 1, 0);
    kit_expect_rc("increase_reservation at the maximum", rc, 0);
    expect_res("current at the maximum", cur0);

    /* increase_reservation: a machine frame, no M2P entry for it. */
    list[0] = kit_pfn_to_mfn(pfns[1]);
    kit_expect_rc("decrease one", reservation_op(XENMEM_decrease_reservation,
                                                 list, 1, 0), 1);
    list[0] = 0;
    rc = reservation_op(XENMEM_increase_reservation, list, 1, 0);
    kit_expect_rc("increase_reservation below the maximum", rc, 1);
    expect_res("current after increase", cur0);
    kit_printf("increase_reservation gave mfn %#lx, M2P %#lx\n",
               (unsigned long)list[0], kit_mfn_to_pfn(list[0]));
    /* Xen 4.17: the new frame has no M2P entry yet (~0); the guest sets it. */
    if ( kit_mfn_to_pfn(list[0]) != ~0UL )
        kit_test_failure("M2P of an increase_reservation frame: %#lx",
                         kit_mfn_to_pfn(list[0]));
    rc = kit_mmu_update1(((uint64_t)list[0] << KIT_PAGE_SHIFT) |
                         MMU_MACHPHYS_UPDATE, pfns[1]);
    kit_expect_rc("MACHPHYS_UPDATE of the new frame", rc, 0);
    ((unsigned long *)si->mfn_list)[pfns[1]] = list[0];
    kit_expect_rc("map the increased frame", view_map(list[0]), 0);

    /*
     * A frame given back while still mapped writable at page_m. Xen 4.17
     * answers 1 (done) but only drops the allocation reference: the mapping
     * keeps the frame alive, still owned by the guest and still counted in
     * current_reservation, until the last mapping goes; only then is it
     * freed (and the reservation drops).
     */
    for ( i = 0; i < 512; i++ )
        page_m[i] = 0x6d6d6d6d00000000UL | i;
    list[0] = kit_virt_to_mfn(page_m);
    rc = reservation_op(XENMEM_decrease_reservation, list, 1, 0);
    kit_expect_rc("decrease_reservation of a mapped frame", rc, 1);
    expect_res("current while the freed frame is mapped", cur0);
    kit_barrier();
    for ( i = 0; i < 512; i++ )
        if ( page_m[i] != (0x6d6d6d6d00000000UL | i) )
        {
            kit_test_failure("freed mapped frame: word %u is %#lx", i,
                             (unsigned long)page_m[i]);
            break;
        }
    page_m[3] = 0x1234;
    kit_barrier();
    if ( page_m[3] != 0x1234 )
        kit_test_failure("freed mapped frame: write lost");
    /* Xen lets the still-owned frame be mapped again meanwhile. */
    rc = view_map(list[0]);
    kit_printf("second mapping of the freed, mapped frame: %ld\n", rc);
    if ( rc != 0 && rc != -XEN_EBUSY )
        kit_test_failure("second mapping of the freed frame: %ld", rc);
    if ( rc == 0 && view[3] != 0x1234 )
        kit_test_failure("second mapping shows %#lx", (unsigned long)view[3]);
    kit_expect_rc("unmap view", HYPERVISOR_update_va_mapping(
                      (unsigned long)view, 0, UVMF_INVLPG | UVMF_LOCAL), 0);
    kit_expect_rc("unmap the freed frame",
                  HYPERVISOR_update_va_mapping((unsigned long)page_m, 0,
                                               UVMF_INVLPG | UVMF_LOCAL), 0);
    expect_res("current once the freed frame is unmapped", cur0 - 1);
    kit_expect_rc("map the freed frame after unmapping", view_map(list[0]),
                  -XEN_EBUSY);
    /* Get a frame for page_m again and map it there. */
    list[0] = kit_virt_to_pfn(page_m);
    kit_expect_rc("populate for page_m",
                  reservation_op(XENMEM_populate_physmap, list, 1, 0), 1);
    ((unsigned long *)si->mfn_list)[kit_virt_to_pfn(page_m)] = list[0];
    kit_expect_rc("map page_m again",
                  kit_map_mfn(page_m, list[0], KIT_PTE_P | KIT_PTE_RW |
                              KIT_PTE_A | KIT_PTE_D), 0);
    expect_res("current back at the maximum", cur0);

    /* Exchange an unmapped frame for a new one. */
    {
        struct xen_memory_exchange ex = {
            .in = { .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF },
            .out = { .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF },
        };
        xen_pfn_t in[2], out[2];
        unsigned long pfn = pfns[2], pfn2 = pfns[3];

        kit_expect_rc("unmap view", HYPERVISOR_update_va_mapping(
                          (unsigned long)view, 0, UVMF_INVLPG | UVMF_LOCAL), 0);
        kit_pt_window_clear();
        in[0] = kit_pfn_to_mfn(pfn);
        out[0] = pfn;
        set_xen_guest_handle(ex.in.extent_start, in);
        set_xen_guest_handle(ex.out.extent_start, out);
        rc = HYPERVISOR_memory_op(XENMEM_exchange, &ex);
        kit_expect_rc("exchange one frame", rc, 0);
        kit_expect_rc("exchange one frame: nr_exchanged", ex.nr_exchanged, 1);
        kit_printf("exchange: mfn %#lx -> %#lx\n", (unsigned long)in[0],
                   (unsigned long)out[0]);
        if ( out[0] == in[0] || kit_mfn_to_pfn(out[0]) != pfn )
            kit_test_failure("exchange: new mfn %#lx, M2P %#lx",
                             (unsigned long)out[0], kit_mfn_to_pfn(out[0]));
        kit_expect_rc("map the exchanged-out frame", view_map(in[0]), -XEN_EBUSY);
        kit_expect_rc("map the exchanged-in frame", view_map(out[0]), 0);
        ((unsigned long *)si->mfn_list)[pfn] = out[0];
        expect_res("current after exchange", cur0);

        /* Two single frames for one 2-page extent. */
        kit_expect_rc("unmap view", HYPERVISOR_update_va_mapping(
                          (unsigned long)view, 0, UVMF_INVLPG | UVMF_LOCAL), 0);
        in[0] = kit_pfn_to_mfn(pfn);
        in[1] = kit_pfn_to_mfn(pfn2);
        out[0] = next_gpfn & ~1UL;
        ex.in.nr_extents = 2;
        ex.out.extent_order = 1;
        ex.nr_exchanged = 0;
        rc = HYPERVISOR_memory_op(XENMEM_exchange, &ex);
        kit_expect_rc("exchange 2 frames for an order-1 extent", rc, 0);
        kit_expect_rc("exchange 2 for 1: nr_exchanged", ex.nr_exchanged, 2);
        if ( out[0] & 1 )
            kit_test_failure("order-1 extent at odd mfn %#lx",
                             (unsigned long)out[0]);
        if ( kit_mfn_to_pfn(out[0]) != (next_gpfn & ~1UL) ||
             kit_mfn_to_pfn(out[0] + 1) != (next_gpfn & ~1UL) + 1 )
            kit_test_failure("order-1 extent: M2P %#lx %#lx",
                             kit_mfn_to_pfn(out[0]), kit_mfn_to_pfn(out[0] + 1));
        expect_res("current after exchange 2 for 1", cur0);

        /* A mapped frame (page_m) cannot be exchanged. */
        page_m[0] = 0x4d4d;
        in[0] = kit_virt_to_mfn(page_m);
        out[0] = kit_virt_to_pfn(page_m);
        ex.in.nr_extents = 1;
        ex.out.extent_order = 0;
        ex.nr_exchanged = 0;
        rc = HYPERVISOR_memory_op(XENMEM_exchange, &ex);
        kit_expect_rc("exchange a mapped frame", rc, -XEN_EINVAL);
        kit_expect_rc("exchange a mapped frame: nr_exchanged", ex.nr_exchanged, 0);
        kit_barrier();
        if ( page_m[0] != 0x4d4d )
            kit_test_failure("mapped frame changed by a refused exchange");
        kit_expect_rc("page_m still ours", view_map(kit_virt_to_mfn(page_m)), 0);
    }
    expect_res("current at the end", cur0);
    kit_test_success();
}
