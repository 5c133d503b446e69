/* SPDX-License-Identifier: MIT */
/*
 * Test guest gdt-segments: set_gdt, update_descriptor, the guest's own
 * segment selectors, set_segment_base(SEGBASE_GS_USER_SEL) and the failsafe
 * callback, as Xen 4.17 has them for a 64-bit PV guest.
 *
 * Proves: set_gdt takes a read-only frame of valid descriptors (and
 * applies Xen's fix-ups in place: a DPL 0 data descriptor becomes DPL 3, a
 * call gate DPL 0 with the old DPL in its selector's RPL); refuses more
 * than 14 * 512 entries, a frame list it cannot read (-EFAULT), a frame not
 * ours, a frame still mapped writable and one holding a TSS descriptor
 * (-EINVAL). Its data selectors load into DS, ES, FS (FS takes the
 * descriptor's base) and survive a sleep; update_descriptor changes an
 * entry (a loaded register keeps the old base until reloaded) and refuses
 * a misaligned address, a system descriptor, a call gate to the
 * hypervisor's code, a frame not ours and a page table (-EINVAL), while it
 * writes a plain writable page. HYPERVISOR_iret to the guest's own code
 * selector runs there; to one that is not present the guest takes #NP
 * (selector) there, as Xen's IRETQ faults, and to a data selector as CS or
 * a code selector as SS #GP(selector). SEGBASE_GS_USER_SEL loads %gs, makes
 * the descriptor's base the user GS base and keeps the kernel's active; a
 * selector that does not load gives NUL and base 0, still returning 0.
 * On Tern (where blocking switches the vCPU out and back) a data selector
 * whose descriptor went away meanwhile enters the failsafe callback with
 * Xen's frame (RCX, R11, DS, ES, FS, GS, RIP, CS, RFLAGS, RSP, SS), that
 * selector in it and NUL loaded; Xen keeps the single dom0 vCPU loaded,
 * so the oracle sees the old register instead.
 */
#include <kit/kit.h>
#include <kit/traps.h>

#define MS           1000000ULL
#define MSR_FS_BASE  0xc0000100u
#define MSR_GS_BASE  0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u

#define DESC_S       (1ULL << 44)
#define DESC_P       (1ULL << 47)
#define DESC_L       (1ULL << 53)
#define DESC_DB      (1ULL << 54)
#define DESC_G       (1ULL << 55)
#define DPL(n)       ((uint64_t)(n) << 45)
#define TYPE(t)      ((uint64_t)(t) << 40)
#define DATA_RW      2
#define CODE_RX      0xb

#define SEL_DATA     0x0b            /* entry 1, RPL 3 */
#define SEL_DATA0    0x13            /* entry 2: was DPL 0 */
#define SEL_CODE     0x18            /* entry 3, 64-bit code, RPL 0 */
#define SEL_NP       0x20            /* entry 4, not present code */
#define SEL_GATE     0x28            /* entries 5-6, call gate */
#define SEL_GSDATA   0x3b            /* entry 7 */
#define NR_ENTRIES   8

#define BASE1        0x00a0b000u
#define BASE2        0x00c0d000u
#define BASE3        0x12345000u

static uint64_t gdt_page[512] __attribute__((aligned(4096)));
static uint64_t bad_page[512] __attribute__((aligned(4096)));
static uint64_t plain_page[512] __attribute__((aligned(4096)));

/* What the failsafe callback saw: RCX, R11, DS, ES, FS, GS, RIP, CS,
 * RFLAGS, RSP, SS. */
uint64_t seg_failsafe_frame[11];
unsigned int seg_failsafe_count;
extern const char seg_failsafe[], seg_iret_landing[];
unsigned long seg_iret_to(unsigned long cs, unsigned long ss);

/*
 * seg_iret_to(cs, ss): HYPERVISOR_iret (by SYSCALL) to seg_iret_landing
 * with these selectors, the current RSP and RFLAGS 0x2 (events stay
 * masked); returns the %cs found there.
 * seg_failsafe: record the frame, then resume at its RIP and RSP with the
 * flat kernel selectors, by HYPERVISOR_iret.
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl seg_iret_to, seg_iret_landing, seg_failsafe\n"
    "seg_iret_to:\n"
    "    movq %rsp, %rax\n"
    "    subq $80, %rsp\n"
    "    andq $-16, %rsp\n"
    "    movq $0, 0(%rsp)\n"              /* rax */
    "    movq $0, 8(%rsp)\n"              /* r11 */
    "    movq $0, 16(%rsp)\n"             /* rcx */
    "    movq $0, 24(%rsp)\n"             /* flags */
    "    leaq seg_iret_landing(%rip), %rcx\n"
    "    movq %rcx, 32(%rsp)\n"           /* rip */
    "    movq %rdi, 40(%rsp)\n"           /* cs */
    "    movq $2, 48(%rsp)\n"             /* rflags */
    "    movq %rax, 56(%rsp)\n"           /* rsp */
    "    movq %rsi, 64(%rsp)\n"           /* ss */
    "    movl $23, %eax\n"                /* __HYPERVISOR_iret */
    "    syscall\n"
    "seg_iret_landing:\n"
    "    xorl %eax, %eax\n"
    "    movw %cs, %ax\n"
    "    ret\n"
    "seg_failsafe:\n"
    "    cld\n"
    "    pushq %rax\n"
    "    pushq %rsi\n"
    "    pushq %rdi\n"
    "    pushq %rcx\n"
    "    leaq 32(%rsp), %rsi\n"
    "    leaq seg_failsafe_frame(%rip), %rdi\n"
    "    movl $11, %ecx\n"
    "    rep movsq\n"
    "    incl seg_failsafe_count(%rip)\n"
    "    popq %rcx\n"
    "    popq %rdi\n"
    "    popq %rsi\n"
    "    popq %rax\n"
    "    popq %rcx\n"
    "    popq %r11\n"
    "    addq $32, %rsp\n"                /* DS, ES, FS, GS */
    "    movq $0xe030, 8(%rsp)\n"         /* CS: flat, kernel */
    "    movq $0xe02b, 32(%rsp)\n"        /* SS */
    "    pushq $0\n"                      /* flags */
    "    pushq %rcx\n"
    "    pushq %r11\n"
    "    pushq %rax\n"
    "    movl $23, %eax\n"
    "    syscall\n"
    "    .popsection\n");

static uint64_t desc(uint32_t base, uint32_t limit, unsigned int type,
                     unsigned int dpl, bool present, uint64_t flags)
{
    return (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) |
           TYPE(type) | DESC_S | DPL(dpl) | (present ? DESC_P : 0) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | flags |
           ((uint64_t)(base >> 24) << 56);
}

/* A 64-bit call gate (16 bytes) to sel:off, DPL dpl. */
static void call_gate(uint64_t *d, unsigned int sel, uint64_t off, unsigned int dpl)
{
    d[0] = (off & 0xffff) | ((uint64_t)sel << 16) | TYPE(0xc) | DPL(dpl) |
           DESC_P | (((off >> 16) & 0xffff) << 48);
    d[1] = off >> 32;
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile ("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

#define read_sel(seg) ({ unsigned int s_; \
    __asm__ volatile ("mov %%" #seg ", %0" : "=r"(s_)); s_ & 0xffff; })
#define load_sel(seg, v) \
    __asm__ volatile ("mov %0, %%" #seg :: "r"((unsigned int)(v)) : "memory")

static long set_gdt(unsigned long *frames, unsigned int entries)
{
    return KIT_HC(__HYPERVISOR_set_gdt, frames, entries, 0, 0, 0);
}

static long update_descriptor(uint64_t maddr, uint64_t d)
{
    return KIT_HC(__HYPERVISOR_update_descriptor, maddr, d, 0, 0, 0);
}

static long set_segment_base(unsigned int which, unsigned long base)
{
    return KIT_HC(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0);
}

static void expect(const char *what, unsigned long got, unsigned long want)
{
    kit_printf("%s: %#lx\n", what, got);
    if ( got != want )
        kit_test_failure("%s: %#lx, want %#lx", what, got, want);
}

static void sleep_ms(unsigned int ms)
{
    struct sched_poll poll = { .nr_ports = 0 };

    poll.timeout = kit_system_time() + ms * MS;
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

static bool on_tern(void)
{
    xen_extraversion_t ev;
    unsigned int i;

    memset(ev, 0, sizeof(ev));
    HYPERVISOR_xen_version(XENVER_extraversion, ev);
    for ( i = 0; i + 4 <= sizeof(ev); i++ )
        if ( !memcmp(&ev[i], "tern", 4) )
            return true;
    return false;
}

static unsigned long gdt_mfn;

static void check_set_gdt(const start_info_t *si)
{
    unsigned long frames[2], mfn0 = 0;

    gdt_page[1] = desc(BASE1, 0xfffff, DATA_RW, 3, true, DESC_DB | DESC_G);
    gdt_page[2] = desc(0, 0xfffff, DATA_RW, 0, true, DESC_DB | DESC_G);
    gdt_page[3] = desc(0, 0xfffff, CODE_RX, 3, true, DESC_L | DESC_G);
    gdt_page[4] = desc(0, 0xfffff, CODE_RX, 3, false, DESC_L | DESC_G);
    call_gate(&gdt_page[5], FLAT_KERNEL_CS, (uint64_t)seg_iret_landing, 0);
    gdt_page[7] = desc(BASE3, 0xfffff, DATA_RW, 3, true, DESC_DB | DESC_G);
    bad_page[3] = 0x0000890000000067ULL;      /* an available 64-bit TSS */

    gdt_mfn = kit_virt_to_mfn(gdt_page);
    if ( kit_map_mfn(gdt_page, gdt_mfn, KIT_PTE_P | KIT_PTE_A) ||
         kit_map_mfn(bad_page, kit_virt_to_mfn(bad_page), KIT_PTE_P | KIT_PTE_A) )
        kit_test_abort("cannot map the descriptor pages read-only");

    frames[0] = kit_virt_to_mfn(plain_page);
    expect("set_gdt of a writable page", set_gdt(frames, 16), -XEN_EINVAL);
    frames[0] = kit_virt_to_mfn(bad_page);
    expect("set_gdt of a TSS descriptor", set_gdt(frames, 16), -XEN_EINVAL);
    expect("set_gdt of a frame not ours", set_gdt(&mfn0, 16), -XEN_EINVAL);
    expect("set_gdt of 14*512+1 entries", set_gdt(frames, 14 * 512 + 1), -XEN_EINVAL);
    expect("set_gdt from NULL", set_gdt(NULL, 16), -XEN_EFAULT);
    frames[0] = gdt_mfn;
    expect("set_gdt", set_gdt(frames, NR_ENTRIES), 0);

    expect("DPL 0 data descriptor now DPL 3", (gdt_page[2] >> 45) & 3, 3);
    expect("call gate DPL", (gdt_page[5] >> 45) & 3, 0);
    expect("call gate selector", (gdt_page[5] >> 16) & 0xffff, FLAT_KERNEL_CS | 3);
    (void)si;
}

static void check_selectors(void)
{
    load_sel(ds, SEL_DATA);
    load_sel(es, SEL_DATA0);
    load_sel(fs, SEL_DATA);
    expect("ds", read_sel(ds), SEL_DATA);
    expect("es", read_sel(es), SEL_DATA0);
    expect("fs", read_sel(fs), SEL_DATA);
    expect("fs base from the descriptor", rdmsr(MSR_FS_BASE), BASE1);
    sleep_ms(5);
    expect("ds after a sleep", read_sel(ds), SEL_DATA);
    expect("es after a sleep", read_sel(es), SEL_DATA0);
    expect("fs after a sleep", read_sel(fs), SEL_DATA);
    expect("fs base after a sleep", rdmsr(MSR_FS_BASE), BASE1);

    expect("update_descriptor", update_descriptor(gdt_mfn * 4096 + 1 * 8,
           desc(BASE2, 0xfffff, DATA_RW, 3, true, DESC_DB | DESC_G)), 0);
    expect("entry 1 base now", (uint32_t)((gdt_page[1] >> 16) & 0xffffff) |
           (uint32_t)(gdt_page[1] >> 56 << 24), BASE2);
    expect("fs base before a reload", rdmsr(MSR_FS_BASE), BASE1);
    load_sel(fs, SEL_DATA);
    expect("fs base after a reload", rdmsr(MSR_FS_BASE), BASE2);
}

static void check_update_descriptor(const start_info_t *si)
{
    uint64_t good = desc(0, 0xfffff, DATA_RW, 3, true, DESC_DB | DESC_G);
    uint64_t gate[2];
    unsigned long pt_mfn = kit_virt_to_mfn((void *)si->pt_base);

    expect("misaligned", update_descriptor(gdt_mfn * 4096 + 4, good), -XEN_EINVAL);
    expect("TSS descriptor", update_descriptor(gdt_mfn * 4096 + 6 * 8,
           0x0000890000000067ULL), -XEN_EINVAL);
    expect("interrupt gate", update_descriptor(gdt_mfn * 4096 + 6 * 8,
           0x00008e0000000000ULL | ((uint64_t)FLAT_KERNEL_CS << 16)), -XEN_EINVAL);
    call_gate(gate, 0xe008, 0x1000, 3);       /* the hypervisor's code */
    expect("call gate to 0xe008", update_descriptor(gdt_mfn * 4096 + 6 * 8,
           gate[0]), -XEN_EINVAL);
    expect("frame not ours", update_descriptor(0x8, good), -XEN_EINVAL);
    expect("page table", update_descriptor(pt_mfn * 4096 + 8, good), -XEN_EINVAL);
    expect("plain writable page",
           update_descriptor(kit_virt_to_mfn(plain_page) * 4096 + 3 * 8, good), 0);
    expect("plain page written", plain_page[3], good);
}

/* The fault an iret to a bad selector raises, resumed with flat %cs. */
static struct kit_trap_frame fault;
static unsigned int fault_count;

static bool hook(struct kit_trap_frame *f)
{
    if ( f->rip != (unsigned long)seg_iret_landing )
        return false;
    fault = *f;
    fault_count++;
    f->cs = FLAT_KERNEL_CS & ~3;
    f->ss = FLAT_KERNEL_SS;
    return true;
}

static void check_iret(void)
{
    unsigned long rsp, cs;
    unsigned int n;

    cs = seg_iret_to(SEL_CODE, FLAT_KERNEL_SS);
    expect("iret to our code selector: %cs", cs, SEL_CODE | 3);
    __asm__ volatile ("movw %%cs, %w0" : "=r"(cs) : "0"(0UL));
    expect("%cs after a hypercall", cs, FLAT_KERNEL_CS);

    /* Xen's IRETQ faults: the guest takes #NP(selector) where it returned. */
    kit_trap_hook = hook;
    n = fault_count;
    __asm__ volatile ("movq %%rsp, %0" : "=r"(rsp));
    cs = seg_iret_to(SEL_NP, FLAT_KERNEL_SS);
    if ( fault_count != n + 1 )
        kit_test_failure("iret to a not-present selector: no fault");
    else
    {
        kit_printf("iret to %#x: vector %lu ec %#lx rip %#lx cs %#lx rsp %#lx ss %#lx\n",
                   SEL_NP, fault.vector, fault.error_code, fault.rip, fault.cs,
                   fault.rsp, fault.ss);
        expect("not present: vector", fault.vector, 11);
        expect("not present: error code", fault.error_code, SEL_NP);
        expect("not present: cs (kernel context)", fault.cs & 0xffff, SEL_NP);
        expect("not present: rsp", fault.rsp, rsp - 8);
        expect("%cs after the fault", cs, FLAT_KERNEL_CS);
    }
    n = fault_count;
    cs = seg_iret_to(SEL_DATA & ~3, FLAT_KERNEL_SS);
    expect("iret to a data selector: faults", fault_count, n + 1);
    expect("data as code: #GP(selector)", fault.vector * 0x10000 + fault.error_code,
           13 * 0x10000 + (SEL_DATA & ~3));
    n = fault_count;
    cs = seg_iret_to(SEL_CODE, SEL_NP | 3);
    expect("iret to a code stack: faults", fault_count, n + 1);
    expect("code as stack: #GP(selector)", fault.vector * 0x10000 + fault.error_code,
           13 * 0x10000 + SEL_NP);
    kit_trap_hook = NULL;
}

static void check_gs_user_sel(void)
{
    uint64_t kbase = 0x0000700000005000UL;

    expect("kernel gs base", set_segment_base(SEGBASE_GS_KERNEL, kbase), 0);

    expect("GS_USER_SEL entry 7", set_segment_base(SEGBASE_GS_USER_SEL, SEL_GSDATA & ~3), 0);
    expect("gs", read_sel(gs), SEL_GSDATA);
    expect("user gs base", rdmsr(MSR_SHADOW_GS_BASE), BASE3);
    expect("kernel gs base kept", rdmsr(MSR_GS_BASE), kbase);
    expect("GS_USER_SEL not present", set_segment_base(SEGBASE_GS_USER_SEL, SEL_NP), 0);
    expect("gs NUL", read_sel(gs), 0);
    expect("user gs base 0", rdmsr(MSR_SHADOW_GS_BASE), 0);
    expect("GS_USER_SEL flat", set_segment_base(SEGBASE_GS_USER_SEL, FLAT_RING3_SS64 & ~3), 0);
    expect("gs flat", read_sel(gs), FLAT_RING3_SS64);
    expect("user gs base of the flat selector", rdmsr(MSR_SHADOW_GS_BASE), 0);
    expect("GS_USER_SEL with high bits", set_segment_base(SEGBASE_GS_USER_SEL,
           0xdead000000000000UL | SEL_GSDATA), 0);
    expect("gs from the low 16 bits", read_sel(gs), SEL_GSDATA);
    expect("GS_USER_SEL 0", set_segment_base(SEGBASE_GS_USER_SEL, 0), 0);
    expect("gs 0", read_sel(gs), 0);
    expect("kernel gs base still kept", rdmsr(MSR_GS_BASE), kbase);
    set_segment_base(SEGBASE_GS_KERNEL, 0);
    expect("set_segment_base 99", set_segment_base(99, 0), -XEN_EINVAL);
}

/* A data selector whose descriptor disappears while the vCPU sleeps. */
static void check_reload(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_failsafe,
                                    .address = (unsigned long)seg_failsafe };
    unsigned int n = seg_failsafe_count, fs;

    expect("register failsafe", HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);

    load_sel(fs, SEL_DATA);
    expect("entry 1 not present", update_descriptor(gdt_mfn * 4096 + 1 * 8,
           desc(BASE2, 0xfffff, DATA_RW, 3, false, DESC_DB | DESC_G)), 0);
    sleep_ms(5);
    fs = read_sel(fs);
    if ( seg_failsafe_count == n )
    {
        kit_printf("no reload while sleeping: fs %#x\n", fs);
        if ( on_tern() )
            kit_test_failure("Tern did not reload the selectors after a sleep");
        else if ( fs != SEL_DATA )
            kit_test_failure("fs changed without a failsafe callback: %#x", fs);
        return;
    }
    kit_printf("failsafe after the reload: fs in frame %#lx, fs now %#x\n",
               seg_failsafe_frame[4], fs);
    expect("failsafe fs (the selector to load)", seg_failsafe_frame[4], SEL_DATA);
    expect("fs now NUL", fs, 0);
    expect("failsafe ds", seg_failsafe_frame[2], SEL_DATA);
    expect("failsafe es", seg_failsafe_frame[3], SEL_DATA0);
    expect("failsafe cs (kernel context)", seg_failsafe_frame[7] & 0xffff,
           FLAT_KERNEL_CS & ~3);
    expect("failsafe ss", seg_failsafe_frame[10], FLAT_KERNEL_SS);
    expect("ds (same entry) now NUL", read_sel(ds), 0);
    expect("es (another entry) still loaded", read_sel(es), SEL_DATA0);
}

void test_main(const start_info_t *si)
{
    unsigned long none = 0;

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    check_set_gdt(si);
    check_selectors();
    check_update_descriptor(si);
    check_iret();
    check_gs_user_sel();
    check_reload();

    /* Back to the flat selectors before the GDT goes. */
    load_sel(ds, FLAT_KERNEL_DS);
    load_sel(es, FLAT_KERNEL_DS);
    load_sel(fs, 0);
    expect("set_gdt of no entries", set_gdt(&none, 0), 0);
    kit_test_success();
}
