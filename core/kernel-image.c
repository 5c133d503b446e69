/* SPDX-License-Identifier: MIT */
/* Guest kernels given as bzImages: unpacked into frames until the domain is built. */
/*
 * Debian installs its kernels as bzImages (/boot/vmlinuz-*), which the Xen
 * PV builder cannot load as they are: the ELF vmlinux is the bzImage's
 * payload, compressed (XZ for Debian). At scan time Tern unpacks it with
 * its own decoders (lib/bzimage.c, lib/xz.c, lib/inflate.c) into one run
 * of frames, direct-mapped and so virtually contiguous (the single-call
 * decoders use the output as their dictionary). The run is taken as the
 * smallest power-of-two block that holds the unpacked size and its tail
 * is freed at once; the rest is freed in aligned blocks by
 * kernel_image_release() once the builder has copied the kernel into the
 * domain's own frames. A fault stops only that kernel's domain.
 */
#include <tern/bzimage.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/frame-alloc.h>
#include <tern/heap.h>
#include <tern/kernel-image.h>
#include <tern/lib.h>
#include <tern/mm.h>
#include <tern/timer.h>

/* Free frames [mfn, mfn + n) in naturally aligned power-of-two blocks. */
static void free_run(unsigned long mfn, unsigned long n)
{
    while ( n )
    {
        unsigned int order = 0;

        while ( order < FA_MAX_ORDER && !(mfn & (1ul << order)) &&
                (2ul << order) <= n )
            order++;
        free_frames(mfn, order);
        mfn += 1ul << order;
        n -= 1ul << order;
    }
}

/* n contiguous frames; returns the first, or ~0ul. */
static unsigned long alloc_run(unsigned long n)
{
    unsigned int order = 0;
    unsigned long mfn;

    while ( (1ul << order) < n )
        if ( ++order > FA_MAX_ORDER )
            return ~0ul;
    mfn = alloc_frames(order);
    if ( mfn != ~0ul )
        free_run(mfn + n, (1ul << order) - n);
    return mfn;
}

/* See kernel-image.h. */
int kernel_image_open(const struct boot_info *bi, unsigned int idx,
                      struct kernel_image *ki)
{
    const struct boot_module *m = &bi->modules[idx];
    struct bzimage_info bz;
    char err[160];
    s_time_t t0;
    void *work;
    long r;
    int rc;

    memset(ki, 0, sizeof(*ki));
    rc = bzimage_probe(maddr_to_virt(m->start), m->end - m->start, &bz, err,
                       sizeof(err));
    if ( rc )
    {
        printk(TLOG_ERR "Module %u ('%s'): %s; domain not built\n", idx,
               m->string, err);
        return rc;
    }
    if ( bz.format == BZIMAGE_PLAIN_ELF || bz.format == BZIMAGE_UNCOMPRESSED )
    {
        ki->elf = bz.data;
        ki->size = bz.data_len;
        return 0;
    }

    ki->nr_frames = (bz.out_size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    ki->mfn = alloc_run(ki->nr_frames);
    work = heap_alloc(BZIMAGE_WORK_SIZE);
    if ( ki->mfn == ~0ul || !work )
    {
        printk(TLOG_ERR "Module %u ('%s'): no memory to unpack the bzImage "
               "(%zu KiB); domain not built\n", idx, m->string,
               bz.out_size >> 10);
        heap_free(work);
        if ( ki->mfn != ~0ul )
            kernel_image_release(ki);
        memset(ki, 0, sizeof(*ki));
        return -ENOMEM;
    }
    t0 = now();
    r = bzimage_unpack(&bz, mfn_to_virt(ki->mfn), ki->nr_frames << PAGE_SHIFT,
                       work, err, sizeof(err));
    heap_free(work);
    if ( r < 0 )
    {
        printk(TLOG_ERR "Module %u ('%s'): bzImage payload: %s; domain not "
               "built\n", idx, m->string, err);
        kernel_image_release(ki);
        memset(ki, 0, sizeof(*ki));
        return (int)r;
    }
    ki->elf = mfn_to_virt(ki->mfn);
    ki->size = (size_t)r;
    printk("Module %u ('%s'): bzImage (boot protocol %u.%02u): %s payload of "
           "%zu bytes unpacked to %zu bytes of ELF in %lu ms\n", idx,
           m->string, bz.version >> 8, bz.version & 0xff,
           bzimage_format_name(bz.format), bz.data_len, ki->size,
           (unsigned long)((now() - t0) / 1000000));
    return 0;
}

/* See kernel-image.h. */
void kernel_image_release(const struct kernel_image *ki)
{
    if ( ki->nr_frames )
        free_run(ki->mfn, ki->nr_frames);
}
