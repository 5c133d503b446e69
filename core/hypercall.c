/* SPDX-License-Identifier: MIT */
/* The hypercall table: number -> handler, -ENOSYS (logged once) otherwise. */
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/event.h>
#include <tern/grant-table.h>
#include <tern/hypercall.h>
#include <tern/sched.h>
#include <tern/smp.h>
#include <xen/sched.h>
#include <xen/xen.h>

typedef unsigned long ul;

/* Handlers keep their own arity; the table says which it is. */
struct hypercall {
    unsigned int nargs;
    union {
        long (*a1)(ul);
        long (*a2)(ul, ul);
        long (*a3)(ul, ul, ul);
        long (*a4)(ul, ul, ul, ul);
        long (*a5)(ul, ul, ul, ul, ul);
    } fn;
};

#define HC1(nr, f) [nr] = { 1, { .a1 = f } }
#define HC2(nr, f) [nr] = { 2, { .a2 = f } }
#define HC3(nr, f) [nr] = { 3, { .a3 = f } }
#define HC4(nr, f) [nr] = { 4, { .a4 = f } }

static const struct hypercall hypercall_table[64] = {
    HC1(__HYPERVISOR_set_trap_table, do_set_trap_table),
    HC3(__HYPERVISOR_console_io, do_console_io),
    HC2(__HYPERVISOR_xen_version, do_xen_version),
    HC2(__HYPERVISOR_sched_op, do_sched_op),
    HC2(__HYPERVISOR_event_channel_op, do_event_channel_op),
    HC2(__HYPERVISOR_stack_switch, do_stack_switch),
    HC2(__HYPERVISOR_set_segment_base, do_set_segment_base),
    HC3(__HYPERVISOR_set_callbacks, do_set_callbacks),
    HC2(__HYPERVISOR_callback_op, do_callback_op),
    HC1(__HYPERVISOR_fpu_taskswitch, do_fpu_taskswitch),
    HC1(__HYPERVISOR_set_timer_op, do_set_timer_op),
    HC3(__HYPERVISOR_vcpu_op, do_vcpu_op),
    HC2(__HYPERVISOR_sched_op_compat, do_sched_op_compat),
    HC3(__HYPERVISOR_update_va_mapping, do_update_va_mapping),
    HC2(__HYPERVISOR_memory_op, do_memory_op),
    HC2(__HYPERVISOR_multicall, do_multicall),
    HC2(__HYPERVISOR_vm_assist, do_vm_assist),
    HC2(__HYPERVISOR_physdev_op, do_physdev_op),
    HC2(__HYPERVISOR_xenpmu_op, do_xenpmu_op),
    HC4(__HYPERVISOR_mmu_update, do_mmu_update),
    HC4(__HYPERVISOR_mmuext_op, do_mmuext_op),
    HC4(__HYPERVISOR_update_va_mapping_otherdomain, do_update_va_mapping_otherdomain),
    HC2(__HYPERVISOR_set_gdt, do_set_gdt),
    HC2(__HYPERVISOR_set_debugreg, do_set_debugreg),
    HC1(__HYPERVISOR_get_debugreg, do_get_debugreg),
    HC2(__HYPERVISOR_update_descriptor, do_update_descriptor),
    HC3(__HYPERVISOR_grant_table_op, do_grant_table_op),
};

/* The work budget of one hypercall before it is continued; it is continued
 * sooner when a reschedule is due or an event is to be delivered (Xen's
 * hypercall_preempt_check: softirqs pending, local events need delivery). */
#define HYPERCALL_SLICE MILLISECS(1)

bool hypercall_preempt_check(s_time_t start)
{
    const struct percpu *p = this_cpu();

    return !p->in_multicall &&
           (p->need_resched || evtchn_upcall_due(p->curr) ||
            now() - start > HYPERCALL_SLICE);
}

long hypercall_create_continuation(unsigned long nr, unsigned int nargs,
                                   unsigned long a0, unsigned long a1,
                                   unsigned long a2, unsigned long a3)
{
    struct percpu *p = this_cpu();

    p->hc_cont.pending = true;
    p->hc_cont.nr = nr;
    p->hc_cont.nargs = nargs;
    p->hc_cont.args[0] = a0;
    p->hc_cont.args[1] = a1;
    p->hc_cont.args[2] = a2;
    p->hc_cont.args[3] = a3;
    return (long)nr;
}

/* Make the guest issue its SYSCALL (2 bytes) again with the new arguments. */
static void apply_continuation(struct cpu_regs *r)
{
    struct percpu *p = this_cpu();
    unsigned long *regs[4] = { &r->rdi, &r->rsi, &r->rdx, &r->r10 };
    unsigned int i;

    p->hc_cont.pending = false;
    r->rip -= 2;
    r->rax = p->hc_cont.nr;
    for ( i = 0; i < p->hc_cont.nargs; i++ )
        *regs[i] = p->hc_cont.args[i];
}

/* The handler of a number the table holds, called with its own arity. */
static inline long call_handler(const struct hypercall *h, ul a0, ul a1,
                                ul a2, ul a3, ul a4)
{
    switch ( h->nargs )
    {
    case 1: return h->fn.a1(a0);
    case 2: return h->fn.a2(a0, a1);
    case 3: return h->fn.a3(a0, a1, a2);
    case 4: return h->fn.a4(a0, a1, a2, a3);
    default: return h->fn.a5(a0, a1, a2, a3, a4);
    }
}

long hypercall_dispatch(unsigned long nr, const unsigned long args[6])
{
    if ( nr >= ARRAY_SIZE(hypercall_table) || !hypercall_table[nr].nargs )
        return -ENOSYS;
    return call_handler(&hypercall_table[nr], args[0], args[1], args[2],
                        args[3], args[4]);
}

void do_hypercall(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;
    unsigned long nr = r->rax;

    if ( !v->pv.kernel_mode )
    {
        /* A SYSCALL from guest user mode goes to the guest kernel's
         * syscall callback. */
        pv_bounce(r, v->pv.syscall_callback, v->pv.syscall_masks_events ? 2 : 0, 0);
        return;
    }
    if ( nr == __HYPERVISOR_iret )
    {
        pv_do_iret(r);
        return;
    }
    if ( nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr].nargs )
    {
        r->rax = (unsigned long)call_handler(&hypercall_table[nr], r->rdi,
                                             r->rsi, r->rdx, r->r10, r->r8);
        if ( this_cpu()->hc_cont.pending )
            apply_continuation(r);
        return;
    }
    if ( nr < 64 && !(d->enosys_seen[nr / 32] & (1u << (nr % 32))) )
    {
        d->enosys_seen[nr / 32] |= 1u << (nr % 32);
        printk(TLOG_WARNING "d%u: hypercall %lu is not implemented: -ENOSYS\n",
               d->domain_id, nr);
    }
    else if ( nr >= 64 && !(d->enosys_seen[1] & (1u << 31)) )
    {
        d->enosys_seen[1] |= 1u << 31;
        printk(TLOG_WARNING "d%u: hypercall %lu does not exist: -ENOSYS\n",
               d->domain_id, nr);
    }
    r->rax = (unsigned long)-ENOSYS;
}
