/* SPDX-License-Identifier: MIT */
/*
 * Bench guest hypercall: the null hypercall round trip.
 *
 * xen_version(XENVER_version, NULL), the cheapest hypercall there is, as
 * Mini-OS and the kit make it (a call into the hypercall page) and as
 * Debian's Linux makes it (SYSCALL directly).
 */
#include "bench.h"

static void via_page(unsigned long ops, void *arg)
{
    while ( ops-- )
        kit_hypercall_via_page(__HYPERVISOR_xen_version, XENVER_version, 0,
                               0, 0, 0);
}

static void via_syscall(unsigned long ops, void *arg)
{
    while ( ops-- )
        kit_hypercall_via_syscall(__HYPERVISOR_xen_version, XENVER_version,
                                  0, 0, 0, 0);
}

void bench_main(const start_info_t *si)
{
    long v = kit_hypercall_via_syscall(__HYPERVISOR_xen_version,
                                       XENVER_version, 0, 0, 0, 0);

    if ( v < 0 )
    {
        bench_na("hypercall.page", "xen_version: %ld", v);
        bench_na("hypercall.syscall", "xen_version: %ld", v);
        return;
    }
    if ( kit_hypercall_page[0] == 0xcc )
        bench_na("hypercall.page", "no hypercall page");
    else
        bench_run("hypercall.page", 2000, via_page, NULL);
    bench_run("hypercall.syscall", 2000, via_syscall, NULL);
}
