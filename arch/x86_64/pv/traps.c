/* SPDX-License-Identifier: MIT */
/* Exceptions taken by a PV guest. */
/*
 * Trap bounce (delivering an exception to the guest's trap table with the
 * PV exception frame) is the next step; until then an exception in a
 * guest stops that domain with a report, and Tern and the other domains go
 * on.
 */
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/sched.h>
#include <xen/sched.h>

void pv_guest_trap(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    char why[160];

    snprintf(why, sizeof(why), "exception %lu (error code %#lx) at %04lx:%016lx, "
             "rsp %016lx, cr2 %016lx; trap bounce is not implemented yet",
             r->vector, r->error_code, r->cs, r->rip, r->rsp,
             r->vector == 14 ? read_cr2() : 0ul);
    if ( !v )
        panic("guest exception with no current vCPU: %s", why);
    domain_shutdown_current(SHUTDOWN_crash, why);
}
