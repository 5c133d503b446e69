/* SPDX-License-Identifier: MIT */
/* A boot module's guest kernel as an ELF image: bzImages unpacked (core/kernel-image.c). */
#ifndef TERN_KERNEL_IMAGE_H
#define TERN_KERNEL_IMAGE_H

#include <stddef.h>
#include <tern/bootinfo.h>

/*
 * The ELF image of a kernel module: the module itself when it is an ELF
 * file (or a bzImage with an uncompressed payload), else the bzImage's
 * payload unpacked into frames Tern allocated, which the domain builder
 * gives back once the kernel is loaded.
 */
struct kernel_image {
    const void *elf;                /* the ELF image, elf_xen_parse()'s input */
    size_t size;
    unsigned long mfn;              /* first frame of the unpacked copy ... */
    unsigned long nr_frames;        /* ... and how many (0: none) */
};

/*
 * Make module idx of bi ready as a kernel in *ki: an ELF module as it is;
 * a bzImage unpacked (XZ or gzip) into contiguous frames, with one log
 * line giving the sizes and the time taken. Returns 0, or a negative
 * errno after a message naming the module and the fault ("Module 1
 * ('...'): bzImage payload: XZ: truncated input; domain not built").
 */
int kernel_image_open(const struct boot_info *bi, unsigned int idx,
                      struct kernel_image *ki);

/* Give back the frames of an unpacked kernel (none for an ELF module);
 * call it once, after the kernel is loaded or its domain abandoned. */
void kernel_image_release(const struct kernel_image *ki);

#endif /* TERN_KERNEL_IMAGE_H */
