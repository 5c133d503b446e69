/* SPDX-License-Identifier: MIT */
/* The scheduler's glue: one lock, time slices, tickles, context switches, runstates. */
/*
 * Theory of operation
 *
 * The policy (credit2 by default, null with sched=null; see
 * sched-policy.h) decides; this file carries the decisions out. One lock,
 * sched_lock, covers every policy call and the scheduling fields of all
 * vCPUs (running, runnable, runstate while not running); with a handful
 * of pCPUs one lock is simpler than Xen's per-runqueue locks and costs
 * little, since Tern runs with interrupts off and holds it briefly.
 *
 * A pCPU reschedules when its need_resched is set: by its slice timer
 * (armed at the expiry the policy gave), by a vCPU blocking or yielding,
 * or by a "tickle" from another pCPU (need_resched, then a VEC_EVENT IPI,
 * which also wakes it from HLT). It does so on its way back to a guest
 * (schedule_tail) or in its idle loop (schedule_from_idle):
 *
 *   lock: do_schedule -> next; prev's runstate ends (running -> runnable,
 *         blocked or offline), next is claimed (running, runstate running)
 *   unlock; stop prev's periodic timer; save prev's state
 *         (arch_switch_to(prev, NULL))
 *   lock: prev->running = false, context_saved (may queue prev again)
 *   unlock; load next's state; its pvclock, runstate area and periodic
 *         timer catch up (vcpu_periodic_resume: Xen's overdue tick);
 *         arm the slice timer; enter the guest (a due NMI or upcall first)
 *
 * So a vCPU's registers are saved before any other pCPU can pick it: the
 * policy keeps it "scheduled" until context_saved. Runstates change only
 * under sched_lock (and running -> running by the pCPU that runs it):
 * waking a vCPU makes it runnable at once, so time spent waiting in a
 * queue, parked by a cap, or for a pCPU under null counts as runnable;
 * the guest's registered runstate area is written whenever the vCPU is
 * switched in or out (as Xen does), when the vCPU's own page tables are
 * loaded.
 *
 * Runnable is a function of the vCPU's flags (vcpu_runnable()), read
 * under the lock at each decision: a vCPU sets blocked and then asks to
 * reschedule, a waker clears blocked and then calls vcpu_wake(), so
 * whichever order they come in, no wake-up is lost. The policy also
 * learns whether a vCPU is down (sched_unit.offline, from v->down read
 * under the lock at insert, wake and sleep): VCPUOP_down sets down and
 * then calls vcpu_sleep_nosync(), VCPUOP_up clears it and then calls
 * vcpu_wake(), so the last of the two to take the lock tells the policy
 * the final state. (sched=null frees the pCPU of a vCPU that is down.)
 */
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/cpulist.h>
#include <tern/errno.h>
#include <tern/heap.h>
#include <tern/lib.h>
#include <tern/sched.h>

static const struct scheduler_ops *const policies[] = {
    &sched_credit2_ops,
    &sched_null_ops,
};

static const struct scheduler_ops *ops = &sched_credit2_ops;
static DEFINE_SPINLOCK(sched_lock);
static cpumask_t sched_online;
static volatile bool sched_ready;

BUILD_BUG_ON(NR_CPUS > SCHED_MAX_CPUS);

int sched_select(const char *name)
{
    unsigned int i;

    for ( i = 0; name && i < ARRAY_SIZE(policies); i++ )
        if ( !strcmp(name, policies[i]->name) )
        {
            ops = policies[i];
            return 0;
        }
    return -EINVAL;
}

static void slice_end(void *unused)
{
    this_cpu()->need_resched = true;
}

void sched_init(void)
{
    unsigned int cpu;
    unsigned long f;
    char list[64];

    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
        if ( percpu_data[cpu].online )
        {
            sched_online |= cpumask_of(cpu);
            timer_init(&percpu_data[cpu].slice_timer, slice_end, NULL, "timeslice");
        }
    f = spin_lock_irqsave(&sched_lock);
    ops->init(sched_online);
    spin_unlock_irqrestore(&sched_lock, f);
    __atomic_store_n(&sched_ready, true, __ATOMIC_RELEASE);
    printk("Scheduler: %s on pCPUs %s\n", ops->name,
           cpulist_format(list, sizeof(list), sched_online));
}

static struct vcpu *unit_vcpu(struct sched_unit *u)
{
    return u ? container_of(u, struct vcpu, sched) : NULL;
}

/* What v's runstate is when it does not run (as Xen's schedule()). */
static int runstate_idle_state(const struct vcpu *v)
{
    if ( v->blocked )
        return RUNSTATE_blocked;
    return vcpu_runnable(v) ? RUNSTATE_runnable : RUNSTATE_offline;
}

/* Make every pCPU in m reschedule (IPIs after the lock is dropped). */
static void tickle(cpumask_t m)
{
    unsigned int cpu, self = smp_processor_id();

    for ( cpu = 0; m && cpu < SCHED_MAX_CPUS; cpu++, m >>= 1 )
    {
        if ( !(m & 1) )
            continue;
        percpu_data[cpu].need_resched = true;
        if ( cpu != self )
            smp_send_ipi(cpu, VEC_EVENT);
    }
}

void sched_init_domain(struct domain *d)
{
    unsigned long f;

    d->sched.domid = d->domain_id;
    d->sched.weight = d->cfg.weight ? d->cfg.weight : DOMCFG_DEFAULT_WEIGHT;
    d->sched.cap = d->cfg.cap;
    f = spin_lock_irqsave(&sched_lock);
    ops->init_domain(&d->sched, now());
    spin_unlock_irqrestore(&sched_lock, f);
}

int sched_init_vcpu(struct vcpu *v)
{
    struct domain *d = v->domain;
    cpumask_t aff = domconfig_vcpu_cpus(&d->cfg, v->vcpu_id);
    char list[64];
    unsigned long f;

    if ( !aff )
        aff = sched_online;
    if ( !(aff & sched_online) )
    {
        printk(TLOG_ERR "d%u '%s': cpus=: vCPU %u may only run on pCPUs %s, none "
               "of them online; domain not built\n", d->domain_id, d->name,
               v->vcpu_id, cpulist_format(list, sizeof(list), aff));
        return -EINVAL;
    }
    v->sched.dom = &d->sched;
    v->sched.vcpu_id = v->vcpu_id;
    v->sched.hard_affinity = aff & sched_online;
    f = spin_lock_irqsave(&sched_lock);
    v->sched.offline = ACCESS_ONCE(v->down);
    ops->insert_unit(&v->sched, now());
    v->processor = v->sched.cpu;
    spin_unlock_irqrestore(&sched_lock, f);
    return 0;
}

void sched_destroy_vcpu(struct vcpu *v)
{
    cpumask_t t;
    unsigned long f;

    if ( !v->sched.inserted )
        return;
    if ( ACCESS_ONCE(v->running) && v->processor != smp_processor_id() )
        vcpu_sleep_sync(v);
    f = spin_lock_irqsave(&sched_lock);
    t = ops->remove_unit(&v->sched, now());
    spin_unlock_irqrestore(&sched_lock, f);
    tickle(t);
}

void vcpu_wake(struct vcpu *v)
{
    cpumask_t t = 0;
    unsigned long f = spin_lock_irqsave(&sched_lock);

    if ( v->sched.inserted && vcpu_runnable(v) )
    {
        v->sched.offline = false;
        t = ops->wake(&v->sched, now());
        v->runnable = true;
        if ( v->runstate.state != RUNSTATE_running )
            vcpu_runstate_update(v, RUNSTATE_runnable);
    }
    spin_unlock_irqrestore(&sched_lock, f);
    tickle(t);
}

void vcpu_sleep_nosync(struct vcpu *v)
{
    cpumask_t t = 0;
    unsigned long f = spin_lock_irqsave(&sched_lock);

    if ( v->sched.inserted && !vcpu_runnable(v) )
    {
        v->sched.offline = ACCESS_ONCE(v->down);
        t = ops->sleep(&v->sched, now());
        v->runnable = false;
        if ( v->runstate.state != RUNSTATE_running )
            vcpu_runstate_update(v, runstate_idle_state(v));
    }
    spin_unlock_irqrestore(&sched_lock, f);
    tickle(t);
}

/* A consistent copy of v's runstate: it changes under sched_lock only
 * (Xen's vcpu_runstate_get takes the unit's lock too). */
void vcpu_runstate_snapshot(const struct vcpu *v, struct vcpu_runstate_info *ri)
{
    unsigned long f = spin_lock_irqsave(&sched_lock);

    *ri = v->runstate;
    spin_unlock_irqrestore(&sched_lock, f);
}

void vcpu_sleep_sync(struct vcpu *v)
{
    ASSERT(v != current_vcpu());
    vcpu_sleep_nosync(v);
    while ( __atomic_load_n(&v->running, __ATOMIC_ACQUIRE) )
        arch_spin_relax();
}

/* As Xen's vcpu_kick and vcpu_unblock: a kick ends a poll too. */
void vcpu_kick(struct vcpu *v)
{
    if ( v->blocked )
    {
        v->polling = false;
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
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* An event that came in meanwhile: do not sleep through it. */
    if ( v->blocked && evtchn_upcall_due(v) )
    {
        v->blocked = false;
        return;
    }
    this_cpu()->need_resched = true;
}

void vcpu_poll_block_current(void)
{
    this_cpu()->need_resched = true;
}

void vcpu_yield_current(void)
{
    unsigned long f = spin_lock_irqsave(&sched_lock);

    ops->yield(&current_vcpu()->sched);
    spin_unlock_irqrestore(&sched_lock, f);
    this_cpu()->need_resched = true;
}

/* Arm this pCPU's slice timer for the policy's expiry (0: none). */
static void arm_slice(s_time_t expires)
{
    struct percpu *pc = this_cpu();

    if ( expires )
        set_timer(&pc->slice_timer, expires);
    else
        stop_timer(&pc->slice_timer);
}

/* next was picked for this pCPU (sched_lock held). */
static void claim(struct vcpu *next)
{
    next->running = true;
    next->runnable = true;
    next->processor = smp_processor_id();
    vcpu_runstate_update(next, RUNSTATE_running);
}

/* Make v this pCPU's current vCPU, its state loaded (interrupts off):
 * its pvclock, runstate area and periodic timer catch up. */
static void start_running(struct vcpu *v, s_time_t expires)
{
    this_cpu()->curr = v;
    pv_update_vcpu_time(v);
    vcpu_runstate_publish(v);        /* claim() made it running, under the lock */
    vcpu_periodic_resume(v);
    arm_slice(expires);
}

/* prev's state is saved: another pCPU may run it now. */
static void saved(struct vcpu *prev)
{
    cpumask_t t;

    spin_lock(&sched_lock);
    __atomic_store_n(&prev->running, false, __ATOMIC_RELEASE);
    t = ops->context_saved(&prev->sched, now());
    spin_unlock(&sched_lock);
    tickle(t);
}

void schedule_tail(struct cpu_regs *frame)
{
    struct percpu *pc = this_cpu();
    struct vcpu *prev = pc->curr, *next;
    struct sched_decision d;
    bool runnable;

    if ( !pc->need_resched || !prev )
        return;
    pc->need_resched = false;
    spin_lock(&sched_lock);
    runnable = vcpu_runnable(prev);
    d = ops->do_schedule(pc->cpu, now(), runnable);
    next = unit_vcpu(d.next);
    if ( next != prev )
    {
        prev->runnable = runnable;
        vcpu_runstate_update(prev, runstate_idle_state(prev));
        if ( next )
            claim(next);
    }
    spin_unlock(&sched_lock);
    tickle(d.tickle);
    if ( next == prev )
    {
        arm_slice(d.expires);
        return;
    }
    /* Before saved(): another pCPU may switch prev in after it. */
    vcpu_periodic_stop(prev);
    arch_switch_to(prev, NULL, frame);
    pc->curr = NULL;
    saved(prev);
    if ( !next )
    {
        arm_slice(d.expires);
        reset_stack_and_call(idle_loop);
    }
    arch_switch_to(NULL, next, frame);
    start_running(next, d.expires);
}

void schedule_from_idle(void)
{
    struct percpu *pc = this_cpu();
    struct sched_decision d;
    struct vcpu *next;
    struct cpu_regs *frame;

    if ( !__atomic_load_n(&sched_ready, __ATOMIC_ACQUIRE) )
        return;
    pc->need_resched = false;
    spin_lock(&sched_lock);
    d = ops->do_schedule(pc->cpu, now(), false);
    next = unit_vcpu(d.next);
    if ( next )
        claim(next);
    spin_unlock(&sched_lock);
    tickle(d.tickle);
    if ( !next )
    {
        arm_slice(d.expires);
        return;
    }
    frame = arch_guest_frame();
    arch_switch_to(NULL, next, frame);
    start_running(next, d.expires);
    pv_deliver_events(frame);           /* due NMI and upcall, at once */
    arch_enter_guest(frame);
}

void schedule_exit_current(void)
{
    struct percpu *pc = this_cpu();

    local_irq_disable();
    stop_timer(&pc->slice_timer);
    pc->curr = NULL;
    arch_switch_to(NULL, NULL, arch_guest_frame());
    reset_stack_and_call(idle_loop);
}

/*
 * The dump is written into a buffer under the lock and printed after it:
 * the serial line is slow, and other pCPUs must not wait on the lock that
 * long. A dump too long for the buffer is cut, and says so.
 */
#define DUMP_SIZE 8192

static char *dump_buf;
static size_t dump_len;

static void dump_print(const char *fmt, ...)
{
    va_list ap;
    int n;

    if ( dump_len >= DUMP_SIZE )
        return;
    va_start(ap, fmt);
    n = vsnprintf(dump_buf + dump_len, DUMP_SIZE - dump_len, fmt, ap);
    va_end(ap);
    dump_len = n < 0 ? DUMP_SIZE : dump_len + (size_t)n;
}

void sched_dump(void)
{
    static DEFINE_SPINLOCK(dump_lock);
    unsigned long f = spin_lock_irqsave(&dump_lock);
    char *line, *end;

    if ( !dump_buf && !(dump_buf = heap_alloc(DUMP_SIZE)) )
    {
        spin_unlock_irqrestore(&dump_lock, f);
        printk("Scheduler: no memory for the dump\n");
        return;
    }
    dump_len = 0;
    spin_lock(&sched_lock);
    ops->dump(dump_print, now());
    spin_unlock(&sched_lock);
    if ( dump_len >= DUMP_SIZE )
        dump_len = DUMP_SIZE - 1;
    dump_buf[dump_len] = '\0';
    for ( line = dump_buf; *line; line = end + 1 )
    {
        if ( !(end = strchr(line, '\n')) )
        {
            printk("%s ...(cut)\n", line);
            break;
        }
        *end = '\0';
        printk("%s\n", line);
    }
    spin_unlock_irqrestore(&dump_lock, f);
}
