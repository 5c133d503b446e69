/* SPDX-License-Identifier: MIT */
/* The dom0 builder: a kit guest that builds and serves domUs under Xen. */
#ifndef BUILDER_H
#define BUILDER_H

/*
 * Built with __XEN_TOOLS__ (guests/builder/builder.mk): the domctl
 * interface is for a toolstack, which the builder is.
 */
#include <kit/kit.h>
#include <kit/events.h>
#include <xen/domctl.h>
#include <tern/domconfig.h>
#include <tern/elf-xen.h>

#define BUILDER_MAX_DOMS    8
#define BUILDER_LINE_MAX    256

/* One domU: its settings from the list, its build state, its console. */
struct dom {
    struct domain_config cfg;
    const uint8_t *image;           /* the kernel, inside the list module */
    size_t size;
    struct elf_xen_info elf;
    domid_t domid;                  /* 0 until createdomain gave one */
    unsigned long nr_pages;
    xen_pfn_t *p2m;                 /* pfn -> mfn, nr_pages entries */
    uint64_t start_info_va, stack_va, pt_va;
    unsigned long pt_pfn, nr_pt;
    evtchn_port_t console_port;     /* the builder's end */
    evtchn_port_t console_remote;   /* the domU's end (start_info) */
    unsigned long console_mfn;
    struct xencons_interface *ring; /* mapped in the builder while it runs */
    char line[BUILDER_LINE_MAX];
    unsigned int len;
    bool running;                   /* unpaused, not yet destroyed */
    unsigned int shutdown_code;     /* SHUTDOWN_* once it shut down */
};

/* Hypercalls only a toolstack makes. */
static inline long HYPERVISOR_domctl(struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return KIT_HC(__HYPERVISOR_domctl, op, 0, 0, 0, 0);
}

static inline long HYPERVISOR_update_va_mapping_otherdomain(
    unsigned long va, uint64_t val, unsigned long flags, domid_t dom)
{
    return KIT_HC(__HYPERVISOR_update_va_mapping_otherdomain, va, val, flags,
                  dom, 0);
}

/* domlist.c: the list module (tools/mkdomlist.py). Returns the number of
 * domains read into doms (at most max), or -1 after saying what is wrong. */
int domlist_parse(const uint8_t *mod, size_t len, struct dom *doms,
                  unsigned int max);

/* build.c: build d (paused, ready to unpause). Returns 0 or a negative
 * Xen errno after saying which step failed; a half-built domain is
 * destroyed. */
int dom_build(struct dom *d);
int dom_unpause(struct dom *d);
/* Destroy d (after unmapping its console ring). */
int dom_destroy(struct dom *d);
long dom_getinfo(domid_t domid, struct xen_domctl_getdomaininfo *info);
/* Map foreign frame mfn of domid at va (page aligned, in the builder's
 * image), or the builder's own frame back when domid is DOMID_SELF. */
long map_foreign(void *va, unsigned long mfn, domid_t domid);

/* serve.c: console rings and shutdowns until every domU is gone. Returns
 * how many ended otherwise than by poweroff. */
unsigned int serve(struct dom *doms, unsigned int nr);

#endif /* BUILDER_H */
