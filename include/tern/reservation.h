/* SPDX-License-Identifier: MIT */
/* memory_op's ops that change a domain's memory (core/hc-reservation.c). */
#ifndef TERN_RESERVATION_H
#define TERN_RESERVATION_H

/*
 * The cmd argument of memory_op carries the sub-op in its low bits and,
 * for the ops that can be continued, the extent to start from above them
 * (Xen's MEMOP_EXTENT_SHIFT, which the public headers do not export).
 */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1ul << MEMOP_EXTENT_SHIFT) - 1)

/* XENMEM_increase_reservation, _decrease_reservation, _populate_physmap
 * from extent start; returns the extents done, or an errno. */
long memory_reservation_op(unsigned int op, unsigned long start, unsigned long arg);
/* XENMEM_exchange. */
long memory_exchange(unsigned long arg);

#endif /* TERN_RESERVATION_H */
