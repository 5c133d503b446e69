/* SPDX-License-Identifier: MIT */
/*
 * The dom0 builder's service loop: the console back end of every domU and
 * the end of each.
 *
 * Each domU's console ring is mapped in the builder (a page of its own
 * image per domU) and drained into the builder's console_io, one whole
 * line at a time with the domU's "(dN) " prefix, as Tern prints a domU's
 * console. The builder waits in SCHEDOP_poll on the console ports and on
 * VIRQ_DOM_EXC (masked: no upcalls, the pending bits are read and cleared
 * here). On VIRQ_DOM_EXC each running domU is looked at with
 * getdomaininfo; one that shut down has its ring drained, its end said,
 * and is destroyed. The loop ends when no domU runs.
 */
#include "builder.h"

static uint8_t ring_pages[BUILDER_MAX_DOMS][KIT_PAGE_SIZE]
    __attribute__((aligned(4096)));

static const char *const reasons[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

/* Print d's line so far with its prefix and start a new one. */
static void flush_line(struct dom *d)
{
    kit_printf("(d%u) %.*s\n", d->domid, (int)d->len, d->line);
    d->len = 0;
}

/* Take what d wrote to its ring; CRs are dropped, LFs end lines. */
static void drain(struct dom *d)
{
    struct xencons_interface *r = d->ring;
    XENCONS_RING_IDX cons, prod;

    if ( !r )
        return;
    cons = r->out_cons;
    prod = r->out_prod;
    kit_rmb();
    if ( prod - cons > sizeof(r->out) )
        cons = prod - sizeof(r->out);   /* a bad index: take the last ring */
    for ( ; cons != prod; cons++ )
    {
        char c = r->out[MASK_XENCONS_IDX(cons, r->out)];

        if ( c == '\n' )
            flush_line(d);
        else if ( c != '\r' )
        {
            d->line[d->len++] = c;
            if ( d->len == sizeof(d->line) )
                flush_line(d);
        }
    }
    kit_mb();
    r->out_cons = cons;
    kit_evtchn_send(d->console_port);
}

/* d shut down or died: its last output, its end, and it is destroyed. */
static bool ended(struct dom *d)
{
    struct xen_domctl_getdomaininfo info;
    long rc = dom_getinfo(d->domid, &info);
    unsigned int code;

    if ( rc == 0 && !(info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)) )
        return false;
    drain(d);
    if ( d->len )
        flush_line(d);
    code = rc ? SHUTDOWN_crash :
           (info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
    d->shutdown_code = code;
    kit_printf("builder: d%u '%s' shut down: %s\n", d->domid, d->cfg.name,
               code < KIT_ARRAY_SIZE(reasons) && reasons[code] ? reasons[code]
                                                              : "?");
    rc = dom_destroy(d);
    if ( rc )
        kit_printf("builder: d%u: destroydomain: %ld\n", d->domid, rc);
    return true;
}

unsigned int serve(struct dom *doms, unsigned int nr)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    evtchn_port_t ports[BUILDER_MAX_DOMS + 1];
    struct sched_poll poll;
    unsigned int i, live, bad = 0;
    long rc;

    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv);
    if ( rc )
        kit_test_abort("builder: binding VIRQ_DOM_EXC: %ld", rc);
    kit_evtchn_set_mask(bv.port);
    for ( i = 0; i < nr; i++ )
    {
        struct dom *d = &doms[i];

        if ( !d->running )
            continue;
        kit_evtchn_set_mask(d->console_port);
        rc = map_foreign(ring_pages[i], d->console_mfn, d->domid);
        if ( rc )
            kit_printf("builder: d%u: mapping its console ring: %ld\n",
                       d->domid, rc);
        else
            d->ring = (struct xencons_interface *)ring_pages[i];
    }
    for ( ;; )
    {
        unsigned int n = 0;

        live = 0;
        kit_evtchn_clear_pending(bv.port);
        for ( i = 0; i < nr; i++ )
        {
            struct dom *d = &doms[i];

            if ( !d->running )
                continue;
            kit_evtchn_clear_pending(d->console_port);
            drain(d);
            if ( ended(d) )
            {
                bad += d->shutdown_code != SHUTDOWN_poweroff;
                continue;
            }
            live++;
            ports[n++] = d->console_port;
        }
        if ( !live )
            break;
        ports[n++] = bv.port;
        set_xen_guest_handle(poll.ports, ports);
        poll.nr_ports = n;
        poll.timeout = 0;
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    return bad;
}
