/* SPDX-License-Identifier: MIT */
/* x86-64 PV start of day: bootstrap page tables, hypercall page, first registers. */
#include <asm/mm.h>
#include <asm/pv.h>
#include <tern/domain.h>
#include <tern/console.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <xen/xen.h>

#define PTE_P   0x001ul
#define PTE_RW  0x002ul
#define PTE_US  0x004ul
#define PTE_A   0x020ul
#define PTE_D   0x040ul
#define PTE_ADDR 0x000ffffffffff000ul

static unsigned int level_shift(unsigned int level)
{
    return 12 + 9 * (level - 1);
}

/* Distinct tables of one level (2 = L1 tables ... 4 = L3 tables) that the
 * range touches: one per 2^(shift) region. */
static unsigned long tables_at(uint64_t s, uint64_t e, unsigned int level)
{
    unsigned int sh = level_shift(level);

    return (unsigned long)(((e - 1) >> sh) - (s >> sh) + 1);
}

unsigned long pv_pagetable_count(uint64_t v_start, uint64_t v_end)
{
    return 1 + tables_at(v_start, v_end, 4) + tables_at(v_start, v_end, 3) +
           tables_at(v_start, v_end, 2);
}

struct ptbuild {
    struct domain *d;
    unsigned long next, end;         /* pfns of the tables still free */
};

static uint64_t *pfn_page(struct ptbuild *pb, unsigned long pfn)
{
    return domain_pfn_to_virt(pb->d, pfn);
}

static uint64_t pfn_maddr(struct ptbuild *pb, unsigned long pfn)
{
    return (uint64_t)pb->d->p2m[pfn] << PAGE_SHIFT;
}

/* The entry of the table at pfn for va at level; allocate the next table
 * from the pool when empty. Returns the child's pfn, found back from its
 * frame through the M2P. */
static unsigned long walk(struct ptbuild *pb, unsigned long tpfn, uint64_t va,
                          unsigned int level)
{
    uint64_t *t = pfn_page(pb, tpfn);
    unsigned int idx = (va >> level_shift(level)) & 511;
    unsigned long child;

    if ( !(t[idx] & PTE_P) )
    {
        if ( pb->next >= pb->end )
            panic("d%u: bootstrap page-table pool exhausted", pb->d->domain_id);
        child = pb->next++;
        t[idx] = pfn_maddr(pb, child) | PTE_P | PTE_RW | PTE_US | PTE_A;
        return child;
    }
    return get_gpfn_from_mfn((t[idx] & PTE_ADDR) >> PAGE_SHIFT);
}

static void map_page(struct ptbuild *pb, unsigned long l4, uint64_t va,
                     unsigned long pfn, bool rw)
{
    unsigned long l1 = walk(pb, walk(pb, walk(pb, l4, va, 4), va, 3), va, 2);

    pfn_page(pb, l1)[(va >> PAGE_SHIFT) & 511] =
        pfn_maddr(pb, pfn) | PTE_P | PTE_US | PTE_A | (rw ? PTE_RW | PTE_D : 0);
}

uint64_t pv_build_pagetables(struct domain *d, uint64_t v_start, uint64_t v_end,
                             uint64_t pt, unsigned long nr_pt,
                             const struct pv_extra_map *extra)
{
    unsigned long l4 = (unsigned long)((pt - v_start) >> PAGE_SHIFT), i;
    struct ptbuild pb = { d, l4 + 1, l4 + nr_pt };
    const uint64_t *idle_l4 = maddr_to_virt(boot_sym_maddr(boot_l4));
    uint64_t *l4p = pfn_page(&pb, l4), va;

    for ( i = TERN_SLOT_FIRST; i <= TERN_SLOT_LAST; i++ )
        l4p[i] = idle_l4[i];
    for ( va = v_start; va < v_end; va += PAGE_SIZE )
        map_page(&pb, l4, va, (unsigned long)((va - v_start) >> PAGE_SHIFT),
                 va < pt || va >= pt + nr_pt * PAGE_SIZE);
    if ( extra )
    {
        pb.next = extra->pt_pfn;
        pb.end = extra->pt_pfn + extra->nr_pt;
        for ( i = 0; i < extra->nr; i++ )
            map_page(&pb, l4, extra->va + i * PAGE_SIZE, extra->pfn + i, true);
    }
    return pfn_maddr(&pb, l4);
}

/*
 * Each 32-byte stub saves the registers SYSCALL clobbers, issues the
 * hypercall and returns; the iret stub does not return (the guest's iret
 * frame is on its stack): push %rcx; push %r11; [push %rax;] mov $nr,%eax;
 * syscall; pop %r11; pop %rcx; ret.
 */
void pv_hypercall_page_init(void *page)
{
    uint8_t *p = page;
    unsigned int i;

    memset(page, 0xcc, PAGE_SIZE);          /* int3 between stubs */
    for ( i = 0; i < PAGE_SIZE / 32; i++, p += 32 )
    {
        unsigned int n = 0;

        p[n++] = 0x51;                       /* push %rcx */
        p[n++] = 0x41; p[n++] = 0x53;        /* push %r11 */
        if ( i == __HYPERVISOR_iret )
            p[n++] = 0x50;                   /* push %rax */
        p[n++] = 0xb8;                       /* mov $i, %eax */
        memcpy(p + n, &i, 4);
        n += 4;
        p[n++] = 0x0f; p[n++] = 0x05;        /* syscall */
        if ( i == __HYPERVISOR_iret )
            continue;
        p[n++] = 0x41; p[n++] = 0x5b;        /* pop %r11 */
        p[n++] = 0x59;                       /* pop %rcx */
        p[n++] = 0xc3;                       /* ret */
    }
}

void pv_vcpu_init_regs(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t rsi)
{
    struct cpu_regs *r = &v->pv.regs;

    memset(r, 0, sizeof(*r));
    r->rip = rip;
    r->rsp = rsp;
    r->rsi = rsi;
    r->cs = GUEST_CS64;
    r->ss = GUEST_DS;
    r->rflags = 0x202;                       /* IF: the guest's is evtchn_upcall_mask */
    v->pv.kernel_mode = true;
    /* The FPU as after FNINIT, SSE with all exceptions masked. */
    memset(v->pv.fpu, 0, sizeof(v->pv.fpu));
    v->pv.fpu[0] = 0x7f;                     /* FCW 0x037f */
    v->pv.fpu[1] = 0x03;
    v->pv.fpu[24] = 0x80;                    /* MXCSR 0x1f80 */
    v->pv.fpu[25] = 0x1f;
}
