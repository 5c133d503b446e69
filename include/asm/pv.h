/* SPDX-License-Identifier: MIT */
/* x86-64 PV guests: what the domain builder and the core need of the arch. */
#ifndef TERN_ASM_PV_H
#define TERN_ASM_PV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct domain;
struct vcpu;

/* Page-table frames (L4..L1) needed to map [v_start, v_end) with 4 KiB pages. */
unsigned long pv_pagetable_count(uint64_t v_start, uint64_t v_end);
/* A second range the bootstrap tables map (the P2M list at INIT_P2M):
 * nr pages at va from guest pfn on, writable, with their own tables in
 * the nr_pt pfns from pt_pfn, which no mapping shows. */
struct pv_extra_map {
    uint64_t va;
    unsigned long pfn, nr;
    unsigned long pt_pfn, nr_pt;
};
/*
 * Build the bootstrap page tables of d in the nr_pt frames at guest
 * virtual pt: map [v_start, v_end) (guest pfn = (va - v_start) / 4 KiB)
 * user-accessible, the page tables themselves read-only, Tern's slots in
 * the L4, and extra when not NULL. Returns the machine address of the L4.
 */
uint64_t pv_build_pagetables(struct domain *d, uint64_t v_start, uint64_t v_end,
                             uint64_t pt, unsigned long nr_pt,
                             const struct pv_extra_map *extra);
/* Fill a hypercall page with the SYSCALL stubs of the x86-64 PV ABI. */
void pv_hypercall_page_init(void *page);
/* The registers of a vCPU about to enter its kernel for the first time. */
void pv_vcpu_init_regs(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t rsi);

struct cpu_regs;

/* Per-CPU set-up of the SYSCALL MSRs (STAR, LSTAR, SFMASK, shadow GS). */
void pv_cpu_init(void);
/* Where this CPU's guest frame is: just below struct cpu_info. */
struct cpu_regs *arch_guest_frame(void);
/* Save prev's state from frame (if prev), load next's into it (if next,
 * else switch to Tern's idle page tables). Interrupts disabled. */
void arch_switch_to(struct vcpu *prev, struct vcpu *next, struct cpu_regs *frame);
/* Return to the guest whose state is in frame. */
void __noreturn arch_enter_guest(struct cpu_regs *frame);
/* Drop the current stack and call fn on a fresh one; fn must not return. */
void __noreturn reset_stack_and_call(void (*fn)(void));
/* Handle an exception a guest took (vector < 32): bounce it to the guest's
 * trap table, or stop the domain when it has no handler. */
void pv_guest_trap(struct cpu_regs *frame);
/* Deliver to the guest kernel at handler with Xen's PV exception frame;
 * flags: 1 = push error_code, 2 = set the upcall mask (interrupt gate). */
void pv_bounce(struct cpu_regs *frame, uint64_t handler, unsigned int flags,
               uint64_t error_code);
/* Give the current vCPU exception vector with an error code, as if raised
 * where frame points (no handler: the domain ends). */
void pv_inject_trap(struct cpu_regs *frame, unsigned int vector, uint64_t ec);
/* Deliver the current vCPU's failsafe callback (Xen's frame: RCX, R11,
 * DS, ES, FS, GS, RIP, CS, RFLAGS, RSP, SS, with segs[] the data
 * selectors); with none registered, stop the domain saying why. */
void pv_failsafe(struct cpu_regs *frame, const uint16_t segs[4], const char *why);
/* Refresh v's pvclock (vcpu_info.time) from the TSC and system time,
 * and its secondary copy (VCPUOP_register_vcpu_time_memory_area) in the
 * current address space. v runs here, or does not run. */
void pv_update_vcpu_time(struct vcpu *v);
/* v's secondary copy was just registered: write it now, in the current
 * address space (v's pvclock refreshed if v is current or down). */
void pv_time_area_force(struct vcpu *v);
/* v (current) enters guest kernel mode: a copy of its pvclock that could
 * not be written in user mode is written now. */
void pv_time_area_flush(struct vcpu *v);
/* Fill the wallclock of a new shared-info page (from the RTC at boot). */
struct shared_info;
void pv_set_wallclock(struct shared_info *s);
/* Make the event upcall if one is due for the current vCPU. */
void pv_deliver_events(struct cpu_regs *frame);
/* Emulate Xen's forced-emulation CPUID at the guest's RIP (#UD), or an
 * RDMSR/WRMSR of a safe MSR (#GP); false when the guest takes the fault. */
bool pv_emulate_forced_cpuid(struct cpu_regs *frame);
void pv_guest_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]);
void pv_load_cr4(const struct vcpu *v);
/*
 * A #GP the guest took: emulate the privileged instruction (port I/O with
 * the virtual IOPL, CLI/STI, MOV CR/DR, CLTS, WBINVD, safe MSRs) as Xen
 * does. Returns PV_EMUL_DONE (RIP moved on), PV_EMUL_UNHANDLED (the guest
 * takes its #GP) or the vector to raise instead (#UD, or #DB after an
 * emulated instruction that hit a breakpoint or single-stepped).
 */
#define PV_EMUL_DONE       0
#define PV_EMUL_UNHANDLED  (-1)
int pv_emulate_gp(struct cpu_regs *frame);
/*
 * Debug registers (pv/debugreg.c). pv_set_debugreg / pv_get_debugreg
 * follow Xen's set_debugreg / x86emul_read_dr: 0, or -EPERM / -EINVAL (a
 * value refused: #GP for MOV DRn), -ENODEV (no such register: #UD).
 */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value);
long pv_get_debugreg(const struct vcpu *v, unsigned int reg, uint64_t *val);
/* Load next's debug registers into this pCPU if it uses any, else make
 * sure no breakpoint is armed (next NULL: going idle). */
void pv_debugreg_switch(const struct vcpu *next);
/* The I/O breakpoints of v that a port access [port, port+len) hits, as
 * DR6 B0-B3 bits. */
unsigned int pv_io_breakpoint(const struct vcpu *v, unsigned int port,
                              unsigned int len);
/* Add status bits to v's DR6 (an emulated breakpoint or single step). */
void pv_debug_note(struct vcpu *v, uint64_t bits);
/* #DB in the guest: fold the hardware DR6 into v's. */
void pv_debug_trap_guest(struct vcpu *v);
/* #DB in Tern: note it, make sure it cannot repeat, and go on. */
void pv_debug_trap_tern(struct cpu_regs *frame);
/* The x86 PV hypercalls of this family (Xen's set_debugreg, get_debugreg). */
long do_set_debugreg(unsigned long reg, unsigned long value);
long do_get_debugreg(unsigned long reg);

/*
 * Guest descriptor tables (pv/descriptor.c). pv_check_descriptor is Xen's
 * check_descriptor() for a 64-bit PV guest: true if the descriptor may be
 * used, after fixing it up in place. pv_gdt_switch copies next's GDT into
 * this pCPU's (next NULL: clear it) and switches the LDT to next's.
 * pv_data_sel_ok says whether loading a data selector in ring 0 would
 * succeed with this pCPU's GDT and LDT;
 * pv_iret_fault whether an IRETQ to ring 3 with these CS and SS would
 * fault, and with which exception and error code.
 */
bool pv_check_descriptor(uint64_t *desc);
/* Apply pv_check_descriptor's fix-ups in place to a frame's 512
 * descriptors, all valid (a PGT_seg_desc_page). */
void pv_fixup_descriptor_page(uint64_t *descs);
void pv_gdt_switch(struct vcpu *next);
bool pv_data_sel_ok(unsigned int sel);
bool pv_iret_fault(unsigned int cs, unsigned int ss, unsigned int *vector,
                   unsigned int *ec);
long do_set_gdt(unsigned long frame_list, unsigned long entries);
/* v's GDT becomes the first entries descriptors of frames (one frame per
 * 512), each taking a PGT_seg_desc_page reference, the old ones dropped:
 * 0 or -EINVAL (pt_lock held). pv_destroy_gdt drops them all (pt_lock
 * held); pv_gdt_reload copies v's GDT into this pCPU's again (v runs
 * here and another vCPU changed a descriptor of it). */
long pv_set_gdt(struct vcpu *v, const unsigned long *frames, unsigned int entries);
void pv_destroy_gdt(struct vcpu *v);
void pv_gdt_reload(struct vcpu *v);

/*
 * VCPUOP_initialise for a PV vCPU (pv/vcpu-context.c, Xen's
 * arch_set_info_guest): check the guest's context, take the references
 * its GDT frames and L4s need, and make it v's registers and PV state.
 * Returns 0, or -EINVAL (a bad value, a frame refused) and then v is as
 * it was. Caller holds the domain's domain_lock; v is not initialised.
 */
struct vcpu_guest_context;
long pv_set_info_guest(struct vcpu *v, const struct vcpu_guest_context *c);
long do_update_descriptor(unsigned long maddr, unsigned long desc);

/*
 * Guest LDTs (pv/ldt.c). pv_set_ldt is MMUEXT_SET_LDT for the current
 * vCPU (0 or -EINVAL). pv_destroy_ldt drops the pages of v's LDT mapped
 * so far and their references (pt_lock held). pv_ldt_switch makes this
 * pCPU's LDT window and LDTR next's (next NULL: none). pv_ldt_read_desc
 * reads the descriptor of LDT selector sel of the vCPU switched in here,
 * mapping its page if need be: false when sel is beyond the LDT or the
 * page cannot be mapped. pv_ldt_fault handles a guest's #PF at cr2 if it
 * is in the LDT window: the page is mapped, or the guest gets Xen's #PF
 * or #GP; false when the fault is not one of these.
 */
long pv_set_ldt(struct vcpu *v, unsigned long ptr, unsigned int ents);
void pv_destroy_ldt(struct vcpu *v);
void pv_ldt_switch(struct vcpu *next);
bool pv_ldt_read_desc(unsigned int sel, uint64_t *desc);
bool pv_ldt_fault(struct cpu_regs *frame, uint64_t cr2);

/* HYPERVISOR_iret, from the iret_context on the guest's stack. */
void pv_do_iret(struct cpu_regs *frame);
/* Switch a running vCPU between guest kernel and guest user mode (page
 * tables and GS bases). */
void toggle_guest_mode(struct vcpu *v);
/* Before returning to a guest: force IF on, IOPL 0, ring-3 selectors. */
void pv_sanitise_frame(struct cpu_regs *frame);
/*
 * Copy between Tern and the current guest's address space. Addresses in
 * Tern's part of the address space are refused; a fault is caught.
 * Return 0, or -EFAULT.
 */
bool pv_guest_range_ok(uint64_t va, size_t n);
bool pv_guest_array_ok(uint64_t va, uint64_t n, size_t sz);
int copy_from_guest(void *dst, uint64_t guest_va, size_t n);
int copy_to_guest(uint64_t guest_va, const void *src, size_t n);
/* The frame and index of va's L1 entry in the current page tables (an
 * upper level missing or a superpage: false). Under pt_lock. */
bool pv_find_l1e(unsigned long va, unsigned long *l1mfn, unsigned int *idx);
/* A guest kernel's store to one of its L1 tables (writable page tables):
 * emulated and stepped over, or false for the guest's own #PF. */
bool pv_ptwr_fault(struct cpu_regs *frame, uint64_t cr2);
/* A page fault in Tern at rip: if it is a guest-copy instruction, return
 * the address to resume at, else 0. */
unsigned long guest_copy_fixup(unsigned long rip);

#endif /* TERN_ASM_PV_H */
