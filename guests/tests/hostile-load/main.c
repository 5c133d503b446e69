/* SPDX-License-Identifier: MIT */
/*
 * Test guest hostile-load: a domain that misbehaves on purpose, so that a
 * boot scenario can check that Tern contains it (the other domains go on,
 * Tern's debug keys still answer). The command line picks the behaviour:
 *
 *   mode=spin   an endless CPU loop with events masked: never blocks,
 *               never yields, never makes a hypercall;
 *   mode=flood  an endless stream of cheap hypercalls: xen_version, and
 *               multicalls of 64 xen_version entries;
 *   mode=oom    gives back 16 unmapped spare frames, then
 *               populate_physmap / increase_reservation one extent at a
 *               time until Tern refuses (the domain's maximum): prints how
 *               many it got, checks it is maximum - current and that the
 *               refusal is a partial success as Xen's (nr_done <
 *               nr_extents, not an error), then keeps asking forever, every
 *               answer having to be a refusal;
 *   mode=crash  after 200 ms of system time, clears its trap table
 *               (set_trap_table(NULL)) and executes ud2: Tern must crash
 *               the domain ("crashed: exception 6 ... with no handler
 *               in the trap table").
 *
 * Each mode prints "hostile-load: mode=M started" first. None of them ends
 * with SUCCESS (a check that fails ends in ERROR), so the oracle skips it.
 */
#include <kit/kit.h>
#include <kit/pt.h>

#define MS 1000000ULL

static volatile unsigned long sink;

static void __attribute__((noreturn)) mode_spin(void)
{
    unsigned long i = 0;

    kit_shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    __asm__ __volatile__("" ::: "memory");
    kit_printf("hostile-load: mode=spin started\n");
    for ( ;; )
        sink = ++i;
}

static void __attribute__((noreturn)) mode_flood(void)
{
    static multicall_entry_t mc[64];
    unsigned long rounds = 0;
    unsigned int i;
    long rc;

    for ( i = 0; i < KIT_ARRAY_SIZE(mc); i++ )
    {
        mc[i].op = __HYPERVISOR_xen_version;
        mc[i].args[0] = XENVER_version;
    }
    kit_printf("hostile-load: mode=flood started\n");
    for ( ;; rounds++ )
    {
        rc = HYPERVISOR_xen_version(XENVER_version, NULL);
        if ( rc <= 0 )
            kit_test_abort("flood: xen_version %ld after %lu rounds", rc, rounds);
        rc = kit_multicall(mc, KIT_ARRAY_SIZE(mc));
        if ( rc )
            kit_test_abort("flood: multicall %ld after %lu rounds", rc, rounds);
    }
}

#define OOM_GIVE_BACK 16u   /* spare frames given back before filling up */

static domid_t self = DOMID_SELF;

static long reservation_op(unsigned int cmd, xen_pfn_t *list, unsigned long n)
{
    struct xen_memory_reservation r = {
        .nr_extents = n, .extent_order = 0, .domid = DOMID_SELF,
    };

    set_xen_guest_handle(r.extent_start, list);
    return HYPERVISOR_memory_op(cmd, &r);
}

/* A request past the maximum: must be a refusal (0 of n done). */
static void expect_refusal(unsigned int cmd, unsigned long gpfn, unsigned long n,
                           unsigned long round)
{
    xen_pfn_t list[4];
    unsigned long i;
    long rc;

    for ( i = 0; i < n; i++ )
        list[i] = gpfn + i;
    rc = reservation_op(cmd, list, n);
    if ( rc < 0 || (unsigned long)rc >= n )
        kit_test_abort("oom: %s of %lu past the maximum (round %lu): %ld, want a "
                       "partial success (< %lu)",
                       cmd == XENMEM_populate_physmap ? "populate_physmap" :
                       "increase_reservation", n, round, rc, n);
    if ( rc != 0 )
        kit_test_abort("oom: %s past the maximum (round %lu) gave %ld extents",
                       cmd == XENMEM_populate_physmap ? "populate_physmap" :
                       "increase_reservation", round, rc);
}

static void __attribute__((noreturn)) mode_oom(const start_info_t *si)
{
    unsigned long gpfn = si->nr_pages + 0x100, got = 0, round;
    unsigned int i;
    long cur, max, rc;
    xen_pfn_t one;

    kit_printf("hostile-load: mode=oom started\n");
    cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
    kit_printf("hostile-load: oom: current %ld maximum %ld pages\n", cur, max);
    if ( cur <= 0 || max < cur )
        kit_test_abort("oom: bad reservation %ld / %ld", cur, max);

    /* Give back a few unmapped spare frames first: room to fill again. */
    for ( i = 0; i < OOM_GIVE_BACK; i++ )
    {
        unsigned long pfn = kit_spare_unmapped_pfn();

        if ( !pfn )
            break;
        one = kit_pfn_to_mfn(pfn);
        rc = reservation_op(XENMEM_decrease_reservation, &one, 1);
        if ( rc != 1 )
            kit_test_abort("oom: decrease_reservation of pfn %#lx: %ld", pfn, rc);
    }
    cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    kit_printf("hostile-load: oom: gave back %u frames, current %ld\n", i, cur);

    /* One extent at a time, alternating the two calls, until refused. */
    for ( ;; )
    {
        unsigned int cmd = got & 1 ? XENMEM_increase_reservation :
                                     XENMEM_populate_physmap;

        one = gpfn;
        rc = reservation_op(cmd, &one, 1);
        if ( rc < 0 )
            kit_test_abort("oom: extent %lu: error %ld, want 1 or 0", got, rc);
        if ( rc == 0 )
            break;
        if ( cmd == XENMEM_populate_physmap )
            gpfn++;
        if ( ++got > 1ul << 20 )
            kit_test_abort("oom: more than %lu extents and no refusal", got);
    }
    kit_printf("hostile-load: oom: got %lu extents, then refused (0 of 1 done)\n",
               got);
    if ( (long)got != max - cur )
        kit_test_abort("oom: got %lu extents, want maximum - current = %ld",
                       got, max - cur);
    rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    if ( rc != max )
        kit_test_abort("oom: current %ld after filling, want %ld", rc, max);
    kit_printf("hostile-load: oom: at the maximum, asking on\n");

    /* Keep asking; every answer must still be a refusal. */
    for ( round = 0; ; round++ )
    {
        expect_refusal(XENMEM_populate_physmap, gpfn, 1 + (round & 3), round);
        expect_refusal(XENMEM_increase_reservation, 0, 1 + (round & 3), round);
    }
}

static void __attribute__((noreturn)) mode_crash(void)
{
    uint64_t t0 = kit_system_time();

    kit_printf("hostile-load: mode=crash started\n");
    while ( kit_system_time() - t0 < 200 * MS )
        sink++;
    if ( HYPERVISOR_set_trap_table(NULL) )
        kit_test_abort("crash: set_trap_table(NULL) failed");
    kit_printf("hostile-load: crash: ud2 with no trap handler\n");
    __asm__ __volatile__("ud2" ::: "memory");
    kit_test_abort("crash: ud2 returned");
}

void test_main(const start_info_t *si)
{
    char mode[16];

    kit_cmdline_str((const char *)si->cmd_line, "mode", mode, sizeof(mode));
    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    if ( !strcmp(mode, "spin") )
        mode_spin();
    if ( !strcmp(mode, "flood") )
        mode_flood();
    if ( !strcmp(mode, "oom") )
        mode_oom(si);
    if ( !strcmp(mode, "crash") )
        mode_crash();
    kit_test_abort("hostile-load: unknown mode '%s' (spin, flood, oom, crash)",
                   mode);
}
