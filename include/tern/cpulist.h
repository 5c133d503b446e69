/* SPDX-License-Identifier: MIT */
/* CPU lists as xl.cfg writes them: "0-3,5", "all", "^1" (lib/cpulist.c). */
#ifndef TERN_CPULIST_H
#define TERN_CPULIST_H

#include <stddef.h>
#include <stdint.h>

/* CPUs a list can name: bit n of a mask is CPU n (NR_CPUS is 64). */
#define CPULIST_MAX_CPUS 64

/*
 * Parse s, a comma-separated list of items, into *mask. An item is a CPU
 * number (decimal), a range "A-B" (A <= B), "all", or one of those after
 * '^', which takes them out of what the items before it named (xl's
 * "0-3,^1" is 0, 2 and 3). Returns 0, -EINVAL for bad syntax or a list
 * that names no CPU, -ERANGE for a CPU at or above CPULIST_MAX_CPUS.
 */
int cpulist_parse(const char *s, uint64_t *mask);

/*
 * Write mask as a list of CPUs and ranges ("0-1,3"; "none" when empty)
 * into buf (always terminated when size > 0). Returns buf.
 */
const char *cpulist_format(char *buf, size_t size, uint64_t mask);

#endif /* TERN_CPULIST_H */
