/* SPDX-License-Identifier: MIT */
/* A global round-robin of runnable vCPUs over every pCPU. */
/*
 * One run queue (FIFO, rq_lock) holds the runnable vCPUs that no pCPU is
 * running. A pCPU runs a vCPU for SCHED_SLICE_MS; when the slice timer
 * fires, the next interrupt or hypercall exit to the guest puts it at the
 * tail and takes the head. Idle pCPUs halt and are woken by an IPI when a
 * vCPU becomes runnable. A vCPU is on at most one of: a pCPU (running) or
 * the queue (queued). This is the simple policy of the core-ABI layer; the
 * proportional-share scheduler replaces it behind the same calls.
 */
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/sched.h>

static DEFINE_SPINLOCK(rq_lock);
static struct vcpu *rq_head, *rq_tail;

/* Caller holds rq_lock. */
static void rq_push(struct vcpu *v)
{
    v->rq_next = NULL;
    if ( rq_tail )
        rq_tail->rq_next = v;
    else
        rq_head = v;
    rq_tail = v;
    v->queued = true;
}

/* Caller holds rq_lock. */
static struct vcpu *rq_pop(void)
{
    struct vcpu *v = rq_head;

    if ( v )
    {
        rq_head = v->rq_next;
        if ( !rq_head )
            rq_tail = NULL;
        v->queued = false;
    }
    return v;
}

void vcpu_wake(struct vcpu *v)
{
    unsigned long f = spin_lock_irqsave(&rq_lock);

    v->runnable = true;
    if ( !v->running && !v->queued )
        rq_push(v);
    spin_unlock_irqrestore(&rq_lock, f);
    smp_send_ipi_others(VEC_EVENT);
}

void vcpu_kick(struct vcpu *v)
{
    if ( v->blocked && !v->polling )
    {
        v->blocked = false;
        vcpu_wake(v);
    }
    else if ( v->running && v->processor != smp_processor_id() )
        smp_send_ipi(v->processor, VEC_EVENT);
}

void vcpu_block_current(void)
{
    struct vcpu *v = current_vcpu();

    v->blocked = true;
    v->runnable = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* An event that came in meanwhile (or a poll already over): do not
     * sleep through it. */
    if ( v->blocked && !v->polling && v->vcpu_info->evtchn_upcall_pending )
    {
        v->blocked = false;
        v->runnable = true;
    }
    this_cpu()->need_resched = true;
}

static void slice_end(void *unused)
{
    this_cpu()->need_resched = true;
}

/* Make v this pCPU's current vCPU (interrupts disabled). */
static void start_running(struct vcpu *v)
{
    struct percpu *pc = this_cpu();

    pc->curr = v;
    pc->need_resched = false;
    v->running = true;
    v->processor = pc->cpu;
    pv_update_vcpu_time(v);
    vcpu_runstate_update(v, RUNSTATE_running);
    if ( !pc->slice_timer.fn )
        timer_init(&pc->slice_timer, slice_end, NULL, "timeslice");
    set_timer(&pc->slice_timer, now() + MILLISECS(SCHED_SLICE_MS));
}

/*
 * Order matters: prev's state is saved before prev can be seen on the run
 * queue (or as not running), else another pCPU could run it from stale
 * registers.
 */
void schedule_tail(struct cpu_regs *frame)
{
    struct percpu *pc = this_cpu();
    struct vcpu *prev = pc->curr, *next;

    if ( !pc->need_resched && prev && prev->runnable )
        return;
    spin_lock(&rq_lock);
    next = rq_pop();
    spin_unlock(&rq_lock);
    if ( !next && prev->runnable )
    {
        start_running(prev);                 /* nobody waits: a new slice */
        return;
    }
    vcpu_runstate_update(prev, prev->runnable ? RUNSTATE_runnable : RUNSTATE_blocked);
    arch_switch_to(prev, NULL, frame);
    spin_lock(&rq_lock);
    prev->running = false;
    if ( prev->runnable && !prev->queued )
        rq_push(prev);
    spin_unlock(&rq_lock);
    if ( !next )
    {
        pc->curr = NULL;
        reset_stack_and_call(idle_loop);
    }
    arch_switch_to(NULL, next, frame);
    start_running(next);
}

void schedule_from_idle(void)
{
    struct vcpu *next;
    struct cpu_regs *frame;

    spin_lock(&rq_lock);
    next = rq_pop();
    spin_unlock(&rq_lock);
    if ( !next )
        return;
    frame = arch_guest_frame();
    arch_switch_to(NULL, next, frame);
    start_running(next);
    arch_enter_guest(frame);
}

void schedule_exit_current(void)
{
    struct percpu *pc = this_cpu();

    local_irq_disable();
    stop_timer(&pc->slice_timer);
    if ( pc->curr )
        pc->curr->running = false;
    pc->curr = NULL;
    arch_switch_to(NULL, NULL, arch_guest_frame());
    reset_stack_and_call(idle_loop);
}
