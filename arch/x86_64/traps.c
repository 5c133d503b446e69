/* SPDX-License-Identifier: MIT */
/* Interrupt dispatch and the crash report for faults inside Tern. */
#include <asm/apic.h>
#include <asm/processor.h>
#include <asm/regs.h>
#include <asm/flushtlb.h>
#include <tern/console.h>
#include <tern/smp.h>
#include <tern/hypercall.h>
#include <tern/sched.h>
#include <tern/timer.h>
#include <asm/pv.h>

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualisation",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24",
    "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

/* Walk the frame-pointer chain while it stays inside this CPU's stack. */
static void show_stack_trace(const struct cpu_regs *r)
{
    unsigned long lo = r->rsp & ~(unsigned long)(STACK_SIZE - 1);
    unsigned long hi = lo + STACK_SIZE;
    unsigned long fp = r->rbp;
    unsigned int depth = 0;

    printk(TLOG_ERR "Call trace:\n");
    printk(TLOG_ERR "   [<%016lx>] %pS\n", r->rip, (void *)r->rip);
    while ( fp >= lo && fp + 16 <= hi && !(fp & 7) && depth++ < 32 )
    {
        unsigned long ret = ((unsigned long *)fp)[1];
        unsigned long next = ((unsigned long *)fp)[0];

        if ( !ret )
            break;
        printk(TLOG_ERR "   [<%016lx>] %pS\n", ret, (void *)ret);
        if ( next <= fp )
            break;
        fp = next;
    }
}

/* Print everything that helps find a fault in Tern itself, then halt. */
static void __noreturn fatal_trap(const struct cpu_regs *r)
{
    console_force_unlock();
    printk(TLOG_ERR "----[ Tern crash: %s (vector %lu), error code %#lx, CPU %u ]----\n",
           r->vector < 32 ? exception_names[r->vector] : "interrupt",
           r->vector, r->error_code, smp_processor_id());
    printk(TLOG_ERR "RIP: %04lx:[<%016lx>] %pS\n", r->cs, r->rip, (void *)r->rip);
    printk(TLOG_ERR "RFLAGS: %016lx  RSP: %04lx:%016lx\n", r->rflags, r->ss, r->rsp);
    printk(TLOG_ERR "rax: %016lx rbx: %016lx rcx: %016lx\n", r->rax, r->rbx, r->rcx);
    printk(TLOG_ERR "rdx: %016lx rsi: %016lx rdi: %016lx\n", r->rdx, r->rsi, r->rdi);
    printk(TLOG_ERR "rbp: %016lx r8:  %016lx r9:  %016lx\n", r->rbp, r->r8, r->r9);
    printk(TLOG_ERR "r10: %016lx r11: %016lx r12: %016lx\n", r->r10, r->r11, r->r12);
    printk(TLOG_ERR "r13: %016lx r14: %016lx r15: %016lx\n", r->r13, r->r14, r->r15);
    printk(TLOG_ERR "cr0: %016lx cr2: %016lx cr3: %016lx cr4: %016lx\n",
           read_cr0(), read_cr2(), read_cr3(), read_cr4());
    show_stack_trace(r);
    panic("fatal %s in Tern at %pS",
          r->vector < 32 ? exception_names[r->vector] : "interrupt",
          (void *)r->rip);
}

void do_interrupt(struct cpu_regs *r);

/* The guest frame moved off an IST stack: handle it on the primary stack. */
static void __noreturn ist_from_guest(void)
{
    struct cpu_regs *frame = arch_guest_frame();

    do_interrupt(frame);
    arch_enter_guest(frame);
}

/* Everything but a hypercall: exceptions, interrupts, IPIs. */
static void handle_vector(struct cpu_regs *r)
{
    unsigned long fixup;

    this_cpu()->irq_count++;
    switch ( r->vector )
    {
    case VEC_TIMER:
        apic_eoi();
        timer_softirq();
        break;
    case VEC_EVENT:
        apic_eoi();
        break;
    case VEC_FLUSH:
        apic_eoi();
        tlb_answer_request();
        break;
    case VEC_STOP:
        apic_eoi();
        for ( ;; )
            halt();
    case VEC_SPURIOUS:
        break;
    case 2:
        printk(TLOG_WARNING "NMI on CPU %u ignored\n", smp_processor_id());
        break;
    default:
        if ( r->vector < 32 && regs_from_guest(r) )
        {
            pv_guest_trap(r);
            break;
        }
        if ( r->vector == 14 && (fixup = guest_copy_fixup(r->rip)) )
        {
            r->rip = fixup;
            break;
        }
        if ( r->vector == 1 )
        {
            pv_debug_trap_tern(r);
            break;
        }
        if ( r->vector < 32 )
            fatal_trap(r);
        printk(TLOG_WARNING "unexpected interrupt vector %lu on CPU %u\n",
               r->vector, smp_processor_id());
        if ( r->vector >= 0x20 )
            apic_eoi();
        break;
    }
}

/* Called from entry.S for every vector (and VEC_SYSCALL for a guest's
 * SYSCALL), interrupts disabled. */
void do_interrupt(struct cpu_regs *r)
{
    /*
     * An IST vector (#DB, NMI, #MC) taken in a guest arrives on its IST
     * stack. Handling it there could bounce, switch vCPUs or take another
     * #DB (a guest watchpoint on the stack Tern writes the bounce frame
     * to) on the same IST stack. The primary stack is unused while a
     * guest runs: move the frame to where any other guest entry puts it
     * and go on from there.
     */
    if ( VECTOR_ON_IST(r->vector) &&
         regs_from_guest(r) && r != arch_guest_frame() )
    {
        *arch_guest_frame() = *r;
        reset_stack_and_call(ist_from_guest);
    }

    if ( r->vector == VEC_SYSCALL )
        do_hypercall(r);
    else
        handle_vector(r);
    if ( regs_from_guest(r) )
    {
        if ( this_cpu()->need_resched )
            schedule_tail(r);
        pv_deliver_events(r);
        pv_sanitise_frame(r);
    }
}
