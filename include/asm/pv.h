/* SPDX-License-Identifier: MIT */
/* x86-64 PV guests: what the domain builder and the core need of the arch. */
#ifndef TERN_ASM_PV_H
#define TERN_ASM_PV_H

#include <stdint.h>

struct domain;
struct vcpu;

/* Page-table frames (L4..L1) needed to map [v_start, v_end) with 4 KiB pages. */
unsigned long pv_pagetable_count(uint64_t v_start, uint64_t v_end);
/*
 * Build the bootstrap page tables of d in the nr_pt frames at guest
 * virtual pt: map [v_start, v_end) (guest pfn = (va - v_start) / 4 KiB)
 * user-accessible, the page tables themselves read-only, and Tern's slots
 * in the L4. Returns the machine address of the L4.
 */
uint64_t pv_build_pagetables(struct domain *d, uint64_t v_start, uint64_t v_end,
                             uint64_t pt, unsigned long nr_pt);
/* Fill a hypercall page with the SYSCALL stubs of the x86-64 PV ABI. */
void pv_hypercall_page_init(void *page);
/* The registers of a vCPU about to enter its kernel for the first time. */
void pv_vcpu_init_regs(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t rsi);

#endif /* TERN_ASM_PV_H */
