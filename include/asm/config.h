/* SPDX-License-Identifier: MIT */
/* Tern's place in the x86-64 address space, shared by C, assembly and the linker script. */
#ifndef TERN_ASM_CONFIG_H
#define TERN_ASM_CONFIG_H

/*
 * The x86-64 PV ABI reserves PML4 slots 256..271
 * (0xffff800000000000..0xffff880000000000) for the hypervisor; every guest
 * L4 carries Tern's entries for them.
 *
 *   slot 256  0xffff800000000000  read-only machine-to-phys table (guests read it)
 *   slot 261  0xffff82d080000000  Tern's image (text, data, bss): phys 0 + offset
 *   slot 262+ 0xffff830000000000  direct map of all RAM, up to 5 TiB
 *
 * The low slot 0 identity map exists only in Tern's idle page tables, for
 * the boot and AP trampolines; guest page tables never carry it.
 */
#define TERN_VIRT_START       0xffff82d080000000
#define TERN_LOAD_PADDR       0x200000
#define DIRECTMAP_VIRT_START  0xffff830000000000
#define DIRECTMAP_VIRT_END    0xffff880000000000
#define TERN_SLOT_FIRST       256
#define TERN_SLOT_LAST        271
#define TERN_TEXT_L4_SLOT     261
#define TERN_TEXT_L3_SLOT     322
#define DIRECTMAP_L4_SLOT     262

#define PAGE_SHIFT            12
#define PAGE_SIZE             (1 << PAGE_SHIFT)

/* Per-CPU stack block: IST stacks, a guard page and the primary stack,
 * naturally aligned so struct cpu_info is found from any of them. */
#define STACK_ORDER           3
#define STACK_SIZE            (PAGE_SIZE << STACK_ORDER)
#define IST_DF_PAGE           0       /* #DF stack: page 0 */
#define IST_NMI_PAGE          1       /* NMI stack: page 1 */
#define IST_MC_PAGE           2       /* #MC stack: page 2 */
#define IST_DF                1       /* IST indices in the TSS */
#define IST_NMI               2
#define IST_MC                3

#define NR_CPUS               64

/* Selectors of Tern's GDT. */
#define TERN_CS               0x08
#define TERN_DS               0x10
#define TSS_SEL               0x40

#endif /* TERN_ASM_CONFIG_H */
