/* SPDX-License-Identifier: MIT */
/*
 * Test guest nmi: VCPUOP_send_nmi and PV NMI delivery.
 *
 * Proves, as Xen 4.17 does for a PV guest: with no NMI callback an NMI
 * sent to itself is dropped (the guest goes on, and registering a
 * callback afterwards brings no NMI); a non-NULL argument is -EINVAL
 * (nothing sent), a vCPU that does not exist -ENOENT; with the callback
 * (CALLBACKTYPE_nmi) an NMI sent to itself runs it once before the
 * hypercall returns, with an exception frame of the kernel context,
 * events masked inside and restored after; NMIs sent from inside the
 * handler wait (masked) until the handler's HYPERVISOR_iret and then come
 * as one; on a second vCPU, an NMI wakes it from SCHEDOP_block and
 * reaches it while it spins, running its own callback once each time.
 */
#include <kit/kit.h>
#include <kit/smp.h>

#define MS 1000000ULL

extern const unsigned long kit_trap_stubs[];

static volatile unsigned int nmi_count[2];
static volatile unsigned int resend;        /* NMIs to send from the handler */
static volatile unsigned int count_after_resend;
static volatile uint8_t mask_in_nmi;
static volatile unsigned long nmi_cs;
static volatile unsigned int v1_state;      /* 1 ready, 2 blocking, 3 spinning */
static volatile unsigned int v1_stop;

static long send_nmi(unsigned int vcpu, void *arg)
{
    return HYPERVISOR_vcpu_op(VCPUOP_send_nmi, vcpu, arg);
}

static long register_nmi_callback(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_nmi,
        .address = kit_trap_stubs[2],
    };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static bool hook(struct kit_trap_frame *f)
{
    unsigned int id = kit_vcpu_id();

    if ( f->vector != 2 )
        return id == 0 && kit_events_hook(f);
    nmi_count[id]++;
    mask_in_nmi = kit_vcpu_info_of(id)->evtchn_upcall_mask;
    nmi_cs = f->cs;
    if ( id == 0 && resend )
    {
        unsigned int n = resend;

        resend = 0;
        while ( n-- )
            send_nmi(0, NULL);
        count_after_resend = nmi_count[0];
    }
    return true;
}

static void secondary(unsigned int id)
{
    unsigned int seen = 0;

    if ( register_nmi_callback() )
        return;
    v1_state = 1;
    /* Blocked: only an NMI wakes this vCPU (it has no event bound). */
    while ( !nmi_count[1] && !v1_stop )
    {
        v1_state = 2;
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        kit_vcpu_info_of(1)->evtchn_upcall_mask = 1;
    }
    seen = nmi_count[1];
    v1_state = 3;
    while ( nmi_count[1] == seen && !v1_stop )
        kit_cpu_relax();
    v1_state = 4;
    while ( !v1_stop )
        kit_cpu_relax();
}

/* Wait up to ms for cond. */
#define WAIT_UNTIL(cond, ms) ({                                        \
    uint64_t end_ = kit_system_time() + (ms) * MS;                     \
    while ( !(cond) && kit_system_time() < end_ )                      \
        kit_cpu_relax();                                               \
    (cond);                                                            \
})

static void check_smp(void)
{
    long rc;

    if ( kit_nr_vcpus() < 2 )
    {
        kit_printf("one vCPU: NMIs to another vCPU not tried\n");
        return;
    }
    rc = kit_vcpu_start(1, secondary);
    if ( rc )
        kit_test_abort("start vCPU 1: %ld", rc);
    if ( !WAIT_UNTIL(v1_state == 2, 2000) )
        kit_test_abort("vCPU 1 did not get to block: state %u", v1_state);
    /* Let it block for real. */
    {
        uint64_t t = kit_system_time() + 20 * MS;

        while ( kit_system_time() < t )
            kit_cpu_relax();
    }
    rc = send_nmi(1, NULL);
    if ( rc )
        kit_test_failure("send_nmi to vCPU 1: %ld", rc);
    if ( !WAIT_UNTIL(v1_state == 3, 2000) || nmi_count[1] != 1 )
        kit_test_failure("blocked vCPU 1: state %u, %u NMIs, want 3 1",
                         v1_state, nmi_count[1]);
    rc = send_nmi(1, NULL);
    if ( rc )
        kit_test_failure("send_nmi to vCPU 1 (spinning): %ld", rc);
    if ( !WAIT_UNTIL(v1_state == 4, 2000) || nmi_count[1] != 2 )
        kit_test_failure("spinning vCPU 1: state %u, %u NMIs, want 4 2",
                         v1_state, nmi_count[1]);
    if ( nmi_count[0] != 3 )
        kit_test_failure("vCPU 0 took %u NMIs, want 3", nmi_count[0]);
    v1_stop = 1;
}

void test_main(const start_info_t *si)
{
    vcpu_info_t *vi;
    long rc;

    if ( kit_events_init() )
        kit_test_abort("cannot set up event delivery");
    vi = kit_vcpu_info();
    kit_trap_hook = hook;

    /* No NMI callback: dropped. */
    rc = send_nmi(0, NULL);
    if ( rc )
        kit_test_failure("send_nmi, no callback: %ld, want 0", rc);
    HYPERVISOR_xen_version(XENVER_version, NULL);
    if ( register_nmi_callback() )
        kit_test_abort("cannot register the NMI callback");
    HYPERVISOR_xen_version(XENVER_version, NULL);
    if ( nmi_count[0] )
        kit_test_failure("an NMI sent with no callback came later");

    /* Argument checks. */
    rc = send_nmi(0, (void *)0x1000);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("send_nmi with an argument: %ld, want %d", rc,
                         -XEN_EINVAL);
    rc = send_nmi(1000, NULL);
    if ( rc != -XEN_ENOENT )
        kit_test_failure("send_nmi to vCPU 1000: %ld, want %d", rc, -XEN_ENOENT);
    HYPERVISOR_xen_version(XENVER_version, NULL);
    if ( nmi_count[0] )
        kit_test_failure("%u NMIs after refused sends", nmi_count[0]);

    /* To itself, events enabled: once, before the hypercall returns,
     * events masked in the handler. */
    kit_events_unmask();
    rc = send_nmi(0, NULL);
    if ( rc || nmi_count[0] != 1 )
        kit_test_failure("send_nmi to itself: rc %ld, %u NMIs, want 0 1", rc,
                         nmi_count[0]);
    if ( mask_in_nmi != 1 || (nmi_cs & 3) != 0 )
        kit_test_failure("in the NMI handler: upcall mask %u, cs %#lx, want 1, "
                         "RPL 0", mask_in_nmi, nmi_cs);
    if ( vi->evtchn_upcall_mask != 0 )
        kit_test_failure("upcall mask %u after the NMI, want 0",
                         vi->evtchn_upcall_mask);
    kit_events_mask();

    /* Masked until iret: two sent from the handler come once, after it. */
    resend = 2;
    rc = send_nmi(0, NULL);
    kit_printf("NMI handler sent 2: %u NMIs in the handler after sending, "
               "%u in all\n", count_after_resend, nmi_count[0]);
    if ( rc || count_after_resend != 2 || nmi_count[0] != 3 )
        kit_test_failure("NMIs sent from the handler: rc %ld, %u then %u, "
                         "want 0 2 3", rc, count_after_resend, nmi_count[0]);

    check_smp();
    kit_test_success();
}
