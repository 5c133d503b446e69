/* SPDX-License-Identifier: MIT */
/* Kit: 2-level event channels delivered by upcall, and the pvclock. */
#include <kit/kit.h>
#include <kit/events.h>

volatile struct kit_upcall_info kit_upcall;
volatile unsigned int kit_event_count[KIT_EVENT_PORTS];

#define BITS_PER_WORD 64

vcpu_info_t *kit_vcpu_info(void)
{
    return &kit_shared_info->vcpu_info[0];
}

/* Map shared_info and register the kit's event callback. */
long kit_events_init(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .address = (unsigned long)kit_upcall_entry,
    };
    long rc = kit_map_shared_info();

    if ( rc )
        return rc;
    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

evtchn_port_t kit_events_timer_setup(void)
{
    struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };

    if ( kit_events_init() )
        kit_test_abort("cannot set up event delivery");
    kit_trap_hook = kit_events_hook;
    if ( HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind) )
        kit_test_abort("cannot bind VIRQ_TIMER");
    if ( bind.port >= KIT_EVENT_PORTS )
        kit_test_abort("timer port %u too big", bind.port);
    return bind.port;
}

static inline void clear_bit(unsigned int nr, volatile unsigned long *addr)
{
    __asm__ volatile ("lock btrq %1, %0" : "+m" (*addr) : "Ir" ((unsigned long)nr)
                      : "memory");
}

static inline void set_bit(unsigned int nr, volatile unsigned long *addr)
{
    __asm__ volatile ("lock btsq %1, %0" : "+m" (*addr) : "Ir" ((unsigned long)nr)
                      : "memory");
}

static inline bool test_bit(unsigned int nr, const volatile unsigned long *addr)
{
    return (addr[nr / BITS_PER_WORD] >> (nr % BITS_PER_WORD)) & 1;
}

bool kit_evtchn_is_pending(evtchn_port_t port)
{
    return test_bit(port, kit_shared_info->evtchn_pending);
}

bool kit_evtchn_is_masked(evtchn_port_t port)
{
    return test_bit(port, kit_shared_info->evtchn_mask);
}

void kit_evtchn_set_mask(evtchn_port_t port)
{
    set_bit(port % BITS_PER_WORD,
            &kit_shared_info->evtchn_mask[port / BITS_PER_WORD]);
}

void kit_evtchn_clear_pending(evtchn_port_t port)
{
    clear_bit(port % BITS_PER_WORD,
              &kit_shared_info->evtchn_pending[port / BITS_PER_WORD]);
}

/* EVTCHNOP_unmask: Xen clears the mask and notifies if the port is pending. */
long kit_evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask op = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

long kit_evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

/*
 * The upcall: scan the selector and the pending words as a guest kernel
 * does, clearing what it handles, and count each port.
 */
bool kit_events_hook(struct kit_trap_frame *f)
{
    vcpu_info_t *vi = kit_vcpu_info();
    shared_info_t *s = kit_shared_info;
    unsigned long sel;

    if ( f->vector != KIT_VECTOR_UPCALL )
        return false;
    kit_upcall.mask_in_handler = vi->evtchn_upcall_mask;
    kit_upcall.pending_in_handler = vi->evtchn_upcall_pending;
    kit_upcall.sel_in_handler = vi->evtchn_pending_sel;
    memcpy((void *)&kit_upcall.frame, f, sizeof(*f));
    kit_upcall.count++;

    vi->evtchn_upcall_pending = 0;
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while ( sel )
    {
        unsigned int w = __builtin_ctzl(sel);
        unsigned long bits;

        sel &= sel - 1;
        bits = s->evtchn_pending[w] & ~s->evtchn_mask[w];
        while ( bits )
        {
            unsigned int b = __builtin_ctzl(bits);
            unsigned int port = w * BITS_PER_WORD + b;

            bits &= bits - 1;
            clear_bit(b, &s->evtchn_pending[w]);
            if ( port < KIT_EVENT_PORTS )
                kit_event_count[port]++;
        }
    }
    return true;
}

void kit_events_mask(void)
{
    kit_vcpu_info()->evtchn_upcall_mask = 1;
    kit_barrier();
}

/*
 * Unmask upcalls; if one is pending already, make a hypercall (xen_version,
 * as Linux does) so that Xen delivers it on the way back.
 */
void kit_events_unmask(void)
{
    vcpu_info_t *vi = kit_vcpu_info();

    kit_barrier();
    vi->evtchn_upcall_mask = 0;
    kit_mb();
    if ( vi->evtchn_upcall_pending )
        HYPERVISOR_xen_version(XENVER_version, NULL);
}

uint64_t kit_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile ("rdtsc" : "=a" (lo), "=d" (hi));
    return ((uint64_t)hi << 32) | lo;
}

uint64_t kit_system_time(void)
{
    const volatile struct vcpu_time_info *t = &kit_vcpu_info()->time;
    uint32_t version, mul;
    uint64_t tsc_stamp, sys, delta;
    int8_t shift;

    do {
        version = t->version;
        kit_rmb();
        tsc_stamp = t->tsc_timestamp;
        sys = t->system_time;
        mul = t->tsc_to_system_mul;
        shift = t->tsc_shift;
        delta = kit_rdtsc() - tsc_stamp;
        kit_rmb();
    } while ( (version & 1) || version != t->version );

    if ( shift < 0 )
        delta >>= -shift;
    else
        delta <<= shift;
    return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}
