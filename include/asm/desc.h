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

#endif /* TERN_ASM_DESC_H */
