/* SPDX-License-Identifier: MIT */
/* Fuzzing lib/elf-xen.c: any bytes as a guest kernel image. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tern/elf-xen.h>

/*
 * Built with clang -fsanitize=fuzzer,address,undefined this is a libFuzzer
 * target; built with -DFUZZ_REPLAY (gcc or clang, no libFuzzer needed) it
 * is a driver that runs the same checks over the files and directories
 * given as arguments (a corpus, crash files). Each input is parsed; an
 * accepted one must keep every promise of elf-xen.h, checked here, and is
 * loaded through callbacks that check every range and touch every byte
 * (ASan then sees any read outside the input).
 */

struct fuzz_mem {
    const uint8_t *img;
    size_t size;
    const struct elf_xen_info *info;
    uint64_t sum;
};

/* Die so that the fuzzer records the input. */
static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz-elf-xen: broken promise: %s\n", what);
    abort();
}

#define PROMISE(c) do { if ( !(c) ) fuzz_fail(#c); } while ( 0 )

/* Is [va, va + n) inside the kernel? */
static int in_kernel(const struct elf_xen_info *info, uint64_t va, uint64_t n)
{
    return va >= info->virt_kstart && va <= info->virt_kend &&
           n <= info->virt_kend - va;
}

static void fuzz_copy(void *ctx, uint64_t va, const void *src, size_t n)
{
    struct fuzz_mem *m = ctx;
    const uint8_t *s = src;
    size_t i;

    PROMISE(n > 0 && in_kernel(m->info, va, n));
    PROMISE(s >= m->img && n <= m->size && (size_t)(s - m->img) <= m->size - n);
    for ( i = 0; i < n; i++ )
        m->sum += s[i];
}

static void fuzz_zero(void *ctx, uint64_t va, size_t n)
{
    struct fuzz_mem *m = ctx;

    PROMISE(n > 0 && in_kernel(m->info, va, n));
}

/* The promises of elf-xen.h about an accepted image. */
static void check_info(const uint8_t *data, size_t size,
                       const struct elf_xen_info *info)
{
    unsigned int i, j;

    PROMISE(info->nr_segs >= 1 && info->nr_segs <= ELF_XEN_MAX_SEGS);
    PROMISE(info->virt_kstart < info->virt_kend);
    PROMISE(info->virt_kend - info->virt_kstart <= ELF_XEN_MAX_SPAN);
    PROMISE(info->virt_kend <= 0x0000800000000000ull ||
            info->virt_kstart >= 0xffff880000000000ull);
    PROMISE(info->virt_base <= info->virt_kstart);
    PROMISE(info->virt_entry >= info->virt_kstart &&
            info->virt_entry < info->virt_kend);
    if ( info->virt_hypercall != ELF_XEN_UNSET )
        PROMISE(!(info->virt_hypercall & 0xfff) &&
                in_kernel(info, info->virt_hypercall, 0x1000));
    if ( info->p2m_base != ELF_XEN_UNSET )
        PROMISE(!in_kernel(info, info->p2m_base, 1));
    PROMISE((info->f_required & ~info->f_supported) == 0);
    PROMISE(!strncmp(info->xen_ver, "xen-3.0", 7));
    PROMISE(memchr(info->guest_os, 0, sizeof(info->guest_os)) &&
            memchr(info->loader, 0, sizeof(info->loader)));
    for ( i = 0; i < info->nr_segs; i++ )
    {
        const struct elf_xen_segment *s = &info->seg[i];

        PROMISE(s->filesz <= s->memsz);
        PROMISE(s->offset <= size && s->filesz <= size - s->offset);
        PROMISE(s->va == s->paddr + info->virt_offset || !s->memsz);
        PROMISE(!s->memsz || in_kernel(info, s->va, s->memsz));
        for ( j = 0; j < i; j++ )
            if ( s->memsz && info->seg[j].memsz )
                PROMISE(s->va + s->memsz <= info->seg[j].va ||
                        info->seg[j].va + info->seg[j].memsz <= s->va);
    }
    (void)data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_xen_info info;
    struct fuzz_mem m = { .img = data, .size = size, .info = &info };
    char err[160];
    int rc;

    memset(err, 'Z', sizeof(err));
    rc = elf_xen_parse(data, size, &info, err, sizeof(err));
    PROMISE(memchr(err, 0, sizeof(err)) != NULL);
    if ( rc )
    {
        PROMISE(rc < 0 && err[0] != '\0');
        return 0;
    }
    PROMISE(err[0] == '\0');
    check_info(data, size, &info);
    elf_xen_load(data, &info, fuzz_copy, fuzz_zero, &m);
    return 0;
}

#define FUZZ_NAME "fuzz-elf-xen"
#include "replay.h"
