/* SPDX-License-Identifier: MIT */
/*
 * Test guest ldt: MMUEXT_SET_LDT and LDT selectors, as Xen 4.17 has them
 * for a 64-bit PV guest.
 *
 * Proves: SET_LDT refuses a misaligned address, one in the hypervisor's
 * hole or not canonical, and more than 8192 entries (-EINVAL), but takes
 * a misaligned address with no entries, and checks nothing else: the
 * pages of the LDT are looked at only when the CPU first touches them.
 * A descriptor written with DPL 0 keeps it until then, and gets DPL 3 in
 * place when its page becomes the LDT's. A page still mapped writable (or
 * holding a TSS descriptor, or not mapped at all) makes the load that
 * touches it a #PF with CR2 at the LDT's own address and error code 0 in
 * kernel mode, 4 (U) in user mode; an LDT address that is not canonical
 * makes it #GP(offset | TI). Once a page is in use it cannot be mapped
 * writable (-EBUSY), also after a SET_LDT with the same arguments, and
 * can again after one with others. Data selectors of the LDT load into
 * DS, ES, FS and GS in kernel and in user mode (FS and GS take the
 * descriptor's base, and reads through them land there), survive a
 * sleep, and LAR/LSL see them; HYPERVISOR_iret to a 64-bit code selector
 * of the LDT runs there; a not-present entry is #NP(selector), an
 * execute-only code entry and a selector beyond the LDT #GP(selector), and
 * with no LDT any LDT selector is #GP(selector). update_descriptor changes
 * an entry of an LDT page (a loaded register keeps the old base until
 * reloaded) and refuses a TSS descriptor there (-EINVAL).
 */
#include <kit/kit.h>
#include <kit/pt.h>
#include <kit/traps.h>
#include "ldt.h"

#define MS           1000000ULL
#define MSR_FS_BASE  0xc0000100u
#define MSR_GS_BASE  0xc0000101u

#define DESC_S       (1ULL << 44)
#define DESC_P       (1ULL << 47)
#define DESC_L       (1ULL << 53)
#define DESC_DB      (1ULL << 54)
#define DESC_G       (1ULL << 55)
#define DPL(n)       ((uint64_t)(n) << 45)
#define TYPE(t)      ((uint64_t)(t) << 40)
#define DATA_RW      2
#define CODE_XO      8
#define CODE_RX      0xa
#define TSS_DESC     0x0000890000000067ULL

#define BASE_DATA    0x00a0b000u
#define BASE_GS      0x00c0d000u
#define BASE_GS2     0x12345000u

#define HOLE_VA      0xffff800000000000UL   /* the hypervisor's slots */
#define HIGH_VA      0xffff880000000000UL   /* first guest address above */
#define NONCANON_VA  0x0000800000000000UL
#define TOP_LOW_VA   0x00007ffffffff000UL   /* last page below the hole */

static uint64_t ldt_pages[2][512] __attribute__((aligned(4096)));
static uint64_t bad_page[512] __attribute__((aligned(4096)));
static uint64_t target[2] = { 0x7a7a0000f5f5f5f5ULL, 0x7b7b0000c6c6c6c6ULL };

/* Shared with user.S. */
void ldt_user_enter(const void *fn, unsigned long user_sp);
unsigned long ldt_iret_to(unsigned long cs, unsigned long ss);
extern const char ldt_syscall_entry[], ldt_user_fn[];
extern const char ldt_user_gp_insn[], ldt_user_gp_resume[];
extern const char ldt_user_pf_insn[], ldt_user_pf_resume[];
unsigned long ldt_kernel_rsp;
unsigned long ldt_user_seen[LDT_SEEN_WORDS];
unsigned long ldt_user_off_fs, ldt_user_off_gs;

static uint8_t user_stack[8192] __attribute__((aligned(16)));
static uint8_t kernel_stack[8192] __attribute__((aligned(16)));

static unsigned long ldt_va, page0_pfn, page1_pfn, page0_mfn;

/*
 * The faults the hook took: kernel-mode loads resume at resume_at (set by
 * try_load), the user code's at the label after the faulting instruction.
 */
struct fault {
    unsigned int count;
    unsigned long vector, ec, cr2, rip, cs;
};
static struct fault kfault, ugp, upf;
static unsigned long resume_at;

static void record(struct fault *r, const struct kit_trap_frame *f)
{
    r->count++;
    r->vector = f->vector;
    r->ec = f->error_code;
    r->cr2 = f->vector == 14 ? kit_vcpu_info()->arch.cr2 : 0;
    r->rip = f->rip;
    r->cs = f->cs;
}

static bool hook(struct kit_trap_frame *f)
{
    if ( f->vector == KIT_VECTOR_UPCALL )
        return false;
    if ( resume_at )
    {
        record(&kfault, f);
        f->rip = resume_at;
        resume_at = 0;
        return true;
    }
    if ( f->rip == (unsigned long)ldt_user_gp_insn )
    {
        record(&ugp, f);
        f->rip = (unsigned long)ldt_user_gp_resume;
        return true;
    }
    if ( f->rip == (unsigned long)ldt_user_pf_insn )
    {
        record(&upf, f);
        f->rip = (unsigned long)ldt_user_pf_resume;
        return true;
    }
    return false;
}

/* Load seg with sel in kernel mode; true when it faulted (kfault says how). */
#define try_load(seg, sel) ({                                           \
    unsigned int n_ = kfault.count;                                     \
    __asm__ volatile ("leaq 1f(%%rip), %%rax\n\t"                       \
                      "movq %%rax, %0\n\t"                              \
                      "mov %k1, %%" #seg "\n"                          \
                      "1:"                                              \
                      : "=m"(resume_at) : "r"((unsigned int)(sel))      \
                      : "rax", "memory");                               \
    resume_at = 0;                                                      \
    kfault.count != n_; })

#define read_sel(seg) ({ unsigned int s_; \
    __asm__ volatile ("mov %%" #seg ", %0" : "=r"(s_)); s_ & 0xffff; })

static uint64_t desc(uint32_t base, uint32_t limit, unsigned int type,
                     unsigned int dpl, bool present, uint64_t flags)
{
    return (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) |
           TYPE(type) | DESC_S | DPL(dpl) | (present ? DESC_P : 0) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | flags |
           ((uint64_t)(base >> 24) << 56);
}

static uint64_t data_desc(uint32_t base, unsigned int dpl, bool present)
{
    return desc(base, 0xfffff, DATA_RW, dpl, present, DESC_DB | DESC_G);
}

static unsigned int dpl_of(uint64_t d)
{
    return (unsigned int)(d >> 45) & 3;
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile ("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t read_fs(unsigned long off)
{
    uint64_t v;

    __asm__ volatile ("movq %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

static uint64_t read_gs(unsigned long off)
{
    uint64_t v;

    __asm__ volatile ("movq %%gs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

/* LAR / LSL of sel: true (and *out) when the CPU accepts the selector. */
static bool lar(unsigned int sel, unsigned int *out)
{
    unsigned int v = 0;
    bool ok;

    __asm__ volatile ("larl %k2, %0\n\tsetz %1" : "+r"(v), "=q"(ok) : "r"(sel) : "cc");
    *out = v;
    return ok;
}

static bool lsl(unsigned int sel, unsigned int *out)
{
    unsigned int v = 0;
    bool ok;

    __asm__ volatile ("lsll %k2, %0\n\tsetz %1" : "+r"(v), "=q"(ok) : "r"(sel) : "cc");
    *out = v;
    return ok;
}

static long set_ldt(unsigned long va, unsigned int ents)
{
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

    op.arg1.linear_addr = va;
    op.arg2.nr_ents = ents;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static long update_descriptor(uint64_t maddr, uint64_t d)
{
    return KIT_HC(__HYPERVISOR_update_descriptor, maddr, d, 0, 0, 0);
}

static void expect(const char *what, unsigned long got, unsigned long want)
{
    kit_printf("%s: %#lx\n", what, got);
    if ( got != want )
        kit_test_failure("%s: %#lx, want %#lx", what, got, want);
}

static void expect_no_fault(const char *what, bool faulted)
{
    if ( faulted )
        kit_test_failure("%s: vector %lu ec %#lx cr2 %#lx", what, kfault.vector,
                         kfault.ec, kfault.cr2);
}

/* A kernel-mode load of DS that must fault with vector, ec (and cr2). */
static void expect_ds_fault(const char *what, unsigned int sel, unsigned long vector,
                            unsigned long ec, unsigned long cr2)
{
    if ( !try_load(ds, sel) )
    {
        kit_test_failure("%s: loading %#x did not fault", what, sel);
        return;
    }
    kit_printf("%s: %#x -> vector %lu ec %#lx cr2 %#lx\n", what, sel,
               kfault.vector, kfault.ec, kfault.cr2);
    if ( kfault.vector != vector || kfault.ec != ec ||
         (vector == 14 && kfault.cr2 != cr2) )
        kit_test_failure("%s: vector %lu ec %#lx cr2 %#lx, want %lu %#lx %#lx",
                         what, kfault.vector, kfault.ec, kfault.cr2, vector,
                         ec, cr2);
}

static void sleep_ms(unsigned int ms)
{
    struct sched_poll poll = { .nr_ports = 0 };

    poll.timeout = kit_system_time() + ms * MS;
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

static void nul_selectors(void)
{
    __asm__ volatile ("mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%fs\n\t"
                      "mov %0, %%gs" :: "r"(0) : "memory");
}

static void setup(void)
{
    ldt_pages[0][LDT_E_DATA] = data_desc(BASE_DATA, 3, true);
    ldt_pages[0][LDT_E_DPL0] = data_desc(0, 0, true);
    ldt_pages[0][LDT_E_NP] = data_desc(0, 3, false);
    ldt_pages[0][LDT_E_XO] = desc(0, 0xfffff, CODE_XO, 3, true, DESC_L | DESC_G);
    ldt_pages[0][LDT_E_GS] = data_desc(BASE_GS, 3, true);
    ldt_pages[0][LDT_E_CODE] = desc(0, 0xfffff, CODE_RX, 3, true, DESC_L | DESC_G);
    ldt_pages[1][LDT_E_PAGE1 - 512] = data_desc(0, 3, true);
    bad_page[LDT_E_GS] = TSS_DESC;

    ldt_va = (unsigned long)ldt_pages;
    page0_pfn = kit_virt_to_pfn(ldt_pages[0]);
    page1_pfn = kit_virt_to_pfn(ldt_pages[1]);
    page0_mfn = kit_pfn_to_mfn(page0_pfn);
    if ( kit_pfn_set_writable(page0_pfn, false) ||
         kit_pfn_set_writable(kit_virt_to_pfn(bad_page), false) )
        kit_test_abort("cannot map the LDT pages read-only");
    kit_printf("LDT at %#lx (mfn %#lx), page 1 writable\n", ldt_va, page0_mfn);
}

static void check_args(void)
{
    expect("SET_LDT misaligned", set_ldt(ldt_va + 8, 1), -XEN_EINVAL);
    expect("SET_LDT in the hole", set_ldt(HOLE_VA, 1), -XEN_EINVAL);
    expect("SET_LDT not canonical", set_ldt(NONCANON_VA, 1), -XEN_EINVAL);
    expect("SET_LDT 8193 entries", set_ldt(ldt_va, 8193), -XEN_EINVAL);
    expect("SET_LDT misaligned, no entries", set_ldt(ldt_va + 8, 0), 0);
    expect("SET_LDT 8192 entries", set_ldt(ldt_va, 8192), 0);
    expect("SET_LDT none", set_ldt(0, 0), 0);
}

/* Nothing is checked before the CPU touches a page: a writable one then faults. */
static void check_lazy(void)
{
    expect("entry 1 DPL before SET_LDT", dpl_of(ldt_pages[0][LDT_E_DPL0]), 0);
    expect("SET_LDT 600 entries", set_ldt(ldt_va, LDT_ENTS), 0);
    expect("entry 1 DPL after SET_LDT", dpl_of(ldt_pages[0][LDT_E_DPL0]), 0);
    expect("page 0 writable before use", kit_pfn_set_writable(page0_pfn, true), 0);
    expect_ds_fault("page 0 writable", LDT_SEL(LDT_E_DATA), 14, 0, ldt_va);
    expect("page 0 read-only", kit_pfn_set_writable(page0_pfn, false), 0);
    expect_no_fault("ds", try_load(ds, LDT_SEL(LDT_E_DATA)));
    expect("entry 1 DPL once in use", dpl_of(ldt_pages[0][LDT_E_DPL0]), 3);
}

static void check_kernel_loads(void)
{
    unsigned int v;

    expect_no_fault("es", try_load(es, LDT_SEL(LDT_E_DPL0)));
    expect_no_fault("fs", try_load(fs, LDT_SEL(LDT_E_DATA)));
    expect_no_fault("gs", try_load(gs, LDT_SEL(LDT_E_GS)));
    expect("ds", read_sel(ds), LDT_SEL(LDT_E_DATA));
    expect("es", read_sel(es), LDT_SEL(LDT_E_DPL0));
    expect("fs", read_sel(fs), LDT_SEL(LDT_E_DATA));
    expect("gs", read_sel(gs), LDT_SEL(LDT_E_GS));
    expect("fs base", rdmsr(MSR_FS_BASE), BASE_DATA);
    expect("gs base", rdmsr(MSR_GS_BASE), BASE_GS);
    expect("read through fs", read_fs((unsigned long)&target[0] - BASE_DATA), target[0]);
    expect("read through gs", read_gs((unsigned long)&target[1] - BASE_GS), target[1]);

    expect("lar entry 1", lar(LDT_SEL(LDT_E_DPL0), &v), true);
    expect("lar entry 1: P, DPL", v & 0xe000, 0xe000);
    expect("lsl entry 0", lsl(LDT_SEL(LDT_E_DATA), &v), true);
    expect("lsl entry 0: limit", v, 0xffffffff);
    expect("lar beyond the LDT", lar(LDT_SEL(LDT_ENTS), &v), false);

    expect_ds_fault("not present", LDT_SEL(LDT_E_NP), 11, LDT_SEL(LDT_E_NP) & ~3, 0);
    expect_ds_fault("execute-only", LDT_SEL(LDT_E_XO), 13, LDT_SEL(LDT_E_XO) & ~3, 0);
    expect_ds_fault("beyond the LDT", LDT_SEL(LDT_ENTS), 13, LDT_SEL(LDT_ENTS) & ~3, 0);
    expect_ds_fault("page 1 writable", LDT_SEL(LDT_E_PAGE1), 14, 0, ldt_va + 4096);
    expect("ds kept", read_sel(ds), LDT_SEL(LDT_E_DATA));

    /* A 64-bit code segment of the LDT, by HYPERVISOR_iret (RPL 0: the
     * guest kernel stays in kernel mode). */
    expect("iret to the LDT's code selector: %cs",
           ldt_iret_to(LDT_SEL(LDT_E_CODE) & ~3, FLAT_KERNEL_SS), LDT_SEL(LDT_E_CODE));
    __asm__ volatile ("movw %%cs, %w0" : "=r"(v) : "0"(0U));
    expect("%cs after a hypercall", v, FLAT_KERNEL_CS);

    sleep_ms(5);
    expect("ds after a sleep", read_sel(ds), LDT_SEL(LDT_E_DATA));
    expect("es after a sleep", read_sel(es), LDT_SEL(LDT_E_DPL0));
    expect("fs after a sleep", read_sel(fs), LDT_SEL(LDT_E_DATA));
    expect("gs after a sleep", read_sel(gs), LDT_SEL(LDT_E_GS));
    expect("fs base after a sleep", rdmsr(MSR_FS_BASE), BASE_DATA);
    expect("gs base after a sleep", rdmsr(MSR_GS_BASE), BASE_GS);
}

static void check_update(void)
{
    expect("update_descriptor entry 4", update_descriptor(page0_mfn * 4096 +
           LDT_E_GS * 8, data_desc(BASE_GS2, 3, true)), 0);
    expect("gs base before a reload", rdmsr(MSR_GS_BASE), BASE_GS);
    expect_no_fault("gs reload", try_load(gs, LDT_SEL(LDT_E_GS)));
    expect("gs base after a reload", rdmsr(MSR_GS_BASE), BASE_GS2);
    expect("read through gs", read_gs((unsigned long)&target[1] - BASE_GS2), target[1]);
    expect("update_descriptor TSS into the LDT", update_descriptor(page0_mfn * 4096 +
           6 * 8, TSS_DESC), -XEN_EINVAL);
}

/* The references an LDT page in use holds, and when they go. */
static void check_refs(void)
{
    expect("page 0 writable while in use", kit_pfn_set_writable(page0_pfn, true),
           -XEN_EBUSY);
    expect("SET_LDT the same again", set_ldt(ldt_va, LDT_ENTS), 0);
    expect("page 0 writable after the same SET_LDT",
           kit_pfn_set_writable(page0_pfn, true), -XEN_EBUSY);
    expect("page 1 read-only", kit_pfn_set_writable(page1_pfn, false), 0);
    expect_no_fault("page 1 entry", try_load(ds, LDT_SEL(LDT_E_PAGE1)));
    expect("page 1 writable while in use", kit_pfn_set_writable(page1_pfn, true),
           -XEN_EBUSY);

    /* Another LDT size unmaps the pages; loaded selectors stay, and where
     * a sleep reloads them (Tern) their page is mapped again. */
    expect_no_fault("ds", try_load(ds, LDT_SEL(LDT_E_DATA)));
    expect("SET_LDT 599 entries", set_ldt(ldt_va, LDT_ENTS - 1), 0);
    sleep_ms(5);
    expect("ds after a sleep", read_sel(ds), LDT_SEL(LDT_E_DATA));
    expect("es after a sleep", read_sel(es), LDT_SEL(LDT_E_DPL0));
    expect("gs base after a sleep", rdmsr(MSR_GS_BASE), BASE_GS2);

    nul_selectors();
    expect("SET_LDT none", set_ldt(0, 0), 0);
    expect_ds_fault("no LDT", LDT_SEL(LDT_E_DATA), 13, LDT_SEL(LDT_E_DATA) & ~3, 0);
    expect("page 0 writable with no LDT", kit_pfn_set_writable(page0_pfn, true), 0);
    expect("page 1 writable with no LDT", kit_pfn_set_writable(page1_pfn, true), 0);
    expect("page 0 read-only again", kit_pfn_set_writable(page0_pfn, false), 0);
}

/* LDT pages that cannot be mapped, and an LDT running past the canonical end. */
static void check_unmappable(void)
{
    unsigned long bad_va = (unsigned long)bad_page;

    expect("SET_LDT on a TSS page", set_ldt(bad_va, 512), 0);
    expect_ds_fault("TSS in the page", LDT_SEL(0), 14, 0, bad_va);
    expect("SET_LDT unmapped", set_ldt(HIGH_VA, 16), 0);
    expect_ds_fault("unmapped page", LDT_SEL(1), 14, 0, HIGH_VA + 8);
    expect("SET_LDT at the top", set_ldt(TOP_LOW_VA, 8192), 0);
    expect_ds_fault("top page unmapped", LDT_SEL(0), 14, 0, TOP_LOW_VA);
    expect_ds_fault("past the canonical end", LDT_SEL(513), 13, 513 * 8 + 4, 0);
    expect("SET_LDT none", set_ldt(0, 0), 0);
}

/* The same from guest user mode (the kernel's L4 as the user one). */
static void check_user(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_syscall,
                                    .address = (unsigned long)ldt_syscall_entry };

    expect("SET_LDT 600 entries", set_ldt(ldt_va, LDT_ENTS), 0);
    expect("register the syscall callback",
           HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    expect("stack_switch", KIT_HC(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
           (unsigned long)(kernel_stack + sizeof(kernel_stack)), 0, 0, 0), 0);
    expect("NEW_USER_BASEPTR", kit_mmuext(MMUEXT_NEW_USER_BASEPTR, kit_pt_root()), 0);

    ldt_user_off_fs = (unsigned long)&target[0] - BASE_DATA;
    ldt_user_off_gs = (unsigned long)&target[1] - BASE_GS2;
    ldt_user_enter(ldt_user_fn, (unsigned long)(user_stack + sizeof(user_stack)));

    expect("user ds", ldt_user_seen[LDT_SEEN_DS], LDT_SEL(LDT_E_DATA));
    expect("user es", ldt_user_seen[LDT_SEEN_ES], LDT_SEL(LDT_E_DPL0));
    expect("user fs", ldt_user_seen[LDT_SEEN_FS], LDT_SEL(LDT_E_DATA));
    expect("user gs", ldt_user_seen[LDT_SEEN_GS], LDT_SEL(LDT_E_GS));
    expect("user read through fs", ldt_user_seen[LDT_SEEN_FS_READ], target[0]);
    expect("user read through gs", ldt_user_seen[LDT_SEEN_GS_READ], target[1]);
    kit_printf("user faults: #GP x%u ec %#lx cs %#lx; #PF x%u ec %#lx cr2 %#lx cs %#lx\n",
               ugp.count, ugp.ec, ugp.cs, upf.count, upf.ec, upf.cr2, upf.cs);
    expect("user beyond the LDT: faults", ugp.count, 1);
    expect("user beyond the LDT: vector", ugp.vector, 13);
    expect("user beyond the LDT: ec", ugp.ec, LDT_SEL(LDT_ENTS) & ~3);
    expect("user beyond the LDT: cs", ugp.cs & 0xffff, FLAT_USER_CS64);
    expect("user page 1 writable: faults", upf.count, 1);
    expect("user page 1 writable: vector", upf.vector, 14);
    expect("user page 1 writable: ec (U)", upf.ec, 4);
    expect("user page 1 writable: cr2", upf.cr2, ldt_va + 4096);
    expect("user page 1 writable: cs", upf.cs & 0xffff, FLAT_USER_CS64);

    expect("NEW_USER_BASEPTR 0", kit_mmuext(MMUEXT_NEW_USER_BASEPTR, 0), 0);
    expect("SET_LDT none", set_ldt(0, 0), 0);
}

void test_main(const start_info_t *si)
{
    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    kit_trap_hook = hook;
    setup();
    check_args();
    check_lazy();
    check_kernel_loads();
    check_update();
    check_refs();
    check_unmappable();
    check_user();
    nul_selectors();
    kit_trap_hook = NULL;
    (void)si;
    kit_test_success();
}
