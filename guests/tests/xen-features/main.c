/* SPDX-License-Identifier: MIT */
/*
 * Test guest xen-features: XENVER_get_features gives a 64-bit PV guest
 * exactly the bits of Xen 4.17's rules (common/kernel.c, PV branch).
 *
 * Expected in submap 0:
 *   memory_op_vnode_supported, mmu_pt_update_preserve_ad, direct_mapped
 *                                  always
 *   highmem_assist                 always
 *   gnttab_map_avail_bits          always
 *   pae_pgdir_above_4gb            while VMASST_TYPE_pae_extended_cr3 is on:
 *                                  the test turns it on and off
 *   dom0                           only for the initial domain (the oracle)
 * and nothing else. Errors: submap 1 is -EINVAL, an unreadable argument
 * -EFAULT.
 */
#include <kit/kit.h>

/* The bits Xen 4.17 gives every PV guest. */
#define XEN_PV_ALWAYS ((1u << XENFEAT_memory_op_vnode_supported) | \
                       (1u << XENFEAT_mmu_pt_update_preserve_ad) | \
                       (1u << XENFEAT_highmem_assist) |            \
                       (1u << XENFEAT_gnttab_map_avail_bits) |     \
                       (1u << XENFEAT_direct_mapped))

static long get_features(unsigned int idx, uint32_t *map)
{
    xen_feature_info_t fi = { .submap_idx = idx, .submap = 0xdeadbeef };
    long rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);

    *map = fi.submap;
    return rc;
}

/* Read submap 0 and compare it with want. */
static void expect_map(const char *when, uint32_t want)
{
    uint32_t map;
    long rc = get_features(0, &map);

    kit_printf("%s: submap 0 = %#x (want %#x)\n", when, map, want);
    if ( rc )
        kit_test_failure("%s: get_features: %ld", when, rc);
    else if ( map != want )
        kit_test_failure("%s: submap %#x, want %#x (extra %#x, missing %#x)",
                         when, map, want, map & ~want, want & ~map);
}

void test_main(const start_info_t *si)
{
    uint32_t base = XEN_PV_ALWAYS, map, pae = 1u << XENFEAT_pae_pgdir_above_4gb;
    xen_feature_info_t *bad = (xen_feature_info_t *)0xffff830000000000UL;
    bool pae_was_on;
    long rc;

    if ( si->flags & SIF_INITDOMAIN )
        base |= 1u << XENFEAT_dom0;

    rc = get_features(0, &map);
    if ( rc )
    {
        kit_test_failure("get_features submap 0: %ld", rc);
        return;
    }
    pae_was_on = map & pae;
    kit_printf("at boot: submap 0 = %#x, pae_extended_cr3 %s\n", map,
               pae_was_on ? "on" : "off");

    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3);
    if ( rc )
        kit_test_failure("vm_assist enable pae_extended_cr3: %ld", rc);
    expect_map("pae_extended_cr3 on", base | pae);

    rc = HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_pae_extended_cr3);
    if ( rc )
        kit_test_failure("vm_assist disable pae_extended_cr3: %ld", rc);
    expect_map("pae_extended_cr3 off", base);

    if ( pae_was_on )
        HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3);

    rc = get_features(1, &map);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("get_features submap 1: %ld, want %d", rc, -XEN_EINVAL);
    rc = get_features(~0u, &map);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("get_features submap ~0: %ld, want %d", rc, -XEN_EINVAL);
    rc = HYPERVISOR_xen_version(XENVER_get_features, bad);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("get_features at %p: %ld, want %d", (void *)bad, rc,
                         -XEN_EFAULT);
    rc = HYPERVISOR_xen_version(XENVER_get_features, NULL);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("get_features at NULL: %ld, want %d", rc, -XEN_EFAULT);

    kit_test_success();
}
