/* SPDX-License-Identifier: MIT */
/* Kit: console output to console_io and to the start_info console ring. */
#include <kit/kit.h>

/*
 * The ring page is mapped here when it lies outside the initial mapping
 * (a builder may put it anywhere it likes; Xen's and Tern's put it inside).
 */
static uint8_t ring_page[KIT_PAGE_SIZE] __attribute__((aligned(4096)));

/* How many yields to wait for room in a full ring before giving it up. */
#define RING_PATIENCE 100000

bool kit_console_use_io = true;
bool kit_console_use_ring = true;

static struct xencons_interface *ring;
static evtchn_port_t ring_port;

/*
 * Find the console ring of a domU: start_info names its machine frame;
 * the M2P gives its pfn, and the pfn its address in the initial mapping.
 * The initial domain has no ring (its console field is the VGA info).
 */
void kit_console_init(const start_info_t *si)
{
    unsigned long mfn, pfn;

    if ( si->flags & SIF_INITDOMAIN )
        return;
    mfn = si->console.domU.mfn;
    if ( mfn == 0 )
        return;
    pfn = kit_mfn_to_pfn(mfn);
    if ( kit_pfn_is_mapped(pfn) )
        ring = kit_pfn_to_virt(pfn);
    else if ( kit_map_mfn(ring_page, mfn,
                          KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D) == 0 )
        ring = (struct xencons_interface *)ring_page;
    ring_port = si->console.domU.evtchn;
    /* A domU writes to its ring alone, as Xen's release builds refuse it
     * console_io; the initial domain has only console_io. */
    if ( ring )
        kit_console_use_io = false;
}

/* The console ring in use, or NULL when the domain has none. */
struct xencons_interface *kit_console_ring(void)
{
    return ring;
}

/*
 * Put len bytes on the ring, a CR before each LF as a terminal wants,
 * kicking the back end whenever the ring fills and once at the end. Gives
 * the ring up (no more output there) if it stays full for RING_PATIENCE
 * yields: nobody is reading it.
 */
static void ring_write(const char *buf, size_t len)
{
    XENCONS_RING_IDX prod = ring->out_prod;
    unsigned int waited = 0;
    size_t i = 0;
    bool cr_done = false;

    while ( i < len )
    {
        char c = buf[i];

        if ( prod - ring->out_cons >= sizeof(ring->out) )
        {
            kit_wmb();
            ring->out_prod = prod;
            kit_evtchn_send(ring_port);
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
            kit_rmb();
            if ( ++waited > RING_PATIENCE )
            {
                ring = NULL;
                return;
            }
            continue;
        }
        if ( c == '\n' && !cr_done )
        {
            ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = '\r';
            cr_done = true;
            continue;
        }
        ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = c;
        cr_done = false;
        i++;
    }
    kit_wmb();
    ring->out_prod = prod;
    kit_evtchn_send(ring_port);
}

/* Write len bytes to every console in use. */
void kit_console_write(const char *buf, size_t len)
{
    if ( kit_console_use_io )
        HYPERVISOR_console_io(CONSOLEIO_write, (unsigned int)len, (void *)buf);
    if ( kit_console_use_ring && ring )
        ring_write(buf, len);
}

/* vprintf to the consoles; returns the length written (cut at 512 bytes). */
int kit_vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = kit_vsnprintf(buf, sizeof(buf), fmt, ap);

    if ( n > (int)sizeof(buf) - 1 )
        n = sizeof(buf) - 1;
    kit_console_write(buf, (size_t)n);
    return n;
}

/* printf to the consoles; returns the length written. */
int kit_printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kit_vprintf(fmt, ap);
    va_end(ap);
    return n;
}
