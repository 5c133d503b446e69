/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/xz.c, lib/lzma2.c and lib/crc.c against liblzma's output. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <tern/crc.h>
#include <tern/xz.h>
#include "fixture.h"
#include "unit.h"

static void *work;
static struct crc_tables crc;

/* Every .xz fixture, with its plain twin NAME.bin. */
static const char *const xz_fixtures[] = {
    "x86-crc32", "x86-crc64", "x86-none", "x86-start", "x86-small",
    "x86-big", "lzma2-text", "lzma2-noise", "lzma2-lc0lp4", "lzma2-lc4pb4",
    "lzma2-dict4k", "multi-crc64", "multi-crc32", "multi-none",
    "multi-small", "concat", "empty", "elf",
};

struct pair {
    uint8_t *xz, *bin;
    size_t xz_len, bin_len;
};

static struct pair load(const char *name)
{
    struct pair p;
    char fn[128];

    snprintf(fn, sizeof(fn), "%s.xz", name);
    p.xz = fixture(fn, &p.xz_len);
    snprintf(fn, sizeof(fn), "%s.bin", name);
    p.bin = fixture(fn, &p.bin_len);
    return p;
}

static void unload(struct pair *p)
{
    free(p->xz);
    free(p->bin);
}

/* Decode into a fresh buffer of exactly cap bytes (ASan sees overruns). */
static long decode(const uint8_t *in, size_t len, size_t cap, uint8_t **outp,
                   const char **why)
{
    uint8_t *out = malloc(cap ? cap : 1);
    long r = xz_decode(in, len, out, cap, work, why);

    if ( outp )
        *outp = out;
    else
        free(out);
    return r;
}

/* Bit-at-a-time CRCs: the definition the sliced tables must match. */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = ~0u;
    unsigned int b;

    while ( n-- )
        for ( c ^= *p++, b = 0; b < 8; b++ )
            c = (c >> 1) ^ (c & 1 ? 0xedb88320u : 0);
    return ~c;
}

static uint64_t ref_crc64(const uint8_t *p, size_t n)
{
    uint64_t c = ~0ull;
    unsigned int b;

    while ( n-- )
        for ( c ^= *p++, b = 0; b < 8; b++ )
            c = (c >> 1) ^ (c & 1 ? 0xc96c5795d7870f42ull : 0);
    return ~c;
}

static void test_crc(void)
{
    uint8_t buf[300];
    size_t i, off, n;

    CHECK_EQ(crc32(&crc, 0, "123456789", 9), 0xcbf43926u);
    CHECK(crc64(&crc, 0, "123456789", 9) == 0x995dc9bbdf1939faull);
    CHECK_EQ(crc32(&crc, 0, "", 0), 0);
    for ( i = 0; i < sizeof(buf); i++ )
        buf[i] = (uint8_t)unit_rand();
    /* Every alignment and length, and split in two calls. */
    for ( off = 0; off < 9; off++ )
        for ( n = 0; n + off <= 64; n += 3 )
        {
            CHECK_EQ(crc32(&crc, 0, buf + off, n), ref_crc32(buf + off, n));
            CHECK(crc64(&crc, 0, buf + off, n) == ref_crc64(buf + off, n));
        }
    for ( n = 0; n <= sizeof(buf); n += 37 )
    {
        CHECK_EQ(crc32(&crc, crc32(&crc, 0, buf, n), buf + n, sizeof(buf) - n),
                 ref_crc32(buf, sizeof(buf)));
        CHECK(crc64(&crc, crc64(&crc, 0, buf, n), buf + n, sizeof(buf) - n) ==
              ref_crc64(buf, sizeof(buf)));
    }
}

/* Every fixture decodes to its twin; one byte less room is -ENOSPC. */
static void test_fixtures(void)
{
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(xz_fixtures); i++ )
    {
        struct pair p = load(xz_fixtures[i]);
        const char *why = "unset";
        uint8_t *out;
        long r;

        r = decode(p.xz, p.xz_len, p.bin_len, &out, &why);
        if ( r != (long)p.bin_len )
            fprintf(stderr, "%s: %ld (%s)\n", xz_fixtures[i], r, why);
        CHECK_EQ(r, p.bin_len);
        CHECK(why == NULL);
        CHECK(r < 0 || !memcmp(out, p.bin, p.bin_len));
        free(out);
        /* Room to spare changes nothing. */
        r = decode(p.xz, p.xz_len, p.bin_len + 4096, &out, NULL);
        CHECK_EQ(r, p.bin_len);
        CHECK(r < 0 || !memcmp(out, p.bin, p.bin_len));
        free(out);
        if ( p.bin_len )
        {
            r = decode(p.xz, p.xz_len, p.bin_len - 1, NULL, &why);
            CHECK_EQ(r, -ENOSPC);
            CHECK_STR(why, "output buffer too small");
            r = decode(p.xz, p.xz_len, p.bin_len / 2, NULL, NULL);
            CHECK_EQ(r, -ENOSPC);
            r = decode(p.xz, p.xz_len, 0, NULL, NULL);
            CHECK_EQ(r, -ENOSPC);
        }
        unload(&p);
    }
}

/* Every proper prefix of a one-stream file fails cleanly. */
static void test_truncation(void)
{
    static const char *const names[] = { "x86-small", "multi-small", "empty" };
    size_t i, n;

    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        struct pair p = load(names[i]);
        unsigned long bad = 0;

        for ( n = 0; n < p.xz_len; n++ )
        {
            const char *why = NULL;
            uint8_t *cut = malloc(n ? n : 1);
            long r;

            memcpy(cut, p.xz, n);
            r = decode(cut, n, p.bin_len, NULL, &why);
            if ( r != -EINVAL || !why )
            {
                if ( !bad++ )
                    fprintf(stderr, "%s cut at %zu: %ld\n", names[i], n, r);
            }
            free(cut);
        }
        CHECK_EQ(bad, 0);
        unload(&p);
    }
}

/*
 * Random bit flips: the decoder fails, or (the flip hit a byte nothing
 * checks, which XZ hardly has) gives the original size. Checked streams
 * that pass must also give the original bytes.
 */
static void test_bitflips(void)
{
    static const char *const names[] = { "x86-small", "multi-small",
                                         "x86-none", "lzma2-lc0lp4" };
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        struct pair p = load(names[i]);
        uint8_t *buf = malloc(p.xz_len);
        unsigned long bad = 0, ok = 0, k;
        bool checked = strcmp(names[i], "x86-none") != 0;

        for ( k = 0; k < 1500; k++ )
        {
            unsigned int flips = 1 + (unsigned int)(unit_rand() % 3), f;
            uint8_t *out;
            long r;

            memcpy(buf, p.xz, p.xz_len);
            for ( f = 0; f < flips; f++ )
            {
                uint64_t bit = unit_rand() % (p.xz_len * 8);

                buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            }
            r = decode(buf, p.xz_len, p.bin_len + 8192, &out, NULL);
            if ( r >= 0 )
            {
                ok++;
                if ( r != (long)p.bin_len ||
                     (checked && memcmp(out, p.bin, p.bin_len)) )
                    bad++;
            }
            else if ( r != -EINVAL && r != -ENOSPC && r != -EOPNOTSUPP )
                bad++;
            free(out);
        }
        CHECK_EQ(bad, 0);
        CHECK(ok < 1500 / 10);
        free(buf);
        unload(&p);
    }
}

/* A stream header with the given flags byte and a right CRC. */
static size_t put_stream_header(uint8_t *p, uint8_t check)
{
    static const uint8_t magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
    uint32_t c;

    memcpy(p, magic, 6);
    p[6] = 0;
    p[7] = check;
    c = crc32(&crc, 0, p + 6, 2);
    memcpy(p + 8, &c, 4);
    return 12;
}

/*
 * Ways to damage x86-small.xz. Its layout: stream header 0..12; block
 * header 12..24 (size byte 2, flags 1: two filters, 04 00 (x86 BCJ),
 * 21 01 dict (LZMA2), a zero, CRC32 at 20); ...; footer: CRC32 at n-12,
 * backward size at n-8, flags at n-4, "YZ".
 */
enum {
    P_MAGIC, P_HDR_CRC, P_SHA256, P_CHECK_RES, P_FLAGS_RES, P_BH_CRC,
    P_DELTA, P_DICT, P_DICT_RES, P_BH_RES, P_BH_PAD, P_LZMA2_FIRST,
    P_TRAILING, P_PADDING3, P_PADDING8, P_FOOTER_MAGIC, P_FOOTER_CRC,
    P_FOOTER_FLAGS, P_BACKWARD,
};

/* Write the CRC32 of p[0..len) at dst. */
static void fix_crc(uint8_t *dst, const uint8_t *p, size_t len)
{
    uint32_t c = crc32(&crc, 0, p, len);

    memcpy(dst, &c, 4);
}

/* Apply damage "which" to b[0..*n) (room for 64 more bytes). */
static void patch(unsigned int which, uint8_t *b, size_t *n)
{
    uint8_t *foot = b + *n - 12;

    switch ( which )
    {
    case P_MAGIC:
        b[1] = '8';
        break;
    case P_HDR_CRC:
        b[9] ^= 1;
        break;
    case P_SHA256:
        put_stream_header(b, 0x0a);
        break;
    case P_CHECK_RES:
        put_stream_header(b, 0x02);
        break;
    case P_FLAGS_RES:
        b[6] = 1;
        fix_crc(b + 8, b + 6, 2);
        break;
    case P_BH_CRC:
        b[14] ^= 0x40;
        break;
    case P_DELTA:
        b[14] = 0x03;                   /* delta, one property byte */
        b[15] = 1;
        b[16] = 0;
        fix_crc(b + 20, b + 12, 8);
        break;
    case P_DICT:
        b[18] = 41;
        fix_crc(b + 20, b + 12, 8);
        break;
    case P_DICT_RES:
        b[18] |= 0x40;
        fix_crc(b + 20, b + 12, 8);
        break;
    case P_BH_RES:
        b[13] |= 0x10;
        fix_crc(b + 20, b + 12, 8);
        break;
    case P_BH_PAD:
        b[19] = 1;
        fix_crc(b + 20, b + 12, 8);
        break;
    case P_LZMA2_FIRST:
        memcpy(b + 14, "\x21\x01\x14\x04\x00\x00", 6);
        fix_crc(b + 20, b + 12, 8);
        break;
    case P_TRAILING:
        memcpy(b + *n, "junk", 4);
        *n += 4;
        break;
    case P_PADDING3:
    case P_PADDING8:
        memset(b + *n, 0, which == P_PADDING3 ? 3 : 8);
        *n += which == P_PADDING3 ? 3 : 8;
        break;
    case P_FOOTER_MAGIC:
        foot[11] = 'Z' + 1;
        break;
    case P_FOOTER_CRC:
        foot[0] ^= 1;
        break;
    case P_FOOTER_FLAGS:
        foot[9] = 4;
        fix_crc(foot, foot + 4, 6);
        break;
    case P_BACKWARD:
        foot[4] += 1;
        fix_crc(foot, foot + 4, 6);
        break;
    }
}

/* Decode a copy of x86-small.xz damaged by patch(which). */
static long decode_patched(unsigned int which, const char **why)
{
    struct pair p = load("x86-small");
    uint8_t *buf = malloc(p.xz_len + 64);
    size_t len = p.xz_len;
    long r;

    memcpy(buf, p.xz, p.xz_len);
    patch(which, buf, &len);
    r = decode(buf, len, p.bin_len + 64, NULL, why);
    free(buf);
    unload(&p);
    return r;
}

static void test_corrupt_headers(void)
{
    static const struct {
        unsigned int which;
        long rc;
        const char *why;
    } cases[] = {
        { P_MAGIC, -EINVAL, "not an XZ stream (bad magic)" },
        { P_HDR_CRC, -EINVAL, "stream header CRC32 mismatch" },
        { P_SHA256, -EOPNOTSUPP, "SHA-256 check not supported" },
        { P_CHECK_RES, -EOPNOTSUPP, "unsupported check type" },
        { P_FLAGS_RES, -EOPNOTSUPP, "unsupported stream flags" },
        { P_BH_CRC, -EINVAL, "block header CRC32 mismatch" },
        { P_DELTA, -EOPNOTSUPP, "unsupported filter (only x86 BCJ and LZMA2)" },
        { P_DICT, -EINVAL, "bad LZMA2 dictionary size" },
        { P_DICT_RES, -EINVAL, "bad LZMA2 dictionary size" },
        { P_BH_RES, -EOPNOTSUPP, "unsupported block header flags" },
        { P_BH_PAD, -EINVAL, "non-zero block header padding" },
        { P_LZMA2_FIRST, -EINVAL, "LZMA2 filter not last in the chain" },
        { P_TRAILING, -EINVAL, "trailing data after the XZ stream" },
        { P_PADDING3, -EINVAL, "bad stream padding" },
        { P_FOOTER_MAGIC, -EINVAL, "bad stream footer magic" },
        { P_FOOTER_CRC, -EINVAL, "stream footer CRC32 mismatch" },
        { P_FOOTER_FLAGS, -EINVAL,
          "stream footer flags differ from the header" },
        { P_BACKWARD, -EINVAL, "stream footer backward size mismatch" },
    };
    const char *why;
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        why = NULL;
        CHECK_EQ(decode_patched(cases[i].which, &why), cases[i].rc);
        CHECK_STR(why, cases[i].why);
    }
    /* Stream padding of a multiple of four is fine. */
    CHECK_EQ(decode_patched(P_PADDING8, &why), 2000);

    why = NULL;
    CHECK_EQ(xz_decode("", 0, NULL, 0, work, &why), -EINVAL);
    CHECK_STR(why, "empty input");
    CHECK_EQ(xz_decode("\0\0\0\0", 4, NULL, 0, work, &why), -EINVAL);
    CHECK_EQ(xz_decode("x", 1, NULL, 0, (char *)work + 1, &why), -EINVAL);
    CHECK_STR(why, "misaligned work area");
}

/* Hand-made LZMA2 chunk sequences. */
static void test_lzma2_raw(void)
{
    static const uint8_t unc[] = { 0x01, 0x00, 0x02, 'a', 'b', 'c',
                                   0x02, 0x00, 0x01, 'd', 'e', 0x00 };
    static const uint8_t no_reset[] = { 0x02, 0x00, 0x00, 'a', 0x00 };
    static const uint8_t bad_ctl[] = { 0x01, 0x00, 0x00, 'a', 0x03 };
    static const uint8_t no_props[] = { 0x01, 0x00, 0x00, 'a', 0xa0, 0, 0,
                                        0, 4, 0, 0, 0, 0, 0, 0x00 };
    static const uint8_t bad_props[] = { 0xe0, 0, 0, 0, 4, 225, 0, 0, 0, 0,
                                         0, 0x00 };
    static const uint8_t lclp5[] = { 0xe0, 0, 0, 0, 4, 3 + 9 * 2, 0, 0, 0,
                                     0, 0, 0x00 };
    uint8_t out[64];
    size_t used = 0;
    const char *why = NULL;

    CHECK_EQ(xz_lzma2_decode(unc, sizeof(unc), &used, out, 0, sizeof(out),
                             4096, work, &why), 5);
    CHECK_EQ(used, sizeof(unc));
    CHECK(!memcmp(out, "abcde", 5));
    CHECK_EQ(xz_lzma2_decode(unc, sizeof(unc), &used, out, 10, sizeof(out),
                             4096, work, &why), 15);
    CHECK(!memcmp(out + 10, "abcde", 5));
    CHECK_EQ(xz_lzma2_decode(unc, sizeof(unc), &used, out, 0, 4, 4096, work,
                             &why), -ENOSPC);
    CHECK_EQ(xz_lzma2_decode(unc, sizeof(unc) - 1, &used, out, 0,
                             sizeof(out), 4096, work, &why), -EINVAL);
    CHECK_STR(why, "truncated input");
    CHECK_EQ(xz_lzma2_decode(unc, 7, &used, out, 0, sizeof(out), 4096, work,
                             &why), -EINVAL);
    CHECK_EQ(xz_lzma2_decode(no_reset, sizeof(no_reset), &used, out, 0,
                             sizeof(out), 4096, work, &why), -EINVAL);
    CHECK_STR(why, "LZMA2: data does not start with a dictionary reset");
    CHECK_EQ(xz_lzma2_decode(bad_ctl, sizeof(bad_ctl), &used, out, 0,
                             sizeof(out), 4096, work, &why), -EINVAL);
    CHECK_STR(why, "LZMA2: bad control byte");
    CHECK_EQ(xz_lzma2_decode(no_props, sizeof(no_props), &used, out, 0,
                             sizeof(out), 4096, work, &why), -EINVAL);
    CHECK_STR(why, "LZMA2: LZMA chunk without properties after a reset");
    CHECK_EQ(xz_lzma2_decode(bad_props, sizeof(bad_props), &used, out, 0,
                             sizeof(out), 4096, work, &why), -EINVAL);
    CHECK_STR(why, "LZMA2: bad LZMA properties (lc, lp, pb)");
    CHECK_EQ(xz_lzma2_decode(lclp5, sizeof(lclp5), &used, out, 0,
                             sizeof(out), 4096, work, &why), -EINVAL);
    CHECK_STR(why, "LZMA2: bad LZMA properties (lc, lp, pb)");
    CHECK_EQ(xz_lzma2_decode(unc, sizeof(unc), &used, out, 65, sizeof(out),
                             4096, work, &why), -EINVAL);

    CHECK_EQ(xz_lzma2_dict_size(0), 4096);
    CHECK_EQ(xz_lzma2_dict_size(1), 6144);
    CHECK_EQ(xz_lzma2_dict_size(26), 32 << 20);
    CHECK_EQ(xz_lzma2_dict_size(39), 3u << 30);
    CHECK_EQ(xz_lzma2_dict_size(40), 0xffffffffu);
    CHECK_EQ(xz_lzma2_dict_size(41), 0);
}

/*
 * The raw LZMA2 data of x86-small's block decodes the same at any output
 * position (contexts count from the dictionary reset); a dictionary
 * smaller than its distances is refused.
 */
static void test_lzma2_block(void)
{
    struct pair p = load("x86-small");
    size_t hsize = ((size_t)p.xz[12] + 1) * 4, used = 0, off;
    const uint8_t *raw = p.xz + 12 + hsize;
    size_t raw_len = p.xz_len - 12 - hsize;
    uint8_t *out = malloc(p.bin_len + 100);
    uint8_t *filtered = malloc(p.bin_len);
    const char *why;
    long r;

    for ( off = 0; off < 20; off += 7 )
    {
        memset(out, 0x5a, p.bin_len + 100);
        r = xz_lzma2_decode(raw, raw_len, &used, out, off, p.bin_len + off,
                            1u << 20, work, &why);
        CHECK_EQ(r, p.bin_len + off);
        if ( off == 0 )
            memcpy(filtered, out, p.bin_len);
        CHECK(!memcmp(out + off, filtered, p.bin_len));
        xz_bcj_x86_decode(out + off, p.bin_len, 0);
        CHECK(!memcmp(out + off, p.bin, p.bin_len));
    }
    CHECK(used > 100 && used < raw_len);
    /* The data has distances above 64 bytes. */
    r = xz_lzma2_decode(raw, raw_len, &used, out, 0, p.bin_len, 64, work, &why);
    CHECK_EQ(r, -EINVAL);
    CHECK_STR(why, "LZMA: match distance out of range");
    /* The BCJ filter changed something. */
    CHECK(memcmp(filtered, p.bin, p.bin_len) != 0);
    free(out);
    free(filtered);
    unload(&p);
}

/* Known answers of the x86 BCJ decoder. */
static void test_bcj(void)
{
    uint8_t b[16];

    /* call +0 at 0, encoded as absolute 5: back to a displacement of 0. */
    memcpy(b, "\xe8\x05\x00\x00\x00", 5);
    xz_bcj_x86_decode(b, 5, 0);
    CHECK(!memcmp(b, "\xe8\x00\x00\x00\x00", 5));
    /* The start offset counts in the position. */
    memcpy(b, "\xe9\x05\x01\x00\x00", 5);
    xz_bcj_x86_decode(b, 5, 0x100);
    CHECK(!memcmp(b, "\xe9\x00\x00\x00\x00", 5));
    /* Negative results: top byte ff. */
    memcpy(b, "\x90\xe8\x00\x00\x00\x00", 6);
    xz_bcj_x86_decode(b, 6, 0);
    CHECK(!memcmp(b, "\x90\xe8\xfa\xff\xff\xff", 6));
    /* A top byte other than 00/ff is left alone. */
    memcpy(b, "\xe8\x05\x00\x00\x12", 5);
    xz_bcj_x86_decode(b, 5, 0);
    CHECK(!memcmp(b, "\xe8\x05\x00\x00\x12", 5));
    /* Fewer than five bytes: nothing to do. */
    memcpy(b, "\xe8\x05\x00\x00", 4);
    xz_bcj_x86_decode(b, 4, 0);
    CHECK(!memcmp(b, "\xe8\x05\x00\x00", 4));
    xz_bcj_x86_decode(b, 0, 0);
}

/*
 * With TERN_FUZZ_SEEDS=DIR, write the small fixtures into DIR as the
 * fuzzer's seed corpus (tests/fuzz/fuzz.mk), and raw LZMA2 data as the
 * fuzz target's second mode reads it (a dictionary byte first).
 */
static void write_seeds(const char *dir)
{
    static const char *const names[] = { "x86-small", "multi-small",
                                         "empty", "concat", "lzma2-text" };
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        struct pair p = load(names[i]);
        char fn[128];

        snprintf(fn, sizeof(fn), "%s.xz", names[i]);
        seed_write(dir, fn, p.xz, p.xz_len);
        if ( !strcmp(names[i], "x86-small") )
        {
            size_t hsize = ((size_t)p.xz[12] + 1) * 4;
            uint8_t *raw = malloc(p.xz_len);

            raw[0] = 20;
            memcpy(raw + 1, p.xz + 12 + hsize, p.xz_len - 12 - hsize);
            seed_write(dir, "raw-lzma2", raw, p.xz_len - 12 - hsize + 1);
            free(raw);
        }
        unload(&p);
    }
}

int main(void)
{
    work = aligned_alloc(64, XZ_WORK_SIZE);
    memset(work, 0xa5, XZ_WORK_SIZE);
    crc_tables_init(&crc);
    test_crc();
    test_fixtures();
    test_truncation();
    test_bitflips();
    test_corrupt_headers();
    test_lzma2_raw();
    test_lzma2_block();
    test_bcj();
    if ( getenv("TERN_FUZZ_SEEDS") )
        write_seeds(getenv("TERN_FUZZ_SEEDS"));
    free(work);
    return unit_done();
}
