/* SPDX-License-Identifier: MIT */
/*
 * Hostile guest hostile-mmu: page-table and frame attacks on the PV MMU.
 *
 * Each attack must be refused with Xen 4.17's errno while the guest goes
 * on; the test ends in SUCCESS when all were refused (so it runs in the
 * oracle too). Where the answer depends on privilege (the oracle boots
 * this as dom0, Tern as a domU) the domU expectation follows Xen 4.17's
 * source for an unprivileged PV domU (no I/O memory capabilities), noted
 * at each place. Attacks:
 *  - map frames it does not own: a RAM frame next to its own, the local
 *    APIC page, a frame past RAM, INVALID_MFN, the M2P's own frames (also
 *    through update_va_mapping_otherdomain with DOMID_XEN);
 *  - a frame the M2P shows in use by another domain (on Tern, a guest
 *    running beside this one; none under the oracle's lone dom0): map,
 *    pin, CLEAR_PAGE, COPY_PAGE to and from, mmu_update inside it,
 *    MACHPHYS_UPDATE, decrease_reservation and XENMEM_exchange of it;
 *  - map its own page tables writable (update_va_mapping, mmu_update, the
 *    fast path of an entry that maps them read-only), write to them;
 *  - pin tables that would give write access to themselves or map what is
 *    not the guest's; an L4 whose hypervisor slots hold garbage;
 *  - change the hypervisor's L4 slots (256..271) of the live root;
 *  - linear page tables: an L4 slot mapping the L4 writable, two L2s
 *    mapping each other, and the read-only variants' upgrade to writable
 *    (XSA-182);
 *  - superpages (PSE) in L2/L3 entries, writable over page tables (XSA-148),
 *    and flags the PV ABI reserves (PCD/PWT/PAT, G in upper levels);
 *  - unpin the live root (allowed: the base pointer keeps its reference);
 *  - give back (decrease_reservation) a pinned table still in use, and
 *    the live root itself: both stay pinned and in use until released
 *    (unpinned, unhooked, unmapped, base pointer moved), then are gone;
 *  - mmuext_op on frames not its own (pin, base pointer, CLEAR_PAGE, and
 *    COPY_PAGE from a frame that is not its own, which would read another
 *    domain's memory), unknown and unsupported commands.
 */
#include <kit/kit.h>
#include <kit/pt.h>

static uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t victim[512] __attribute__((aligned(4096)));

#define TAG_A 0xa0a0a0a0a0a0a0a0UL

static bool priv;                   /* SIF_PRIVILEGED: the oracle's dom0 */
static unsigned long victim_l1;     /* L1 frame and index of victim's entry */
static unsigned int victim_idx;
static unsigned long l2boot, l3boot;
static unsigned int l2free;         /* a free slot of the bootstrap L2 */

static const uint64_t ro_flags = KIT_PTE_P | KIT_PTE_A;
static const uint64_t rw_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;
static const uint64_t table_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A;

/* Expect want as a domU (Tern), want_dom0 as the privileged oracle. */
static void expect2(const char *what, long rc, long want_dom0, long want)
{
    kit_expect_rc(what, rc, priv ? want_dom0 : want);
}

/* A RAM frame next to one of ours that is not ours (see kit/pt.h). */
static unsigned long foreign_ram_mfn(void)
{
    unsigned long m = kit_foreign_ram_mfn();

    if ( !m )
        kit_test_abort("no foreign RAM frame found");
    return m;
}

/* Give victim its own frame back, writable. */
static void victim_restore(void)
{
    long rc = kit_map_mfn((void *)victim, kit_virt_to_mfn((const void *)victim),
                          rw_flags);

    if ( rc )
        kit_test_abort("cannot restore victim: %ld", rc);
}

/*
 * Try to map mfn with flags at victim, by update_va_mapping and by
 * mmu_update of victim's L1 entry; both must give the expected answer.
 */
static void try_map(const char *what, unsigned long mfn, uint64_t flags,
                    long want_dom0, long want)
{
    char buf[96];
    long rc;

    rc = HYPERVISOR_update_va_mapping((unsigned long)victim, kit_pte(mfn, flags),
                                      UVMF_INVLPG | UVMF_LOCAL);
    kit_snprintf(buf, sizeof(buf), "update_va_mapping %s", what);
    expect2(buf, rc, want_dom0, want);
    victim_restore();
    rc = kit_pt_set(victim_l1, victim_idx, kit_pte(mfn, flags));
    kit_snprintf(buf, sizeof(buf), "mmu_update %s", what);
    expect2(buf, rc, want_dom0, want);
    victim_restore();
}

static void attack_foreign_frames(void)
{
    static xen_pfn_t m2p[4];
    struct xen_machphys_mfn_list ml = { .max_extents = 4 };
    unsigned long m = foreign_ram_mfn();
    long rc;

    kit_printf("foreign RAM frame %#lx (M2P %#lx)\n", m, kit_mfn_to_pfn(m));
    /*
     * A RAM frame that is free, Xen's, or another domain's: get_page()
     * finds another (or no) owner, so get_page_from_l1e() fails: -EBUSY
     * for every domain, privileged or not.
     */
    try_map("foreign RAM read-only", m, ro_flags, -XEN_EBUSY, -XEN_EBUSY);
    try_map("foreign RAM writable", m, rw_flags, -XEN_EBUSY, -XEN_EBUSY);
    /*
     * The local APIC page: Xen denies it to dom0 too (-EPERM); a domU has
     * no I/O memory at all: iomem_access_permitted() fails, -EPERM.
     */
    try_map("local APIC", 0xfee00, rw_flags, -XEN_EPERM, -XEN_EPERM);
    /*
     * A frame past RAM (4 GiB on a 512 MiB machine): dom0 holds I/O rights
     * to it, so Xen maps it (answer 0); a domU gets -EPERM.
     */
    try_map("frame past RAM", 0x100000, ro_flags, 0, -XEN_EPERM);
    /*
     * INVALID_MFN (all address bits set): not permitted I/O memory either,
     * and Xen answers -EINVAL rather than -EPERM for this one value.
     */
    try_map("INVALID_MFN", 0xffffffffffUL, ro_flags, -XEN_EINVAL, -XEN_EINVAL);

    /* The M2P table's frames belong to DOMID_XEN, shared read-only. */
    set_xen_guest_handle(ml.extent_start, m2p);
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml);
    kit_expect_rc("machphys_mfn_list", rc, 0);
    kit_printf("M2P: %u extents, first mfn %#lx\n", ml.nr_extents,
               (unsigned long)m2p[0]);
    if ( rc == 0 && ml.nr_extents > 0 && m2p[0] )
    {
        try_map("M2P frame read-only", m2p[0], ro_flags, -XEN_EBUSY, -XEN_EBUSY);
        try_map("M2P frame writable", m2p[0], rw_flags, -XEN_EBUSY, -XEN_EBUSY);
        /*
         * With DOMID_XEN as the frame's owner: XSM's default policy lets
         * only a privileged domain name DOMID_XEN (a domU: -EPERM); dom0
         * may then map the M2P read-only, never writable (-EBUSY: the
         * frame's type is fixed read-only).
         */
        rc = kit_update_va_mapping_otherdomain((unsigned long)victim,
                                               kit_pte(m2p[0], ro_flags),
                                               UVMF_INVLPG | UVMF_LOCAL,
                                               DOMID_XEN);
        expect2("M2P read-only as DOMID_XEN", rc, 0, -XEN_EPERM);
        victim_restore();
        rc = kit_update_va_mapping_otherdomain((unsigned long)victim,
                                               kit_pte(m2p[0], rw_flags),
                                               UVMF_INVLPG | UVMF_LOCAL,
                                               DOMID_XEN);
        expect2("M2P writable as DOMID_XEN", rc, -XEN_EBUSY, -XEN_EPERM);
        victim_restore();
    }
    else
        kit_test_error("no M2P frame to attack");
    rc = kit_update_va_mapping_otherdomain((unsigned long)victim,
                                           kit_pte(kit_virt_to_mfn(page_a), ro_flags),
                                           UVMF_INVLPG | UVMF_LOCAL, 0x7ff0 - 1);
    kit_expect_rc("update_va_mapping_otherdomain of no domain", rc, -XEN_ESRCH);
    victim_restore();
}

/*
 * A frame the M2P says some domain uses as a pfn, which is not ours: on
 * Tern, another guest's page. Nothing may map, pin, read, write, free or
 * exchange it; the answers are those for any frame the guest does not own.
 */
static void attack_other_domain(void)
{
    unsigned long m = kit_other_domain_mfn(), own = kit_virt_to_mfn(page_a);
    struct mmuext_op op = { .cmd = MMUEXT_COPY_PAGE };
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    struct xen_memory_exchange ex = {
        .in = { .nr_extents = 1, .domid = DOMID_SELF },
        .out = { .nr_extents = 1, .domid = DOMID_SELF },
    };
    xen_pfn_t list[1], out[1];

    if ( !m )
    {
        kit_printf("no other domain's frame in the M2P\n");
        return;
    }
    kit_printf("another domain's frame %#lx (its pfn %#lx)\n", m,
               kit_mfn_to_pfn(m));
    try_map("other domain's frame read-only", m, ro_flags, -XEN_EBUSY, -XEN_EBUSY);
    try_map("other domain's frame writable", m, rw_flags, -XEN_EBUSY, -XEN_EBUSY);
    kit_expect_rc("pin other domain's frame", kit_pin(1, m), -XEN_EINVAL);
    kit_expect_rc("CLEAR_PAGE other domain's frame",
                  kit_mmuext(MMUEXT_CLEAR_PAGE, m), -XEN_EINVAL);
    page_a[1] = TAG_A ^ 1;
    op.arg1.mfn = own;
    op.arg2.src_mfn = m;
    kit_expect_rc("COPY_PAGE from other domain's frame",
                  HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    kit_barrier();
    if ( page_a[1] != (TAG_A ^ 1) )
        kit_test_failure("COPY_PAGE from another domain wrote page_a");
    op.arg1.mfn = m;
    op.arg2.src_mfn = own;
    kit_expect_rc("COPY_PAGE onto other domain's frame",
                  HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    kit_expect_rc("mmu_update inside other domain's frame",
                  kit_mmu_update1(kit_pt_maddr(m, 0), 0), -XEN_EINVAL);
    kit_expect_rc("MACHPHYS_UPDATE of other domain's frame",
                  kit_mmu_update1(((uint64_t)m << KIT_PAGE_SHIFT) |
                                  MMU_MACHPHYS_UPDATE, 0), -XEN_EINVAL);
    list[0] = m;
    set_xen_guest_handle(r.extent_start, list);
    kit_expect_rc("decrease_reservation of other domain's frame",
                  HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
    out[0] = 0;
    set_xen_guest_handle(ex.in.extent_start, list);
    set_xen_guest_handle(ex.out.extent_start, out);
    kit_expect_rc("exchange other domain's frame",
                  HYPERVISOR_memory_op(XENMEM_exchange, &ex), -XEN_EINVAL);
    kit_expect_rc("exchange other domain's frame: nr_exchanged",
                  ex.nr_exchanged, 0);
}

/* Every bootstrap table frame: no writable mapping, no write. */
static void attack_own_tables(const start_info_t *si)
{
    unsigned long pfn0 = kit_virt_to_pfn((const void *)si->pt_base), i, l1;
    unsigned int idx = kit_pt_index(si->pt_base, 1);
    volatile uint64_t *l4 = (volatile uint64_t *)si->pt_base;
    uint64_t e, v;

    for ( i = 0; i < si->nr_pt_frames; i++ )
    {
        unsigned long pfn = pfn0 + i;
        char what[64];

        kit_snprintf(what, sizeof(what), "bootstrap table pfn %#lx writable", pfn);
        kit_expect_rc(what, kit_pfn_set_writable(pfn, true), -XEN_EBUSY);
        try_map(what, kit_pfn_to_mfn(pfn), rw_flags, -XEN_EBUSY, -XEN_EBUSY);
    }
    /*
     * The L1 entry that maps the root read-only, given RW: not a fast-path
     * change (RW is not among the flags Xen lets change unchecked), so it
     * is validated and refused; also with PRESERVE_AD.
     */
    if ( kit_pt_walk(si->pt_base, 1, &l1, &e) == 0 )
    {
        kit_expect_rc("root's own L1 entry + RW",
                      kit_pt_set(l1, idx, e | KIT_PTE_RW), -XEN_EBUSY);
        kit_expect_rc("root's own L1 entry + RW (PRESERVE_AD)",
                      kit_mmu_update1(kit_pt_maddr(l1, idx) |
                                      MMU_PT_UPDATE_PRESERVE_AD, e | KIT_PTE_RW),
                      -XEN_EBUSY);
        kit_expect_rc("root's own L1 entry + NX (fast path)",
                      kit_pt_set(l1, idx, e | KIT_PTE_NX), 0);
        kit_expect_rc("root's own L1 entry back", kit_pt_set(l1, idx, e), 0);
        if ( kit_pt_read(l1, idx) & KIT_PTE_RW )
            kit_test_failure("the root's mapping became writable");
    }
    else
        kit_test_error("cannot walk to the root's mapping");
    /* Writes through the read-only mappings fault (the value is unchanged). */
    v = l4[511];
    if ( !kit_pt_write_faults(&l4[511], v) )
        kit_test_failure("a write to the root did not fault");
    if ( !kit_pt_write_faults(kit_pfn_to_virt(kit_mfn_to_pfn(l2boot)),
                              kit_pt_read(l2boot, 0)) )
        kit_test_failure("a write to the bootstrap L2 did not fault");
}

/* Make a new table page filled by fill(), read-only; returns its pfn. */
static unsigned long build_table(void (*fill)(uint64_t *t, void *arg), void *arg)
{
    unsigned long pfn = kit_spare_pfn();
    uint64_t *t;

    if ( !pfn )
        kit_test_abort("out of spare pages");
    t = kit_pfn_to_virt(pfn);
    memset(t, 0, KIT_PAGE_SIZE);
    if ( fill )
        fill(t, arg);
    if ( kit_pfn_set_writable(pfn, false) )
        kit_test_abort("cannot make pfn %#lx read-only", pfn);
    return pfn;
}

struct entry { unsigned int idx; uint64_t val; };

static void fill_entry(uint64_t *t, void *arg)
{
    const struct entry *e = arg;

    t[e->idx] = e->val;
}

/* Pin a table holding one entry; want is the answer; unpin on success. */
static void try_pin(const char *what, unsigned int level, unsigned int idx,
                    uint64_t val, bool self, long want_dom0, long want)
{
    unsigned long pfn = kit_spare_pfn(), mfn;
    char buf[96];
    uint64_t *t;
    long rc;

    if ( !pfn )
        kit_test_abort("out of spare pages");
    mfn = kit_pfn_to_mfn(pfn);
    t = kit_pfn_to_virt(pfn);
    memset(t, 0, KIT_PAGE_SIZE);
    t[idx] = self ? kit_pte(mfn, val) : val;
    kit_pfn_set_writable(pfn, false);
    rc = kit_pin(level, mfn);
    expect2(what, rc, want_dom0, want);
    if ( rc == 0 )
        kit_unpin(mfn);
    /* Whatever happened, the frame must be an ordinary page again. */
    kit_snprintf(buf, sizeof(buf), "%s: released", what);
    kit_expect_rc(buf, kit_pfn_set_writable(pfn, true), 0);
}

static void attack_pins(void)
{
    unsigned long m = foreign_ram_mfn();
    unsigned long l1, l2, l3, l4;
    struct entry e;
    long rc;

    /* An L1 mapping itself writable: -EBUSY (its frame is not writable). */
    try_pin("pin L1 mapping itself writable", 1, 3, rw_flags, true,
            -XEN_EBUSY, -XEN_EBUSY);
    try_pin("pin L1 mapping itself read-only", 1, 3, ro_flags, true, 0, 0);
    try_pin("pin L1 mapping a foreign frame", 1, 0, kit_pte(m, ro_flags),
            false, -XEN_EBUSY, -XEN_EBUSY);
    /* PCD/PWT/PAT: allowed to a domain with I/O rights (dom0), -EINVAL to a domU. */
    try_pin("pin L1 with a PCD entry", 1, 0,
            kit_pte(kit_virt_to_mfn(page_a), ro_flags | KIT_PTE_PCD), false,
            0, -XEN_EINVAL);
    /* Upper levels: PSE, PCD, G are never allowed to a PV guest. */
    try_pin("pin L2 with a superpage", 2, 0,
            kit_pte(kit_virt_to_mfn(page_a) & ~511UL, rw_flags | KIT_PTE_PSE),
            false, -XEN_EINVAL, -XEN_EINVAL);
    /* An L2 entry naming a writable data page as its L1: -EINVAL. */
    try_pin("pin L2 over a writable data page", 2, 0,
            kit_pte(kit_virt_to_mfn(page_a), table_flags), false,
            -XEN_EINVAL, -XEN_EINVAL);
    try_pin("pin L2 mapping itself writable", 2, 0, table_flags, true,
            -XEN_EINVAL, -XEN_EINVAL);
    try_pin("pin L3 mapping itself writable", 3, 0, table_flags, true,
            -XEN_EINVAL, -XEN_EINVAL);
    try_pin("pin L4 mapping itself writable", 4, 0, table_flags, true,
            -XEN_EINVAL, -XEN_EINVAL);
    try_pin("pin L4 mapping itself writable in slot 300", 4, 300, table_flags,
            true, -XEN_EINVAL, -XEN_EINVAL);

    /*
     * An L4 whose chain (L4 -> L3 -> L2 -> L1) ends in a writable mapping
     * of the L4 itself. Built bottom-up unpinned, the L1 entry refers to
     * the L4's frame, which only gets its number once the L4 page is taken.
     */
    l4 = kit_spare_pfn();
    if ( !l4 )
        kit_test_abort("out of spare pages");
    e.idx = 0;
    e.val = kit_pte(kit_pfn_to_mfn(l4), rw_flags);
    l1 = build_table(fill_entry, &e);
    e.val = kit_pte(kit_pfn_to_mfn(l1), table_flags);
    l2 = build_table(fill_entry, &e);
    e.val = kit_pte(kit_pfn_to_mfn(l2), table_flags);
    l3 = build_table(fill_entry, &e);
    memset(kit_pfn_to_virt(l4), 0, KIT_PAGE_SIZE);
    ((uint64_t *)kit_pfn_to_virt(l4))[300] = kit_pte(kit_pfn_to_mfn(l3), table_flags);
    kit_pfn_set_writable(l4, false);
    rc = kit_pin(4, kit_pfn_to_mfn(l4));
    kit_printf("pin L4 whose L1 maps it writable: %ld\n", rc);
    /* The L1 entry cannot get a writable reference to the L4 being validated. */
    kit_expect_rc("pin L4 whose L1 maps it writable", rc, -XEN_EBUSY);
    if ( rc == 0 )
        kit_unpin(kit_pfn_to_mfn(l4));
    kit_expect_rc("L1 of the chain released", kit_pfn_set_writable(l1, true), 0);
    kit_expect_rc("L2 of the chain released", kit_pfn_set_writable(l2, true), 0);
    kit_expect_rc("L3 of the chain released", kit_pfn_set_writable(l3, true), 0);
    kit_expect_rc("L4 of the chain released", kit_pfn_set_writable(l4, true), 0);

    /* Garbage in the hypervisor's slots of a new L4 is replaced by the pin. */
    {
        unsigned long pfn = kit_spare_pfn(), mfn;
        uint64_t *t, garbage;
        unsigned int i;

        if ( !pfn )
            kit_test_abort("out of spare pages");
        mfn = kit_pfn_to_mfn(pfn);
        t = kit_pfn_to_virt(pfn);
        memset(t, 0, KIT_PAGE_SIZE);
        /* Each Xen slot claims the L4 itself, writable. */
        garbage = kit_pte(mfn, table_flags | KIT_PTE_US);
        for ( i = KIT_L4_XEN_FIRST; i <= KIT_L4_XEN_LAST; i++ )
            t[i] = garbage;
        kit_pfn_set_writable(pfn, false);
        kit_expect_rc("pin L4 with garbage in Xen's slots", kit_pin(4, mfn), 0);
        for ( i = KIT_L4_XEN_FIRST; i <= KIT_L4_XEN_LAST; i++ )
            if ( kit_pt_read(mfn, i) == garbage )
                kit_test_failure("L4 slot %u kept the guest's value", i);
        kit_expect_rc("unpin it", kit_unpin(mfn), 0);
        kit_pt_window_clear();
        kit_expect_rc("garbage L4 released", kit_pfn_set_writable(pfn, true), 0);
    }
}

/* The live root's hypervisor slots cannot be changed. */
static void attack_xen_slots(void)
{
    unsigned long root = kit_pt_root();
    uint64_t before[KIT_L4_XEN_LAST + 1];
    unsigned int i;

    for ( i = KIT_L4_XEN_FIRST; i <= KIT_L4_XEN_LAST; i++ )
        before[i] = kit_pt_read(root, i);
    for ( i = KIT_L4_XEN_FIRST; i <= KIT_L4_XEN_LAST; i++ )
    {
        char what[48];

        kit_snprintf(what, sizeof(what), "clear L4 slot %u", i);
        kit_expect_rc(what, kit_pt_set(root, i, 0), -XEN_EINVAL);
        kit_snprintf(what, sizeof(what), "set L4 slot %u", i);
        kit_expect_rc(what, kit_pt_set(root, i, kit_pte(l3boot, table_flags)),
                      -XEN_EINVAL);
    }
    for ( i = KIT_L4_XEN_FIRST; i <= KIT_L4_XEN_LAST; i++ )
        if ( kit_pt_read(root, i) != before[i] )
            kit_test_failure("L4 slot %u changed", i);
}

/* Linear (recursive) page tables. */
static void attack_linear(void)
{
    unsigned long root = kit_pt_root();
    unsigned long a = kit_pt_new_table(), b = kit_pt_new_table(), ma, mb;
    unsigned int slot = 400;
    long rc;

    /* The root mapping itself writable would expose every PTE: refused. */
    kit_expect_rc("L4 slot -> the L4 itself, writable",
                  kit_pt_set(root, slot, kit_pte(root, table_flags)), -XEN_EINVAL);
    /* Read-only: Xen 4.17 allows this linear mapping (pv-linear-pt). */
    rc = kit_pt_set(root, slot, kit_pte(root, ro_flags));
    kit_printf("L4 slot -> the L4 itself, read-only: %ld\n", rc);
    if ( rc != 0 && rc != -XEN_EINVAL )
        kit_test_failure("read-only linear L4 entry: %ld", rc);
    if ( rc == 0 )
    {
        const volatile uint64_t *self =
            (const volatile uint64_t *)kit_pt_va(slot, slot, slot, slot);

        if ( self[511] != kit_pt_read(root, 511) )
            kit_test_failure("linear map shows %#lx for L4[511]",
                             (unsigned long)self[511]);
        if ( !kit_pt_write_faults((volatile uint64_t *)&self[511], self[511]) )
            kit_test_failure("a write through the linear map did not fault");
        /* XSA-182: adding RW to the entry must not take the fast path. */
        kit_expect_rc("linear L4 entry upgraded to writable",
                      kit_pt_set(root, slot, kit_pte(root, table_flags)),
                      -XEN_EINVAL);
        kit_expect_rc("linear L4 entry + NX (fast path)",
                      kit_pt_set(root, slot, kit_pte(root, ro_flags | KIT_PTE_NX)), 0);
        kit_expect_rc("remove linear L4 entry", kit_pt_set(root, slot, 0), 0);
        kit_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
    }

    /* Two L2s pointing at each other. */
    if ( !a || !b )
        kit_test_abort("out of spare pages");
    ma = kit_pfn_to_mfn(a);
    mb = kit_pfn_to_mfn(b);
    kit_expect_rc("pin L2 a", kit_pin(2, ma), 0);
    kit_expect_rc("pin L2 b", kit_pin(2, mb), 0);
    kit_expect_rc("L2 a -> L2 b writable",
                  kit_pt_set(ma, 0, kit_pte(mb, table_flags)), -XEN_EINVAL);
    rc = kit_pt_set(ma, 0, kit_pte(mb, ro_flags));
    kit_printf("L2 a -> L2 b read-only: %ld\n", rc);
    if ( rc != 0 && rc != -XEN_EINVAL )
        kit_test_failure("read-only linear L2 entry: %ld", rc);
    /* Whatever a -> b gave, b -> a closes a loop: refused. */
    kit_expect_rc("L2 b -> L2 a read-only (loop)",
                  kit_pt_set(mb, 0, kit_pte(ma, ro_flags)), -XEN_EINVAL);
    kit_expect_rc("L2 b -> L2 a writable (loop)",
                  kit_pt_set(mb, 0, kit_pte(ma, table_flags)), -XEN_EINVAL);
    if ( rc == 0 )
        kit_expect_rc("L2 a -> L2 b upgraded to writable",
                      kit_pt_set(ma, 0, kit_pte(mb, table_flags)), -XEN_EINVAL);
    kit_expect_rc("clear a", kit_pt_set(ma, 0, 0), 0);
    kit_expect_rc("unpin a", kit_unpin(ma), 0);
    kit_expect_rc("unpin b", kit_unpin(mb), 0);
    kit_expect_rc("L2 a released", kit_pfn_set_writable(a, true), 0);
    kit_expect_rc("L2 b released", kit_pfn_set_writable(b, true), 0);
}

/* Superpages and reserved flags in upper-level entries of live tables. */
static void attack_flags(void)
{
    unsigned long l1p = kit_pt_new_table(), l1;
    unsigned long big = kit_pt_root() & ~511UL;      /* 2 MiB over the tables */

    if ( !l1p )
        kit_test_abort("out of spare pages");
    l1 = kit_pfn_to_mfn(l1p);
    /* XSA-148: a writable 2 MiB superpage over the guest's page tables. */
    kit_expect_rc("L2 superpage over the page tables, writable",
                  kit_pt_set(l2boot, l2free, kit_pte(big, rw_flags | KIT_PTE_PSE)),
                  -XEN_EINVAL);
    kit_expect_rc("L2 superpage, read-only",
                  kit_pt_set(l2boot, l2free, kit_pte(big, ro_flags | KIT_PTE_PSE)),
                  -XEN_EINVAL);
    kit_expect_rc("L3 1 GiB superpage",
                  kit_pt_set(l3boot, 508, kit_pte(0, rw_flags | KIT_PTE_PSE)),
                  -XEN_EINVAL);
    kit_expect_rc("L2 entry with PCD",
                  kit_pt_set(l2boot, l2free, kit_pte(l1, table_flags | KIT_PTE_PCD)),
                  -XEN_EINVAL);
    kit_expect_rc("L2 entry with PWT",
                  kit_pt_set(l2boot, l2free, kit_pte(l1, table_flags | KIT_PTE_PWT)),
                  -XEN_EINVAL);
    kit_expect_rc("L2 entry with G",
                  kit_pt_set(l2boot, l2free, kit_pte(l1, table_flags | KIT_PTE_G)),
                  -XEN_EINVAL);
    kit_expect_rc("L4 entry with G",
                  kit_pt_set(kit_pt_root(), 401, kit_pte(l3boot, table_flags | KIT_PTE_G)),
                  -XEN_EINVAL);
    /* Allowed flags in an L2 entry: AVAIL bits and NX. */
    kit_expect_rc("L2 entry with AVAIL and NX",
                  kit_pt_set(l2boot, l2free, kit_pte(l1, table_flags | KIT_PTE_AVAIL |
                                                      KIT_PTE_NX)), 0);
    kit_expect_rc("clear the L2 entry", kit_pt_set(l2boot, l2free, 0), 0);
    /* L1 cache attributes: allowed with I/O rights (dom0), -EINVAL to a domU. */
    try_map("own page with PCD", kit_virt_to_mfn(page_a), rw_flags | KIT_PTE_PCD,
            0, -XEN_EINVAL);
    try_map("own page with PWT", kit_virt_to_mfn(page_a), rw_flags | KIT_PTE_PWT,
            0, -XEN_EINVAL);
    try_map("own page with PAT", kit_virt_to_mfn(page_a), rw_flags | KIT_PTE_PSE,
            0, -XEN_EINVAL);
    /* G, AVAIL and the high available bits are allowed in an L1 entry. */
    try_map("own page with G|AVAIL|bit 62", kit_virt_to_mfn(page_a),
            rw_flags | KIT_PTE_G | KIT_PTE_AVAIL | (1UL << 62), 0, 0);
    kit_expect_rc("released L1", kit_pfn_set_writable(l1p, true), 0);
}

/* Unpin the live root: allowed; it stays a root, not writable. */
static void attack_unpin_root(void)
{
    unsigned long root = kit_pt_root();

    kit_expect_rc("unpin the live root", kit_unpin(root), 0);
    if ( page_a[5] != (TAG_A ^ 5) )
        kit_test_failure("memory changed after unpinning the root");
    try_map("unpinned live root writable", root, rw_flags, -XEN_EBUSY, -XEN_EBUSY);
    kit_expect_rc("unpin it again", kit_unpin(root), -XEN_EINVAL);
    kit_expect_rc("pin it again", kit_pin(4, root), 0);
}

/* mmuext_op on frames that are not the guest's. */
static void attack_mmuext(void)
{
    unsigned long m = foreign_ram_mfn();
    struct mmuext_op op = { .cmd = MMUEXT_COPY_PAGE };
    unsigned int done = 99;
    long rc;

    kit_expect_rc("pin a foreign frame", kit_pin(1, m), -XEN_EINVAL);
    kit_expect_rc("pin INVALID_MFN", kit_pin(4, ~0UL), -XEN_EINVAL);
    kit_expect_rc("unpin a foreign frame", kit_unpin(m), -XEN_EINVAL);
    kit_expect_rc("NEW_BASEPTR foreign", kit_mmuext(MMUEXT_NEW_BASEPTR, m),
                  -XEN_EINVAL);
    kit_expect_rc("NEW_USER_BASEPTR foreign",
                  kit_mmuext(MMUEXT_NEW_USER_BASEPTR, m), -XEN_EINVAL);
    kit_expect_rc("CLEAR_PAGE foreign", kit_mmuext(MMUEXT_CLEAR_PAGE, m),
                  -XEN_EINVAL);
    page_a[0] = TAG_A;
    op.arg1.mfn = kit_virt_to_mfn(page_a);
    op.arg2.src_mfn = m;
    rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    kit_expect_rc("COPY_PAGE from a foreign frame", rc, -XEN_EINVAL);
    kit_expect_rc("COPY_PAGE from a foreign frame: done", done, 0);
    kit_barrier();
    if ( page_a[0] != TAG_A )
        kit_test_failure("COPY_PAGE from a foreign frame wrote page_a");
    op.arg1.mfn = m;
    op.arg2.src_mfn = kit_virt_to_mfn(page_a);
    kit_expect_rc("COPY_PAGE onto a foreign frame",
                  HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    op.arg1.mfn = ~0UL;
    kit_expect_rc("COPY_PAGE onto INVALID_MFN",
                  HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    kit_expect_rc("unknown mmuext command", kit_mmuext(99, 0), -XEN_ENOSYS);
    kit_expect_rc("MMUEXT_MARK_SUPER", kit_mmuext(MMUEXT_MARK_SUPER,
                                                  kit_virt_to_mfn(page_a)),
                  -XEN_EOPNOTSUPP);
    kit_expect_rc("MMUEXT_UNMARK_SUPER", kit_mmuext(MMUEXT_UNMARK_SUPER,
                                                    kit_virt_to_mfn(page_a)),
                  -XEN_EOPNOTSUPP);
    /* WBINVD needs I/O rights: dom0 0, a domU -EACCES. */
    expect2("MMUEXT_FLUSH_CACHE", kit_mmuext(MMUEXT_FLUSH_CACHE, 0), 0,
            -XEN_EACCES);
    /* A foreign domain that does not exist. */
    op.cmd = MMUEXT_TLB_FLUSH_LOCAL;
    kit_expect_rc("mmuext_op for no domain",
                  HYPERVISOR_mmuext_op(&op, 1, NULL, 0x7ff0 - 1), -XEN_ESRCH);
}

/*
 * decrease_reservation of a pinned L1 that is hooked in: Xen 4.17 drops
 * only the allocation reference (older Xen also dropped the pin); the pin,
 * the L2 entry and the mapping keep it alive and working; once unpinned,
 * unhooked and unmapped it is gone.
 */
static void attack_free_table(const start_info_t *si)
{
    domid_t self = DOMID_SELF;
    unsigned long pfn = kit_pt_new_table(), mfn;
    unsigned long va = kit_pt_va(511, kit_pt_index(KIT_VIRT_BASE, 3), l2free, 0);
    const volatile uint64_t *p = (const volatile uint64_t *)va;
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    xen_pfn_t list[1];
    long cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self), rc;

    if ( !pfn )
        kit_test_abort("out of spare pages");
    mfn = kit_pfn_to_mfn(pfn);
    set_xen_guest_handle(r.extent_start, list);
    kit_expect_rc("pin L1", kit_pin(1, mfn), 0);
    kit_expect_rc("hook L1", kit_pt_set(l2boot, l2free, kit_pte(mfn, table_flags)), 0);
    kit_expect_rc("map page_a", kit_pt_set(mfn, 0, kit_pte(kit_virt_to_mfn(page_a),
                                                           rw_flags)), 0);
    list[0] = mfn;
    rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
    kit_expect_rc("decrease_reservation of a live L1", rc, 1);
    if ( p[5] != (TAG_A ^ 5) )
        kit_test_failure("the freed L1 no longer maps page_a: %#lx",
                         (unsigned long)p[5]);
    /* Xen 4.17 left it pinned: the guest's unpin is what releases it. */
    kit_expect_rc("unpin the freed L1", kit_unpin(mfn), 0);
    kit_expect_rc("unpin the freed L1 again", kit_unpin(mfn), -XEN_EINVAL);
    if ( p[6] != (TAG_A ^ 6) )
        kit_test_failure("the freed, unpinned L1 no longer maps page_a");
    kit_expect_rc("unhook it", kit_pt_set(l2boot, l2free, 0), 0);
    kit_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
    kit_pt_window_clear();
    kit_expect_rc("unmap it", HYPERVISOR_update_va_mapping(
                      (unsigned long)kit_pfn_to_virt(pfn), 0,
                      UVMF_INVLPG | UVMF_LOCAL), 0);
    kit_expect_rc("current after the freed L1 went",
                  HYPERVISOR_memory_op(XENMEM_current_reservation, &self), cur - 1);
    kit_expect_rc("pin the freed L1", kit_pin(1, mfn), -XEN_EINVAL);
    try_map("the freed L1", mfn, ro_flags, -XEN_EBUSY, -XEN_EBUSY);
    list[0] = pfn;
    kit_expect_rc("populate a frame back",
                  HYPERVISOR_memory_op(XENMEM_populate_physmap, &r), 1);
    ((unsigned long *)si->mfn_list)[pfn] = list[0];
}

/*
 * The last attack: give back the live root. It stays the root (the base
 * pointer holds it) and the guest runs on; after switching to a copy and
 * dropping the read-only mapping of the old one, the old root is gone and
 * cannot become the base pointer again.
 */
static void attack_free_root(const start_info_t *si)
{
    domid_t self = DOMID_SELF;
    unsigned long old = kit_pt_root(), pfn = kit_spare_pfn(), mfn;
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    xen_pfn_t list[1] = { old };
    long cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    uint64_t *t;
    unsigned int i;

    if ( !pfn )
        kit_test_abort("out of spare pages");
    mfn = kit_pfn_to_mfn(pfn);
    t = kit_pfn_to_virt(pfn);
    for ( i = 0; i < KIT_PT_ENTRIES; i++ )
        t[i] = (i >= KIT_L4_XEN_FIRST && i <= KIT_L4_XEN_LAST) ? 0 :
               kit_pt_read(old, i);
    kit_pfn_set_writable(pfn, false);
    kit_expect_rc("pin the copy", kit_pin(4, mfn), 0);

    set_xen_guest_handle(r.extent_start, list);
    kit_expect_rc("decrease_reservation of the live root",
                  HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 1);
    if ( page_a[9] != (TAG_A ^ 9) )
        kit_test_failure("memory changed after freeing the root");
    /* Still pinned (Xen 4.17), and still the base pointer after the unpin. */
    kit_expect_rc("unpin the freed root", kit_unpin(old), 0);
    if ( page_a[9] != (TAG_A ^ 9) )
        kit_test_failure("memory changed after unpinning the freed root");
    kit_expect_rc("switch to the copy", kit_mmuext(MMUEXT_NEW_BASEPTR, mfn), 0);
    kit_pt_set_root(mfn);
    kit_pt_window_clear();
    kit_expect_rc("unmap the old root",
                  HYPERVISOR_update_va_mapping(si->pt_base, 0,
                                               UVMF_INVLPG | UVMF_LOCAL), 0);
    kit_expect_rc("current after the old root went",
                  HYPERVISOR_memory_op(XENMEM_current_reservation, &self), cur - 1);
    kit_expect_rc("switch back to the freed root",
                  kit_mmuext(MMUEXT_NEW_BASEPTR, old), -XEN_EINVAL);
    try_map("the freed root", old, ro_flags, -XEN_EBUSY, -XEN_EBUSY);
    if ( page_a[9] != (TAG_A ^ 9) )
        kit_test_failure("memory changed on the copied root");
}

void test_main(const start_info_t *si)
{
    unsigned int i;

    priv = si->flags & SIF_PRIVILEGED;
    kit_printf("hostile-mmu: %s\n", priv ? "privileged (dom0)" : "unprivileged");
    for ( i = 0; i < 512; i++ )
        page_a[i] = TAG_A ^ i;
    if ( kit_pt_walk((unsigned long)victim, 1, &victim_l1, NULL) ||
         kit_pt_walk(KIT_VIRT_BASE, 2, &l2boot, NULL) ||
         kit_pt_walk(KIT_VIRT_BASE, 3, &l3boot, NULL) )
        kit_test_abort("cannot walk the bootstrap tables");
    victim_idx = kit_pt_index((unsigned long)victim, 1);
    l2free = kit_pt_index((unsigned long)kit_pfn_to_virt(kit_initial_mapping_end_pfn()) +
                          (2UL << 20) - 1, 2);
    if ( kit_pt_read(l2boot, l2free) || kit_pt_read(l3boot, 508) ||
         kit_pt_read(kit_pt_root(), 400) || kit_pt_read(kit_pt_root(), 401) )
        kit_test_abort("test slots are in use");

    attack_foreign_frames();
    attack_other_domain();
    attack_own_tables(si);
    attack_pins();
    attack_xen_slots();
    attack_linear();
    attack_flags();
    attack_unpin_root();
    attack_mmuext();
    attack_free_table(si);
    attack_free_root(si);
    kit_test_success();
}
