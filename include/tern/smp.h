/* SPDX-License-Identifier: MIT */
/* CPUs: per-CPU data, bring-up and IPIs (arch/x86_64/smp.c). */
#ifndef TERN_SMP_H
#define TERN_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/config.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <tern/timer.h>

/* Per-CPU state, indexed by logical CPU number. */
/* What SYSCALL entry finds through the shadow GS base (entry.S offsets). */
struct syscall_area {
    uint64_t scratch_rsp;            /* the guest's RSP while entering */
    uint64_t frame_top;              /* where the guest frame ends (TSS.RSP0) */
};

struct vcpu;

struct percpu {
    struct syscall_area sysc;        /* first: GS-relative offsets 0 and 8 */
    unsigned int cpu;
    uint32_t apic_id;
    volatile bool online;
    void *stack;                     /* STACK_SIZE block */
    struct tss tss;
    uint64_t *gdt;                   /* GDT_ENTRIES descriptors */
    struct timer_queue timers;
    uint64_t irq_count;              /* interrupts taken, for the debug keys */
    struct vcpu *curr;               /* the vCPU running here, NULL when idle */
    volatile bool need_resched;
    struct timer slice_timer;        /* ends the current vCPU's timeslice */
    volatile uint64_t tlb_flush_time; /* tick of the last CR3 load (flushtlb.c) */
    volatile bool tlb_flush_req;     /* another CPU asks for a flush */
    struct {                         /* hypercall_create_continuation() */
        bool pending;
        unsigned int nargs;
        unsigned long nr, args[4];
    } hc_cont;
    unsigned int in_multicall;       /* no preemption inside a multicall */
};

extern struct percpu percpu_data[NR_CPUS];
extern unsigned int nr_cpu_ids;      /* CPUs found (MADT) */

/* Found from the stack top, as the CPU number is (asm/current.h). */
static inline struct percpu *this_cpu(void)
{
    return (struct percpu *)get_cpu_info()->percpu;
}

unsigned int num_online_cpus(void);
/* Bring up every CPU the MADT lists; returns how many are online. */
unsigned int smp_boot_cpus(void);
/* The idle loop every CPU ends in (arch/x86_64/setup.c). */
void __noreturn idle_loop(void);
/* Halt every other CPU (panic, power-off). */
void smp_stop_others(void);
/* Send vector to one CPU / to all others. */
void smp_send_ipi(unsigned int cpu, uint8_t vector);
void smp_send_ipi_others(uint8_t vector);

/* Vectors Tern uses. */
#define VEC_TIMER      0xf0
#define VEC_EVENT      0xf1          /* wake up and look around */
#define VEC_STOP       0xf2          /* halt for good */
#define VEC_FLUSH      0xf3          /* flush the TLB (flushtlb.c) */
#define VEC_SPURIOUS   0xff
#define VEC_SYSCALL    0x100         /* not a vector: a guest's SYSCALL */

#endif /* TERN_SMP_H */
