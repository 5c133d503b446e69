/* SPDX-License-Identifier: MIT */
/* Guest descriptor tables: set_gdt, update_descriptor, selector checks. */
/*
 * Theory of operation
 *
 * A 64-bit PV guest may give Tern up to FIRST_RESERVED_GDT_PAGE (14)
 * frames of its own descriptors (set_gdt); entries from
 * FIRST_RESERVED_GDT_ENTRY up are Tern's (its ring-0 selectors, the TSS
 * and the flat ring-3 selectors of the PV ABI), as on Xen.
 *
 * Validation. Every descriptor a guest can make the CPU use passes Xen's
 * check_descriptor() for a 64-bit PV guest (pv_check_descriptor):
 *   - not present: accepted as it is (it can only fault);
 *   - code or data: accepted, DPL raised to 3 (the guest kernel runs in
 *     ring 3; nothing of a guest may be privileged);
 *   - system type 0 (the upper half of a 16-byte descriptor): accepted;
 *   - a 64-bit call gate: its target must be a guest selector, the flat
 *     kernel code selector or an LDT selector; its DPL is forced to 0 (so
 *     any use faults; Xen would then emulate the call, Tern does not yet)
 *     and the DPL moves into the target's RPL; bits 0-7 of the high word
 *     must be 0;
 *   - any other system descriptor (LDT, TSS, interrupt or trap gate): no.
 * A frame becomes a PGT_seg_desc_page when all its 512 descriptors pass
 * (pt_check_descriptor_page, called by the page-type rules). The type
 * keeps every writable mapping of the frame away; set_gdt (and the LDT's
 * mapping, pv/ldt.c) then applies the fix-ups in place (so the guest
 * reads back what the CPU uses, as on Xen), and update_descriptor is the
 * only way to change an entry.
 *
 * Use. The guest's frames are not mapped into Tern's GDT: each pCPU has
 * one GDT, and when a vCPU is switched in, its first gdt_ents descriptors
 * are copied into the pCPU's guest area and the rest of what the previous
 * vCPU left there is cleared (pv_gdt_switch). update_descriptor and
 * set_gdt refresh the current pCPU's copy. The copy is checked again on
 * the way (a descriptor that fails becomes 0): the copy is what the CPU
 * trusts, so it does not rest on the page types alone. Another vCPU of
 * the domain whose GDT holds the entry is marked stale (and its pCPU
 * interrupted): it copies its GDT again before it enters the guest.
 *
 * Selectors. The CPU does not re-read a descriptor once a segment
 * register holds it. Tern checks in software, against this pCPU's GDT,
 * what the hardware would check when it reloads a guest's data selectors
 * at a context switch (pv_data_sel_ok) or returns with IRETQ to a guest
 * code and stack selector (pv_iret_fault), so that neither can fault in
 * ring 0. Where Xen's reload of data selectors would fault, the guest gets
 * its failsafe callback; where its IRETQ would fault, the guest gets that
 * fault (#GP, #NP or #SS with the selector) at the place it returned to,
 * as on Xen. A selector with TI set is looked up in the LDT of the vCPU
 * switched in (pv_ldt_read_desc, which maps the LDT page as the CPU's
 * first touch would): beyond the LDT, or in a page that cannot be
 * mapped, it is a selector that does not load.
 */
#include <asm/desc.h>
#include <asm/pv.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <tern/smp.h>
#include <xen/xen.h>

/* Bits of the high 32-bit word of a descriptor (Xen's _SEGMENT_*). */
#define SEG_TYPE   (15u << 8)
#define SEG_WR     (1u << 9)          /* writable data / readable code */
#define SEG_EC     (1u << 10)         /* expand-down data / conforming code */
#define SEG_CODE   (1u << 11)
#define SEG_S      (1u << 12)         /* code or data (not system) */
#define SEG_DPL    (3u << 13)
#define SEG_P      (1u << 15)
#define SEG_L      (1u << 21)
#define SEG_DB     (1u << 22)

/* Entries of this pCPU's GDT that hold a guest's descriptors. */
static unsigned int gdt_used[NR_CPUS];

/* May a call gate of a 64-bit PV guest name this code selector? */
static bool gate_selector_ok(unsigned int sel)
{
    return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == FLAT_KERNEL_CS ||
           (sel & 4);
}

bool pv_check_descriptor(uint64_t *desc)
{
    uint32_t a = (uint32_t)*desc, b = (uint32_t)(*desc >> 32);
    unsigned int dpl, cs;

    if ( !(b & SEG_P) )
        return true;
    dpl = (b >> 13) & 3;
    if ( dpl < 3 )
        dpl = 3;
    b = (b & ~SEG_DPL) | (dpl << 13);
    if ( !(b & SEG_S) )
    {
        if ( (b & SEG_TYPE) == 0 )
            return true;                      /* left as it is, as on Xen */
        if ( (b & SEG_TYPE) != 0xc00 )
            return false;                     /* only 64-bit call gates */
        cs = a >> 16;
        if ( !gate_selector_ok(cs) )
            return false;
        b &= ~SEG_DPL;
        cs = (cs & ~3u) | dpl;
        a = (a & 0xffffu) | (cs << 16);
        if ( b & 0xff )
            return false;
    }
    *desc = ((uint64_t)b << 32) | a;
    return true;
}

bool pt_check_descriptor_page(const uint64_t *descs)
{
    unsigned int i;

    for ( i = 0; i < 512; i++ )
    {
        uint64_t d = descs[i];

        if ( !pv_check_descriptor(&d) )
            return false;
    }
    return true;
}

void pv_fixup_descriptor_page(uint64_t *descs)
{
    unsigned int i;

    for ( i = 0; i < 512; i++ )
    {
        uint64_t x = descs[i];

        if ( pv_check_descriptor(&x) && x != descs[i] )
            descs[i] = x;
    }
}

/* Copy v's descriptor i (already in a validated frame) for the CPU. */
static uint64_t guest_desc(const struct vcpu *v, unsigned int i)
{
    const uint64_t *frame = mfn_to_virt(v->pv.gdt_frames[i / 512]);
    uint64_t d = ACCESS_ONCE(frame[i % 512]);

    return pv_check_descriptor(&d) ? d : 0;
}

/* Copy next's GDT into this pCPU's (next NULL: clear it). */
static void gdt_copy(const struct vcpu *next)
{
    uint64_t *gdt = this_cpu()->gdt;
    unsigned int cpu = smp_processor_id(), n = next ? next->pv.gdt_ents : 0, i;

    for ( i = 0; i < n; i++ )
        gdt[i] = guest_desc(next, i);
    if ( gdt_used[cpu] > n )
        memset(gdt + n, 0, (gdt_used[cpu] - n) * sizeof(*gdt));
    gdt_used[cpu] = n;
}

void pv_gdt_switch(struct vcpu *next)
{
    gdt_copy(next);
    pv_ldt_switch(next);
}

void pv_gdt_reload(struct vcpu *v)
{
    v->pv.gdt_stale = false;
    gdt_copy(v);
}

void pv_destroy_gdt(struct vcpu *v)
{
    unsigned int i, nr = (v->pv.gdt_ents + 511) / 512;

    for ( i = 0; i < nr; i++ )
        put_page_and_type(v->pv.gdt_frames[i]);
    v->pv.gdt_ents = 0;
}

long pv_set_gdt(struct vcpu *v, const unsigned long *frames, unsigned int entries)
{
    unsigned int nr = (entries + 511) / 512, i;
    domid_t domid = v->domain->domain_id;

    if ( entries > FIRST_RESERVED_GDT_ENTRY )
        return -EINVAL;
    for ( i = 0; i < nr; i++ )
        if ( get_page_and_type(frames[i], domid, PGT_seg_desc_page) )
        {
            while ( i-- )
                put_page_and_type(frames[i]);
            return -EINVAL;
        }
    /* Apply the fix-ups in place: the frames now have no writable mapping. */
    for ( i = 0; i < nr; i++ )
        pv_fixup_descriptor_page(mfn_to_virt(frames[i]));
    pv_destroy_gdt(v);
    for ( i = 0; i < nr; i++ )
        v->pv.gdt_frames[i] = frames[i];
    v->pv.gdt_ents = entries;
    return 0;
}

/*
 * set_gdt(frame_list, entries): the guest's GDT is the first entries
 * descriptors of the machine frames in frame_list (one per 512 entries).
 * Returns 0, -EINVAL (more than FIRST_RESERVED_GDT_ENTRY entries, or a
 * frame that is not the domain's or cannot become a descriptor page),
 * -EFAULT (an unreadable frame list). Segment registers keep what they
 * hold until reloaded, as on hardware.
 */
long do_set_gdt(unsigned long frame_list, unsigned long entries_arg)
{
    struct vcpu *v = current_vcpu();
    unsigned int entries = (unsigned int)entries_arg;
    unsigned long frames[FIRST_RESERVED_GDT_PAGE];
    long rc;

    if ( entries > FIRST_RESERVED_GDT_ENTRY )
        return -EINVAL;
    if ( copy_from_guest(frames, frame_list, (entries + 511) / 512 * sizeof(frames[0])) )
        return -EFAULT;
    pt_lock();
    rc = pv_set_gdt(v, frames, entries);
    pt_unlock();
    if ( !rc )
        gdt_copy(v);
    return rc;
}

/*
 * update_descriptor(maddr, desc): write one descriptor at machine address
 * maddr, in a frame of the domain that is either a descriptor page or may
 * be writable (not a page table). Returns 0 or -EINVAL (misaligned, a
 * descriptor check_descriptor refuses, a frame not the domain's or of
 * the wrong type), as Xen.
 */
long do_update_descriptor(unsigned long maddr, unsigned long desc)
{
    struct vcpu *v = current_vcpu(), *w;
    unsigned long mfn = maddr >> PAGE_SHIFT, type;
    unsigned int slot = (unsigned int)(maddr & (PAGE_SIZE - 1)) / 8, i;
    uint64_t d = desc;

    if ( (maddr & 7) || !pv_check_descriptor(&d) )
        return -EINVAL;
    pt_lock();
    if ( !get_page(mfn, v->domain->domain_id) )
    {
        pt_unlock();
        return -EINVAL;
    }
    type = (mfn_to_page(mfn)->type_info & PGT_type_mask) == PGT_seg_desc_page ?
           PGT_seg_desc_page : PGT_writable_page;
    if ( get_page_type(mfn, type) )
    {
        put_page(mfn);
        pt_unlock();
        return -EINVAL;
    }
    __atomic_store_n((uint64_t *)mfn_to_virt(mfn) + slot, d, __ATOMIC_RELAXED);
    put_page_type(mfn);
    put_page(mfn);
    /* The current vCPU's GDT on this pCPU sees the change at once; any
     * other vCPU whose GDT holds the entry copies it again before it next
     * enters the guest (its pCPU is interrupted if it runs now). */
    for_each_vcpu ( v->domain, w )
        for ( i = 0; i * 512 < w->pv.gdt_ents; i++ )
            if ( w->pv.gdt_frames[i] == mfn && i * 512 + slot < w->pv.gdt_ents )
            {
                if ( w == v )
                    this_cpu()->gdt[i * 512 + slot] = d;
                else
                {
                    w->pv.gdt_stale = true;
                    if ( w->running )
                        smp_send_ipi(w->processor, VEC_EVENT);
                }
            }
    pt_unlock();
    return 0;
}

/* The high word of this pCPU's descriptor for sel (GDT or LDT), or 0. */
static uint32_t desc_high(unsigned int sel)
{
    uint64_t d;

    if ( sel & 4 )
        return pv_ldt_read_desc(sel, &d) ? (uint32_t)(d >> 32) : 0;
    return (uint32_t)(this_cpu()->gdt[(sel & 0xffff) >> 3] >> 32);
}

bool pv_data_sel_ok(unsigned int sel)
{
    uint32_t b;

    if ( (sel & ~3u) == 0 )
        return true;                          /* null loads in ring 0 */
    b = desc_high(sel);
    if ( !(b & SEG_S) || !(b & SEG_P) )
        return false;
    if ( (b & SEG_CODE) && !(b & SEG_WR) )
        return false;                         /* execute-only code */
    if ( (b & SEG_CODE) && (b & SEG_EC) )
        return true;                          /* conforming: no DPL check */
    return ((b >> 13) & 3) >= (sel & 3);      /* DPL >= max(CPL 0, RPL) */
}

/*
 * The checks of IRETQ returning to ring 3 (Intel SDM, IRET, return to an
 * outer privilege level), in order, against this pCPU's GDT: the
 * exception the CPU would raise, with its error code (the selector with
 * its RPL bits clear).
 */
bool pv_iret_fault(unsigned int cs, unsigned int ss, unsigned int *vector,
                   unsigned int *ec)
{
    uint32_t c, s;

    cs &= 0xffff;
    ss &= 0xffff;
    if ( (cs == GUEST_CS64 || cs == GUEST_CS32) && ss == GUEST_DS )
        return false;
    *vector = 13;
    *ec = cs & ~3u;
    if ( !(cs & ~3u) )
        return true;                          /* NUL code selector: #GP(0) */
    c = desc_high(cs);
    if ( (c & (SEG_S | SEG_CODE)) != (SEG_S | SEG_CODE) ||
         ((c & SEG_EC) ? ((c >> 13) & 3) > (cs & 3) : ((c >> 13) & 3) != (cs & 3)) ||
         ((c & SEG_L) && (c & SEG_DB)) )
        return true;
    if ( !(c & SEG_P) )
    {
        *vector = 11;                         /* #NP */
        return true;
    }
    *ec = ss & ~3u;
    if ( !(ss & ~3u) )
        return true;                          /* NUL stack for ring 3: #GP(0) */
    s = desc_high(ss);
    if ( (ss & 3) != (cs & 3) ||
         (s & (SEG_S | SEG_CODE | SEG_WR)) != (SEG_S | SEG_WR) ||
         ((s >> 13) & 3) != (cs & 3) )
        return true;
    if ( !(s & SEG_P) )
    {
        *vector = 12;                         /* #SS */
        return true;
    }
    return false;
}
