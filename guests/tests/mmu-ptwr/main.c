/* SPDX-License-Identifier: MIT */
/*
 * Test guest mmu-ptwr: writable page tables (trapped writes to L1 frames).
 *
 * Proves, with VMASST_TYPE_writable_pagetables (which Linux requires):
 *  - vm_assist enables it;
 *  - a plain store of a valid entry into a pinned, hooked L1 through its
 *    read-only mapping is carried out as a checked update (no fault; the
 *    new mapping works after an INVLPG), as is a LOCK CMPXCHG (which
 *    reports the old value) and a store of 0 (unmapping);
 *  - a store of an entry Xen would refuse (a foreign frame, the L1 mapping
 *    itself writable, a reserved flag) is not made: the guest gets the
 *    page fault, and the entry keeps its value;
 *  - stores into an L2 or the root are never emulated: they fault.
 * Without the assist Xen 4.17 still emulates such stores into an L1 for a
 * 64-bit PV guest (it does not look at the assist there); the test records
 * what it sees first and does not depend on it.
 */
#include <kit/kit.h>
#include <kit/pt.h>

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));

#define TAG_A 0xa0a0a0a0a0a0a0a0UL
#define TAG_B 0xb0b0b0b0b0b0b0b0UL

static const uint64_t rw_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;
static const uint64_t table_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A;

void test_main(const start_info_t *si)
{
    unsigned long l2boot, l2slot, pfn, l1, va, a, b;
    volatile uint64_t *t;
    const volatile uint64_t *v0, *v1;
    uint64_t prev = 0, e;
    bool priv = si->flags & SIF_PRIVILEGED;
    unsigned int i;
    long rc;

    for ( i = 0; i < 512; i++ )
    {
        page_a[i] = TAG_A ^ i;
        page_b[i] = TAG_B ^ i;
    }
    a = kit_virt_to_mfn(page_a);
    b = kit_virt_to_mfn(page_b);
    if ( kit_pt_walk(KIT_VIRT_BASE, 2, &l2boot, NULL) )
        kit_test_abort("cannot walk to the bootstrap L2");
    l2slot = kit_pt_index((unsigned long)kit_pfn_to_virt(kit_initial_mapping_end_pfn()) +
                          (2UL << 20) - 1, 2);
    va = kit_pt_va(511, kit_pt_index(KIT_VIRT_BASE, 3), l2slot, 0);
    v0 = (const volatile uint64_t *)va;
    v1 = (const volatile uint64_t *)(va + 4096);

    pfn = kit_pt_new_table();
    if ( !pfn )
        kit_test_abort("no spare page");
    l1 = kit_pfn_to_mfn(pfn);
    t = kit_pfn_to_virt(pfn);
    kit_expect_rc("pin L1", kit_pin(1, l1), 0);
    kit_expect_rc("hook L1", kit_pt_set(l2boot, l2slot, kit_pte(l1, table_flags)), 0);

    /* Without the assist: record only. */
    if ( kit_pt_write_faults(&t[5], kit_pte(a, rw_flags)) )
        kit_printf("without writable_pagetables: a store into an L1 faults\n");
    else
        kit_printf("without writable_pagetables: a store into an L1 is emulated "
                   "(entry now %#lx)\n", (unsigned long)kit_pt_read(l1, 5));
    kit_pt_set(l1, 5, 0);

    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
    kit_expect_rc("vm_assist enable writable_pagetables", rc, 0);

    /* A valid entry by a plain store. */
    if ( kit_pt_write_faults(&t[0], kit_pte(a, rw_flags)) )
        kit_test_failure("a valid store into the L1 faulted (error %#lx)",
                         kit_pt_fault_error);
    kit_mmuext(MMUEXT_INVLPG_LOCAL, va);
    if ( kit_pt_read_faults(v0, &e) || e != TAG_A )
        kit_test_failure("store-made entry does not map page_a");
    /* Replace it. */
    if ( kit_pt_write_faults(&t[0], kit_pte(b, rw_flags)) )
        kit_test_failure("replacing an entry by a store faulted");
    kit_mmuext(MMUEXT_INVLPG_LOCAL, va);
    if ( kit_pt_read_faults(v0, &e) || e != TAG_B )
        kit_test_failure("replaced entry does not map page_b");
    /* LOCK CMPXCHG, as a kernel's set_pte_atomic might do. */
    if ( kit_pt_cmpxchg_faults(&t[1], 0, kit_pte(a, rw_flags), &prev) )
        kit_test_failure("LOCK CMPXCHG into the L1 faulted");
    else if ( prev != 0 )
        kit_test_failure("LOCK CMPXCHG saw %#lx, want 0", (unsigned long)prev);
    if ( kit_pt_read_faults(v1, &e) || e != TAG_A )
        kit_test_failure("cmpxchg-made entry does not map page_a");

    /* Entries Xen refuses: the store faults, the entry keeps its value. */
    e = kit_pt_read(l1, 2);
    if ( !kit_pt_write_faults(&t[2], kit_pte(kit_foreign_ram_mfn(), rw_flags)) )
        kit_test_failure("a store mapping a foreign frame did not fault");
    else if ( kit_pt_fault_vector != 14 )
        kit_test_failure("foreign-frame store: vector %lu, want 14",
                         kit_pt_fault_vector);
    if ( !kit_pt_write_faults(&t[2], kit_pte(l1, rw_flags)) )
        kit_test_failure("a store mapping the L1 writable did not fault");
    if ( !priv && !kit_pt_write_faults(&t[2], kit_pte(a, rw_flags | KIT_PTE_PCD)) )
        kit_test_failure("a store with PCD did not fault");
    if ( kit_pt_read(l1, 2) != e )
        kit_test_failure("refused stores changed the entry: %#lx",
                         (unsigned long)kit_pt_read(l1, 2));
    if ( kit_pt_write_faults(&t[2], kit_pte(l1, KIT_PTE_P | KIT_PTE_A)) )
        kit_test_failure("a store mapping the L1 read-only faulted");

    /* Unmap by storing 0. */
    if ( kit_pt_write_faults(&t[0], 0) )
        kit_test_failure("storing 0 into the L1 faulted");
    kit_mmuext(MMUEXT_INVLPG_LOCAL, va);
    if ( !kit_pt_read_faults(v0, NULL) )
        kit_test_failure("va still mapped after storing 0");

    /* Upper levels are never emulated. */
    {
        volatile uint64_t *l2v = kit_pfn_to_virt(kit_mfn_to_pfn(l2boot));
        volatile uint64_t *l4v = (volatile uint64_t *)si->pt_base;

        if ( !kit_pt_write_faults(&l2v[l2slot], l2v[l2slot]) )
            kit_test_failure("a store into the L2 did not fault");
        if ( !kit_pt_write_faults(&l4v[511], l4v[511]) )
            kit_test_failure("a store into the root did not fault");
    }

    /* Clean up: unhook, unpin, the frame is writable again. */
    kit_expect_rc("unhook L1", kit_pt_set(l2boot, l2slot, 0), 0);
    kit_expect_rc("unpin L1", kit_unpin(l1), 0);
    kit_expect_rc("L1 released", kit_pfn_set_writable(pfn, true), 0);
    rc = HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables);
    kit_expect_rc("vm_assist disable writable_pagetables", rc, 0);
    kit_test_success();
}
