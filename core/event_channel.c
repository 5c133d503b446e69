/* SPDX-License-Identifier: MIT */
/* Event channels with the 2-level ABI. */
/*
 * Each domain has a table of EVTCHN_MAX_PORTS channels; port 0 is never
 * used; the ports Tern serves itself (the start_info console port, and the
 * store port when there is one) are ECS_RESERVED: the console port's send
 * makes Tern drain the ring.
 *
 *   FREE --alloc_unbound--> UNBOUND --bind_interdomain (by remote)--> INTERDOMAIN
 *   FREE --bind_virq--> VIRQ      FREE --bind_ipi--> IPI
 *   any --close--> FREE  (an INTERDOMAIN peer goes back to UNBOUND)
 *
 * Delivery (2-level): set the port's bit in shared_info.evtchn_pending; if
 * it was clear and the port is not masked, set the word's bit in the target
 * vCPU's evtchn_pending_sel and evtchn_upcall_pending, and kick the vCPU.
 * The upcall itself is made on the way back to the guest (trap bounce to
 * the event callback).
 *
 * Interdomain rules are Xen's for an unprivileged domain: alloc_unbound
 * only in the caller's own table (another domain's: -EPERM, none: -ESRCH),
 * for any remote id (not checked, as on Xen); bind_interdomain only to a
 * port that is unbound and waits for the caller (-EINVAL otherwise,
 * -ESRCH for no such domain); closing either end, or the end's domain
 * going, leaves the other end unbound, waiting for the one that left;
 * status and reset only of the caller's own table.
 *
 * Locks: one lock per domain (d->lock) guards its table; interdomain_lock
 * (one for all) guards every interdomain link and evtchn_domains[], the
 * domains whose tables peers may reach: a domain is there from
 * evtchn_init until evtchn_destroy, which closes its interdomain ports
 * under that lock before the table (and later the domain) is freed. So
 * under interdomain_lock the peer of an interdomain channel is alive.
 * Order: interdomain_lock, then the domain locks (lower domain id first).
 * Delivery from interrupts (timers, console input) takes only d->lock and
 * finds a table that evtchn_destroy has freed NULL.
 */
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/errno.h>
#include <tern/event.h>
#include <tern/heap.h>
#include <tern/hypercall.h>
#include <tern/lib.h>
#include <tern/sched.h>

#define BITS_PER_WORD 64

static DEFINE_SPINLOCK(interdomain_lock);
static struct domain *evtchn_domains[MAX_DOMAINS];

/* The domain with this id whose channels peers may reach, or NULL.
 * Caller holds interdomain_lock. */
static struct domain *peer_domain(domid_t id)
{
    return id < MAX_DOMAINS ? evtchn_domains[id] : NULL;
}

static struct evtchn *port_ptr(const struct domain *d, evtchn_port_t port)
{
    return port && port < EVTCHN_MAX_PORTS && d->evtchn ? &d->evtchn[port] : NULL;
}

int evtchn_init(struct domain *d)
{
    d->evtchn = heap_zalloc(EVTCHN_MAX_PORTS * sizeof(struct evtchn));
    if ( !d->evtchn )
        return -ENOMEM;
    d->evtchn[d->store_port].state = ECS_RESERVED;
    d->evtchn[d->console_port].state = ECS_RESERVED;
    if ( d->domain_id < MAX_DOMAINS )
    {
        unsigned long f = spin_lock_irqsave(&interdomain_lock);

        evtchn_domains[d->domain_id] = d;
        spin_unlock_irqrestore(&interdomain_lock, f);
    }
    return 0;
}

static bool test_and_set(volatile xen_ulong_t *word, unsigned int bit)
{
    return __atomic_fetch_or(word, 1ul << bit, __ATOMIC_SEQ_CST) & (1ul << bit);
}

/* Set v's upcall_pending and kick it. The exchange is a full barrier, as
 * Xen's test_and_set_bit: a vCPU that is about to block sets its blocked
 * flag, fences and then looks at upcall_pending, so either it sees the
 * upcall or vcpu_kick sees it blocked (a plain store could still sit in
 * this pCPU's store buffer when vcpu_kick reads the flag). */
static void mark_upcall_pending(struct vcpu *v)
{
    __atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    vcpu_kick(v);
}

/* Mark port pending in d and notify its vCPU. Caller holds d->lock. */
static void evtchn_set_pending(struct domain *d, evtchn_port_t port)
{
    shared_info_t *s = d->shared_info;
    struct vcpu *v, *w;

    if ( !d->evtchn )
        return;                              /* the domain is ending */
    v = d->vcpu[d->evtchn[port].notify_vcpu];

    if ( test_and_set(&s->evtchn_pending[port / BITS_PER_WORD], port % BITS_PER_WORD) )
        return;
    /* A vCPU in SCHEDOP_poll wakes for a newly pending port it polls (any
     * when it polls several), masked or not, whichever vCPU the port
     * notifies (Xen's poll_mask). */
    for_each_vcpu ( d, w )
        if ( w->polling && (!w->poll_port || w->poll_port == port) )
        {
            w->polling = false;
            vcpu_kick(w);
        }
    if ( s->evtchn_mask[port / BITS_PER_WORD] & (1ul << (port % BITS_PER_WORD)) )
        return;
    if ( test_and_set(&v->vcpu_info->evtchn_pending_sel, port / BITS_PER_WORD) )
        return;
    mark_upcall_pending(v);
}

void evtchn_raise(struct domain *d, evtchn_port_t port)
{
    unsigned long f;

    if ( !port || port >= EVTCHN_MAX_PORTS )
        return;
    f = spin_lock_irqsave(&d->lock);
    evtchn_set_pending(d, port);
    spin_unlock_irqrestore(&d->lock, f);
}

int evtchn_upcall_due(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

int evtchn_any_pending(const struct domain *d, const evtchn_port_t *ports,
                       unsigned int n)
{
    unsigned int i;

    for ( i = 0; i < n; i++ )
        if ( ports[i] < EVTCHN_MAX_PORTS &&
             (d->shared_info->evtchn_pending[ports[i] / BITS_PER_WORD] &
              (1ul << (ports[i] % BITS_PER_WORD))) )
            return 1;
    return 0;
}

/*
 * VIRQs as Xen's: VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF and VIRQ_XENPMU
 * are per vCPU (each vCPU may bind its own port); every other one is
 * global, bound on vCPU 0's table and delivered to the port's notify vCPU
 * (which bind_vcpu may move).
 */
static bool virq_is_global(unsigned int virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF &&
           virq != VIRQ_XENPMU;
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;
    unsigned long f = spin_lock_irqsave(&d->lock);
    evtchn_port_t port = virq < NR_VIRQS ? v->virq_to_port[virq] : 0;

    if ( port && d->evtchn && d->evtchn[port].notify_vcpu == v->vcpu_id )
        evtchn_set_pending(d, port);
    spin_unlock_irqrestore(&d->lock, f);
}

/* A free port, or -ENOSPC. Caller holds d->lock. */
static int get_free_port(struct domain *d)
{
    evtchn_port_t p;

    for ( p = 1; p < EVTCHN_MAX_PORTS; p++ )
        if ( d->evtchn[p].state == ECS_FREE )
        {
            d->evtchn[p] = (struct evtchn){ .state = ECS_FREE };
            return (int)p;
        }
    return -ENOSPC;
}

static domid_t resolve(const struct domain *d, domid_t id)
{
    return id == DOMID_SELF ? d->domain_id : id;
}

/*
 * The table an op names by domain id (Xen's rcu_lock_domain_by_any_id and
 * the default XSM policy): the caller's own (DOMID_SELF or its id) -> 0;
 * another domain's -> -EPERM; no such domain -> -ESRCH.
 */
static int own_table(const struct domain *d, domid_t id)
{
    if ( resolve(d, id) == d->domain_id )
        return 0;
    return domain_by_id(id) ? -EPERM : -ESRCH;
}

/* Close port in d. Caller holds interdomain_lock and d->lock (and the
 * peer's for interdomain). */
static void close_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn *c = &d->evtchn[port];

    if ( c->state == ECS_VIRQ )
    {
        struct vcpu *v = d->vcpu[virq_is_global(c->virq) ? 0 : c->notify_vcpu];

        if ( v->virq_to_port[c->virq] == port )
            v->virq_to_port[c->virq] = 0;
    }
    if ( c->state == ECS_INTERDOMAIN )
    {
        struct domain *rd = peer_domain(c->remote_dom);

        if ( rd && rd->evtchn )
        {
            struct evtchn *rc = &rd->evtchn[c->remote_port];

            rc->state = ECS_UNBOUND;
            rc->remote_dom = d->domain_id;
            rc->remote_port = 0;
        }
    }
    *c = (struct evtchn){ .state = ECS_FREE };
    __atomic_fetch_and(&d->shared_info->evtchn_pending[port / BITS_PER_WORD],
                       ~(1ul << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
}

static long evtchn_alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *a)
{
    int port = own_table(d, a->dom);

    if ( port )
        return port;
    spin_lock(&d->lock);
    port = get_free_port(d);
    if ( port > 0 )
    {
        d->evtchn[port].state = ECS_UNBOUND;
        d->evtchn[port].remote_dom = resolve(d, a->remote_dom);
        a->port = (evtchn_port_t)port;
    }
    spin_unlock(&d->lock);
    return port < 0 ? port : 0;
}

static void lock_pair(struct domain *a, struct domain *b)
{
    if ( a == b )
        spin_lock(&a->lock);
    else if ( a->domain_id < b->domain_id )
    {
        spin_lock(&a->lock);
        spin_lock(&b->lock);
    }
    else
    {
        spin_lock(&b->lock);
        spin_lock(&a->lock);
    }
}

static void unlock_pair(struct domain *a, struct domain *b)
{
    spin_unlock(&a->lock);
    if ( a != b )
        spin_unlock(&b->lock);
}

static long evtchn_bind_interdomain(struct domain *d, struct evtchn_bind_interdomain *b)
{
    unsigned long f = spin_lock_irqsave(&interdomain_lock);
    struct domain *rd = peer_domain(resolve(d, b->remote_dom));
    struct evtchn *rc;
    long rc_val = 0;
    int port;

    if ( !rd )
    {
        /* A domain that never had a table has no port waiting for us. */
        spin_unlock_irqrestore(&interdomain_lock, f);
        return domain_by_id(b->remote_dom) ? -EINVAL : -ESRCH;
    }
    lock_pair(d, rd);
    port = get_free_port(d);
    if ( port < 0 )
    {
        rc_val = port;
        goto out;
    }
    rc = port_ptr(rd, b->remote_port);
    if ( !rc || rc->state != ECS_UNBOUND || rc->remote_dom != d->domain_id )
    {
        rc_val = -EINVAL;
        goto out;
    }
    d->evtchn[port].state = ECS_INTERDOMAIN;
    d->evtchn[port].remote_dom = rd->domain_id;
    d->evtchn[port].remote_port = b->remote_port;
    rc->state = ECS_INTERDOMAIN;
    rc->remote_dom = d->domain_id;
    rc->remote_port = (evtchn_port_t)port;
    b->local_port = (evtchn_port_t)port;
    /* As on Xen, the local end starts pending so no event is lost. */
    evtchn_set_pending(d, (evtchn_port_t)port);
 out:
    unlock_pair(d, rd);
    spin_unlock_irqrestore(&interdomain_lock, f);
    return rc_val;
}

static long evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    int port;

    struct vcpu *v;

    if ( b->virq >= NR_VIRQS || (virq_is_global(b->virq) && b->vcpu != 0) )
        return -EINVAL;
    if ( b->vcpu >= d->max_vcpus || !(v = d->vcpu[b->vcpu]) )
        return -ENOENT;
    spin_lock(&d->lock);
    if ( v->virq_to_port[b->virq] )
    {
        spin_unlock(&d->lock);
        return -EEXIST;
    }
    port = get_free_port(d);
    if ( port > 0 )
    {
        d->evtchn[port].state = ECS_VIRQ;
        d->evtchn[port].virq = (uint8_t)b->virq;
        d->evtchn[port].notify_vcpu = (uint16_t)b->vcpu;
        v->virq_to_port[b->virq] = (evtchn_port_t)port;
        b->port = (evtchn_port_t)port;
    }
    spin_unlock(&d->lock);
    return port < 0 ? port : 0;
}

static long evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    int port;

    if ( b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu] )
        return -ENOENT;
    spin_lock(&d->lock);
    port = get_free_port(d);
    if ( port > 0 )
    {
        d->evtchn[port].state = ECS_IPI;
        d->evtchn[port].notify_vcpu = (uint16_t)b->vcpu;
        b->port = (evtchn_port_t)port;
    }
    spin_unlock(&d->lock);
    return port < 0 ? port : 0;
}

/* Close port of d. Caller holds interdomain_lock. */
static long close_locked(struct domain *d, evtchn_port_t port)
{
    struct evtchn *c = port_ptr(d, port);
    struct domain *rd;

    if ( !c || c->state == ECS_FREE )
        return -EINVAL;
    rd = c->state == ECS_INTERDOMAIN ? peer_domain(c->remote_dom) : NULL;
    if ( rd )
        lock_pair(d, rd);
    else
        spin_lock(&d->lock);
    if ( c->state == ECS_RESERVED )
    {
        /* The guest may close its store or console port; Tern stops
         * serving it. */
        if ( port == d->console_port )
            d->console_port = 0;
    }
    close_port(d, port);
    if ( rd )
        unlock_pair(d, rd);
    else
        spin_unlock(&d->lock);
    return 0;
}

static long evtchn_close(struct domain *d, evtchn_port_t port)
{
    unsigned long f = spin_lock_irqsave(&interdomain_lock);
    long rc = close_locked(d, port);

    spin_unlock_irqrestore(&interdomain_lock, f);
    return rc;
}

static long evtchn_send(struct domain *d, evtchn_port_t port)
{
    struct evtchn *c = port_ptr(d, port);
    struct domain *rd;
    long rc = 0;

    if ( !c )
        return -EINVAL;
    switch ( c->state )
    {
    case ECS_RESERVED:
        if ( port == d->console_port )
            domain_console_flush(d);
        return 0;
    case ECS_UNBOUND:
        return 0;                            /* nobody to tell, as on Xen */
    case ECS_IPI:
        spin_lock(&d->lock);
        evtchn_set_pending(d, port);
        spin_unlock(&d->lock);
        return 0;
    case ECS_INTERDOMAIN:
    {
        /* Under interdomain_lock the link and its peer cannot go; a link
         * closed meanwhile makes the send a no-op (as unbound). */
        unsigned long f = spin_lock_irqsave(&interdomain_lock);

        rd = c->state == ECS_INTERDOMAIN ? peer_domain(c->remote_dom) : NULL;
        if ( rd )
        {
            spin_lock(&rd->lock);
            evtchn_set_pending(rd, c->remote_port);
            spin_unlock(&rd->lock);
        }
        spin_unlock_irqrestore(&interdomain_lock, f);
        return rc;
    }
    default:
        return -EINVAL;
    }
}

static long evtchn_status(struct domain *d, struct evtchn_status *st)
{
    struct evtchn *c;
    int rc = own_table(d, st->dom);

    if ( rc )
        return rc;                           /* another domain's: privileged */
    c = port_ptr(d, st->port);
    if ( !c )
        return -EINVAL;
    st->vcpu = c->notify_vcpu;
    switch ( c->state )
    {
    case ECS_FREE:
        st->status = EVTCHNSTAT_closed;
        break;
    case ECS_RESERVED:
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = c->state == ECS_RESERVED ? 0 : c->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = c->remote_dom;
        st->u.interdomain.port = c->remote_port;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = c->virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    }
    return 0;
}

static long evtchn_unmask(struct domain *d, evtchn_port_t port)
{
    shared_info_t *s = d->shared_info;
    unsigned int w = port / BITS_PER_WORD, b = port % BITS_PER_WORD;
    struct vcpu *v;

    if ( !port_ptr(d, port) )
        return -EINVAL;
    spin_lock(&d->lock);
    v = d->vcpu[d->evtchn[port].notify_vcpu];
    __atomic_fetch_and(&s->evtchn_mask[w], ~(1ul << b), __ATOMIC_SEQ_CST);
    if ( (s->evtchn_pending[w] & (1ul << b)) &&
         !test_and_set(&v->vcpu_info->evtchn_pending_sel, w) )
        mark_upcall_pending(v);
    spin_unlock(&d->lock);
    return 0;
}

static long evtchn_bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *b)
{
    struct evtchn *c = port_ptr(d, b->port);
    long rc = 0;

    /* As Xen: the vCPU first, then the port. */
    if ( b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu] )
        return -ENOENT;
    if ( !c )
        return -EINVAL;
    spin_lock(&d->lock);
    switch ( c->state )
    {
    case ECS_VIRQ:
        rc = virq_is_global(c->virq) ? 0 : -EINVAL;
        if ( !rc )
            c->notify_vcpu = (uint16_t)b->vcpu;
        break;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        c->notify_vcpu = (uint16_t)b->vcpu;
        break;
    default:
        rc = -EINVAL;
        break;
    }
    spin_unlock(&d->lock);
    return rc;
}

static long evtchn_reset(struct domain *d, struct evtchn_reset *r)
{
    evtchn_port_t p;
    int rc = own_table(d, r->dom);

    if ( rc )
        return rc;
    for ( p = 1; p < EVTCHN_MAX_PORTS; p++ )
        if ( d->evtchn[p].state != ECS_FREE && d->evtchn[p].state != ECS_RESERVED )
            evtchn_close(d, p);
    return 0;
}

void evtchn_destroy(struct domain *d)
{
    unsigned long f = spin_lock_irqsave(&interdomain_lock);
    struct evtchn *table = d->evtchn;
    evtchn_port_t p;

    if ( d->domain_id < MAX_DOMAINS && evtchn_domains[d->domain_id] == d )
        evtchn_domains[d->domain_id] = NULL;
    if ( table )
    {
        for ( p = 1; p < EVTCHN_MAX_PORTS; p++ )
            if ( table[p].state == ECS_INTERDOMAIN )
                close_locked(d, p);
        spin_lock(&d->lock);
        d->evtchn = NULL;
        spin_unlock(&d->lock);
    }
    spin_unlock_irqrestore(&interdomain_lock, f);
    heap_free(table);
}

static const char *const state_names[] = {
    [ECS_FREE] = "free", [ECS_RESERVED] = "reserved", [ECS_UNBOUND] = "unbound",
    [ECS_INTERDOMAIN] = "interdomain", [ECS_VIRQ] = "virq", [ECS_IPI] = "ipi",
};

void evtchn_dump(void)
{
    unsigned long f = spin_lock_irqsave(&interdomain_lock);
    unsigned int id;

    printk("Event channels (2-level):\n");
    for ( id = 0; id < MAX_DOMAINS; id++ )
    {
        struct domain *d = evtchn_domains[id];
        evtchn_port_t p;

        if ( !d )
            continue;
        spin_lock(&d->lock);
        printk("  d%u '%s':\n", id, d->name);
        for ( p = 1; p < EVTCHN_MAX_PORTS; p++ )
        {
            const struct evtchn *c = &d->evtchn[p];
            const shared_info_t *s = d->shared_info;
            unsigned int w = p / BITS_PER_WORD, b = p % BITS_PER_WORD;
            int pend = (int)((s->evtchn_pending[w] >> b) & 1);
            int mask = (int)((s->evtchn_mask[w] >> b) & 1);

            if ( c->state == ECS_FREE )
                continue;
            if ( c->state == ECS_INTERDOMAIN )
                printk("    port %u: interdomain to d%u port %u, vcpu %u, "
                       "pending %d, masked %d\n", p, c->remote_dom, c->remote_port,
                       c->notify_vcpu, pend, mask);
            else if ( c->state == ECS_UNBOUND )
                printk("    port %u: unbound, for d%u, pending %d, masked %d\n", p,
                       c->remote_dom, pend, mask);
            else if ( c->state == ECS_VIRQ )
                printk("    port %u: virq %u, vcpu %u, pending %d, masked %d\n", p,
                       c->virq, c->notify_vcpu, pend, mask);
            else
                printk("    port %u: %s, vcpu %u, pending %d, masked %d\n", p,
                       state_names[c->state], c->notify_vcpu, pend, mask);
        }
        spin_unlock(&d->lock);
    }
    spin_unlock_irqrestore(&interdomain_lock, f);
}

/* Copy the argument in, run op, copy it back out when op succeeded. */
#define EVTCHN_OP(type, fn) do { \
    type a_; \
    if ( copy_from_guest(&a_, arg, sizeof(a_)) ) \
        return -EFAULT; \
    rc = fn(d, &a_); \
    if ( !rc && copy_to_guest(arg, &a_, sizeof(a_)) ) \
        rc = -EFAULT; \
} while ( 0 )

long do_event_channel_op(unsigned long cmd, unsigned long arg)
{
    struct domain *d = current_vcpu()->domain;
    long rc;

    switch ( cmd )
    {
    case EVTCHNOP_alloc_unbound:
        EVTCHN_OP(struct evtchn_alloc_unbound, evtchn_alloc_unbound);
        return rc;
    case EVTCHNOP_bind_interdomain:
        EVTCHN_OP(struct evtchn_bind_interdomain, evtchn_bind_interdomain);
        return rc;
    case EVTCHNOP_bind_virq:
        EVTCHN_OP(struct evtchn_bind_virq, evtchn_bind_virq);
        return rc;
    case EVTCHNOP_bind_ipi:
        EVTCHN_OP(struct evtchn_bind_ipi, evtchn_bind_ipi);
        return rc;
    case EVTCHNOP_status:
        EVTCHN_OP(struct evtchn_status, evtchn_status);
        return rc;
    case EVTCHNOP_bind_vcpu:
        EVTCHN_OP(struct evtchn_bind_vcpu, evtchn_bind_vcpu);
        return rc;
    case EVTCHNOP_reset:
        EVTCHN_OP(struct evtchn_reset, evtchn_reset);
        return rc;
    case EVTCHNOP_close:
    {
        struct evtchn_close c;

        if ( copy_from_guest(&c, arg, sizeof(c)) )
            return -EFAULT;
        return evtchn_close(d, c.port);
    }
    case EVTCHNOP_send:
    {
        struct evtchn_send s;

        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -EFAULT;
        return evtchn_send(d, s.port);
    }
    case EVTCHNOP_unmask:
    {
        struct evtchn_unmask u;

        if ( copy_from_guest(&u, arg, sizeof(u)) )
            return -EFAULT;
        return evtchn_unmask(d, u.port);
    }
    default:
        /* FIFO ABI (init_control, expand_array, set_priority) and the rest:
         * Linux falls back to the 2-level ABI. */
        return -ENOSYS;
    }
}
