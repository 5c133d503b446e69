/* SPDX-License-Identifier: MIT */
/* Test guest smp-basic: the secondary vCPUs' side (commands from vCPU 0). */
#include "smp-basic.h"

long poll_port(evtchn_port_t port, uint64_t ns)
{
    struct sched_poll poll;
    evtchn_port_t p = port;

    set_xen_guest_handle(poll.ports, &p);
    poll.nr_ports = 1;
    poll.timeout = ns ? kit_system_time() + ns : 0;
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/* Is port one of those vCPU id handles in its upcalls (OP_BLOCK)? */
static bool own_port(unsigned int id, unsigned int port)
{
    return port == sh.up[id] || port == sh.timer[id] ||
           (id == 1 && port == sh.loop_far);
}

/*
 * The upcall of a secondary, as a guest kernel's: clear upcall_pending,
 * take the selector, and clear and count the pending unmasked ports it
 * names that are this vCPU's (other vCPUs' ports in the same words are
 * theirs to handle).
 */
static void upcall(unsigned int id)
{
    vcpu_info_t *vi = kit_vcpu_info_of(id);
    shared_info_t *s = kit_shared_info;
    unsigned long sel, bits;

    sh.upcalls[id]++;
    vi->evtchn_upcall_pending = 0;
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    sh.sel_seen[id] |= sel;
    for ( ; sel; sel &= sel - 1 )
    {
        unsigned int w = (unsigned int)__builtin_ctzl(sel);

        for ( bits = s->evtchn_pending[w] & ~s->evtchn_mask[w]; bits; bits &= bits - 1 )
        {
            unsigned int port = w * 64 + (unsigned int)__builtin_ctzl(bits);

            if ( !own_port(id, port) )
                continue;
            kit_evtchn_clear_pending(port);
            if ( port != sh.timer[id] )
                sh.events[id]++;
        }
    }
}

/* LOCK-increment the counter; check the runstate says running. */
static void op_count(unsigned int id)
{
    struct vcpu_runstate_info ri;
    unsigned long i;
    long rc;

    for ( i = 0; i < ITERATIONS; i++ )
        kit_atomic_add(&sh.counter, 1);
    rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, id, &ri);
    if ( !rc && ri.state != RUNSTATE_running )
        rc = 1000 + ri.state;
    if ( !rc && id == 1 && runstate_area1.state != RUNSTATE_running )
        rc = 2000 + runstate_area1.state;
    sh.runstate_rc[id] = rc;
}

/* Wait for this vCPU's VIRQ_TIMER port after arming a timer for deadline:
 * 0, -1 (never fired), -2 (fired early), or the arming's error. */
static long timer_wait(unsigned int id, uint64_t deadline, long armed)
{
    uint64_t end = deadline + 1000 * MS;

    if ( armed )
        return armed;
    while ( !kit_evtchn_is_pending(sh.timer[id]) && kit_system_time() < end )
        poll_port(sh.timer[id], 100 * MS);
    if ( !kit_evtchn_is_pending(sh.timer[id]) )
        return -1;
    if ( kit_system_time() < deadline )
        return -2;
    kit_evtchn_clear_pending(sh.timer[id]);
    return 0;
}

/* A one-shot timer on this vCPU, by VCPUOP_set_singleshot_timer and by
 * set_timer_op: each fires VIRQ_TIMER on this vCPU's port. */
static void op_timer(unsigned int id)
{
    struct vcpu_set_singleshot_timer st;
    uint64_t deadline;
    long rc;

    kit_evtchn_clear_pending(sh.timer[id]);
    deadline = kit_system_time() + 3 * MS;
    st.timeout_abs_ns = deadline;
    st.flags = 0;
    rc = timer_wait(id, deadline,
                    HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, id, &st));
    if ( !rc )
    {
        deadline = kit_system_time() + 3 * MS;
        rc = timer_wait(id, deadline, HYPERVISOR_set_timer_op(deadline));
        if ( rc )
            rc -= 10;
    }
    sh.timer_rc[id] = rc;
}

/* Upcalls on this vCPU: block (events enabled) until the expected events
 * came; a one-shot timer 2 s away ends a wait that would never end. */
static void op_block(unsigned int id)
{
    vcpu_info_t *vi = kit_vcpu_info_of(id);
    unsigned int before = sh.events[id];
    uint64_t end = kit_system_time() + 2000 * MS;

    kit_vcpu_upcall_hook = upcall;
    kit_evtchn_clear_pending(sh.timer[id]);
    kit_evtchn_unmask(sh.timer[id]);
    HYPERVISOR_set_timer_op(end);
    sh.ready[id] = 1;
    while ( sh.events[id] - before < sh.block_expect[id] && kit_system_time() < end )
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    vi->evtchn_upcall_mask = 1;
    kit_barrier();
    HYPERVISOR_set_timer_op(0);
    kit_evtchn_set_mask(sh.timer[id]);
    kit_evtchn_clear_pending(sh.timer[id]);
    sh.ready[id] = 0;
}

/* Count the ticks of the periodic timer vCPU 0 set for this vCPU (its
 * port stays masked: the pending bit is watched and cleared), busy, for
 * up to a second: Xen runs a vCPU's periodic timer while it runs. */
static void op_periodic(unsigned int id)
{
    uint64_t end = kit_system_time() + 1000 * MS;

    sh.ticks[id] = 0;
    kit_evtchn_clear_pending(sh.timer[id]);
    while ( sh.ticks[id] < 5 && kit_system_time() < end )
        if ( kit_evtchn_is_pending(sh.timer[id]) )
        {
            kit_evtchn_clear_pending(sh.timer[id]);
            sh.ticks[id]++;
        }
}

static void op_tlb(unsigned int id, unsigned int seq)
{
    while ( sh.cmd_seq[id] == seq )
    {
        unsigned int round = sh.tlb_round;

        (void)*(volatile unsigned long *)tlb_window;
        sh.tlb_reads[id]++;
        if ( round != sh.tlb_done[id] )
        {
            sh.tlb_seen[id] = *(volatile unsigned long *)tlb_window;
            kit_barrier();
            sh.tlb_done[id] = round;
        }
    }
}

void secondary_main(unsigned int id)
{
    sh.started[id] = 1;
    for ( ;; )
    {
        unsigned int seq = sh.cmd_seq[id], op;

        if ( seq == sh.done[id] )
        {
            poll_port(sh.ipi[id], 100 * MS);
            kit_evtchn_clear_pending(sh.ipi[id]);
            continue;
        }
        op = sh.cmd_op[id];
        switch ( op )
        {
        case OP_COUNT:
            op_count(id);
            break;
        case OP_TIMER:
            op_timer(id);
            break;
        case OP_BLOCK:
            op_block(id);
            break;
        case OP_PERIODIC:
            op_periodic(id);
            break;
        case OP_SPIN:
            while ( sh.cmd_seq[id] == seq )
                sh.heartbeat[id]++;
            break;
        case OP_SELFDOWN:
            sh.selfdown[id] = 1;
            sh.selfdown_rc[id] = HYPERVISOR_vcpu_op(VCPUOP_down, id, NULL);
            sh.selfdown[id] = 2;
            break;
        case OP_TLB:
            op_tlb(id, seq);
            break;
        default:
            break;
        }
        sh.done[id] = seq;
        kit_evtchn_send(sh.to0);
        if ( op == OP_EXIT )
            return;
    }
}
