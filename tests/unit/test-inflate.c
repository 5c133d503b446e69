/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/inflate.c against zlib's output, and hand-made blocks. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <tern/crc.h>
#include <tern/inflate.h>
#include "fixture.h"
#include "unit.h"

static void *work;
static struct crc_tables crc;

/* Every .gz fixture, with its plain twin NAME.bin. */
static const char *const gz_fixtures[] = {
    "gz-default", "gz-stored", "gz-fixed", "gz-huffman", "gz-rle", "gz-big",
    "gz-small", "gz-fields", "gz-members", "gz-empty", "elf",
};

struct pair {
    uint8_t *gz, *bin;
    size_t gz_len, bin_len;
};

static struct pair load(const char *name)
{
    struct pair p;
    char fn[128];

    snprintf(fn, sizeof(fn), "%s.gz", name);
    p.gz = fixture(fn, &p.gz_len);
    snprintf(fn, sizeof(fn), "%s.bin", name);
    p.bin = fixture(fn, &p.bin_len);
    return p;
}

static void unload(struct pair *p)
{
    free(p->gz);
    free(p->bin);
}

/* Decode into a fresh buffer of exactly cap bytes (ASan sees overruns). */
static long decode(const uint8_t *in, size_t len, size_t cap, uint8_t **outp,
                   const char **why)
{
    uint8_t *out = malloc(cap ? cap : 1);
    long r = inflate_gzip(in, len, out, cap, work, why);

    if ( outp )
        *outp = out;
    else
        free(out);
    return r;
}

static void test_fixtures(void)
{
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(gz_fixtures); i++ )
    {
        struct pair p = load(gz_fixtures[i]);
        const char *why = "unset";
        uint8_t *out;
        long r;

        r = decode(p.gz, p.gz_len, p.bin_len, &out, &why);
        if ( r != (long)p.bin_len )
            fprintf(stderr, "%s: %ld (%s)\n", gz_fixtures[i], r, why);
        CHECK_EQ(r, p.bin_len);
        CHECK(why == NULL);
        CHECK(r < 0 || !memcmp(out, p.bin, p.bin_len));
        free(out);
        if ( p.bin_len )
        {
            r = decode(p.gz, p.gz_len, p.bin_len - 1, NULL, &why);
            CHECK_EQ(r, -ENOSPC);
            CHECK_STR(why, "output buffer too small");
            CHECK_EQ(decode(p.gz, p.gz_len, 0, NULL, NULL), -ENOSPC);
        }
        unload(&p);
    }
}

/*
 * Every proper prefix fails cleanly, except those that end exactly after
 * a member of a multi-member file: a shorter valid file.
 */
static void test_truncation(void)
{
    static const char *const names[] = { "gz-small", "gz-members",
                                         "gz-empty", "gz-fields" };
    size_t i, n;

    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        struct pair p = load(names[i]);
        unsigned long bad = 0, members = 0;
        size_t step = p.gz_len > 6000 ? 7 : 1;

        for ( n = 0; n < p.gz_len; n += step )
        {
            const char *why = NULL;
            uint8_t *cut = malloc(n ? n : 1), *out;
            long r;

            memcpy(cut, p.gz, n);
            r = decode(cut, n, p.bin_len, &out, &why);
            if ( r >= 0 && !memcmp(out, p.bin, (size_t)r) &&
                 !strcmp(names[i], "gz-members") )
                members++;
            else if ( r != -EINVAL || !why )
            {
                if ( !bad++ )
                    fprintf(stderr, "%s cut at %zu: %ld\n", names[i], n, r);
            }
            free(cut);
            free(out);
        }
        CHECK_EQ(bad, 0);
        CHECK(members <= 2);
        unload(&p);
    }
}

/*
 * Random bit flips: the decoder fails or, when the flip hit a header
 * field nobody checks (mtime, OS), gives exactly the original.
 */
static void test_bitflips(void)
{
    static const char *const names[] = { "gz-small", "gz-fields",
                                         "gz-members", "gz-fixed" };
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        struct pair p = load(names[i]);
        uint8_t *buf = malloc(p.gz_len);
        unsigned long bad = 0, k;

        for ( k = 0; k < 1500; k++ )
        {
            unsigned int flips = 1 + (unsigned int)(unit_rand() % 3), f;
            uint8_t *out;
            long r;

            memcpy(buf, p.gz, p.gz_len);
            for ( f = 0; f < flips; f++ )
            {
                uint64_t bit = unit_rand() % (p.gz_len * 8);

                buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            }
            r = decode(buf, p.gz_len, p.bin_len + 8192, &out, NULL);
            if ( r >= 0 ? r != (long)p.bin_len || memcmp(out, p.bin, p.bin_len)
                        : r != -EINVAL && r != -ENOSPC && r != -EOPNOTSUPP )
                bad++;
            free(out);
        }
        CHECK_EQ(bad, 0);
        free(buf);
        unload(&p);
    }
}

/* A DEFLATE bit writer: fields least significant bit first, Huffman
 * codes most significant bit first. */
struct bw {
    uint8_t buf[256];
    size_t bits;
};

static void put(struct bw *w, uint32_t val, unsigned int n)
{
    unsigned int i;

    for ( i = 0; i < n; i++, w->bits++ )
        if ( (val >> i) & 1 )
            w->buf[w->bits / 8] |= (uint8_t)(1u << (w->bits % 8));
}

static void put_code(struct bw *w, uint32_t code, unsigned int n)
{
    while ( n-- )
        put(w, (code >> n) & 1, 1);
}

/* Fixed-code symbols. */
static void put_fixed_lit(struct bw *w, unsigned int sym)
{
    if ( sym < 144 )
        put_code(w, 0x30 + sym, 8);
    else if ( sym < 256 )
        put_code(w, 0x190 + sym - 144, 9);
    else if ( sym < 280 )
        put_code(w, sym - 256, 7);
    else
        put_code(w, 0xc0 + sym - 280, 8);
}

static long raw(const struct bw *w, uint8_t *out, size_t cap, const char **why)
{
    size_t used;

    return inflate_raw(w->buf, (w->bits + 7) / 8, &used, out, 0, cap, work,
                       why);
}

/* Hand-made raw DEFLATE data: every block type and the errors. */
static void test_raw(void)
{
    static const uint8_t stored[] = { 0x01, 0x05, 0x00, 0xfa, 0xff,
                                      'h', 'e', 'l', 'l', 'o' };
    static const uint8_t stored_bad[] = { 0x01, 0x05, 0x00, 0xfa, 0xfe,
                                          'h', 'e', 'l', 'l', 'o' };
    uint8_t out[600];
    const char *why = NULL;
    size_t used = 0;
    struct bw w;
    unsigned int i;

    CHECK_EQ(inflate_raw(stored, sizeof(stored), &used, out, 0, sizeof(out),
                         work, &why), 5);
    CHECK_EQ(used, sizeof(stored));
    CHECK(!memcmp(out, "hello", 5));
    CHECK_EQ(inflate_raw(stored, sizeof(stored) - 1, &used, out, 0,
                         sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "truncated input");
    CHECK_EQ(inflate_raw(stored_bad, sizeof(stored_bad), &used, out, 0,
                         sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "stored block length check failed");
    CHECK_EQ(inflate_raw(stored, 0, &used, out, 0, sizeof(out), work, &why),
             -EINVAL);
    CHECK_STR(why, "truncated input");

    /* Fixed: "AB", then a match of 258 at distance 2, then the end. */
    memset(&w, 0, sizeof(w));
    put(&w, 1, 1);
    put(&w, 1, 2);
    put_fixed_lit(&w, 'A');
    put_fixed_lit(&w, 'B');
    put_fixed_lit(&w, 285);
    put_code(&w, 1, 5);
    put_fixed_lit(&w, 256);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), 260);
    for ( i = 0; i < 260; i++ )
        if ( out[i] != (i & 1 ? 'B' : 'A') )
            break;
    CHECK_EQ(i, 260);
    CHECK_EQ(raw(&w, out, 259, &why), -ENOSPC);

    /* A match before any output. */
    memset(&w, 0, sizeof(w));
    put(&w, 1, 1);
    put(&w, 1, 2);
    put_fixed_lit(&w, 257);
    put_code(&w, 0, 5);
    put_fixed_lit(&w, 256);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "distance too far back");

    /* Length symbol 286 and distance symbol 30 do not exist. */
    memset(&w, 0, sizeof(w));
    put(&w, 1, 1);
    put(&w, 1, 2);
    put_fixed_lit(&w, 286);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "invalid Huffman code");
    memset(&w, 0, sizeof(w));
    put(&w, 1, 1);
    put(&w, 1, 2);
    put_fixed_lit(&w, 'A');
    put_fixed_lit(&w, 257);
    put_code(&w, 30, 5);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "invalid Huffman code");

    /* Block type 3. */
    memset(&w, 0, sizeof(w));
    put(&w, 1, 1);
    put(&w, 3, 2);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "invalid block type");

    /* A non-final empty fixed block, then no more data. */
    memset(&w, 0, sizeof(w));
    put(&w, 0, 1);
    put(&w, 1, 2);
    put_fixed_lit(&w, 256);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "truncated input");

    /* Output may not reach before out_pos. */
    memset(&w, 0, sizeof(w));
    put(&w, 1, 1);
    put(&w, 1, 2);
    put_fixed_lit(&w, 'A');
    put_fixed_lit(&w, 257);
    put_code(&w, 1, 5);
    put_fixed_lit(&w, 256);
    CHECK_EQ(inflate_raw(w.buf, (w.bits + 7) / 8, &used, out, 10,
                         sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "distance too far back");
}

/*
 * Dynamic block headers: HLIT, HDIST, HCLEN, then code-length code
 * lengths (3 bits each, in the permuted order), then the lengths.
 */
static void dyn_header(struct bw *w, unsigned int hlit, unsigned int hdist,
                       const uint8_t *clen19)
{
    static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11,
                                       4, 12, 3, 13, 2, 14, 1, 15 };
    unsigned int i;

    memset(w, 0, sizeof(*w));
    put(w, 1, 1);
    put(w, 2, 2);
    put(w, hlit - 257, 5);
    put(w, hdist - 1, 5);
    put(w, 19 - 4, 4);
    for ( i = 0; i < 19; i++ )
        put(w, clen19[order[i]], 3);
}

static void test_dynamic(void)
{
    /* Code-length code: symbols 1, 2, 17, 18 of length 2 (complete). */
    uint8_t cl[19] = { 0 };
    uint8_t out[64];
    const char *why = NULL;
    struct bw w;

    cl[1] = cl[2] = cl[17] = cl[18] = 2;
    /* Canonical codes: 1 -> 00, 2 -> 01, 17 -> 10, 18 -> 11. */

    /* A good block: literals 'a' (len 1) and 256 (len 1): 'a', end. */
    dyn_header(&w, 257, 1, cl);
    put_code(&w, 3, 2);                 /* 18: zeros ... */
    put(&w, 97 - 11, 7);                /* ... 97 of them (0..96) */
    put_code(&w, 0, 2);                 /* 'a': length 1 */
    put_code(&w, 3, 2);                 /* 18: 138 zeros (98..235) */
    put(&w, 138 - 11, 7);
    put_code(&w, 3, 2);                 /* 18: 20 zeros (236..255) */
    put(&w, 20 - 11, 7);
    put_code(&w, 0, 2);                 /* 256: length 1 */
    put_code(&w, 0, 2);                 /* distance 0: length 1 */
    put_code(&w, 0, 1);                 /* 'a' */
    put_code(&w, 0, 1);
    put_code(&w, 1, 1);                 /* end */
    CHECK_EQ(raw(&w, out, sizeof(out), &why), 2);
    CHECK(!memcmp(out, "aa", 2));

    /* HLIT 287 and HDIST 31 are refused. */
    dyn_header(&w, 287, 1, cl);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "too many length or distance codes");
    dyn_header(&w, 257, 31, cl);
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "too many length or distance codes");

    /* No end-of-block code. */
    dyn_header(&w, 257, 1, cl);
    put_code(&w, 3, 2);
    put(&w, 138 - 11, 7);
    put_code(&w, 3, 2);
    put(&w, 119 - 11, 7);               /* 0..256 all zero */
    put_code(&w, 0, 2);                 /* distance 0: length 1 */
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "no end-of-block code");

    /* Repeat 16 with nothing before it: symbol 16 needs its own code. */
    {
        uint8_t cl16[19] = { 0 };

        cl16[16] = cl16[1] = 1;         /* 1 -> 0, 16 -> 1 */
        dyn_header(&w, 257, 1, cl16);
        put_code(&w, 1, 1);
        put(&w, 0, 2);
        CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
        CHECK_STR(why, "code-length repeat with nothing to repeat");
    }

    /* Lengths overflowing HLIT + HDIST. */
    dyn_header(&w, 257, 1, cl);
    put_code(&w, 3, 2);
    put(&w, 138 - 11, 7);
    put_code(&w, 3, 2);
    put(&w, 121 - 11, 7);               /* 259 > 258 */
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "code lengths overflow the codes");

    /* An over-subscribed code-length code. */
    {
        uint8_t over[19] = { 0 };

        over[1] = over[2] = over[3] = 1;
        dyn_header(&w, 257, 1, over);
        CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
        CHECK_STR(why, "bad code-length code");
    }

    /* An incomplete literal code: 'a', 'b' and 256 all of length 2. */
    dyn_header(&w, 257, 1, cl);
    put_code(&w, 3, 2);
    put(&w, 97 - 11, 7);
    put_code(&w, 1, 2);                 /* 'a': 2 */
    put_code(&w, 1, 2);                 /* 'b': 2 */
    put_code(&w, 3, 2);
    put(&w, 138 - 11, 7);               /* 99..236 */
    put_code(&w, 3, 2);
    put(&w, 19 - 11, 7);                /* 237..255 */
    put_code(&w, 1, 2);                 /* 256: 2 */
    put_code(&w, 0, 2);                 /* distance 0: 1 */
    CHECK_EQ(raw(&w, out, sizeof(out), &why), -EINVAL);
    CHECK_STR(why, "bad literal/length or distance code lengths");
}

/* A gzip member around stored "hello", with header fields as given. */
static size_t gzip_hello(uint8_t *b, uint8_t method, uint8_t flags)
{
    static const uint8_t body[] = { 0x01, 0x05, 0x00, 0xfa, 0xff,
                                    'h', 'e', 'l', 'l', 'o' };
    size_t n = 0;
    uint32_t c;

    memcpy(b, "\x1f\x8b", 2);
    b[2] = method;
    b[3] = flags;
    memset(b + 4, 0, 6);
    n = 10;
    if ( flags & 0x02 )
    {
        c = crc32(&crc, 0, b, n);
        b[n++] = (uint8_t)c;
        b[n++] = (uint8_t)(c >> 8);
    }
    memcpy(b + n, body, sizeof(body));
    n += sizeof(body);
    c = crc32(&crc, 0, "hello", 5);
    memcpy(b + n, &c, 4);
    memcpy(b + n + 4, "\x05\0\0\0", 4);
    return n + 8;
}

static void test_gzip_header(void)
{
    uint8_t b[64], out[16];
    const char *why = NULL;
    size_t n;

    n = gzip_hello(b, 8, 0);
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), 5);
    n = gzip_hello(b, 8, 0x02);
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), 5);
    b[10] ^= 1;
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "gzip header CRC16 mismatch");
    n = gzip_hello(b, 9, 0);
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), -EOPNOTSUPP);
    CHECK_STR(why, "unsupported gzip compression method");
    n = gzip_hello(b, 8, 0x20);
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "reserved gzip header flags set");
    n = gzip_hello(b, 8, 0);
    b[0] = 0x1e;
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "not a gzip file (bad magic)");
    n = gzip_hello(b, 8, 0);
    b[n - 8] ^= 1;
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "gzip CRC32 mismatch");
    n = gzip_hello(b, 8, 0);
    b[n - 4] = 6;
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "gzip ISIZE mismatch");
    n = gzip_hello(b, 8, 0);
    memcpy(b + n, "\0\0\0\0", 4);
    CHECK_EQ(inflate_gzip(b, n + 4, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "trailing data after the gzip member");
    /* FNAME without its terminator. */
    n = gzip_hello(b, 8, 0x08);
    CHECK_EQ(inflate_gzip(b, 12, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "truncated input");
    CHECK_EQ(inflate_gzip(b, 0, out, sizeof(out), work, &why), -EINVAL);
    CHECK_STR(why, "empty input");
    CHECK_EQ(inflate_gzip(b, n, out, sizeof(out), (char *)work + 4, &why),
             -EINVAL);
}

/* With TERN_FUZZ_SEEDS=DIR, write small fixtures as the fuzz seeds. */
static void write_seeds(const char *dir)
{
    static const char *const names[] = { "gz-small", "gz-members",
                                         "gz-empty", "gz-fields",
                                         "gz-fixed" };
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        struct pair p = load(names[i]);
        char fn[128];

        snprintf(fn, sizeof(fn), "%s.gz", names[i]);
        seed_write(dir, fn, p.gz, p.gz_len);
        unload(&p);
    }
}

int main(void)
{
    work = aligned_alloc(64, INFLATE_WORK_SIZE);
    memset(work, 0xa5, INFLATE_WORK_SIZE);
    crc_tables_init(&crc);
    test_fixtures();
    test_truncation();
    test_bitflips();
    test_raw();
    test_dynamic();
    test_gzip_header();
    if ( getenv("TERN_FUZZ_SEEDS") )
        write_seeds(getenv("TERN_FUZZ_SEEDS"));
    free(work);
    return unit_done();
}
