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
#include <tern/console.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <xen/xen.h>

#define PTE_P   0x001ul
#define PTE_RW  0x002ul
#define PTE_PS  0x080ul
#define PTE_NX  (1ul << 63)

/* Tern's idle page tables from head.S, through the direct map. */
static uint64_t *boot_table(paddr_t pa)
{
    return maddr_to_virt(pa);
}

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
        boot_table(boot_sym_maddr(boot_l3))[g] = tables | PTE_P | PTE_RW;
    }
    write_cr3(read_cr3());
}

/*
 * The machine-to-phys table: one 8-byte entry per machine frame, read by
 * PV guests at MACH2PHYS_VIRT_START (PML4 slot 256, user-readable, never
 * writable by them) and written by Tern through the direct map. It is
 * built from 2 MiB blocks mapped with 2 MiB pages; every entry starts as
 * INVALID_M2P_ENTRY until a domain takes the frame.
 */
static unsigned long *m2p_blocks[512];     /* direct-map address per 2 MiB */
static unsigned long m2p_entries;


#define PTE_US  0x004ul
#define M2P_PER_BLOCK ((2ul << 20) / sizeof(unsigned long))

void arch_m2p_init(unsigned long nr_frames)
{
    unsigned long nblocks = (nr_frames + M2P_PER_BLOCK - 1) / M2P_PER_BLOCK, b, i;
    uint64_t *l3 = alloc_xen_pages(0), *l2 = alloc_xen_pages(0);

    if ( !l3 || !l2 || nblocks > 512 )
        panic("No memory for the machine-to-phys table (%lu frames)", nr_frames);
    memset(l3, 0, PAGE_SIZE);
    memset(l2, 0, PAGE_SIZE);
    for ( b = 0; b < nblocks; b++ )
    {
        unsigned long *blk = alloc_xen_pages(9);

        if ( !blk )
            panic("No memory for the machine-to-phys table (%lu MiB)", nblocks * 2);
        for ( i = 0; i < M2P_PER_BLOCK; i++ )
            blk[i] = INVALID_M2P_ENTRY;
        m2p_blocks[b] = blk;
        l2[b] = virt_to_maddr(blk) | PTE_P | PTE_US | PTE_PS | PTE_NX;
    }
    l3[0] = virt_to_maddr(l2) | PTE_P | PTE_US;
    boot_table(boot_sym_maddr(boot_l4))[TERN_SLOT_FIRST] =
        virt_to_maddr(l3) | PTE_P | PTE_US;
    m2p_entries = nr_frames;
    write_cr3(read_cr3());
    /* What guests will read must be what Tern wrote. */
    if ( ((volatile unsigned long *)MACH2PHYS_VIRT_START)[nr_frames - 1] !=
         INVALID_M2P_ENTRY )
        panic("The machine-to-phys table is not mapped at %#lx",
              (unsigned long)MACH2PHYS_VIRT_START);
    printk("M2P: %lu entries (%lu MiB) at %#lx\n", nr_frames, nblocks * 2,
           (unsigned long)MACH2PHYS_VIRT_START);
}

void set_gpfn_from_mfn(unsigned long mfn, unsigned long pfn)
{
    if ( mfn < m2p_entries )
        m2p_blocks[mfn / M2P_PER_BLOCK][mfn % M2P_PER_BLOCK] = pfn;
}

unsigned long get_gpfn_from_mfn(unsigned long mfn)
{
    return mfn < m2p_entries ?
        m2p_blocks[mfn / M2P_PER_BLOCK][mfn % M2P_PER_BLOCK] : INVALID_M2P_ENTRY;
}

unsigned int arch_m2p_nr_blocks(void)
{
    return (unsigned int)((m2p_entries + M2P_PER_BLOCK - 1) / M2P_PER_BLOCK);
}

unsigned long arch_m2p_block_mfn(unsigned int i)
{
    return i < arch_m2p_nr_blocks() ? virt_to_maddr(m2p_blocks[i]) >> PAGE_SHIFT : 0;
}
