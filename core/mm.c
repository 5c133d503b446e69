/* SPDX-License-Identifier: MIT */
/* The frame table and Tern's frame allocator over all free RAM. */
/*
 * At boot, every RAM frame of the memory map that is not Tern's image, a
 * boot module, the first MiB (firmware, AP trampoline) or the frame table
 * itself goes to the buddy allocator (core/frame-alloc.c); the boot modules'
 * frames follow once every domain is built (mm_release_modules). The frame table
 * has an entry for every frame below the highest RAM address; frames that
 * are not RAM are owned by DOMID_IO_RSVD and never allocated.
 * Lock: mm_lock serialises the allocator.
 */
#include <tern/console.h>
#include <tern/frame-alloc.h>
#include <tern/heap.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/page-types.h>
#include <tern/spinlock.h>

struct page_info *frame_table;
unsigned long max_mfn;

static struct frame_alloc fa;
static DEFINE_SPINLOCK(mm_lock);
static uint64_t total_ram, reserved_bytes, early_base;
static unsigned long boot_free_frames;

extern const char _end[];

/* A range of physical memory that must not be handed out. */
struct range { uint64_t start, end; };

/* The ranges that stay reserved for good: the first MiB, Tern's image and,
 * once mm_init placed them, the frame table and allocator. */
static unsigned int fixed_reserved(struct range *r)
{
    unsigned int n = 0;

    r[n++] = (struct range){ 0, 0x100000 };
    r[n++] = (struct range){ TERN_LOAD_PADDR, virt_to_maddr(_end) };
    if ( reserved_bytes && early_base )
        r[n++] = (struct range){ early_base, early_base + reserved_bytes };
    return n;
}

static unsigned int collect_reserved(const struct boot_info *bi,
                                     struct range *r, unsigned int max)
{
    unsigned int n = fixed_reserved(r), i;

    for ( i = 0; i < bi->nr_modules && n < max; i++ )
        r[n++] = (struct range){ bi->modules[i].start, bi->modules[i].end };
    return n;
}

static bool overlaps(uint64_t s, uint64_t e, const struct range *r, unsigned int n)
{
    unsigned int i;

    for ( i = 0; i < n; i++ )
        if ( s < r[i].end && e > r[i].start )
            return true;
    return false;
}

/* First RAM range of size bytes, 4 KiB aligned, below 4 GiB (the boot
 * direct map), clear of every reserved range. Returns 0 if none. */
static uint64_t find_early_space(const struct boot_info *bi, uint64_t size,
                                 const struct range *r, unsigned int n)
{
    unsigned int i;

    for ( i = 0; i < bi->nr_mmap; i++ )
    {
        const struct boot_mem_region *m = &bi->mmap[i];
        uint64_t s = (m->base + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
        uint64_t end = m->base + m->len;

        if ( m->type != BOOT_MEM_RAM )
            continue;
        if ( end > (1ull << 32) )
            end = 1ull << 32;
        while ( s + size <= end )
        {
            if ( !overlaps(s, s + size, r, n) )
                return s;
            s += 0x100000;
        }
    }
    return 0;
}

static void *page_alloc_for_heap(unsigned int order)
{
    return alloc_xen_pages(order);
}

static void page_free_for_heap(void *p, unsigned int order)
{
    free_xen_pages(p, order);
}

/* The heap is used from every CPU, with interrupts on or off. */
static DEFINE_SPINLOCK(heap_lock);

static unsigned long heap_lock_irqsave(void)
{
    return spin_lock_irqsave(&heap_lock);
}

static void heap_unlock_irqrestore(unsigned long flags)
{
    spin_unlock_irqrestore(&heap_lock, flags);
}

static const struct heap_ops heap_ops = {
    .alloc_pages = page_alloc_for_heap,
    .free_pages = page_free_for_heap,
    .lock = heap_lock_irqsave,
    .unlock = heap_unlock_irqrestore,
};

void mm_init(const struct boot_info *bi)
{
    struct range res[BOOT_MAX_MODULES + 3];
    unsigned int nres, i;
    uint64_t top = 0, ft_bytes, fa_bytes, dm_bytes, early;
    unsigned long mfn;

    for ( i = 0; i < bi->nr_mmap; i++ )
    {
        const struct boot_mem_region *m = &bi->mmap[i];

        if ( m->type != BOOT_MEM_RAM )
            continue;
        total_ram += m->len;
        if ( m->base + m->len > top )
            top = m->base + m->len;
    }
    if ( !total_ram )
        panic("The boot loader gave no usable RAM in its memory map: boot Tern "
              "with a multiboot loader that passes one (QEMU -kernel, GRUB)");
    if ( top > (512ull << 30) )
        panic("RAM above 512 GiB is not supported yet: boot with less memory");
    max_mfn = (unsigned long)(top >> PAGE_SHIFT);

    nres = collect_reserved(bi, res, ARRAY_SIZE(res) - 1);
    ft_bytes = (max_mfn * sizeof(struct page_info) + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    fa_bytes = (fa_storage_bytes(max_mfn) + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    dm_bytes = arch_directmap_bytes(top);
    reserved_bytes = ft_bytes + fa_bytes + dm_bytes;
    early = find_early_space(bi, reserved_bytes, res, nres);
    if ( !early )
        panic("No room below 4 GiB for the frame table (%lu KiB): give the "
              "machine more memory or smaller boot modules",
              (unsigned long)(reserved_bytes >> 10));
    res[nres++] = (struct range){ early, early + reserved_bytes };
    early_base = early;
    if ( dm_bytes )
        arch_directmap_extend(top, early + ft_bytes + fa_bytes);
    /* The direct map must reach the last byte of RAM (faults here if not). */
    (void)ACCESS_ONCE(*(volatile uint8_t *)maddr_to_virt(top - 1));

    frame_table = maddr_to_virt(early);
    for ( mfn = 0; mfn < max_mfn; mfn++ )
        frame_table[mfn] = (struct page_info){ .owner = DOMID_IO_RSVD };
    fa_init(&fa, max_mfn, maddr_to_virt(early + ft_bytes));

    /* Hand every free RAM frame to the allocator, in runs. */
    for ( i = 0; i < bi->nr_mmap; i++ )
    {
        const struct boot_mem_region *m = &bi->mmap[i];
        unsigned long s, e, run = 0;

        if ( m->type != BOOT_MEM_RAM )
            continue;
        s = (unsigned long)((m->base + PAGE_SIZE - 1) >> PAGE_SHIFT);
        e = (unsigned long)((m->base + m->len) >> PAGE_SHIFT);
        for ( mfn = s; mfn < e; mfn++ )
        {
            uint64_t pa = (uint64_t)mfn << PAGE_SHIFT;
            bool busy = overlaps(pa, pa + PAGE_SIZE, res, nres);

            frame_table[mfn].owner = busy ? DOMID_TERN : DOMID_FREE;
            if ( !busy && !run )
                run = mfn;
            if ( busy && run )
            {
                fa_add_range(&fa, run, mfn - run);
                run = 0;
            }
        }
        if ( run )
            fa_add_range(&fa, run, e - run);
    }
    boot_free_frames = fa.free_frames;
    heap_init(&heap_ops);
}

/*
 * The domains are built: their kernels and initrds were copied out of the
 * modules (a bzImage into frames of its own), so the modules' frames go to
 * the allocator, as Xen discards its initial images after building dom0.
 * A frame is freed only while Tern holds it and no other reserved range
 * (the first MiB, the image, the frame table) touches it; a frame two
 * modules share is freed once.
 */
void mm_release_modules(const struct boot_info *bi)
{
    struct range res[3];
    unsigned int nres = fixed_reserved(res), i;
    unsigned long mfn, freed = 0;

    for ( i = 0; i < bi->nr_modules; i++ )
    {
        const struct boot_module *m = &bi->modules[i];
        unsigned long e = (unsigned long)((m->end + PAGE_SIZE - 1) >> PAGE_SHIFT);

        for ( mfn = (unsigned long)(m->start >> PAGE_SHIFT); mfn < e && mfn < max_mfn;
              mfn++ )
        {
            uint64_t pa = (uint64_t)mfn << PAGE_SHIFT;

            if ( frame_table[mfn].owner != DOMID_TERN ||
                 overlaps(pa, pa + PAGE_SIZE, res, nres) )
                continue;
            free_frames(mfn, 0);
            freed++;
        }
    }
    if ( freed )
        printk("Freed %lu KiB of boot modules\n", freed * 4);
}

/* A frame a guest had may still sit in some CPU's TLB: flush those
 * before anyone else gets it (the stamp is set when it is freed). */
unsigned long alloc_frames(unsigned int order)
{
    unsigned long f = spin_lock_irqsave(&mm_lock), mfn, i;
    uint64_t stamp = 0;

    mfn = fa_alloc(&fa, order);
    if ( mfn != FA_INVALID )
        for ( i = 0; i < (1ul << order); i++ )
        {
            struct page_info *p = &frame_table[mfn + i];

            p->owner = DOMID_TERN;
            if ( p->tlb_stamp > stamp )
                stamp = p->tlb_stamp;
            p->tlb_stamp = 0;
        }
    spin_unlock_irqrestore(&mm_lock, f);
    if ( stamp )
        pt_flush_stale(stamp);
    return mfn == FA_INVALID ? ~0ul : mfn;
}

void free_frames(unsigned long mfn, unsigned int order)
{
    unsigned long f = spin_lock_irqsave(&mm_lock), i;

    for ( i = 0; i < (1ul << order); i++ )
        frame_table[mfn + i].owner = DOMID_FREE;
    fa_free(&fa, mfn, order);
    spin_unlock_irqrestore(&mm_lock, f);
}

void *alloc_xen_pages(unsigned int order)
{
    unsigned long mfn = alloc_frames(order);

    return mfn == ~0ul ? NULL : mfn_to_virt(mfn);
}

void free_xen_pages(void *p, unsigned int order)
{
    if ( p )
        free_frames(virt_to_mfn(p), order);
}

uint64_t mm_total_ram(void)
{
    return total_ram;
}

void mm_dump(void)
{
    size_t in_use, held;

    heap_stats(&in_use, &held);
    printk("Memory: %lu KiB usable RAM, frames 0..%#lx\n",
           (unsigned long)(total_ram >> 10), max_mfn);
    printk("  free: %lu KiB of %lu KiB at boot; frame table and allocator: %lu KiB\n",
           fa.free_frames * 4, boot_free_frames * 4,
           (unsigned long)(reserved_bytes >> 10));
    printk("  image: %lu KiB; heap: %lu bytes in use, %lu KiB held\n",
           (unsigned long)((virt_to_maddr(_end) - TERN_LOAD_PADDR) >> 10),
           (unsigned long)in_use, (unsigned long)(held >> 10));
}
