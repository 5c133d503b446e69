/* SPDX-License-Identifier: MIT */
/*
 * The dom0 builder: one PV domU, built as Xen's toolstack (libxenguest)
 * builds one, by the hypercalls a toolstack makes:
 *
 *   domctl createdomain (PV: no flags; max_vcpus, event and grant limits),
 *   max_vcpus (which makes the vCPUs), max_mem, memory_op populate_physmap
 *   (its frames: the P2M), domctl getdomaininfo (the shared-info frame:
 *   cleared, upcalls masked), an unbound port in the domU for its console
 *   bound to one of ours, the start-of-day region written through foreign
 *   mappings (update_va_mapping_otherdomain on one window page), domctl
 *   hypercall_init, mmuext pin of the L4 on the domU's behalf, domctl
 *   setvcpucontext for vCPU 0, then unpause.
 *
 * The region is laid out as Tern's builder (core/dom-build.c) and Xen's lay
 * it out, each item page aligned from VIRT_BASE:
 *
 *   kernel | P2M list | start_info | xenstore page | console page |
 *   bootstrap page tables | bootstrap stack | slack to a 4 MiB boundary
 *
 * Guest pfn N is page N of the region; the tables map the whole region,
 * themselves read-only. Only the pages of the layout are written (the ELF's
 * bss and the builder's items are zeroed here); the other pages hold what
 * Xen gave (it scrubs freed memory; with bootscrub=0, not boot memory).
 * The window must map the builder's own page again before the pin, or the
 * domU's tables would have a writable mapping and fail validation.
 * Kernels with an initrd, INIT_P2M or MOD_START_PFN are not built here.
 */
#include "builder.h"
#include <tern/lib.h>

#define PG              KIT_PAGE_SIZE
#define ROUND_PG(x)     (((x) + PG - 1) & ~(uint64_t)(PG - 1))
#define ALIGN_4M(x)     (((x) + (4ull << 20) - 1) & ~((4ull << 20) - 1))
#define SLACK           (512ull << 10)
#define MAX_PT          64          /* bootstrap tables: 120 MiB of region */
#define P2M_CAPACITY    (1ul << 18) /* pfns of all domUs together: 1 GiB */
#define PTE_TABLE       (KIT_PTE_P | KIT_PTE_RW | KIT_PTE_US | KIT_PTE_A | KIT_PTE_D)

/* The window foreign frames are mapped at, one at a time. */
static uint8_t window[PG] __attribute__((aligned(4096)));
static unsigned long window_mfn = ~0ul;
static domid_t window_dom;

static xen_pfn_t p2m_store[P2M_CAPACITY];
static unsigned long p2m_used;
static uint64_t pt_buf[MAX_PT][512];
static struct vcpu_guest_context ctxt;

long map_foreign(void *va, unsigned long mfn, domid_t domid)
{
    uint64_t pte = ((uint64_t)mfn << KIT_PAGE_SHIFT) | KIT_PTE_P | KIT_PTE_RW |
                   KIT_PTE_A | KIT_PTE_D;

    if ( domid == DOMID_SELF )
        return kit_map_mfn(va, kit_virt_to_mfn(va), KIT_PTE_P | KIT_PTE_RW |
                           KIT_PTE_A | KIT_PTE_D);
    return HYPERVISOR_update_va_mapping_otherdomain((unsigned long)va, pte,
                                                    UVMF_INVLPG | UVMF_LOCAL,
                                                    domid);
}

/* Guest pfn of d mapped at the window; NULL (said) when it cannot be. */
static uint8_t *map_pfn(struct dom *d, unsigned long pfn)
{
    unsigned long mfn = d->p2m[pfn];
    long rc;

    if ( window_mfn == mfn && window_dom == d->domid )
        return window;
    rc = map_foreign(window, mfn, d->domid);
    if ( rc )
    {
        kit_printf("builder: d%u: mapping its pfn %#lx (mfn %#lx): %ld\n",
                   d->domid, pfn, mfn, rc);
        window_mfn = ~0ul;
        return NULL;
    }
    window_mfn = mfn;
    window_dom = d->domid;
    return window;
}

/* Map the builder's own page at the window again. */
static long window_release(void)
{
    window_mfn = ~0ul;
    return map_foreign(window, 0, DOMID_SELF);
}

/* Write n bytes from src (zeroes when src is NULL) at va of d's region. */
static bool region_write(struct dom *d, uint64_t va, const void *src, size_t n)
{
    uint64_t off = va - d->elf.virt_base;

    while ( n )
    {
        size_t in = (size_t)(off & (PG - 1));
        size_t chunk = PG - in < n ? PG - in : n;
        uint8_t *p = map_pfn(d, (unsigned long)(off >> KIT_PAGE_SHIFT));

        if ( !p )
            return false;
        if ( src )
        {
            memcpy(p + in, src, chunk);
            src = (const uint8_t *)src + chunk;
        }
        else
            memset(p + in, 0, chunk);
        off += chunk;
        n -= chunk;
    }
    return true;
}

static bool load_failed;

static void load_copy(void *ctx, uint64_t va, const void *src, size_t n)
{
    if ( !region_write(ctx, va, src, n) )
        load_failed = true;
}

static void load_zero(void *ctx, uint64_t va, size_t n)
{
    if ( !region_write(ctx, va, NULL, n) )
        load_failed = true;
}

/* Tables (L4 to L1) that map [s, e). */
static unsigned long pt_count(uint64_t s, uint64_t e)
{
    unsigned long n = 1;
    unsigned int shift;

    for ( shift = 39; shift >= 21; shift -= 9 )
        n += (unsigned long)(((e - 1) >> shift) - (s >> shift) + 1);
    return n;
}

/* The region's layout; -ENOMEM when memory= is too small for it. */
static int layout(struct dom *d, uint64_t *v_end)
{
    uint64_t next = ROUND_PG(d->elf.virt_kend), p2m_len;
    unsigned long n = 1;

    p2m_len = ROUND_PG((uint64_t)d->nr_pages * sizeof(xen_pfn_t));
    next += p2m_len;
    d->start_info_va = next;
    d->pt_va = next + 3 * PG;
    for ( ;; )
    {
        d->nr_pt = n;
        d->stack_va = d->pt_va + n * PG;
        *v_end = ALIGN_4M(d->stack_va + PG + SLACK);
        n = pt_count(d->elf.virt_base, *v_end);
        if ( n <= d->nr_pt )
            break;
    }
    d->pt_pfn = (unsigned long)((d->pt_va - d->elf.virt_base) >> KIT_PAGE_SHIFT);
    if ( *v_end <= d->elf.virt_base || d->nr_pt > MAX_PT ||
         ((*v_end - d->elf.virt_base) >> KIT_PAGE_SHIFT) > d->nr_pages )
        return -XEN_ENOMEM;
    return 0;
}

/* The bootstrap tables in pt_buf, then into the domU's frames. */
static bool write_tables(struct dom *d, uint64_t v_end)
{
    uint64_t s = d->elf.virt_base, va;
    unsigned long n3 = (unsigned long)(((v_end - 1) >> 39) - (s >> 39) + 1);
    unsigned long n2 = (unsigned long)(((v_end - 1) >> 30) - (s >> 30) + 1);
    unsigned long l3 = 1, l2 = l3 + n3, l1 = l2 + n2, k;

    memset(pt_buf, 0, d->nr_pt * sizeof(pt_buf[0]));
    for ( va = s; va < v_end; va += PG )
    {
        unsigned long pfn = (unsigned long)((va - s) >> KIT_PAGE_SHIFT);
        unsigned long t3 = l3 + (unsigned long)((va >> 39) - (s >> 39));
        unsigned long t2 = l2 + (unsigned long)((va >> 30) - (s >> 30));
        unsigned long t1 = l1 + (unsigned long)((va >> 21) - (s >> 21));
        uint64_t flags = PTE_TABLE;

        pt_buf[0][(va >> 39) & 511] = (d->p2m[d->pt_pfn + t3] << KIT_PAGE_SHIFT) | PTE_TABLE;
        pt_buf[t3][(va >> 30) & 511] = (d->p2m[d->pt_pfn + t2] << KIT_PAGE_SHIFT) | PTE_TABLE;
        pt_buf[t2][(va >> 21) & 511] = (d->p2m[d->pt_pfn + t1] << KIT_PAGE_SHIFT) | PTE_TABLE;
        if ( pfn >= d->pt_pfn && pfn < d->pt_pfn + d->nr_pt )
            flags &= ~KIT_PTE_RW;
        pt_buf[t1][(va >> 12) & 511] = (d->p2m[pfn] << KIT_PAGE_SHIFT) | flags;
    }
    for ( k = 0; k < d->nr_pt; k++ )
        if ( !region_write(d, d->pt_va + k * PG, pt_buf[k], PG) )
            return false;
    return true;
}

static bool write_start_info(struct dom *d, uint64_t shared_info_mfn)
{
    static start_info_t si;
    uint64_t console_va = d->start_info_va + 2 * PG;

    memset(&si, 0, sizeof(si));
    kit_snprintf(si.magic, sizeof(si.magic), "xen-3.0-x86_64");
    si.nr_pages = d->nr_pages;
    si.shared_info = shared_info_mfn << KIT_PAGE_SHIFT;
    si.pt_base = d->pt_va;
    si.nr_pt_frames = d->nr_pt;
    si.mfn_list = ROUND_PG(d->elf.virt_kend);
    /* No xenstore: store_mfn and store_evtchn 0, as for a domain with none. */
    d->console_mfn = d->p2m[(console_va - d->elf.virt_base) >> KIT_PAGE_SHIFT];
    si.console.domU.mfn = d->console_mfn;
    si.console.domU.evtchn = d->console_remote;
    strlcpy((char *)si.cmd_line, d->cfg.cmdline, sizeof(si.cmd_line));
    return region_write(d, d->start_info_va, &si, sizeof(si)) &&
           region_write(d, d->start_info_va + sizeof(si), NULL, 3 * PG - sizeof(si)) &&
           region_write(d, d->stack_va, NULL, PG);
}

/* The domU's shared info as libxenguest leaves it: zeroes, and every
 * vCPU's upcalls masked until the guest unmasks them. */
static bool init_shared_info(struct dom *d, unsigned long mfn)
{
    shared_info_t *sh = (shared_info_t *)window;
    unsigned int i;
    long rc = map_foreign(window, mfn, d->domid);

    window_mfn = ~0ul;
    if ( rc )
    {
        kit_printf("builder: d%u: mapping its shared info: %ld\n", d->domid, rc);
        return false;
    }
    memset(sh, 0, KIT_PAGE_SIZE);
    for ( i = 0; i < XEN_LEGACY_MAX_VCPUS; i++ )
        sh->vcpu_info[i].evtchn_upcall_mask = 1;
    return true;
}

static long domctl(uint32_t cmd, domid_t domid, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->domain = domid;
    return HYPERVISOR_domctl(op);
}

long dom_getinfo(domid_t domid, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    rc = domctl(XEN_DOMCTL_getdomaininfo, domid, &op);
    if ( rc == 0 && op.u.getdomaininfo.domain != domid )
        rc = -XEN_ESRCH;            /* Xen answers with the next domain */
    if ( rc == 0 )
        *info = op.u.getdomaininfo;
    return rc;
}

static long create(struct dom *d)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.createdomain.max_vcpus = d->cfg.vcpus;
    op.u.createdomain.max_evtchn_port = 1023;      /* xl's default */
    op.u.createdomain.max_grant_frames = -1;       /* Xen's defaults */
    op.u.createdomain.max_maptrack_frames = -1;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    rc = domctl(XEN_DOMCTL_createdomain, 0, &op);
    if ( rc )
        return rc;
    d->domid = op.domain;
    /* Xen 4.17 still makes the vCPUs here, with the same count. */
    memset(&op, 0, sizeof(op));
    op.u.max_vcpus.max = d->cfg.vcpus;
    return domctl(XEN_DOMCTL_max_vcpus, d->domid, &op);
}

static long populate(struct dom *d)
{
    unsigned long pfn, done = 0;

    if ( d->nr_pages > P2M_CAPACITY - p2m_used )
        return -XEN_ENOMEM;
    d->p2m = &p2m_store[p2m_used];
    p2m_used += d->nr_pages;
    for ( pfn = 0; pfn < d->nr_pages; pfn++ )
        d->p2m[pfn] = pfn;
    while ( done < d->nr_pages )
    {
        struct xen_memory_reservation r = {
            .nr_extents = d->nr_pages - done < 512 ? d->nr_pages - done : 512,
            .extent_order = 0,
            .domid = d->domid,
        };
        long rc;

        set_xen_guest_handle(r.extent_start, &d->p2m[done]);
        rc = HYPERVISOR_memory_op(XENMEM_populate_physmap, &r);
        if ( rc <= 0 )
            return rc < 0 ? rc : -XEN_ENOMEM;
        done += (unsigned long)rc;
    }
    return 0;
}

static long console_channel(struct dom *d)
{
    struct evtchn_alloc_unbound au = { .dom = d->domid, .remote_dom = 0 };
    struct evtchn_bind_interdomain bi;
    long rc;

    rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
    if ( rc )
        return rc;
    d->console_remote = au.port;
    bi.remote_dom = d->domid;
    bi.remote_port = au.port;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi);
    if ( rc == 0 )
        d->console_port = bi.local_port;
    return rc;
}

static long start_vcpu0(struct dom *d)
{
    struct xen_domctl op;

    memset(&ctxt, 0, sizeof(ctxt));
    ctxt.flags = VGCF_in_kernel | VGCF_online;
    ctxt.user_regs.rip = d->elf.virt_entry;
    ctxt.user_regs.rsp = d->stack_va + PG;
    ctxt.user_regs.rsi = d->start_info_va;
    ctxt.user_regs.cs = FLAT_KERNEL_CS;
    ctxt.user_regs.ss = FLAT_KERNEL_SS;
    ctxt.user_regs.ds = ctxt.user_regs.es = FLAT_KERNEL_DS;
    ctxt.user_regs.fs = ctxt.user_regs.gs = FLAT_KERNEL_DS;
    ctxt.user_regs.rflags = 1u << 9;
    ctxt.kernel_ss = FLAT_KERNEL_SS;
    ctxt.kernel_sp = d->stack_va + PG;
    ctxt.ctrlreg[3] = xen_pfn_to_cr3(d->p2m[d->pt_pfn]);
    memset(&op, 0, sizeof(op));
    op.u.vcpucontext.vcpu = 0;
    set_xen_guest_handle(op.u.vcpucontext.ctxt, &ctxt);
    return domctl(XEN_DOMCTL_setvcpucontext, d->domid, &op);
}

/* Say which step of d's build failed with rc; destroy what was made. */
static int failed(struct dom *d, const char *step, long rc)
{
    kit_printf("builder: '%s': %s failed: %ld; domain not built\n",
               d->cfg.name, step, rc);
    if ( window_mfn != ~0ul )
        window_release();
    if ( d->domid )
        dom_destroy(d);
    d->domid = 0;
    return rc ? (int)rc : -XEN_EINVAL;
}

int dom_build(struct dom *d)
{
    struct xen_domctl_getdomaininfo info;
    struct xen_domctl op;
    struct mmuext_op pin;
    uint64_t v_end;
    char err[96];
    long rc;

    rc = elf_xen_parse(d->image, d->size, &d->elf, err, sizeof(err));
    if ( rc )
    {
        kit_printf("builder: '%s': %s\n", d->cfg.name, err);
        return failed(d, "reading the kernel", rc);
    }
    if ( d->elf.p2m_base != ELF_XEN_UNSET || d->elf.mod_start_pfn )
        return failed(d, "INIT_P2M/MOD_START_PFN (not supported here)", -XEN_EOPNOTSUPP);
    d->nr_pages = (unsigned long)(d->cfg.memory >> KIT_PAGE_SHIFT);
    if ( layout(d, &v_end) )
        return failed(d, "the layout (memory= too small)", -XEN_ENOMEM);
    kit_printf("builder: '%s': building, tsc=%lu\n", d->cfg.name,
               (unsigned long)kit_rdtsc());
    if ( (rc = create(d)) )
        return failed(d, "createdomain", rc);
    memset(&op, 0, sizeof(op));
    op.u.max_mem.max_memkb = d->cfg.memory >> 10;
    if ( (rc = domctl(XEN_DOMCTL_max_mem, d->domid, &op)) )
        return failed(d, "max_mem", rc);
    if ( (rc = populate(d)) )
        return failed(d, "populate_physmap", rc);
    if ( (rc = dom_getinfo(d->domid, &info)) )
        return failed(d, "getdomaininfo", rc);
    if ( (rc = console_channel(d)) )
        return failed(d, "the console event channel", rc);

    load_failed = false;
    elf_xen_load(d->image, &d->elf, load_copy, load_zero, d);
    if ( load_failed ||
         !region_write(d, ROUND_PG(d->elf.virt_kend), d->p2m,
                       d->nr_pages * sizeof(xen_pfn_t)) ||
         !write_start_info(d, info.shared_info_frame) || !write_tables(d, v_end) ||
         !init_shared_info(d, info.shared_info_frame) )
        return failed(d, "writing the start-of-day region", -XEN_EFAULT);
    if ( (rc = window_release()) )
        return failed(d, "unmapping the window", rc);
    if ( d->elf.virt_hypercall != ELF_XEN_UNSET )
    {
        memset(&op, 0, sizeof(op));
        op.u.hypercall_init.gmfn =
            d->p2m[(d->elf.virt_hypercall - d->elf.virt_base) >> KIT_PAGE_SHIFT];
        if ( (rc = domctl(XEN_DOMCTL_hypercall_init, d->domid, &op)) )
            return failed(d, "hypercall_init", rc);
    }
    pin.cmd = MMUEXT_PIN_L4_TABLE;
    pin.arg1.mfn = d->p2m[d->pt_pfn];
    if ( (rc = HYPERVISOR_mmuext_op(&pin, 1, NULL, d->domid)) )
        return failed(d, "pinning its L4", rc);
    if ( (rc = start_vcpu0(d)) )
        return failed(d, "setvcpucontext", rc);
    kit_printf("builder: d%u '%s': %lu MiB, %u vCPU(s), entry %#lx, "
               "console port %u\n", d->domid, d->cfg.name,
               (unsigned long)(d->cfg.memory >> 20), d->cfg.vcpus,
               (unsigned long)d->elf.virt_entry, d->console_remote);
    return 0;
}

int dom_unpause(struct dom *d)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    rc = domctl(XEN_DOMCTL_unpausedomain, d->domid, &op);
    d->running = rc == 0;
    return (int)rc;
}

int dom_destroy(struct dom *d)
{
    struct xen_domctl op;

    if ( d->ring )
    {
        map_foreign(d->ring, 0, DOMID_SELF);
        d->ring = NULL;
    }
    memset(&op, 0, sizeof(op));
    d->running = false;
    return (int)domctl(XEN_DOMCTL_destroydomain, d->domid, &op);
}
