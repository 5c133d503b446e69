/* SPDX-License-Identifier: MIT */
/* GDT, IDT and TSS (arch/x86_64/desc.c). */
#ifndef TERN_ASM_DESC_H
#define TERN_ASM_DESC_H

#include <stdint.h>

/* Tern's GDT, one per CPU, GDT_PAGES long: see asm/config.h. */
#define GDT_ENTRIES (GDT_PAGES * 512)

struct tss {
    uint32_t _rsvd0;
    uint64_t rsp[3];
    uint64_t _rsvd1;
    uint64_t ist[7];
    uint64_t _rsvd2;
    uint16_t _rsvd3;
    uint16_t iomap_base;
} __attribute__((packed, aligned(16)));

struct percpu;
/* Load this CPU's GDT (pc->gdt, GDT_ENTRIES long), its TSS (stacks from
 * its stack block) and the shared IDT. */
void desc_init_cpu(struct percpu *pc);
/* GDT memory for an AP (order GDT_ORDER pages); NULL when out of memory. */
uint64_t *gdt_alloc(void);
/* Build the IDT once, on the boot CPU. */
void idt_init(void);

/*
 * The LDT window: LDT_WINDOW_PAGES pages (64 KiB, the largest LDT) of
 * Tern's address space per CPU, at ldt_window_va(cpu) in PML4 slot 260
 * (Xen's per-domain area), that map the frames of the running PV vCPU's
 * LDT (pv/ldt.c). The entries are Tern's (supervisor, read-write so the
 * CPU can set a descriptor's accessed bit, no-execute); the CPU reads a
 * guest's LDT through them, and nothing else touches them.
 */
#define LDT_VIRT_START   0xffff820000000000ul
#define LDT_WINDOW_PAGES 16
unsigned long ldt_window_va(unsigned int cpu);
/* The frame mapped at page slot of this CPU's window, 0 if none. */
unsigned long ldt_window_get(unsigned int slot);
/* Map page slot of this CPU's window to frame mfn (0: unmap), and flush
 * the old translation from this CPU's TLB. */
void ldt_window_set(unsigned int slot, unsigned long mfn);
/* Point this CPU's LDTR at its window with ents entries (its descriptor
 * at LDT_SEL), or at nothing when ents is 0. */
void ldt_load(unsigned int ents);

#endif /* TERN_ASM_DESC_H */
