/* SPDX-License-Identifier: MIT */
/* Placeholder until ACPI lands. */
#include <asm/processor.h>
#include <tern/acpi.h>
#include <tern/errno.h>

struct acpi_info acpi_info;

int acpi_init(const struct boot_info *bi)
{
    return -ENODEV;
}

void machine_power_off(void)
{
    outb(0xf4, 0);
    for ( ;; )
        halt();
}
