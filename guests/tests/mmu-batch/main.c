/* SPDX-License-Identifier: MIT */
/*
 * Test guest mmu-batch: long mmu_update and mmuext_op batches.
 *
 * Proves: a batch of 40000 page-table updates (remapping one page back
 * and forth between two frames, then MACHPHYS updates) completes with
 * every request applied in order: the last one wins, *pdone counts them
 * all, and the call returns 0, although the hypervisor may stop and
 * continue it several times on the way (Tern stops a batch after 1 ms of
 * work, Xen when a softirq is pending); likewise 20000 mmuext_op
 * INVLPG_LOCAL ops and a multicall of two batches.
 */
#include <kit/kit.h>
#include <kit/pt.h>

#define N_UPDATES 40000u
#define N_EXT     20000u

static uint8_t target[KIT_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t page_a[KIT_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t page_b[KIT_PAGE_SIZE] __attribute__((aligned(4096)));
static mmu_update_t reqs[N_UPDATES];
static struct mmuext_op ext[N_EXT];

static char shows(void)
{
    return target[7] == 'a' ? 'a' : target[7] == 'b' ? 'b' : '?';
}

void test_main(const start_info_t *si)
{
    unsigned long l1, mfn_a = kit_virt_to_mfn(page_a), mfn_b = kit_virt_to_mfn(page_b);
    unsigned long pfn_b = kit_mfn_to_pfn(mfn_b);
    unsigned int idx = kit_pt_index((unsigned long)target, 1), done, i;
    uint64_t orig, flags, ptr;
    multicall_entry_t mc[2];
    long rc;

    (void)si;
    memset(page_a, 'a', sizeof(page_a));
    memset(page_b, 'b', sizeof(page_b));
    if ( kit_pt_walk((unsigned long)target, 1, &l1, &orig) )
        kit_test_abort("no L1 for target");
    flags = orig & ~KIT_PTE_MFN_MASK;
    ptr = kit_pt_maddr(l1, idx);
    kit_pt_window_clear();

    /* Ends on page_b: an odd count of alternations starting with a. */
    for ( i = 0; i < N_UPDATES; i++ )
    {
        reqs[i].ptr = ptr | MMU_NORMAL_PT_UPDATE;
        reqs[i].val = kit_pte(i % 2 ? mfn_b : mfn_a, flags);
    }
    done = 12345;
    rc = HYPERVISOR_mmu_update(reqs, N_UPDATES, &done, DOMID_SELF);
    kit_mmuext(MMUEXT_INVLPG_LOCAL, (unsigned long)target);
    if ( rc || done != N_UPDATES )
        kit_test_failure("mmu_update batch: rc %ld done %u, want 0 %u", rc, done, N_UPDATES);
    if ( shows() != 'b' )
        kit_test_failure("after the batch target shows %c, want b", shows());

    /* MACHPHYS updates: the M2P ends with the last value. */
    for ( i = 0; i < N_UPDATES; i++ )
    {
        reqs[i].ptr = ((uint64_t)mfn_b << KIT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
        reqs[i].val = i == N_UPDATES - 1 ? pfn_b : 0x1000 + i;
    }
    done = 0;
    rc = HYPERVISOR_mmu_update(reqs, N_UPDATES, &done, DOMID_SELF);
    if ( rc || done != N_UPDATES || kit_mfn_to_pfn(mfn_b) != pfn_b )
        kit_test_failure("machphys batch: rc %ld done %u m2p %#lx", rc, done,
                         kit_mfn_to_pfn(mfn_b));

    for ( i = 0; i < N_EXT; i++ )
    {
        ext[i].cmd = MMUEXT_INVLPG_LOCAL;
        ext[i].arg1.linear_addr = (unsigned long)target;
    }
    done = 0;
    rc = HYPERVISOR_mmuext_op(ext, N_EXT, &done, DOMID_SELF);
    if ( rc || done != N_EXT )
        kit_test_failure("mmuext_op batch: rc %ld done %u, want 0 %u", rc, done, N_EXT);

    /* The same inside a multicall (no continuation there on Tern). */
    for ( i = 0; i < 1000; i++ )
    {
        reqs[i].ptr = ptr | MMU_NORMAL_PT_UPDATE;
        reqs[i].val = kit_pte(i % 2 ? mfn_a : mfn_b, flags);
    }
    mc[0] = (multicall_entry_t){ .op = __HYPERVISOR_mmu_update,
        .args = { (unsigned long)reqs, 1000, 0, DOMID_SELF } };
    mc[1] = (multicall_entry_t){ .op = __HYPERVISOR_mmuext_op,
        .args = { (unsigned long)ext, 1000, 0, DOMID_SELF } };
    rc = kit_multicall(mc, 2);
    if ( rc || mc[0].result || mc[1].result )
        kit_test_failure("multicall of batches: %ld %ld %ld", rc, (long)mc[0].result,
                         (long)mc[1].result);
    if ( shows() != 'a' )
        kit_test_failure("after the multicall target shows %c, want a", shows());

    rc = kit_pt_set(l1, idx, orig);
    kit_mmuext(MMUEXT_INVLPG_LOCAL, (unsigned long)target);
    if ( rc )
        kit_test_failure("restore: %ld", rc);
    kit_test_success();
}
