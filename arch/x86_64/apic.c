/* SPDX-License-Identifier: MIT */
/* Local APIC access in xAPIC mode through the direct map. */
#include <asm/apic.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <tern/smp.h>

#define APIC_DEFAULT_PHYS 0xfee00000ul

static volatile uint32_t *apic_regs(uint32_t reg)
{
    return (volatile uint32_t *)maddr_to_virt(APIC_DEFAULT_PHYS + reg);
}

uint32_t apic_read(uint32_t reg)
{
    return *apic_regs(reg);
}

void apic_write(uint32_t reg, uint32_t v)
{
    *apic_regs(reg) = v;
}

uint32_t apic_self_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

/* Enable the LAPIC globally (MSR) and in software (SVR); mask the LVTs
 * Tern does not use; accept every priority. */
void apic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    wrmsr(MSR_APIC_BASE, base | (1ul << 11));
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_LINT0, 1u << 16);
    apic_write(APIC_LVT_LINT1, 1u << 16);
    apic_write(APIC_LVT_ERROR, 1u << 16);
    apic_write(APIC_LVT_TIMER, 1u << 16);
    apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
    apic_write(APIC_ESR, 0);
    apic_eoi();
}

void apic_icr_write(uint32_t dest_apic_id, uint32_t lo)
{
    unsigned long f = local_irq_save();

    while ( apic_read(APIC_ICR_LO) & APIC_ICR_BUSY )
        cpu_relax();
    apic_write(APIC_ICR_HI, dest_apic_id << 24);
    apic_write(APIC_ICR_LO, lo);
    while ( apic_read(APIC_ICR_LO) & APIC_ICR_BUSY )
        cpu_relax();
    local_irq_restore(f);
}
