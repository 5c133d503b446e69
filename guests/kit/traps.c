/* SPDX-License-Identifier: MIT */
/* Kit: a trap table whose every entry reports the exception and ends the test. */
#include <kit/kit.h>
#include <kit/traps.h>

#define NR_VECTORS 22   /* #DE .. #CP */

/* Entry stubs in entry.S, one per vector. */
extern const unsigned long kit_trap_stubs[NR_VECTORS];

static const char *const names[NR_VECTORS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF(9)",
    "#TS", "#NP", "#SS", "#GP", "#PF", "(15)", "#MF", "#AC", "#MC", "#XM",
    "#VE", "#CP",
};

/*
 * Register the stubs with set_trap_table: every exception except NMI
 * (which has its own callback) and the reserved vector 15. #BP and #OF
 * get DPL 3 so that int3 and into reach them. A failure is printed and
 * otherwise ignored: a fault would then end the domain instead.
 */
void kit_traps_init(void)
{
    static struct trap_info table[NR_VECTORS + 1];
    unsigned int v, n = 0;
    long rc;

    for ( v = 0; v < NR_VECTORS; v++ )
    {
        if ( v == 2 || v == 15 )
            continue;
        table[n].vector = (uint8_t)v;
        table[n].flags = (v == 3 || v == 4) ? 3 : 0;
        table[n].cs = FLAT_KERNEL_CS;
        table[n].address = kit_trap_stubs[v];
        n++;
    }
    table[n].address = 0;
    rc = HYPERVISOR_set_trap_table(table);
    if ( rc )
        kit_printf("kit: set_trap_table failed: %ld\n", rc);
}

/*
 * Called from the entry stub with the frame. Unless the test's hook takes
 * it (then this returns and the frame is resumed), print the exception and
 * the registers and end the test with ERROR. A second exception while
 * doing so crashes the domain instead.
 */
kit_trap_hook_t kit_trap_hook;

void kit_trap(struct kit_trap_frame *f)
{
    static bool nested, in_hook;
    unsigned long cr2 = 0;

    if ( kit_trap_hook && !in_hook && !nested )
    {
        bool handled;

        in_hook = true;
        handled = kit_trap_hook(f);
        in_hook = false;
        if ( handled )
            return;
    }
    if ( nested )
        kit_shutdown(SHUTDOWN_crash);
    nested = true;

    if ( f->vector == 14 && kit_map_shared_info() == 0 )
        cr2 = kit_shared_info->vcpu_info[0].arch.cr2;
    kit_printf("kit: exception %lu %s, error code %#lx\n", f->vector,
               f->vector == KIT_VECTOR_UPCALL ? "(event upcall)" :
               f->vector < NR_VECTORS ? names[f->vector] : "?",
               f->error_code);
    kit_printf("kit: rip %#018lx cs %#lx rflags %#lx rsp %#018lx ss %#lx\n",
               f->rip, f->cs, f->rflags, f->rsp, f->ss);
    if ( f->vector == 14 )
        kit_printf("kit: cr2 %#018lx\n", cr2);
    kit_printf("kit: rax %#018lx rbx %#018lx rcx %#018lx rdx %#018lx\n",
               f->rax, f->rbx, f->rcx, f->rdx);
    kit_printf("kit: rsi %#018lx rdi %#018lx rbp %#018lx\n",
               f->rsi, f->rdi, f->rbp);
    kit_test_abort("unexpected exception %s at %#lx",
                   f->vector < NR_VECTORS ? names[f->vector] : "?", f->rip);
}

void kit_set_trap_gate(uint8_t vector, uint8_t dpl, const void *handler)
{
    struct trap_info t[2] = {
        { .vector = vector, .flags = dpl, .cs = FLAT_KERNEL_CS,
          .address = (unsigned long)handler },
        { .address = 0 },
    };
    long rc = HYPERVISOR_set_trap_table(t);

    if ( rc )
        kit_test_abort("set_trap_table vector %#x: %ld", vector, rc);
}
