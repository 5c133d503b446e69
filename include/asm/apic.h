/* SPDX-License-Identifier: MIT */
/* Local APIC in xAPIC (MMIO) mode (arch/x86_64/apic.c). */
#ifndef TERN_ASM_APIC_H
#define TERN_ASM_APIC_H

#include <stdint.h>

#define APIC_ID        0x020
#define APIC_VERSION   0x030
#define APIC_TPR       0x080
#define APIC_EOI       0x0b0
#define APIC_LDR       0x0d0
#define APIC_DFR       0x0e0
#define APIC_SVR       0x0f0
#define APIC_ESR       0x280
#define APIC_ICR_LO    0x300
#define APIC_ICR_HI    0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT     0x380
#define APIC_TMCCT     0x390
#define APIC_TDCR      0x3e0

#define APIC_ICR_BUSY        (1u << 12)
#define APIC_ICR_INIT        (5u << 8)
#define APIC_ICR_STARTUP     (6u << 8)
#define APIC_ICR_FIXED       (0u << 8)
#define APIC_ICR_NMI         (4u << 8)
#define APIC_ICR_LEVEL_ASSERT (1u << 14)
#define APIC_ICR_TRIGGER_LEVEL (1u << 15)
#define APIC_ICR_ALL_BUT_SELF (3u << 18)

uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t v);
/* Software-enable this CPU's LAPIC (spurious vector, LVTs masked). */
void apic_init_cpu(void);
void apic_eoi(void);
uint32_t apic_self_id(void);
/* Write the ICR (destination APIC id, low word); waits until delivered. */
void apic_icr_write(uint32_t dest_apic_id, uint32_t lo);

#endif /* TERN_ASM_APIC_H */
