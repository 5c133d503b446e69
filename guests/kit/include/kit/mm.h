/* SPDX-License-Identifier: MIT */
/* Kit: the guest's view of memory: virtual base, P2M, M2P, mapping frames. */
#ifndef KIT_MM_H
#define KIT_MM_H

#include <kit/lib.h>

/*
 * The kit is linked at KIT_VIRT_BASE (the ELF note VIRT_BASE) with physical
 * addresses from 0 (PADDR_OFFSET 0), so guest pfn N of the initial mapping
 * is at KIT_VIRT_BASE + N * 4096, as in Linux. The P2M (pfn -> mfn) is the
 * array at start_info->mfn_list; the M2P (mfn -> pfn) is the hypervisor's
 * read-only table at MACH2PHYS_VIRT_START.
 */
#define KIT_VIRT_BASE   0xffffffff80000000UL

/* x86-64 page-table entry bits (architectural, not Xen ABI). */
#define KIT_PTE_P       0x001UL     /* present */
#define KIT_PTE_RW      0x002UL     /* writable */
#define KIT_PTE_US      0x004UL     /* user (Xen sets it for PV kernels) */
#define KIT_PTE_A       0x020UL     /* accessed */
#define KIT_PTE_D       0x040UL     /* dirty */
#define KIT_PTE_NX      (1UL << 63) /* no execute */

/* The shared-info page once kit_map_shared_info() succeeded, else NULL. */
extern shared_info_t *kit_shared_info;

/* Virtual address of pfn in the initial mapping. */
static inline void *kit_pfn_to_virt(unsigned long pfn)
{
    return (void *)(KIT_VIRT_BASE + (pfn << KIT_PAGE_SHIFT));
}

/* Pfn of a virtual address in the initial mapping. */
static inline unsigned long kit_virt_to_pfn(const void *va)
{
    return ((unsigned long)va - KIT_VIRT_BASE) >> KIT_PAGE_SHIFT;
}

/* Pfn of machine frame mfn, read from the M2P table. */
static inline unsigned long kit_mfn_to_pfn(unsigned long mfn)
{
    return ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

unsigned long kit_pfn_to_mfn(unsigned long pfn);
unsigned long kit_virt_to_mfn(const void *va);
bool kit_pfn_is_mapped(unsigned long pfn);
long kit_map_mfn(void *va, unsigned long mfn, unsigned long flags);
long kit_map_shared_info(void);

#endif /* KIT_MM_H */
