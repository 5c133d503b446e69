/* SPDX-License-Identifier: MIT */
/* The hypervisor's command-line options (core/params.c). */
#ifndef TERN_PARAMS_H
#define TERN_PARAMS_H

#include <stdbool.h>

struct tern_params {
    bool nopoweroff;      /* stay up with no domain, waiting for debug keys */
    bool noreboot;        /* accepted for Xen compatibility; Tern never reboots */
    unsigned long maxcpus;  /* 0: all */
};

extern struct tern_params opt;

/* Parse the command line; logs each unknown or bad option. Returns the
 * number of problems. console= and loglvl= take effect at once. */
int params_parse(const char *cmdline);

#endif /* TERN_PARAMS_H */
