/* SPDX-License-Identifier: MIT */
/* Kit: P2M and M2P look-ups, and mapping machine frames into the kit. */
#include <kit/kit.h>

/* A page of the image that the shared-info frame replaces when mapped. */
static uint8_t shared_info_page[KIT_PAGE_SIZE] __attribute__((aligned(4096)));

shared_info_t *kit_shared_info;

/* Machine frame of pfn, from the P2M list the builder gave us. */
unsigned long kit_pfn_to_mfn(unsigned long pfn)
{
    return ((const unsigned long *)kit_start_info->mfn_list)[pfn];
}

/* Machine frame behind va, which must lie in the initial mapping. */
unsigned long kit_virt_to_mfn(const void *va)
{
    return kit_pfn_to_mfn(kit_virt_to_pfn(va));
}

/*
 * True when pfn lies in the part of the initial mapping that the start of
 * day layout guarantees: everything below the end of the bootstrap page
 * tables (kernel, modules, P2M, start_info, xenstore and console pages).
 */
bool kit_pfn_is_mapped(unsigned long pfn)
{
    const start_info_t *si = kit_start_info;
    unsigned long end = si->pt_base + si->nr_pt_frames * KIT_PAGE_SIZE;

    return pfn < si->nr_pages &&
           (unsigned long)kit_pfn_to_virt(pfn) < end;
}

/*
 * Map machine frame mfn at va (page aligned, inside the kit's image so its
 * L1 exists) with PTE flags, by update_va_mapping. Returns 0 or a negative
 * Xen errno.
 */
long kit_map_mfn(void *va, unsigned long mfn, unsigned long flags)
{
    uint64_t pte = ((uint64_t)mfn << KIT_PAGE_SHIFT) | flags;

    return HYPERVISOR_update_va_mapping((unsigned long)va, pte,
                                        UVMF_INVLPG | UVMF_LOCAL);
}

/*
 * Map the shared-info page (start_info->shared_info is its machine address)
 * and set kit_shared_info. Returns 0 or a negative Xen errno.
 */
long kit_map_shared_info(void)
{
    long rc;

    if ( kit_shared_info )
        return 0;
    rc = kit_map_mfn(shared_info_page,
                     kit_start_info->shared_info >> KIT_PAGE_SHIFT,
                     KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);
    if ( rc == 0 )
        kit_shared_info = (shared_info_t *)shared_info_page;
    return rc;
}
