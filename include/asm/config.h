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

/* Per-CPU stack block: four IST stacks (pages 0-3) and the primary stack,
 * naturally aligned so struct cpu_info is found from any of them. */
#define STACK_ORDER           3
#define STACK_SIZE            (PAGE_SIZE << STACK_ORDER)
#define IST_DF_PAGE           0       /* #DF stack: page 0 */
#define IST_NMI_PAGE          1       /* NMI stack: page 1 */
#define IST_MC_PAGE           2       /* #MC stack: page 2 */
#define IST_DB_PAGE           3       /* #DB stack: page 3 */
/* Vectors a guest can raise that arrive on an IST stack (#DF never
 * returns to a guest). */
#define VECTOR_ON_IST(v)      ((v) == 1 || (v) == 2 || (v) == 18)
#define IST_DF                1       /* IST indices in the TSS */
#define IST_NMI               2
#define IST_MC                3
#define IST_DB                4       /* #DB: a guest's MOV SS can delay one
                                         into SYSCALL entry, on its RSP */

#define NR_CPUS               64

/* Selectors of the boot and AP-trampoline GDTs (before each CPU's own). */
#define BOOT_CS               0x08
#define BOOT_DS               0x10

/*
 * Each CPU's GDT is laid out as Xen's: GDT_PAGES pages, the first
 * FIRST_RESERVED_GDT_PAGE of them for a PV guest's own descriptors
 * (set_gdt), the next one Tern's, holding the selectors of Xen's ABI:
 * the flat ring-3 selectors that PV guests use (FLAT_RING3_CS64 0xe033,
 * FLAT_RING3_DS 0xe02b, FLAT_RING3_CS32 0xe023) and SYSCALL/SYSRET
 * depends on their order.
 */
#define GDT_PAGES               16
#define GDT_ORDER               4
#define FIRST_RESERVED_GDT_PAGE 14
#define TERN_CS               0xe008    /* ring-0 64-bit code */
#define TERN_DS               0xe010    /* ring-0 data */
#define TERN_CS32             0xe018    /* ring-0 32-bit code */
#define GUEST_CS32            0xe023    /* FLAT_RING3_CS32 */
#define GUEST_DS              0xe02b    /* FLAT_RING3_DS, FLAT_RING3_SS64 */
#define GUEST_CS64            0xe033    /* FLAT_RING3_CS64 */
#define TSS_SEL               0xe040    /* two slots */
#define LDT_SEL               0xe050    /* two slots */

#endif /* TERN_ASM_CONFIG_H */
