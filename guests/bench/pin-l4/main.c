/* SPDX-License-Identifier: MIT */
/*
 * Bench guest pin-l4: pin and unpin of a whole L4 tree.
 *
 * The tree is a process's page tables as a PV kernel builds them: a new L4
 * with the kernel's slots copied from the bootstrap root (sharing its L3s)
 * and one user slot holding a new L3 -> L2 -> 4 L1s, the L1s mapping 2048
 * data pages writable (512 distinct frames, 4 times over). Every table is
 * written while writable, then mapped read-only. MMUEXT_PIN_L4_TABLE
 * validates the new tables level by level (types and references for each
 * present entry); MMUEXT_UNPIN_TABLE, the last reference gone, releases
 * them all again. Timed per pin + unpin pair.
 */
#include "bench.h"
#include <kit/pt.h>

#define L1S     4
#define USER_SLOT 1     /* L4 slot of the user part: 512 GiB .. 1 TiB */

static unsigned long l4;

static void pin_unpin(unsigned long ops, void *arg)
{
    long rc;

    while ( ops-- )
    {
        rc = kit_pin(4, l4);
        if ( rc )
            kit_test_abort("pin of the L4 tree: %ld", rc);
        rc = kit_unpin(l4);
        if ( rc )
            kit_test_abort("unpin of the L4 tree: %ld", rc);
    }
}

/* A spare page of the initial mapping, zeroed and still writable. */
static uint64_t *table_page(unsigned long *pfn)
{
    *pfn = kit_spare_pfn();
    if ( !*pfn )
        return NULL;
    memset(kit_pfn_to_virt(*pfn), 0, KIT_PAGE_SIZE);
    return kit_pfn_to_virt(*pfn);
}

void bench_main(const start_info_t *si)
{
    const uint64_t rw = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;
    const uint64_t tf = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_US;
    unsigned long pfn[3 + L1S], data[512], root = kit_pt_root();
    uint64_t *t[3 + L1S];
    unsigned int i, j;
    long rc;

    for ( i = 0; i < 3 + L1S; i++ )
        if ( !(t[i] = table_page(&pfn[i])) )
        {
            bench_na("mmu.pin-l4", "no spare page for table %u", i);
            return;
        }
    for ( i = 0; i < 512; i++ )
        if ( !(data[i] = bench_data_mfn()) )
        {
            bench_na("mmu.pin-l4", "only %u spare frames", i);
            return;
        }

    /* t[0] L4, t[1] L3, t[2] L2, t[3..] L1s. */
    for ( i = 0; i < KIT_PT_ENTRIES; i++ )
        if ( i < KIT_L4_XEN_FIRST || i > KIT_L4_XEN_LAST )
            t[0][i] = kit_pt_read(root, i);
    if ( t[0][USER_SLOT] )
    {
        bench_na("mmu.pin-l4", "L4 slot %u is in use", USER_SLOT);
        return;
    }
    kit_pt_window_clear();
    t[0][USER_SLOT] = kit_pte(kit_pfn_to_mfn(pfn[1]), tf);
    t[1][0] = kit_pte(kit_pfn_to_mfn(pfn[2]), tf);
    for ( j = 0; j < L1S; j++ )
    {
        t[2][j] = kit_pte(kit_pfn_to_mfn(pfn[3 + j]), tf);
        for ( i = 0; i < 512; i++ )
            t[3 + j][i] = kit_pte(data[i], rw | KIT_PTE_US);
    }
    for ( i = 0; i < 3 + L1S; i++ )
    {
        rc = kit_pfn_set_writable(pfn[i], false);
        if ( rc )
        {
            bench_na("mmu.pin-l4", "read-only mapping of table %u: %ld", i, rc);
            return;
        }
    }
    l4 = kit_pfn_to_mfn(pfn[0]);
    rc = kit_pin(4, l4);
    if ( rc == 0 )
        rc = kit_unpin(l4);
    if ( rc )
    {
        bench_na("mmu.pin-l4", "pin/unpin of the tree: %ld", rc);
        return;
    }
    bench_run("mmu.pin-l4", 10, pin_unpin, NULL);
}
