/* SPDX-License-Identifier: MIT */
/* Writable page tables: a guest kernel's plain stores to its own L1s. */
/*
 * A PV kernel may write its L1 tables with ordinary instructions although
 * they are mapped read-only (VMASST_TYPE_writable_pagetables; Xen 4.17
 * does it whether or not the guest enabled the assist, and so does Tern):
 * the store faults (#PF, present + write), and Tern decodes it
 * (lib/x86-store.c), computes the entry the guest wanted, has the
 * page-type rules validate and write it (pt_mod_entry, as mmu_update
 * would), applies the instruction's register and flag effects and steps
 * over it. As on Xen only L1 tables are emulated, and only stores the
 * decoder knows within one 8-byte entry; anything else, or an entry the
 * rules refuse, is the guest's own page fault.
 */
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/domain.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <tern/x86-store.h>
#include <xen/xen.h>

#define PFEC_PRESENT 0x01ul
#define PFEC_WRITE   0x02ul
#define PFEC_RSVD    0x08ul
#define PFEC_INSN    0x10ul

/* cpu_regs fields in the hardware's register numbering. */
static uint64_t *gpr(struct cpu_regs *r, unsigned int i)
{
    uint64_t *const map[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };

    return map[i];
}

/* Up to 15 bytes of the instruction at rip: all at once, or as many as
 * can be read when it ends at an unmapped page. */
static unsigned int fetch(uint64_t rip, uint8_t *insn)
{
    unsigned int n;

    if ( !copy_from_guest(insn, rip, X86_STORE_MAX_LEN) )
        return X86_STORE_MAX_LEN;
    for ( n = 0; n < X86_STORE_MAX_LEN; n++ )
        if ( copy_from_guest(&insn[n], rip + n, 1) )
            break;
    return n;
}

bool pv_ptwr_fault(struct cpu_regs *r, uint64_t cr2)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;
    struct x86_store st;
    struct x86_store_regs xr;
    uint8_t insn[X86_STORE_MAX_LEN];
    unsigned long l1mfn, target;
    unsigned int idx, n, i;
    uint64_t e, ea, seg = 0, old, neww;
    int rc;
    bool done = false;

    if ( !v->pv.kernel_mode ||
         (r->error_code & (PFEC_PRESENT | PFEC_WRITE | PFEC_RSVD | PFEC_INSN)) !=
             (PFEC_PRESENT | PFEC_WRITE) )
        return false;
    n = fetch(r->rip, insn);
    if ( x86_store_decode(insn, n, &st) )
        return false;
    for ( i = 0; i < 16; i++ )
        xr.gpr[i] = *gpr(r, i);
    xr.rflags = r->rflags;
    if ( st.seg == X86_STORE_SEG_FS )
        seg = rdmsr(MSR_FS_BASE);
    else if ( st.seg == X86_STORE_SEG_GS )
        seg = rdmsr(MSR_GS_BASE);
    ea = x86_store_ea(&st, &xr, r->rip, seg);
    if ( (ea & ~7ul) != (cr2 & ~7ul) )
        return false;

    pt_lock();
    /* The page written must be one of the domain's live L1 tables, mapped
     * read-only at cr2. */
    if ( !pv_find_l1e(cr2, &l1mfn, &idx) )
        goto out;
    e = ((const uint64_t *)mfn_to_virt(l1mfn))[idx];
    target = pte_mfn(e);
    if ( (e & (_PAGE_PRESENT | _PAGE_RW)) != _PAGE_PRESENT ||
         pt_table_level(target) != 1 || mfn_to_page(target)->owner != d->domain_id )
        goto out;
    old = ((const uint64_t *)mfn_to_virt(target))[(ea & 0xfff) >> 3];
    rc = x86_store_apply(&st, old, (unsigned int)(ea & 7), &xr, &neww);
    if ( rc < 0 )
        goto out;
    if ( rc == 1 && pt_mod_entry(d->domain_id, target, (unsigned int)((ea & 0xfff) >> 3),
                                 neww, false) )
        goto out;
    for ( i = 0; i < 16; i++ )
        *gpr(r, i) = xr.gpr[i];
    r->rflags = (r->rflags & ~(uint64_t)X86_FLAGS_ARITH) | (xr.rflags & X86_FLAGS_ARITH);
    r->rip += st.len;
    done = true;
 out:
    pt_unlock();
    return done;
}
