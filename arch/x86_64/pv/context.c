/* SPDX-License-Identifier: MIT */
/* Entering, leaving and switching PV vCPUs on a pCPU; guest memory access. */
#include <asm/flushtlb.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/sched.h>
#include <xen/sched.h>
#include <xen/xen.h>

extern const char syscall_entry[], guest_copy_insn[], guest_copy_fixup_point[];
size_t guest_copy_raw(void *dst, const void *src, size_t n);

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
    wrmsr(MSR_CSTAR, 0);
    /* Clear IF, TF, DF, AC, NT on entry. */
    wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
    wrmsr(MSR_SHADOW_GS_BASE, (uint64_t)&pc->sysc);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);
}

struct cpu_regs *arch_guest_frame(void)
{
    return (struct cpu_regs *)(this_cpu()->tss.rsp[0] - sizeof(struct cpu_regs));
}

void arch_switch_to(struct vcpu *prev, struct vcpu *next, struct cpu_regs *frame)
{
    if ( prev )
    {
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
 * fault would be Tern's: only the flat ring-3 selectors and a canonical RIP.
 * Anything else ends the domain.
 */
void pv_sanitise_frame(struct cpu_regs *frame)
{
    frame->rflags = (frame->rflags & GUEST_RFLAGS_MASK) | X86_EFLAGS_IF | 2;
    if ( frame->cs != GUEST_CS64 && frame->cs != GUEST_CS32 )
        frame->cs = GUEST_CS64;
    frame->ss = GUEST_DS;
    if ( !canonical(frame->rip) )
        domain_shutdown_current(SHUTDOWN_crash, "return to a non-canonical RIP");
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
