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
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <xen/xen.h>

#define MSR_XEN_HYPERCALL   0x40000000u
#define FORCED_EMUL_LEN     7

static const uint8_t forced_emul[FORCED_EMUL_LEN] = {
    0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2
};

bool pv_emulate_forced_cpuid(struct cpu_regs *r)
{
    uint8_t insn[FORCED_EMUL_LEN];
    uint32_t out[4];

    if ( copy_from_guest(insn, r->rip, sizeof(insn)) ||
         memcmp(insn, forced_emul, sizeof(insn)) )
        return false;
    pv_guest_cpuid((uint32_t)r->rax, (uint32_t)r->rcx, out);
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

/*
 * Machine check MSRs, as Xen's virtual MCE shows them to a guest whose
 * CPUID has MCE/MCA: MCG_CAP with Xen's two guest banks (and TES_P), no
 * MCG_CTL, nothing pending. Tern injects no machine checks, so every bank
 * reads zero; writes of the controls are kept per vCPU as Xen keeps them,
 * a status may only be written with 0. Anything else is #GP.
 */
#define MSR_IA32_MCG_CAP     0x179u
#define MSR_IA32_MCG_STATUS  0x17au
#define MSR_IA32_MC0_CTL     0x400u
#define GUEST_MC_BANKS       2u
#define MCG_TES_P            (1ul << 11)

static bool is_vmce_msr(uint32_t msr)
{
    return msr == MSR_IA32_MCG_CAP || msr == MSR_IA32_MCG_STATUS ||
           (msr >= MSR_IA32_MC0_CTL && msr < MSR_IA32_MC0_CTL + 4 * GUEST_MC_BANKS);
}

static bool vmce_msr(struct vcpu *v, uint32_t msr, uint64_t *rd, const uint64_t *wr)
{
    unsigned int bank = (msr - MSR_IA32_MC0_CTL) / 4, reg = msr & 3;

    if ( msr == MSR_IA32_MCG_CAP )
    {
        if ( rd )
            *rd = MCG_TES_P | GUEST_MC_BANKS;
        return rd != NULL;                       /* read-only */
    }
    if ( msr == MSR_IA32_MCG_STATUS )
    {
        if ( rd )
            *rd = 0;
        return true;
    }
    if ( rd )
        *rd = reg == 0 ? v->pv.mci_ctl[bank] : 0;
    else if ( reg == 0 )
        v->pv.mci_ctl[bank] = *wr;
    else if ( reg == 1 && *wr )
        return false;                            /* MCi_STATUS: only 0 */
    return true;
}

/* Read an MSR the guest may read; false means #GP. */
static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if ( is_vmce_msr(msr) )
        return vmce_msr(v, msr, val, NULL);
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
    if ( is_vmce_msr(msr) )
        return vmce_msr(v, msr, NULL, &val);
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

        int rc;

        if ( val & (PAGE_SIZE - 1) )
            return false;
        pt_lock();
        rc = get_page_and_type(mfn, v->domain->domain_id, PGT_writable_page);
        if ( !rc )
        {
            pv_hypercall_page_init(mfn_to_virt(mfn));
            put_page_and_type(mfn);
        }
        pt_unlock();
        return !rc;
    }
    default:
        return false;
    }
}

/*
 * Port I/O, as Xen 4.17 emulates it for a PV guest (pv/emul-priv-op.c).
 *
 * A guest's IN/OUT faults in ring 3 (real IOPL 0, no I/O bitmap). It is
 * allowed when the vCPU's virtual IOPL admits its virtual privilege: the
 * guest kernel counts as ring 1, or ring 0 with VMASST_TYPE_architectural_
 * iopl; guest user as ring 3 (iopl_ok). Otherwise the guest takes its #GP.
 * (Xen also consults an I/O bitmap from PHYSDEVOP_set_iobitmap; Tern does
 * not offer that op yet.)
 *
 * An allowed access never reaches a real port: Tern grants no domain I/O
 * port ranges (Xen's admin_io_okay fails for such a domU). Then, as Xen:
 *   0x70        the CMOS index is latched per domain and reads back;
 *   0x71        needs port permission: reads ~0, writes are dropped;
 *   0xcf8 (32-bit) the PCI config address is latched and reads back;
 *   0xcfc-0xcff PCI config data is for the hardware domain: ~0 / dropped;
 *   anything else reads ~0 (all bits set), writes are dropped.
 * Xen gives a domU a virtual PIT channel 2 and speaker port (0x42, 0x43,
 * 0x61); Tern has none, so those read ~0 too. String I/O (INS/OUTS) is not
 * emulated: the guest takes its #GP. I/O breakpoints (DR7 R/W = 10b with
 * CR4.DE) are checked here, and a hit raises #DB after the instruction.
 */
#define RTC_PORT0     0x70
#define PCI_CF8       0xcf8
#define X86_EFLAGS_TF (1ul << 8)
#define DR6_BS        0x4000ul       /* single step */
#define X86_CR4_DE    (1ul << 3)
#define X86_CR4_GUEST_VISIBLE (X86_CR4_PAE | (1ul << 6) /* MCE */ | \
                               X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

static bool iopl_ok(const struct vcpu *v)
{
    unsigned int cpl = v->pv.kernel_mode ?
        ((v->domain->vm_assist & (1ul << VMASST_TYPE_architectural_iopl)) ? 0 : 1) : 3;

    return cpl <= v->pv.iopl;
}

static uint32_t guest_io_read(struct vcpu *v, unsigned int port, unsigned int bytes)
{
    uint32_t data = 0;
    unsigned int shift = 0;

    if ( port == PCI_CF8 && bytes == 4 )
        return v->pv.pci_cf8;
    while ( bytes )
    {
        uint32_t sub = 0xff;
        unsigned int size = 1;

        if ( port == RTC_PORT0 )
            sub = v->pv.cmos_idx;
        else if ( (port & 0xfffc) == 0xcfc )
        {
            size = bytes < 4 - (port & 3) ? bytes : 4 - (port & 3);
            if ( size == 3 )
                size = 2;
            sub = ~0u;
        }
        if ( size == 4 )
            return ~0u;
        data |= (sub & ((1u << (size * 8)) - 1)) << shift;
        shift += size * 8;
        port += size;
        bytes -= size;
    }
    return data;
}

static void guest_io_write(struct vcpu *v, unsigned int port, unsigned int bytes,
                           uint32_t data)
{
    if ( port == PCI_CF8 && bytes == 4 )
    {
        v->pv.pci_cf8 = data;
        return;
    }
    for ( ; bytes; bytes--, port++, data >>= 8 )
        if ( port == RTC_PORT0 )
            v->pv.cmos_idx = (uint8_t)data;
}

/* General register n (0 = RAX ... 15 = R15) of the frame. */
static uint64_t *gpr(struct cpu_regs *r, unsigned int n)
{
    switch ( n )
    {
    case 0: return &r->rax;
    case 1: return &r->rcx;
    case 2: return &r->rdx;
    case 3: return &r->rbx;
    case 4: return &r->rsp;
    case 5: return &r->rbp;
    case 6: return &r->rsi;
    case 7: return &r->rdi;
    case 8: return &r->r8;
    case 9: return &r->r9;
    case 10: return &r->r10;
    case 11: return &r->r11;
    case 12: return &r->r12;
    case 13: return &r->r13;
    case 14: return &r->r14;
    default: return &r->r15;
    }
}

/* IN/OUT (opcode op, port, operand size bytes): see above. */
static int emulate_io(struct vcpu *v, struct cpu_regs *r, uint8_t op,
                      unsigned int port, unsigned int bytes, unsigned int *bp)
{
    if ( !iopl_ok(v) )
        return PV_EMUL_UNHANDLED;
    *bp |= pv_io_breakpoint(v, port, bytes);
    if ( !(op & 2) )                          /* IN */
    {
        uint32_t val = guest_io_read(v, port, bytes);

        if ( bytes == 4 )
            r->rax = val;                     /* a 32-bit write zero-extends */
        else if ( bytes == 2 )
            r->rax = (r->rax & ~0xfffful) | (val & 0xffff);
        else
            r->rax = (r->rax & ~0xfful) | (val & 0xff);
    }
    else
        guest_io_write(v, port, bytes, (uint32_t)r->rax &
                       (bytes == 4 ? ~0u : (1u << (bytes * 8)) - 1));
    return PV_EMUL_DONE;
}

/* MOV from/to CR0, CR2, CR4 (Xen's read_cr / write_cr for a PV guest). */
static int emulate_mov_cr(struct vcpu *v, bool to_cr, unsigned int cr, uint64_t *reg)
{
    switch ( cr )
    {
    case 0:
        if ( !to_cr )
        {
            *reg = (read_cr0() & ~X86_CR0_TS) | (v->pv.fpu_ts ? X86_CR0_TS : 0);
            return PV_EMUL_DONE;
        }
        /* Only TS may change. */
        if ( (*reg ^ read_cr0()) & ~X86_CR0_TS )
            return PV_EMUL_UNHANDLED;
        do_fpu_taskswitch(!!(*reg & X86_CR0_TS));
        return PV_EMUL_DONE;
    case 2:
        if ( to_cr )
            v->vcpu_info->arch.cr2 = *reg;
        else
            *reg = v->vcpu_info->arch.cr2;
        return PV_EMUL_DONE;
    case 3:
        if ( to_cr )
            return PV_EMUL_UNHANDLED;         /* new base pointer: mmuext_op */
        *reg = v->pv.kernel_cr3 & PTE_MFN_MASK;
        return PV_EMUL_DONE;
    case 4:
        /* The guest controls DE, and FSGSBASE when its CPUID has it (as
         * Xen's pv_fixup_guest_cr4); other bits are dropped silently. The
         * host's other visible bits show. */
        if ( to_cr )
        {
            uint32_t leaf7[4];

            pv_guest_cpuid(7, 0, leaf7);
            v->pv.cr4 = *reg & (X86_CR4_DE | ((leaf7[1] & 1) ? X86_CR4_FSGSBASE : 0));
            pv_load_cr4(v);
        }
        else
            *reg = (read_cr4() & X86_CR4_GUEST_VISIBLE) | v->pv.cr4;
        return PV_EMUL_DONE;
    default:
        return PV_EMUL_UNHANDLED;
    }
}

/* MOV from/to DRn: #UD for a register that does not exist, #GP for a
 * value refused (the guest's own #GP(0)). */
static int emulate_mov_dr(struct vcpu *v, bool to_dr, unsigned int dr, uint64_t *reg)
{
    long rc = to_dr ? pv_set_debugreg(v, dr, *reg) : pv_get_debugreg(v, dr, reg);

    if ( rc == -ENODEV )
        return 6;
    return rc ? PV_EMUL_UNHANDLED : PV_EMUL_DONE;
}

/* The bytes of the instruction at RIP, up to 15 (fewer if it ends a page
 * that is followed by an unmapped one). */
static unsigned int fetch_insn(const struct cpu_regs *r, uint8_t insn[15])
{
    unsigned int n;

    if ( !copy_from_guest(insn, r->rip, 15) )
        return 15;
    for ( n = 0; n < 15; n++ )
        if ( copy_from_guest(&insn[n], r->rip + n, 1) )
            break;
    return n;
}

int pv_emulate_gp(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    uint8_t insn[15], op, rex = 0;
    unsigned int n = fetch_insn(r, insn), i = 0, bp = 0;
    bool o16 = false;
    uint64_t val;
    int rc;

    if ( r->error_code )
        return PV_EMUL_UNHANDLED;
    /* Prefixes: operand size, segment overrides, and REX, which counts
     * only right before the opcode. */
    for ( ; i < n; i++ )
    {
        uint8_t b = insn[i];

        if ( b == 0x66 )
            o16 = true;
        else if ( (b & 0xf0) == 0x40 )
        {
            rex = b;
            continue;
        }
        else if ( b != 0x26 && b != 0x2e && b != 0x36 && b != 0x3e &&
                  b != 0x64 && b != 0x65 )
            break;
        rex = 0;
    }
    if ( i >= n )
        return PV_EMUL_UNHANDLED;
    op = insn[i++];
    switch ( op )
    {
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:   /* IN/OUT imm8 */
        if ( i >= n )
            return PV_EMUL_UNHANDLED;
        rc = emulate_io(v, r, op, insn[i++], (op & 1) ? (o16 ? 2 : 4) : 1, &bp);
        break;
    case 0xec: case 0xed: case 0xee: case 0xef:   /* IN/OUT with DX */
        rc = emulate_io(v, r, op, (uint16_t)r->rdx, (op & 1) ? (o16 ? 2 : 4) : 1, &bp);
        break;
    case 0xfa: case 0xfb:                         /* CLI, STI */
        /* Allowed with enough IOPL, and then a no-op, as on Xen (the
         * guest's event mask is its interrupt flag). */
        rc = iopl_ok(v) ? PV_EMUL_DONE : PV_EMUL_UNHANDLED;
        break;
    case 0x0f:
        if ( i >= n || !v->pv.kernel_mode )
            return PV_EMUL_UNHANDLED;         /* ring 0 only: guest kernel */
        op = insn[i++];
        switch ( op )
        {
        case 0x06:                            /* CLTS */
            rc = (int)do_fpu_taskswitch(0);
            break;
        case 0x09:                            /* WBINVD: ignored for a domU */
            rc = PV_EMUL_DONE;
            break;
        case 0x20: case 0x21: case 0x22: case 0x23:   /* MOV CR/DR */
        {
            unsigned int reg, rm;
            uint64_t *g;

            if ( i >= n )
                return PV_EMUL_UNHANDLED;
            reg = ((insn[i] >> 3) & 7) | ((rex & 4) ? 8 : 0);
            rm = (insn[i] & 7) | ((rex & 1) ? 8 : 0);
            i++;
            g = gpr(r, rm);
            if ( op & 1 )
                rc = reg > 7 ? 6 : emulate_mov_dr(v, op & 2, reg, g);
            else
                rc = emulate_mov_cr(v, op & 2, reg, g);
            break;
        }
        case 0x32:                            /* RDMSR */
            if ( !read_msr(v, (uint32_t)r->rcx, &val) )
                return PV_EMUL_UNHANDLED;
            r->rax = (uint32_t)val;
            r->rdx = val >> 32;
            rc = PV_EMUL_DONE;
            break;
        case 0x30:                            /* WRMSR */
            rc = write_msr(v, (uint32_t)r->rcx,
                           ((uint64_t)(uint32_t)r->rdx << 32) | (uint32_t)r->rax) ?
                 PV_EMUL_DONE : PV_EMUL_UNHANDLED;
            break;
        default:
            return PV_EMUL_UNHANDLED;
        }
        break;
    default:
        return PV_EMUL_UNHANDLED;
    }
    if ( rc != PV_EMUL_DONE )
        return rc;
    r->rip += i;
    /* An emulated instruction completes as the real one would: a single
     * step or an I/O breakpoint hit raises #DB after it. */
    if ( r->rflags & X86_EFLAGS_TF )
        bp |= DR6_BS;
    if ( bp )
    {
        pv_debug_note(v, bp);
        return 1;
    }
    return PV_EMUL_DONE;
}
