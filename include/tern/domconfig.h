/* SPDX-License-Identifier: MIT */
/* A domain's settings, from its boot module's string (lib/domconfig.c). */
#ifndef TERN_DOMCONFIG_H
#define TERN_DOMCONFIG_H

#include <stddef.h>
#include <stdint.h>

#define DOMCFG_NAME_MAX     32
#define DOMCFG_CMDLINE_MAX  1024   /* MAX_GUEST_CMDLINE in xen.h */
#define DOMCFG_MAX_VCPUS    128

#define DOMCFG_DEFAULT_MEMORY (128ull << 20)
#define DOMCFG_DEFAULT_WEIGHT 256    /* credit2's default weight */
#define DOMCFG_MAX_WEIGHT     65535

struct domain_config {
    char path[128];                   /* the module's file name, "" if not given */
    char name[DOMCFG_NAME_MAX];       /* "" when not given: the builder names it */
    uint64_t memory;                  /* bytes */
    unsigned int vcpus;
    char cmdline[DOMCFG_CMDLINE_MAX];
    unsigned int weight;              /* scheduling weight, 1..65535 */
    unsigned int cap;                 /* % of one pCPU the domain may use, 0: no cap */
    uint64_t cpus;                    /* hard affinity of every vCPU (bit n: pCPU n), 0: any */
    unsigned int nr_vcpu_cpus;        /* cpus=[...]: vCPUs 0..n-1 have their own set */
    uint64_t vcpu_cpus[DOMCFG_MAX_VCPUS];
};

/*
 * Parse a module string in xl.cfg words:
 *   [PATH] [name=NAME] [memory=SIZE] [vcpus=N] [cmdline=WORD | cmdline="..."]
 *   [weight=N] [cap=PCT] [cpus=LIST | cpus=[CPU,CPU,...]]
 * PATH is the first word when it has no '=' (GRUB's module2 leaves it out).
 * memory without a suffix is in MiB, as xl's memory=. Missing keys take the
 * defaults (name "", 128M, 1 vCPU, empty command line, weight 256, no cap,
 * any pCPU).
 * The scheduling keys are xl's: weight= (1..65535) is the domain's share
 * relative to the others, cap= (0..100 * DOMCFG_MAX_VCPUS) the most it may
 * use in percent of one pCPU (0: no cap), cpus= the pCPUs its vCPUs may run
 * on (hard affinity): a CPU list ("0-1,3", "all", "^2": see cpulist.h) for
 * every vCPU, or xl's list form "[0,1,2-3]" (xl: cpus=["0","1","2-3"];
 * the quotes may be left out) that pins vCPU n to the n-th item, one CPU
 * or range each; vCPUs beyond the list may run anywhere.
 * Returns 0, or -EINVAL / -ERANGE / -ENOENT (unknown key) and writes a
 * message naming the key into err (e.g. "memory=12Q: bad size").
 * Names are [A-Za-z0-9_.-]{1,31}; memory is at least 1 MiB and a multiple
 * of 4 KiB; vcpus is 1..DOMCFG_MAX_VCPUS.
 */
int domconfig_parse(const char *s, struct domain_config *cfg,
                    char *err, size_t errlen);

/* The hard affinity of vCPU vcpu (bit n: pCPU n); 0 when it may run anywhere. */
uint64_t domconfig_vcpu_cpus(const struct domain_config *cfg, unsigned int vcpu);

#endif /* TERN_DOMCONFIG_H */
