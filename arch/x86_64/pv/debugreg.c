/* SPDX-License-Identifier: MIT */
/* Guest debug registers: set_debugreg, get_debugreg, #DB and context switch. */
/*
 * Theory of operation
 *
 * Each vCPU has its own DR0-3, DR6 and DR7 (struct pv_vcpu), set and read
 * with the set_debugreg / get_debugreg hypercalls or the emulated
 * MOV to/from DRn, with Xen 4.17's rules for a 64-bit PV guest:
 *
 *   DR0-3  a guest address: below the hypervisor hole's 47-bit boundary or
 *          at/above HYPERVISOR_VIRT_END, else -EPERM. A breakpoint can
 *          therefore never match an address of Tern itself.
 *   DR6    the upper 32 bits must be 0 (-EINVAL); bit 12 reads as 0 and
 *          bits 4-11 and 16-31 as 1.
 *   DR7    the upper 32 bits must be 0 (-EINVAL); bit 10 reads as 1, bits
 *          11, 12, 14, 15 as 0; GD (bit 13) is -EPERM. An I/O breakpoint
 *          (R/W = 10b) needs the guest's virtual CR4.DE (-EPERM without);
 *          its enable bits go to dr7_emul instead of the hardware: Tern
 *          emulates port I/O, so it checks those breakpoints itself
 *          (pv_io_breakpoint). get_debugreg(7) shows both.
 *   DR4/5  aliases of DR6/7 while CR4.DE is clear, -ENODEV with it set.
 *   other  -ENODEV.
 *
 * The hardware holds a vCPU's registers only while it runs and only when
 * one of its breakpoints is enabled (DR7 bits 0-7): they are loaded when
 * it is switched in and DR7 is cleared when it leaves (dr_armed says
 * whether this pCPU's DR7 is live), so no breakpoint of one guest can fire
 * in another or in the idle loop.
 *
 * #DB taken in the guest: the hardware DR6 is folded into the vCPU's
 * (new status bits are sticky until the guest clears them, as on bare
 * metal), reset to its default, and the exception is bounced to the
 * guest's vector 1. #DB taken in Tern (a data breakpoint the guest set on
 * a buffer that Tern then copies, or a #DB that a guest's MOV SS deferred
 * onto SYSCALL entry) is noted and dropped, as Xen drops it: #DB runs on
 * its own IST stack (desc.c) so that the deferred case never uses the
 * guest's RSP.
 */
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/sched.h>
#include <xen/xen.h>

#define DR6_DEFAULT      0xffff0ff0ul   /* reserved bits that read as 1 */
#define DR6_RSVD_ZERO    0x00001000ul   /* bit 12 reads as 0 */
#define DR6_TRAPS        0x0000000ful   /* B0-B3 */
#define DR7_DEFAULT      0x00000400ul   /* bit 10 reads as 1 */
#define DR7_WRITABLE     0xffff27fful   /* bits 11, 12, 14, 15 read as 0 */
#define DR7_ACTIVE_MASK  0x000000fful   /* L0-3 and G0-3 */
#define DR_GENERAL_DETECT 0x00002000ul
#define DR_CONTROL_SHIFT 16             /* R/W0, LEN0 at bits 16-19 ... */
#define DR_CONTROL_SIZE  4
#define DR_RW_EXECUTE    0
#define DR_RW_IO         2
#define X86_CR4_DE       (1ul << 3)
#define X86_EFLAGS_TF    (1ul << 8)

/* Is this pCPU's DR7 loaded with a vCPU's enabled breakpoints? */
static bool dr_armed[NR_CPUS];

static uint64_t read_dr(unsigned int n)
{
    uint64_t v = 0;

    switch ( n )
    {
    case 0: __asm__ __volatile__("mov %%dr0, %0" : "=r"(v)); break;
    case 1: __asm__ __volatile__("mov %%dr1, %0" : "=r"(v)); break;
    case 2: __asm__ __volatile__("mov %%dr2, %0" : "=r"(v)); break;
    case 3: __asm__ __volatile__("mov %%dr3, %0" : "=r"(v)); break;
    case 6: __asm__ __volatile__("mov %%dr6, %0" : "=r"(v)); break;
    case 7: __asm__ __volatile__("mov %%dr7, %0" : "=r"(v)); break;
    }
    return v;
}

static void write_dr(unsigned int n, uint64_t v)
{
    switch ( n )
    {
    case 0: __asm__ __volatile__("mov %0, %%dr0" :: "r"(v)); break;
    case 1: __asm__ __volatile__("mov %0, %%dr1" :: "r"(v)); break;
    case 2: __asm__ __volatile__("mov %0, %%dr2" :: "r"(v)); break;
    case 3: __asm__ __volatile__("mov %0, %%dr3" :: "r"(v)); break;
    case 6: __asm__ __volatile__("mov %0, %%dr6" :: "r"(v)); break;
    case 7: __asm__ __volatile__("mov %0, %%dr7" :: "r"(v)); break;
    }
}

static uint64_t vcpu_dr6(const struct vcpu *v)
{
    return v->pv.dr6 ? v->pv.dr6 : DR6_DEFAULT;
}

static uint64_t vcpu_dr7(const struct vcpu *v)
{
    return v->pv.dr7 ? v->pv.dr7 : DR7_DEFAULT;
}

/* Load all of v's registers into this pCPU (v is, or becomes, current). */
static void activate(const struct vcpu *v)
{
    unsigned int i;

    for ( i = 0; i < 4; i++ )
        write_dr(i, v->pv.dr[i]);
    write_dr(6, vcpu_dr6(v));
    write_dr(7, vcpu_dr7(v));
    dr_armed[smp_processor_id()] = true;
}

void pv_debugreg_switch(const struct vcpu *next)
{
    bool *armed = &dr_armed[smp_processor_id()];

    if ( next && (vcpu_dr7(next) & DR7_ACTIVE_MASK) )
        activate(next);
    else if ( *armed )
    {
        write_dr(7, DR7_DEFAULT);
        *armed = false;
    }
}

/* Breakpoint addresses the guest may use: outside Tern's hole, canonical. */
static bool breakpoint_addr_ok(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= HYPERVISOR_VIRT_END;
}

long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value)
{
    bool cur = v == current_vcpu();
    uint32_t io = 0;
    unsigned int i;

    switch ( reg )
    {
    case 0 ... 3:
        if ( !breakpoint_addr_ok(value) )
            return -EPERM;
        v->pv.dr[reg] = value;
        if ( cur )
            write_dr(reg, value);
        return 0;

    case 4:
        if ( v->pv.cr4 & X86_CR4_DE )
            return -ENODEV;
        /* fall through */
    case 6:
        if ( value != (uint32_t)value )
            return -EINVAL;
        value = (value & ~DR6_RSVD_ZERO) | DR6_DEFAULT;
        v->pv.dr6 = value;
        if ( cur )
            write_dr(6, value);
        return 0;

    case 5:
        if ( v->pv.cr4 & X86_CR4_DE )
            return -ENODEV;
        /* fall through */
    case 7:
        if ( value != (uint32_t)value )
            return -EINVAL;
        value = (value & DR7_WRITABLE) | DR7_DEFAULT;
        if ( value & DR_GENERAL_DETECT )
            return -EPERM;
        if ( value & DR7_ACTIVE_MASK )
        {
            for ( i = 0; i < 4; i++ )
            {
                unsigned int rw = (value >> (DR_CONTROL_SHIFT + i * DR_CONTROL_SIZE)) & 3;

                if ( rw != DR_RW_IO )
                    continue;
                if ( !(v->pv.cr4 & X86_CR4_DE) )
                    return -EPERM;
                io |= (uint32_t)value & (3u << (i * 2));
            }
            value &= ~(uint64_t)io;
        }
        v->pv.dr7_emul = io;
        v->pv.dr7 = value;
        if ( cur )
        {
            if ( value & DR7_ACTIVE_MASK )
                activate(v);
            else
                pv_debugreg_switch(NULL);
        }
        return 0;

    default:
        return -ENODEV;
    }
}

long pv_get_debugreg(const struct vcpu *v, unsigned int reg, uint64_t *val)
{
    switch ( reg )
    {
    case 0 ... 3:
        *val = v->pv.dr[reg];
        return 0;
    case 4:
        if ( v->pv.cr4 & X86_CR4_DE )
            return -ENODEV;
        /* fall through */
    case 6:
        *val = vcpu_dr6(v);
        return 0;
    case 5:
        if ( v->pv.cr4 & X86_CR4_DE )
            return -ENODEV;
        /* fall through */
    case 7:
        *val = vcpu_dr7(v) | v->pv.dr7_emul;
        return 0;
    default:
        return -ENODEV;
    }
}

/*
 * set_debugreg(reg, value) and get_debugreg(reg): reg is an int in Xen's
 * prototypes, so only its low 32 bits count. get_debugreg returns the
 * register's value (which may look negative) or -ENODEV.
 */
long do_set_debugreg(unsigned long reg, unsigned long value)
{
    return pv_set_debugreg(current_vcpu(), (unsigned int)reg, value);
}

long do_get_debugreg(unsigned long reg)
{
    uint64_t val;
    long rc = pv_get_debugreg(current_vcpu(), (unsigned int)reg, &val);

    return rc ? rc : (long)val;
}

unsigned int pv_io_breakpoint(const struct vcpu *v, unsigned int port,
                              unsigned int len)
{
    unsigned int i, width, match = 0;

    if ( !v->pv.dr7_emul || !(v->pv.cr4 & X86_CR4_DE) )
        return 0;
    for ( i = 0; i < 4; i++ )
    {
        uint64_t start = v->pv.dr[i];

        if ( !(v->pv.dr7_emul & (3u << (i * 2))) )
            continue;
        switch ( (vcpu_dr7(v) >> (DR_CONTROL_SHIFT + i * DR_CONTROL_SIZE + 2)) & 3 )
        {
        case 0: width = 1; break;
        case 1: width = 2; break;
        case 2: width = 8; break;
        default: width = 4; break;
        }
        if ( start < port + len && start + width > port )
            match |= 1u << i;
    }
    return match;
}

void pv_debug_note(struct vcpu *v, uint64_t bits)
{
    v->pv.dr6 = vcpu_dr6(v) | bits;
}

void pv_debug_trap_guest(struct vcpu *v)
{
    uint64_t hw = read_dr(6), dr6 = vcpu_dr6(v);

    write_dr(6, DR6_DEFAULT);
    dr6 |= hw & ~DR6_DEFAULT;
    dr6 &= hw | ~DR6_DEFAULT;
    v->pv.dr6 = dr6;
}

void pv_debug_trap_tern(struct cpu_regs *r)
{
    static unsigned int reported;
    uint64_t dr6 = read_dr(6), dr7 = read_dr(7);
    unsigned int bp;

    write_dr(6, DR6_DEFAULT);
    /* A single step that leaked into Tern: stop stepping. */
    r->rflags &= ~X86_EFLAGS_TF;
    /*
     * Instruction breakpoints are faults: returning would hit them again.
     * Guests cannot point one at Tern's addresses, so one here means the
     * rules failed: disarm everything.
     */
    for ( bp = 0; bp < 4; bp++ )
        if ( (dr6 & (1u << bp)) && (dr7 & (3u << (bp * 2))) &&
             ((dr7 >> (DR_CONTROL_SHIFT + bp * DR_CONTROL_SIZE)) & 3) == DR_RW_EXECUTE )
        {
            printk(TLOG_ERR "Instruction breakpoint hit in Tern at %016lx\n", r->rip);
            write_dr(7, DR7_DEFAULT);
            break;
        }
    if ( __atomic_fetch_add(&reported, 1, __ATOMIC_RELAXED) < 8 )
        printk(TLOG_WARNING "#DB in Tern at %016lx (dr6 %#lx) ignored\n",
               r->rip, dr6);
}
