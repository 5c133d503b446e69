/* SPDX-License-Identifier: MIT */
/* Buddy allocator of machine frames, state in caller-provided storage. */
#include <tern/frame-alloc.h>
#include <tern/lib.h>

/*
 * Theory of operation.
 *
 * Free memory is a set of blocks of 2^order frames, each naturally aligned
 * (its first frame, the head, is a multiple of 2^order). Each order has a
 * doubly linked list of its free blocks, threaded through the per-frame
 * records of the heads:
 *
 *   heads[order] -> head A <-> head B <-> ... (FA_NIL ends the list)
 *
 * Only a free block's head is marked: free = 1 and order = its order. All
 * other frames (inside free blocks or allocated) have free = 0. The buddy
 * of block (mfn, order) is mfn ^ 2^order; two free buddies of the same
 * order always merge, so no two free buddies of one order coexist. A frame
 * is free iff some aligned head at or below it is marked with an order
 * large enough to cover it.
 *
 * Frame numbers are 32 bits wide in the records: up to 2^32-1 frames
 * (16 TiB) are described; more are ignored.
 */

#define FA_NIL  0xffffffffu

struct fa_frame {
    uint32_t next, prev;    /* free-list links, valid on a free head */
    uint8_t order;          /* order of the free block, on its head */
    uint8_t free;           /* 1 on the head of a free block */
};

static struct fa_frame *frames(const struct frame_alloc *fa)
{
    return fa->meta;
}

/* Put free block (mfn, order) on its list and mark its head. */
static void list_push(struct frame_alloc *fa, uint32_t mfn, unsigned int order)
{
    struct fa_frame *f = frames(fa);
    uint32_t old = fa->heads[order];

    f[mfn].next = old;
    f[mfn].prev = FA_NIL;
    f[mfn].order = (uint8_t)order;
    f[mfn].free = 1;
    if ( old != FA_NIL )
        f[old].prev = mfn;
    fa->heads[order] = mfn;
}

/* Take free block mfn off its list and unmark its head. */
static void list_del(struct frame_alloc *fa, uint32_t mfn)
{
    struct fa_frame *f = frames(fa);

    if ( f[mfn].prev != FA_NIL )
        f[f[mfn].prev].next = f[mfn].next;
    else
        fa->heads[f[mfn].order] = f[mfn].next;
    if ( f[mfn].next != FA_NIL )
        f[f[mfn].next].prev = f[mfn].prev;
    f[mfn].free = 0;
    f[mfn].next = f[mfn].prev = FA_NIL;
}

/* Free block (mfn, order), merging it with free buddies as far as it goes. */
static void free_block(struct frame_alloc *fa, unsigned long mfn,
                       unsigned int order)
{
    struct fa_frame *f = frames(fa);

    while ( order < FA_MAX_ORDER )
    {
        unsigned long buddy = mfn ^ (1ul << order);

        if ( buddy + (1ul << order) > fa->nr_frames || !f[buddy].free ||
             f[buddy].order != order )
            break;
        list_del(fa, (uint32_t)buddy);
        mfn &= ~(1ul << order);
        order++;
    }
    list_push(fa, (uint32_t)mfn, order);
}

/* See frame-alloc.h. */
size_t fa_storage_bytes(unsigned long nr_frames)
{
    if ( nr_frames > FA_NIL - 1 )
        nr_frames = FA_NIL - 1;
    return nr_frames * sizeof(struct fa_frame);
}

/* See frame-alloc.h. storage must hold fa_storage_bytes(nr_frames). */
void fa_init(struct frame_alloc *fa, unsigned long nr_frames, void *storage)
{
    struct fa_frame *f = storage;
    unsigned long i;

    if ( nr_frames > FA_NIL - 1 )
        nr_frames = FA_NIL - 1;
    fa->nr_frames = nr_frames;
    fa->free_frames = 0;
    fa->meta = storage;
    for ( i = 0; i <= FA_MAX_ORDER; i++ )
        fa->heads[i] = FA_NIL;
    for ( i = 0; i < nr_frames; i++ )
    {
        f[i].next = f[i].prev = FA_NIL;
        f[i].order = 0;
        f[i].free = 0;
    }
}

/*
 * See frame-alloc.h. The range is cut into the largest aligned blocks that
 * fit. The frames must not be free already.
 */
void fa_add_range(struct frame_alloc *fa, unsigned long start,
                  unsigned long count)
{
    unsigned long end;

    if ( start >= fa->nr_frames )
        return;
    end = count > fa->nr_frames - start ? fa->nr_frames : start + count;

    while ( start < end )
    {
        unsigned int order = 0;

        while ( order < FA_MAX_ORDER && !(start & (1ul << order)) &&
                start + (2ul << order) <= end )
            order++;
        free_block(fa, start, order);
        fa->free_frames += 1ul << order;
        start += 1ul << order;
    }
}

/* See frame-alloc.h. Takes the smallest free block that fits and splits it. */
unsigned long fa_alloc(struct frame_alloc *fa, unsigned int order)
{
    unsigned int k;
    uint32_t mfn;

    if ( order > FA_MAX_ORDER )
        return FA_INVALID;
    for ( k = order; k <= FA_MAX_ORDER && fa->heads[k] == FA_NIL; k++ )
        ;
    if ( k > FA_MAX_ORDER )
        return FA_INVALID;

    mfn = fa->heads[k];
    list_del(fa, mfn);
    /* Give back the upper halves until the block has the wanted order. */
    while ( k > order )
    {
        k--;
        list_push(fa, mfn + (1u << k), k);
    }
    fa->free_frames -= 1ul << order;
    return mfn;
}

/*
 * See frame-alloc.h. A block that is misaligned, out of range or (by its
 * head) already free is ignored: that is a caller bug, not a state change.
 */
void fa_free(struct frame_alloc *fa, unsigned long mfn, unsigned int order)
{
    if ( order > FA_MAX_ORDER || (mfn & ((1ul << order) - 1)) ||
         mfn >= fa->nr_frames || (1ul << order) > fa->nr_frames - mfn ||
         frames(fa)[mfn].free )
        return;
    free_block(fa, mfn, order);
    fa->free_frames += 1ul << order;
}

/* See frame-alloc.h. Frames out of range are never free. */
bool fa_is_free(const struct frame_alloc *fa, unsigned long mfn)
{
    const struct fa_frame *f = frames(fa);
    unsigned int k;

    if ( mfn >= fa->nr_frames )
        return false;
    for ( k = 0; k <= FA_MAX_ORDER; k++ )
    {
        unsigned long head = mfn & ~((1ul << k) - 1);

        if ( f[head].free && f[head].order >= k &&
             mfn - head < (1ul << f[head].order) )
            return true;
    }
    return false;
}
