/* SPDX-License-Identifier: MIT */
/*
 * Test guest debugreg: set_debugreg / get_debugreg and the emulated
 * MOV to/from DRn follow Xen 4.17's rules for a 64-bit PV guest, and the
 * breakpoints work.
 *
 * Proves: DR6/DR7 start at 0xffff0ff0 / 0x400; DR0-3 take a guest address
 * and refuse one in the hypervisor hole or non-canonical (-EPERM); DR6 and
 * DR7 refuse upper bits (-EINVAL), read back with their reserved bits
 * fixed; DR7.GD is -EPERM, and so is an I/O breakpoint without CR4.DE;
 * DR4/5 alias DR6/7 while CR4.DE is clear and are -ENODEV with it set, as
 * is any register above 7; the register number is an int (bits above 31
 * ignored). A write watchpoint on a variable raises #DB after the write
 * with DR6.B0, also after a context switch; one that the hypervisor hits
 * while it writes a hypercall's result is not the guest's (no #DB, DR6
 * unchanged); an execution breakpoint on a
 * function raises #DB at its first instruction with DR6.B1; an I/O
 * breakpoint (CR4.DE set by MOV to CR4, IOPL 1) raises #DB after the OUT
 * with DR6.B0. MOV from DR7 agrees with get_debugreg; a refused MOV to
 * DR0 is #GP(0), MOV from DR8 #UD.
 */
#include <kit/kit.h>
#include <kit/traps.h>

#define DR6_DEFAULT 0xffff0ff0UL
#define DR7_DEFAULT 0x400UL
#define CR4_DE      (1UL << 3)
#define MS          1000000ULL

volatile uint32_t debugreg_watched __attribute__((aligned(8)));
static char debugreg_buffer[XEN_EXTRAVERSION_LEN] __attribute__((aligned(8)));
unsigned long debugreg_exp_resume, debugreg_exp_next;

static struct kit_trap_frame seen;
static unsigned int seen_count;
static unsigned long seen_dr6;

static long set_dr(unsigned long reg, unsigned long val)
{
    return KIT_HC(__HYPERVISOR_set_debugreg, reg, val, 0, 0, 0);
}

static long get_dr(unsigned long reg)
{
    return KIT_HC(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}

__attribute__((noinline)) void debugreg_target(void);
__attribute__((noinline)) void debugreg_target(void)
{
    __asm__ volatile ("nop");
}

/*
 * #DB: note the frame and DR6 and disarm every breakpoint (an execution
 * breakpoint would fire again on the resumed instruction). Other vectors:
 * taken only when a case expects one (resume at debugreg_exp_resume).
 */
static bool hook(struct kit_trap_frame *f)
{
    if ( f->vector == 1 )
    {
        seen = *f;
        seen_count++;
        seen_dr6 = (unsigned long)get_dr(6);
        set_dr(7, 0);
        return true;
    }
    if ( !debugreg_exp_resume )
        return false;
    seen = *f;
    seen_count++;
    f->rip = debugreg_exp_resume;
    debugreg_exp_resume = 0;
    return true;
}

/* Run insn, with debugreg_exp_resume after it and debugreg_exp_next its
 * end. */
#define PROVOKE(pre, insn, ...)                                         \
    __asm__ volatile (                                                  \
        "leaq 2f(%%rip), %%rax\n\t"                                     \
        "movq %%rax, debugreg_exp_resume(%%rip)\n\t"                    \
        "movq %%rax, debugreg_exp_next(%%rip)\n\t"                      \
        pre "\n"                                                        \
        "1: " insn "\n"                                                 \
        "2:\n"                                                          \
        ::: "rax", "memory", ##__VA_ARGS__)

static void expect(const char *what, long rc, long want)
{
    if ( rc != want )
        kit_test_failure("%s: %#lx, want %#lx", what, rc, want);
}

/* One #DB since count, at rip, with DR6 dr6. */
static void expect_db(const char *what, unsigned int count, unsigned long rip,
                      unsigned long dr6)
{
    if ( seen_count != count + 1 )
    {
        kit_test_failure("%s: %u exceptions, want one #DB", what, seen_count - count);
        return;
    }
    kit_printf("%s: vector %lu rip %#lx dr6 %#lx\n", what, seen.vector,
               seen.rip, seen_dr6);
    if ( seen.vector != 1 || seen.rip != rip || seen_dr6 != dr6 )
        kit_test_failure("%s: vector %lu rip %#lx dr6 %#lx, want 1 %#lx %#lx",
                         what, seen.vector, seen.rip, seen_dr6, rip, dr6);
}

static void check_registers(void)
{
    expect("initial dr6", get_dr(6), DR6_DEFAULT);
    expect("initial dr7", get_dr(7), DR7_DEFAULT);

    expect("dr0 user address", set_dr(0, 0x1000), 0);
    expect("dr0 read back", get_dr(0), 0x1000);
    expect("dr1 top of the lower half", set_dr(1, 0x00007ffffffff000UL), 0);
    expect("dr2 non-canonical", set_dr(2, 0x0000800000000000UL), -XEN_EPERM);
    expect("dr2 hole start", set_dr(2, 0xffff800000000000UL), -XEN_EPERM);
    expect("dr2 hole end", set_dr(2, 0xffff87fffffffff8UL), -XEN_EPERM);
    expect("dr2 after the hole", set_dr(2, 0xffff880000000000UL), 0);
    expect("dr3 kernel address", set_dr(3, (unsigned long)&debugreg_watched), 0);
    expect("dr2 unchanged by a refusal", get_dr(2), (long)0xffff880000000000UL);

    expect("dr6 upper bits", set_dr(6, 1UL << 32), -XEN_EINVAL);
    expect("dr6 = 0", set_dr(6, 0), 0);
    expect("dr6 reads default", get_dr(6), DR6_DEFAULT);
    expect("dr6 = 0x1001", set_dr(6, 0x1001), 0);
    expect("dr6 bit 12 reads 0", get_dr(6), DR6_DEFAULT | 1);
    expect("dr7 upper bits", set_dr(7, 1UL << 32), -XEN_EINVAL);
    expect("dr7 GD", set_dr(7, 0x2000), -XEN_EPERM);
    expect("dr7 reserved bits", set_dr(7, 0xd800), 0);
    expect("dr7 reads default", get_dr(7), DR7_DEFAULT);
    expect("dr7 I/O breakpoint without CR4.DE", set_dr(7, 0x20001), -XEN_EPERM);

    expect("dr4 is dr6", set_dr(4, 0), 0);
    expect("dr4 read", get_dr(4), DR6_DEFAULT);
    expect("dr5 is dr7", get_dr(5), DR7_DEFAULT);
    expect("set dr8", set_dr(8, 0), -XEN_ENODEV);
    expect("get dr8", get_dr(8), -XEN_ENODEV);
    expect("get dr -1", get_dr(~0UL), -XEN_ENODEV);
    expect("get dr 2^32 + 0", get_dr(1UL << 32), 0x1000);
}

static void check_breakpoints(void)
{
    struct sched_poll poll = { .nr_ports = 0 };
    unsigned int n;

    /* A 4-byte write watchpoint (RW0 = 01, LEN0 = 11, L0). */
    set_dr(6, 0);
    expect("watchpoint dr0", set_dr(0, (unsigned long)&debugreg_watched), 0);
    expect("watchpoint dr7", set_dr(7, 0x000d0001), 0);
    expect("watchpoint dr7 read", get_dr(7), 0x000d0401);
    n = seen_count;
    PROVOKE("", "movl $1, debugreg_watched(%%rip)");
    debugreg_exp_resume = 0;
    expect_db("write watchpoint", n, debugreg_exp_next, DR6_DEFAULT | 1);

    /* Again after sleeping 5 ms: the registers follow the vCPU. */
    set_dr(6, 0);
    set_dr(7, 0x000d0001);
    poll.timeout = kit_system_time() + 5 * MS;
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    n = seen_count;
    PROVOKE("", "movl $2, debugreg_watched(%%rip)");
    debugreg_exp_resume = 0;
    expect_db("watchpoint after a sleep", n, debugreg_exp_next, DR6_DEFAULT | 1);

    /*
     * A watchpoint that the hypervisor itself hits, copying a hypercall's
     * result into the watched buffer: the #DB is its own, dropped there;
     * the guest sees none, and its DR6 is unchanged.
     */
    set_dr(6, 0);
    expect("buffer dr0", set_dr(0, (unsigned long)debugreg_buffer), 0);
    expect("buffer dr7", set_dr(7, 0x00090001), 0);  /* write, 8 bytes */
    n = seen_count;
    expect("extraversion into a watched buffer",
           HYPERVISOR_xen_version(XENVER_extraversion, debugreg_buffer), 0);
    if ( seen_count != n )
        kit_test_failure("a watchpoint hit inside a hypercall reached the guest");
    expect("dr6 after a hypercall hit", get_dr(6), DR6_DEFAULT);
    set_dr(7, 0);
    kit_printf("extraversion \"%s\", no #DB in the guest\n", debugreg_buffer);

    /* An execution breakpoint (RW1 = 00, LEN1 = 00, L1): a fault. */
    set_dr(6, 0);
    expect("exec dr1", set_dr(1, (unsigned long)debugreg_target), 0);
    expect("exec dr7", set_dr(7, 0x4), 0);
    n = seen_count;
    debugreg_target();
    expect_db("execution breakpoint", n, (unsigned long)debugreg_target,
              DR6_DEFAULT | 2);
}

static void check_mov_dr(void)
{
    unsigned long v;
    unsigned int n;

    set_dr(7, 0x00000100);                   /* LE: no breakpoint enabled */
    __asm__ volatile ("mov %%dr7, %0" : "=r"(v));
    expect("mov from dr7", (long)v, get_dr(7));
    __asm__ volatile ("mov %0, %%dr1" :: "r"(0x2000UL));
    expect("mov to dr1", get_dr(1), 0x2000);
    set_dr(7, 0);

    n = seen_count;
    PROVOKE("movabsq $0xffff800000000000, %%rax", "mov %%rax, %%dr0");
    if ( seen_count != n + 1 || seen.vector != 13 || seen.error_code != 0 )
        kit_test_failure("mov to dr0 of a hole address: %u traps, vector %lu "
                         "ec %#lx, want #GP(0)", seen_count - n, seen.vector,
                         seen.error_code);
    n = seen_count;
    PROVOKE("", ".byte 0x44, 0x0f, 0x21, 0xc0");      /* mov %dr8, %rax */
    if ( seen_count != n + 1 || seen.vector != 6 )
        kit_test_failure("mov from dr8: %u traps, vector %lu, want #UD",
                         seen_count - n, seen.vector);
}

static void check_io_breakpoint(void)
{
    struct physdev_set_iopl iopl = { .iopl = 1 };
    unsigned long cr4;
    unsigned int n;

    __asm__ volatile ("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile ("mov %0, %%cr4" :: "r"(cr4 | CR4_DE));
    __asm__ volatile ("mov %%cr4, %0" : "=r"(cr4));
    kit_printf("cr4 %#lx\n", cr4);
    if ( !(cr4 & CR4_DE) )
    {
        kit_test_failure("CR4.DE does not stick: cr4 %#lx", cr4);
        return;
    }
    expect("dr4 with CR4.DE", get_dr(4), -XEN_ENODEV);
    expect("set dr5 with CR4.DE", set_dr(5, 0), -XEN_ENODEV);
    set_dr(6, 0);
    expect("I/O dr0", set_dr(0, 0x80), 0);
    expect("I/O breakpoint dr7", set_dr(7, 0x20001), 0);
    expect("I/O breakpoint dr7 read", get_dr(7), 0x20401);
    expect("set_iopl 1", HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl), 0);
    n = seen_count;
    PROVOKE("xorl %%eax, %%eax", "outb %%al, $0x80");
    debugreg_exp_resume = 0;
    expect_db("I/O breakpoint", n, debugreg_exp_next, DR6_DEFAULT | 1);

    iopl.iopl = 0;
    HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl);
    set_dr(7, 0);
    __asm__ volatile ("mov %0, %%cr4" :: "r"(cr4 & ~CR4_DE));
    expect("dr4 after CR4.DE is clear again", get_dr(4), DR6_DEFAULT | 1);
    expect("dr6 = 0 through dr4", set_dr(4, 0), 0);
    expect("dr6 read", get_dr(6), DR6_DEFAULT);
}

void test_main(const start_info_t *si)
{
    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    kit_trap_hook = hook;

    check_registers();
    check_breakpoints();
    check_mov_dr();
    check_io_breakpoint();
    kit_test_success();
}
