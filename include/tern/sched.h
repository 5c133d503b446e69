/* SPDX-License-Identifier: MIT */
/* Running vCPUs on pCPUs: the scheduler's glue (core/schedule.c) around a policy. */
#ifndef TERN_SCHED_H
#define TERN_SCHED_H

#include <asm/pv.h>
#include <asm/regs.h>
#include <tern/domain.h>
#include <tern/sched-policy.h>
#include <tern/smp.h>

/* sched=credit2|null (Tern's command line, before sched_init): 0 or
 * -EINVAL for an unknown policy. */
int sched_select(const char *name);
/* Start the chosen policy on the online pCPUs (boot CPU, once every CPU
 * is up, before any domain is built). */
void sched_init(void);

/* A new domain's scheduling settings (weight=, cap= of its config). */
void sched_init_domain(struct domain *d);
/* A new vCPU, not yet runnable, with its hard affinity from the config
 * (cpus=). Returns 0, or -EINVAL after logging why when the affinity holds
 * no online pCPU. */
int __must_check sched_init_vcpu(struct vcpu *v);
/* Forget v (before it is freed): waits until no pCPU runs it, unless it is
 * this pCPU's current vCPU (then it simply stops being run). Its
 * domain must be dying or v down, else it could be picked again. */
void sched_destroy_vcpu(struct vcpu *v);

/* v may run: not blocked, not down, its domain not dying. */
static inline bool vcpu_runnable(const struct vcpu *v)
{
    return !v->blocked && !v->down && !v->domain->dying;
}

/* v may have become runnable (unblocked, brought up): queue it and tickle
 * a pCPU to take it. Any context. */
void vcpu_wake(struct vcpu *v);
/* v may have stopped being runnable (down, domain dying): take it off its
 * queue, or make its pCPU switch it out. Returns at once... */
void vcpu_sleep_nosync(struct vcpu *v);
/* ...or once no pCPU runs it and its state is saved (v is not current). */
void vcpu_sleep_sync(struct vcpu *v);
/* An event is pending for v: wake it if blocked (a poll ends too, as on
 * Xen), interrupt its pCPU if it runs elsewhere (the upcall is made on
 * its way back to the guest). */
void vcpu_kick(struct vcpu *v);
/* The current vCPU waits for an event (SCHEDOP_block); it is switched
 * out on the way back to the guest, unless an upcall is due already. */
void vcpu_block_current(void);
/* SCHEDOP_poll: the current vCPU, which its caller marked blocked and
 * polling, leaves its pCPU on the way back to the guest unless a kick
 * (which clears blocked) came first. */
void vcpu_poll_block_current(void);
/* The current vCPU lets others run first (SCHEDOP_yield). */
void vcpu_yield_current(void);
/* At the end of an interrupt or hypercall taken from a guest, with the
 * guest frame: switch to another vCPU if this pCPU was asked to
 * reschedule (time slice over, block, tickle) and the policy says so. */
void schedule_tail(struct cpu_regs *frame);
/* The current vCPU can never run again (its domain ended and
 * sched_destroy_vcpu() forgot it): run whatever is next on this pCPU. */
void __noreturn schedule_exit_current(void);
/* From the idle loop: run a runnable vCPU if there is one (then never
 * returns), else return so the caller halts. Interrupts disabled. */
void schedule_from_idle(void);
/* The 'r' debug key: the policy's view of every pCPU and vCPU. */
void sched_dump(void);

static inline struct vcpu *current_vcpu(void)
{
    return this_cpu()->curr;
}

#endif /* TERN_SCHED_H */
