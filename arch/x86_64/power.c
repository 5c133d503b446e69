/* SPDX-License-Identifier: MIT */
/* Machine power-off: ACPI S5, then QEMU's isa-debug-exit, then halt. */
#include <asm/processor.h>
#include <tern/acpi.h>
#include <tern/console.h>
#include <tern/smp.h>
#include <tern/timer.h>

#define PM1_SCI_EN        (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13)

#define ISA_DEBUG_EXIT    0x501      /* QEMU -device isa-debug-exit default */

/* Busy-wait about ms milliseconds: on the TSC once it is calibrated, else
 * on port 0x80 writes (about 1 us each on PC hardware). */
static void power_delay_ms(unsigned int ms)
{
    uint64_t khz = tsc_khz(), end;
    unsigned long i;

    if ( khz )
    {
        end = rdtsc() + khz * ms;
        while ( rdtsc() < end )
            cpu_relax();
        return;
    }
    for ( i = 0; i < ms * 1000ul; i++ )
        outb(0x80, 0);
}

/* Switch the chipset to ACPI mode (SCI_EN) through SMI_CMD when the FADT
 * says how and it is not there yet; some firmware ignores SLP_EN before. */
static void acpi_mode_enable(void)
{
    unsigned int i;

    if ( !acpi_info.smi_cmd || !acpi_info.acpi_enable ||
         (inw((uint16_t)acpi_info.pm1a_cnt) & PM1_SCI_EN) )
        return;
    outb((uint16_t)acpi_info.smi_cmd, acpi_info.acpi_enable);
    for ( i = 0; i < 300; i++ )
    {
        if ( inw((uint16_t)acpi_info.pm1a_cnt) & PM1_SCI_EN )
            return;
        power_delay_ms(1);
    }
}

/* Write SLP_TYP typ, then SLP_TYP with SLP_EN, to the PM1 control port,
 * keeping its other bits (as ACPICA does). */
static void pm1_sleep(uint32_t port, uint16_t typ)
{
    uint16_t v = inw((uint16_t)port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);

    v |= (uint16_t)((typ << PM1_SLP_TYP_SHIFT) & PM1_SLP_TYP_MASK);
    outw((uint16_t)port, v);
    outw((uint16_t)port, v | PM1_SLP_EN);
}

/* Stop the other CPUs, then ACPI S5, isa-debug-exit, halt. Never returns. */
void machine_power_off(void)
{
    local_irq_disable();
    smp_stop_others();
    printk("Powering off\n");

    if ( acpi_info.s5_found && acpi_info.pm1a_cnt )
    {
        acpi_mode_enable();
        if ( acpi_info.pm1b_cnt )
            pm1_sleep(acpi_info.pm1b_cnt, acpi_info.slp_typ_b);
        pm1_sleep(acpi_info.pm1a_cnt, acpi_info.slp_typ_a);
        /* S5 takes a moment to cut the power (QEMU: to exit). */
        power_delay_ms(1000);
        printk(TLOG_WARNING "ACPI S5 did not power off\n");
    }

    /* QEMU with -device isa-debug-exit exits with status (0 << 1) | 1. */
    outb(ISA_DEBUG_EXIT, 0);
    power_delay_ms(10);

    printk(TLOG_ERR "Could not power off (no ACPI S5, no "
           "isa-debug-exit): halted; switch the machine off by hand\n");
    for ( ;; )
        halt();
}
