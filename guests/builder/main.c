/* SPDX-License-Identifier: MIT */
/*
 * The dom0 builder: a kit guest that runs as Xen 4.17's initial domain and
 * does a toolstack's work for kit guests, so that they can run as Xen
 * domUs, several at once, as they run on Tern: the bench's inter-domain
 * rows and multi-domain memory rows compare like with like.
 *
 * Its module (the "initrd" Xen gives dom0) is a domain list made by
 * tools/mkdomlist.py: the domUs' kernels with Tern's module strings
 * (name=, memory=, vcpus=, cmdline=). Each domU is built paused (build.c),
 * then all are unpaused in list order, and the builder serves their
 * consoles until every one has shut down (serve.c). It ends in SUCCESS when
 * every domU was built and powered off, else in ERROR, and powers off:
 * Xen then stops the machine.
 */
#include "builder.h"
#include <tern/lib.h>

static struct dom doms[BUILDER_MAX_DOMS];

/* vsnprintf's %pS hook: the builder has no symbol table. */
bool symbol_lookup(unsigned long addr, char *buf, size_t size)
{
    (void)addr;
    (void)buf;
    (void)size;
    return false;
}

void test_main(const start_info_t *si)
{
    const uint8_t *mod = (const uint8_t *)si->mod_start;
    domid_t self = DOMID_SELF;
    unsigned int i, built = 0, bad;
    int nr;
    long rc;

    if ( !(si->flags & SIF_INITDOMAIN) )
        kit_test_abort("builder: not the initial domain (it builds domUs)");
    if ( !si->mod_start || !si->mod_len || (si->flags & SIF_MOD_START_PFN) )
        kit_test_abort("builder: no domain list module (give Xen one after "
                       "the builder: tools/mkdomlist.py)");
    nr = domlist_parse(mod, si->mod_len, doms, BUILDER_MAX_DOMS);
    if ( nr < 0 )
        kit_test_abort("builder: bad domain list");
    rc = kit_events_init();
    if ( rc )
        kit_test_abort("builder: event set-up: %ld", rc);
    for ( i = 0; i < (unsigned int)nr; i++ )
        if ( dom_build(&doms[i]) == 0 )
            built++;
    /* For the bench's memory rows, which count the domains' own pages. */
    rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    if ( rc >= 0 )
        kit_printf("builder: dom0 owns %ld pages\n", rc);
    for ( i = 0; i < (unsigned int)nr; i++ )
    {
        if ( !doms[i].domid )
            continue;
        rc = dom_unpause(&doms[i]);
        if ( rc )
            kit_printf("builder: d%u: unpause: %ld\n", doms[i].domid, rc);
    }
    bad = serve(doms, (unsigned int)nr);
    if ( built < (unsigned int)nr )
        kit_test_error("builder: %u of %d domains not built", nr - (int)built, nr);
    else if ( bad )
        kit_test_error("builder: %u domains did not power off", bad);
    else
        kit_test_success();
}
