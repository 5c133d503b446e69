/* SPDX-License-Identifier: MIT */
/* The PV MMU hypercalls: mmu_update, mmuext_op, update_va_mapping. */
/*
 * The rules live in core/page-types.c; here is what they need of the
 * machine (frames through the direct map, Tern's L4 slots, TLB flushes,
 * freeing) and the hypercalls that read guest requests, take pt_lock
 * around each one and apply the rules. Errors are Xen's: see each case.
 *
 * A domain's vCPU holds a type reference on its kernel and user L4 (its
 * base pointers); the page tables the CPU walks are therefore always
 * validated. TLB flushes the guest asks for reach every pCPU that runs
 * one of the vCPUs it names (UVMF_MULTI and UVMF_ALL, MMUEXT_*_MULTI and
 * _ALL) and are done when the hypercall returns (flush_tlb_mask waits). Batches stop after a millisecond of work and continue
 * (MMU_UPDATE_PREEMPTED in count, the done count kept in *pdone).
 */
#include <asm/flushtlb.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <tern/spinlock.h>
#include <xen/xen.h>

/* The top bit of a batch count marks a continued batch (Xen's value; the
 * public headers do not export it). */
#define MMU_UPDATE_PREEMPTED 0x80000000u

static DEFINE_IRQ_LOCK(pt_irq_lock);

void pt_lock(void)
{
    irq_lock(&pt_irq_lock);
}

void pt_unlock(void)
{
    irq_unlock(&pt_irq_lock);
}

void pt_bug(const char *what, unsigned long mfn)
{
    panic("page-type rules: %s (mfn %#lx, count %#lx, type %#lx)", what, mfn,
          (unsigned long)mfn_to_page(mfn)->count_info,
          (unsigned long)mfn_to_page(mfn)->type_info);
}

uint64_t *pt_map_frame(unsigned long mfn)
{
    return mfn_to_virt(mfn);
}

void pt_fill_tern_slots(uint64_t *l4)
{
    const uint64_t *idle_l4 = maddr_to_virt(boot_sym_maddr(boot_l4));
    unsigned int i;

    for ( i = PT_TERN_SLOT_FIRST; i <= PT_TERN_SLOT_LAST; i++ )
        l4[i] = idle_l4[i];
}

/* Until segment descriptor tables exist, no frame becomes one. */
__attribute__((weak)) bool pt_check_descriptor_page(const uint64_t *descs)
{
    (void)descs;
    return false;
}

uint64_t pt_tlb_stamp(void)
{
    return tlb_clock_tick();
}

void pt_flush_stale(uint64_t stamp)
{
    flush_tlb_stale(stamp);
}

void pt_free_frame(unsigned long mfn, domid_t owner)
{
    struct domain *d = domain_by_id(owner);

    mfn_to_page(mfn)->tlb_stamp = tlb_clock_tick();
    set_gpfn_from_mfn(mfn, INVALID_M2P_ENTRY);
    if ( d && d->tot_pages )
        d->tot_pages--;
    free_frames(mfn, 0);
}

/*
 * Xen's get_pg_owner() for an unprivileged domain: DOMID_SELF is itself;
 * its own id named as a foreign domain, or an id no domain has, is
 * -ESRCH; any other domain (DOMID_IO, DOMID_XEN included) is refused by
 * the default policy with -EPERM.
 */
static long pg_owner_check(unsigned long domid)
{
    struct domain *d = current_vcpu()->domain;

    domid &= 0xffff;
    if ( domid == DOMID_SELF )
        return 0;
    if ( domid == d->domain_id )
        return -ESRCH;
    if ( domid == DOMID_IO || domid == DOMID_XEN )
        return -EPERM;
    return domain_by_id((domid_t)domid) ? -EPERM : -ESRCH;
}


/* Write an 8-byte value into a frame that can be writable (a plain page:
 * mmu_update on a frame that is not a page table). */
static int write_plain(unsigned long mfn, unsigned int off, uint64_t val)
{
    if ( get_page_type(mfn, PGT_writable_page) )
        return -EINVAL;
    *(volatile uint64_t *)((uint8_t *)mfn_to_virt(mfn) + off) = val;
    put_page_type(mfn);
    return 0;
}

static long mmu_update_one(struct domain *d, const struct mmu_update *req)
{
    unsigned int cmd = req->ptr & 7;
    unsigned long mfn = (unsigned long)(req->ptr >> PAGE_SHIFT);
    long rc;

    switch ( cmd )
    {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
    case MMU_PT_UPDATE_NO_TRANSLATE:        /* the same for a PV guest */
        pt_lock();
        if ( !get_page(mfn, d->domain_id) )
            rc = -EINVAL;
        else
        {
            unsigned int off = (unsigned int)(req->ptr & (PAGE_SIZE - 8));

            if ( pt_table_level(mfn) )
                rc = pt_mod_entry(d->domain_id, mfn, off / 8, req->val,
                                  cmd == MMU_PT_UPDATE_PRESERVE_AD);
            else
                rc = write_plain(mfn, off, req->val);
            put_page(mfn);
        }
        pt_unlock();
        return rc;
    case MMU_MACHPHYS_UPDATE:
        pt_lock();
        if ( !get_page(mfn, d->domain_id) )
            rc = -EINVAL;
        else
        {
            set_gpfn_from_mfn(mfn, (unsigned long)req->val);
            put_page(mfn);
            rc = 0;
        }
        pt_unlock();
        return rc;
    default:
        return -ENOSYS;
    }
}

/* Read the continued done count, and write it back at the end. */
static unsigned int done_in(unsigned long pdone, unsigned long *count)
{
    unsigned int done = 0;

    if ( *count & MMU_UPDATE_PREEMPTED )
    {
        *count &= ~(unsigned long)MMU_UPDATE_PREEMPTED;
        if ( pdone )
            (void)copy_from_guest(&done, pdone, sizeof(done));
    }
    return done;
}

static void done_out(unsigned long pdone, unsigned int done)
{
    if ( pdone )
        (void)copy_to_guest(pdone, &done, sizeof(done));
}

long do_mmu_update(unsigned long ureqs, unsigned long count, unsigned long pdone,
                   unsigned long foreigndom)
{
    struct domain *d = current_vcpu()->domain;
    s_time_t start = now();
    unsigned int done, i;
    unsigned long pt_dom = (foreigndom >> 16) & 0xffff;
    long rc = 0;

    count &= 0xffffffffu;
    done = done_in(pdone, &count);
    if ( !pv_guest_array_ok(ureqs, count, sizeof(struct mmu_update)) )
        return -EFAULT;
    if ( pt_dom && pt_dom - 1 != d->domain_id )
        return domain_by_id((domid_t)(pt_dom - 1)) ? -EPERM : -ESRCH;
    rc = pg_owner_check(foreigndom);
    if ( rc == -ESRCH )
        return rc;
    for ( i = 0; i < count; i++ )
    {
        struct mmu_update req;

        if ( i && hypercall_preempt_check(start) )
        {
            done_out(pdone, done + i);
            return hypercall_create_continuation(__HYPERVISOR_mmu_update, 4,
                ureqs, (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom);
        }
        if ( rc )
            break;                          /* a foreign domain: refused */
        if ( copy_from_guest(&req, ureqs, sizeof(req)) )
        {
            rc = -EFAULT;
            break;
        }
        rc = mmu_update_one(d, &req);
        if ( rc )
            break;
        ureqs += sizeof(req);
    }
    done_out(pdone, done + i);
    return rc;
}

/* Add the pCPU of v to *mask if v runs (the TLB of a pCPU that switched
 * a vCPU out was flushed by the CR3 load that followed). */
static void add_pcpu(const struct vcpu *v, uint64_t *mask)
{
    if ( ACCESS_ONCE(v->running) )
        *mask |= 1ull << ACCESS_ONCE(v->processor);
}

/*
 * The pCPUs whose TLBs may hold translations of the vCPUs of the current
 * domain that a guest bitmap names (UVMF_MULTI, MMUEXT_*_MULTI), read a
 * word at a time up to max_vcpus bits, as Xen's vcpumask_to_pcpumask:
 * -EFAULT (and no pCPU) when a word cannot be read.
 */
static int vcpumask_to_pcpus(unsigned long bmap, uint64_t *mask)
{
    struct domain *d = current_vcpu()->domain;
    unsigned int off, id;
    unsigned long word;

    *mask = 0;
    for ( off = 0; off * 64 < d->max_vcpus; off++ )
    {
        if ( copy_from_guest(&word, bmap + off * sizeof(word), sizeof(word)) )
        {
            *mask = 0;
            return -EFAULT;
        }
        for ( ; word; word &= word - 1 )
        {
            id = off * 64 + (unsigned int)__builtin_ctzl(word);
            if ( id >= d->max_vcpus )
                return 0;
            add_pcpu(d->vcpu[id], mask);
        }
    }
    return 0;
}

/* The pCPUs running any vCPU of the current domain (Xen's dirty_cpumask). */
static uint64_t domain_pcpus(void)
{
    const struct vcpu *v;
    uint64_t mask = 0;

    for_each_vcpu ( current_vcpu()->domain, v )
        add_pcpu(v, &mask);
    return mask;
}

/* Flush the TLB entries of va (or all, va = FLUSH_ALL) on the pCPUs in
 * mask, waiting for them; an address that is not a guest's is not
 * flushed (as Xen's __addr_ok check). */
static void flush_pcpus(uint64_t mask, unsigned long va)
{
    if ( va == FLUSH_ALL || pv_guest_range_ok(va, 1) )
        flush_tlb_mask(mask, va);
}

/* The frame and index of va's L1 entry in the current page tables, via
 * the validated tables. False when a level is missing or not an L1. */
bool pv_find_l1e(unsigned long va, unsigned long *l1mfn, unsigned int *idx)
{
    uint64_t e = read_cr3() & PTE_MFN_MASK;
    int level;

    if ( !pv_guest_range_ok(va, 1) )
        return false;
    for ( level = 4; level > 1; level-- )
    {
        const uint64_t *t = maddr_to_virt(e & PTE_MFN_MASK);

        e = t[(va >> (12 + 9 * (level - 1))) & 511];
        if ( !(e & _PAGE_PRESENT) || (e & _PAGE_PSE) )
            return false;
    }
    *l1mfn = pte_mfn(e);
    *idx = (va >> 12) & 511;
    return true;
}

static long update_va_mapping(unsigned long va, uint64_t val, unsigned long flags)
{
    struct domain *d = current_vcpu()->domain;
    unsigned long l1mfn, bmap = flags & ~(unsigned long)UVMF_FLUSHTYPE_MASK;
    unsigned int idx;
    uint64_t mask;
    long rc = -EINVAL, mrc;

    pt_lock();
    if ( pv_find_l1e(va, &l1mfn, &idx) && pt_table_level(l1mfn) == 1 )
        rc = pt_mod_entry(d->domain_id, l1mfn, idx, val, false);
    pt_unlock();
    if ( !(flags & UVMF_FLUSHTYPE_MASK) || (flags & UVMF_FLUSHTYPE_MASK) == 3 )
        return rc;
    if ( bmap == UVMF_LOCAL )
        mask = 1ull << smp_processor_id();
    else if ( bmap == UVMF_ALL )
        mask = domain_pcpus();
    else if ( (mrc = vcpumask_to_pcpus(bmap, &mask)) )
        rc = mrc;
    flush_pcpus(mask, (flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH ? FLUSH_ALL : va);
    return rc;
}

long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags)
{
    return update_va_mapping(va, val, flags);
}

long do_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                      unsigned long flags, unsigned long domid)
{
    long rc = pg_owner_check(domid);

    return rc ? rc : update_va_mapping(va, val, flags);
}

/* MMUEXT_NEW_BASEPTR / NEW_USER_BASEPTR: the vCPU's reference moves to
 * the new L4 (validated now if need be). mfn 0 clears the user one. */
static long new_baseptr(struct vcpu *v, unsigned long mfn, bool user)
{
    uint64_t *slot = user ? &v->pv.user_cr3 : &v->pv.kernel_cr3;
    unsigned long old = (unsigned long)(*slot >> PAGE_SHIFT);
    long rc;

    if ( mfn == old )
    {
        if ( !user )
            flush_tlb_local();
        return 0;
    }
    if ( mfn && (rc = get_page_and_type(mfn, v->domain->domain_id,
                                        PGT_l4_page_table)) )
        return rc;
    *slot = (uint64_t)mfn << PAGE_SHIFT;
    if ( !user )
        pv_destroy_ldt(v);                  /* as Xen's new_guest_cr3() */
    switch_cr3(v->pv.kernel_mode || !v->pv.user_cr3 ? v->pv.kernel_cr3
                                                    : v->pv.user_cr3);
    if ( old )
        put_page_and_type(old);
    return 0;
}

static long mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
    domid_t me = v->domain->domain_id;
    unsigned long mfn = op->arg1.mfn;
    uint64_t mask;
    long rc = 0;

    switch ( op->cmd )
    {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        pt_lock();
        rc = pt_pin(me, mfn, (unsigned long)(op->cmd - MMUEXT_PIN_L1_TABLE + 1) << 60);
        pt_unlock();
        return rc;
    case MMUEXT_UNPIN_TABLE:
        pt_lock();
        rc = pt_unpin(me, mfn);
        pt_unlock();
        return rc;
    case MMUEXT_NEW_BASEPTR:
    case MMUEXT_NEW_USER_BASEPTR:
        pt_lock();
        rc = new_baseptr(v, mfn, op->cmd == MMUEXT_NEW_USER_BASEPTR);
        pt_unlock();
        return rc;
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_pcpus(1ull << smp_processor_id(), FLUSH_ALL);
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        flush_pcpus(1ull << smp_processor_id(), op->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_ALL:
        flush_pcpus(domain_pcpus(), FLUSH_ALL);
        return 0;
    case MMUEXT_INVLPG_ALL:
        flush_pcpus(domain_pcpus(), op->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
        /* Xen answers a bad vCPU mask pointer with -EINVAL here. */
        if ( vcpumask_to_pcpus((unsigned long)op->arg2.vcpumask.p, &mask) )
            return -EINVAL;
        flush_pcpus(mask, op->cmd == MMUEXT_TLB_FLUSH_MULTI ? FLUSH_ALL
                                                            : op->arg1.linear_addr);
        return 0;
    case MMUEXT_FLUSH_CACHE:
        return -EACCES;                     /* no cache control for a domU */
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        return -EINVAL;
    case MMUEXT_SET_LDT:
        /* The address counts only with entries (pv/ldt.c). */
        return pv_set_ldt(v, op->arg2.nr_ents ? op->arg1.linear_addr : 0,
                          op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
        pt_lock();
        rc = get_page_and_type(mfn, me, PGT_writable_page) ? -EINVAL : 0;
        if ( !rc )
        {
            memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
            put_page_and_type(mfn);
        }
        pt_unlock();
        return rc;
    case MMUEXT_COPY_PAGE:
    {
        unsigned long src = op->arg2.src_mfn;

        pt_lock();
        if ( !get_page(src, me) )
            rc = -EINVAL;
        else
        {
            rc = get_page_and_type(mfn, me, PGT_writable_page) ? -EINVAL : 0;
            if ( !rc )
            {
                memcpy(mfn_to_virt(mfn), mfn_to_virt(src), PAGE_SIZE);
                put_page_and_type(mfn);
            }
            put_page(src);
        }
        pt_unlock();
        return rc;
    }
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -EOPNOTSUPP;
    default:
        return -ENOSYS;
    }
}

long do_mmuext_op(unsigned long uops, unsigned long count, unsigned long pdone,
                  unsigned long foreigndom)
{
    struct vcpu *v = current_vcpu();
    s_time_t start = now();
    unsigned int done, i;
    long rc;

    count &= 0xffffffffu;
    done = done_in(pdone, &count);
    if ( !pv_guest_array_ok(uops, count, sizeof(struct mmuext_op)) )
        return -EFAULT;
    rc = pg_owner_check(foreigndom);
    if ( rc )
        return rc;
    for ( i = 0; i < count; i++ )
    {
        struct mmuext_op op;

        if ( i && hypercall_preempt_check(start) )
        {
            done_out(pdone, done + i);
            return hypercall_create_continuation(__HYPERVISOR_mmuext_op, 4,
                uops, (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom);
        }
        if ( copy_from_guest(&op, uops, sizeof(op)) )
        {
            rc = -EFAULT;
            break;
        }
        rc = mmuext_one(v, &op);
        if ( rc )
            break;
        uops += sizeof(op);
    }
    done_out(pdone, done + i);
    return rc;
}
