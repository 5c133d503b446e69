/* SPDX-License-Identifier: MIT */
/*
 * Test guest multicall: HYPERVISOR_multicall runs each entry in order and
 * writes each one's own result into it.
 *
 * Proves: a batch of xen_version, an unknown hypercall (-ENOSYS), a call
 * with a bad buffer (-EFAULT), a vcpu_op and another xen_version all run
 * (a failing entry does not stop the batch) and each result equals what
 * the same call gives outside a batch; the multicall itself returns 0; a
 * nested multicall entry fails while the batch goes on; count 0 is a
 * no-op; a bad list pointer is -EFAULT; a long batch is preempted and
 * continued: a timer event that comes due while it runs is delivered in
 * the middle of it (Xen checks for preemption between entries: the upcall
 * interrupts the continuation, the multicall again with the rest of the
 * list), and every entry still runs once, with its own result.
 */
#include <kit/kit.h>

static long multicall(multicall_entry_t *calls, unsigned long nr)
{
    return KIT_HC(__HYPERVISOR_multicall, calls, nr, 0, 0, 0);
}

#define LONG_BATCH 8192
#define ATTEMPTS   20
static multicall_entry_t batch[LONG_BATCH];
static volatile unsigned int upcalls, upcalls_mid_batch;

/* An upcall that interrupted the batch's continuation: the guest is about
 * to issue the multicall again (RAX) with the rest of the list (RDI). */
static bool count_upcalls(struct kit_trap_frame *f)
{
    if ( !kit_events_hook(f) )
        return false;
    upcalls++;
    if ( f->rax == __HYPERVISOR_multicall && f->rdi > (unsigned long)batch &&
         f->rdi < (unsigned long)(batch + LONG_BATCH) )
        upcalls_mid_batch++;
    return true;
}

static void long_batch(long version)
{
    unsigned int i, n, wrong = 0;
    uint64_t t0 = 0;
    long rc = 0;

    kit_events_timer_setup();
    kit_trap_hook = count_upcalls;
    if ( HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL) )
        kit_test_abort("cannot stop the periodic timer");
    kit_events_unmask();
    /* A timer 1 ms ahead, then the batch, until one fires in the middle of
     * a batch (a batch takes a few ms). */
    for ( n = 0; n < ATTEMPTS && !upcalls_mid_batch && !rc && !wrong; n++ )
    {
        unsigned int before = upcalls;

        for ( i = 0; i < LONG_BATCH; i++ )
        {
            batch[i].op = __HYPERVISOR_xen_version;
            batch[i].args[0] = XENVER_version;
            batch[i].result = 0xdeadbeefUL;
        }
        t0 = kit_system_time();
        HYPERVISOR_set_timer_op(t0 + 1000000);
        rc = multicall(batch, LONG_BATCH);
        t0 = kit_system_time() - t0;
        for ( i = 0; i < LONG_BATCH; i++ )
            if ( (long)batch[i].result != version )
                wrong++;
        while ( upcalls == before )
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    kit_printf("long batch: %u attempts, the last took %llu us: rc %ld, %u of "
               "%u results wrong, %u upcalls in the middle\n", n,
               (unsigned long long)(t0 / 1000), rc, wrong, LONG_BATCH,
               upcalls_mid_batch);
    if ( rc != 0 || wrong )
        kit_test_failure("long batch: rc %ld, %u wrong results", rc, wrong);
    if ( !upcalls_mid_batch )
        kit_test_failure("long batch: a timer event never came in the middle");
}

void test_main(const start_info_t *si)
{
    static xen_extraversion_t ev_direct, ev_batch;
    multicall_entry_t mc[6], inner[1];
    long version, rc;
    unsigned int i;

    version = HYPERVISOR_xen_version(XENVER_version, NULL);
    HYPERVISOR_xen_version(XENVER_extraversion, ev_direct);

    memset(mc, 0, sizeof(mc));
    for ( i = 0; i < KIT_ARRAY_SIZE(mc); i++ )
        mc[i].result = 0xdeadbeefUL;
    mc[0].op = __HYPERVISOR_xen_version;
    mc[0].args[0] = XENVER_version;
    mc[1].op = 63;                              /* no such hypercall */
    mc[2].op = __HYPERVISOR_xen_version;
    mc[2].args[0] = XENVER_extraversion;
    mc[2].args[1] = 0x1000;                     /* unmapped buffer */
    mc[3].op = __HYPERVISOR_vcpu_op;
    mc[3].args[0] = VCPUOP_is_up;
    mc[3].args[1] = 0;
    mc[4].op = __HYPERVISOR_xen_version;
    mc[4].args[0] = XENVER_extraversion;
    mc[4].args[1] = (unsigned long)ev_batch;
    mc[5].op = __HYPERVISOR_vcpu_op;
    mc[5].args[0] = VCPUOP_is_up;
    mc[5].args[1] = 1000;                       /* no such vCPU */

    rc = multicall(mc, KIT_ARRAY_SIZE(mc));
    for ( i = 0; i < KIT_ARRAY_SIZE(mc); i++ )
        kit_printf("entry %u: op %lu result %ld\n", i, mc[i].op,
                   (long)mc[i].result);
    if ( rc != 0 )
        kit_test_failure("multicall returned %ld, want 0", rc);
    if ( (long)mc[0].result != version )
        kit_test_failure("xen_version in batch %#lx, want %#lx",
                         mc[0].result, version);
    if ( (long)mc[1].result != -XEN_ENOSYS )
        kit_test_failure("hypercall 63 in batch %ld, want %d",
                         (long)mc[1].result, -XEN_ENOSYS);
    if ( (long)mc[2].result != -XEN_EFAULT )
        kit_test_failure("bad buffer in batch %ld, want %d",
                         (long)mc[2].result, -XEN_EFAULT);
    if ( mc[3].result != 1 )
        kit_test_failure("is_up vcpu 0 in batch %ld, want 1",
                         (long)mc[3].result);
    if ( mc[4].result != 0 || memcmp(ev_batch, ev_direct, sizeof(ev_batch)) )
        kit_test_failure("extraversion in batch: %ld \"%.16s\", want 0 \"%.16s\"",
                         (long)mc[4].result, ev_batch, ev_direct);
    if ( (long)mc[5].result != -XEN_ENOENT )
        kit_test_failure("is_up vcpu 1000 in batch %ld, want %d",
                         (long)mc[5].result, -XEN_ENOENT);
    /* The op field is left as it was. */
    if ( mc[1].op != 63 || mc[3].op != __HYPERVISOR_vcpu_op )
        kit_test_failure("multicall changed an entry's op");

    /* A multicall inside a multicall fails; the batch goes on. */
    memset(inner, 0, sizeof(inner));
    inner[0].op = __HYPERVISOR_xen_version;
    inner[0].result = 0xdeadbeefUL;
    memset(mc, 0, sizeof(mc));
    mc[0].op = __HYPERVISOR_multicall;
    mc[0].args[0] = (unsigned long)inner;
    mc[0].args[1] = 1;
    mc[1].op = __HYPERVISOR_xen_version;
    rc = multicall(mc, 2);
    kit_printf("nested: rc %ld, entry %ld, inner %#lx, next %#lx\n", rc,
               (long)mc[0].result, inner[0].result, mc[1].result);
    if ( rc != 0 || (long)mc[0].result >= 0 || inner[0].result != 0xdeadbeefUL ||
         (long)mc[1].result != version )
        kit_test_failure("nested multicall: rc %ld, entry %ld, inner %#lx, "
                         "next %#lx", rc, (long)mc[0].result,
                         inner[0].result, mc[1].result);

    rc = multicall(mc, 0);
    if ( rc != 0 )
        kit_test_failure("empty multicall: %ld, want 0", rc);
    rc = multicall((multicall_entry_t *)0x1000, 1);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("multicall of an unmapped list: %ld, want %d",
                         rc, -XEN_EFAULT);
    long_batch(version);
    kit_test_success();
}
