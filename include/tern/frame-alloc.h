/* SPDX-License-Identifier: MIT */
/* Buddy allocator of machine frames (core/frame-alloc.c), a pure module. */
#ifndef TERN_FRAME_ALLOC_H
#define TERN_FRAME_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FA_MAX_ORDER     18            /* 1 GiB blocks */
#define FA_INVALID       (~0ul)

/*
 * The allocator keeps its state in caller-provided storage, one small record
 * per frame (links of the free lists and the order of a free block's head),
 * so the same code runs in the hypervisor (storage from early boot memory)
 * and on the host (storage from malloc). No locking: the caller serialises.
 */
struct frame_alloc {
    unsigned long nr_frames;           /* frames 0 .. nr_frames-1 described */
    unsigned long free_frames;
    void *meta;                        /* fa_storage_bytes(nr_frames) bytes */
    uint32_t heads[FA_MAX_ORDER + 1];  /* free list heads, per order */
};

/* Bytes of storage needed to describe nr_frames frames. */
size_t fa_storage_bytes(unsigned long nr_frames);
/* Start with every frame allocated (not free). */
void fa_init(struct frame_alloc *fa, unsigned long nr_frames, void *storage);
/* Give frames [start, start+count) to the allocator; merges buddies.
 * Frames outside the described range are ignored. */
void fa_add_range(struct frame_alloc *fa, unsigned long start, unsigned long count);
/* Allocate 2^order contiguous, naturally aligned frames; FA_INVALID if none. */
unsigned long fa_alloc(struct frame_alloc *fa, unsigned int order);
/* Free a block that fa_alloc returned with the same order. */
void fa_free(struct frame_alloc *fa, unsigned long mfn, unsigned int order);
/* Is this frame currently free? (for checks and tests) */
bool fa_is_free(const struct frame_alloc *fa, unsigned long mfn);

#endif /* TERN_FRAME_ALLOC_H */
