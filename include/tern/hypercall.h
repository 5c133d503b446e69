/* SPDX-License-Identifier: MIT */
/* Hypercall dispatch and handlers (core/hypercall.c and one file per family). */
#ifndef TERN_HYPERCALL_H
#define TERN_HYPERCALL_H

#include <stdbool.h>
#include <asm/regs.h>
#include <tern/timer.h>

/* A guest's SYSCALL: a hypercall from its kernel (number in RAX, arguments
 * in RDI, RSI, RDX, R10, R8, result in RAX). */
void do_hypercall(struct cpu_regs *r);
/* Run hypercall nr with its arguments, as the table says; -ENOSYS (not
 * logged) for a number with no handler. iret is not in the table. */
long hypercall_dispatch(unsigned long nr, const unsigned long args[6]);

/*
 * Long hypercalls stop after about a millisecond of work so that no guest
 * holds a CPU for long: the handler records how to go on and returns the
 * continuation's value; on the way back the guest's SYSCALL is made to run
 * again with the new arguments (Xen's hypercall continuations). Within a
 * multicall nothing is preempted.
 */
bool hypercall_preempt_check(s_time_t start);
long hypercall_create_continuation(unsigned long nr, unsigned int nargs,
                                   unsigned long a0, unsigned long a1,
                                   unsigned long a2, unsigned long a3);

long do_console_io(unsigned long cmd, unsigned long count, unsigned long buffer);
long do_xen_version(unsigned long cmd, unsigned long arg);
long do_sched_op(unsigned long cmd, unsigned long arg);
long do_set_trap_table(unsigned long traps);
long do_event_channel_op(unsigned long cmd, unsigned long arg);
long do_stack_switch(unsigned long ss, unsigned long esp);
long do_set_segment_base(unsigned long which, unsigned long base);
long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall);
long do_callback_op(unsigned long cmd, unsigned long arg);
long do_fpu_taskswitch(unsigned long set);
long do_set_timer_op(unsigned long timeout);
long do_sched_op_compat(unsigned long cmd, unsigned long arg);
long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags);
long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg);
long do_memory_op(unsigned long cmd, unsigned long arg);
long do_multicall(unsigned long call_list, unsigned long nr_calls);
long do_vm_assist(unsigned long cmd, unsigned long type);
long do_physdev_op(unsigned long cmd, unsigned long arg);
long do_xenpmu_op(unsigned long op, unsigned long arg);
long do_mmu_update(unsigned long ureqs, unsigned long count, unsigned long pdone,
                   unsigned long foreigndom);
long do_mmuext_op(unsigned long uops, unsigned long count, unsigned long pdone,
                  unsigned long foreigndom);
long do_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                      unsigned long flags, unsigned long domid);

#endif /* TERN_HYPERCALL_H */
