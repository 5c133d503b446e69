/* SPDX-License-Identifier: MIT */
/* The PV domain builder: memory, start-of-day layout, start_info, first vCPU. */
/*
 * A PV guest starts in a virtually contiguous region at VIRT_BASE that is
 * laid out as Xen's builder lays it out, each item page aligned:
 *
 *   virt_base ... kernel (by ELF physical address) | initrd | P2M list |
 *   start_info | xenstore page | console page | bootstrap page tables |
 *   bootstrap stack | slack up to a 4 MiB boundary (at least 512 KiB)
 *
 * Guest page N of the region is guest pfn N; each pfn is backed by a frame
 * Tern allocates and gives to the domain (owner, M2P). The page tables map
 * the whole region, themselves read-only; the L4 carries Tern's slots.
 *
 * Two notes move items out of the region, as Xen's builder does: with
 * INIT_P2M the P2M list lives at that address, in the pfns right after the
 * region, followed by the page tables that map it (first_p2m_pfn and
 * nr_p2m_frames cover both; Linux maps them read-only by that range); with
 * MOD_START_PFN the initrd is not mapped at all and goes in the pfns after
 * those, start_info giving its first pfn. Linux cleans its kernel mapping
 * up to the 4 MiB boundary after the bootstrap page tables, so with both
 * notes nothing of the region stays mapped behind its back (no W+X pages).
 */
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/grant-table.h>
#include <tern/heap.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/sched.h>
#include <asm/processor.h>
#include <asm/pv.h>

#define ROUND_PG(x)   (((x) + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1))
#define SLACK         (512ul << 10)
#define ALIGN_4M(x)   (((x) + (4ul << 20) - 1) & ~((4ul << 20) - 1))

struct layout {
    uint64_t v_start, v_end;
    uint64_t kstart, kend;
    uint64_t initrd, initrd_len;     /* initrd: va, or 0 when given by pfn */
    uint64_t p2m, p2m_len;
    uint64_t start_info, store, console;
    uint64_t pt, stack;
    unsigned long nr_pt;
    /* Pfns after the region (0 when unused): the P2M list and its tables
     * (INIT_P2M), the initrd (MOD_START_PFN). */
    unsigned long p2m_pfn, p2m_frames, p2m_pt_pfn, p2m_nr_pt;
    unsigned long initrd_pfn;
};

void *domain_pfn_to_virt(const struct domain *d, unsigned long pfn)
{
    return d->p2m && pfn < d->nr_pages ? mfn_to_virt(d->p2m[pfn]) : NULL;
}

static unsigned long va_to_pfn(const struct layout *l, uint64_t va)
{
    return (unsigned long)((va - l->v_start) >> PAGE_SHIFT);
}

/* Compute the layout; the page-table count depends on the region's end, so
 * iterate until it settles. Returns 0, -ENOMEM when nr_pages is too few,
 * or -EINVAL (logged) when INIT_P2M asks for an unusable address. */
static int compute_layout(const struct boot_domain *bd, uint64_t initrd_len,
                          unsigned long nr_pages, struct layout *l)
{
    bool p2m_out = bd->elf.p2m_base != ELF_XEN_UNSET;
    bool initrd_out = bd->elf.mod_start_pfn && initrd_len;
    uint64_t next;
    unsigned long n = 1, pfn;

    memset(l, 0, sizeof(*l));
    l->v_start = bd->elf.virt_base;
    l->kstart = bd->elf.virt_kstart;
    l->kend = bd->elf.virt_kend;
    next = ROUND_PG(l->kend);
    l->initrd_len = initrd_len;
    if ( !initrd_out )
    {
        l->initrd = next;
        next += ROUND_PG(initrd_len);
    }
    l->p2m_len = (uint64_t)nr_pages * sizeof(unsigned long);
    if ( p2m_out )
        l->p2m = bd->elf.p2m_base;
    else
    {
        l->p2m = next;
        next += ROUND_PG(l->p2m_len);
    }
    l->start_info = next;
    l->store = next + PAGE_SIZE;
    l->console = next + 2 * PAGE_SIZE;
    l->pt = next + 3 * PAGE_SIZE;
    for ( ;; )
    {
        l->nr_pt = n;
        l->stack = l->pt + n * PAGE_SIZE;
        l->v_end = ALIGN_4M(l->stack + PAGE_SIZE + SLACK);
        n = pv_pagetable_count(l->v_start, l->v_end);
        if ( n <= l->nr_pt )
            break;
    }
    pfn = va_to_pfn(l, l->v_end);
    if ( p2m_out )
    {
        uint64_t end = l->p2m + ROUND_PG(l->p2m_len);

        if ( (l->p2m & (PAGE_SIZE - 1)) || end < l->p2m ||
             (l->p2m < l->v_end && end > l->v_start) ||
             (l->p2m >= 0x0000800000000000ul && l->p2m < 0xffff880000000000ul) ||
             (end > 0x0000800000000000ul && end <= 0xffff880000000000ul) )
        {
            printk(TLOG_ERR "kernel's INIT_P2M %#lx: the P2M list (%lu KiB) would "
                   "overlap its region or Tern's, or is not canonical; domain not "
                   "built\n", (unsigned long)l->p2m, (unsigned long)(l->p2m_len >> 10));
            return -EINVAL;
        }
        l->p2m_pfn = pfn;
        l->p2m_pt_pfn = pfn + (unsigned long)(ROUND_PG(l->p2m_len) >> PAGE_SHIFT);
        l->p2m_nr_pt = pv_pagetable_count(l->p2m, end) - 1;   /* no L4 */
        l->p2m_frames = l->p2m_pt_pfn + l->p2m_nr_pt - pfn;
        pfn += l->p2m_frames;
    }
    if ( initrd_out )
    {
        l->initrd_pfn = pfn;
        pfn += (unsigned long)(ROUND_PG(initrd_len) >> PAGE_SHIFT);
    }
    if ( pfn > nr_pages )
        return -ENOMEM;
    return 0;
}

/* Give the domain nr frames, in 2 MiB blocks where possible. */
static int populate(struct domain *d, unsigned long nr)
{
    unsigned long pfn = 0, mfn, i;

    d->p2m = heap_alloc(nr * sizeof(unsigned long));
    if ( !d->p2m )
        return -ENOMEM;
    while ( pfn < nr )
    {
        unsigned int order = nr - pfn >= 512 ? 9 : 0;

        mfn = alloc_frames(order);
        if ( mfn == ~0ul && order )
            mfn = alloc_frames(order = 0);
        if ( mfn == ~0ul )
            return -ENOMEM;
        for ( i = 0; i < (1ul << order); i++, pfn++ )
        {
            d->p2m[pfn] = mfn + i;
            pt_assign_page(mfn + i, d->domain_id);
            d->tot_pages++;
            set_gpfn_from_mfn(mfn + i, pfn);
            memset(mfn_to_virt(mfn + i), 0, PAGE_SIZE);
        }
        d->nr_pages = pfn;
    }
    return 0;
}

struct build {
    struct domain *d;
    struct layout l;
};

/* Copy n bytes from src (zeroes when src is NULL) to guest physical
 * address gpa (pfn << 12 | offset), through the domain's frames. */
static void phys_write(struct domain *d, uint64_t gpa, const void *src, size_t n)
{
    while ( n )
    {
        unsigned long off = gpa & (PAGE_SIZE - 1);
        size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
        uint8_t *dst = domain_pfn_to_virt(d, (unsigned long)(gpa >> PAGE_SHIFT));

        if ( src )
        {
            memcpy(dst + off, src, chunk);
            src = (const uint8_t *)src + chunk;
        }
        else
            memset(dst + off, 0, chunk);
        gpa += chunk;
        n -= chunk;
    }
}

/* The same at guest virtual va of the initial region. */
static void region_write(struct build *b, uint64_t va, const void *src, size_t n)
{
    phys_write(b->d, va - b->l.v_start, src, n);
}

static void load_copy(void *ctx, uint64_t va, const void *src, size_t n)
{
    region_write(ctx, va, src, n);
}

static void load_zero(void *ctx, uint64_t va, size_t n)
{
    region_write(ctx, va, NULL, n);
}

static void fill_start_info(struct build *b, const struct boot_info *bi,
                            const struct boot_domain *bd)
{
    struct domain *d = b->d;
    start_info_t *si = domain_pfn_to_virt(d, va_to_pfn(&b->l, b->l.start_info));

    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = d->nr_pages;
    si->shared_info = virt_to_maddr(d->shared_info);
    si->flags = 0;
    /* No xenstore serves the domain yet: say so as Xen's builder does for
     * a domain with none (dom0 before xenstored): store_mfn and
     * store_evtchn 0. Linux then waits for a local xenstored in the
     * background instead of blocking on its first request. The page stays
     * reserved in the layout for the xenstore service to come. */
    si->store_mfn = 0;
    si->store_evtchn = 0;
    si->console.domU.mfn = d->p2m[va_to_pfn(&b->l, b->l.console)];
    si->console.domU.evtchn = d->console_port;
    si->pt_base = b->l.pt;
    si->nr_pt_frames = b->l.nr_pt;
    si->mfn_list = b->l.p2m;
    si->first_p2m_pfn = b->l.p2m_pfn;
    si->nr_p2m_frames = b->l.p2m_frames;
    if ( b->l.initrd_len )
    {
        if ( bd->elf.mod_start_pfn )
        {
            si->flags |= SIF_MOD_START_PFN;
            si->mod_start = b->l.initrd ? va_to_pfn(&b->l, b->l.initrd)
                                        : b->l.initrd_pfn;
        }
        else
            si->mod_start = b->l.initrd;
        si->mod_len = b->l.initrd_len;
    }
    strlcpy((char *)si->cmd_line, d->cfg.cmdline, sizeof(si->cmd_line));
    (void)bi;
}

struct domain *domain_build(const struct boot_info *bi, const struct boot_domain *bd,
                            domid_t domid)
{
    const struct boot_module *im = bd->initrd_mod == NO_MODULE ? NULL :
                                   &bi->modules[bd->initrd_mod];
    struct build b;
    struct domain *d;
    struct vcpu *v;
    unsigned long nr = (unsigned long)(bd->cfg.memory >> PAGE_SHIFT), pfn;
    int rc;

    /* The bench's domain-build row starts here (bench/run-bench.py). */
    printk(TLOG_DEBUG "d%u '%s': building, tsc=%lu\n", domid, bd->cfg.name,
           (unsigned long)rdtsc());
    d = heap_zalloc(sizeof(*d));
    if ( !d )
        goto nomem;
    d->domain_id = domid;
    d->cfg = bd->cfg;
    strlcpy(d->name, bd->cfg.name, sizeof(d->name));
    d->max_pages = nr;
    d->shutdown_reason = -1;
    d->shutdown_code = -1;
    d->store_port = 0;                   /* none yet (start_info says 0) */
    d->console_port = 2;
    b.d = d;
    sched_init_domain(d);

    rc = compute_layout(bd, im ? im->end - im->start : 0, nr, &b.l);
    if ( rc == -EINVAL )
        goto fail;
    if ( rc )
    {
        printk(TLOG_ERR "d%u '%s': memory=%luM is too small for this kernel and "
               "initrd (the start-of-day region needs %lu KiB); domain not built\n",
               domid, d->name, (unsigned long)(bd->cfg.memory >> 20),
               (unsigned long)((b.l.v_end - b.l.v_start) >> 10));
        goto fail;
    }
    if ( populate(d, nr) || evtchn_init(d) || gnttab_domain_init(domid) )
        goto nomem;
    d->shared_info = alloc_xen_pages(0);
    if ( !d->shared_info )
        goto nomem;
    memset(d->shared_info, 0, PAGE_SIZE);
    /* Tern's page, which the guest may map (writable): Tern holds its one
     * reference and frees it with the domain. */
    mfn_to_page(virt_to_mfn(d->shared_info))->owner = domid;
    mfn_to_page(virt_to_mfn(d->shared_info))->count_info = PGC_tern_heap | 1;
    pv_set_wallclock(d->shared_info);
    for ( pfn = 0; pfn < XEN_LEGACY_MAX_VCPUS; pfn++ )
        d->shared_info->vcpu_info[pfn].evtchn_upcall_mask = 1;
    rc = vcpus_create(d, bd->cfg.vcpus);    /* vCPU 0 up, the others down */
    if ( rc == -ENOMEM )
        goto nomem;
    if ( rc )
        goto fail;
    v = d->vcpu[0];

    elf_xen_load(bd->kimg.elf, &bd->elf, load_copy, load_zero, &b);
    if ( im )
        phys_write(d, b.l.initrd ? b.l.initrd - b.l.v_start
                                 : (uint64_t)b.l.initrd_pfn << PAGE_SHIFT,
                   maddr_to_virt(im->start), im->end - im->start);
    phys_write(d, b.l.p2m_pfn ? (uint64_t)b.l.p2m_pfn << PAGE_SHIFT
                              : b.l.p2m - b.l.v_start,
               d->p2m, nr * sizeof(unsigned long));
    fill_start_info(&b, bi, bd);
    d->console_mfn = d->p2m[va_to_pfn(&b.l, b.l.console)];
    d->hypercall_page_pfn = ~0ul;
    if ( bd->elf.virt_hypercall != ELF_XEN_UNSET )
    {
        d->hypercall_page_pfn = va_to_pfn(&b.l, bd->elf.virt_hypercall);
        pv_hypercall_page_init(domain_pfn_to_virt(d, d->hypercall_page_pfn));
    }
    if ( b.l.p2m_pfn )
    {
        struct pv_extra_map p2m_map = {
            .va = b.l.p2m, .pfn = b.l.p2m_pfn,
            .nr = b.l.p2m_pt_pfn - b.l.p2m_pfn,
            .pt_pfn = b.l.p2m_pt_pfn, .nr_pt = b.l.p2m_nr_pt,
        };

        v->pv.kernel_cr3 = pv_build_pagetables(d, b.l.v_start, b.l.v_end, b.l.pt,
                                               b.l.nr_pt, &p2m_map);
    }
    else
        v->pv.kernel_cr3 = pv_build_pagetables(d, b.l.v_start, b.l.v_end, b.l.pt,
                                               b.l.nr_pt, NULL);
    /* Validate the bootstrap tables: pinned as an L4 (the guest may unpin
     * them later) and held by the vCPU as its base pointer. Tern keeps a
     * reference on the console page it serves. */
    pt_lock();
    rc = pt_pin(domid, (unsigned long)(v->pv.kernel_cr3 >> PAGE_SHIFT), PGT_l4_page_table);
    if ( !rc )
        rc = get_page_and_type((unsigned long)(v->pv.kernel_cr3 >> PAGE_SHIFT), domid,
                               PGT_l4_page_table);
    if ( !rc && !get_page(d->console_mfn, domid) )
        rc = -EINVAL;
    pt_unlock();
    if ( rc )
        panic("d%u: the bootstrap page tables do not validate (%d)", domid, rc);
    pv_vcpu_init_regs(v, bd->elf.virt_entry, b.l.stack + PAGE_SIZE, b.l.start_info);
    printk("d%u '%s': built: %lu MiB, region %#lx-%#lx, start_info %#lx, "
           "page tables %#lx (%lu), entry %#lx\n", domid, d->name,
           nr >> (20 - PAGE_SHIFT), (unsigned long)b.l.v_start,
           (unsigned long)b.l.v_end, (unsigned long)b.l.start_info,
           (unsigned long)b.l.pt, b.l.nr_pt, (unsigned long)bd->elf.virt_entry);
    kernel_image_release(&bd->kimg);
    /* Built: the P2M is the guest's from now on (Xen keeps none either). */
    heap_free(d->p2m);
    d->p2m = NULL;
    return d;

 nomem:
    printk(TLOG_ERR "d%u '%s': out of memory building the domain (memory=%luM); "
           "domain not built\n", domid, bd->cfg.name,
           (unsigned long)(bd->cfg.memory >> 20));
 fail:
    if ( d )
        domain_destroy(d);
    kernel_image_release(&bd->kimg);
    return NULL;
}

/*
 * Every frame the domain owns goes back to Tern once no CPU runs on its
 * tables: first what Tern holds for it (its vCPUs' base pointers, GDT,
 * LDT and vcpu_info frames, and the console page, all taken once its
 * tables were built), then, through
 * gnttab_domain_destroy, its grant mappings of other domains' frames and
 * all its memory, except the frames other domains still map through its
 * grants: those go with their last mapping. Stamped for the TLB flush
 * that reallocation does (flushtlb.h).
 */
void domain_destroy(struct domain *d)
{
    struct vcpu *v = d->vcpu ? d->vcpu[0] : NULL, *w;

    for_each_vcpu ( d, w )
        sched_destroy_vcpu(w);
    pt_lock();
    if ( v && v->pv.kernel_cr3 )
    {
        vcpus_put_refs(d);                  /* base pointers, GDT, LDT, vcpu_info */
        put_page(d->console_mfn);
    }
    pt_unlock();
    gnttab_domain_destroy(d->domain_id);
    evtchn_destroy(d);                      /* a no-op after shutdown */
    heap_free(d->p2m);
    vcpus_free(d);
    heap_free(d);
}
