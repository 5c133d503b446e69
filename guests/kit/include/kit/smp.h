/* SPDX-License-Identifier: MIT */
/* Kit: secondary vCPUs, started with VCPUOP_initialise and VCPUOP_up. */
#ifndef KIT_SMP_H
#define KIT_SMP_H

#include <kit/kit.h>

/*
 * A test brings up vCPU id (1 .. KIT_MAX_VCPUS - 1) at fn(id), which runs
 * in guest kernel mode on the vCPU's own KIT_VCPU_STACK-byte stack, with
 * the flat selectors, the kit's page tables (the bootstrap L4), the
 * kit's exception stubs as trap table, no GDT or LDT, and
 * kit_vcpu_upcall_entry as event callback; its events start masked (its
 * vcpu_info's upcall mask). If fn returns, the vCPU takes itself down
 * (VCPUOP_down); brought up again, it calls fn again.
 *
 * The kit's console is not meant for several vCPUs at once: a test
 * prints from one vCPU at a time (vCPU 0, normally) and exchanges
 * results with the others through memory.
 */
#define KIT_MAX_VCPUS    8
#define KIT_VCPU_STACK   8192

typedef void (*kit_vcpu_fn_t)(unsigned int id);

/* vCPUs the domain has: VCPUOP_is_up answers 0 or 1 below that number,
 * -ENOENT from it on (at most KIT_MAX_VCPUS are counted). */
unsigned int kit_nr_vcpus(void);
/* The calling vCPU's id: 0 unless it runs on a kit vCPU stack. */
unsigned int kit_vcpu_id(void);

/* The context kit_vcpu_start() gives vCPU id (a test may alter it and
 * pass it to VCPUOP_initialise itself). */
void kit_vcpu_context(struct vcpu_guest_context *c, unsigned int id,
                      kit_vcpu_fn_t fn);
/* VCPUOP_initialise with that context, then VCPUOP_up; the first error. */
long kit_vcpu_start(unsigned int id, kit_vcpu_fn_t fn);

/*
 * Event upcalls of the vCPUs started by the kit enter kit_vcpu_upcall_entry,
 * which calls kit_vcpu_upcall_hook(id) with events masked and resumes the
 * interrupted code with HYPERVISOR_iret (events as they were there). The
 * hook clears what it handles (evtchn_upcall_pending, the selector and
 * pending bits), as a guest kernel does; without a hook the upcall only
 * clears evtchn_upcall_pending.
 */
typedef void (*kit_vcpu_upcall_t)(unsigned int id);
extern volatile kit_vcpu_upcall_t kit_vcpu_upcall_hook;
extern const char kit_vcpu_upcall_entry[];

/* vCPU id's vcpu_info: its slot in shared info (mapped by the caller
 * first), or the one given to kit_vcpu_set_info() after a successful
 * VCPUOP_register_vcpu_info. */
vcpu_info_t *kit_vcpu_info_of(unsigned int id);
void kit_vcpu_set_info(unsigned int id, vcpu_info_t *vi);

/* LOCK XADD: add n to *p, return the old value. */
static inline unsigned long kit_atomic_add(volatile unsigned long *p,
                                           unsigned long n)
{
    __asm__ volatile ("lock xaddq %0, %1" : "+r" (n), "+m" (*p) :: "memory");
    return n;
}

/* LOCK CMPXCHG: *p from old to val; true when it was old. */
static inline bool kit_atomic_cmpxchg(volatile unsigned long *p,
                                      unsigned long old, unsigned long val)
{
    unsigned long prev = old;

    __asm__ volatile ("lock cmpxchgq %2, %1"
                      : "+a" (prev), "+m" (*p) : "r" (val) : "memory");
    return prev == old;
}

static inline void kit_cpu_relax(void)
{
    __asm__ volatile ("pause" ::: "memory");
}

#endif /* KIT_SMP_H */
