/* SPDX-License-Identifier: MIT */
/* Kit: hypercalls, through the hypercall page or by SYSCALL directly. */
#ifndef KIT_HYPERCALL_H
#define KIT_HYPERCALL_H

#include <kit/xen.h>

/*
 * Two ways into the hypervisor, both from guest kernel mode:
 *
 *  - the hypercall page: the kit's ELF note XEN_ELFNOTE_HYPERCALL_PAGE names
 *    kit_hypercall_page, which the domain builder fills with one 32-byte
 *    stub per hypercall number (stub = page + nr * 32);
 *  - SYSCALL directly: number in RAX, arguments in RDI, RSI, RDX, R10, R8,
 *    result in RAX; SYSCALL itself clobbers RCX and R11.
 *
 * kit_hypercall() takes the way named by kit_hypercall_mode, which starts
 * as KIT_HC_PAGE; a test may switch it at any time, or call one of the two
 * fixed-way functions below. Xen may clobber the argument registers of a
 * hypercall (debug builds poison them), so both treat them as outputs.
 */
#define KIT_HC_PAGE     0   /* call the stub in the hypercall page */
#define KIT_HC_SYSCALL  1   /* issue SYSCALL with the number in RAX */

extern int kit_hypercall_mode;
extern uint8_t kit_hypercall_page[4096];
/* Assembly only (entry.S): jump here with an iret frame from `flags` up on
 * the stack to make HYPERVISOR_iret the way kit_hypercall_mode says. */
extern const char kit_hypercall_iret[];

/* Hypercall nr through the hypercall page; returns Xen's RAX. */
static inline long kit_hypercall_via_page(unsigned int nr, unsigned long a1,
                                          unsigned long a2, unsigned long a3,
                                          unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    unsigned long rax = (unsigned long)kit_hypercall_page + nr * 32UL;

    __asm__ volatile ("call *%%rax"
                      : "+a" (rax), "+D" (a1), "+S" (a2), "+d" (a3),
                        "+r" (r10), "+r" (r8)
                      :
                      : "rcx", "r11", "memory");
    return (long)rax;
}

/* Hypercall nr by a direct SYSCALL; returns Xen's RAX. */
static inline long kit_hypercall_via_syscall(unsigned int nr, unsigned long a1,
                                             unsigned long a2, unsigned long a3,
                                             unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    unsigned long rax = nr;

    __asm__ volatile ("syscall"
                      : "+a" (rax), "+D" (a1), "+S" (a2), "+d" (a3),
                        "+r" (r10), "+r" (r8)
                      :
                      : "rcx", "r11", "memory");
    return (long)rax;
}

/* Hypercall nr the way kit_hypercall_mode says; returns Xen's RAX. */
static inline long kit_hypercall(unsigned int nr, unsigned long a1,
                                 unsigned long a2, unsigned long a3,
                                 unsigned long a4, unsigned long a5)
{
    if ( kit_hypercall_mode == KIT_HC_SYSCALL )
        return kit_hypercall_via_syscall(nr, a1, a2, a3, a4, a5);
    return kit_hypercall_via_page(nr, a1, a2, a3, a4, a5);
}

#define KIT_HC(nr, a1, a2, a3, a4, a5)                                   \
    kit_hypercall(nr, (unsigned long)(a1), (unsigned long)(a2),          \
                  (unsigned long)(a3), (unsigned long)(a4),              \
                  (unsigned long)(a5))

/* The typed wrappers, named as in Xen's guests; each returns Xen's RAX. */

/* console_io: CONSOLEIO_write or CONSOLEIO_read of count bytes at buf. */
static inline long HYPERVISOR_console_io(int cmd, unsigned int count, void *buf)
{
    return KIT_HC(__HYPERVISOR_console_io, cmd, count, buf, 0, 0);
}

/* sched_op: SCHEDOP_yield, SCHEDOP_block, SCHEDOP_shutdown, SCHEDOP_poll ... */
static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return KIT_HC(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}

/* event_channel_op: EVTCHNOP_send, EVTCHNOP_alloc_unbound ... */
static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return KIT_HC(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

/* xen_version: XENVER_version (returns major << 16 | minor), _extraversion ... */
static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return KIT_HC(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0);
}

/* update_va_mapping: set the PTE of va to val, flags UVMF_*. */
static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t val,
                                                unsigned long flags)
{
    return KIT_HC(__HYPERVISOR_update_va_mapping, va, val, flags, 0, 0);
}

/* mmu_update: count requests; *done gets how many were applied. */
static inline long HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count,
                                         unsigned int *done, domid_t dom)
{
    return KIT_HC(__HYPERVISOR_mmu_update, req, count, done, dom, 0);
}

/* mmuext_op: count extended MMU operations (pin, new_baseptr, flush ...). */
static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count,
                                        unsigned int *done, domid_t dom)
{
    return KIT_HC(__HYPERVISOR_mmuext_op, op, count, done, dom, 0);
}

/* memory_op: XENMEM_* with its argument structure. */
static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return KIT_HC(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}

/* vm_assist: VMASST_CMD_enable/disable of VMASST_TYPE_*. */
static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
    return KIT_HC(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

/* set_trap_table: a trap_info array ended by an entry with address 0. */
static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
    return KIT_HC(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
}

/* set_callbacks: event, failsafe and syscall entry points. */
static inline long HYPERVISOR_set_callbacks(unsigned long event,
                                            unsigned long failsafe,
                                            unsigned long syscall)
{
    return KIT_HC(__HYPERVISOR_set_callbacks, event, failsafe, syscall, 0, 0);
}

/* callback_op: CALLBACKOP_register / _unregister. */
static inline long HYPERVISOR_callback_op(int cmd, void *arg)
{
    return KIT_HC(__HYPERVISOR_callback_op, cmd, arg, 0, 0, 0);
}

/* grant_table_op: count GNTTABOP_* operations. */
static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop,
                                             unsigned int count)
{
    return KIT_HC(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}

/* vcpu_op: VCPUOP_* on vcpu. */
static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return KIT_HC(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}

/* set_timer_op: one-shot timer at system time timeout (ns), 0 cancels. */
static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{
    return KIT_HC(__HYPERVISOR_set_timer_op, timeout, 0, 0, 0, 0);
}

/* physdev_op: PHYSDEVOP_*. */
static inline long HYPERVISOR_physdev_op(int cmd, void *arg)
{
    return KIT_HC(__HYPERVISOR_physdev_op, cmd, arg, 0, 0, 0);
}

/* Send an event on local port; returns 0 or a negative Xen errno. */
static inline long kit_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send send = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

/* Shut this domain down with reason SHUTDOWN_*; returns only on failure. */
static inline long kit_shutdown(unsigned int reason)
{
    struct sched_shutdown sd = { .reason = reason };

    return HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
}

#endif /* KIT_HYPERCALL_H */
