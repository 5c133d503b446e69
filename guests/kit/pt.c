/* SPDX-License-Identifier: MIT */
/* Kit: page-table helpers for the PV MMU tests (see include/kit/pt.h). */
#include <kit/kit.h>
#include <kit/pt.h>

/* The page whose mapping the kit points at any frame it wants to read. */
static uint8_t window[KIT_PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned long window_mfn = ~0UL;

static unsigned long root_mfn;

unsigned long kit_pt_root(void)
{
    if ( !root_mfn )
        root_mfn = kit_virt_to_mfn((const void *)kit_start_info->pt_base);
    return root_mfn;
}

void kit_pt_set_root(unsigned long mfn)
{
    root_mfn = mfn;
}

/* Map mfn read-only at the window (unless it is there already). */
const volatile uint64_t *kit_pt_window(unsigned long mfn)
{
    long rc;

    if ( mfn != window_mfn )
    {
        rc = kit_map_mfn(window, mfn, KIT_PTE_P | KIT_PTE_A);
        if ( rc )
            kit_test_abort("pt: cannot map mfn %#lx read-only: %ld", mfn, rc);
        window_mfn = mfn;
    }
    return (const volatile uint64_t *)window;
}

/* Unmap the window, dropping the reference its mapping holds. */
void kit_pt_window_clear(void)
{
    long rc = HYPERVISOR_update_va_mapping((unsigned long)window, 0,
                                           UVMF_INVLPG | UVMF_LOCAL);

    if ( rc )
        kit_test_abort("pt: cannot unmap the window: %ld", rc);
    window_mfn = ~0UL;
}

uint64_t kit_pt_read(unsigned long mfn, unsigned int idx)
{
    return kit_pt_window(mfn)[idx & 511];
}

int kit_pt_walk(unsigned long va, unsigned int level, unsigned long *table,
                uint64_t *entry)
{
    unsigned long mfn = kit_pt_root();
    unsigned int l;
    uint64_t e = 0;

    for ( l = 4; ; l-- )
    {
        e = kit_pt_read(mfn, kit_pt_index(va, l));
        if ( l == level )
            break;
        if ( !(e & KIT_PTE_P) || (l != 4 && (e & KIT_PTE_PSE)) )
            return -1;
        mfn = kit_pte_mfn(e);
    }
    if ( table )
        *table = mfn;
    if ( entry )
        *entry = e;
    return 0;
}

long kit_mmu_update1(uint64_t ptr, uint64_t val)
{
    mmu_update_t req = { .ptr = ptr, .val = val };

    return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

long kit_pt_set(unsigned long mfn, unsigned int idx, uint64_t val)
{
    return kit_mmu_update1(kit_pt_maddr(mfn, idx) | MMU_NORMAL_PT_UPDATE, val);
}

long kit_mmuext(unsigned int cmd, unsigned long arg1)
{
    struct mmuext_op op = { .cmd = cmd };

    op.arg1.mfn = arg1;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long kit_pin(unsigned int level, unsigned long mfn)
{
    static const unsigned int cmds[] = {
        MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
        MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE,
    };

    if ( level < 1 || level > 4 )
        kit_test_abort("pt: pin of level %u", level);
    return kit_mmuext(cmds[level - 1], mfn);
}

long kit_unpin(unsigned long mfn)
{
    return kit_mmuext(MMUEXT_UNPIN_TABLE, mfn);
}

/* First pfn after the bootstrap page tables and the bootstrap stack. */
static unsigned long first_spare_pfn(void)
{
    const start_info_t *si = kit_start_info;

    return kit_virt_to_pfn((const void *)si->pt_base) + si->nr_pt_frames + 1;
}

/*
 * The end of the initial mapping: walk the L1 tables of the region from the
 * first spare page until an entry is not present (or nr_pages is reached).
 */
unsigned long kit_initial_mapping_end_pfn(void)
{
    static unsigned long end;
    unsigned long pfn, l1 = 0;
    uint64_t e;

    if ( end )
        return end;
    for ( pfn = first_spare_pfn(); pfn < kit_start_info->nr_pages; pfn++ )
    {
        unsigned long va = (unsigned long)kit_pfn_to_virt(pfn);

        if ( !l1 || kit_pt_index(va, 1) == 0 )
        {
            if ( kit_pt_walk(va, 1, &l1, NULL) )
                break;
        }
        e = kit_pt_read(l1, kit_pt_index(va, 1));
        if ( !(e & KIT_PTE_P) )
            break;
    }
    end = pfn;
    return end;
}

unsigned long kit_spare_pfn(void)
{
    static unsigned long next;

    if ( !next )
        next = first_spare_pfn();
    if ( next >= kit_initial_mapping_end_pfn() )
        return 0;
    return next++;
}

unsigned long kit_spare_unmapped_pfn(void)
{
    static unsigned long next;

    if ( !next )
        next = kit_initial_mapping_end_pfn();
    if ( next >= kit_start_info->nr_pages )
        return 0;
    return next++;
}

long kit_pfn_set_writable(unsigned long pfn, bool writable)
{
    uint64_t flags = KIT_PTE_P | KIT_PTE_A;

    if ( writable )
        flags |= KIT_PTE_RW | KIT_PTE_D;
    return kit_map_mfn(kit_pfn_to_virt(pfn), kit_pfn_to_mfn(pfn), flags);
}

unsigned long kit_pt_new_table(void)
{
    unsigned long pfn = kit_spare_pfn();

    if ( !pfn )
        return 0;
    memset(kit_pfn_to_virt(pfn), 0, KIT_PAGE_SIZE);
    if ( kit_pfn_set_writable(pfn, false) )
        return 0;
    return pfn;
}

/*
 * Fault probes. Each probe is a leaf function whose one memory access has a
 * known address; the hook sends a fault there to the fix-up, which returns
 * 1 with the stack as it was at the access.
 */
unsigned long kit_pt_fault_vector;
unsigned long kit_pt_fault_error;

long kit_pt_probe_read_asm(const volatile void *va, uint64_t *val);
long kit_pt_probe_write_asm(volatile void *va, uint64_t val);
long kit_pt_probe_cmpxchg_asm(volatile void *va, uint64_t old, uint64_t val,
                              uint64_t *prev);
extern const char kit_pt_probe_read_insn[], kit_pt_probe_write_insn[];
extern const char kit_pt_probe_cmpxchg_insn[];
extern const char kit_pt_probe_fixup[];

__asm__(
    "    .pushsection .text, \"ax\", @progbits\n"
    "kit_pt_probe_read_asm:\n"
    "    xorl %eax, %eax\n"
    "kit_pt_probe_read_insn:\n"
    "    movq (%rdi), %rdx\n"
    "    movq %rdx, (%rsi)\n"
    "    ret\n"
    "kit_pt_probe_write_asm:\n"
    "    xorl %eax, %eax\n"
    "kit_pt_probe_write_insn:\n"
    "    movq %rsi, (%rdi)\n"
    "    ret\n"
    "kit_pt_probe_cmpxchg_asm:\n"          /* rdi va, rsi old, rdx new, rcx prev */
    "    movq %rsi, %rax\n"
    "kit_pt_probe_cmpxchg_insn:\n"
    "    lock cmpxchgq %rdx, (%rdi)\n"
    "    movq %rax, (%rcx)\n"
    "    xorl %eax, %eax\n"
    "    ret\n"
    "kit_pt_probe_fixup:\n"
    "    movl $1, %eax\n"
    "    ret\n"
    "    .popsection\n");

static kit_trap_hook_t saved_hook;

static bool probe_hook(struct kit_trap_frame *f)
{
    if ( f->vector != KIT_VECTOR_UPCALL &&
         (f->rip == (unsigned long)kit_pt_probe_read_insn ||
          f->rip == (unsigned long)kit_pt_probe_write_insn ||
          f->rip == (unsigned long)kit_pt_probe_cmpxchg_insn) )
    {
        kit_pt_fault_vector = f->vector;
        kit_pt_fault_error = f->error_code;
        f->rip = (unsigned long)kit_pt_probe_fixup;
        return true;
    }
    return saved_hook ? saved_hook(f) : false;
}

bool kit_pt_read_faults(const volatile void *va, uint64_t *val)
{
    uint64_t v = 0;
    long faulted;

    saved_hook = kit_trap_hook;
    kit_trap_hook = probe_hook;
    faulted = kit_pt_probe_read_asm(va, &v);
    kit_trap_hook = saved_hook;
    if ( !faulted && val )
        *val = v;
    return faulted;
}

bool kit_pt_write_faults(volatile void *va, uint64_t val)
{
    long faulted;

    saved_hook = kit_trap_hook;
    kit_trap_hook = probe_hook;
    faulted = kit_pt_probe_write_asm(va, val);
    kit_trap_hook = saved_hook;
    return faulted;
}

bool kit_pt_cmpxchg_faults(volatile void *va, uint64_t old, uint64_t val,
                           uint64_t *prev)
{
    uint64_t p = 0;
    long faulted;

    saved_hook = kit_trap_hook;
    kit_trap_hook = probe_hook;
    faulted = kit_pt_probe_cmpxchg_asm(va, old, val, &p);
    kit_trap_hook = saved_hook;
    if ( !faulted && prev )
        *prev = p;
    return faulted;
}

bool kit_expect_rc(const char *what, long got, long want)
{
    if ( got == want )
        return true;
    kit_test_failure("%s: %ld, want %ld", what, got, want);
    return false;
}

bool kit_mfn_is_own(unsigned long mfn)
{
    unsigned long pfn = kit_mfn_to_pfn(mfn);

    return pfn < kit_start_info->nr_pages && kit_pfn_to_mfn(pfn) == mfn;
}

unsigned long kit_foreign_ram_mfn(void)
{
    long max_ram = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    unsigned long pfn, m;

    for ( pfn = 0; pfn < kit_start_info->nr_pages; pfn++ )
    {
        m = kit_pfn_to_mfn(pfn) + 1;
        if ( m >= 0x100 && m + 16 < (unsigned long)max_ram &&
             !kit_mfn_is_own(m) )
            return m;
    }
    return 0;
}

unsigned long kit_other_domain_mfn(void)
{
    long max_ram = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    unsigned long mfn, pfn;

    for ( mfn = 0x100; mfn < (unsigned long)max_ram; mfn++ )
    {
        pfn = kit_mfn_to_pfn(mfn);
        if ( pfn < (1UL << 24) && !kit_mfn_is_own(mfn) )
            return mfn;
    }
    return 0;
}
