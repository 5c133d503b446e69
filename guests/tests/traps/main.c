/* SPDX-License-Identifier: MIT */
/*
 * Test guest traps: exceptions raised in guest kernel mode are bounced to
 * the handlers of set_trap_table with Xen's PV frame, and HYPERVISOR_iret
 * resumes them.
 *
 * For each case the guest provokes one exception and checks what its
 * handler got: the vector, the error code, RIP (the faulting instruction
 * for faults, the next one for int3 / int $N), CS/SS (flat kernel
 * selectors), RSP (the stack at the fault), RCX and R11 (saved by Xen on
 * the frame, as they hold the values of the interrupted code), and for #PF
 * the address in vcpu_info.arch.cr2. Cases: #DE, #UD, #BP (int3), #PF
 * (read of an unmapped address, write to a read-only page, fetch from an
 * NX page), #GP (non-canonical access), #NM (fpu_taskswitch), and the
 * software-interrupt gate check: int $N reaches vector N only when the
 * gate's DPL allows the guest kernel (DPL >= 1: Xen's rings are 0 nobody,
 * 1 kernel, 3 everyone), else it is #GP with error code (N << 3) | 2.
 */
#include <kit/kit.h>
#include <kit/traps.h>

/* What the provoking code expects, and what the hook saw. */
unsigned long traps_exp_fault, traps_exp_resume, traps_exp_rsp;
static struct kit_trap_frame seen;
static unsigned long seen_cr2;
static unsigned int seen_count;

#define MAGIC_RCX 0x5c5c5c5c00c0ffeeUL
#define MAGIC_R11 0x1111222233334444UL

/* Stubs for the software-interrupt vectors 0x80 and 0x81. */
extern const char traps_stub_0x80[], traps_stub_0x81[];
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "traps_stub_0x80:\n"
    "    popq %rcx\n popq %r11\n pushq $0\n pushq $0x80\n"
    "    jmp kit_trap_common\n"
    "traps_stub_0x81:\n"
    "    popq %rcx\n popq %r11\n pushq $0\n pushq $0x81\n"
    "    jmp kit_trap_common\n"
    "    .popsection\n");

/*
 * Record the address of the instruction at label 1 (the one that traps),
 * where to resume (label 2) and RSP; load RCX/R11 with magic values; run
 * pre then insn.
 */
#define PROVOKE(pre, insn, ...)                                         \
    __asm__ volatile (                                                  \
        "leaq 1f(%%rip), %%rax\n\t"                                     \
        "movq %%rax, traps_exp_fault(%%rip)\n\t"                        \
        "leaq 2f(%%rip), %%rax\n\t"                                     \
        "movq %%rax, traps_exp_resume(%%rip)\n\t"                       \
        "movq %%rsp, traps_exp_rsp(%%rip)\n\t"                          \
        "movabsq %[rcx], %%rcx\n\t"                                     \
        "movabsq %[r11], %%r11\n\t"                                     \
        pre "\n"                                                        \
        "1: " insn "\n"                                                 \
        "2:\n"                                                          \
        : : [rcx] "i" (MAGIC_RCX), [r11] "i" (MAGIC_R11)                 \
        : "rax", "rcx", "r11", "memory", ##__VA_ARGS__)

static bool hook(struct kit_trap_frame *f)
{
    if ( !traps_exp_resume )
        return false;
    seen = *f;
    seen_cr2 = kit_shared_info->vcpu_info[0].arch.cr2;
    seen_count++;
    f->rip = traps_exp_resume;
    traps_exp_resume = 0;
    return true;
}

/* Check the last exception against what the case expects. */
static void check(const char *what, unsigned long vector, unsigned long ec,
                  unsigned int trap_len, unsigned int count_before)
{
    /* A fault's RIP is the instruction; a trap's the end of it (trap_len). */
    unsigned long want_rip = traps_exp_fault + trap_len;

    if ( seen_count != count_before + 1 )
    {
        kit_test_failure("%s: no exception reached the handler", what);
        return;
    }
    kit_printf("%s: vector %#lx ec %#lx rip %#lx cs %#lx rflags %#lx "
               "rsp %#lx ss %#lx\n", what, seen.vector, seen.error_code,
               seen.rip, seen.cs, seen.rflags, seen.rsp, seen.ss);
    if ( seen.vector != vector )
        kit_test_failure("%s: vector %#lx, want %#lx", what, seen.vector, vector);
    if ( seen.error_code != ec )
        kit_test_failure("%s: error code %#lx, want %#lx", what,
                         seen.error_code, ec);
    if ( seen.rip != want_rip )
        kit_test_failure("%s: rip %#lx, want %#lx", what, seen.rip, want_rip);
    /*
     * Xen reports kernel mode by CS with RPL 0 (the guest really runs in
     * ring 3), and puts the vCPU's saved upcall mask in bits 32-39 of the
     * CS slot; RFLAGS.IF is the inverse of that mask. The kit never unmasks
     * events, so the mask is 1 and IF clear.
     */
    if ( (uint16_t)seen.cs != (FLAT_KERNEL_CS64 & ~3) ||
         (uint16_t)seen.ss != FLAT_KERNEL_SS64 )
        kit_test_failure("%s: cs %#lx ss %#lx, want %#x %#x", what, seen.cs,
                         seen.ss, FLAT_KERNEL_CS64 & ~3, FLAT_KERNEL_SS64);
    if ( ((seen.cs >> 32) & 0xff) != 1 || (seen.rflags & 0x200) )
        kit_test_failure("%s: saved upcall mask %#lx, rflags %#lx: want 1, IF clear",
                         what, (seen.cs >> 32) & 0xff, seen.rflags);
    if ( seen.rsp != traps_exp_rsp )
        kit_test_failure("%s: rsp %#lx, want %#lx", what, seen.rsp,
                         traps_exp_rsp);
    if ( seen.rcx != MAGIC_RCX || seen.r11 != MAGIC_R11 )
        kit_test_failure("%s: rcx %#lx r11 %#lx, want the interrupted values",
                         what, seen.rcx, seen.r11);
}

/* A page of our own to map read-only or no-execute. */
uint8_t traps_scratch[KIT_PAGE_SIZE] __attribute__((aligned(4096)));

static void remap_scratch(unsigned long flags)
{
    long rc = kit_map_mfn(traps_scratch, kit_virt_to_mfn(traps_scratch),
                          KIT_PTE_P | KIT_PTE_A | KIT_PTE_D | flags);

    if ( rc )
        kit_test_abort("update_va_mapping of the traps_scratch page: %ld", rc);
}

void test_main(const start_info_t *si)
{
    unsigned int n;
    long rc;

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    kit_trap_hook = hook;

    n = seen_count;
    PROVOKE("movl $1, %%eax; xorl %%edx, %%edx; xorl %%ebx, %%ebx",
            "divl %%ebx", "rbx", "rdx");
    check("#DE div by 0", 0, 0, 0, n);

    n = seen_count;
    PROVOKE("", "ud2");
    check("#UD ud2", 6, 0, 0, n);

    n = seen_count;
    PROVOKE("", "int3");
    check("#BP int3", 3, 0, 1, n);

    n = seen_count;
    PROVOKE("movl $0x1000, %%ebx", "movq (%%rbx), %%rax", "rbx");
    check("#PF read unmapped", 14, 0, 0, n);
    if ( seen_cr2 != 0x1000 )
        kit_test_failure("#PF read: cr2 %#lx, want 0x1000", seen_cr2);

    remap_scratch(0);
    n = seen_count;
    PROVOKE("leaq traps_scratch+8(%%rip), %%rbx", "movq %%rbx, (%%rbx)", "rbx");
    check("#PF write read-only", 14, 3, 0, n);
    if ( seen_cr2 != (unsigned long)traps_scratch + 8 )
        kit_test_failure("#PF write: cr2 %#lx, want %p", seen_cr2, traps_scratch + 8);

    remap_scratch(KIT_PTE_RW | KIT_PTE_NX);
    traps_scratch[0] = 0xc3; /* ret, never run */
    n = seen_count;
    PROVOKE("leaq traps_scratch(%%rip), %%rbx", "jmp *%%rbx", "rbx");
    /* An instruction fetch faults at the target: RIP = CR2 = the page. */
    traps_exp_fault = (unsigned long)traps_scratch;
    check("#PF fetch NX", 14, 0x11, 0, n);
    if ( seen_cr2 != (unsigned long)traps_scratch )
        kit_test_failure("#PF fetch: cr2 %#lx, want %p", seen_cr2, traps_scratch);
    remap_scratch(KIT_PTE_RW);

    n = seen_count;
    PROVOKE("movabsq $0x8000000000000000, %%rbx", "movq (%%rbx), %%rax", "rbx");
    check("#GP non-canonical", 13, 0, 0, n);

    /* Virtual CR0.TS set by fpu_taskswitch: the next FPU instruction is #NM. */
    rc = KIT_HC(__HYPERVISOR_fpu_taskswitch, 1, 0, 0, 0, 0);
    if ( rc )
        kit_test_failure("fpu_taskswitch(1): %ld", rc);
    n = seen_count;
    PROVOKE("", "fnop");
    check("#NM fnop with TS", 7, 0, 0, n);
    KIT_HC(__HYPERVISOR_fpu_taskswitch, 0, 0, 0, 0, 0);
    n = seen_count;
    __asm__ volatile ("fnop");
    if ( seen_count != n )
        kit_test_failure("#NM after fpu_taskswitch(0)");

    /* int $0x81 without a gate: #GP, error code = IDT entry | 2. */
    n = seen_count;
    PROVOKE("", "int $0x81");
    check("int $0x81 no gate", 13, (0x81 << 3) | 2, 0, n);

    kit_set_trap_gate(0x81, 1, traps_stub_0x81);
    n = seen_count;
    PROVOKE("", "int $0x81");
    check("int $0x81 DPL 1", 0x81, 0, 2, n);

    kit_set_trap_gate(0x81, 0, traps_stub_0x81);
    n = seen_count;
    PROVOKE("", "int $0x81");
    check("int $0x81 DPL 0", 13, (0x81 << 3) | 2, 0, n);

    /* int $0x80 has a gate of DPL 3 in Xen's IDT: with no handler: #GP. */
    n = seen_count;
    PROVOKE("", "int $0x80");
    check("int $0x80 no gate", 13, (0x80 << 3) | 2, 0, n);

    /*
     * Xen 4.17's int $0x80 path delivers to any registered handler from
     * guest kernel mode, even through a DPL 0 gate (unlike int $0x81).
     */
    kit_set_trap_gate(0x80, 0, traps_stub_0x80);
    n = seen_count;
    PROVOKE("", "int $0x80");
    check("int $0x80 DPL 0", 0x80, 0, 2, n);

    kit_set_trap_gate(0x80, 3, traps_stub_0x80);
    n = seen_count;
    PROVOKE("", "int $0x80");
    check("int $0x80 DPL 3", 0x80, 0, 2, n);

    /*
     * int $3 (CD 03, two bytes) is #BP too; Xen 4.17 (under QEMU) reports
     * RIP one byte past its start, as for int3, not after it.
     */
    n = seen_count;
    PROVOKE("", "int $3");
    check("#BP int $3", 3, 0, 1, n);

    /* icebp (int1) is a trap: #DB with RIP after it. */
    n = seen_count;
    PROVOKE("", ".byte 0xf1");
    check("#DB icebp", 1, 0, 1, n);

    /* hlt and cli are privileged (virtual IOPL 0): #GP(0), not emulated. */
    n = seen_count;
    PROVOKE("", "hlt");
    check("#GP hlt", 13, 0, 0, n);
    n = seen_count;
    PROVOKE("", "cli");
    check("#GP cli", 13, 0, 0, n);

    /*
     * Not tested: #SS for a non-canonical stack access, which QEMU TCG
     * raises as #GP(0) (Xen then passes on what the CPU raised).
     */
    kit_trap_hook = NULL;
    kit_printf("traps: %u exceptions handled\n", seen_count);
    kit_test_success();
}
