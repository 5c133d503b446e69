/* SPDX-License-Identifier: MIT */
/*
 * Test guest smp-shutdown: a domain ended by one of its secondary vCPUs
 * while the others are busy on other pCPUs.
 *
 * vCPU 0 brings up every vCPU the domain has, then loops on hypercalls;
 * vCPU 2 (and 6) loops on update_va_mapping with UVMF_ALL (TLB shootdowns
 * to the pCPUs of its siblings); vCPU 3 (and 7) blocks for good; vCPU 4
 * polls a port nobody sends on; vCPU 5 spins in the guest. Then vCPU 1
 * prints the result and shuts the domain down (SCHEDOP_shutdown
 * poweroff): the hypervisor must stop every vCPU wherever it is, and go on.
 *
 * With "crash" on the command line (Tern's scenarios only), the last vCPU
 * is started without a trap table and, once vCPU 0 has printed the result,
 * executes UD2: the domain crashes from that vCPU instead.
 */
#include <kit/kit.h>
#include <kit/smp.h>

static volatile unsigned int state[KIT_MAX_VCPUS];
static volatile unsigned int go;
static volatile unsigned long heartbeat[KIT_MAX_VCPUS];
static uint8_t window[KIT_PAGE_SIZE] __attribute__((aligned(4096)));
static evtchn_port_t idle_port;
static struct vcpu_guest_context ctxt;
static unsigned int nr;
static bool crash_mode;

static void busy(unsigned int id)
{
    uint64_t pte = ((uint64_t)kit_virt_to_mfn(window) << KIT_PAGE_SHIFT) |
                   KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;
    struct sched_poll poll;

    switch ( id % 4 )
    {
    case 2:
        for ( ;; heartbeat[id]++ )
            HYPERVISOR_update_va_mapping((unsigned long)window, pte,
                                         UVMF_INVLPG | UVMF_ALL);
    case 3:
        for ( ;; heartbeat[id]++ )
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    case 0:
        set_xen_guest_handle(poll.ports, &idle_port);
        poll.nr_ports = 1;
        poll.timeout = 0;
        for ( ;; heartbeat[id]++ )
            HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    default:
        for ( ;; )
            heartbeat[id]++;
    }
}

static void vcpu_main(unsigned int id)
{
    state[id] = 1;
    while ( !go )
        kit_cpu_relax();
    if ( crash_mode && id == nr - 1 )
    {
        while ( go < 2 )
            kit_cpu_relax();
        __asm__ volatile ("ud2");
    }
    if ( id == 1 && !crash_mode )
    {
        uint64_t end = kit_system_time() + 2000000000ull;
        unsigned int i;

        /* Let the others get going first (the looping ones count). */
        for ( i = 0; i < nr; i++ )
            while ( i != 1 && (i % 4 == 0 ? i == 0 : i % 4 != 3) &&
                    heartbeat[i] < 1000 && kit_system_time() < end )
                kit_cpu_relax();
        kit_printf("smp-shutdown: vCPU 1 ends the domain; vCPU 0 at %lu hypercalls\n",
                   heartbeat[0]);
        kit_test_success();
        kit_test_exit();                    /* SCHEDOP_shutdown, poweroff */
    }
    busy(id);
}

void test_main(const start_info_t *si)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    unsigned int id;
    uint64_t end;

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    crash_mode = kit_cmdline_has((const char *)si->cmd_line, "crash");
    nr = kit_nr_vcpus();
    kit_printf("smp-shutdown: %u vCPUs%s\n", nr, crash_mode ? ", crash mode" : "");
    if ( nr < 2 )
    {
        kit_test_skip("the domain has one vCPU (give it vcpus=2 or more)");
        return;
    }
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) )
        kit_test_abort("bind_ipi");
    idle_port = ipi.port;
    kit_evtchn_set_mask(idle_port);
    for ( id = 1; id < nr; id++ )
    {
        long rc;

        kit_vcpu_context(&ctxt, id, vcpu_main);
        if ( crash_mode && id == nr - 1 )
            memset(ctxt.trap_ctxt, 0, sizeof(ctxt.trap_ctxt));
        rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, id, &ctxt);
        if ( !rc )
            rc = HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
        if ( rc )
            kit_test_abort("start vCPU %u: %ld", id, rc);
    }
    end = kit_system_time() + 2000000000ull;
    for ( id = 1; id < nr; id++ )
        while ( !state[id] && kit_system_time() < end )
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    for ( id = 1; id < nr; id++ )
        if ( !state[id] )
            kit_test_abort("vCPU %u did not start", id);
    kit_printf("smp-shutdown: all %u vCPUs up\n", nr);
    if ( crash_mode )
    {
        kit_printf("smp-shutdown: vCPU %u crashes the domain (UD2, no trap table)\n",
                   nr - 1);
        kit_printf("Test result: SUCCESS\n");
        go = 2;
    }
    else
        go = 1;
    for ( ;; heartbeat[0]++ )
        HYPERVISOR_xen_version(XENVER_version, NULL);
}
