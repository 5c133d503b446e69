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

struct domain_config {
    char path[128];                   /* the module's file name, "" if not given */
    char name[DOMCFG_NAME_MAX];       /* "" when not given: the builder names it */
    uint64_t memory;                  /* bytes */
    unsigned int vcpus;
    char cmdline[DOMCFG_CMDLINE_MAX];
};

/*
 * Parse a module string in xl.cfg words:
 *   [PATH] [name=NAME] [memory=SIZE] [vcpus=N] [cmdline=WORD | cmdline="..."]
 * PATH is the first word when it has no '=' (GRUB's module2 leaves it out).
 * memory without a suffix is in MiB, as xl's memory=. Missing keys take the
 * defaults (name "", 128M, 1 vCPU, empty command line).
 * Returns 0, or -EINVAL / -ERANGE / -ENOENT (unknown key) and writes a
 * message naming the key into err (e.g. "memory=12Q: bad size").
 * Names are [A-Za-z0-9_.-]{1,31}; memory is at least 1 MiB and a multiple
 * of 4 KiB; vcpus is 1..DOMCFG_MAX_VCPUS.
 */
int domconfig_parse(const char *s, struct domain_config *cfg,
                    char *err, size_t errlen);

#endif /* TERN_DOMCONFIG_H */
