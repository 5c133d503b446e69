/* SPDX-License-Identifier: MIT */
/* GDT, IDT and TSS (arch/x86_64/desc.c). */
#ifndef TERN_ASM_DESC_H
#define TERN_ASM_DESC_H

#include <stdint.h>

/*
 * Tern's GDT, one per CPU:
 *   0x08 ring-0 code, 0x10 ring-0 data, 0x40 TSS (two slots).
 * Slots up to 0x38 are left for guest-visible flat selectors later.
 */
#define GDT_ENTRIES 16

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
/* Load this CPU's GDT, TSS (stacks from its stack block) and the shared IDT. */
void desc_init_cpu(struct percpu *pc);
/* Build the IDT once, on the boot CPU. */
void idt_init(void);

#endif /* TERN_ASM_DESC_H */
