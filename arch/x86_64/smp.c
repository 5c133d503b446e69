/* SPDX-License-Identifier: MIT */
/* Secondary CPU bring-up (INIT-SIPI-SIPI), IPIs and the per-CPU data. */
/*
 * Logical CPU n is the n-th APIC id of the MADT (acpi_info.apic_ids, the
 * boot CPU first). The boot CPU (BSP) starts the others (APs) one at a
 * time, because they share the trampoline page and its parameters:
 *
 *   BSP                                     AP (waiting for SIPI)
 *   stack block + cpu_info {n, apic id}
 *   params: stack, entry, callin = 0
 *   INIT assert, [10 ms on old CPUs],
 *   INIT deassert                           reset
 *   STARTUP (vector TRAMPOLINE_PHYS >> 12)  -> real mode: callin = 1
 *   wait callin 200 us, else 2nd STARTUP       32-bit, long mode (idle CR3)
 *   wait callin up to 1 s                      start_secondary(), own stack:
 *                                              GDT/TSS/IDT, CR0/CR4, LAPIC,
 *                                              LAPIC timer, one 1 ms tick,
 *   wait online up to 1 s              <----   print, online = true
 *   next CPU                                   idle_loop()
 *
 * A CPU that misses a deadline gets INIT again, which parks it in
 * wait-for-SIPI, off the trampoline and its stack; it stays offline and
 * the next CPU is started. The AP reads everything it needs from the
 * trampoline page before it calls C, so once it is online the page may be
 * rewritten for the next one. Modern CPUs (and virtual ones) skip the
 * 10 ms INIT wait, as Linux does: boot time matters to Tern.
 */
#include <asm/apic.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <tern/acpi.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/params.h>
#include <tern/smp.h>
#include <asm/pv.h>

struct percpu percpu_data[NR_CPUS];
unsigned int nr_cpu_ids = 1;

#define EFER_SCE          (1ul << 0)
#define EFER_LME          (1ul << 8)
#define EFER_NXE          (1ul << 11)

#define INIT_WAIT_LEGACY  MILLISECS(10)
#define SIPI_FIRST_WAIT   ((s_time_t)200000)       /* 200 us */
#define CALLIN_TIMEOUT    SECONDS(1)
#define ONLINE_TIMEOUT    SECONDS(1)
#define AP_TICK_TIMEOUT   MILLISECS(100)

/* The parameter block at trampoline_params (trampoline.S). */
struct trampoline_params {
    volatile uint32_t callin;
    uint32_t cr3;
    uint32_t efer;
    uint32_t _pad;
    uint64_t stack;
    uint64_t entry;
};

extern const char trampoline_start[], trampoline_end[], trampoline_params[];
extern const uint32_t trampoline_phys;

static unsigned long bsp_cr0, bsp_cr4;

/* Returns the number of CPUs marked online. */
unsigned int num_online_cpus(void)
{
    unsigned int cpu, n = 0;

    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
        n += percpu_data[cpu].online;
    return n;
}

/* Returns true once tp->callin is set, false after timeout ns. */
static bool wait_callin(const struct trampoline_params *tp, s_time_t timeout)
{
    s_time_t end = now() + timeout;

    while ( !tp->callin )
    {
        if ( now() > end )
            return false;
        cpu_relax();
    }
    return true;
}

/* Returns true once pc is online, false after timeout ns. */
static bool wait_online(const struct percpu *pc, s_time_t timeout)
{
    s_time_t end = now() + timeout;

    while ( !pc->online )
    {
        if ( now() > end )
            return false;
        cpu_relax();
    }
    return true;
}

/* Busy-wait ns nanoseconds on the calibrated TSC. */
static void delay_ns(s_time_t ns)
{
    s_time_t end = now() + ns;

    while ( now() < end )
        cpu_relax();
}

/*
 * Returns how long to wait between INIT and STARTUP: the MP spec's 10 ms
 * for old CPUs, 0 for Intel family 6 and later, AMD K8 and later, Hygon,
 * and under a hypervisor, whose LAPICs need no settling time.
 */
static s_time_t init_wait(void)
{
    uint32_t a, b, c, d, family;
    char vendor[12];

    cpuid(0, &a, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    cpuid(1, &a, &b, &c, &d);
    family = (a >> 8) & 0xf;
    if ( family == 0xf )
        family += (a >> 20) & 0xff;
    if ( c & (1u << 31) )
        return 0;
    if ( !memcmp(vendor, "GenuineIntel", 12) && family >= 6 )
        return 0;
    if ( !memcmp(vendor, "AuthenticAMD", 12) && family >= 0xf )
        return 0;
    if ( !memcmp(vendor, "HygonGenuine", 12) )
        return 0;
    return INIT_WAIT_LEGACY;
}

/* Timer callback of the AP's tick check. */
static void ap_tick(void *data)
{
    *(volatile bool *)data = true;
}

/* Arm one 1 ms timer on this CPU and spin, interrupts on, until it fires.
 * Returns true when it fired within AP_TICK_TIMEOUT. */
static bool ap_timer_check(void)
{
    struct timer t;
    volatile bool fired = false;
    s_time_t start = now();

    timer_init(&t, ap_tick, (void *)&fired, "cpu-up-check");
    set_timer(&t, start + MILLISECS(1));
    while ( !fired && now() - start < AP_TICK_TIMEOUT )
        cpu_relax();
    if ( !fired )
        stop_timer(&t);
    return fired;
}

/* The APs' C entry, called by the trampoline on the CPU's own stack with
 * its struct cpu_info filled in. Never returns. */
static void __noreturn start_secondary(void)
{
    struct percpu *pc = this_cpu();

    desc_init_cpu(pc);
    pv_cpu_init();
    write_cr4(bsp_cr4);
    write_cr0(bsp_cr0);
    apic_init_cpu();
    if ( apic_self_id() != pc->apic_id )
        printk(TLOG_WARNING "CPU%u: LAPIC id %u, but the MADT says %u\n",
               pc->cpu, apic_self_id(), pc->apic_id);
    apic_timer_init_cpu();
    local_irq_enable();

    if ( ap_timer_check() )
        printk("CPU%u: online (APIC id %u), LAPIC timer ticking\n",
               pc->cpu, pc->apic_id);
    else
        printk(TLOG_WARNING "CPU%u: online (APIC id %u), but its LAPIC timer "
               "did not fire within %u ms\n", pc->cpu, pc->apic_id,
               (unsigned int)(AP_TICK_TIMEOUT / 1000000));
    __atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
    reset_stack_and_call(idle_loop);
}

/* INIT, assert then deassert (the MP spec's sequence): resets the CPU into
 * wait-for-SIPI. */
static void send_init(uint32_t apic_id)
{
    apic_icr_write(apic_id, APIC_ICR_INIT | APIC_ICR_LEVEL_ASSERT |
                            APIC_ICR_TRIGGER_LEVEL);
    apic_icr_write(apic_id, APIC_ICR_INIT | APIC_ICR_TRIGGER_LEVEL);
}

/*
 * Start logical CPU cpu through the trampoline parameters at tp and wait
 * until it is online. Returns 0, -EOPNOTSUPP for an x2APIC-only id,
 * -ENOMEM without a stack block, or -ETIMEDOUT when it does not answer the
 * STARTUP IPIs or does not come online (it is then parked with INIT).
 */
static int cpu_up(unsigned int cpu, struct trampoline_params *tp,
                  s_time_t init_delay)
{
    struct percpu *pc = &percpu_data[cpu];
    struct cpu_info *ci;
    unsigned int i;
    void *stack;
    int rc;

    if ( pc->apic_id > 0xfe )
    {
        printk(TLOG_WARNING "CPU%u: APIC id %u needs x2APIC mode, which Tern "
               "does not use: left offline\n", cpu, pc->apic_id);
        return -EOPNOTSUPP;
    }
    stack = alloc_xen_pages(STACK_ORDER);
    if ( !stack || ((unsigned long)stack & (STACK_SIZE - 1)) )
    {
        printk(TLOG_WARNING "CPU%u: no %u KiB aligned stack block: left "
               "offline\n", cpu, STACK_SIZE >> 10);
        if ( stack )
            free_xen_pages(stack, STACK_ORDER);
        return -ENOMEM;
    }
    if ( !pc->gdt && !(pc->gdt = gdt_alloc()) )
    {
        printk(TLOG_WARNING "CPU%u: no memory for its GDT: left offline\n", cpu);
        free_xen_pages(stack, STACK_ORDER);
        return -ENOMEM;
    }
    ci = (struct cpu_info *)((char *)stack + STACK_SIZE - sizeof(*ci));
    memset(ci, 0, sizeof(*ci));
    ci->cpu = cpu;
    ci->apic_id = pc->apic_id;
    ci->percpu = pc;
    pc->stack = stack;

    tp->stack = (uint64_t)ci;
    tp->entry = (uint64_t)start_secondary;
    tp->callin = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    send_init(pc->apic_id);
    delay_ns(init_delay);
    for ( i = 0; i < 2 && !tp->callin; i++ )
    {
        apic_icr_write(pc->apic_id, APIC_ICR_STARTUP | (trampoline_phys >> 12));
        wait_callin(tp, i ? CALLIN_TIMEOUT : SIPI_FIRST_WAIT);
    }
    if ( !tp->callin )
    {
        printk(TLOG_WARNING "CPU%u (APIC id %u): no answer to INIT-SIPI-SIPI "
               "within %u ms: left offline\n", cpu, pc->apic_id,
               (unsigned int)(CALLIN_TIMEOUT / 1000000));
        rc = -ETIMEDOUT;
        goto park;
    }
    if ( !wait_online(pc, ONLINE_TIMEOUT) )
    {
        printk(TLOG_WARNING "CPU%u (APIC id %u): started but not online "
               "within %u ms: reset and left offline\n", cpu, pc->apic_id,
               (unsigned int)(ONLINE_TIMEOUT / 1000000));
        rc = -ETIMEDOUT;
        goto park;
    }
    return 0;

 park:
    send_init(pc->apic_id);
    pc->stack = NULL;
    free_xen_pages(stack, STACK_ORDER);
    return rc;
}

/* Start every MADT CPU up to maxcpus= one at a time; returns how many
 * CPUs are online. Panics only when the idle page tables sit above 4 GiB. */
unsigned int smp_boot_cpus(void)
{
    struct trampoline_params *tp;
    unsigned int cpu, want;
    s_time_t init_delay, start;
    uint64_t cr3 = read_cr3();

    nr_cpu_ids = acpi_info.nr_cpus ? acpi_info.nr_cpus : 1;
    if ( acpi_info.nr_cpus && acpi_info.apic_ids[0] != percpu_data[0].apic_id )
        printk(TLOG_WARNING "SMP: boot CPU has LAPIC id %u, CPUID says %u\n",
               percpu_data[0].apic_id, acpi_info.apic_ids[0]);
    for ( cpu = 1; cpu < nr_cpu_ids; cpu++ )
    {
        percpu_data[cpu].cpu = cpu;
        percpu_data[cpu].apic_id = acpi_info.apic_ids[cpu];
    }
    want = nr_cpu_ids;
    if ( opt.maxcpus && opt.maxcpus < want )
    {
        printk("SMP: maxcpus=%lu: %u of %u CPUs left offline\n", opt.maxcpus,
               want - (unsigned int)opt.maxcpus, want);
        want = (unsigned int)opt.maxcpus;
    }
    if ( want <= 1 )
        return num_online_cpus();
    if ( cr3 >= (1ull << 32) )
        panic("SMP: the idle page tables are at %#lx, above 4 GiB: the AP "
              "trampoline cannot load them", (unsigned long)cr3);

    memcpy(maddr_to_virt(trampoline_phys), trampoline_start,
           (size_t)(trampoline_end - trampoline_start));
    tp = (struct trampoline_params *)((char *)maddr_to_virt(trampoline_phys) +
                                      (trampoline_params - trampoline_start));
    tp->cr3 = (uint32_t)cr3;
    tp->efer = (uint32_t)((rdmsr(MSR_EFER) & (EFER_SCE | EFER_NXE)) | EFER_LME);
    bsp_cr0 = read_cr0();
    bsp_cr4 = read_cr4();
    init_delay = init_wait();

    start = now();
    for ( cpu = 1; cpu < want; cpu++ )
        cpu_up(cpu, tp, init_delay);
    printk(TLOG_DEBUG "SMP: %u of %u CPUs started in %ld us (trampoline at "
           "%#x, INIT wait %ld ms)\n", num_online_cpus() - 1, want - 1,
           (long)((now() - start) / 1000), trampoline_phys,
           (long)(init_delay / 1000000));
    return num_online_cpus();
}

/* A fixed IPI with vector to one online CPU; ignores offline ones. */
void smp_send_ipi(unsigned int cpu, uint8_t vector)
{
    if ( cpu >= nr_cpu_ids || !percpu_data[cpu].online )
        return;
    apic_icr_write(percpu_data[cpu].apic_id,
                   APIC_ICR_FIXED | APIC_ICR_LEVEL_ASSERT | vector);
}

/* A fixed IPI with vector to every other CPU (APIC shorthand). */
void smp_send_ipi_others(uint8_t vector)
{
    if ( num_online_cpus() <= 1 )
        return;
    apic_icr_write(0, APIC_ICR_ALL_BUT_SELF | APIC_ICR_FIXED |
                      APIC_ICR_LEVEL_ASSERT | vector);
}

/* VEC_STOP to every other CPU; their handler halts for good with
 * interrupts off. They are marked offline at once. */
void smp_stop_others(void)
{
    unsigned int cpu, self = smp_processor_id();

    if ( num_online_cpus() <= 1 )
        return;
    smp_send_ipi_others(VEC_STOP);
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
        if ( cpu != self )
            percpu_data[cpu].online = false;
}
