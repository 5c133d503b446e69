/* SPDX-License-Identifier: MIT */
/* Running vCPUs on pCPUs: a round-robin of every runnable vCPU (core/schedule.c). */
#ifndef TERN_SCHED_H
#define TERN_SCHED_H

#include <asm/pv.h>
#include <asm/regs.h>
#include <tern/domain.h>
#include <tern/smp.h>

#define SCHED_SLICE_MS 10

/* Make v runnable and kick an idle pCPU to take it. */
void vcpu_wake(struct vcpu *v);
/* An event is pending for v: wake it if blocked, interrupt its pCPU if it
 * runs elsewhere (the upcall is made on its way back to the guest). */
void vcpu_kick(struct vcpu *v);
/* The current vCPU waits for an event (SCHEDOP_block, SCHEDOP_poll); it
 * is switched out on the way back to the guest. */
void vcpu_block_current(void);
/* At the end of an interrupt or hypercall taken from a guest, with the
 * guest frame: switch to the next runnable vCPU if this one's slice is over
 * or it stopped being runnable. */
void schedule_tail(struct cpu_regs *frame);
/* The current vCPU can never run again (its domain ended): leave it and
 * run whatever is next on this pCPU. */
void __noreturn schedule_exit_current(void);
/* From the idle loop: run a runnable vCPU if there is one (then never
 * returns), else return so the caller halts. Interrupts disabled. */
void schedule_from_idle(void);

static inline struct vcpu *current_vcpu(void)
{
    return this_cpu()->curr;
}

#endif /* TERN_SCHED_H */
