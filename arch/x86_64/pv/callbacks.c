/* SPDX-License-Identifier: MIT */
/* Guest callbacks (event, failsafe, syscall, NMI) and the virtual CR0.TS. */
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/sched.h>
#include <xen/callback.h>
#include <xen/xen.h>

/* A callback address must be a guest address (not in Tern's hole). */
static bool guest_code_ok(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= HYPERVISOR_VIRT_END;
}

long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall)
{
    struct vcpu *v = current_vcpu();

    if ( !guest_code_ok(event) || !guest_code_ok(failsafe) || !guest_code_ok(syscall) )
        return -EINVAL;
    v->pv.event_callback = event;
    v->pv.failsafe_callback = failsafe;
    v->pv.syscall_callback = syscall;
    v->pv.syscall_masks_events = false;
    return 0;
}

static long register_callback(struct vcpu *v, const struct callback_register *reg)
{
    bool mask = reg->flags & CALLBACKF_mask_events;

    if ( !guest_code_ok(reg->address) )
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
        v->pv.nmi_callback = reg->address;
        return 0;
    default:
        return -ENOSYS;                      /* syscall32, sysenter: 32-bit only */
    }
}

long do_callback_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current_vcpu();

    switch ( cmd )
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
            return -EINVAL;                  /* as Xen: these cannot be removed */
        case CALLBACKTYPE_nmi:
            v->pv.nmi_callback = 0;
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
