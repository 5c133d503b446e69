/* SPDX-License-Identifier: MIT */
/* Kit: page-table helpers for the PV MMU tests. */
#ifndef KIT_PT_H
#define KIT_PT_H

#include <kit/lib.h>
#include <kit/mm.h>
#include <kit/traps.h>

/*
 * A PV guest's page tables are real x86-64 4-level tables whose frames it
 * may read (mapped read-only) but only change through the hypervisor
 * (mmu_update, update_va_mapping, mmuext_op). These helpers let a test
 *  - read any frame's entries through a read-only window page
 *    (kit_pt_read), walk its tables from the root (kit_pt_walk);
 *  - issue single mmu_update / mmuext_op requests (kit_pt_set, kit_mmuext,
 *    kit_pin, kit_unpin);
 *  - take spare frames: pages of the initial mapping past the bootstrap
 *    tables and stack that nothing uses (kit_spare_pfn, mapped writable at
 *    kit_pfn_to_virt()), and owned frames outside the initial mapping
 *    (kit_spare_unmapped_pfn); kit_pt_new_table() turns a spare page into a
 *    zeroed, read-only frame ready to be pinned;
 *  - find out whether a read or write of an address faults
 *    (kit_pt_read_faults, kit_pt_write_faults).
 * Levels are numbered 1 (L1, 4 KiB pages) to 4 (L4, the root).
 */
#define KIT_PT_ENTRIES      512
#define KIT_PTE_PWT         0x008UL     /* write-through */
#define KIT_PTE_PCD         0x010UL     /* cache disable */
#define KIT_PTE_PSE         0x080UL     /* superpage in L2/L3; PAT in L1 */
#define KIT_PTE_G           0x100UL     /* global */
#define KIT_PTE_AVAIL       0xe00UL     /* bits 9-11, free for software */
#define KIT_PTE_MFN_MASK    0x000ffffffffff000UL

/* Xen's own L4 slots in every 64-bit PV root table (256..271). */
#define KIT_L4_XEN_FIRST    256
#define KIT_L4_XEN_LAST     271

/* Index of va in its level-N table. */
static inline unsigned int kit_pt_index(unsigned long va, unsigned int level)
{
    return (unsigned int)(va >> (KIT_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

/* The canonical virtual address with these L4..L1 indices. */
static inline unsigned long kit_pt_va(unsigned int l4, unsigned int l3,
                                      unsigned int l2, unsigned int l1)
{
    unsigned long va = ((unsigned long)l4 << 39) | ((unsigned long)l3 << 30) |
                       ((unsigned long)l2 << 21) | ((unsigned long)l1 << 12);

    return l4 >= 256 ? va | 0xffff000000000000UL : va;
}

static inline unsigned long kit_pte_mfn(uint64_t pte)
{
    return (unsigned long)((pte & KIT_PTE_MFN_MASK) >> KIT_PAGE_SHIFT);
}

static inline uint64_t kit_pte(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << KIT_PAGE_SHIFT) | flags;
}

/* Machine address of entry idx of the table in frame mfn (an mmu_update ptr). */
static inline uint64_t kit_pt_maddr(unsigned long mfn, unsigned int idx)
{
    return ((uint64_t)mfn << KIT_PAGE_SHIFT) + idx * 8UL;
}

/* The root (L4) frame the kit walks: the bootstrap L4 until a test says. */
unsigned long kit_pt_root(void);
void kit_pt_set_root(unsigned long mfn);

/*
 * Entry idx of the frame mfn, read through the read-only window page (which
 * keeps the frame mapped, and so referenced, until kit_pt_window_clear() or
 * the next read of another frame).
 */
uint64_t kit_pt_read(unsigned long mfn, unsigned int idx);
const volatile uint64_t *kit_pt_window(unsigned long mfn);
void kit_pt_window_clear(void);

/*
 * Walk from the root to the level-`level` table that maps va: its frame in
 * *table (may be NULL) and va's entry there in *entry (may be NULL).
 * Returns 0, or -1 when a higher-level entry is not present (or is a
 * superpage).
 */
int kit_pt_walk(unsigned long va, unsigned int level, unsigned long *table,
                uint64_t *entry);

/* One mmu_update request for DOMID_SELF; returns Xen's answer. */
long kit_mmu_update1(uint64_t ptr, uint64_t val);
/* MMU_NORMAL_PT_UPDATE of entry idx of table frame mfn. */
long kit_pt_set(unsigned long mfn, unsigned int idx, uint64_t val);
/* One mmuext_op for DOMID_SELF with arg1 (an mfn or a linear address). */
long kit_mmuext(unsigned int cmd, unsigned long arg1);
/* MMUEXT_PIN_Ln_TABLE of mfn (level 1..4) and MMUEXT_UNPIN_TABLE. */
long kit_pin(unsigned int level, unsigned long mfn);
long kit_unpin(unsigned long mfn);

/* update_va_mapping_otherdomain, which hypercall.h does not wrap. */
static inline long kit_update_va_mapping_otherdomain(unsigned long va,
                                                     uint64_t val,
                                                     unsigned long flags,
                                                     domid_t dom)
{
    return KIT_HC(__HYPERVISOR_update_va_mapping_otherdomain, va, val, flags,
                  dom, 0);
}

/* multicall, which hypercall.h does not wrap either. */
static inline long kit_multicall(multicall_entry_t *calls, unsigned int n)
{
    return KIT_HC(__HYPERVISOR_multicall, calls, n, 0, 0, 0);
}

/*
 * A spare pfn of the initial mapping (mapped writable at its
 * kit_pfn_to_virt() address, content undefined), or 0 when none is left.
 * The first pages after the bootstrap stack up to the end of the initial
 * mapping are handed out in order.
 */
unsigned long kit_spare_pfn(void);
/* An owned pfn that no bootstrap table maps, or 0 when none is left. */
unsigned long kit_spare_unmapped_pfn(void);
/* The first pfn past the initial mapping (where kit_spare_unmapped_pfn starts). */
unsigned long kit_initial_mapping_end_pfn(void);

/*
 * Remap the initial-mapping page of pfn to its own frame, writable or
 * read-only (update_va_mapping, INVLPG). Returns Xen's answer.
 */
long kit_pfn_set_writable(unsigned long pfn, bool writable);

/*
 * Take a spare page, zero it, map it read-only and return its pfn (0 when
 * none is left or Xen refused); the frame is then ready to be filled by
 * mmu_update (after pinning) or to be written before (fill, then
 * kit_pfn_set_writable(pfn, false)).
 */
unsigned long kit_pt_new_table(void);

/*
 * Access 8 bytes at va and return true when the access faulted (any
 * exception: #PF, #GP). The kit's trap hook is borrowed for the duration;
 * the vector and error code of the fault are kept in kit_pt_fault_vector
 * and kit_pt_fault_error. kit_pt_read_faults() stores the value read in
 * *val when it did not fault.
 */
extern unsigned long kit_pt_fault_vector;
extern unsigned long kit_pt_fault_error;
bool kit_pt_read_faults(const volatile void *va, uint64_t *val);
bool kit_pt_write_faults(volatile void *va, uint64_t val);
/*
 * LOCK CMPXCHG of 8 bytes at va (old -> val); true when it faulted. The
 * value found at va is stored in *prev when it did not fault.
 */
bool kit_pt_cmpxchg_faults(volatile void *va, uint64_t old, uint64_t val,
                           uint64_t *prev);

/* True when mfn is one of the guest's frames (its M2P and P2M agree). */
bool kit_mfn_is_own(unsigned long mfn);
/*
 * A frame of RAM (above the first MiB and below XENMEM_maximum_ram_page)
 * right after one of the guest's frames that is not the guest's: free,
 * the hypervisor's or another domain's. 0 when none was found.
 */
unsigned long kit_foreign_ram_mfn(void);
/*
 * A frame that is not the guest's but whose M2P entry names a pfn, which
 * on a hypervisor with several domains is most likely another domain's
 * frame (the first such frame above 1 MiB); 0 when there is none (the
 * oracle's lone dom0).
 */
unsigned long kit_other_domain_mfn(void);

/*
 * Check a hypercall's answer: when got != want, report a test failure
 * naming what was done and both values. Returns got == want.
 */
bool kit_expect_rc(const char *what, long got, long want);

#endif /* KIT_PT_H */
