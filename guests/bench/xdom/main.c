/* SPDX-License-Identifier: MIT */
/*
 * Bench guest xdom: event channel and grant operations between two domains.
 *
 * One binary, two roles, chosen on the command line with the peer's
 * domain id (Tern numbers domains from 1 in module order; on Xen the two
 * are domUs 1 and 2):
 *
 *   role=ping peer=N   grants a page of the pattern to N at ref 8,
 *                      allocates an unbound port for N, and times the
 *                      round trips (xdom.evtchn);
 *   role=pong peer=N   finds N's port by binding, answers the round trips,
 *                      then times the grant operations on N's page
 *                      (xdom.gnttab-map-unmap, xdom.gnttab-copy).
 *   delay=MS           (ping) yield for MS ms of system time first, so that
 *                      the pong side's retries are seen to work.
 *
 * No xenstore: the pong side tries EVTCHNOP_bind_interdomain on the ping
 * side's ports 1..127 until one binds (only the port waiting for it does;
 * -EINVAL for the others, -ESRCH while the domain does not exist yet),
 * yielding between tries, for at most BOUND_MS of system time. So either
 * domain may start first. Both keep the port masked and wait for it with
 * SCHEDOP_poll, as the ipi guest does.
 *
 *   ping                                pong
 *   setup_table, grant ref 8            setup_table
 *   alloc_unbound(N) -> port            bind_interdomain (retry) -> port
 *   wait (bounded) <---- hello -------- send
 *   NR_TRIPS round trips:
 *     send ---------------------------> wait, count
 *     wait <--------------------------- send
 *   (1 check + warm-up + 5 rounds of 1000, timed on this side)
 *   send ------------- go ------------> wait (bounded)
 *                                       map ref 8 (retry), check bytes
 *                                       map + unmap x 6000 (timed)
 *                                       copy 4 KiB, check bytes
 *                                       copy x 6000 (timed)
 *   wait (bounded) <---- done --------- send, result line, power off
 *   entry idle? end access, result line, power off
 *
 * Both sides know how many round trips there are (bench_run's warm-up and
 * BENCH_ROUNDS rounds), so the pong side knows when the ping-pong is over
 * without another message. It still waits for go before its own timing:
 * had it run on after its last answer, on one pCPU the ping side would
 * only see that answer when the scheduler preempted it, a time slice
 * later, inside the last timed round. The waits inside the ping-pong have
 * no timeout (a timed poll would arm a timer on every operation); the
 * waits for hello, the first ping, go and done are bounded, so a domain
 * whose peer never comes says n/a and ends. All deadlines are system time,
 * which under QEMU -icount is virtual: nothing depends on the host. On one
 * pCPU (-smp 1) a round trip is two switches between the domains through
 * the scheduler, with two sends and two polls. Each domain prints its own
 * result line and powers off; Tern powers the machine off after both.
 */
#include "bench.h"
#include <kit/pt.h>

#define REF       8                 /* the granted page */
#define OPS       1000              /* operations per round */
#define NR_TRIPS  (1 + OPS * (BENCH_ROUNDS + 1))
#define MAX_PORT  128               /* ports tried by the binder */
#define BOUND_MS  10000             /* set-up waits, system time */
#define MAP_TRIES 1000              /* map retries while the entry is not ready */
#define MS        1000000ULL
#define MAP_KEY   "xdom.gnttab-map-unmap"
#define COPY_KEY  "xdom.gnttab-copy"

static uint8_t table_area[4096] __attribute__((aligned(4096)));
static uint8_t data[4096] __attribute__((aligned(4096)));      /* granted */
static uint8_t want[4096] __attribute__((aligned(4096)));      /* expected */
static uint8_t buf[4096] __attribute__((aligned(4096)));       /* copy target */
static uint8_t map_va[4096] __attribute__((aligned(4096)));    /* map target */

static grant_entry_v1_t *gt = (grant_entry_v1_t *)table_area;
static evtchn_port_t port;
static domid_t peer;
static unsigned long delay_ms;
static unsigned long buf_mfn;
static struct bench_gnt loops;  /* the timed loops' state (bench.h) */

/* The page's bytes: none repeats within 256, so a shift shows. */
static void fill_pattern(uint8_t *b)
{
    unsigned int i;

    for ( i = 0; i < 4096; i++ )
        b[i] = (uint8_t)(i * 7 + (i >> 8) + 0x5a);
}

/* Wait for our port (masked) with SCHEDOP_poll, then clear it. */
static void wait_port(void)
{
    struct sched_poll poll;
    evtchn_port_t ports[1] = { port };

    set_xen_guest_handle(poll.ports, ports);
    poll.nr_ports = 1;
    poll.timeout = 0;
    while ( !kit_evtchn_is_pending(port) )
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    kit_evtchn_clear_pending(port);
}

/* As wait_port, for at most BOUND_MS; false if nothing came. */
static bool wait_port_bounded(void)
{
    uint64_t end = kit_system_time() + BOUND_MS * MS;
    struct sched_poll poll;
    evtchn_port_t ports[1] = { port };

    set_xen_guest_handle(poll.ports, ports);
    poll.nr_ports = 1;
    poll.timeout = end;
    while ( !kit_evtchn_is_pending(port) )
    {
        if ( kit_system_time() >= end )
            return false;
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    kit_evtchn_clear_pending(port);
    return true;
}

/* A v1 table of one frame for ourselves, mapped at table_area. */
static long own_table(void)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    xen_pfn_t frame = 0;
    long rc;

    st.frame_list.p = &frame;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if ( rc || st.status != GNTST_okay )
        return rc ? rc : st.status;
    return kit_map_mfn(table_area, frame, KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);
}

/* The peer's port that ours is bound to (EVTCHNOP_status), or -1. */
static long port_remote(void)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);

    if ( rc || st.status != EVTCHNSTAT_interdomain || st.u.interdomain.dom != peer )
        return -1;
    return st.u.interdomain.port;
}

/* All three keys n/a for one reason (the ping side's set-up loops.failed, so
 * the pong side may have nothing to say either). */
static void na_all(const char *why, long rc)
{
    bench_na("xdom.evtchn", "%s: %ld", why, rc);
    bench_na(MAP_KEY, "%s: %ld", why, rc);
    bench_na(COPY_KEY, "%s: %ld", why, rc);
}

static void ping_loop(unsigned long ops, void *arg)
{
    (void)arg;
    while ( ops-- )
    {
        kit_evtchn_send(port);
        wait_port();
    }
}

/* The granter and timer of the round trips. */
static void ping(void)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF };
    uint64_t end = kit_system_time() + delay_ms * MS;
    bool granted = false;
    long rc;

    while ( kit_system_time() < end )
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    rc = own_table();
    if ( rc )
        kit_printf("bench: grant table: %ld (no grant for d%u)\n", rc, peer);
    else
    {
        fill_pattern(data);
        gt[REF].domid = peer;
        gt[REF].frame = (uint32_t)kit_virt_to_mfn(data);
        kit_wmb();
        gt[REF].flags = GTF_permit_access;
        granted = true;
    }
    a.remote_dom = peer;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    if ( rc )
    {
        na_all("alloc_unbound for the peer", rc);
        return;
    }
    port = a.port;
    kit_evtchn_set_mask(port);
    kit_evtchn_clear_pending(port);
    kit_printf("xdom: ping d%u, port %u%s\n", peer, port,
               granted ? ", ref 8 granted" : "");

    if ( !wait_port_bounded() )
    {
        na_all("the peer never bound port", port);
        return;
    }
    rc = port_remote();
    if ( rc < 0 )
    {
        na_all("not bound to the peer: port", port);
        return;
    }
    kit_printf("xdom: bound to d%u port %ld\n", peer, rc);
    ping_loop(1, NULL);
    bench_run("xdom.evtchn", OPS, ping_loop, NULL);

    /* The pong side times the grants now; it says when it is done. */
    kit_evtchn_send(port);                      /* go */
    if ( !wait_port_bounded() )
        kit_printf("bench: d%u never said done\n", peer);
    else if ( granted )
    {
        uint16_t f = gt[REF].flags;

        /* Every mapping of the pong side is gone: no GTF_reading/writing. */
        if ( f != GTF_permit_access || !__sync_bool_compare_and_swap(&gt[REF].flags, f, 0) )
            kit_printf("bench: ref 8 still in use at the end (flags %#x)\n", f);
    }
}

/*
 * Map the peer's ref at map_va (its PTE cleared by the caller), retrying
 * while the entry is not granted yet; check its bytes, unmap. False (after
 * a n/a line with the reason) if any of that loops.failed.
 */
static bool map_check(void)
{
    struct gnttab_map_grant_ref m;
    struct gnttab_unmap_grant_ref u;
    unsigned int tries;
    long rc;
    bool same;

    for ( tries = 0; ; tries++ )
    {
        m = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)map_va,
                                           .flags = GNTMAP_host_map,
                                           .ref = REF, .dom = peer };
        rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
        if ( rc )
        {
            bench_na(MAP_KEY, "map of d%u ref 8: rc %ld", peer, rc);
            return false;
        }
        if ( m.status == GNTST_okay )
            break;
        /* Not granted yet (general_error) or no table yet (bad_gntref). */
        if ( (m.status != GNTST_general_error && m.status != GNTST_bad_gntref) ||
             tries == MAP_TRIES )
        {
            bench_na(MAP_KEY, "map of d%u ref 8: status %d after %u tries", peer,
                     m.status, tries + 1);
            return false;
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    if ( tries )
        kit_printf("xdom: ref 8 mapped after %u retries\n", tries);
    same = !memcmp(map_va, want, sizeof(want));
    u = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)map_va,
                                         .handle = m.handle };
    rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    if ( rc || u.status != GNTST_okay )
    {
        bench_na(MAP_KEY, "unmap of d%u ref 8: rc %ld status %d", peer, rc, u.status);
        return false;
    }
    if ( !same )
        bench_na(MAP_KEY, "the mapped page of d%u is not the pattern", peer);
    return same;
}

/* One copy of the peer's page into buf, checked. False (after a n/a
 * line) if it loops.failed. */
static bool copy_check(void)
{
    struct gnttab_copy c = { .len = 4096, .flags = GNTCOPY_source_gref };
    long rc;

    memset(buf, 0, sizeof(buf));
    c.source.u.ref = REF;
    c.source.domid = peer;
    c.dest.u.gmfn = buf_mfn;
    c.dest.domid = DOMID_SELF;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1);
    if ( rc || c.status != GNTST_okay )
    {
        bench_na(COPY_KEY, "copy from d%u ref 8: rc %ld status %d", peer, rc, c.status);
        return false;
    }
    if ( memcmp(buf, want, sizeof(buf)) )
    {
        bench_na(COPY_KEY, "the copy of d%u's page is not the pattern", peer);
        return false;
    }
    return true;
}

/* The grant half: both keys timed here, or n/a with the reason. */
static void pong_grants(void)
{
    long rc;

    fill_pattern(want);
    buf_mfn = kit_virt_to_mfn(buf);
    loops = (struct bench_gnt){ .dom = peer, .ref = REF, .va = map_va, .mfn = buf_mfn };
    rc = HYPERVISOR_update_va_mapping((unsigned long)map_va, 0, UVMF_INVLPG | UVMF_LOCAL);
    if ( rc )
        bench_na(MAP_KEY, "clearing the map address: %ld", rc);
    else
    {
        if ( map_check() )
        {
            loops.failed = 0;
            bench_run(MAP_KEY, OPS, bench_gnt_map_loop, &loops);
            if ( loops.failed )
                kit_printf("bench: a map or unmap failed in the rounds: %ld\n", loops.failed);
        }
        kit_map_mfn(map_va, kit_virt_to_mfn(map_va),
                    KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D);
    }
    if ( copy_check() )
    {
        loops.failed = 0;
        bench_run(COPY_KEY, OPS, bench_gnt_copy_loop, &loops);
        if ( loops.failed )
            kit_printf("bench: a copy failed in the rounds: %ld\n", loops.failed);
    }
}

/* Bind the peer's port for us (retrying while there is none); false if
 * none came within BOUND_MS. */
static bool bind_peer(void)
{
    uint64_t end = kit_system_time() + BOUND_MS * MS;
    struct evtchn_bind_interdomain b;
    evtchn_port_t p;
    unsigned int tries;
    long rc;

    for ( tries = 0; ; tries++ )
    {
        for ( p = 1; p < MAX_PORT; p++ )
        {
            b.remote_dom = peer;
            b.remote_port = p;
            rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
            if ( rc == 0 )
            {
                port = b.local_port;
                kit_printf("xdom: pong bound to d%u port %u as port %u (%u retries)\n",
                           peer, p, port, tries);
                return true;
            }
            if ( rc == -XEN_ESRCH )     /* no such domain (yet) */
                break;
        }
        if ( kit_system_time() >= end )
            return false;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* The binder: answers the round trips, then times the grants. */
static void pong(void)
{
    unsigned long n;
    long rc;

    rc = own_table();
    if ( rc )
        kit_printf("bench: grant table: %ld (ignored)\n", rc);
    if ( !bind_peer() )
    {
        bench_na("xdom.evtchn", "d%u never offered a port", peer);
        bench_na(MAP_KEY, "no event channel to d%u", peer);
        bench_na(COPY_KEY, "no event channel to d%u", peer);
        return;
    }
    /* A new interdomain port starts pending on Xen: drop that event. */
    kit_evtchn_set_mask(port);
    kit_evtchn_clear_pending(port);
    kit_evtchn_send(port);                      /* hello */

    if ( !wait_port_bounded() )
    {
        bench_na(MAP_KEY, "d%u never sent a ping", peer);
        bench_na(COPY_KEY, "d%u never sent a ping", peer);
        return;
    }
    kit_evtchn_send(port);
    for ( n = 1; n < NR_TRIPS; n++ )
    {
        wait_port();
        kit_evtchn_send(port);
    }
    /* Block until the ping side has its last answer: if we ran on, it
     * would wait in its last round trip for us to be preempted. */
    if ( !wait_port_bounded() )
    {
        bench_na(MAP_KEY, "d%u never said go", peer);
        bench_na(COPY_KEY, "d%u never said go", peer);
        return;
    }
    pong_grants();
    kit_evtchn_send(port);                      /* done */
}

void bench_main(const start_info_t *si)
{
    const char *cmd = (const char *)si->cmd_line;
    bool is_ping = kit_cmdline_has(cmd, "role=ping");
    long rc;

    peer = (domid_t)kit_cmdline_num(cmd, "peer", 0);
    delay_ms = kit_cmdline_num(cmd, "delay", 0);
    if ( (!is_ping && !kit_cmdline_has(cmd, "role=pong")) || !peer )
    {
        bench_na("xdom.evtchn", "needs role=ping|pong and peer=N, got '%s'", cmd);
        return;
    }
    rc = kit_events_init();         /* maps shared info; upcalls stay masked */
    if ( rc )
    {
        bench_na("xdom.evtchn", "event set-up: %ld", rc);
        return;
    }
    if ( is_ping )
        ping();
    else
        pong();
}
