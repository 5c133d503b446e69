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
 * no-op; a bad list pointer is -EFAULT.
 */
#include <kit/kit.h>

static long multicall(multicall_entry_t *calls, unsigned long nr)
{
    return KIT_HC(__HYPERVISOR_multicall, calls, nr, 0, 0, 0);
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
    kit_test_success();
}
