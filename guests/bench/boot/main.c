/* SPDX-License-Identifier: MIT */
/*
 * Bench guest boot: nothing but the boot figures every bench guest prints,
 * the TSC (ticks since power-on) on entry to test_main() and just before
 * the result line. Under -icount shift=0 they count every instruction the
 * machine ran: firmware, the hypervisor's boot, the domain build and the
 * kit's start of day.
 */
#include "bench.h"

void bench_main(const start_info_t *si)
{
}
