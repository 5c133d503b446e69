/* SPDX-License-Identifier: MIT */
/* What the boot loader told us, independent of multiboot1/2 (lib/multiboot.c). */
#ifndef TERN_BOOTINFO_H
#define TERN_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_MMAP      128
#define BOOT_MAX_MODULES   32
#define BOOT_CMDLINE_MAX   1024
#define BOOT_MODSTR_MAX    512

/* e820-style region types (multiboot uses the same numbers). */
#define BOOT_MEM_RAM       1
#define BOOT_MEM_RESERVED  2
#define BOOT_MEM_ACPI      3
#define BOOT_MEM_NVS       4
#define BOOT_MEM_BAD       5

struct boot_mem_region {
    uint64_t base;
    uint64_t len;
    uint32_t type;
};

struct boot_module {
    uint64_t start;                 /* physical, inclusive */
    uint64_t end;                   /* physical, exclusive */
    char string[BOOT_MODSTR_MAX];   /* the module's command line */
};

struct boot_info {
    unsigned int proto;             /* 1 or 2: which multiboot */
    char loader[64];                /* boot loader name, if given */
    char cmdline[BOOT_CMDLINE_MAX]; /* the hypervisor's own command line */
    unsigned int nr_mmap;
    struct boot_mem_region mmap[BOOT_MAX_MMAP];
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
    uint64_t mem_lower_kb, mem_upper_kb;  /* basic meminfo, if given */
    uint64_t rsdp_phys;             /* 0 if the loader gave no ACPI tag */
    uint8_t rsdp_copy[36];          /* mb2 ACPI tag copies the RSDP here */
    bool has_rsdp_copy;
    unsigned int nr_truncated;      /* strings and tables cut to fit */
};

#define MULTIBOOT1_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u

/*
 * Fill *bi from the loader's information structure. magic is the value the
 * loader left in EAX, info the physical address in EBX. phys_to_virt maps a
 * physical address to a readable pointer (the direct map in the hypervisor,
 * an offset into a test buffer on the host). Strings longer than the fields
 * are truncated and counted in *bi; tables longer than the arrays are
 * truncated. Returns 0, or -EINVAL if magic is unknown or the structure is
 * malformed (sizes that run past the total, bad tag alignment).
 */
int multiboot_parse(uint32_t magic, uint64_t info,
                    const void *(*phys_to_virt)(uint64_t pa),
                    struct boot_info *bi);

#endif /* TERN_BOOTINFO_H */
