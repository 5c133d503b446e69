/* SPDX-License-Identifier: MIT */
/* Guest LDTs: MMUEXT_SET_LDT, mapped page by page on first use, as Xen. */
/*
 * Theory of operation
 *
 * A 64-bit PV guest names its LDT by a page-aligned guest address and a
 * number of entries (MMUEXT_SET_LDT, at most 8192: 16 pages). Tern keeps
 * the two in the vCPU and, like Xen, checks nothing else then: the pages
 * need not even be mapped yet.
 *
 * Where the CPU finds it. Each pCPU has an LDT window of 16 pages in
 * Tern's part of the address space (asm/desc.h), and its GDT an LDT
 * descriptor at LDT_SEL with the window as base and entries * 8 - 1 as
 * limit; LDTR holds LDT_SEL while a vCPU with an LDT runs, NUL otherwise.
 * A selector beyond the limit faults in hardware (#GP with the selector),
 * as on Xen.
 *
 * Lazy mapping, as Xen's pv_map_ldt_shadow_page(). The window starts
 * empty: the first descriptor load (or LAR, LSL, VERR...) that reaches a
 * page of it takes a #PF in Tern's window (a supervisor access, whatever
 * the guest mode). Tern then looks up the guest page in the vCPU's kernel
 * page tables (user mode too), takes a general and a PGT_seg_desc_page
 * reference on its frame (so the page-type rules check all 512
 * descriptors, and no writable mapping of the frame can exist while it is
 * mapped here), applies Xen's descriptor fix-ups in place, maps the frame
 * in the window and lets the instruction run again. When the page is not
 * present in the guest's tables, not the guest's, or cannot be a
 * descriptor page (it is mapped writable somewhere, or holds a descriptor
 * check_descriptor refuses), the guest takes a #PF at the LDT's own
 * address (ldt_base + offset, in vcpu_info.arch.cr2) with the error code
 * of the access and the U bit of the guest mode, or #GP(offset | TI) when
 * that address is not canonical: what Xen's handle_ldt_mapping_fault()
 * gives. Since the CPU reads the guest's own frames, update_descriptor on
 * an LDT frame shows at the next load, with no copy to refresh.
 *
 * Where Tern itself loads a guest selector (data selectors at switch-in,
 * SEGBASE_GS_USER_SEL, IRETQ's CS and SS), descriptor.c checks it in
 * software first (pv_ldt_read_desc): the page is mapped there as the #PF
 * would map it, and a page that cannot be mapped makes the selector one
 * that does not load (failsafe callback, NUL) instead of a fault in ring 0.
 *
 * Unmapping, as Xen's pv_destroy_ldt(): every mapped page and its
 * references go when the LDT changes (a SET_LDT with another address or
 * size; the same one keeps them) and when the kernel base pointer moves
 * to another L4. They are not dropped when the guest unmaps the page
 * (Xen 4.17 has no LDT paging either). A dying domain's frames are freed
 * with all their references by domain_destroy().
 *
 * Context switch. The mapped frames live in the vCPU (ldt_frames); the
 * window of a pCPU follows the vCPU switched in there (pv_ldt_switch, from
 * pv_gdt_switch), entries that differ being rewritten and flushed. A pCPU
 * that goes idle keeps its last window until the next switch-in: nothing
 * reads it meanwhile (no guest runs there and Tern never loads an LDT
 * selector of its own).
 *
 * Locks: the references and ldt_frames change under pt_lock; the window
 * and LDTR of a pCPU only on that pCPU, for its current vCPU.
 */
#include <asm/desc.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <tern/smp.h>

#define LDT_MAX_ENTS  8192
#define PFEC_USER     4ul
#define PFEC_RSVD     8ul
#define XEC_TI        4u

/* The vCPU whose LDT this pCPU's window and LDTR hold, and its entries. */
static struct vcpu *window_vcpu[NR_CPUS];
static unsigned int window_ents[NR_CPUS];

/* The L1 entry mapping va in v's kernel page tables, 0 when a level is
 * missing or a superpage. pt_lock held. */
static uint64_t guest_kern_l1e(const struct vcpu *v, unsigned long va)
{
    uint64_t e = v->pv.kernel_cr3 | _PAGE_PRESENT;
    int level;

    for ( level = 4; level >= 1; level-- )
    {
        const uint64_t *t = maddr_to_virt(e & PTE_MFN_MASK);

        e = t[(va >> (12 + 9 * (level - 1))) & 511];
        if ( !(e & _PAGE_PRESENT) || (level > 1 && (e & _PAGE_PSE)) )
            return 0;
    }
    return e;
}

/*
 * Map page `page` of v's LDT (v is running on this pCPU): true when it is
 * mapped now, false when the guest page cannot be an LDT page (see the
 * theory above). pt_lock held.
 */
static bool map_ldt_page(struct vcpu *v, unsigned int page)
{
    unsigned long va = v->pv.ldt_base + (unsigned long)page * PAGE_SIZE, mfn;
    uint64_t l1e;

    if ( v->pv.ldt_frames[page] )
        return true;
    if ( !pv_guest_range_ok(va, PAGE_SIZE) || !v->pv.kernel_cr3 )
        return false;
    l1e = guest_kern_l1e(v, va);
    if ( !(l1e & _PAGE_PRESENT) )
        return false;
    mfn = pte_mfn(l1e);
    if ( get_page_and_type(mfn, v->domain->domain_id, PGT_seg_desc_page) )
        return false;
    pv_fixup_descriptor_page(mfn_to_virt(mfn));
    v->pv.ldt_frames[page] = mfn;
    if ( window_vcpu[smp_processor_id()] == v )
        ldt_window_set(page, mfn);
    return true;
}

/* Xen's pv_destroy_ldt(): drop every mapped page of v's LDT. pt_lock held. */
void pv_destroy_ldt(struct vcpu *v)
{
    unsigned int page;
    bool here = window_vcpu[smp_processor_id()] == v;

    for ( page = 0; page < LDT_WINDOW_PAGES; page++ )
    {
        if ( !v->pv.ldt_frames[page] )
            continue;
        if ( here )
            ldt_window_set(page, 0);
        put_page_and_type(v->pv.ldt_frames[page]);
        v->pv.ldt_frames[page] = 0;
    }
}

/* Load this pCPU's LDTR for ents entries, unless it holds that already. */
static void load_ldtr(unsigned int ents)
{
    unsigned int cpu = smp_processor_id();

    if ( ents || window_ents[cpu] )
        ldt_load(ents);
    window_ents[cpu] = ents;
}

/*
 * MMUEXT_SET_LDT for the current vCPU v: ptr is the guest address (0 with
 * no entries). Returns 0, or -EINVAL (as Xen: ptr not page aligned or not
 * a guest address, more than 8192 entries).
 */
long pv_set_ldt(struct vcpu *v, unsigned long ptr, unsigned int ents)
{
    if ( (ptr & (PAGE_SIZE - 1)) || !pv_guest_range_ok(ptr, 1) ||
         ents > LDT_MAX_ENTS )
    {
        printk(TLOG_DEBUG "d%u: Bad args to SET_LDT: ptr=%lx, ents=%x\n",
               v->domain->domain_id, ptr, ents);
        return -EINVAL;
    }
    if ( v->pv.ldt_base == ptr && v->pv.ldt_ents == ents )
        return 0;
    pt_lock();
    pv_destroy_ldt(v);
    v->pv.ldt_base = ptr;
    v->pv.ldt_ents = ents;
    pt_unlock();
    load_ldtr(ents);
    return 0;
}

void pv_ldt_switch(struct vcpu *next)
{
    unsigned int cpu = smp_processor_id(), page;

    window_vcpu[cpu] = next;
    for ( page = 0; page < LDT_WINDOW_PAGES; page++ )
    {
        unsigned long want = next ? next->pv.ldt_frames[page] : 0;

        if ( ldt_window_get(page) != want )
            ldt_window_set(page, want);
    }
    load_ldtr(next ? next->pv.ldt_ents : 0);
}

bool pv_ldt_read_desc(unsigned int sel, uint64_t *desc)
{
    struct vcpu *v = window_vcpu[smp_processor_id()];
    unsigned int idx = (sel & 0xffff) >> 3, page = idx / 512;
    bool ok;

    if ( !v || idx >= v->pv.ldt_ents )
        return false;
    pt_lock();
    ok = map_ldt_page(v, page);
    if ( ok )
        *desc = ACCESS_ONCE(((uint64_t *)mfn_to_virt(v->pv.ldt_frames[page]))[idx % 512]);
    pt_unlock();
    return ok;
}

static bool canonical(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= 0xffff800000000000ul;
}

bool pv_ldt_fault(struct cpu_regs *r, uint64_t cr2)
{
    struct vcpu *v = current_vcpu();
    unsigned long win = ldt_window_va(smp_processor_id()), off;
    uint64_t linear;
    bool ok;

    if ( cr2 < win || cr2 >= win + LDT_WINDOW_PAGES * PAGE_SIZE ||
         (r->error_code & (PFEC_USER | PFEC_RSVD)) )
        return false;
    off = cr2 - win;
    pt_lock();
    ok = (off >> 3) < v->pv.ldt_ents && map_ldt_page(v, (unsigned int)(off / PAGE_SIZE));
    pt_unlock();
    if ( ok )
        return true;                        /* the instruction runs again */
    linear = v->pv.ldt_base + off;
    if ( !canonical(linear) )
    {
        pv_inject_trap(r, 13, (uint16_t)((off & ~3ul) | XEC_TI));
        return true;
    }
    v->vcpu_info->arch.cr2 = linear;
    pv_inject_trap(r, 14, (r->error_code & ~PFEC_USER) |
                          (v->pv.kernel_mode ? 0 : PFEC_USER));
    return true;
}
