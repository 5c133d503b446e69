/* SPDX-License-Identifier: MIT */
/* Tern's own page tables: extending the boot direct map past 4 GiB. */
/*
 * head.S maps the first 4 GiB with 2 MiB pages through boot_l3, which both
 * the low identity slot and the direct-map slot point at. RAM above 4 GiB
 * gets more 2 MiB-page L2 tables in the same boot_l3, one per GiB, built
 * from early memory before the allocator exists (so one L3 covers up to
 * 512 GiB, the limit mm_init enforces).
 */
#include <asm/mm.h>
#include <asm/processor.h>
#include <tern/lib.h>
#include <tern/mm.h>

#define PTE_P   0x001ul
#define PTE_RW  0x002ul
#define PTE_PS  0x080ul
#define PTE_NX  (1ul << 63)

extern uint64_t boot_l3[512];

/* Bytes of page tables that mapping RAM up to top needs beyond the boot map. */
uint64_t arch_directmap_bytes(uint64_t top)
{
    uint64_t gib = (top + (1ull << 30) - 1) >> 30;

    return gib > 4 ? (gib - 4) * PAGE_SIZE : 0;
}

/* Map [4 GiB, top) with the L2 tables at physical address tables (below
 * 4 GiB, arch_directmap_bytes(top) long). */
void arch_directmap_extend(uint64_t top, uint64_t tables)
{
    uint64_t gib = (top + (1ull << 30) - 1) >> 30, g;
    unsigned int i;

    for ( g = 4; g < gib; g++, tables += PAGE_SIZE )
    {
        uint64_t *l2 = maddr_to_virt(tables);

        for ( i = 0; i < 512; i++ )
            l2[i] = ((g << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_RW | PTE_PS;
        boot_l3[g] = tables | PTE_P | PTE_RW;
    }
    write_cr3(read_cr3());
}
