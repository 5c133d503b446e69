/* SPDX-License-Identifier: MIT */
/* multicall: a batch of hypercalls in one trap, each result written back. */
#include <stddef.h>
#include <asm/pv.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/sched.h>
#include <tern/smp.h>
#include <xen/xen.h>

/*
 * Run nr_calls multicall_entry_t from call_list in order: copy each from
 * the guest, dispatch it through the hypercall table, write its result
 * into the entry's result field. As in Xen 4.17:
 *  - the list must start at an address a guest may name, else -EFAULT
 *    before any call runs (even with nr_calls 0);
 *  - an entry that cannot be read or written back stops the batch with
 *    -EFAULT (the entries before it have run and kept their results);
 *  - a nested multicall is refused with -EINVAL in its result field and
 *    the batch goes on;
 *  - HYPERVISOR_iret runs, its result is the restored RAX, and it ends the
 *    batch (Xen's mc_exit); the multicall itself still returns 0, which
 *    the guest then sees in RAX, as on Xen.
 * Returns 0 or -EFAULT. nr_calls is 32 bits in Xen's prototype.
 *
 * A long batch is preempted between entries, as Xen's: after a slice of
 * work, or as soon as a reschedule is due (a domain dying, a vCPU to
 * deschedule), the rest of the list becomes a continuation, so that no
 * guest keeps a pCPU in Tern (interrupts off) for longer than a slice
 * (checked every 16 entries: reading the clock costs a tenth of a call).
 * The calls inside a batch are not preempted themselves.
 */
long do_multicall(unsigned long call_list, unsigned long nr_calls)
{
    uint32_t i, nr = (uint32_t)nr_calls;
    multicall_entry_t call;
    s_time_t start = now();
    long ret = 0;

    if ( call_list >= 0x0000800000000000ul && call_list < HYPERVISOR_VIRT_END )
        return -EFAULT;

    for ( i = 0; i < nr; i++ )
    {
        unsigned long entry = call_list + i * sizeof(call);
        bool stop = false;

        if ( i && !(i % 16) && hypercall_preempt_check(start) )
            return hypercall_create_continuation(__HYPERVISOR_multicall, 2,
                                                 entry, nr - i, 0, 0);
        if ( copy_from_guest(&call, entry, sizeof(call)) )
            return -EFAULT;

        if ( call.op == __HYPERVISOR_multicall )
            call.result = (xen_ulong_t)-EINVAL;
        else if ( call.op == __HYPERVISOR_iret )
        {
            struct cpu_regs *r = arch_guest_frame();

            pv_do_iret(r);
            call.result = r->rax;
            /* The multicall "returns" the RAX iret restored. */
            ret = (long)r->rax;
            stop = true;
        }
        else
        {
            this_cpu()->in_multicall++;
            call.result = (xen_ulong_t)hypercall_dispatch(call.op, call.args);
            this_cpu()->in_multicall--;
        }

        if ( copy_to_guest(entry + offsetof(multicall_entry_t, result),
                           &call.result, sizeof(call.result)) )
            return stop ? ret : -EFAULT;
        if ( stop )
            break;
    }
    return ret;
}
