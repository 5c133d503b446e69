/* SPDX-License-Identifier: MIT */
/*
 * Test guest mmu-pin: building, pinning, using and releasing page tables.
 *
 * Proves:
 *  - a zeroed spare page, mapped read-only, pins as an L1; hooked into an
 *    empty slot of the bootstrap L2 by mmu_update, it maps pages given by
 *    mmu_update and by update_va_mapping, and reads through them see those
 *    pages;
 *  - an L1 may map itself read-only (a read through that mapping shows its
 *    entries) but not writable (-EBUSY);
 *  - the same for an L2 (pinned empty, filled after), an L3 (filled before
 *    pinning, so validated by the pin) hooked into the live L4, and a new
 *    L4 (a copy of the guest slots of the bootstrap root) which
 *    MMUEXT_NEW_BASEPTR switches to and back from, with the hypervisor's
 *    slots filled in by the pin; MMUEXT_NEW_USER_BASEPTR takes it and 0;
 *  - a page-table frame cannot be mapped writable while it is pinned or
 *    referenced by another table (-EBUSY), and can once it is neither;
 *    writes through its read-only mapping fault; once released it may be
 *    pinned as another level;
 *  - pin errors: pinning twice, unpinning what is not pinned, pinning a
 *    frame mapped writable, pinning an L1 as an L2 are all -EINVAL; a base
 *    pointer that is not a valid L4 is -EINVAL;
 *  - MMUEXT_CLEAR_PAGE and MMUEXT_COPY_PAGE on data frames; both refuse a
 *    page-table frame as destination (-EINVAL), COPY_PAGE reads one as
 *    source.
 * Nothing here depends on privilege: a domU gets the same answers as the
 * oracle's dom0.
 */
#include <kit/kit.h>
#include <kit/pt.h>

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));

#define TAG_A 0xa0a0a0a0a0a0a0a0UL
#define TAG_B 0xb0b0b0b0b0b0b0b0UL

static const uint64_t table_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A;
static const uint64_t data_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;

static void fill(uint64_t *p, uint64_t tag)
{
    unsigned int i;

    for ( i = 0; i < 512; i++ )
        p[i] = tag ^ i;
}

static bool shows(const volatile uint64_t *p, uint64_t tag)
{
    return p[0] == tag && p[1] == (tag ^ 1) && p[511] == (tag ^ 511);
}

static unsigned long mfn_of(unsigned long pfn)
{
    return kit_pfn_to_mfn(pfn);
}

/* Map the initial-mapping page of pfn writable: want is the expected answer. */
static void expect_writable(const char *what, unsigned long pfn, long want)
{
    long rc = kit_pfn_set_writable(pfn, true);

    kit_expect_rc(what, rc, want);
    if ( rc == 0 )
        kit_pfn_set_writable(pfn, false);
}

static unsigned long new_table(const char *what)
{
    unsigned long pfn = kit_pt_new_table();

    if ( !pfn )
        kit_test_abort("no spare page for %s", what);
    return pfn;
}

/* L1: pin, hook, map, self-maps, unpin while hooked, unhook. */
static void check_l1(unsigned long l2, unsigned int slot, unsigned long va)
{
    unsigned long pfn = new_table("an L1"), mfn = mfn_of(pfn);
    const volatile uint64_t *p0 = (const volatile uint64_t *)va;
    const volatile uint64_t *p1 = (const volatile uint64_t *)(va + 4096);
    const volatile uint64_t *p2 = (const volatile uint64_t *)(va + 2 * 4096);
    long rc;

    kit_expect_rc("pin L1", kit_pin(1, mfn), 0);
    kit_expect_rc("pin L1 again", kit_pin(1, mfn), -XEN_EINVAL);
    expect_writable("map pinned L1 writable", pfn, -XEN_EBUSY);

    kit_expect_rc("hook L1 into L2", kit_pt_set(l2, slot, kit_pte(mfn, table_flags)), 0);
    kit_expect_rc("L1[0] = page_a",
                  kit_pt_set(mfn, 0, kit_pte(kit_virt_to_mfn(page_a), data_flags)), 0);
    rc = HYPERVISOR_update_va_mapping(va + 4096,
                                      kit_pte(kit_virt_to_mfn(page_b), data_flags),
                                      UVMF_INVLPG | UVMF_LOCAL);
    kit_expect_rc("update_va_mapping through the new L1", rc, 0);
    if ( !shows(p0, TAG_A) || !shows(p1, TAG_B) )
        kit_test_failure("new L1 does not map page_a/page_b: %#lx %#lx",
                         (unsigned long)p0[0], (unsigned long)p1[0]);

    /* The L1 mapping itself: read-only yes, writable no. */
    kit_expect_rc("L1 maps itself writable",
                  kit_pt_set(mfn, 2, kit_pte(mfn, data_flags)), -XEN_EBUSY);
    kit_expect_rc("L1 maps itself read-only",
                  kit_pt_set(mfn, 2, kit_pte(mfn, KIT_PTE_P | KIT_PTE_A)), 0);
    if ( kit_pte_mfn(p2[0]) != kit_virt_to_mfn(page_a) ||
         kit_pte_mfn(p2[1]) != kit_virt_to_mfn(page_b) )
        kit_test_failure("L1 read through itself: %#lx %#lx",
                         (unsigned long)p2[0], (unsigned long)p2[1]);
    kit_expect_rc("L1 self-map: make it writable",
                  kit_pt_set(mfn, 2, kit_pte(mfn, data_flags)), -XEN_EBUSY);

    /* Unpinned but still referenced by the L2: still not writable. */
    kit_expect_rc("unpin hooked L1", kit_unpin(mfn), 0);
    kit_expect_rc("unpin L1 again", kit_unpin(mfn), -XEN_EINVAL);
    expect_writable("map hooked, unpinned L1 writable", pfn, -XEN_EBUSY);
    kit_expect_rc("unhook L1", kit_pt_set(l2, slot, 0), 0);
    kit_expect_rc("INVLPG", kit_mmuext(MMUEXT_INVLPG_LOCAL, va), 0);
    if ( !kit_pt_read_faults(p0, NULL) )
        kit_test_failure("va still mapped after unhooking its L1");
    /* Now an ordinary page again. */
    expect_writable("map released L1 writable", pfn, 0);
}

/*
 * L2 pinned empty and filled after; L3 filled before its pin; both hooked
 * (the L2 into the bootstrap L3, the L3 into the live L4). Returns the L3
 * frame, left pinned and hooked at l4slot for the L4 test.
 */
static unsigned long check_l2_l3(unsigned long l3boot, unsigned int l3slot,
                                 unsigned int l4slot, unsigned long *l2_out,
                                 unsigned long *l1_out)
{
    unsigned long l1p = new_table("an L1"), l1 = mfn_of(l1p);
    unsigned long l2p = new_table("an L2"), l2 = mfn_of(l2p);
    unsigned long l3p = kit_spare_pfn(), l3;
    unsigned long va2 = kit_pt_va(511, l3slot, 0, 0);
    unsigned long va3 = kit_pt_va(l4slot, 0, 0, 0);
    const volatile uint64_t *p;
    uint64_t *w;

    if ( !l3p )
        kit_test_abort("no spare page for an L3");
    l3 = mfn_of(l3p);

    kit_expect_rc("pin L1", kit_pin(1, l1), 0);
    kit_expect_rc("L1[0] = page_a",
                  kit_pt_set(l1, 0, kit_pte(kit_virt_to_mfn(page_a), data_flags)), 0);
    kit_expect_rc("pin empty L2", kit_pin(2, l2), 0);
    kit_expect_rc("pin L2 again", kit_pin(2, l2), -XEN_EINVAL);
    kit_expect_rc("pin the L1 as an L2", kit_pin(2, l1), -XEN_EINVAL);
    kit_expect_rc("pin the L2 as an L1", kit_pin(1, l2), -XEN_EINVAL);
    kit_expect_rc("L2[0] = L1", kit_pt_set(l2, 0, kit_pte(l1, table_flags)), 0);
    expect_writable("map pinned L2 writable", l2p, -XEN_EBUSY);
    if ( !kit_pt_write_faults(kit_pfn_to_virt(l2p), 0) )
        kit_test_failure("a write to the pinned L2 did not fault");

    kit_expect_rc("hook L2 into the bootstrap L3",
                  kit_pt_set(l3boot, l3slot, kit_pte(l2, table_flags)), 0);
    p = (const volatile uint64_t *)va2;
    if ( !shows(p, TAG_A) )
        kit_test_failure("L3 -> new L2 -> new L1 does not map page_a: %#lx",
                         (unsigned long)p[0]);

    /* The L3 is written while still writable, then made read-only and pinned. */
    w = kit_pfn_to_virt(l3p);
    memset(w, 0, KIT_PAGE_SIZE);
    w[0] = kit_pte(l2, table_flags);
    w[5] = kit_pte(l2, table_flags);
    kit_expect_rc("pin L3 while mapped writable", kit_pin(3, l3), -XEN_EINVAL);
    kit_expect_rc("make L3 read-only", kit_pfn_set_writable(l3p, false), 0);
    kit_expect_rc("pin filled L3", kit_pin(3, l3), 0);
    expect_writable("map pinned L3 writable", l3p, -XEN_EBUSY);
    kit_expect_rc("hook L3 into the live L4",
                  kit_pt_set(kit_pt_root(), l4slot, kit_pte(l3, table_flags)), 0);
    p = (const volatile uint64_t *)va3;
    if ( !shows(p, TAG_A) )
        kit_test_failure("L4 -> new L3 -> L2 -> L1 does not map page_a: %#lx",
                         (unsigned long)p[0]);
    p = (const volatile uint64_t *)(va3 + (5UL << 30));
    if ( !shows(p, TAG_A) )
        kit_test_failure("L3 slot 5 does not map page_a: %#lx",
                         (unsigned long)p[0]);
    if ( !kit_pt_write_faults(kit_pfn_to_virt(l3p), 0) )
        kit_test_failure("a write to the pinned L3 did not fault");

    /* Unhook the L2 from the bootstrap L3; the new L3 still holds it. */
    kit_expect_rc("unhook L2", kit_pt_set(l3boot, l3slot, 0), 0);
    kit_expect_rc("TLB_FLUSH_LOCAL", kit_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0), 0);
    if ( !kit_pt_read_faults((const volatile void *)va2, NULL) )
        kit_test_failure("va still mapped after unhooking its L2");
    *l2_out = l2;
    *l1_out = l1;
    return l3;
}

/* A new root: copy, pin, switch to it and back, user base pointer. */
static void check_l4(unsigned long l4slot)
{
    unsigned long old = kit_pt_root(), pfn = kit_spare_pfn(), mfn;
    const volatile uint64_t *p = (const volatile uint64_t *)kit_pt_va(l4slot, 0, 0, 0);
    uint64_t *w, e;
    unsigned int i;

    if ( !pfn )
        kit_test_abort("no spare page for an L4");
    mfn = mfn_of(pfn);
    w = kit_pfn_to_virt(pfn);
    for ( i = 0; i < KIT_PT_ENTRIES; i++ )
        w[i] = (i >= KIT_L4_XEN_FIRST && i <= KIT_L4_XEN_LAST) ? 0 :
               kit_pt_read(old, i);
    kit_expect_rc("make L4 read-only", kit_pfn_set_writable(pfn, false), 0);
    kit_expect_rc("pin L4", kit_pin(4, mfn), 0);
    kit_expect_rc("pin L4 again", kit_pin(4, mfn), -XEN_EINVAL);
    expect_writable("map pinned L4 writable", pfn, -XEN_EBUSY);
    if ( !kit_pt_write_faults(w, 0) )
        kit_test_failure("a write to the pinned L4 did not fault");
    /*
     * Xen 4.17 leaves the M2P slot (256) of a pinned L4 empty unless
     * VMASST_TYPE_m2p_strict is on, and fills it when the L4 becomes a
     * kernel base pointer: the M2P reads below prove it is there then.
     */

    kit_expect_rc("NEW_BASEPTR new L4", kit_mmuext(MMUEXT_NEW_BASEPTR, mfn), 0);
    kit_pt_set_root(mfn);
    /* Still running, the image, the M2P and the new L3's pages readable. */
    if ( !shows(page_a, TAG_A) || !shows(p, TAG_A) )
        kit_test_failure("on the new L4: page_a %#lx, slot %lu %#lx",
                         (unsigned long)page_a[0], l4slot, (unsigned long)p[0]);
    if ( kit_mfn_to_pfn(mfn) != pfn )
        kit_test_failure("on the new L4: M2P[%#lx] = %#lx", mfn,
                         kit_mfn_to_pfn(mfn));
    if ( kit_pt_walk((unsigned long)page_b, 1, NULL, &e) ||
         kit_pte_mfn(e) != kit_virt_to_mfn(page_b) )
        kit_test_failure("walk from the new L4 misses page_b");
    /* The live root cannot be unpinned into writability either. */
    expect_writable("map live L4 writable", pfn, -XEN_EBUSY);

    kit_expect_rc("NEW_USER_BASEPTR old L4",
                  kit_mmuext(MMUEXT_NEW_USER_BASEPTR, old), 0);
    kit_expect_rc("NEW_USER_BASEPTR 0", kit_mmuext(MMUEXT_NEW_USER_BASEPTR, 0), 0);
    kit_expect_rc("NEW_BASEPTR back", kit_mmuext(MMUEXT_NEW_BASEPTR, old), 0);
    kit_pt_set_root(old);
    if ( !shows(page_a, TAG_A) )
        kit_test_failure("back on the bootstrap L4: page_a %#lx",
                         (unsigned long)page_a[0]);

    kit_expect_rc("NEW_USER_BASEPTR new L4",
                  kit_mmuext(MMUEXT_NEW_USER_BASEPTR, mfn), 0);
    kit_expect_rc("unpin L4 held as user base", kit_unpin(mfn), 0);
    expect_writable("map user-base L4 writable", pfn, -XEN_EBUSY);
    kit_expect_rc("NEW_USER_BASEPTR 0", kit_mmuext(MMUEXT_NEW_USER_BASEPTR, 0), 0);
    expect_writable("map released L4 writable", pfn, 0);
}

/* CLEAR_PAGE and COPY_PAGE. */
static void check_clear_copy(unsigned long pinned_l1)
{
    struct mmuext_op op = { .cmd = MMUEXT_COPY_PAGE };
    long rc;

    fill(page_c, 0x5555);
    kit_expect_rc("CLEAR_PAGE", kit_mmuext(MMUEXT_CLEAR_PAGE,
                                           kit_virt_to_mfn(page_c)), 0);
    kit_barrier();
    if ( page_c[0] || page_c[1] || page_c[511] )
        kit_test_failure("CLEAR_PAGE left %#lx", (unsigned long)page_c[1]);

    op.arg1.mfn = kit_virt_to_mfn(page_c);
    op.arg2.src_mfn = kit_virt_to_mfn(page_b);
    rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    kit_expect_rc("COPY_PAGE page_b -> page_c", rc, 0);
    kit_barrier();
    if ( !shows(page_c, TAG_B) )
        kit_test_failure("COPY_PAGE left %#lx", (unsigned long)page_c[0]);

    kit_expect_rc("CLEAR_PAGE of a pinned L1",
                  kit_mmuext(MMUEXT_CLEAR_PAGE, pinned_l1), -XEN_EINVAL);
    op.arg1.mfn = pinned_l1;
    op.arg2.src_mfn = kit_virt_to_mfn(page_b);
    kit_expect_rc("COPY_PAGE onto a pinned L1",
                  HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    op.arg1.mfn = kit_virt_to_mfn(page_c);
    op.arg2.src_mfn = pinned_l1;
    kit_expect_rc("COPY_PAGE from a pinned L1",
                  HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
    kit_barrier();
    if ( kit_pte_mfn(page_c[0]) != kit_virt_to_mfn(page_a) )
        kit_test_failure("COPY_PAGE from the L1: entry 0 %#lx",
                         (unsigned long)page_c[0]);
}

void test_main(const start_info_t *si)
{
    unsigned long l2boot, l3boot, l1, l2, l3;
    unsigned int l2slot, l3slot = 509, l4slot = 300;
    uint64_t e;

    fill(page_a, TAG_A);
    fill(page_b, TAG_B);

    /* Free slots next to the image: the L2 entry just past the initial
     * mapping, an L3 entry below the image, an L4 entry in guest space. */
    if ( kit_pt_walk(KIT_VIRT_BASE, 2, &l2boot, NULL) ||
         kit_pt_walk(KIT_VIRT_BASE, 3, &l3boot, NULL) )
        kit_test_abort("cannot walk to the image");
    l2slot = kit_pt_index((unsigned long)kit_pfn_to_virt(kit_initial_mapping_end_pfn()) +
                          (2UL << 20) - 1, 2);
    if ( kit_pt_read(l2boot, l2slot) || kit_pt_read(l3boot, l3slot) ||
         kit_pt_read(kit_pt_root(), l4slot) )
        kit_test_abort("test slots are in use");
    kit_printf("L2 %#lx slot %u, L3 %#lx slot %u, L4 %#lx slot %u\n", l2boot,
               l2slot, l3boot, l3slot, kit_pt_root(), l4slot);

    check_l1(l2boot, l2slot, kit_pt_va(511, kit_pt_index(KIT_VIRT_BASE, 3),
                                       l2slot, 0));
    l3 = check_l2_l3(l3boot, l3slot, l4slot, &l2, &l1);
    check_l4(l4slot);
    check_clear_copy(l1);

    /* Pinning what is mapped writable, base pointers that are not L4s. */
    kit_expect_rc("pin a writable data frame as L1",
                  kit_pin(1, kit_virt_to_mfn(page_c)), -XEN_EINVAL);
    kit_expect_rc("NEW_BASEPTR to a data frame",
                  kit_mmuext(MMUEXT_NEW_BASEPTR, kit_virt_to_mfn(page_c)),
                  -XEN_EINVAL);
    kit_expect_rc("NEW_USER_BASEPTR to a data frame",
                  kit_mmuext(MMUEXT_NEW_USER_BASEPTR, kit_virt_to_mfn(page_c)),
                  -XEN_EINVAL);
    kit_expect_rc("NEW_BASEPTR to a pinned L3",
                  kit_mmuext(MMUEXT_NEW_BASEPTR, l3), -XEN_EINVAL);

    /* Tear down: unhook the L3, unpin all three; none stays a table. */
    kit_expect_rc("unhook L3", kit_pt_set(kit_pt_root(), l4slot, 0), 0);
    kit_expect_rc("unpin L3", kit_unpin(l3), 0);
    kit_expect_rc("unpin L2", kit_unpin(l2), 0);
    kit_expect_rc("unpin L1", kit_unpin(l1), 0);
    kit_expect_rc("TLB_FLUSH_ALL", kit_mmuext(MMUEXT_TLB_FLUSH_ALL, 0), 0);
    expect_writable("map released L3 writable", kit_mfn_to_pfn(l3), 0);
    expect_writable("map released L2 writable", kit_mfn_to_pfn(l2), 0);
    expect_writable("map released L1 writable", kit_mfn_to_pfn(l1), 0);
    /* A released table frame may take another type: the old L1 as an L2. */
    kit_expect_rc("map old L1 writable", kit_pfn_set_writable(kit_mfn_to_pfn(l1), true), 0);
    memset(kit_pfn_to_virt(kit_mfn_to_pfn(l1)), 0, KIT_PAGE_SIZE);
    kit_expect_rc("map old L1 read-only", kit_pfn_set_writable(kit_mfn_to_pfn(l1), false), 0);
    kit_expect_rc("pin the old L1 as an L2", kit_pin(2, l1), 0);
    kit_expect_rc("unpin it", kit_unpin(l1), 0);
    if ( kit_pt_walk(kit_pt_va(l4slot, 0, 0, 0), 1, NULL, &e) == 0 )
        kit_test_failure("L4 slot %u still reaches an L1", l4slot);
    (void)si;
    kit_test_success();
}
