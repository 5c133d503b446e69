/* SPDX-License-Identifier: MIT */
/*
 * Test guest mmu-basic: the everyday PV MMU calls on the guest's own frames.
 *
 * Proves:
 *  - the bootstrap tables: the root at start_info pt_base is a frame of the
 *    guest, mapped read-only, and a walk of the tables from it finds the
 *    guest's own P2M frames behind its image;
 *  - mmu_update MMU_NORMAL_PT_UPDATE remaps a page of the image to another
 *    frame of the guest (read and write through the new mapping), and
 *    MMU_PT_UPDATE_NO_TRANSLATE does the same for a PV guest;
 *  - MMU_PT_UPDATE_PRESERVE_AD keeps the accessed/dirty bits of the old
 *    entry (ORed into the new one), MMU_NORMAL_PT_UPDATE does not;
 *  - MMU_MACHPHYS_UPDATE sets the M2P entry of an own frame (read back
 *    through the M2P table);
 *  - a batch whose entry k fails stops there: *done = k, the answer is that
 *    entry's errno, and the entries after it are not applied;
 *  - mmu_update on a frame that is not a page table writes the value like a
 *    plain store (Xen takes a writable type reference for the write);
 *  - update_va_mapping with every flush type (none, INVLPG, TLB_FLUSH) and
 *    target (LOCAL, ALL, a vCPU mask), and update_va_mapping_otherdomain
 *    with DOMID_SELF: each new mapping is what a read sees;
 *  - mmuext_op TLB_FLUSH_LOCAL / INVLPG_LOCAL / TLB_FLUSH_MULTI /
 *    INVLPG_MULTI / TLB_FLUSH_ALL / INVLPG_ALL succeed and a read after each
 *    sees the entry changed (without a flush) just before.
 * Nothing here depends on privilege: a domU gets the same answers as the
 * oracle's dom0.
 */
#include <kit/kit.h>
#include <kit/pt.h>

/* Data pages with known content, and a page whose mapping is moved around. */
static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));
static volatile uint64_t alias[512] __attribute__((aligned(4096)));

#define TAG_A 0xa0a0a0a0a0a0a0a0UL
#define TAG_B 0xb0b0b0b0b0b0b0b0UL

static unsigned long alias_l1;      /* L1 frame holding alias's entry */
static unsigned int alias_idx;      /* alias's index in it */

static const uint64_t rw_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;

static void fill(uint64_t *p, uint64_t tag)
{
    unsigned int i;

    for ( i = 0; i < 512; i++ )
        p[i] = tag ^ i;
}

/* True when alias shows the page filled with tag. */
static bool alias_shows(uint64_t tag)
{
    return alias[0] == tag && alias[1] == (tag ^ 1) && alias[511] == (tag ^ 511);
}

/* Point alias's L1 entry at mfn by mmu_update (no flush). */
static long alias_set(unsigned long mfn, unsigned int cmd)
{
    return kit_mmu_update1(kit_pt_maddr(alias_l1, alias_idx) | cmd,
                           kit_pte(mfn, rw_flags));
}

static void check_walk(const start_info_t *si)
{
    unsigned long root = kit_pt_root(), l1, va;
    uint64_t e;

    if ( root != kit_virt_to_mfn((const void *)si->pt_base) )
        kit_test_failure("root %#lx is not the frame of pt_base", root);
    kit_printf("root L4 mfn %#lx (pfn %#lx), %lu bootstrap frames\n", root,
               kit_mfn_to_pfn(root), si->nr_pt_frames);

    /* Several pages of the image: each maps the frame the P2M names. */
    const void *pages[] = { page_a, page_b, (const void *)si, (const void *)si->pt_base };
    unsigned int i;

    for ( i = 0; i < KIT_ARRAY_SIZE(pages); i++ )
    {
        va = (unsigned long)pages[i];
        if ( kit_pt_walk(va, 1, &l1, &e) )
        {
            kit_test_failure("walk of %#lx: no L1", va);
            continue;
        }
        if ( !(e & KIT_PTE_P) || kit_pte_mfn(e) != kit_virt_to_mfn(pages[i]) )
            kit_test_failure("L1 entry of %#lx is %#llx, want mfn %#lx", va,
                             (unsigned long long)e, kit_virt_to_mfn(pages[i]));
    }
    /* The bootstrap tables are mapped read-only, the image's data writable. */
    if ( kit_pt_walk(si->pt_base, 1, NULL, &e) == 0 && (e & KIT_PTE_RW) )
        kit_test_failure("pt_base is mapped writable: %#llx",
                         (unsigned long long)e);
    if ( kit_pt_walk((unsigned long)page_a, 1, NULL, &e) == 0 &&
         !(e & KIT_PTE_RW) )
        kit_test_failure("page_a is mapped read-only: %#llx",
                         (unsigned long long)e);
    /* The root's Xen slot 256 holds the read-only M2P the kit reads. */
    if ( !(kit_pt_read(root, KIT_L4_XEN_FIRST) & KIT_PTE_P) )
        kit_test_failure("L4 slot 256 (M2P) is not present");
}

static void check_normal_update(void)
{
    long rc;

    rc = alias_set(kit_virt_to_mfn(page_a), MMU_NORMAL_PT_UPDATE);
    kit_expect_rc("mmu_update alias -> page_a", rc, 0);
    kit_expect_rc("INVLPG_LOCAL", kit_mmuext(MMUEXT_INVLPG_LOCAL,
                                             (unsigned long)alias), 0);
    if ( !alias_shows(TAG_A) )
        kit_test_failure("alias does not show page_a: %#lx",
                         (unsigned long)alias[0]);
    alias[7] = 0x1234;
    kit_barrier();      /* page_a changed behind the compiler's back */
    if ( page_a[7] != 0x1234 )
        kit_test_failure("a write through alias did not reach page_a");
    page_a[7] = TAG_A ^ 7;

    rc = alias_set(kit_virt_to_mfn(page_b), MMU_PT_UPDATE_NO_TRANSLATE);
    kit_expect_rc("mmu_update NO_TRANSLATE alias -> page_b", rc, 0);
    kit_expect_rc("INVLPG_LOCAL", kit_mmuext(MMUEXT_INVLPG_LOCAL,
                                             (unsigned long)alias), 0);
    if ( !alias_shows(TAG_B) )
        kit_test_failure("alias does not show page_b after NO_TRANSLATE");
}

static void check_preserve_ad(void)
{
    unsigned long mfn = kit_virt_to_mfn(page_a);
    uint64_t e;
    long rc;

    /* Old entry has A and D; the new value has neither. */
    rc = kit_pt_set(alias_l1, alias_idx, kit_pte(mfn, rw_flags));
    kit_expect_rc("set alias with A|D", rc, 0);
    rc = kit_mmu_update1(kit_pt_maddr(alias_l1, alias_idx) |
                         MMU_PT_UPDATE_PRESERVE_AD,
                         kit_pte(mfn, KIT_PTE_P | KIT_PTE_RW));
    kit_expect_rc("PRESERVE_AD update", rc, 0);
    e = kit_pt_read(alias_l1, alias_idx);
    if ( (e & (KIT_PTE_A | KIT_PTE_D)) != (KIT_PTE_A | KIT_PTE_D) ||
         kit_pte_mfn(e) != mfn )
        kit_test_failure("PRESERVE_AD: entry %#llx lost A/D or its frame",
                         (unsigned long long)e);
    /* A normal update replaces them. */
    rc = kit_pt_set(alias_l1, alias_idx, kit_pte(mfn, KIT_PTE_P | KIT_PTE_RW));
    kit_expect_rc("NORMAL update without A/D", rc, 0);
    e = kit_pt_read(alias_l1, alias_idx);
    if ( e & (KIT_PTE_A | KIT_PTE_D) )
        kit_test_failure("NORMAL update kept A/D: %#llx",
                         (unsigned long long)e);
    kit_mmuext(MMUEXT_INVLPG_LOCAL, (unsigned long)alias);
}

static void check_machphys(void)
{
    unsigned long mfn = kit_virt_to_mfn(page_c), pfn = kit_virt_to_pfn(page_c);
    long rc;

    rc = kit_mmu_update1(((uint64_t)mfn << KIT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                         0x12345);
    kit_expect_rc("MACHPHYS_UPDATE", rc, 0);
    if ( kit_mfn_to_pfn(mfn) != 0x12345 )
        kit_test_failure("M2P[%#lx] = %#lx after MACHPHYS_UPDATE, want 0x12345",
                         mfn, kit_mfn_to_pfn(mfn));
    rc = kit_mmu_update1(((uint64_t)mfn << KIT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                         pfn);
    kit_expect_rc("MACHPHYS_UPDATE back", rc, 0);
    if ( kit_mfn_to_pfn(mfn) != pfn )
        kit_test_failure("M2P[%#lx] = %#lx, want %#lx", mfn,
                         kit_mfn_to_pfn(mfn), pfn);
}

/* A batch of four whose third entry is refused. */
static void check_batch(void)
{
    unsigned long mfn = kit_virt_to_mfn(page_c), pfn = kit_virt_to_pfn(page_c);
    uint64_t self = ((uint64_t)mfn << KIT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
    mmu_update_t req[4] = {
        { .ptr = self, .val = pfn },
        { .ptr = kit_pt_maddr(alias_l1, alias_idx),
          .val = kit_pte(kit_virt_to_mfn(page_a), rw_flags) },
        /* A frame number far beyond any RAM: no page to update. */
        { .ptr = (0xfffffffffUL << KIT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
          .val = 0 },
        { .ptr = self, .val = 0x777 },
    };
    unsigned int done = 99;
    long rc;

    rc = HYPERVISOR_mmu_update(req, 4, &done, DOMID_SELF);
    kit_printf("batch with bad entry 2: rc %ld done %u\n", rc, done);
    /* Xen 4.17: the MACHPHYS_UPDATE of a frame it cannot get is -EINVAL. */
    kit_expect_rc("batch rc", rc, -XEN_EINVAL);
    kit_expect_rc("batch done", done, 2);
    if ( kit_mfn_to_pfn(mfn) != pfn )
        kit_test_failure("entry 3 after the failed one was applied");
    kit_mmuext(MMUEXT_INVLPG_LOCAL, (unsigned long)alias);
    if ( !alias_shows(TAG_A) )
        kit_test_failure("entry 1 before the failed one was not applied");

    /* A batch that succeeds reports all done. */
    req[2] = req[0];
    req[3] = req[0];
    done = 99;
    rc = HYPERVISOR_mmu_update(req, 4, &done, DOMID_SELF);
    kit_expect_rc("good batch rc", rc, 0);
    kit_expect_rc("good batch done", done, 4);
    /* count 0 is a no-op that reports 0 done. */
    done = 99;
    rc = HYPERVISOR_mmu_update(req, 0, &done, DOMID_SELF);
    kit_expect_rc("empty batch rc", rc, 0);
    kit_expect_rc("empty batch done", done, 0);
}

/*
 * Xen 4.17: the target frame of an MMU_NORMAL_PT_UPDATE need not be a page
 * table. For a frame of any other type (here one mapped writable, so of
 * writable type) Xen takes a writable type reference and stores val.
 */
static void check_plain_frame(void)
{
    long rc;

    page_c[16] = 0;
    rc = kit_mmu_update1(kit_pt_maddr(kit_virt_to_mfn(page_c), 16), 0xfeedf00d);
    kit_expect_rc("mmu_update of a data frame", rc, 0);
    if ( page_c[16] != 0xfeedf00d )
        kit_test_failure("mmu_update of a data frame: word is %#lx",
                         (unsigned long)page_c[16]);
}

/* update_va_mapping with each flag combination, alternating A and B. */
static void check_update_va_mapping(void)
{
    static unsigned long vcpumask = 1;      /* vCPU 0 */
    static const struct { unsigned long flags; const char *name; } f[] = {
        { UVMF_INVLPG | UVMF_LOCAL, "INVLPG|LOCAL" },
        { UVMF_TLB_FLUSH | UVMF_LOCAL, "TLB_FLUSH|LOCAL" },
        { UVMF_INVLPG | UVMF_ALL, "INVLPG|ALL" },
        { UVMF_TLB_FLUSH | UVMF_ALL, "TLB_FLUSH|ALL" },
        { UVMF_INVLPG | UVMF_MULTI, "INVLPG|MULTI" },
        { UVMF_TLB_FLUSH | UVMF_MULTI, "TLB_FLUSH|MULTI" },
        { UVMF_NONE, "NONE" },
    };
    unsigned int i;
    long rc;

    for ( i = 0; i < KIT_ARRAY_SIZE(f); i++ )
    {
        bool b = i & 1;
        unsigned long flags = f[i].flags;
        char what[64];

        if ( (flags & ~UVMF_FLUSHTYPE_MASK) == UVMF_MULTI &&
             (flags & UVMF_FLUSHTYPE_MASK) )
            flags |= (unsigned long)&vcpumask;
        (void)alias[0];     /* load the old translation */
        rc = HYPERVISOR_update_va_mapping(
            (unsigned long)alias,
            kit_pte(kit_virt_to_mfn(b ? page_b : page_a), rw_flags), flags);
        kit_snprintf(what, sizeof(what), "update_va_mapping %s", f[i].name);
        kit_expect_rc(what, rc, 0);
        if ( (flags & UVMF_FLUSHTYPE_MASK) == UVMF_NONE )
            kit_mmuext(MMUEXT_INVLPG_LOCAL, (unsigned long)alias);
        if ( !alias_shows(b ? TAG_B : TAG_A) )
            kit_test_failure("%s: alias shows %#lx", what,
                             (unsigned long)alias[0]);
    }

    rc = kit_update_va_mapping_otherdomain(
        (unsigned long)alias, kit_pte(kit_virt_to_mfn(page_b), rw_flags),
        UVMF_INVLPG | UVMF_LOCAL, DOMID_SELF);
    kit_expect_rc("update_va_mapping_otherdomain DOMID_SELF", rc, 0);
    if ( !alias_shows(TAG_B) )
        kit_test_failure("update_va_mapping_otherdomain: alias shows %#lx",
                         (unsigned long)alias[0]);
}

/* Each mmuext flush after an unflushed mmu_update makes the change visible. */
static void check_flush_ops(void)
{
    static unsigned long vcpumask = 1;
    static const struct { unsigned int cmd; const char *name; } ops[] = {
        { MMUEXT_TLB_FLUSH_LOCAL, "TLB_FLUSH_LOCAL" },
        { MMUEXT_INVLPG_LOCAL, "INVLPG_LOCAL" },
        { MMUEXT_TLB_FLUSH_MULTI, "TLB_FLUSH_MULTI" },
        { MMUEXT_INVLPG_MULTI, "INVLPG_MULTI" },
        { MMUEXT_TLB_FLUSH_ALL, "TLB_FLUSH_ALL" },
        { MMUEXT_INVLPG_ALL, "INVLPG_ALL" },
    };
    unsigned int i;
    long rc;

    for ( i = 0; i < KIT_ARRAY_SIZE(ops); i++ )
    {
        struct mmuext_op op = { .cmd = ops[i].cmd };
        bool b = !(i & 1);
        unsigned int done = 99;

        op.arg1.linear_addr = (unsigned long)alias;
        set_xen_guest_handle(op.arg2.vcpumask, &vcpumask);
        (void)alias[0];
        rc = alias_set(kit_virt_to_mfn(b ? page_b : page_a),
                       MMU_NORMAL_PT_UPDATE);
        kit_expect_rc("mmu_update before flush", rc, 0);
        rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
        kit_expect_rc(ops[i].name, rc, 0);
        kit_expect_rc(ops[i].name, done, 1);
        if ( !alias_shows(b ? TAG_B : TAG_A) )
            kit_test_failure("after %s alias shows %#lx", ops[i].name,
                             (unsigned long)alias[0]);
    }
}

void test_main(const start_info_t *si)
{
    fill(page_a, TAG_A);
    fill(page_b, TAG_B);
    fill(page_c, 0);

    check_walk(si);
    if ( kit_pt_walk((unsigned long)alias, 1, &alias_l1, NULL) )
        kit_test_abort("no L1 for the alias page");
    alias_idx = kit_pt_index((unsigned long)alias, 1);

    check_normal_update();
    check_preserve_ad();
    check_machphys();
    check_batch();
    check_plain_frame();
    check_update_va_mapping();
    check_flush_ops();

    /* Give alias its own frame back. */
    kit_expect_rc("restore alias",
                  alias_set(kit_virt_to_mfn((const void *)alias),
                            MMU_NORMAL_PT_UPDATE), 0);
    kit_mmuext(MMUEXT_INVLPG_LOCAL, (unsigned long)alias);
    kit_test_success();
}
