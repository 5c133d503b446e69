/* SPDX-License-Identifier: MIT */
/* Hostile guest: HYPERVISOR_iret to a non-canonical RIP and a Tern selector. */
/*
 * A PV guest chooses the RIP, CS and SS that the hypervisor's own IRETQ
 * loads. If the hypervisor passed a non-canonical RIP or a selector of its
 * own through, that IRETQ would fault in ring 0. The hypervisor must end
 * this domain instead (Xen crashes the domain too), and every other domain
 * must go on. The boot scenario checks both; this guest never reports
 * SUCCESS, so the oracle skips it.
 */
#include <kit/kit.h>

/* The frame HYPERVISOR_iret pops: struct iret_context after RAX, R11, RCX. */
static struct iret_context frame __attribute__((aligned(16)));

void test_main(const start_info_t *si)
{
    frame.rip = 0x8000000000000000ul;        /* non-canonical */
    frame.cs = FLAT_KERNEL_CS & ~3;         /* kernel context, as in a bounce frame */
    frame.rflags = 0x202;
    frame.ss = FLAT_KERNEL_SS;
    kit_printf("hostile-iret: iret to a non-canonical RIP\n");
    __asm__ __volatile__("mov %0, %%rsp\n\t"
                         "mov %1, %%eax\n\t"
                         "syscall"
                         :: "r"(&frame), "i"(__HYPERVISOR_iret) : "memory");
    kit_test_failure("iret to a non-canonical RIP returned");
}
