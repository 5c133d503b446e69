/* SPDX-License-Identifier: MIT */
/* Per-CPU GDT, TSS and LDT window, and the IDT shared by all CPUs. */
#include <asm/desc.h>
#include <asm/processor.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/smp.h>

struct idt_entry {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;                    /* P, DPL, gate type */
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t _rsvd;
} __packed;

static struct idt_entry idt[256] __aligned(16);
extern const char idt_stubs[];

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;

static void set_gate(unsigned int vec, unsigned int ist)
{
    unsigned long addr = (unsigned long)idt_stubs + vec * 16;

    idt[vec].off_lo = (uint16_t)addr;
    idt[vec].sel = TERN_CS;
    idt[vec].ist = (uint8_t)ist;
    idt[vec].type = 0x8e;            /* present, DPL 0, interrupt gate */
    idt[vec].off_mid = (uint16_t)(addr >> 16);
    idt[vec].off_hi = (uint32_t)(addr >> 32);
    idt[vec]._rsvd = 0;
}

void idt_init(void)
{
    unsigned int v;

    for ( v = 0; v < 256; v++ )
        set_gate(v, 0);
    /* int3 and into are allowed from ring 3 (guests), as on Xen. */
    idt[3].type = idt[4].type = 0xee;
    set_gate(1, IST_DB);
    set_gate(2, IST_NMI);
    set_gate(8, IST_DF);
    set_gate(18, IST_MC);
}

/* Top of page 'page' of the CPU's stack block. */
static uint64_t stack_page_top(const struct percpu *pc, unsigned int page)
{
    return (uint64_t)pc->stack + (page + 1) * PAGE_SIZE;
}

/* The boot CPU's GDT; the others come from gdt_alloc(). */
static uint64_t bsp_gdt[GDT_ENTRIES] __section(".bss.page_aligned") __aligned(PAGE_SIZE);

uint64_t *gdt_alloc(void)
{
    return alloc_xen_pages(GDT_ORDER);
}

/*
 * The LDT windows: slot 260 of Tern's L4 -> one L3 -> one L2 -> the L1
 * entries of every CPU's window, LDT_WINDOW_PAGES each (NR_CPUS * 16 =
 * 1024 entries, two L1 pages), all supervisor-only. Guest L4s copy Tern's
 * slots when they are built or validated, so the tables are put in place
 * on the boot CPU, before any guest exists.
 */
#define LDT_L4_SLOT   ((LDT_VIRT_START >> 39) & 511)   /* 260 */
#define LDT_L1_PAGES  (NR_CPUS * LDT_WINDOW_PAGES / 512)
#define LDT_PTE_P     0x001ul
#define LDT_PTE_RW    0x002ul
#define LDT_PTE_A     0x020ul
#define LDT_PTE_D     0x040ul
#define LDT_PTE_NX    (1ul << 63)
#define LDT_PTE_MFN   0x000ffffffffff000ul

static uint64_t ldt_l3[512] __section(".bss.page_aligned") __aligned(PAGE_SIZE);
static uint64_t ldt_l2[512] __section(".bss.page_aligned") __aligned(PAGE_SIZE);
static uint64_t ldt_l1[LDT_L1_PAGES * 512] __section(".bss.page_aligned")
    __aligned(PAGE_SIZE);

static void ldt_window_init(void)
{
    uint64_t *l4 = maddr_to_virt(boot_sym_maddr(boot_l4));
    unsigned int i;

    for ( i = 0; i < LDT_L1_PAGES; i++ )
        ldt_l2[i] = virt_to_maddr(&ldt_l1[i * 512]) | LDT_PTE_P | LDT_PTE_RW;
    ldt_l3[0] = virt_to_maddr(ldt_l2) | LDT_PTE_P | LDT_PTE_RW;
    l4[LDT_L4_SLOT] = virt_to_maddr(ldt_l3) | LDT_PTE_P | LDT_PTE_RW;
}

unsigned long ldt_window_va(unsigned int cpu)
{
    return LDT_VIRT_START + (unsigned long)cpu * LDT_WINDOW_PAGES * PAGE_SIZE;
}

static uint64_t *ldt_pte(unsigned int slot)
{
    return &ldt_l1[smp_processor_id() * LDT_WINDOW_PAGES + slot];
}

unsigned long ldt_window_get(unsigned int slot)
{
    uint64_t e = *ldt_pte(slot);

    return e & LDT_PTE_P ? (unsigned long)((e & LDT_PTE_MFN) >> PAGE_SHIFT) : 0;
}

void ldt_window_set(unsigned int slot, unsigned long mfn)
{
    uint64_t *e = ldt_pte(slot);

    *e = mfn ? ((uint64_t)mfn << PAGE_SHIFT) | LDT_PTE_P | LDT_PTE_RW |
               LDT_PTE_A | LDT_PTE_D | LDT_PTE_NX : 0;
    invlpg(ldt_window_va(smp_processor_id()) + slot * PAGE_SIZE);
}

void ldt_load(unsigned int ents)
{
    uint64_t *gdt = this_cpu()->gdt, base = ldt_window_va(smp_processor_id());
    uint64_t limit = (uint64_t)ents * 8 - 1;
    unsigned int sel = 0;

    if ( ents )
    {
        /* A 16-byte system descriptor: type 2 (LDT), present, DPL 0. */
        gdt[LDT_SEL >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
            (0x82ull << 40) | (((limit >> 16) & 0xf) << 48) |
            ((base >> 24 & 0xff) << 56);
        gdt[(LDT_SEL >> 3) + 1] = base >> 32;
        sel = LDT_SEL;
    }
    __asm__ __volatile__("lldt %w0" :: "r"(sel) : "memory");
}

void desc_init_cpu(struct percpu *pc)
{
    uint64_t tss = (uint64_t)&pc->tss;
    struct desc_ptr gdtr, idtr = { sizeof(idt) - 1, (uint64_t)idt };

    if ( !pc->gdt )                          /* the boot CPU, at boot */
    {
        pc->gdt = bsp_gdt;
        ldt_window_init();
    }
    gdtr = (struct desc_ptr){ GDT_ENTRIES * 8 - 1, (uint64_t)pc->gdt };
    memset(pc->gdt, 0, GDT_ENTRIES * 8);
    pc->gdt[TERN_CS >> 3] = 0x00af9a000000ffffull;
    pc->gdt[TERN_DS >> 3] = 0x00cf92000000ffffull;
    pc->gdt[TERN_CS32 >> 3] = 0x00cf9a000000ffffull;
    /* The flat ring-3 selectors of the PV ABI (DPL 3). */
    pc->gdt[GUEST_CS32 >> 3] = 0x00cffa000000ffffull;
    pc->gdt[GUEST_DS >> 3] = 0x00cff2000000ffffull;
    pc->gdt[GUEST_CS64 >> 3] = 0x00affa000000ffffull;
    /* 64-bit available TSS: a 16-byte system descriptor. */
    pc->gdt[TSS_SEL >> 3] = (sizeof(struct tss) - 1) |
        ((tss & 0xffffff) << 16) | (0x89ull << 40) |
        ((tss >> 24 & 0xff) << 56);
    pc->gdt[(TSS_SEL >> 3) + 1] = tss >> 32;

    memset(&pc->tss, 0, sizeof(pc->tss));
    pc->tss.rsp[0] = (uint64_t)pc->stack + STACK_SIZE - sizeof(struct cpu_info);
    pc->tss.ist[IST_DF - 1] = stack_page_top(pc, IST_DF_PAGE);
    pc->tss.ist[IST_NMI - 1] = stack_page_top(pc, IST_NMI_PAGE);
    pc->tss.ist[IST_MC - 1] = stack_page_top(pc, IST_MC_PAGE);
    pc->tss.ist[IST_DB - 1] = stack_page_top(pc, IST_DB_PAGE);
    pc->tss.iomap_base = sizeof(struct tss);

    __asm__ __volatile__(
        "lgdt %0\n\t"
        "pushq %2\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %3, %%eax\n\t"
        "mov %%eax, %%ds\n\t"
        "mov %%eax, %%es\n\t"
        "mov %%eax, %%ss\n\t"
        "lidt %1\n\t"
        "mov %4, %%eax\n\t"
        "ltr %%ax"
        :: "m"(gdtr), "m"(idtr), "i"(TERN_CS), "i"(TERN_DS), "i"(TSS_SEL)
        : "rax", "memory");
}
