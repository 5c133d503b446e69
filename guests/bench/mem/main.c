/* SPDX-License-Identifier: MIT */
/*
 * Bench guest mem: holds still so that the hypervisor's memory can be
 * counted from outside.
 *
 * Prints the pages the domain owns (XENMEM_current_reservation) and
 * `BENCH hold`, then blocks for ever with events on. The runner, once
 * every domain of the run holds, asks the hypervisor for its memory report
 * on the serial line (Tern's debug key 'm'; Xen's 'm' after CTRL-a x3),
 * then stops the machine. The result line is never printed.
 */
#include "bench.h"

void bench_main(const start_info_t *si)
{
    domid_t self = DOMID_SELF;
    long pages = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);

    if ( pages < 0 )
        pages = (long)si->nr_pages;
    bench_value("mem.domain-pages", (uint64_t)pages, "pages");
    bench_events_on();
    kit_printf("BENCH hold\n");
    for ( ;; )
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}
