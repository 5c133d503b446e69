/* SPDX-License-Identifier: MIT */
/* The hypervisor's small heap (core/heap.c), a pure module. */
#ifndef TERN_HEAP_H
#define TERN_HEAP_H

#include <stddef.h>

/*
 * Allocations up to 2 KiB come from per-size-class slabs carved from 4 KiB
 * pages; larger ones take 2^order whole pages. Pages come from a callback so
 * the host tests can supply them. Every block is 16-byte aligned; 4 KiB
 * aligned when larger than 2 KiB. Every call runs under the ops' lock
 * (lock returns what unlock takes back, e.g. the saved interrupt flag);
 * both may be NULL where only one CPU uses the heap (the host tests).
 */
struct heap_ops {
    void *(*alloc_pages)(unsigned int order);       /* NULL on failure */
    void (*free_pages)(void *p, unsigned int order);
    unsigned long (*lock)(void);
    void (*unlock)(unsigned long flags);
};

void heap_init(const struct heap_ops *ops);
/* NULL on size 0 or no memory. */
void *heap_alloc(size_t size);
void *heap_zalloc(size_t size);
/* p may be NULL. Freeing a pointer heap_alloc did not return is a bug. */
void heap_free(void *p);
/* Bytes handed out and bytes held in pages, for the memory debug key. */
void heap_stats(size_t *in_use, size_t *held);

#endif /* TERN_HEAP_H */
