/* SPDX-License-Identifier: MIT */
/* Kit: 2-level event channels delivered by upcall, and the pvclock. */
#ifndef KIT_EVENTS_H
#define KIT_EVENTS_H

#include <kit/lib.h>
#include <kit/traps.h>

/*
 * kit_events_init() maps shared_info and registers kit_upcall_entry as the
 * event callback (callback_op CALLBACKTYPE_event). Upcalls stay masked
 * (vcpu_info.evtchn_upcall_mask, set at start of day) until
 * kit_events_unmask(). A test passes each trap to kit_events_hook() from
 * its kit_trap_hook (or uses it as the hook): for an upcall it scans the
 * 2-level bitmaps as a guest kernel does (clear upcall_pending, take the
 * selector word, clear and count each pending unmasked port) and returns
 * true; for anything else it returns false.
 */
#define KIT_EVENT_PORTS 1024   /* ports counted (the 2-level ABI has 4096) */

struct kit_upcall_info {
    unsigned int count;             /* upcalls taken */
    uint8_t mask_in_handler;        /* evtchn_upcall_mask seen on entry */
    uint8_t pending_in_handler;     /* evtchn_upcall_pending seen on entry */
    unsigned long sel_in_handler;   /* evtchn_pending_sel seen on entry */
    struct kit_trap_frame frame;    /* the last upcall's frame */
};

extern volatile struct kit_upcall_info kit_upcall;
extern volatile unsigned int kit_event_count[KIT_EVENT_PORTS];

long kit_events_init(void);
/* kit_events_init, kit_events_hook as the trap hook and VIRQ_TIMER bound
 * on vCPU 0 (events still masked): its port. Aborts the test on failure. */
evtchn_port_t kit_events_timer_setup(void);
bool kit_events_hook(struct kit_trap_frame *f);
void kit_events_mask(void);
void kit_events_unmask(void);
vcpu_info_t *kit_vcpu_info(void);

/* Bits of the shared_info 2-level arrays. */
bool kit_evtchn_is_pending(evtchn_port_t port);
bool kit_evtchn_is_masked(evtchn_port_t port);
void kit_evtchn_set_mask(evtchn_port_t port);
void kit_evtchn_clear_pending(evtchn_port_t port);
long kit_evtchn_unmask(evtchn_port_t port);
long kit_evtchn_close(evtchn_port_t port);

/*
 * Xen system time in ns from vcpu_info[0].time: the version protocol (retry
 * while odd or changed), then system_time + scaled (TSC - tsc_timestamp).
 * Needs shared_info mapped (kit_events_init or kit_map_shared_info).
 */
uint64_t kit_system_time(void);
uint64_t kit_rdtsc(void);

#endif /* KIT_EVENTS_H */
