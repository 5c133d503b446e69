/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/bzimage.c: bzImage headers, payload formats, unpacking. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <tern/bzimage.h>
#include "fixture.h"
#include "unit.h"

/* Does the message start with the expected text? Prints both if not. */
#define CHECK_PREFIX(s, p) do {                                             \
    const char *unit_s_ = (s), *unit_p_ = (p);                              \
    if ( !strncmp(unit_s_, unit_p_, strlen(unit_p_)) )                      \
        unit_passed++;                                                      \
    else                                                                    \
    {                                                                       \
        unit_failed++;                                                      \
        fprintf(stderr, "%s:%d: CHECK_PREFIX failed: \"%s\" starts with "   \
                "\"%s\"\n", __FILE__, __LINE__, unit_s_, unit_p_);          \
    }                                                                       \
} while ( 0 )

#define PM_HEAD     0x180           /* protected-mode bytes before the payload */

static void *work;

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A bzImage layout: how to wrap a payload. */
struct bz {
    uint8_t sects;                  /* setup_sects as written (0 = 4) */
    uint16_t version;
    bool trailer;                   /* append the unpacked size */
    uint32_t size;                  /* ... this one */
    uint32_t init_size;
};

/* Build a bzImage around payload[0..len) in a malloc'd buffer. */
static uint8_t *make_bz(const struct bz *bz, const uint8_t *payload,
                        size_t len, size_t *out_len)
{
    size_t setup = ((size_t)(bz->sects ? bz->sects : 4) + 1) * 512;
    size_t plen = len + (bz->trailer ? 4 : 0);
    size_t total = setup + PM_HEAD + plen;
    uint8_t *img = calloc(1, total);

    img[0x1f1] = bz->sects;
    img[0x1fe] = 0x55;
    img[0x1ff] = 0xaa;
    memcpy(img + 0x202, "HdrS", 4);
    img[0x206] = (uint8_t)bz->version;
    img[0x207] = (uint8_t)(bz->version >> 8);
    put32(img + 0x248, PM_HEAD);
    put32(img + 0x24c, (uint32_t)plen);
    put32(img + 0x260, bz->init_size);
    memset(img + setup, 0xcc, PM_HEAD);
    memcpy(img + setup + PM_HEAD, payload, len);
    if ( bz->trailer )
        put32(img + setup + PM_HEAD + len, bz->size);
    *out_len = total;
    return img;
}

/* Probe and unpack img; returns the unpack (or probe) result. */
static long unpack(const uint8_t *img, size_t len, size_t extra,
                   struct bzimage_info *bi, uint8_t **outp, char *err,
                   size_t errlen)
{
    uint8_t *out;
    long r;

    *outp = NULL;
    r = bzimage_probe(img, len, bi, err, errlen);
    if ( r )
        return r;
    out = malloc(bi->out_size + extra);
    r = bzimage_unpack(bi, out, bi->out_size + extra, work, err, errlen);
    *outp = out;
    return r;
}

static void test_formats(void)
{
    size_t elf_len, xz_len, gz_len, img_len;
    uint8_t *elf = fixture("elf.bin", &elf_len);
    uint8_t *xz = fixture("elf.xz", &xz_len);
    uint8_t *gz = fixture("elf.gz", &gz_len);
    struct bz bz = { .sects = 27, .version = 0x20f, .trailer = true,
                     .size = (uint32_t)elf_len, .init_size = 1 << 20 };
    struct bzimage_info bi;
    char err[160];
    uint8_t *img, *out;
    long r;

    /* A plain ELF is used as it is. */
    CHECK_EQ(bzimage_probe(elf, elf_len, &bi, err, sizeof(err)), 0);
    CHECK_EQ(bi.format, BZIMAGE_PLAIN_ELF);
    CHECK(bi.data == elf && bi.data_len == elf_len && bi.exact);
    CHECK_STR(bzimage_format_name(bi.format), "ELF");

    /* XZ, as Linux packs it: the size follows the stream. */
    img = make_bz(&bz, xz, xz_len, &img_len);
    r = unpack(img, img_len, 0, &bi, &out, err, sizeof(err));
    CHECK_EQ(r, elf_len);
    CHECK_EQ(bi.format, BZIMAGE_XZ);
    CHECK_EQ(bi.version, 0x20f);
    CHECK_EQ(bi.data_len, xz_len);
    CHECK(bi.exact && bi.out_size == elf_len);
    CHECK(r < 0 || !memcmp(out, elf, elf_len));
    CHECK_STR(err, "");
    free(out);
    free(img);

    /* setup_sects 0 means 4. */
    bz.sects = 0;
    img = make_bz(&bz, xz, xz_len, &img_len);
    CHECK_EQ(unpack(img, img_len, 0, &bi, &out, err, sizeof(err)), elf_len);
    free(out);
    free(img);
    bz.sects = 27;

    /* XZ without the size: init_size bounds it. */
    bz.trailer = false;
    img = make_bz(&bz, xz, xz_len, &img_len);
    r = unpack(img, img_len, 0, &bi, &out, err, sizeof(err));
    CHECK_EQ(r, elf_len);
    CHECK(!bi.exact && bi.out_size == 1 << 20 && bi.data_len == xz_len);
    free(out);
    free(img);
    bz.trailer = true;

    /* gzip: ISIZE is the size. */
    bz.trailer = false;
    img = make_bz(&bz, gz, gz_len, &img_len);
    r = unpack(img, img_len, 0, &bi, &out, err, sizeof(err));
    CHECK_EQ(r, elf_len);
    CHECK_EQ(bi.format, BZIMAGE_GZIP);
    CHECK(bi.exact && bi.out_size == elf_len && bi.data_len == gz_len);
    CHECK(r < 0 || !memcmp(out, elf, elf_len));
    CHECK_STR(bzimage_format_name(bi.format), "gzip");
    free(out);
    free(img);

    /* An uncompressed payload. */
    img = make_bz(&bz, elf, elf_len, &img_len);
    r = unpack(img, img_len, 0, &bi, &out, err, sizeof(err));
    CHECK_EQ(r, elf_len);
    CHECK_EQ(bi.format, BZIMAGE_UNCOMPRESSED);
    CHECK(r < 0 || !memcmp(out, elf, elf_len));
    free(out);
    free(img);
    bz.trailer = true;

    free(elf);
    free(xz);
    free(gz);
}

static void test_faults(void)
{
    static const struct {
        const char *name;
        uint8_t magic[4];
    } others[] = {
        { "lz4", { 0x02, 0x21, 0x4c, 0x18 } },
        { "zstd", { 0x28, 0xb5, 0x2f, 0xfd } },
        { "bzip2", { 'B', 'Z', 'h', '9' } },
        { "lzma", { 0x5d, 0x00, 0x00, 0x80 } },
        { "lzo", { 0x89, 'L', 'Z', 'O' } },
    };
    size_t elf_len, xz_len, img_len, n, i;
    uint8_t *elf = fixture("elf.bin", &elf_len);
    uint8_t *xz = fixture("elf.xz", &xz_len);
    struct bz bz = { .sects = 27, .version = 0x20f, .trailer = true,
                     .size = (uint32_t)elf_len };
    struct bzimage_info bi;
    char err[160], want[160];
    uint8_t *img, *out, junk[64];
    unsigned long bad = 0;
    long r;

    CHECK_EQ(bzimage_probe("MZ junk", 7, &bi, err, sizeof(err)), -ENOEXEC);
    CHECK_STR(err, "neither an ELF file nor a bzImage");

    /* Truncated anywhere: refused before any decoding. */
    img = make_bz(&bz, xz, xz_len, &img_len);
    for ( n = 0; n < img_len; n++ )
    {
        uint8_t *cut = malloc(n ? n : 1);

        memcpy(cut, img, n);
        r = bzimage_probe(cut, n, &bi, err, sizeof(err));
        if ( r != (n < 0x206 ? -ENOEXEC : -EINVAL) )
            bad++;
        if ( n == img_len - 1 )
            CHECK_PREFIX(err, "bzImage: truncated: the payload");
        free(cut);
    }
    CHECK_EQ(bad, 0);

    free(img);

    /* A stream cut short inside the payload: the decoder says so. */
    img = make_bz(&bz, xz, xz_len - 100, &img_len);
    r = unpack(img, img_len, 0, &bi, &out, err, sizeof(err));
    CHECK_EQ(r, -EINVAL);
    CHECK_STR(err, "XZ: truncated input");
    free(out);
    free(img);

    /* A damaged stream. */
    xz[xz_len / 2] ^= 0x10;
    img = make_bz(&bz, xz, xz_len, &img_len);
    r = unpack(img, img_len, 0, &bi, &out, err, sizeof(err));
    CHECK_EQ(r, -EINVAL);
    CHECK_PREFIX(err, "XZ: ");
    free(out);
    free(img);
    xz[xz_len / 2] ^= 0x10;

    /* The size after the payload must be the size unpacked. */
    bz.size = (uint32_t)elf_len + 1;
    img = make_bz(&bz, xz, xz_len, &img_len);
    CHECK_EQ(unpack(img, img_len, 0, &bi, &out, err, sizeof(err)), -EINVAL);
    snprintf(want, sizeof(want), "XZ: unpacked to %zu bytes, the bzImage "
             "gives %zu", elf_len, elf_len + 1);
    CHECK_STR(err, want);
    free(out);
    free(img);
    bz.size = (uint32_t)elf_len - 1;
    img = make_bz(&bz, xz, xz_len, &img_len);
    CHECK_EQ(unpack(img, img_len, 0, &bi, &out, err, sizeof(err)), -EINVAL);
    snprintf(want, sizeof(want), "XZ: unpacks to more than the %zu bytes "
             "the bzImage gives", elf_len - 1);
    CHECK_STR(err, want);
    free(out);
    free(img);
    bz.size = 0;
    img = make_bz(&bz, xz, xz_len, &img_len);
    CHECK_EQ(bzimage_probe(img, img_len, &bi, err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "bzImage: implausible unpacked size 0");
    free(img);
    bz.size = (uint32_t)elf_len;

    /* Too old a boot protocol. */
    bz.version = 0x207;
    img = make_bz(&bz, xz, xz_len, &img_len);
    CHECK_EQ(bzimage_probe(img, img_len, &bi, err, sizeof(err)), -EOPNOTSUPP);
    CHECK_STR(err, "bzImage: boot protocol 2.07 has no payload fields "
              "(2.08 or later needed)");
    free(img);
    bz.version = 0x20f;

    /* Compressions Tern does not unpack, and unknown ones. */
    memset(junk, 0x11, sizeof(junk));
    for ( i = 0; i < ARRAY_SIZE(others); i++ )
    {
        memcpy(junk, others[i].magic, 4);
        img = make_bz(&bz, junk, sizeof(junk), &img_len);
        CHECK_EQ(bzimage_probe(img, img_len, &bi, err, sizeof(err)),
                 -EOPNOTSUPP);
        snprintf(want, sizeof(want), "bzImage: unsupported compression %s "
                 "(Tern unpacks XZ and gzip)", others[i].name);
        CHECK_STR(err, want);
        free(img);
    }
    memcpy(junk, "\x01\x02\x03\x04", 4);
    img = make_bz(&bz, junk, sizeof(junk), &img_len);
    CHECK_EQ(bzimage_probe(img, img_len, &bi, err, sizeof(err)), -EOPNOTSUPP);
    CHECK_STR(err, "bzImage: unknown payload format (magic 01 02 03 04)");
    free(img);

    /* A payload that unpacks to something else than an ELF file. */
    {
        size_t x_len, b_len;
        uint8_t *x = fixture("x86-small.xz", &x_len);
        uint8_t *b = fixture("x86-small.bin", &b_len);

        bz.size = (uint32_t)b_len;
        img = make_bz(&bz, x, x_len, &img_len);
        CHECK_EQ(unpack(img, img_len, 0, &bi, &out, err, sizeof(err)),
                 -ENOEXEC);
        CHECK_STR(err, "XZ: the payload is not an ELF vmlinux");
        free(out);
        free(img);
        free(x);
        free(b);
    }
    free(elf);
    free(xz);
}

/*
 * With TERN_BZIMAGE=vmlinuz and TERN_VMLINUX=vmlinux (tools/check-bzimage.sh
 * sets them), unpack a real kernel and compare with the reference.
 */
static void test_real_kernel(const char *bzpath, const char *elfpath)
{
    size_t img_len, ref_len;
    uint8_t *img = file_read(bzpath, &img_len);
    uint8_t *ref = file_read(elfpath, &ref_len);
    struct bzimage_info bi;
    struct timespec t0, t1;
    char err[160] = "";
    uint8_t *out = NULL;
    long r;

    CHECK(img && ref);
    if ( !img || !ref )
        return;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = unpack(img, img_len, 0, &bi, &out, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_EQ(r, ref_len);
    CHECK(r > 0 && !memcmp(out, ref, ref_len));
    printf("bzimage: %s: %s payload of %zu bytes -> %ld bytes in %.2f s%s%s\n",
           bzpath, bzimage_format_name(bi.format), bi.data_len, r,
           (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
           err[0] ? ": " : "", err);
    free(out);
    free(img);
    free(ref);
}

int main(void)
{
    work = aligned_alloc(64, BZIMAGE_WORK_SIZE);
    test_formats();
    test_faults();
    if ( getenv("TERN_BZIMAGE") && getenv("TERN_VMLINUX") )
        test_real_kernel(getenv("TERN_BZIMAGE"), getenv("TERN_VMLINUX"));
    free(work);
    return unit_done();
}
