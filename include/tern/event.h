/* SPDX-License-Identifier: MIT */
/* 2-level event channels (core/event_channel.c). */
#ifndef TERN_EVENT_H
#define TERN_EVENT_H

#include <stdint.h>
#include <xen/event_channel.h>

#define EVTCHN_MAX_PORTS 1024        /* a domU's default limit on Xen is 1023 */

/* Channel states, as Xen names them. */
#define ECS_FREE         0           /* not in use */
#define ECS_RESERVED     1           /* kept by Tern (the console and store ports) */
#define ECS_UNBOUND      2           /* waiting for remote_dom to bind */
#define ECS_INTERDOMAIN  3           /* connected to remote port */
#define ECS_VIRQ         4
#define ECS_IPI          5

struct domain;
struct vcpu;

struct evtchn {
    uint8_t state;
    uint8_t virq;                    /* ECS_VIRQ */
    uint16_t notify_vcpu;
    domid_t remote_dom;              /* ECS_UNBOUND, ECS_INTERDOMAIN */
    evtchn_port_t remote_port;       /* ECS_INTERDOMAIN */
};

/* Set up d's table, with ports 1 (store) and 2 (console) reserved.
 * Returns 0 or -ENOMEM. */
int evtchn_init(struct domain *d);
/* Close every port (interdomain peers become unbound) and free the table. */
void evtchn_destroy(struct domain *d);
/* Raise virq on v if the guest bound it. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
/* Make port of d pending and notify its vCPU, as a send to it would
 * (Tern's own ports: the console ring's). Ignores port 0 and out of range. */
void evtchn_raise(struct domain *d, evtchn_port_t port);
/* Is an event upcall due for v (pending and not masked)? */
int evtchn_upcall_due(const struct vcpu *v);
/* The 'e' debug key: every domain's open ports, interdomain links with
 * their peer domain and port. */
void evtchn_dump(void);
/* SCHEDOP_poll: is any of these ports pending? */
int evtchn_any_pending(const struct domain *d, const evtchn_port_t *ports,
                       unsigned int n);

#endif /* TERN_EVENT_H */
