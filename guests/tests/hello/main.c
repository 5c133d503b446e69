/* SPDX-License-Identifier: MIT */
/* Test guest hello: the kit boots, prints, reports and shuts down. */
#include <kit/kit.h>

/* Print a greeting and the start_info facts; pass if the magic is right. */
void test_main(const start_info_t *si)
{
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

    kit_printf("Hello from the Tern kit\n");
    kit_printf("start_info: magic \"%.32s\"\n", si->magic);
    kit_printf("start_info: nr_pages %lu, flags %#x%s%s\n",
               si->nr_pages, si->flags,
               (si->flags & SIF_PRIVILEGED) ? " privileged" : "",
               (si->flags & SIF_INITDOMAIN) ? " initdomain" : "");
    kit_printf("start_info: shared_info %#lx, pt_base %#lx, nr_pt_frames %lu\n",
               si->shared_info, si->pt_base, si->nr_pt_frames);
    kit_printf("start_info: mfn_list %#lx, store mfn %#lx evtchn %u\n",
               si->mfn_list, si->store_mfn, si->store_evtchn);
    if ( !(si->flags & SIF_INITDOMAIN) )
        kit_printf("start_info: console mfn %#lx evtchn %u\n",
                   si->console.domU.mfn, si->console.domU.evtchn);
    kit_printf("hypervisor: version %ld.%ld, hypercalls by %s\n",
               ver >> 16, ver & 0xffff,
               kit_hypercall_mode == KIT_HC_PAGE ? "page" : "syscall");

    if ( strncmp(si->magic, "xen-3.0-x86_64", 14) != 0 )
    {
        kit_test_failure("bad start_info magic");
        return;
    }
    kit_test_success();
}
