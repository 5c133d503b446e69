/* SPDX-License-Identifier: MIT */
/* Exceptions taken by a PV guest: trap bounce to its trap table, iret. */
/*
 * Trap bounce delivers an exception (or an event upcall) to the guest
 * kernel as Xen does for 64-bit PV guests. On the guest kernel's stack
 * (its current RSP when in kernel mode, else the stack_switch stack after
 * switching to kernel mode), 16-byte aligned, Tern writes, low to high:
 *
 *   RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS
 *
 * CS carries the vCPU's saved upcall mask in bits 32-39 and RPL 0 when the
 * interrupted context was the guest kernel (so the guest can tell kernel
 * from user as on bare metal); RFLAGS.IF is the inverse of that mask. The
 * guest resumes at the handler with the flat kernel selectors; interrupt
 * gates (and event upcalls) also set the upcall mask. HYPERVISOR_iret undoes
 * it from the iret_context the guest leaves on its stack.
 *
 * The failsafe callback gets the same frame with the data selectors DS,
 * ES, FS, GS between R11 and RIP: it is entered when data selectors that
 * the guest left in place cannot be loaded again at a context switch,
 * with those that failed left NUL. With VMASST_TYPE_architectural_iopl
 * every frame's RFLAGS.IOPL shows the virtual IOPL, and HYPERVISOR_iret
 * takes it back.
 *
 * A frame that cannot be written (bad guest stack) or an exception with no
 * handler stops the domain with a report, as Xen's domain_crash does.
 */
#include <asm/flushtlb.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/event.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/sched.h>
#include <xen/sched.h>
#include <xen/xen.h>

#define TBF_ERRCODE   1u
#define TBF_INTERRUPT 2u

#define EFLAGS_TF  (1ul << 8)
#define EFLAGS_IF  (1ul << 9)
#define EFLAGS_NT  (1ul << 14)
#define EFLAGS_RF  (1ul << 16)
#define EFLAGS_VM  (1ul << 17)
#define EFLAGS_AC  (1ul << 18)

static void __noreturn crash_current(const char *fmt, ...) __printf(1, 2);
static void crash_current(const char *fmt, ...)
{
    char why[192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    domain_shutdown_current(SHUTDOWN_crash, why);
}

void toggle_guest_mode(struct vcpu *v)
{
    if ( v->pv.kernel_mode )
        v->pv.gs_base_kernel = rdmsr(MSR_GS_BASE);
    else
        v->pv.gs_base_user = rdmsr(MSR_GS_BASE);
    v->pv.kernel_mode = !v->pv.kernel_mode;
    wrmsr(MSR_GS_BASE, v->pv.kernel_mode ? v->pv.gs_base_kernel : v->pv.gs_base_user);
    switch_cr3(v->pv.kernel_mode || !v->pv.user_cr3 ? v->pv.kernel_cr3 : v->pv.user_cr3);
    if ( v->pv.kernel_mode )
        pv_time_area_flush(v);
}

#define TBF_FAILSAFE  4u                    /* push DS, ES, FS, GS too */
#define EFLAGS_IOPL   (3ul << 12)

/*
 * Write a bounce frame for v (whose address space is loaded) on its
 * kernel stack and point r at handler; see the theory above. A failsafe
 * frame also holds the data selectors segs[] between R11 and RIP, as
 * Xen's. With VMASST_TYPE_architectural_iopl the frame's RFLAGS.IOPL is
 * the virtual IOPL.
 */
static void bounce_frame(struct vcpu *v, struct cpu_regs *r, uint64_t handler,
                         unsigned int flags, uint64_t error_code,
                         const uint16_t *segs)
{
    uint64_t frame[12], sp, cs = r->cs & 0xffff, rflags;
    uint8_t mask = v->vcpu_info->evtchn_upcall_mask;
    unsigned int n = 0, i;

    if ( !handler )
        crash_current("no handler for vector %lu at %016lx", r->vector, r->rip);
    if ( v->pv.kernel_mode )
    {
        sp = r->rsp;
        cs &= ~3ul;                         /* tell the guest: kernel context */
    }
    else
    {
        toggle_guest_mode(v);
        sp = v->pv.kernel_sp;
    }
    sp &= ~0xful;
    rflags = (r->rflags & ~(EFLAGS_IF | EFLAGS_IOPL)) | (mask ? 0 : EFLAGS_IF);
    if ( v->domain->vm_assist & (1ul << VMASST_TYPE_architectural_iopl) )
        rflags |= (uint64_t)v->pv.iopl << 12;
    frame[n++] = r->rcx;
    frame[n++] = r->r11;
    if ( flags & TBF_FAILSAFE )
        for ( i = 0; i < 4; i++ )
            frame[n++] = segs[i];
    if ( flags & TBF_ERRCODE )
        frame[n++] = error_code;
    frame[n++] = r->rip;
    frame[n++] = cs | ((uint64_t)mask << 32);
    frame[n++] = rflags;
    frame[n++] = r->rsp;
    frame[n++] = r->ss;
    sp -= n * sizeof(uint64_t);
    if ( copy_to_guest(sp, frame, n * sizeof(uint64_t)) )
        crash_current("cannot write an exception frame at %016lx (vector %lu)",
                      sp, r->vector);
    if ( flags & TBF_INTERRUPT )
        v->vcpu_info->evtchn_upcall_mask = 1;
    r->rip = handler;
    r->rsp = sp;
    r->cs = FLAT_KERNEL_CS;
    r->ss = FLAT_KERNEL_SS;
    r->rflags &= ~(EFLAGS_AC | EFLAGS_VM | EFLAGS_RF | EFLAGS_NT | EFLAGS_TF);
}

void pv_bounce(struct cpu_regs *r, uint64_t handler, unsigned int flags,
               uint64_t error_code)
{
    bounce_frame(current_vcpu(), r, handler, flags, error_code, NULL);
}

void pv_failsafe(struct cpu_regs *r, const uint16_t segs[4], const char *why)
{
    struct vcpu *v = current_vcpu();

    if ( !v->pv.failsafe_callback )
        crash_current("%s, and no failsafe callback", why);
    r->vector = 0;
    bounce_frame(v, r, v->pv.failsafe_callback,
                 TBF_FAILSAFE | (v->pv.failsafe_masks_events ? TBF_INTERRUPT : 0),
                 0, segs);
}

/*
 * A guest NMI (VCPUOP_send_nmi), as Xen 4.17 delivers it to a PV vCPU on
 * its way back to the guest, before any event upcall: unless an earlier
 * one is still masked (its handler has not left with HYPERVISOR_iret),
 * the pending flag is cleared and the NMI callback (the virtual IDT entry
 * of vector 2, an interrupt gate: events masked too) is entered with an
 * exception frame, and NMIs are masked until the next HYPERVISOR_iret.
 * With no NMI callback the NMI is dropped, as on Xen.
 */
static void deliver_nmi(struct vcpu *v, struct cpu_regs *r)
{
    const struct trap_info *ti = &v->pv.traps[2];

    if ( v->pv.nmi_masked || !__atomic_exchange_n(&v->nmi_pending, false,
                                                   __ATOMIC_SEQ_CST) )
        return;
    if ( !ti->address )
        return;                     /* Xen logs it, a line per NMI */
    r->vector = 2;
    pv_bounce(r, ti->address, TI_GET_IF(ti) ? TBF_INTERRUPT : 0, 0);
    v->pv.nmi_masked = true;
}

void pv_deliver_events(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();

    if ( !v )
        return;
    /* A failed selector reload at switch-in comes first, as on Xen. */
    if ( v->pv.failsafe_pending )
    {
        v->pv.failsafe_pending = false;
        pv_failsafe(r, v->pv.failsafe_segs, "cannot reload a data segment selector");
    }
    if ( ACCESS_ONCE(v->nmi_pending) )
        deliver_nmi(v, r);
    if ( v->pv.event_callback && evtchn_upcall_due(v) )
        pv_bounce(r, v->pv.event_callback, TBF_INTERRUPT, 0);
}

/* The guest's registers and the top of its stack, for a crash report. */
static void dump_guest_state(const struct cpu_regs *r)
{
    uint64_t w[16];
    unsigned int i;

    printk(TLOG_ERR "  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
           r->rax, r->rbx, r->rcx, r->rdx);
    printk(TLOG_ERR "  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n",
           r->rsi, r->rdi, r->rbp, r->rsp);
    printk(TLOG_ERR "  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n",
           r->r8, r->r9, r->r10, r->r11);
    if ( copy_from_guest(w, r->rsp, sizeof(w)) )
        return;
    for ( i = 0; i < ARRAY_SIZE(w); i += 4 )
        printk(TLOG_ERR "  stack: %016lx %016lx %016lx %016lx\n",
               w[i], w[i + 1], w[i + 2], w[i + 3]);
}

/* Bounce vector to the guest's trap table entry. */
static void bounce_trap(struct cpu_regs *r, unsigned int vector, bool errcode,
                        uint64_t error_code)
{
    const struct trap_info *ti = &current_vcpu()->pv.traps[vector];

    if ( !ti->address )
    {
        dump_guest_state(r);
        crash_current("exception %u (error code %#lx) at %04lx:%016lx with no "
                      "handler in the trap table", vector, error_code,
                      r->cs, r->rip);
    }
    r->vector = vector;
    pv_bounce(r, ti->address, (errcode ? TBF_ERRCODE : 0) |
              (TI_GET_IF(ti) ? TBF_INTERRUPT : 0), error_code);
}

void pv_inject_trap(struct cpu_regs *r, unsigned int vector, uint64_t ec)
{
    bounce_trap(r, vector, true, ec);
}

/* Does the vector push an error code? */
static bool has_error_code(unsigned int v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
}

/*
 * A #GP from a guest: an `int $N` that Tern's IDT refused (DPL 0) goes to
 * the guest's vector N when the guest's gate allows its privilege, as on
 * Xen; else it is the guest's own #GP.
 */
static void guest_gp(struct cpu_regs *r)
{
    uint8_t insn[2];
    unsigned int dpl_needed;

    if ( (r->error_code & 7) == 2 && !copy_from_guest(insn, r->rip, 2) &&
         insn[0] == 0xcd && insn[1] == r->error_code >> 3 )
    {
        const struct trap_info *ti = &current_vcpu()->pv.traps[insn[1]];

        /* int $0x80 takes Xen's direct path: any registered gate, whatever
         * its DPL; other vectors need a DPL that admits the caller. */
        dpl_needed = current_vcpu()->pv.kernel_mode ? 1 : 3;
        if ( ti->address && (insn[1] == 0x80 || TI_GET_DPL(ti) >= dpl_needed) )
        {
            /* Xen's 0x80 is a real DPL 3 trap gate: its frame has RF
             * clear; the others come through #GP and keep RF set. */
            if ( insn[1] == 0x80 )
                r->rflags &= ~EFLAGS_RF;
            r->rip += 2;
            bounce_trap(r, insn[1], false, 0);
            return;
        }
    }
    bounce_trap(r, 13, true, r->error_code);
}

void pv_guest_trap(struct cpu_regs *r)
{
    unsigned int vec = (unsigned int)r->vector;

    switch ( vec )
    {
    case 1:
        pv_debug_trap_guest(current_vcpu());
        break;
    case 6:
        if ( pv_emulate_forced_cpuid(r) )
            return;
        break;
    case 13:
    {
        int rc = pv_emulate_gp(r);

        if ( rc == PV_EMUL_UNHANDLED )
            guest_gp(r);
        else if ( rc != PV_EMUL_DONE )
            bounce_trap(r, (unsigned int)rc, has_error_code((unsigned int)rc), 0);
        return;
    }
    case 14:
        if ( pv_ldt_fault(r, read_cr2()) || pv_ptwr_fault(r, read_cr2()) )
            return;
        current_vcpu()->vcpu_info->arch.cr2 = read_cr2();
        /* The guest kernel sees its faults as supervisor faults. */
        if ( current_vcpu()->pv.kernel_mode )
            r->error_code &= ~4ul;
        break;
    case 2:
    case 8:
    case 18:
        crash_current("exception %u in the guest at %016lx", vec, r->rip);
    default:
        break;
    }
    bounce_trap(r, vec, has_error_code(vec), r->error_code);
}

/*
 * HYPERVISOR_iret: the guest's stub pushed RCX, R11 and RAX under the
 * frame it returns through, so RSP points at a struct iret_context.
 */
void pv_do_iret(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    struct iret_context ic;

    if ( copy_from_guest(&ic, r->rsp, sizeof(ic)) )
        crash_current("iret: unreadable iret frame at %016lx", r->rsp);
    if ( (ic.cs & 3) == 3 && v->pv.kernel_mode )
    {
        if ( !v->pv.user_cr3 )
            crash_current("iret to user mode without user page tables");
        toggle_guest_mode(v);
    }
    if ( v->domain->vm_assist & (1ul << VMASST_TYPE_architectural_iopl) )
        v->pv.iopl = (ic.rflags >> 12) & 3;
    r->rax = ic.rax;
    r->rip = ic.rip;
    r->rsp = ic.rsp;
    r->rflags = (ic.rflags & ~(EFLAGS_IOPL | EFLAGS_VM)) | EFLAGS_IF;
    if ( ic.flags & VGCF_in_syscall )
    {
        /* Xen returns with SYSRET: flat selectors, RCX = RIP, R11 = RFLAGS. */
        bool compat = ((ic.cs & 0xffff) | 3) == FLAT_USER_CS32;

        r->cs = compat ? FLAT_USER_CS32 : v->pv.kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS;
        r->ss = v->pv.kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS;
        r->rcx = r->rip;
        r->r11 = r->rflags;
    }
    else
    {
        /* Any selectors (bits above 15 are the saved upcall mask of a bounce
         * frame): pv_sanitise_frame checks them before the return. */
        r->r11 = ic.r11;
        r->rcx = ic.rcx;
        r->cs = (ic.cs & 0xffff) | 3;
        r->ss = (ic.ss & 0xffff) | 3;
    }
    v->vcpu_info->evtchn_upcall_mask = !(ic.rflags & EFLAGS_IF);
    /* Any HYPERVISOR_iret ends an NMI handler (Xen's
     * async_exception_cleanup): a pending NMI is delivered on the way out. */
    v->pv.nmi_masked = false;
}

long do_stack_switch(unsigned long ss, unsigned long esp)
{
    struct vcpu *v = current_vcpu();

    v->pv.kernel_ss = ss;
    v->pv.kernel_sp = esp;
    return 0;
}

static bool canonical(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= 0xffff800000000000ul;
}

static void load_gs(unsigned int sel)
{
    __asm__ __volatile__("mov %0, %%gs" :: "r"(sel) : "memory");
}

/*
 * set_segment_base(which, base): FS base, user or kernel GS base (each
 * -EINVAL if not canonical), or with SEGBASE_GS_USER_SEL the %gs selector
 * (the low 16 bits of base, RPL forced to 3): the user GS base becomes
 * that descriptor's base and the kernel's stays active, as Xen's swapgs
 * sequence does. A selector that cannot be loaded loads NUL instead (base
 * 0) and the call still returns 0: Linux BUG()s on a failure here, so Xen
 * never reports one. -EINVAL for an unknown which.
 */
long do_set_segment_base(unsigned long which_arg, unsigned long base)
{
    struct vcpu *v = current_vcpu();
    unsigned int which = (unsigned int)which_arg;

    switch ( which )
    {
    case SEGBASE_FS:
        if ( !canonical(base) )
            return -EINVAL;
        wrmsr(MSR_FS_BASE, base);
        v->pv.fs_base = base;
        return 0;
    case SEGBASE_GS_USER:
        if ( !canonical(base) )
            return -EINVAL;
        v->pv.gs_base_user = base;
        if ( !v->pv.kernel_mode )
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL:
        if ( !canonical(base) )
            return -EINVAL;
        v->pv.gs_base_kernel = base;
        if ( v->pv.kernel_mode )
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
    {
        unsigned int sel = (uint16_t)base;
        uint64_t active = rdmsr(MSR_GS_BASE);

        if ( sel > 3 )
            sel |= 3;
        if ( !pv_data_sel_ok(sel) )
            sel = 0;
        /* A NUL load keeps the old base on some AMD CPUs: go through a
         * flat selector (base 0) first. */
        if ( sel <= 3 )
            load_gs(GUEST_DS);
        load_gs(sel);
        v->pv.gs_base_user = rdmsr(MSR_GS_BASE);
        wrmsr(MSR_GS_BASE, active);
        return 0;
    }
    default:
        return -EINVAL;
    }
}
