/* SPDX-License-Identifier: MIT */
/*
 * Test guest memory-op: the read-only answers of HYPERVISOR_memory_op.
 *
 * Proves: current_reservation equals start_info nr_pages and is at most
 * maximum_reservation; maximum_gpfn follows shared_info arch.max_pfn (PV);
 * maximum_ram_page is a machine frame above every frame we own;
 * machphys_mapping starts at MACH2PHYS_VIRT_START, its max_mfn is
 * maximum_ram_page - 1, and the M2P maps our P2M back; memory_map is
 * -ENOSYS for dom0 (a domU: -ENOSYS or RAM covering nr_pages); and the
 * errors: unknown command -ENOSYS, a nonexistent domain -ESRCH, a bad
 * pointer -EFAULT.
 */
#include <kit/kit.h>

#define E820_RAM 1

struct e820entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

void test_main(const start_info_t *si)
{
    static struct e820entry map[32];
    struct xen_memory_map mm;
    struct xen_machphys_mapping mp;
    domid_t self = DOMID_SELF, nobody = DOMID_FIRST_RESERVED - 1;
    long cur, max, gpfn, ram_page, rc;
    unsigned long pfn, max_own_mfn = 0, ram = 0;
    unsigned int i;

    cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
    gpfn = HYPERVISOR_memory_op(XENMEM_maximum_gpfn, &self);
    ram_page = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    kit_printf("nr_pages %lu: current %ld maximum %ld max_gpfn %ld "
               "max_ram_page %#lx\n", si->nr_pages, cur, max, gpfn, ram_page);
    if ( cur != (long)si->nr_pages )
        kit_test_failure("current_reservation %ld, want nr_pages %lu",
                         cur, si->nr_pages);
    if ( max < cur )
        kit_test_failure("maximum_reservation %ld < current %ld", max, cur);
    /*
     * For a PV guest Xen answers maximum_gpfn from what the guest itself
     * wrote in shared_info arch.max_pfn: (max_pfn ?: 1) - 1.
     */
    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    if ( kit_shared_info->arch.max_pfn == 0 && gpfn != 0 )
        kit_test_failure("maximum_gpfn %ld with max_pfn 0, want 0", gpfn);
    kit_shared_info->arch.max_pfn = si->nr_pages;
    gpfn = HYPERVISOR_memory_op(XENMEM_maximum_gpfn, &self);
    if ( gpfn != (long)si->nr_pages - 1 )
        kit_test_failure("maximum_gpfn %ld with max_pfn nr_pages, want %lu",
                         gpfn, si->nr_pages - 1);

    for ( pfn = 0; pfn < si->nr_pages; pfn++ )
        if ( kit_pfn_to_mfn(pfn) > max_own_mfn )
            max_own_mfn = kit_pfn_to_mfn(pfn);
    if ( ram_page <= 0 || (unsigned long)ram_page < max_own_mfn )
        kit_test_failure("maximum_ram_page %#lx, below our mfn %#lx",
                         ram_page, max_own_mfn);

    rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mp);
    kit_printf("machphys_mapping: rc %ld, %#lx-%#lx max_mfn %#lx\n", rc,
               mp.v_start, mp.v_end, mp.max_mfn);
    if ( rc )
        kit_test_failure("machphys_mapping: %ld", rc);
    else
    {
        if ( mp.v_start != MACH2PHYS_VIRT_START || mp.v_end <= mp.v_start ||
             mp.v_end > MACH2PHYS_VIRT_END )
            kit_test_failure("machphys_mapping %#lx-%#lx, want inside %#lx-%#lx",
                             mp.v_start, mp.v_end, MACH2PHYS_VIRT_START,
                             MACH2PHYS_VIRT_END);
        /* For the hardware domain max_mfn is the last frame of RAM (as
         * maximum_ram_page says); a domU is told the whole window. */
        unsigned long want = (si->flags & SIF_INITDOMAIN) ?
                             (unsigned long)ram_page - 1 : MACH2PHYS_NR_ENTRIES - 1;

        if ( mp.max_mfn != want ||
             mp.max_mfn > (mp.v_end - mp.v_start) / sizeof(unsigned long) - 1 )
            kit_test_failure("max_mfn %#lx: want %#lx, within %#lx bytes of "
                             "table", mp.max_mfn, want, mp.v_end - mp.v_start);
        if ( mp.max_mfn < max_own_mfn )
            kit_test_failure("max_mfn %#lx below our mfn %#lx", mp.max_mfn,
                             max_own_mfn);
    }
    for ( pfn = 0; pfn < si->nr_pages; pfn++ )
        if ( kit_mfn_to_pfn(kit_pfn_to_mfn(pfn)) != pfn )
        {
            kit_test_failure("M2P[P2M[%#lx]] = %#lx", pfn,
                             kit_mfn_to_pfn(kit_pfn_to_mfn(pfn)));
            break;
        }

    mm.nr_entries = KIT_ARRAY_SIZE(map);
    set_xen_guest_handle(mm.buffer, map);
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, &mm);
    kit_printf("memory_map: rc %ld, %u entries\n", rc, mm.nr_entries);
    /*
     * Xen answers -ENOSYS when no map was set for the domain: always for
     * its dom0 (which reads machine_memory_map instead), and for a domU
     * that xl built without e820_host. A domU may also have a map.
     */
    if ( si->flags & SIF_INITDOMAIN )
    {
        if ( rc != -XEN_ENOSYS )
            kit_test_failure("memory_map of dom0: %ld, want %d", rc,
                             -XEN_ENOSYS);
    }
    else if ( rc != 0 && rc != -XEN_ENOSYS )
        kit_test_failure("memory_map: %ld", rc);
    else if ( rc == 0 )
    {
        if ( mm.nr_entries == 0 || mm.nr_entries > KIT_ARRAY_SIZE(map) )
            kit_test_failure("memory_map: %u entries", mm.nr_entries);
        for ( i = 0; i < mm.nr_entries && i < KIT_ARRAY_SIZE(map); i++ )
        {
            kit_printf("  %#018llx-%#018llx type %u\n",
                       (unsigned long long)map[i].addr,
                       (unsigned long long)(map[i].addr + map[i].size),
                       map[i].type);
            if ( map[i].type == E820_RAM )
                ram += map[i].size;
        }
        if ( ram < si->nr_pages * KIT_PAGE_SIZE )
            kit_test_failure("memory_map: %#lx bytes of RAM < nr_pages", ram);
    }

    /* Errors. */
    rc = HYPERVISOR_memory_op(1000, NULL);
    if ( rc != -XEN_ENOSYS )
        kit_test_failure("memory_op 1000: %ld, want %d", rc, -XEN_ENOSYS);
    rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &nobody);
    if ( rc != -XEN_ESRCH )
        kit_test_failure("current_reservation of dom %#x: %ld, want %d",
                         nobody, rc, -XEN_ESRCH);
    rc = HYPERVISOR_memory_op(XENMEM_current_reservation, (void *)0x1000);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("current_reservation bad pointer: %ld, want %d",
                         rc, -XEN_EFAULT);
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, (void *)0x1000);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("machphys_mapping bad pointer: %ld, want %d",
                         rc, -XEN_EFAULT);
    kit_test_success();
}
