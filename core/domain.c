/* SPDX-License-Identifier: MIT */
/* Domain lifetime: start, shutdown, the last one powering off; guest consoles. */
/*
 * Death of a domain with several vCPUs. Whichever of its vCPUs ends it
 * (SCHEDOP_shutdown, a crash, VCPUOP_down of the last vCPU up) claims it
 * by setting d->dying; another vCPU of it that tries as well just leaves
 * its pCPU as a descheduled vCPU does (leave_dying_domain). From then on
 * none of its vCPUs may run (vcpu_runnable). The claimer, holding no
 * lock:
 *
 *   1. asks every pCPU running one of its other vCPUs to deschedule it
 *      (vcpu_sleep_nosync: an IPI, taken at once if that pCPU is in the
 *      guest, else on its way back to it);
 *   2. takes the domain off the list (console input, debug keys);
 *   3. waits until no pCPU runs any of its other vCPUs, their state saved
 *      and their pCPU off the domain's page tables (vcpu_sleep_sync): a
 *      vCPU in the middle of a hypercall finishes it first (a long one,
 *      a multicall say, is preempted as soon as a reschedule is due);
 *   4. only then, when no vCPU of the domain can be inside a hypercall
 *      any more, stops the vCPUs' timers for good, waiting for a callback
 *      running on another pCPU (kill_timer), and closes the event
 *      channels, so that nothing outside the domain reaches its vCPUs
 *      (until then a wake-up of a vCPU of a dying domain changes nothing:
 *      none is runnable);
 *   5. leaves the page tables itself and frees the domain (domain_destroy
 *      also makes the scheduler forget the vCPUs).
 *
 * While it waits it answers TLB-flush requests (arch_spin_relax), and the
 * pCPUs it waits for hold no lock it holds, so the wait always ends.
 */
#include <asm/mm.h>
#include <tern/acpi.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/event.h>
#include <tern/lib.h>
#include <tern/params.h>
#include <tern/sched.h>
#include <xen/io/console.h>
#include <xen/sched.h>

static unsigned int live_domains;

static void console_emit_line(struct domain *d);
static void console_flush_locked(struct domain *d);

/* d's console ring, the page start_info names (Tern holds a reference). */
static struct xencons_interface *console_ring(const struct domain *d)
{
    return d->console_mfn ? mfn_to_virt(d->console_mfn) : NULL;
}

static DEFINE_SPINLOCK(domlist_lock);

static struct domain *domain_list[MAX_DOMAINS];

struct domain *domain_by_id(domid_t id)
{
    return id < MAX_DOMAINS ? ACCESS_ONCE(domain_list[id]) : NULL;
}

void domain_register(struct domain *d)
{
    unsigned long f = spin_lock_irqsave(&domlist_lock);

    if ( d->domain_id < MAX_DOMAINS )
        domain_list[d->domain_id] = d;
    live_domains++;
    spin_unlock_irqrestore(&domlist_lock, f);
}

void domain_unpause(struct domain *d)
{
    vcpu_wake(d->vcpu[0]);
}

static const char *shutdown_name(int reason)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
    };

    return reason >= 0 && reason < (int)ARRAY_SIZE(names) && names[reason] ?
           names[reason] : "unknown";
}

/* The current vCPU's domain is being ended by another of its vCPUs:
 * switch this one out as the scheduler would (its domain is dying, so it
 * is not picked again) and enter whatever runs next. */
static void __noreturn leave_dying_domain(struct vcpu *v)
{
    struct cpu_regs *frame = arch_guest_frame();

    while ( current_vcpu() == v )
    {
        this_cpu()->need_resched = true;
        schedule_tail(frame);               /* goes idle if nothing runs */
    }
    pv_deliver_events(frame);
    arch_enter_guest(frame);
}

void domain_shutdown_current(int reason, const char *why)
{
    struct vcpu *v = current_vcpu(), *w;
    struct domain *d = v->domain;
    unsigned long f;
    unsigned int left;

    /* The hypercall (or multicall) that got here never returns. */
    this_cpu()->in_multicall = 0;
    this_cpu()->hc_cont.pending = false;
    if ( __atomic_exchange_n(&d->dying, true, __ATOMIC_SEQ_CST) )
        leave_dying_domain(v);
    for_each_vcpu ( d, w )
        if ( w != v )
            vcpu_sleep_nosync(w);
    f = spin_lock_irqsave(&d->console_lock);
    console_flush_locked(d);
    if ( d->out_len )
        console_emit_line(d);
    spin_unlock_irqrestore(&d->console_lock, f);
    d->shutdown_reason = reason;
    if ( why )
        printk(TLOG_ERR "d%u '%s': crashed: %s (vCPU %u)\n", d->domain_id,
               d->name, why, v->vcpu_id);
    else
        printk("d%u '%s': shut down (%s)\n", d->domain_id, d->name,
               shutdown_name(reason));
    f = spin_lock_irqsave(&domlist_lock);
    domain_list[d->domain_id] = NULL;
    left = --live_domains;
    spin_unlock_irqrestore(&domlist_lock, f);
    for_each_vcpu ( d, w )
        if ( w != v )
            vcpu_sleep_sync(w);
    for_each_vcpu ( d, w )
        vcpu_timers_kill(w);
    evtchn_destroy(d);

    /* Leave the domain's page tables before freeing its frames. */
    local_irq_disable();
    arch_switch_to(NULL, NULL, arch_guest_frame());
    this_cpu()->curr = NULL;
    domain_destroy(d);
    if ( !left )
    {
        printk("All domains have ended\n");
        if ( !opt.nopoweroff )
            machine_power_off();
    }
    schedule_exit_current();
}

/* What v is doing, for the debug key. */
static const char *vcpu_state(const struct vcpu *v)
{
    if ( v->down )
        return v->is_initialised ? "down" : "down, uninitialised";
    if ( v->running )
        return "running";
    if ( v->blocked )
        return v->polling ? "polling" : "blocked";
    return "runnable";
}

void domain_dump_vcpus(void)
{
    unsigned long f = spin_lock_irqsave(&domlist_lock);
    unsigned int id;
    struct vcpu *v;

    printk("vCPUs of each domain:\n");
    for ( id = 0; id < MAX_DOMAINS; id++ )
    {
        struct domain *d = domain_list[id];

        if ( !d )
            continue;
        printk("  d%u '%s': %u vCPU%s%s\n", id, d->name, d->max_vcpus,
               d->max_vcpus == 1 ? "" : "s", d->dying ? ", dying" : "");
        for_each_vcpu ( d, v )
            printk("    vCPU %u: %s, %s pCPU %u, upcall pending %u mask %u\n",
                   v->vcpu_id, vcpu_state(v), v->running ? "on" : "last on",
                   v->processor, v->vcpu_info->evtchn_upcall_pending,
                   v->vcpu_info->evtchn_upcall_mask);
    }
    spin_unlock_irqrestore(&domlist_lock, f);
}

/* Print the domain's pending line with its prefix, in one piece. */
static void console_emit_line(struct domain *d)
{
    char line[DOM_LINE_MAX + 16];
    int n = snprintf(line, sizeof(line), "(d%u) ", d->domain_id);

    memcpy(line + n, d->out_line, d->out_len);
    n += (int)d->out_len;
    line[n++] = '\n';
    console_write(line, (size_t)n);
    d->out_len = 0;
}

/* Guest bytes are gathered into whole lines so that the lines of several
 * domains and Tern's own never mix; control characters are dropped.
 * Caller holds d->console_lock (the vCPUs of a domain may write at once). */
static void console_put_locked(struct domain *d, const char *buf, size_t n)
{
    size_t i;

    for ( i = 0; i < n; i++ )
    {
        unsigned char c = (unsigned char)buf[i];

        if ( c == '\n' )
            console_emit_line(d);
        else if ( c >= 0x20 && c < 0x7f )
        {
            d->out_line[d->out_len++] = (char)c;
            if ( d->out_len == DOM_LINE_MAX )
                console_emit_line(d);
        }
    }
}

void domain_console_put(struct domain *d, const char *buf, size_t n)
{
    unsigned long f = spin_lock_irqsave(&d->console_lock);

    console_put_locked(d, buf, n);
    spin_unlock_irqrestore(&d->console_lock, f);
}

void domain_console_flush(struct domain *d)
{
    unsigned long f = spin_lock_irqsave(&d->console_lock);

    console_flush_locked(d);
    spin_unlock_irqrestore(&d->console_lock, f);
}

/* Drain d's console ring; caller holds d->console_lock. */
static void console_flush_locked(struct domain *d)
{
    struct xencons_interface *ring = console_ring(d);
    XENCONS_RING_IDX cons, prod;
    char buf[64];
    size_t n = 0;

    if ( !ring )
        return;
    cons = ACCESS_ONCE(ring->out_cons);
    prod = ACCESS_ONCE(ring->out_prod);
    __asm__ __volatile__("" ::: "memory");
    /* The guest owns the indexes: a nonsense distance drops the ring. */
    if ( prod - cons > sizeof(ring->out) )
        cons = prod - sizeof(ring->out);
    while ( cons != prod )
    {
        buf[n++] = ring->out[MASK_XENCONS_IDX(cons++, ring->out)];
        if ( n == sizeof(buf) )
        {
            console_put_locked(d, buf, n);
            n = 0;
        }
    }
    console_put_locked(d, buf, n);
    __asm__ __volatile__("" ::: "memory");
    ring->out_cons = cons;
}

/*
 * Serial input focus, as Xen's console switch: three Ctrl-A in a row move
 * the focus from Tern (its debug keys) to the live domain with the lowest
 * id, then to each next one, and after the last back to Tern; a line says
 * who has it. Bytes go to the domain with the focus on the `in` ring of
 * its start_info console page, and its console port is made pending. A
 * full ring drops the byte, as does a domain that has ended (the focus
 * then stays until switched). domlist_lock keeps the domain, its ring
 * page and its vCPU from being freed while a byte is delivered.
 */
#define FOCUS_TERN (-1)

static int console_focus = FOCUS_TERN;

void domain_console_switch_focus(void)
{
    unsigned long f = spin_lock_irqsave(&domlist_lock);
    char name[sizeof(((struct domain *)0)->name)] = "";
    int id;

    for ( id = console_focus + 1; id < MAX_DOMAINS; id++ )
        if ( domain_list[id] && !domain_list[id]->dying )
            break;
    console_focus = id < MAX_DOMAINS ? id : FOCUS_TERN;
    if ( console_focus != FOCUS_TERN )
        strlcpy(name, domain_list[id]->name, sizeof(name));
    spin_unlock_irqrestore(&domlist_lock, f);
    if ( console_focus == FOCUS_TERN )
        printk("*** Serial input to Tern (type 'CTRL-a' three times to switch input)\n");
    else
        printk("*** Serial input to d%d '%s' (type 'CTRL-a' three times to "
               "switch input)\n", console_focus, name);
}

/* Make d's console port pending and notify it, as a send would. */
static void console_raise(struct domain *d)
{
    evtchn_raise(d, ACCESS_ONCE(d->console_port));
}

bool domain_console_input(char c)
{
    unsigned long f = spin_lock_irqsave(&domlist_lock);
    struct domain *d;
    struct xencons_interface *ring;
    XENCONS_RING_IDX cons, prod;

    if ( console_focus == FOCUS_TERN )
    {
        spin_unlock_irqrestore(&domlist_lock, f);
        return false;
    }
    d = domain_list[console_focus];
    ring = d && !d->dying ? console_ring(d) : NULL;
    if ( ring )
    {
        /* The guest can write both indexes: whatever they say, the byte
         * lands inside the ring. */
        cons = ACCESS_ONCE(ring->in_cons);
        prod = ACCESS_ONCE(ring->in_prod);
        if ( prod - cons < sizeof(ring->in) )
        {
            ring->in[MASK_XENCONS_IDX(prod, ring->in)] = c;
            __asm__ __volatile__("" ::: "memory");
            ACCESS_ONCE(ring->in_prod) = prod + 1;
            console_raise(d);
        }
    }
    spin_unlock_irqrestore(&domlist_lock, f);
    return true;
}
