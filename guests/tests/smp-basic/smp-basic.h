/* SPDX-License-Identifier: MIT */
/* Test guest smp-basic: what vCPU 0 and the secondaries share. */
#ifndef SMP_BASIC_H
#define SMP_BASIC_H

#include <kit/kit.h>
#include <kit/smp.h>

/*
 * vCPU 0 drives; each secondary runs secondary_main(): it waits (SCHEDOP_poll
 * on its own IPI port, masked) for a command, runs it, says it is done
 * (done[] = the command's number, and an event to vCPU 0's port).
 * Commands that spin (OP_SPIN, OP_TLB) run until the next command comes.
 */
enum op {
    OP_NOP,            /* nothing (ends a spinning command) */
    OP_COUNT,      /* LOCK-increment the shared counter ITERATIONS times */
    OP_TIMER,          /* a one-shot timer on itself, by vcpu_op and set_timer_op */
    OP_BLOCK,          /* unmask upcalls, SCHEDOP_block until the expected events came */
    OP_PERIODIC,       /* count VIRQ_TIMER ticks of the periodic timer vCPU 0 set */
    OP_SPIN,           /* heartbeat++ until the next command */
    OP_SELFDOWN,       /* VCPUOP_down on itself; note when it is back */
    OP_TLB,            /* read the test window until the next command (tlb_*) */
    OP_EXIT,           /* return: the kit takes the vCPU down */
};

#define ITERATIONS   200000ul
#define MS           1000000ull

struct shared {
    volatile unsigned int cmd_op[KIT_MAX_VCPUS];
    volatile unsigned int cmd_seq[KIT_MAX_VCPUS];
    volatile unsigned int done[KIT_MAX_VCPUS];
    volatile unsigned int started[KIT_MAX_VCPUS];
    volatile unsigned long counter;
    volatile unsigned long heartbeat[KIT_MAX_VCPUS];
    /* Ports: ipi[i] (masked) wakes vCPU i, to0 (masked) wakes vCPU 0,
     * up[i] (unmasked) brings vCPU i an upcall, timer[i] its VIRQ_TIMER,
     * loop_far (unmasked, notifying vCPU 1) receives what is sent on
     * loop_near. */
    evtchn_port_t ipi[KIT_MAX_VCPUS], to0, up[KIT_MAX_VCPUS];
    evtchn_port_t timer[KIT_MAX_VCPUS], loop_far, loop_near;
    /* Results, 0 when fine. */
    volatile long timer_rc[KIT_MAX_VCPUS];
    volatile long runstate_rc[KIT_MAX_VCPUS];
    volatile unsigned int block_expect[KIT_MAX_VCPUS];
    volatile unsigned int ready[KIT_MAX_VCPUS];
    volatile unsigned int events[KIT_MAX_VCPUS];      /* of its up[] / loop_far */
    volatile unsigned int upcalls[KIT_MAX_VCPUS];
    volatile unsigned long sel_seen[KIT_MAX_VCPUS];
    volatile unsigned int ticks[KIT_MAX_VCPUS];
    volatile unsigned int selfdown[KIT_MAX_VCPUS];    /* 1 going down, 2 back */
    volatile long selfdown_rc[KIT_MAX_VCPUS];
    /* The TLB test: secondaries read the window page and copy what they
     * read to tlb_seen[] once they see a new tlb_round. */
    volatile unsigned int tlb_round, tlb_done[KIT_MAX_VCPUS];
    volatile unsigned long tlb_seen[KIT_MAX_VCPUS], tlb_reads[KIT_MAX_VCPUS];
};

extern struct shared sh;
extern struct vcpu_runstate_info runstate_area1;
extern uint8_t tlb_window[KIT_PAGE_SIZE];

void secondary_main(unsigned int id);
/* SCHEDOP_poll on one port, for at most ns (0: no timeout). */
long poll_port(evtchn_port_t port, uint64_t ns);

#endif /* SMP_BASIC_H */
