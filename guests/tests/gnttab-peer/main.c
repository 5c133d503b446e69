/* SPDX-License-Identifier: MIT */
/*
 * Test guest gnttab-peer: grant tables and event channels between two
 * domains. One binary, four roles, chosen on the command line with the
 * peer's domain id (Tern numbers domains from 1 in module order):
 *
 *   role=front peer=N   grants a ring page (ref 8), a data page (ref 9)
 *                       and a read-only page (ref 10) to N, allocates an
 *                       unbound port for N, then sends 1000 requests on a
 *                       xen/io/ring.h ring with event notifications; each
 *                       answer is checked, and so are the bytes the back
 *                       end copied into the data page by GNTTABOP_copy.
 *                       Then it tries to end access to the mapped ring
 *                       (refused: GTF_reading|GTF_writing), forces it, sees
 *                       the ring still work, and crashes on purpose
 *                       (SHUTDOWN_crash) with the ring still mapped by N.
 *   role=back peer=N    finds N's port by binding (only that port binds),
 *                       maps the ring, serves it; checks what it may not do
 *                       to N (setup_table, query_size, get_version,
 *                       alloc_unbound, status); after N died it still uses
 *                       the ring page, unmaps it fine, and N is gone for
 *                       maps, copies and binds.
 *   linger=MS           (front, back) wait MS milliseconds before the front
 *                       end dies and before the back end unmaps, with the
 *                       grants in use, for the 'g' and 'e' debug keys.
 *   role=granter peer=N grants pages to N, waits while N tries what it may
 *   role=holder peer=N  not (holder: wrong entries, rights, addresses,
 *                       foreign frames by mmu_update, implicit unmap...),
 *                       then N dies holding a writable mapping; the granter
 *                       sees its entries released by N's teardown.
 *
 * Only on Tern: the oracle runs one domain (GUEST_ORACLE_gnttab-peer := no).
 * A role that ends by crashing prints its result line itself first.
 */
#include "../gnttab-self/gnt.h"

#define xen_mb()  kit_mb()
#define xen_rmb() kit_rmb()
#define xen_wmb() kit_wmb()
#include <xen/io/ring.h>

struct tst_req {
    uint32_t op, id;
    uint64_t value;
};
struct tst_rsp {
    uint32_t op, id;
    uint64_t value;
};
DEFINE_RING_TYPES(tst, struct tst_req, struct tst_rsp);

#define OP_ECHO   1                 /* answer, and copy a pattern into ref 9 */
#define OP_CHECK  2                 /* map the ring a second time and unmap */
#define OP_BYE    3

#define NR_ECHO   1000
#define REF_RING  8
#define REF_DATA  9
#define REF_RO    10
#define REF_OTHER 11                /* granted to a domain that is not the peer */
#define NOBODY    33                /* a domain id no domain has */
#define MS        1000000ULL

static uint8_t table_area[1][4096] __attribute__((aligned(4096)));
static uint8_t page_a[4096] __attribute__((aligned(4096)));     /* ring / P */
static uint8_t page_b[4096] __attribute__((aligned(4096)));     /* data */
static uint8_t page_c[4096] __attribute__((aligned(4096)));     /* read-only */
static uint8_t va1[4096] __attribute__((aligned(4096)));
static uint8_t va2[4096] __attribute__((aligned(4096)));
static uint8_t va3[4096] __attribute__((aligned(4096)));
static uint8_t bounce[4096] __attribute__((aligned(4096)));

static grant_entry_v1_t *gt = (grant_entry_v1_t *)table_area;
static evtchn_port_t port;
static domid_t me, peer;
static unsigned int linger_ms;

/* Wait for an event on our port (or ms milliseconds), then clear it. */
static void wait_port(unsigned int ms)
{
    evtchn_port_t p = port;
    struct sched_poll poll;

    set_xen_guest_handle(poll.ports, &p);
    poll.nr_ports = 1;
    poll.timeout = kit_system_time() + ms * MS;
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    kit_evtchn_clear_pending(port);
}

static uint32_t port_status(evtchn_port_t p, struct evtchn_status *st)
{
    long rc;

    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = p;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
    if ( rc )
        kit_test_failure("status of port %u: %ld", p, rc);
    return st->status;
}

/* Sleep ms milliseconds (events on our port wake us early: sleep on). */
static void linger(void)
{
    uint64_t end = kit_system_time() + linger_ms * MS;

    if ( linger_ms )
        kit_printf("lingering %u ms\n", linger_ms);
    while ( kit_system_time() < end )
        wait_port(50);
}

/* Wait (yielding) until our port's status is want, for up to 20 s. */
static bool wait_status(uint32_t want, const char *what)
{
    uint64_t end = kit_system_time() + 20000 * MS;
    struct evtchn_status st;

    while ( port_status(port, &st) != want )
    {
        if ( kit_system_time() > end )
        {
            kit_test_failure("port %u never became %s (status %u)", port, what,
                             st.status);
            return false;
        }
        wait_port(10);
    }
    return true;
}

static uint64_t value_of(uint32_t id)
{
    return (id + 1) * 0x9e3779b97f4a7c15ULL;
}

static uint64_t answer_of(uint64_t v)
{
    return ~v ^ 0x5555;
}

static void pattern(volatile uint8_t *b, uint32_t id)
{
    unsigned int i;

    for ( i = 0; i < 16; i++ )
        b[i] = (uint8_t)(id * 31 + i);
}

/* A port of ours that peer may bind. */
static evtchn_port_t alloc_for(domid_t dom)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = dom };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    if ( rc )
        kit_test_abort("alloc_unbound for d%u: %ld", dom, rc);
    return a.port;
}

/* Bind the one port of peer's that waits for us (retrying while there is
 * none yet); every other port of peer's refuses. */
static void bind_peer(void)
{
    struct evtchn_bind_interdomain b;
    uint64_t end = kit_system_time() + 20000 * MS;
    evtchn_port_t p, found = 0;
    long rc;

    while ( !found )
    {
        for ( p = 1; p < 64 && !found; p++ )
        {
            b.remote_dom = peer;
            b.remote_port = p;
            rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
            if ( rc == 0 )
            {
                found = p;
                port = b.local_port;
            }
            else if ( rc != -XEN_EINVAL )
                kit_test_failure("bind_interdomain d%u port %u: %ld", peer, p, rc);
        }
        if ( kit_system_time() > end )
            kit_test_abort("d%u never offered a port", peer);
        if ( !found )
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    kit_printf("bound to d%u port %u as port %u\n", peer, found, port);
    /* Now interdomain: no other bind takes it, and no other port binds. */
    for ( p = 1; p < 64; p++ )
    {
        b.remote_dom = peer;
        b.remote_port = p;
        rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
        if ( rc != -XEN_EINVAL )
            kit_test_failure("second bind to d%u port %u: %ld", peer, p, rc);
    }
    {
        struct evtchn_status st;

        if ( port_status(port, &st) != EVTCHNSTAT_interdomain ||
             st.u.interdomain.dom != peer || st.u.interdomain.port != found )
            kit_test_failure("status after bind: %u d%u port %u", st.status,
                             st.u.interdomain.dom, st.u.interdomain.port);
    }
    /* The new port starts pending (Xen): take that event now. */
    kit_evtchn_clear_pending(port);
}

/* Map ref of peer's at va, retrying while the peer has not granted it. */
static grant_handle_t map_retry(grant_ref_t ref, uint32_t flags, void *va)
{
    uint64_t end = kit_system_time() + 20000 * MS;
    grant_handle_t h;
    int16_t st;

    gnt_clear_va(va);
    while ( (st = gnt_map(peer, ref, flags, (uint64_t)va, &h, NULL)) != GNTST_okay )
    {
        if ( st != GNTST_general_error || kit_system_time() > end )
            kit_test_abort("map of d%u ref %u: %d", peer, ref, st);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return h;
}

/* What a domain may not do to another one's tables (Xen's XSM default). */
static void check_not_ours(void)
{
    struct gnttab_query_size q = { .dom = peer };
    struct gnttab_get_version gv = { .dom = peer };
    struct evtchn_alloc_unbound a = { .dom = peer, .remote_dom = DOMID_SELF };
    struct evtchn_status st = { .dom = peer, .port = 1 };
    struct evtchn_bind_interdomain b = { .remote_dom = NOBODY, .remote_port = 1 };
    xen_pfn_t f;
    int16_t s;

    gnt_setup(peer, 1, &f, &s);
    GNT_EXPECT("setup_table of the peer's", s, GNTST_permission_denied);
    gnt_op(GNTTABOP_query_size, &q, 1);
    GNT_EXPECT("query_size of the peer's", q.status, GNTST_permission_denied);
    GNT_EXPECT("get_version of the peer's", gnt_op(GNTTABOP_get_version, &gv, 1),
               -XEN_EPERM);
    GNT_EXPECT("alloc_unbound in the peer's table",
               HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), -XEN_EPERM);
    a.dom = NOBODY;
    GNT_EXPECT("alloc_unbound in no domain's table",
               HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), -XEN_ESRCH);
    GNT_EXPECT("status of the peer's port",
               HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), -XEN_EPERM);
    st.dom = NOBODY;
    GNT_EXPECT("status of no domain's port",
               HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), -XEN_ESRCH);
    GNT_EXPECT("bind_interdomain to no domain",
               HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b), -XEN_ESRCH);
    /* alloc_unbound does not look at the remote domain (Xen). */
    a.dom = DOMID_SELF;
    a.remote_dom = NOBODY;
    GNT_EXPECT("alloc_unbound for no domain",
               HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0);
    kit_evtchn_close(a.port);
}

/* A table of one frame, mapped at table_area. */
static void own_table(void)
{
    xen_pfn_t frame;
    int16_t st;

    if ( gnt_setup(DOMID_SELF, 1, &frame, &st) || st != GNTST_okay )
        kit_test_abort("setup_table: %d", st);
    if ( !gnt_map_table(1, &frame, table_area) )
        kit_test_abort("cannot map the grant table");
}

/* Crash on purpose (SHUTDOWN_crash), first printing the result line. */
static void KIT_NORETURN die_deliberately(void)
{
    if ( kit_test_status() > KIT_TEST_SUCCESS )
        kit_test_exit();
    kit_printf("Test result: SUCCESS\n");
    kit_shutdown(SHUTDOWN_crash);
    kit_test_abort("SHUTDOWN_crash returned");
}

/* The front end: grants, the ring, the checks, then death. */
static void front(void)
{
    struct tst_sring *sring = (struct tst_sring *)page_a;
    volatile uint8_t *data = page_b;
    struct tst_front_ring fr;
    uint32_t sent = 0, recvd = 0;
    uint64_t start;

    own_table();
    memset(page_b, 0, sizeof(page_b));
    memset(page_c, 0xcc, sizeof(page_c));
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&fr, sring, 4096);
    gnt_grant(&gt[REF_RING], peer, kit_virt_to_mfn(page_a), GTF_permit_access);
    gnt_grant(&gt[REF_DATA], peer, kit_virt_to_mfn(page_b), GTF_permit_access);
    gnt_grant(&gt[REF_RO], peer, kit_virt_to_mfn(page_c),
              GTF_permit_access | GTF_readonly);
    gnt_grant(&gt[REF_OTHER], NOBODY, kit_virt_to_mfn(page_c), GTF_permit_access);
    port = alloc_for(peer);
    kit_printf("front: refs %u-%u for d%u, port %u\n", REF_RING, REF_OTHER, peer, port);
    if ( !wait_status(EVTCHNSTAT_interdomain, "bound") )
        kit_test_exit();

    start = kit_system_time();
    while ( recvd < NR_ECHO )
    {
        int more, notify;

        kit_evtchn_clear_pending(port);
        while ( sent < NR_ECHO && !RING_FULL(&fr) )
        {
            struct tst_req *req = RING_GET_REQUEST(&fr, fr.req_prod_pvt);

            req->op = OP_ECHO;
            req->id = sent;
            req->value = value_of(sent);
            fr.req_prod_pvt++;
            sent++;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
        if ( notify )
            kit_evtchn_send(port);
        do {
            while ( fr.rsp_cons != fr.sring->rsp_prod )
            {
                struct tst_rsp *rsp;
                uint8_t want[16];

                kit_rmb();
                rsp = RING_GET_RESPONSE(&fr, fr.rsp_cons);
                pattern(want, rsp->id);
                if ( rsp->op != OP_ECHO || rsp->id != recvd ||
                     rsp->value != answer_of(value_of(rsp->id)) )
                    kit_test_abort("response %u: op %u id %u value %#lx", recvd,
                                   rsp->op, rsp->id, (unsigned long)rsp->value);
                if ( memcmp((const void *)(data + (rsp->id % 256) * 16), want, 16) )
                    kit_test_abort("response %u: the copied bytes are wrong", recvd);
                fr.rsp_cons++;
                recvd++;
            }
            RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
        } while ( more );
        if ( recvd < NR_ECHO && (sent == NR_ECHO || RING_FULL(&fr)) )
            wait_port(100);
    }
    kit_printf("front: %u requests answered in %lu ms\n", recvd,
               (unsigned long)((kit_system_time() - start) / MS));

    /* Ending access while the back end maps the ring: refused; forced, the
     * mapping stays and the entry keeps its bits until unmapped. */
    if ( gnt_end_access(&gt[REF_RING]) )
        kit_test_failure("ended access to a mapped grant");
    GNT_EXPECT("ring entry while mapped", gt[REF_RING].flags,
               GTF_permit_access | GTF_reading | GTF_writing);
    __atomic_and_fetch(&gt[REF_RING].flags, (uint16_t)~GTF_permit_access,
                       __ATOMIC_SEQ_CST);
    GNT_EXPECT("ring entry after a forced end", gt[REF_RING].flags,
               GTF_reading | GTF_writing);
    {
        static const uint32_t ops[2] = { OP_CHECK, OP_BYE };
        unsigned int i;

        for ( i = 0; i < 2; i++ )
        {
            struct tst_req *req = RING_GET_REQUEST(&fr, fr.req_prod_pvt);
            uint64_t end = kit_system_time() + 20000 * MS;
            int notify;

            req->op = ops[i];
            req->id = NR_ECHO + i;
            req->value = 0;
            fr.req_prod_pvt++;
            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
            if ( notify )
                kit_evtchn_send(port);
            while ( fr.rsp_cons == fr.sring->rsp_prod )
            {
                if ( kit_system_time() > end )
                    kit_test_abort("no answer to op %u", ops[i]);
                wait_port(100);
            }
            kit_rmb();
            if ( RING_GET_RESPONSE(&fr, fr.rsp_cons)->value != 0 )
                kit_test_failure("op %u: the back end says %#lx", ops[i],
                                 (unsigned long)RING_GET_RESPONSE(&fr, fr.rsp_cons)->value);
            fr.rsp_cons++;
        }
    }
    GNT_EXPECT("ring entry at the end", gt[REF_RING].flags, GTF_reading | GTF_writing);
    linger();
    kit_printf("front: dying with the ring mapped by d%u\n", peer);
    die_deliberately();
}

/* Serve one request; returns the response's value (0: fine). */
static uint64_t serve(const struct tst_req *req, struct tst_rsp *rsp)
{
    rsp->op = req->op;
    rsp->id = req->id;
    switch ( req->op )
    {
    case OP_ECHO:
    {
        int16_t st;

        pattern(bounce, req->id);
        st = gnt_copy(GNTCOPY_dest_gref, DOMID_SELF, kit_virt_to_mfn(bounce), 0,
                      peer, REF_DATA, (uint16_t)((req->id % 256) * 16), 16);
        if ( st != GNTST_okay )
            kit_test_failure("copy for request %u: %d", req->id, st);
        return answer_of(req->value);
    }
    case OP_CHECK:
    {
        /* The entry is pinned writable by us: a second writable mapping
         * does not look at the (forcibly ended) entry again, as on Xen. */
        grant_handle_t h;
        int16_t st;

        gnt_clear_va(va3);
        st = gnt_map(peer, REF_RING, GNTMAP_host_map, (uint64_t)va3, &h, NULL);
        if ( st != GNTST_okay )
            return 0x100 | (uint16_t)st;
        if ( ((volatile struct tst_sring *)va3)->req_prod != NR_ECHO + 1 )
            return 0x200;
        st = gnt_unmap(h, (uint64_t)va3, 0);
        gnt_restore_va(va3);
        return st == GNTST_okay ? 0 : 0x300;
    }
    default:
        return 0;
    }
}

/* The back end: bind, map, serve; then outlive the front end. */
static void back(void)
{
    struct tst_back_ring br;
    volatile uint8_t *ring = va1, *ro = va2;
    grant_handle_t h_ring, h_ro, h;
    struct evtchn_status st;
    bool done = false;
    unsigned int served = 0;
    evtchn_port_t remote;

    check_not_ours();
    bind_peer();
    port_status(port, &st);
    remote = (evtchn_port_t)st.u.interdomain.port;
    h_ring = map_retry(REF_RING, GNTMAP_host_map, va1);
    h_ro = map_retry(REF_RO, GNTMAP_host_map | GNTMAP_readonly, va2);
    GNT_EXPECT("map of a read-only grant writable",
               gnt_map(peer, REF_RO, GNTMAP_host_map, (uint64_t)va3, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("map of a grant to another domain",
               gnt_map(peer, REF_OTHER, GNTMAP_host_map | GNTMAP_readonly,
                       (uint64_t)va3, &h, NULL), GNTST_general_error);
    GNT_EXPECT("copy into a read-only grant",
               gnt_copy(GNTCOPY_dest_gref, DOMID_SELF, kit_virt_to_mfn(bounce), 0,
                        peer, REF_RO, 0, 8), GNTST_general_error);
    if ( ro[100] != 0xcc )
        kit_test_failure("read-only grant reads %#x", ro[100]);
    BACK_RING_INIT(&br, (struct tst_sring *)va1, 4096);

    while ( !done )
    {
        int more;

        while ( br.req_cons != br.sring->req_prod )
        {
            struct tst_req req;
            struct tst_rsp *rsp;
            int notify;

            kit_rmb();
            req = *RING_GET_REQUEST(&br, br.req_cons);
            br.req_cons++;
            rsp = RING_GET_RESPONSE(&br, br.rsp_prod_pvt);
            rsp->value = serve(&req, rsp);
            br.rsp_prod_pvt++;
            served++;
            done = req.op == OP_BYE;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&br, notify);
            if ( notify )
                kit_evtchn_send(port);
        }
        RING_FINAL_CHECK_FOR_REQUESTS(&br, more);
        if ( !more && !done )
            wait_port(100);
    }
    kit_printf("back: served %u requests; waiting for d%u to go\n", served, peer);

    /* The front end crashes with the ring mapped: our end goes unbound. */
    if ( wait_status(EVTCHNSTAT_unbound, "unbound") )
    {
        port_status(port, &st);
        GNT_EXPECT("unbound port's remote", st.u.unbound.dom, peer);
    }
    linger();
    ring[2000] = 0x77;
    if ( ring[2000] != 0x77 || ((volatile struct tst_sring *)ring)->req_prod != NR_ECHO + 2 ||
         ro[4095] != 0xcc )
        kit_test_failure("the pages of the dead domain do not read back");
    GNT_EXPECT("unmap of the dead domain's ring", gnt_unmap(h_ring, (uint64_t)va1, 0),
               GNTST_okay);
    GNT_EXPECT("unmap of the dead domain's read-only page",
               gnt_unmap(h_ro, (uint64_t)va2, 0), GNTST_okay);
    GNT_EXPECT("map of the dead domain's grant",
               gnt_map(peer, REF_RING, GNTMAP_host_map, (uint64_t)va1, &h, NULL),
               GNTST_bad_domain);
    GNT_EXPECT("copy to the dead domain's grant",
               gnt_copy(GNTCOPY_dest_gref, DOMID_SELF, kit_virt_to_mfn(bounce), 0,
                        peer, REF_DATA, 0, 8), GNTST_bad_domain);
    {
        struct evtchn_bind_interdomain b = { .remote_dom = peer, .remote_port = remote };

        GNT_EXPECT("bind to the dead domain",
                   HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b), -XEN_ESRCH);
    }
    GNT_EXPECT("close of our unbound end", kit_evtchn_close(port), 0);
    gnt_restore_va(va1);
    gnt_restore_va(va2);
    kit_test_success();
}

/* The granter of the hostile pair: grants, watches, sees them released. */
static void granter(void)
{
    volatile uint8_t *p = page_a;
    evtchn_port_t other;
    uint64_t end;

    own_table();
    memset(page_a, 0, sizeof(page_a));
    memset(page_c, 0xcc, sizeof(page_c));
    gnt_grant(&gt[REF_RING], peer, kit_virt_to_mfn(page_a), GTF_permit_access);
    gnt_grant(&gt[REF_RO], peer, kit_virt_to_mfn(page_c), GTF_permit_access | GTF_readonly);
    gnt_grant(&gt[REF_OTHER], NOBODY, kit_virt_to_mfn(page_c), GTF_permit_access);
    other = alloc_for(NOBODY);
    port = alloc_for(peer);
    kit_printf("granter: refs for d%u, port %u (port %u waits for d%u)\n", peer,
               port, other, NOBODY);
    if ( !wait_status(EVTCHNSTAT_interdomain, "bound") )
        kit_test_exit();
    /* The holder writes 1 in the page when its checks are done. */
    end = kit_system_time() + 20000 * MS;
    while ( p[0] != 1 && kit_system_time() < end )
        wait_port(100);
    GNT_EXPECT("holder's word", p[0], 1);
    GNT_EXPECT("entry mapped writable", gt[REF_RING].flags,
               GTF_permit_access | GTF_reading | GTF_writing);
    /* The holder dropped its read-only PTE by mmu_update: still in use. */
    GNT_EXPECT("entry implicitly unmapped", gt[REF_RO].flags,
               GTF_permit_access | GTF_readonly | GTF_reading);
    if ( gnt_end_access(&gt[REF_RING]) || gnt_end_access(&gt[REF_RO]) )
        kit_test_failure("ended access to entries in use");
    p[1] = 1;                               /* die now */
    kit_evtchn_send(port);
    if ( wait_status(EVTCHNSTAT_unbound, "unbound") )
        kit_printf("granter: d%u is gone\n", peer);
    /* Its teardown released both. */
    GNT_EXPECT("entry after the holder died", gt[REF_RING].flags, GTF_permit_access);
    GNT_EXPECT("read-only entry after the holder died", gt[REF_RO].flags,
               GTF_permit_access | GTF_readonly);
    if ( !gnt_end_access(&gt[REF_RING]) || !gnt_end_access(&gt[REF_RO]) )
        kit_test_failure("cannot end access after the holder died");
    p[2] = 2;
    kit_evtchn_close(other);
    kit_test_success();
}

/* The holder: every refusal, then death with a writable mapping. */
static void holder(void)
{
    volatile uint8_t *p = va1;
    grant_handle_t h_rw, h_ro, h;
    uint64_t bus, end;
    unsigned long pmfn;
    long rc;

    check_not_ours();
    bind_peer();
    h_rw = map_retry(REF_RING, GNTMAP_host_map, va1);
    h_ro = map_retry(REF_RO, GNTMAP_host_map | GNTMAP_readonly, va2);
    gnt_clear_va(va3);
    GNT_EXPECT("map of another domain's entry",
               gnt_map(peer, REF_OTHER, GNTMAP_host_map | GNTMAP_readonly,
                       (uint64_t)va3, &h, NULL), GNTST_general_error);
    GNT_EXPECT("map of a read-only entry writable",
               gnt_map(peer, REF_RO, GNTMAP_host_map, (uint64_t)va3, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("map never granted",
               gnt_map(peer, 12, GNTMAP_host_map, (uint64_t)va3, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("map past the table",
               gnt_map(peer, 512, GNTMAP_host_map, (uint64_t)va3, &h, NULL),
               GNTST_bad_gntref);
    GNT_EXPECT("map at Tern's addresses",
               gnt_map(peer, REF_RING, GNTMAP_host_map, 0xffff800000001000UL, &h, NULL),
               GNTST_general_error);
    GNT_EXPECT("device map", gnt_map(peer, REF_RING, GNTMAP_device_map, 0, &h, &bus),
               GNTST_okay);
    pmfn = (unsigned long)(bus >> 12);
    GNT_EXPECT("device unmap", gnt_unmap(h, 0, bus), GNTST_okay);
    GNT_EXPECT("map with the granter's frame as PTE address",
               gnt_map(peer, REF_RING, GNTMAP_host_map | GNTMAP_contains_pte,
                       (uint64_t)pmfn << 12, &h, NULL), GNTST_general_error);
    GNT_EXPECT("copy into a read-only entry",
               gnt_copy(GNTCOPY_dest_gref, DOMID_SELF, kit_virt_to_mfn(bounce), 0,
                        peer, REF_RO, 0, 8), GNTST_general_error);
    GNT_EXPECT("copy from the granter's frame named by its domain",
               gnt_copy(0, peer, pmfn, 0, DOMID_SELF, kit_virt_to_mfn(bounce), 0, 8),
               GNTST_permission_denied);
    GNT_EXPECT("copy from the granter's frame as ours",
               gnt_copy(0, DOMID_SELF, pmfn, 0, DOMID_SELF, kit_virt_to_mfn(bounce), 0, 8),
               GNTST_bad_page);
    /* The granted frame by mmu_update instead: refused (not ours). */
    rc = kit_map_mfn(va3, pmfn, KIT_PTE_P | KIT_PTE_A);
    GNT_EXPECT("update_va_mapping of the granted frame", rc, -XEN_EBUSY);
    rc = kit_pin(1, pmfn);
    GNT_EXPECT("pinning the granted frame", rc, -XEN_EINVAL);
    GNT_EXPECT("unmap of a handle never given", gnt_unmap(12345, (uint64_t)va1, 0),
               GNTST_bad_handle);
    GNT_EXPECT("unmap at the read-only mapping", gnt_unmap(h_rw, (uint64_t)va2, 0),
               GNTST_general_error);
    {
        struct gnttab_unmap_and_replace r = { .host_addr = (uint64_t)va1,
            .new_addr = 0xffff800000001000UL, .handle = h_rw };

        gnt_op(GNTTABOP_unmap_and_replace, &r, 1);
        GNT_EXPECT("unmap_and_replace from Tern's addresses", r.status,
                   GNTST_general_error);
    }
    {
        struct gnttab_transfer t = { .mfn = kit_virt_to_mfn(bounce), .domid = peer };

        GNT_EXPECT("transfer", gnt_op(GNTTABOP_transfer, &t, 1), -XEN_ENOSYS);
    }
    /* An implicit unmap of the read-only mapping: the entry stays in use. */
    rc = HYPERVISOR_update_va_mapping((unsigned long)va2, 0, UVMF_INVLPG | UVMF_LOCAL);
    GNT_EXPECT("update_va_mapping over a grant PTE", rc, 0);
    GNT_EXPECT("unmap after that", gnt_unmap(h_ro, (uint64_t)va2, 0), GNTST_general_error);
    /* Done: say so in the page, and wait for the word to die. */
    p[0] = 1;
    kit_evtchn_send(port);
    end = kit_system_time() + 20000 * MS;
    while ( p[1] != 1 && kit_system_time() < end )
        wait_port(100);
    GNT_EXPECT("granter's word", p[1], 1);
    kit_printf("holder: dying with d%u's page mapped writable\n", peer);
    die_deliberately();
}

void test_main(const start_info_t *si)
{
    const char *cmd = (const char *)si->cmd_line;

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    me = gnt_my_domid();
    peer = (domid_t)kit_cmdline_num(cmd, "peer", 0);
    linger_ms = (unsigned int)kit_cmdline_num(cmd, "linger", 0);
    kit_printf("gnttab-peer: d%u, '%s'\n", me, cmd);
    if ( !peer || peer == me )
        kit_test_abort("no peer= on the command line");
    if ( kit_cmdline_has(cmd, "role=front") )
        front();
    else if ( kit_cmdline_has(cmd, "role=back") )
        back();
    else if ( kit_cmdline_has(cmd, "role=granter") )
        granter();
    else if ( kit_cmdline_has(cmd, "role=holder") )
        holder();
    else
        kit_test_abort("no role= on the command line");
}
