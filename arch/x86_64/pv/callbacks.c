/* SPDX-License-Identifier: MIT */
/* Guest callbacks (event, failsafe, syscall, NMI) and the virtual CR0.TS. */
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/sched.h>
#include <xen/callback.h>
#include <xen/xen.h>

/*
 * Callbacks, as Xen 4.17 registers them for a 64-bit PV guest
 * (pv/callback.c): an address must be canonical (-EINVAL); an address in
 * Tern's hole is accepted, as on Xen: the guest would just fault there in
 * ring 3. The NMI callback is kept where Xen keeps it, in the virtual IDT
 * entry of vector 2 (an interrupt gate: delivery masks events), so
 * set_trap_table can also name it and a NULL trap table clears it.
 * VCPUOP_send_nmi raises a guest NMI through it (pv/traps.c); as on Xen,
 * registering it does not re-raise an NMI dropped while there was none.
 */
static bool canonical(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= 0xffff800000000000ul;
}

static long register_callback(struct vcpu *v, const struct callback_register *reg)
{
    bool mask = reg->flags & CALLBACKF_mask_events;

    if ( !canonical(reg->address) )
        return -EINVAL;
    switch ( reg->type )
    {
    case CALLBACKTYPE_event:
        v->pv.event_callback = reg->address;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->pv.failsafe_callback = reg->address;
        v->pv.failsafe_masks_events = mask;
        return 0;
    case CALLBACKTYPE_syscall:
        v->pv.syscall_callback = reg->address;
        v->pv.syscall_masks_events = mask;
        return 0;
    case CALLBACKTYPE_nmi:
    {
        struct trap_info *t = &v->pv.traps[2];

        t->vector = 2;
        t->flags = 0;
        TI_SET_IF(t, 1);
        t->cs = FLAT_KERNEL_CS;
        t->address = reg->address;
        return 0;
    }
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        /* Xen keeps these for the 32-bit processes of a 64-bit guest.
         * Tern has no compat SYSCALL/SYSENTER path (a compat SYSCALL is
         * the guest's #UD, a SYSENTER its #GP), so they are accepted, as
         * Xen accepts them, and never used. */
        return 0;
    default:
        return -ENOSYS;
    }
}

/*
 * The old interface: event, failsafe and syscall at once, without flags
 * (so neither failsafe nor syscall masks events afterwards). As on Xen,
 * an address that is refused leaves that callback as it was, and the
 * call always returns 0.
 */
long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall)
{
    struct vcpu *v = current_vcpu();
    const struct callback_register regs[3] = {
        { .type = CALLBACKTYPE_event, .address = event },
        { .type = CALLBACKTYPE_failsafe, .address = failsafe },
        { .type = CALLBACKTYPE_syscall, .address = syscall },
    };
    unsigned int i;

    for ( i = 0; i < 3; i++ )
        register_callback(v, &regs[i]);
    return 0;
}

/*
 * callback_op: CALLBACKOP_register (errors as register_callback) and
 * CALLBACKOP_unregister (only the NMI callback can go: -EINVAL for the
 * others, -ENOSYS for an unknown type); -EFAULT for an unreadable
 * argument, -ENOSYS for an unknown cmd.
 */
long do_callback_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current_vcpu();

    switch ( (int)cmd )
    {
    case CALLBACKOP_register:
    {
        struct callback_register reg;

        if ( copy_from_guest(&reg, arg, sizeof(reg)) )
            return -EFAULT;
        return register_callback(v, &reg);
    }
    case CALLBACKOP_unregister:
    {
        struct callback_unregister unreg;

        if ( copy_from_guest(&unreg, arg, sizeof(unreg)) )
            return -EFAULT;
        switch ( unreg.type )
        {
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
            return -EINVAL;                  /* as Xen: these cannot be removed */
        case CALLBACKTYPE_nmi:
            memset(&v->pv.traps[2], 0, sizeof(v->pv.traps[2]));
            return 0;
        default:
            return -ENOSYS;
        }
    }
    default:
        return -ENOSYS;
    }
}

/* The guest's CR0.TS: a later FPU use raises #NM, bounced to the guest. */
long do_fpu_taskswitch(unsigned long set)
{
    struct vcpu *v = current_vcpu();

    v->pv.fpu_ts = !!set;
    write_cr0(set ? read_cr0() | X86_CR0_TS : read_cr0() & ~X86_CR0_TS);
    return 0;
}
