/* SPDX-License-Identifier: MIT */
/* Privileged-instruction emulation for PV guests: CPUID leaves, safe MSRs. */
/*
 * Guest kernels run in ring 3, so RDMSR/WRMSR raise #GP and a CPUID that
 * Tern must answer is requested with Xen's forced-emulation prefix
 * (ud2; .ascii "xen"; cpuid), which raises #UD. Both come here first; what
 * is not emulated goes on to the guest as its own exception, as on Xen for
 * an unprivileged domain (port I/O, HLT, CLI ... are the guest's #GP).
 */
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/domain.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/sched.h>
#include <xen/xen.h>

#define XEN_CPUID_BASE      0x40000000u
#define XEN_CPUID_MAX       0x40000005u
#define MSR_XEN_HYPERCALL   0x40000000u
#define FORCED_EMUL_LEN     7

static const uint8_t forced_emul[FORCED_EMUL_LEN] = {
    0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2
};

/* The CPUID a PV guest sees: the host's, with the hypervisor bit, and
 * Xen's leaves at 0x40000000. */
static void guest_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    memset(r, 0, 4 * sizeof(uint32_t));
    if ( (leaf & 0xffff0000u) == XEN_CPUID_BASE )
    {
        switch ( leaf )
        {
        case XEN_CPUID_BASE:
            r[0] = XEN_CPUID_MAX;
            memcpy(&r[1], "XenV", 4);
            memcpy(&r[2], "MMXe", 4);
            memcpy(&r[3], "nVMM", 4);
            break;
        case XEN_CPUID_BASE + 1:
            r[0] = (4u << 16) | 17u;            /* the version xen_version reports */
            break;
        case XEN_CPUID_BASE + 2:
            r[0] = 1;                            /* one hypercall page */
            r[1] = MSR_XEN_HYPERCALL;
            break;
        }
        return;
    }
    cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
    if ( leaf == 1 )
        r[2] |= 1u << 31;                        /* running on a hypervisor */
}

bool pv_emulate_forced_cpuid(struct cpu_regs *r)
{
    uint8_t insn[FORCED_EMUL_LEN];
    uint32_t out[4];

    if ( copy_from_guest(insn, r->rip, sizeof(insn)) ||
         memcmp(insn, forced_emul, sizeof(insn)) )
        return false;
    guest_cpuid((uint32_t)r->rax, (uint32_t)r->rcx, out);
    r->rax = out[0];
    r->rbx = out[1];
    r->rcx = out[2];
    r->rdx = out[3];
    r->rip += FORCED_EMUL_LEN;
    return true;
}

static bool canonical(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= 0xffff800000000000ul;
}

/* Read an MSR the guest may read; false means #GP. */
static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch ( msr )
    {
    case MSR_FS_BASE:
        *val = rdmsr(MSR_FS_BASE);
        return true;
    case MSR_GS_BASE:
        *val = rdmsr(MSR_GS_BASE);
        return true;
    case MSR_SHADOW_GS_BASE:                     /* the user GS base */
        *val = v->pv.gs_base_user;
        return true;
    default:
        return false;
    }
}

/* Write an MSR the guest may write; false means #GP. */
static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch ( msr )
    {
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
        if ( !canonical(val) )
            return false;
        if ( msr == MSR_FS_BASE )
            v->pv.fs_base = val;
        else if ( msr == MSR_SHADOW_GS_BASE )
            v->pv.gs_base_user = val;
        if ( msr != MSR_SHADOW_GS_BASE )
            wrmsr(msr, val);
        return true;
    case MSR_XEN_HYPERCALL:
    {
        unsigned long mfn = val >> PAGE_SHIFT;

        if ( (val & (PAGE_SIZE - 1)) || mfn >= max_mfn ||
             mfn_to_page(mfn)->owner != v->domain->domain_id ||
             (mfn_to_page(mfn)->type_info & PGT_type_mask) != PGT_none )
            return false;
        pv_hypercall_page_init(mfn_to_virt(mfn));
        return true;
    }
    default:
        return false;
    }
}

bool pv_emulate_gp(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    uint8_t insn[2];
    uint64_t val;

    if ( r->error_code || copy_from_guest(insn, r->rip, sizeof(insn)) ||
         insn[0] != 0x0f )
        return false;
    if ( insn[1] == 0x32 )                       /* rdmsr */
    {
        if ( !read_msr(v, (uint32_t)r->rcx, &val) )
            return false;
        r->rax = (uint32_t)val;
        r->rdx = val >> 32;
    }
    else if ( insn[1] == 0x30 )                  /* wrmsr */
    {
        if ( !write_msr(v, (uint32_t)r->rcx,
                        ((uint64_t)(uint32_t)r->rdx << 32) | (uint32_t)r->rax) )
            return false;
    }
    else
        return false;
    r->rip += 2;
    return true;
}
