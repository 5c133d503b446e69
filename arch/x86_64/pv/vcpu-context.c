/* SPDX-License-Identifier: MIT */
/* A PV vCPU's first context, from VCPUOP_initialise (Xen's arch_set_info_guest). */
/*
 * Theory of operation
 *
 * A 64-bit PV guest brings up a secondary vCPU by handing Tern a struct
 * vcpu_guest_context (xen/arch-x86/xen.h) for it. Tern checks the whole
 * context first, as Xen 4.17's arch_set_info_guest does for a PV vCPU,
 * every failure being -EINVAL:
 *
 *   - these addresses must be canonical: user_regs.rip and .rsp,
 *     kernel_sp, fs_base, gs_base_kernel, gs_base_user, the event,
 *     failsafe and syscall callbacks, every trap_ctxt handler, and
 *     ldt_base when ldt_ents is not 0;
 *   - ldt_base must be a guest address (below 2^47 or above Tern's hole,
 *     whatever ldt_ents), page aligned, and ldt_ents at most 8192;
 *   - a vCPU that is to start in guest user mode (no VGCF_in_kernel)
 *     needs a user L4 in ctrlreg[1];
 *   - the GDT (gdt_frames, gdt_ents) must pass set_gdt's rules;
 *   - ctrlreg[3] (kernel) and ctrlreg[1] (user, when not 0) must name L4
 *     frames of the domain that validate, as MMUEXT_NEW_BASEPTR's.
 *
 * Then it takes the references: a PGT_seg_desc_page one per GDT frame
 * and a PGT_l4_page_table one per L4, which the vCPU holds from then on
 * as it holds its base pointers (dropped when they change, or with the
 * domain). A refusal drops what was taken and leaves the vCPU as it was.
 *
 * What the context becomes, Xen's way: code and stack selectors get RPL
 * 3 (guest kernels run in ring 3); RFLAGS.IOPL is the virtual IOPL and
 * RFLAGS.IF is forced on; the FPU image is the context's with
 * VGCF_I387_VALID (MXCSR cut to the bits this CPU has), else the reset
 * one; CR0.TS is ctrlreg[0]'s, CR4 the guest-controlled bits of
 * ctrlreg[4]; debug registers go through set_debugreg's checks (a
 * refused value is dropped, as on Xen); a data selector that is not NUL
 * clears the FS or user GS base it would load; VGCF_failsafe_disables_events
 * and VGCF_syscall_disables_events are the CALLBACKF_mask_events of those
 * callbacks. vm_assist is ignored: it counts only for vCPU 0, which the
 * builder initialised.
 */
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <xen/xen.h>

#define LDT_MAX_ENTS     8192
#define X86_CR4_DE       (1ul << 3)
#define FXSAVE_MXCSR     24                 /* byte offsets in an FXSAVE image */
#define FXSAVE_MXCSR_MASK 28

static bool canonical(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= 0xffff800000000000ul;
}

/* Xen's __addr_ok(): a guest address, not in Tern's hole. */
static bool addr_ok(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= HYPERVISOR_VIRT_END;
}

/* The checks that need no reference: 0 or -EINVAL. */
static long check_context(const struct vcpu_guest_context *c)
{
    unsigned int i;

    if ( !canonical(c->user_regs.rip) || !canonical(c->user_regs.rsp) ||
         !canonical(c->kernel_sp) ||
         (c->ldt_ents && !canonical(c->ldt_base)) ||
         !canonical(c->fs_base) || !canonical(c->gs_base_kernel) ||
         !canonical(c->gs_base_user) || !canonical(c->event_callback_eip) ||
         !canonical(c->syscall_callback_eip) ||
         !canonical(c->failsafe_callback_eip) )
        return -EINVAL;
    for ( i = 0; i < ARRAY_SIZE(c->trap_ctxt); i++ )
        if ( !canonical(c->trap_ctxt[i].address) )
            return -EINVAL;
    if ( !addr_ok(c->ldt_base) || (c->ldt_base & (PAGE_SIZE - 1)) ||
         c->ldt_ents > LDT_MAX_ENTS )
        return -EINVAL;
    if ( !(c->flags & VGCF_in_kernel) && !c->ctrlreg[1] )
        return -EINVAL;
    return 0;
}

/* The MXCSR bits this CPU implements (FXSAVE's MXCSR_MASK, 0: 0xffbf). */
static uint32_t mxcsr_mask(void)
{
    static uint32_t mask;
    uint8_t img[512] __attribute__((aligned(16)));
    unsigned long cr0;

    if ( !mask )
    {
        memset(img, 0, sizeof(img));
        cr0 = read_cr0();
        __asm__ __volatile__("clts; fxsave64 %0" : "=m"(img));
        write_cr0(cr0);
        memcpy(&mask, img + FXSAVE_MXCSR_MASK, sizeof(mask));
        if ( !mask )
            mask = 0xffbf;
    }
    return mask;
}

/* Take the references of c's GDT and L4s for v: 0, or -EINVAL with
 * nothing taken. The L4 frames in *kernel and *user (0: none). */
static long get_tables(struct vcpu *v, const struct vcpu_guest_context *c,
                       unsigned long *kernel, unsigned long *user)
{
    domid_t domid = v->domain->domain_id;
    long rc;

    *kernel = xen_cr3_to_pfn(c->ctrlreg[3]);
    *user = xen_cr3_to_pfn(c->ctrlreg[1]);
    pt_lock();
    /* As Xen's, the entry count is cut to 32 bits first. */
    rc = pv_set_gdt(v, c->gdt_frames, (unsigned int)c->gdt_ents);
    if ( rc )
        goto out;
    rc = get_page_and_type(*kernel, domid, PGT_l4_page_table);
    if ( !rc && *user )
    {
        rc = get_page_and_type(*user, domid, PGT_l4_page_table);
        if ( rc )
            put_page_and_type(*kernel);
    }
    if ( rc )
        pv_destroy_gdt(v);
 out:
    pt_unlock();
    return rc;
}

/* The guest-controlled bits of CR4 (Xen's pv_fixup_guest_cr4): DE, and
 * FSGSBASE when the guest's CPUID has it. */
static uint64_t guest_cr4(uint64_t cr4)
{
    uint32_t leaf7[4];

    pv_guest_cpuid(7, 0, leaf7);
    return cr4 & (X86_CR4_DE | ((leaf7[1] & 1) ? X86_CR4_FSGSBASE : 0));
}

/* v's registers from the context's user_regs. */
static void load_regs(struct vcpu *v, const struct cpu_user_regs *u)
{
    struct cpu_regs *r = &v->pv.regs;

    r->r15 = u->r15; r->r14 = u->r14; r->r13 = u->r13; r->r12 = u->r12;
    r->rbp = u->rbp; r->rbx = u->rbx; r->r11 = u->r11; r->r10 = u->r10;
    r->r9 = u->r9; r->r8 = u->r8; r->rax = u->rax; r->rcx = u->rcx;
    r->rdx = u->rdx; r->rsi = u->rsi; r->rdi = u->rdi;
    r->rip = u->rip;
    r->rsp = u->rsp;
    r->cs = (uint16_t)(u->cs | 3);
    r->ss = (uint16_t)(u->ss | 3);
    v->pv.iopl = (unsigned int)(u->rflags >> 12) & 3;
    r->rflags = (u->rflags & ~(3ul << 12)) | X86_EFLAGS_IF | 2;
    v->pv.ds = u->ds;
    v->pv.es = u->es;
    v->pv.fs = u->fs;
    v->pv.gs = u->gs;
}

long pv_set_info_guest(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct pv_vcpu *pv = &v->pv;
    unsigned long kernel, user;
    unsigned int i;
    uint32_t mxcsr;
    long rc;

    rc = check_context(c);
    if ( !rc )
        rc = get_tables(v, c, &kernel, &user);
    if ( rc )
        return rc;

    pv_vcpu_init_regs(v, 0, 0, 0);          /* reset registers and FPU */
    load_regs(v, &c->user_regs);
    pv->kernel_mode = c->flags & VGCF_in_kernel;
    if ( c->flags & VGCF_I387_VALID )
    {
        memcpy(pv->fpu, c->fpu_ctxt.x, sizeof(pv->fpu));
        memcpy(&mxcsr, pv->fpu + FXSAVE_MXCSR, sizeof(mxcsr));
        mxcsr &= mxcsr_mask();
        memcpy(pv->fpu + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
    }
    for ( i = 0; i < ARRAY_SIZE(pv->traps); i++ )
    {
        pv->traps[i] = c->trap_ctxt[i];
        pv->traps[i].cs |= 3;
    }
    pv->ldt_base = c->ldt_base;
    pv->ldt_ents = (unsigned int)c->ldt_ents;
    pv->kernel_ss = c->kernel_ss | 3;
    pv->kernel_sp = c->kernel_sp;
    pv->fpu_ts = c->ctrlreg[0] & X86_CR0_TS;
    pv->cr4 = guest_cr4(c->ctrlreg[4]);
    pv->kernel_cr3 = (uint64_t)kernel << PAGE_SHIFT;
    pv->user_cr3 = (uint64_t)user << PAGE_SHIFT;
    pv->event_callback = c->event_callback_eip;
    pv->failsafe_callback = c->failsafe_callback_eip;
    pv->syscall_callback = c->syscall_callback_eip;
    pv->failsafe_masks_events = c->flags & VGCF_failsafe_disables_events;
    pv->syscall_masks_events = c->flags & VGCF_syscall_disables_events;
    pv->fs_base = (c->user_regs.fs & ~3) ? 0 : c->fs_base;
    pv->gs_base_kernel = c->gs_base_kernel;
    pv->gs_base_user = (c->user_regs.gs & ~3) ? 0 : c->gs_base_user;
    memset(pv->dr, 0, sizeof(pv->dr));
    pv->dr6 = pv->dr7 = 0;
    pv->dr7_emul = 0;
    for ( i = 0; i < 4; i++ )
        (void)pv_set_debugreg(v, i, c->debugreg[i]);
    (void)pv_set_debugreg(v, 6, c->debugreg[6]);
    (void)pv_set_debugreg(v, 7, c->debugreg[7]);
    return 0;
}
