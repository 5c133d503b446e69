/* SPDX-License-Identifier: MIT */
/* Entering, leaving and switching PV vCPUs on a pCPU; guest memory access. */
#include <asm/flushtlb.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/lib.h>
#include <tern/sched.h>
#include <xen/sched.h>
#include <xen/xen.h>

extern const char syscall_entry[], cstar_entry[], guest_copy_insn[],
    guest_copy_fixup_point[];
size_t guest_copy_raw(void *dst, const void *src, size_t n);

#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * SYSCALL from 32-bit compatibility mode (a guest may run 32-bit code
 * segments) enters at MSR_CSTAR. Tern has no compat system-call path: the
 * stub makes it the #UD that Intel CPUs raise for such a SYSCALL, at the
 * instruction (RCX holds the next RIP, R11 the RFLAGS), so the guest takes
 * its own #UD and Tern never runs at an address a guest chose. The frame
 * is built as syscall_entry (pv/entry.S) builds it.
 */
__asm__(
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl cstar_entry\n"
    "cstar_entry:\n"
    "    swapgs\n"
    "    mov %rsp, %gs:0\n"
    "    mov %gs:8, %rsp\n"
    "    pushq $" STR(GUEST_DS) "\n"
    "    pushq %gs:0\n"
    "    pushq %r11\n"
    "    pushq $" STR(GUEST_CS32) "\n"
    "    sub $2, %ecx\n"
    "    pushq %rcx\n"
    "    pushq $0\n"
    "    pushq $6\n"
    "    swapgs\n"
    "    jmp common_interrupt\n"
    "    .popsection\n");

/* Segment registers: read a selector, load one (in ring 0). */
#define read_sreg(name) ({ unsigned int s_; \
    __asm__ __volatile__("mov %%" #name ", %0" : "=r"(s_)); (uint16_t)s_; })
#define load_sreg(name, sel) \
    __asm__ __volatile__("mov %0, %%" #name :: "r"((unsigned int)(sel)) : "memory")

static void clts(void)
{
    __asm__ __volatile__("clts" ::: "memory");
}

void pv_cpu_init(void)
{
    struct percpu *pc = this_cpu();

    /* Guests use SSE: FXSAVE/FXRSTOR and unmasked SIMD exceptions. */
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    pc->sysc.frame_top = pc->tss.rsp[0];
    /* SYSCALL: CS 0xe008, SS 0xe010; SYSRET (64-bit): CS 0xe033, SS 0xe02b. */
    wrmsr(MSR_STAR, ((uint64_t)GUEST_CS32 << 48) | ((uint64_t)TERN_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);
    /* Clear IF, TF, DF, AC, NT on entry. */
    wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
    wrmsr(MSR_SHADOW_GS_BASE, (uint64_t)&pc->sysc);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);
}

struct cpu_regs *arch_guest_frame(void)
{
    return (struct cpu_regs *)(this_cpu()->tss.rsp[0] - sizeof(struct cpu_regs));
}

/*
 * A guest's data selectors live in the segment registers while it runs
 * (it loads them itself, in ring 3, from the flat selectors or its own
 * GDT); Tern saves them when it leaves and loads them when it comes back,
 * after its GDT is in place and before the FS/GS bases are written (a
 * selector load sets the base from the descriptor). A selector that no
 * longer loads (its descriptor changed or went) is loaded NUL and the
 * failsafe callback is made due, with what was to be loaded, as Xen's
 * load_segments() does. A vCPU starts with FLAT_KERNEL_DS in all four:
 * for a 64-bit guest that is NUL.
 */
static void save_segments(struct vcpu *v)
{
    v->pv.ds = read_sreg(ds);
    v->pv.es = read_sreg(es);
    v->pv.fs = read_sreg(fs);
    v->pv.gs = read_sreg(gs);
}

static void load_segments(struct vcpu *v)
{
    uint16_t want[4];
    bool ok[4];
    unsigned int i;

    want[0] = v->pv.ds;
    want[1] = v->pv.es;
    want[2] = v->pv.fs;
    want[3] = v->pv.gs;
    for ( i = 0; i < 4; i++ )
        ok[i] = pv_data_sel_ok(want[i]);
    load_sreg(ds, ok[0] ? want[0] : 0);
    load_sreg(es, ok[1] ? want[1] : 0);
    load_sreg(fs, ok[2] ? want[2] : 0);
    load_sreg(gs, ok[3] ? want[3] : 0);
    if ( !ok[0] || !ok[1] || !ok[2] || !ok[3] )
    {
        memcpy(v->pv.failsafe_segs, want, sizeof(want));
        v->pv.failsafe_pending = true;
    }
}

/* The guest-controlled bits of the real CR4: FSGSBASE (RD/WR{FS,GS}BASE in
 * ring 3 touch only the guest's own bases; Tern's SYSCALL entry reaches
 * its per-CPU area through the shadow GS base, which SWAPGS alone loads). */
void pv_load_cr4(const struct vcpu *v)
{
    unsigned long cr4 = read_cr4();
    unsigned long want = (cr4 & ~X86_CR4_FSGSBASE) | (v->pv.cr4 & X86_CR4_FSGSBASE);

    if ( want != cr4 )
        write_cr4(want);
}

void arch_switch_to(struct vcpu *prev, struct vcpu *next, struct cpu_regs *frame)
{
    if ( prev )
    {
        save_segments(prev);
        clts();
        __asm__ __volatile__("fxsave64 %0" : "=m"(prev->pv.fpu));
        prev->pv.regs = *frame;
        prev->pv.fs_base = rdmsr(MSR_FS_BASE);
        if ( prev->pv.kernel_mode )
            prev->pv.gs_base_kernel = rdmsr(MSR_GS_BASE);
        else
            prev->pv.gs_base_user = rdmsr(MSR_GS_BASE);
    }
    if ( !next )
    {
        pv_gdt_switch(NULL);                 /* no guest GDT entries or LDT */
        pv_debugreg_switch(NULL);
        switch_cr3(boot_sym_maddr(boot_l4));
        return;
    }
    *frame = next->pv.regs;
    clts();
    __asm__ __volatile__("fxrstor64 %0" :: "m"(next->pv.fpu));
    if ( next->pv.fpu_ts )
        write_cr0(read_cr0() | X86_CR0_TS);
    switch_cr3(next->pv.kernel_mode || !next->pv.user_cr3 ?
               next->pv.kernel_cr3 : next->pv.user_cr3);
    pv_gdt_switch(next);
    pv_load_cr4(next);
    load_segments(next);
    wrmsr(MSR_FS_BASE, next->pv.fs_base);
    wrmsr(MSR_GS_BASE, next->pv.kernel_mode ? next->pv.gs_base_kernel
                                            : next->pv.gs_base_user);
    pv_debugreg_switch(next);
}

void arch_enter_guest(struct cpu_regs *frame)
{
    pv_sanitise_frame(frame);
    __asm__ __volatile__("mov %0, %%rsp; jmp restore_all" :: "r"(frame) : "memory");
    __builtin_unreachable();
}

void reset_stack_and_call(void (*fn)(void))
{
    __asm__ __volatile__("mov %0, %%rsp; xor %%ebp, %%ebp; call *%1"
                         :: "r"(arch_guest_frame()), "r"(fn) : "memory");
    __builtin_unreachable();
}

/* The RFLAGS bits a guest may hold: arithmetic, TF, DF, RF, AC, ID (IF is
 * always on: the guest's own is evtchn_upcall_mask; IOPL, NT, VM never). */
#define GUEST_RFLAGS_MASK 0x250dd5ul

static bool canonical(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= 0xffff800000000000ul;
}

/*
 * Everything IRETQ to a guest checks in ring 0 must be right here, else the
 * fault would be Tern's: a canonical RIP (else the domain ends), and a
 * code and a stack selector that load: the flat ring-3 ones, or the
 * guest's own from its GDT. Where Xen's IRETQ would fault on them, the
 * guest takes that fault at the place it was returning to, as on Xen
 * (pv_iret_fault says which). RFLAGS keeps only what a guest may hold. A
 * failsafe callback still due from a context switch is made first.
 */
void pv_sanitise_frame(struct cpu_regs *frame)
{
    struct vcpu *v = current_vcpu();
    unsigned int vector, ec;

    if ( v->pv.gdt_stale )
        pv_gdt_reload(v);
    if ( v->pv.failsafe_pending )
        pv_deliver_events(frame);
    frame->rflags = (frame->rflags & GUEST_RFLAGS_MASK) | X86_EFLAGS_IF | 2;
    frame->cs &= 0xffff;                    /* the selector; the rest is not */
    frame->ss &= 0xffff;
    if ( !canonical(frame->rip) )
        domain_shutdown_current(SHUTDOWN_crash, "return to a non-canonical RIP");
    if ( !((frame->cs == GUEST_CS64 || frame->cs == GUEST_CS32) && frame->ss == GUEST_DS) &&
         pv_iret_fault((unsigned int)frame->cs, (unsigned int)frame->ss, &vector, &ec) )
    {
        pv_inject_trap(frame, vector, ec);
        frame->rflags = (frame->rflags & GUEST_RFLAGS_MASK) | X86_EFLAGS_IF | 2;
        pv_deliver_events(frame);
    }
}

/* Is [va, va+n) a range a guest may name? Not Tern's slots, canonical. */
static bool guest_range_ok(uint64_t va, size_t n)
{
    uint64_t end = va + n;

    if ( end < va )
        return false;
    if ( va < 0x0000800000000000ul )
        return end <= 0x0000800000000000ul;
    if ( va < HYPERVISOR_VIRT_END )
        return false;
    return true;
}

bool pv_guest_range_ok(uint64_t va, size_t n)
{
    return guest_range_ok(va, n);
}

/*
 * Xen's guest_handle_okay() for an array, a first filter before the
 * elements are copied one by one (each copy is checked again): the size
 * must not overflow, and its first and last bytes must be guest addresses
 * (canonical, outside Tern's slots); a range that wraps past the top of
 * the address space passes, as on Xen.
 */
static bool addr_ok(uint64_t a)
{
    return a < 0x0000800000000000ul || a >= HYPERVISOR_VIRT_END;
}

bool pv_guest_array_ok(uint64_t va, uint64_t n, size_t sz)
{
    if ( n >= ~0ul / sz )
        return false;
    return addr_ok(va) && (n == 0 || addr_ok(va + n * sz - 1));
}

int copy_from_guest(void *dst, uint64_t guest_va, size_t n)
{
    if ( !guest_range_ok(guest_va, n) )
        return -EFAULT;
    return guest_copy_raw(dst, (const void *)guest_va, n) ? -EFAULT : 0;
}

int copy_to_guest(uint64_t guest_va, const void *src, size_t n)
{
    if ( !guest_range_ok(guest_va, n) )
        return -EFAULT;
    return guest_copy_raw((void *)guest_va, src, n) ? -EFAULT : 0;
}

unsigned long guest_copy_fixup(unsigned long rip)
{
    return rip == (unsigned long)guest_copy_insn ?
           (unsigned long)guest_copy_fixup_point : 0;
}
