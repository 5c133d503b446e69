/* SPDX-License-Identifier: MIT */
/*
 * Test guest smp-die-multicall: a domain ended while its other vCPU is in
 * the middle of long multicalls of event-channel operations.
 *
 * A stress test for review H1 (the dying domain's event-channel table was
 * freed while another of its vCPUs was still inside EVTCHNOP_send): vCPU 1
 * loops multicalls of BATCH entries, EVTCHNOP_send on an IPI port bound
 * to itself (masked: it only becomes pending) with an xen_version every
 * 64th entry; vCPU 0 waits until vCPU 1 has finished two batches and
 * checked their results, lets it run 20 ms more, prints the result and
 * shuts the domain down (SCHEDOP_shutdown, poweroff) while vCPU 1 is
 * still in a batch. The hypervisor must stop vCPU 1 wherever it is and
 * end the domain cleanly; the boot scenario (smp-races) checks that it
 * did and that the other domains go on. Under Xen 4.17 (the oracle) dom0
 * simply powers off.
 *
 * Needs 2 vCPUs (vcpus=2; the oracle runs it as a 2-vCPU dom0).
 */
#include <kit/kit.h>
#include <kit/smp.h>

#define MS     1000000ull
#define BATCH  4096

static multicall_entry_t batch[BATCH];
static struct evtchn_send send;
static volatile unsigned long batches;
static volatile long bad_rc;
static volatile unsigned long bad_entry;

static long multicall(multicall_entry_t *calls, unsigned long nr)
{
    return KIT_HC(__HYPERVISOR_multicall, calls, nr, 0, 0, 0);
}

static void fill_batch(void)
{
    unsigned int i;

    for ( i = 0; i < BATCH; i++ )
    {
        memset(&batch[i], 0, sizeof(batch[i]));
        if ( i % 64 == 63 )
        {
            batch[i].op = __HYPERVISOR_xen_version;
            batch[i].args[0] = XENVER_version;
        }
        else
        {
            batch[i].op = __HYPERVISOR_event_channel_op;
            batch[i].args[0] = EVTCHNOP_send;
            batch[i].args[1] = (unsigned long)&send;
        }
        batch[i].result = (unsigned long)-1;
    }
}

/* vCPU 1: batches for ever; the first two are checked (each send 0, each
 * xen_version the version, the multicall 0). */
static void vcpu1_main(unsigned int id)
{
    unsigned int i;
    long rc;

    for ( ;; )
    {
        rc = multicall(batch, BATCH);
        if ( batches < 2 && !bad_rc )
        {
            if ( rc )
            {
                bad_entry = BATCH;
                bad_rc = rc;
            }
            for ( i = 0; i < BATCH && !bad_rc; i++ )
                if ( (i % 64 == 63) ? (long)batch[i].result <= 0
                                    : batch[i].result != 0 )
                {
                    bad_entry = i;
                    bad_rc = (long)batch[i].result;
                    if ( !bad_rc )
                        bad_rc = -1000;
                }
            for ( i = 0; i < BATCH; i++ )
                batch[i].result = (unsigned long)-1;
        }
        kit_atomic_add(&batches, 1);
    }
}

void test_main(const start_info_t *si)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    uint64_t t0, end;

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    if ( kit_nr_vcpus() < 2 )
    {
        kit_test_skip("the domain has one vCPU (give it vcpus=2)");
        return;
    }
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) )
        kit_test_abort("bind_ipi");
    kit_evtchn_set_mask(ipi.port);
    send.port = ipi.port;
    fill_batch();
    if ( kit_vcpu_start(1, vcpu1_main) )
        kit_test_abort("cannot start vCPU 1");
    t0 = kit_system_time();
    end = t0 + 10000 * MS;
    while ( batches < 2 && kit_system_time() < end )
        kit_cpu_relax();
    if ( batches < 2 )
        kit_test_abort("vCPU 1 did not finish two batches of %u in 10 s",
                       BATCH);
    if ( bad_rc )
        kit_test_failure("batch entry %lu: result %ld", bad_entry, bad_rc);
    end = kit_system_time() + 20 * MS;
    while ( kit_system_time() < end )
        kit_cpu_relax();
    kit_printf("smp-die-multicall: vCPU 1 at %lu batches of %u (%llu ms); "
               "vCPU 0 powers the domain off\n", batches, BATCH,
               (unsigned long long)((kit_system_time() - t0) / MS));
    kit_test_success();
    kit_test_exit();                        /* SCHEDOP_shutdown, poweroff */
}
