/* SPDX-License-Identifier: MIT */
/* Machine frames: the frame table and the allocator (core/mm.c). */
#ifndef TERN_MM_H
#define TERN_MM_H

#include <stdint.h>
#include <asm/mm.h>
#include <tern/bootinfo.h>

/*
 * One struct page_info per machine frame, indexed by MFN. The page-type
 * rules of the PV MMU (core/page-types.c) live in these fields:
 *   count_info  general reference count (PGC_count_mask) and PGC_* flags
 *   type_info   the frame's type (PGT_type_mask), PGT_* flags, type count
 *   owner       the domain that owns the frame, or DOMID_TERN / DOMID_FREE
 *   linear      >0: linear page-table entries this table holds;
 *               <0: linear entries that point at it (never both)
 *   tlb_stamp   when its last type reference went (pt_tlb_stamp())
 */
struct page_info {
    uint64_t count_info;
    uint64_t type_info;
    uint16_t owner;
    uint16_t flags;
    int32_t linear;
    uint64_t tlb_stamp;
};

#define DOMID_FREE      0x7ff4       /* in the allocator */
#define DOMID_TERN      0x7ff5       /* Tern's own frames (image, tables, heap) */
#define DOMID_IO_RSVD   0x7ff1       /* firmware, MMIO and holes */

#define PGC_count_mask  0x00000000fffffffful
#define PGC_allocated   (1ul << 63)   /* the owner's allocation reference */
#define PGC_tern_heap   (1ul << 62)   /* Tern's page shared with its owner */

#define PGT_none          (0ul << 60)
#define PGT_l1_page_table (1ul << 60)
#define PGT_l2_page_table (2ul << 60)
#define PGT_l3_page_table (3ul << 60)
#define PGT_l4_page_table (4ul << 60)
#define PGT_seg_desc_page (5ul << 60)
#define PGT_writable_page (7ul << 60)
#define PGT_type_mask     (7ul << 60)
#define PGT_pinned        (1ul << 59)
#define PGT_validated     (1ul << 58)
#define PGT_count_mask    0x00000000fffffffful

extern struct page_info *frame_table;
extern unsigned long max_mfn;            /* frames 0..max_mfn-1 have entries */

static inline struct page_info *mfn_to_page(unsigned long mfn)
{
    return &frame_table[mfn];
}

/* Arch hooks (arch/x86_64/mm.c): page tables to map RAM up to top in the
 * direct map beyond what boot mapped, and building them at phys tables. */
uint64_t arch_directmap_bytes(uint64_t top);
void arch_directmap_extend(uint64_t top, uint64_t tables);

/* The read-only machine-to-phys table guests see at MACH2PHYS_VIRT_START
 * (arch/x86_64/mm.c). Entries of frames no domain holds are INVALID. */
#define INVALID_M2P_ENTRY (~0ul)
void arch_m2p_init(unsigned long nr_frames);
void set_gpfn_from_mfn(unsigned long mfn, unsigned long pfn);
unsigned long get_gpfn_from_mfn(unsigned long mfn);
/* The M2P's 2 MiB blocks (XENMEM_machphys_mfn_list): how many, and the
 * first MFN of block i (0 when i is out of range). */
unsigned int arch_m2p_nr_blocks(void);
unsigned long arch_m2p_block_mfn(unsigned int i);

/* Build the frame table and the allocator from the memory map, keeping
 * Tern's image and the boot modules out of it. Panics if RAM is too small. */
void mm_init(const struct boot_info *bi);
/* Once every domain is built: the boot modules' frames to the allocator. */
void mm_release_modules(const struct boot_info *bi);
/* 2^order contiguous frames owned by Tern; returns the MFN, or ~0ul. */
unsigned long alloc_frames(unsigned int order);
void free_frames(unsigned long mfn, unsigned int order);
/* The same through the direct map; NULL when out of memory. */
void *alloc_xen_pages(unsigned int order);
void free_xen_pages(void *p, unsigned int order);
/* The memory debug key. */
void mm_dump(void);
/* Usable RAM in bytes, from the memory map. */
uint64_t mm_total_ram(void);

#endif /* TERN_MM_H */
