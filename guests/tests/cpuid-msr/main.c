/* SPDX-License-Identifier: MIT */
/*
 * Test guest cpuid-msr: CPUID and MSR emulation for a PV kernel.
 *
 * Proves: Xen's forced-emulation CPUID (ud2; .ascii "xen"; cpuid) gives
 * the hypervisor leaves: 0x40000000 "XenVMMXenVMM" with the highest leaf,
 * 0x40000001 the version xen_version reports, 0x40000002 one hypercall
 * page at MSR 0x40000000; leaf 1 has the hypervisor bit; a plain CPUID and
 * RDTSC run without a fault; RDMSR/WRMSR of the FS base are emulated
 * (agreeing with set_segment_base); writing the hypercall-page MSR with a
 * frame fills that frame with the same stubs as the kit's hypercall page;
 * RDMSR and WRMSR of an unknown MSR are #GP(0) bounced to the guest, RIP
 * at the instruction.
 * Port I/O is not tested: the oracle's guest is dom0, which may do I/O, and
 * a domU may not.
 */
#include <kit/kit.h>
#include <kit/traps.h>

#define MSR_FS_BASE         0xc0000100
#define MSR_XEN_HYPERCALL   0x40000000
#define MSR_UNKNOWN         0x0badc0de

unsigned long cm_resume, cm_fault_rip;
static unsigned long fault_vector, fault_ec, fault_rip;
static unsigned int faults;

static bool hook(struct kit_trap_frame *f)
{
    if ( !cm_resume )
        return false;
    faults++;
    fault_vector = f->vector;
    fault_ec = f->error_code;
    fault_rip = f->rip;
    f->rip = cm_resume;
    cm_resume = 0;
    return true;
}

/* RDMSR; returns the number of faults it took (0 or 1). */
static unsigned int rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    unsigned int before = faults;

    __asm__ volatile ("leaq 1f(%%rip), %%r8\n\t"
                      "movq %%r8, cm_fault_rip(%%rip)\n\t"
                      "leaq 2f(%%rip), %%r8\n\t"
                      "movq %%r8, cm_resume(%%rip)\n\t"
                      "1: rdmsr\n"
                      "2:\n\t"
                      "movq $0, cm_resume(%%rip)"
                      : "+a" (lo), "+d" (hi) : "c" (msr) : "r8", "memory");
    *val = ((uint64_t)hi << 32) | lo;
    return faults - before;
}

static unsigned int wrmsr_safe(uint32_t msr, uint64_t val)
{
    unsigned int before = faults;

    __asm__ volatile ("leaq 1f(%%rip), %%r8\n\t"
                      "movq %%r8, cm_fault_rip(%%rip)\n\t"
                      "leaq 2f(%%rip), %%r8\n\t"
                      "movq %%r8, cm_resume(%%rip)\n\t"
                      "1: wrmsr\n"
                      "2:\n\t"
                      "movq $0, cm_resume(%%rip)"
                      : : "a" ((uint32_t)val), "d" ((uint32_t)(val >> 32)),
                          "c" (msr) : "r8", "memory");
    return faults - before;
}

static void xen_cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile ("ud2; .ascii \"xen\"; cpuid"
                      : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
                      : "a" (leaf), "c" (0));
}

static void expect_gp(const char *what, unsigned int nfaults)
{
    if ( nfaults != 1 )
        kit_test_failure("%s: no fault", what);
    else if ( fault_vector != 13 || fault_ec != 0 || fault_rip != cm_fault_rip )
        kit_test_failure("%s: vector %lu ec %#lx rip %#lx, want #GP(0) at %#lx",
                         what, fault_vector, fault_ec, fault_rip, cm_fault_rip);
}

static uint8_t hc_page[KIT_PAGE_SIZE] __attribute__((aligned(4096)));

void test_main(const start_info_t *si)
{
    uint32_t r[4];
    char sig[13];
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);
    uint64_t val, tsc0, tsc1;
    unsigned int nf;
    long rc;

    kit_trap_hook = hook;

    xen_cpuid(0x40000000, r);
    memcpy(sig, &r[1], 4);
    memcpy(sig + 4, &r[2], 4);
    memcpy(sig + 8, &r[3], 4);
    sig[12] = 0;
    kit_printf("leaf 0x40000000: max %#x \"%s\"\n", r[0], sig);
    if ( strcmp(sig, "XenVMMXenVMM") != 0 )
        kit_test_failure("signature \"%s\"", sig);
    if ( r[0] < 0x40000002 || r[0] > 0x400000ff )
        kit_test_failure("highest Xen leaf %#x", r[0]);

    xen_cpuid(0x40000001, r);
    kit_printf("leaf 0x40000001: %#x (xen_version %#lx)\n", r[0], version);
    if ( r[0] != (uint32_t)version )
        kit_test_failure("leaf 0x40000001 %#x, xen_version %#lx", r[0], version);

    xen_cpuid(0x40000002, r);
    kit_printf("leaf 0x40000002: pages %u msr %#x\n", r[0], r[1]);
    if ( r[0] != 1 || r[1] != MSR_XEN_HYPERCALL )
        kit_test_failure("leaf 0x40000002: %u pages, msr %#x, want 1 %#x",
                         r[0], r[1], MSR_XEN_HYPERCALL);

    xen_cpuid(1, r);
    if ( !(r[2] & (1u << 31)) )
        kit_test_failure("leaf 1 ecx %#x: no hypervisor bit", r[2]);

    /* A plain CPUID and RDTSC do not fault. */
    nf = faults;
    __asm__ volatile ("cpuid" : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]),
                      "=d" (r[3]) : "a" (0), "c" (0));
    tsc0 = kit_rdtsc();
    tsc1 = kit_rdtsc();
    if ( faults != nf || tsc1 <= tsc0 )
        kit_test_failure("plain cpuid / rdtsc: %u faults, tsc %llu -> %llu",
                         faults - nf, (unsigned long long)tsc0,
                         (unsigned long long)tsc1);

    /* FS base through set_segment_base and the MSR. */
    rc = KIT_HC(__HYPERVISOR_set_segment_base, SEGBASE_FS, 0x123456789000UL,
                0, 0, 0);
    nf = rdmsr_safe(MSR_FS_BASE, &val);
    if ( rc || nf || val != 0x123456789000UL )
        kit_test_failure("set_segment_base then rdmsr FS_BASE: rc %ld, %u "
                         "faults, %#llx", rc, nf, (unsigned long long)val);
    nf = wrmsr_safe(MSR_FS_BASE, 0x2000UL);
    nf += rdmsr_safe(MSR_FS_BASE, &val);
    if ( nf || val != 0x2000UL )
        kit_test_failure("wrmsr/rdmsr FS_BASE: %u faults, %#llx", nf,
                         (unsigned long long)val);
    wrmsr_safe(MSR_FS_BASE, 0);

    /* The hypercall-page MSR fills the frame it is given. */
    memset(hc_page, 0xcc, sizeof(hc_page));
    nf = wrmsr_safe(MSR_XEN_HYPERCALL, kit_virt_to_mfn(hc_page) << KIT_PAGE_SHIFT);
    if ( nf )
        kit_test_failure("wrmsr of the hypercall-page MSR faulted: vector %lu",
                         fault_vector);
    else if ( memcmp(hc_page, kit_hypercall_page, sizeof(hc_page)) != 0 )
        kit_test_failure("the hypercall-page MSR did not fill the page as the "
                         "builder did");

    /* Unknown MSRs: #GP(0) at the instruction. */
    expect_gp("rdmsr of an unknown MSR", rdmsr_safe(MSR_UNKNOWN, &val));
    expect_gp("wrmsr of an unknown MSR", wrmsr_safe(MSR_UNKNOWN, 1));

    kit_trap_hook = NULL;
    kit_test_success();
}
