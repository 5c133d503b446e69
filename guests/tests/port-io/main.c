/* SPDX-License-Identifier: MIT */
/*
 * Test guest port-io: port I/O and the virtual IOPL of a 64-bit PV guest,
 * as Xen 4.17 emulates them (pv/emul-priv-op.c).
 *
 * Proves: with IOPL 0 an IN, OUT, CLI or STI of the guest kernel is #GP(0);
 * PHYSDEVOP_set_iopl refuses 4 (-EINVAL) and a bad pointer (-EFAULT); with
 * IOPL 1 (the kernel counts as ring 1) they run. With
 * VMASST_TYPE_architectural_iopl the kernel counts as ring 0 (I/O runs at
 * IOPL 0), the exception frames carry the virtual IOPL in RFLAGS, and an
 * iret's RFLAGS.IOPL sets it; without the assist the frames show IOPL 0.
 * A domain without I/O port access (not SIF_PRIVILEGED; the oracle's dom0
 * has it and skips these) reads ~0 from ports, keeps the CMOS index (0x70)
 * and PCI config address (0xcf8, 32-bit) it writes, and reads ~0 from the
 * RTC data and PCI config data ports; an 8- or 16-bit IN keeps the rest
 * of RAX, a 32-bit IN clears the upper half.
 */
#include <kit/kit.h>
#include <kit/traps.h>

#define IOPL_MASK 0x3000UL

unsigned long portio_exp_resume;
static unsigned int trap_count;
static struct kit_trap_frame seen;
static unsigned long set_iopl_in_frame = ~0UL;  /* IOPL to iret with, from int3 */

static bool hook(struct kit_trap_frame *f)
{
    if ( f->vector == 3 )
    {
        seen = *f;
        trap_count++;
        if ( set_iopl_in_frame != ~0UL )
            f->rflags = (f->rflags & ~IOPL_MASK) | (set_iopl_in_frame << 12);
        set_iopl_in_frame = ~0UL;
        return true;
    }
    if ( !portio_exp_resume )
        return false;
    seen = *f;
    trap_count++;
    f->rip = portio_exp_resume;
    portio_exp_resume = 0;
    return true;
}

/* Run insn with RAX = var (RDX free for it); a trap resumes after it. */
#define TRY(insn, var)                                                  \
    __asm__ volatile (                                                  \
        "leaq 2f(%%rip), %%r11\n\t"                                     \
        "movq %%r11, portio_exp_resume(%%rip)\n\t"                      \
        "1: " insn "\n"                                                 \
        "2:\n\t"                                                        \
        "movq $0, portio_exp_resume(%%rip)\n"                           \
        : "+a"(var) : : "rdx", "r11", "memory")

static long set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl s = { .iopl = iopl };

    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &s);
}

/* Does IN from port 0x80 fault (#GP(0))? */
static bool in_faults(const char *what)
{
    unsigned int n = trap_count;
    unsigned long rax = 0;

    TRY("inb $0x80, %%al", rax);
    if ( trap_count != n && (seen.vector != 13 || seen.error_code != 0) )
        kit_test_failure("%s: vector %lu ec %#lx, want #GP(0)", what,
                         seen.vector, seen.error_code);
    return trap_count != n;
}

static bool cli_sti_fault(void)
{
    unsigned int n = trap_count;
    unsigned long rax = 0;

    TRY("cli", rax);
    TRY("sti", rax);
    return trap_count != n;
}

/* The IOPL in the frame of an int3. */
static unsigned long frame_iopl(unsigned long set_by_iret)
{
    set_iopl_in_frame = set_by_iret;
    __asm__ volatile ("int3" ::: "memory");
    return (seen.rflags & IOPL_MASK) >> 12;
}

static void expect(const char *what, unsigned long got, unsigned long want)
{
    kit_printf("%s: %#lx\n", what, got);
    if ( got != want )
        kit_test_failure("%s: %#lx, want %#lx", what, got, want);
}

/* What a domain without port access reads. */
static void check_domu_ports(void)
{
    unsigned long rax;

    rax = 0x1122334455667700UL;
    TRY("inb $0x80, %%al", rax);
    expect("inb 0x80", rax, 0x11223344556677ffUL);
    rax = 0x1122334455660000UL;
    TRY("inw $0x80, %%ax", rax);
    expect("inw 0x80", rax, 0x112233445566ffffUL);
    rax = 0x1122334400000000UL;
    TRY("inl $0x80, %%eax", rax);
    expect("inl 0x80", rax, 0xffffffffUL);

    rax = 0x0c;
    TRY("outb %%al, $0x70", rax);
    rax = 0;
    TRY("inb $0x70, %%al", rax);
    expect("CMOS index read back", rax, 0x0c);
    rax = 0;
    TRY("inb $0x71, %%al", rax);
    expect("RTC data (no access)", rax, 0xff);
    rax = 0;
    TRY("inw $0x70, %%ax", rax);
    expect("inw 0x70 (index, RTC data)", rax, 0xff0c);

    rax = 0x80001234;
    TRY("movw $0xcf8, %%dx; outl %%eax, %%dx", rax);
    rax = 0;
    TRY("movw $0xcf8, %%dx; inl %%dx, %%eax", rax);
    expect("PCI config address read back", rax, 0x80001234);
    rax = 0;
    TRY("movw $0xcfc, %%dx; inl %%dx, %%eax", rax);
    expect("PCI config data (no access)", rax, 0xffffffffUL);
    rax = 0;
    TRY("movw $0xcfe, %%dx; inw %%dx, %%ax", rax);
    expect("PCI config data word", rax, 0xffff);
}

void test_main(const start_info_t *si)
{
    bool privileged = si->flags & SIF_PRIVILEGED;
    unsigned int n;

    kit_trap_hook = hook;

    if ( !in_faults("IN at IOPL 0") || !cli_sti_fault() )
        kit_test_failure("IN/CLI/STI at IOPL 0 did not fault");
    expect("set_iopl 4", set_iopl(4), -XEN_EINVAL);
    expect("set_iopl from NULL",
           HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, NULL), -XEN_EFAULT);
    expect("set_iopl 1", set_iopl(1), 0);
    if ( in_faults("IN at IOPL 1") || cli_sti_fault() )
        kit_test_failure("IN/CLI/STI at IOPL 1 faulted");
    if ( privileged )
        kit_printf("privileged domain: real port access, values not checked\n");
    else
        check_domu_ports();
    n = trap_count;
    expect("frame IOPL without the assist", frame_iopl(~0UL), 0);
    if ( trap_count != n + 1 )
        kit_test_failure("int3 did not reach the handler");

    /* architectural_iopl: the kernel is ring 0. */
    expect("set_iopl 0", set_iopl(0), 0);
    if ( !in_faults("IN at IOPL 0 again") )
        kit_test_failure("IN at IOPL 0 did not fault");
    expect("vm_assist architectural_iopl",
           HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl), 0);
    if ( in_faults("IN at IOPL 0, architectural") )
        kit_test_failure("IN at IOPL 0 faulted with architectural_iopl");
    expect("frame IOPL 0", frame_iopl(~0UL), 0);
    expect("set_iopl 2", set_iopl(2), 0);
    expect("frame IOPL 2, iret with 3", frame_iopl(3), 2);
    expect("frame IOPL after iret with 3", frame_iopl(1), 3);
    expect("frame IOPL after iret with 1", frame_iopl(~0UL), 1);
    expect("vm_assist architectural_iopl off",
           HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl), 0);
    expect("frame IOPL without the assist again", frame_iopl(~0UL), 0);
    if ( in_faults("IN at IOPL 1 (ring 1 again)") )
        kit_test_failure("IN at IOPL 1 faulted after the assist went");
    set_iopl(0);
    if ( !in_faults("IN at IOPL 0, last") )
        kit_test_failure("IN at IOPL 0 did not fault at the end");
    kit_test_success();
}
