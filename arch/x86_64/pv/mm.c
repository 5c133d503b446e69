/* SPDX-License-Identifier: MIT */
/* update_va_mapping, restricted until the validated PV MMU exists. */
/*
 * Until page types and reference counts exist (the PV-MMU layer), the only
 * page tables a guest has are its bootstrap tables, which are marked as
 * page-table frames at build time and can never be mapped writable. Here a
 * guest may change one L1 entry of those tables to map a frame it owns (or
 * its shared-info page), user-accessible, with ordinary attributes; a
 * page-table frame only read-only. That keeps the invariant the MMU layer
 * will enforce: no guest can write a page table or reach another domain's
 * frame.
 */
#include <asm/mm.h>
#include <asm/processor.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/mm.h>
#include <tern/sched.h>
#include <xen/xen.h>

#define PTE_P     0x001ul
#define PTE_RW    0x002ul
#define PTE_US    0x004ul
#define PTE_PS    0x080ul
#define PTE_ADDR  0x000ffffffffff000ul
#define PTE_ALLOWED (0x001ul | 0x002ul | 0x004ul | 0x008ul | 0x010ul | 0x020ul | \
                     0x040ul | (1ul << 63))

/* The machine address of va's L1 entry in the current page tables, or 0
 * when an upper level is missing or is a superpage. */
static paddr_t l1e_maddr(uint64_t va)
{
    uint64_t e = read_cr3() & PTE_ADDR;
    int level;

    for ( level = 4; level > 1; level-- )
    {
        uint64_t *t = maddr_to_virt(e & PTE_ADDR);
        unsigned int idx = (va >> (12 + 9 * (level - 1))) & 511;

        e = t[idx];
        if ( !(e & PTE_P) || (level < 4 && (e & PTE_PS)) )
            return 0;
    }
    return (e & PTE_ADDR) + ((va >> 12) & 511) * 8;
}

long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags)
{
    struct domain *d = current_vcpu()->domain;
    unsigned long mfn = (val & PTE_ADDR) >> PAGE_SHIFT;
    paddr_t l1e;

    /* Not Tern's slots, and canonical (INVLPG of anything else is no flush). */
    if ( (va >= 0x0000800000000000ul && va < 0xffff800000000000ul) ||
         (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END) )
        return -EINVAL;
    l1e = l1e_maddr(va);
    if ( !l1e )
        return -EINVAL;
    if ( val & PTE_P )
    {
        if ( val & ~(PTE_ALLOWED | PTE_ADDR) )
            return -EINVAL;
        if ( mfn >= max_mfn || mfn_to_page(mfn)->owner != d->domain_id )
            return -EINVAL;
        if ( (val & PTE_RW) &&
             (mfn_to_page(mfn)->type_info & PGT_type_mask) != PGT_none )
            return -EINVAL;
        val |= PTE_US;
    }
    *(volatile uint64_t *)maddr_to_virt(l1e) = val;
    switch ( flags & UVMF_FLUSHTYPE_MASK )
    {
    case UVMF_INVLPG:
        invlpg(va);
        break;
    case UVMF_TLB_FLUSH:
        write_cr3(read_cr3());
        break;
    }
    return 0;
}
