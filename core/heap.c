/* SPDX-License-Identifier: MIT */
/* The hypervisor's small heap: size-class slabs and whole-page blocks. */
#include <tern/heap.h>
#include <tern/lib.h>

/*
 * Theory of operation.
 *
 * Small blocks (up to 2 KiB) come from slabs: one 4 KiB page per slab, a
 * struct slab_page header at its start, then objects of one size class.
 * Free objects of a slab form a singly linked list through their first
 * word. Each class keeps a doubly linked list of its slabs that have a free
 * object; a full slab is on no list, and a slab whose objects are all free
 * goes back to ops->free_pages at once.
 *
 *   page: [ slab_page | obj | obj | obj | ... ]      (objects 16-aligned)
 *
 * Large blocks take 2^order whole pages and are page-aligned, so heap_free
 * tells the two apart by the pointer alone: a slab object is never at the
 * start of a page (the header is), a large block always is. The order of a
 * large block is kept in a small record (itself a slab object), found
 * through a hash of the block's address.
 */

#define HEAP_PAGE        4096ul
#define SLAB_MAGIC       0x51ab51abu
#define NR_CLASSES       8               /* 16, 32, ... 2048 bytes */
#define MIN_CLASS_SHIFT  4
#define LARGE_BUCKETS    64
#define LARGE_MAX_ORDER  20              /* 4 GiB: more is surely a bug */

struct slab_page {
    uint32_t magic;
    uint16_t cls;                        /* index into the classes */
    uint16_t nr_free;
    void *free_list;
    struct slab_page *next, *prev;       /* the class's list of free slabs */
};

/* Objects start after the header, at a 16-byte aligned offset. */
#define SLAB_FIRST  ((sizeof(struct slab_page) + 15) & ~15ul)

struct large_block {
    void *p;
    unsigned int order;
    struct large_block *next;            /* hash chain */
};

static struct {
    const struct heap_ops *ops;
    struct slab_page *slabs[NR_CLASSES]; /* slabs with a free object */
    struct large_block *large[LARGE_BUCKETS];
    size_t in_use;                       /* callers' bytes, rounded up */
    size_t held;                         /* bytes of pages we hold */
} heap;

static size_t class_size(unsigned int cls)
{
    return (size_t)1 << (cls + MIN_CLASS_SHIFT);
}

static unsigned int class_objects(unsigned int cls)
{
    return (unsigned int)((HEAP_PAGE - SLAB_FIRST) / class_size(cls));
}

/* Smallest class holding size bytes (size <= 2048). */
static unsigned int size_class(size_t size)
{
    unsigned int cls = 0;

    while ( class_size(cls) < size )
        cls++;
    return cls;
}

static void slab_list_add(struct slab_page *s)
{
    s->prev = NULL;
    s->next = heap.slabs[s->cls];
    if ( s->next )
        s->next->prev = s;
    heap.slabs[s->cls] = s;
}

static void slab_list_del(struct slab_page *s)
{
    if ( s->prev )
        s->prev->next = s->next;
    else
        heap.slabs[s->cls] = s->next;
    if ( s->next )
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

/* Take an object of class cls, adding a slab if needed; NULL on no memory. */
static void *slab_alloc(unsigned int cls)
{
    struct slab_page *s = heap.slabs[cls];
    void *obj;

    if ( !s )
    {
        unsigned int i, n = class_objects(cls);
        char *page = heap.ops->alloc_pages(0);

        if ( !page )
            return NULL;
        heap.held += HEAP_PAGE;
        s = (struct slab_page *)page;
        s->magic = SLAB_MAGIC;
        s->cls = (uint16_t)cls;
        s->nr_free = (uint16_t)n;
        s->free_list = NULL;
        for ( i = n; i-- > 0; )
        {
            void **o = (void **)(page + SLAB_FIRST + i * class_size(cls));

            *o = s->free_list;
            s->free_list = o;
        }
        slab_list_add(s);
    }

    obj = s->free_list;
    s->free_list = *(void **)obj;
    if ( --s->nr_free == 0 )
        slab_list_del(s);
    return obj;
}

/* Return obj to its slab s; releases the page once all of it is free. */
static void slab_free(struct slab_page *s, void *obj)
{
    *(void **)obj = s->free_list;
    s->free_list = obj;
    if ( s->nr_free++ == 0 )
        slab_list_add(s);
    if ( s->nr_free == class_objects(s->cls) )
    {
        slab_list_del(s);
        s->magic = 0;
        heap.held -= HEAP_PAGE;
        heap.ops->free_pages(s, 0);
    }
}

static unsigned int large_bucket(const void *p)
{
    return (unsigned int)(((uintptr_t)p / HEAP_PAGE) % LARGE_BUCKETS);
}

/* Allocate a page-aligned block of 2^order pages; NULL on no memory. */
static void *large_alloc(size_t size)
{
    struct large_block *lb;
    unsigned int order = 0;
    void *p;

    while ( (HEAP_PAGE << order) < size )
        if ( ++order > LARGE_MAX_ORDER )
            return NULL;

    lb = slab_alloc(size_class(sizeof(*lb)));
    if ( !lb )
        return NULL;
    p = heap.ops->alloc_pages(order);
    if ( !p )
    {
        slab_free((struct slab_page *)((uintptr_t)lb & ~(HEAP_PAGE - 1)), lb);
        return NULL;
    }
    lb->p = p;
    lb->order = order;
    lb->next = heap.large[large_bucket(p)];
    heap.large[large_bucket(p)] = lb;
    heap.held += HEAP_PAGE << order;
    heap.in_use += HEAP_PAGE << order;
    return p;
}

/* Free the large block at p; ignores a pointer it does not know. */
static void large_free(void *p)
{
    struct large_block **pp = &heap.large[large_bucket(p)], *lb;

    for ( ; (lb = *pp) != NULL; pp = &lb->next )
    {
        if ( lb->p != p )
            continue;
        *pp = lb->next;
        heap.ops->free_pages(p, lb->order);
        heap.held -= HEAP_PAGE << lb->order;
        heap.in_use -= HEAP_PAGE << lb->order;
        slab_free((struct slab_page *)((uintptr_t)lb & ~(HEAP_PAGE - 1)), lb);
        return;
    }
}

/* See heap.h. Forgets any previous state: call it once, before any use. */
void heap_init(const struct heap_ops *ops)
{
    memset(&heap, 0, sizeof(heap));
    heap.ops = ops;
}

static unsigned long heap_lock(void)
{
    return heap.ops->lock ? heap.ops->lock() : 0;
}

static void heap_unlock(unsigned long flags)
{
    if ( heap.ops->unlock )
        heap.ops->unlock(flags);
}

static void *heap_alloc_locked(size_t size)
{
    unsigned int cls;
    void *p;

    if ( size > class_size(NR_CLASSES - 1) )
        return large_alloc(size);

    cls = size_class(size);
    p = slab_alloc(cls);
    if ( p )
        heap.in_use += class_size(cls);
    return p;
}

/* See heap.h. */
void *heap_alloc(size_t size)
{
    unsigned long f;
    void *p;

    if ( size == 0 || !heap.ops )
        return NULL;
    f = heap_lock();
    p = heap_alloc_locked(size);
    heap_unlock(f);
    return p;
}

/* See heap.h. As heap_alloc, with the block zeroed. */
void *heap_zalloc(size_t size)
{
    void *p = heap_alloc(size);

    if ( p )
        memset(p, 0, size);
    return p;
}

static void heap_free_locked(void *p)
{
    struct slab_page *s;
    size_t off;

    if ( ((uintptr_t)p & (HEAP_PAGE - 1)) == 0 )
    {
        large_free(p);
        return;
    }

    s = (struct slab_page *)((uintptr_t)p & ~(HEAP_PAGE - 1));
    off = (size_t)((uintptr_t)p & (HEAP_PAGE - 1));
    if ( s->magic != SLAB_MAGIC || s->cls >= NR_CLASSES || off < SLAB_FIRST ||
         (off - SLAB_FIRST) % class_size(s->cls) )
        return;
    heap.in_use -= class_size(s->cls);
    slab_free(s, p);
}

/* See heap.h. A pointer that is not a live block is ignored when noticed. */
void heap_free(void *p)
{
    unsigned long f;

    if ( !p || !heap.ops )
        return;
    f = heap_lock();
    heap_free_locked(p);
    heap_unlock(f);
}

/* See heap.h. */
void heap_stats(size_t *in_use, size_t *held)
{
    if ( in_use )
        *in_use = heap.in_use;
    if ( held )
        *held = heap.held;
}
