/* SPDX-License-Identifier: MIT */
/* The ACPI tables Tern reads: MADT (CPUs), FADT (power-off) (arch/x86_64/acpi.c). */
#ifndef TERN_ACPI_H
#define TERN_ACPI_H

#include <stdint.h>
#include <tern/bootinfo.h>
#include <asm/config.h>

struct acpi_info {
    uint64_t rsdp_phys;
    uint64_t lapic_phys;                 /* from the MADT, default 0xfee00000 */
    unsigned int nr_cpus;                /* enabled LAPICs in the MADT */
    uint32_t apic_ids[NR_CPUS];          /* index = logical CPU, [0] = the BSP */
    /* Power-off: write (slp_typ_a << 10) | (1 << 13) to pm1a_cnt (and b). */
    uint32_t pm1a_cnt, pm1b_cnt;
    uint16_t slp_typ_a, slp_typ_b;
    int s5_found;
    /* Switching to ACPI mode (SCI_EN) first: write acpi_enable to smi_cmd. */
    uint32_t smi_cmd;                    /* 0: always in ACPI mode */
    uint8_t acpi_enable;
};

extern struct acpi_info acpi_info;

/*
 * Find the RSDP (the multiboot2 ACPI tag copy, else the EBDA and
 * 0xE0000-0xFFFFF), check checksums, read the MADT and the FADT and \_S5
 * from the DSDT. Returns 0, or -ENODEV without ACPI (then one CPU and no
 * ACPI power-off). Logs what it found.
 */
int acpi_init(const struct boot_info *bi);

/* Power the machine off through ACPI S5; falls back to QEMU's
 * isa-debug-exit and then halts. Never returns (arch/x86_64/power.c). */
void __noreturn machine_power_off(void);

#endif /* TERN_ACPI_H */
