/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/multiboot.c with fake multiboot 1 and 2 structures. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <tern/bootinfo.h>
#include <tern/lib.h>
#include "unit.h"

/* "Physical memory": addresses are offsets into this buffer. */
#define MEM_SIZE  (256u << 10)
static uint8_t *mem;

static const void *p2v(uint64_t pa)
{
    return pa && pa < MEM_SIZE ? mem + pa : NULL;
}

static void put32(uint64_t pa, uint32_t v)
{
    memcpy(mem + pa, &v, 4);
}

static void put64(uint64_t pa, uint64_t v)
{
    memcpy(mem + pa, &v, 8);
}

static void put_str(uint64_t pa, const char *s)
{
    memcpy(mem + pa, s, strlen(s) + 1);
}

static struct boot_info bi;

/* ---- Multiboot 1 ---- */

#define MB1_INFO  0x1000
#define MB1_STRS  0x2000
#define MB1_MODS  0x3000
#define MB1_MMAP  0x4000

/* Lay out a complete multiboot1 structure; returns its info address. */
static uint64_t build_mb1(unsigned int nr_mods, unsigned int nr_mmap,
                          uint32_t mmap_size_field)
{
    unsigned int i;

    memset(mem, 0, MEM_SIZE);
    put32(MB1_INFO + 0, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) |
          (1u << 9));
    put32(MB1_INFO + 4, 639);
    put32(MB1_INFO + 8, 130048);
    put32(MB1_INFO + 16, MB1_STRS);
    put_str(MB1_STRS, "/tern console=com1");
    put32(MB1_INFO + 64, MB1_STRS + 0x100);
    put_str(MB1_STRS + 0x100, "GRUB 2.06");
    put32(MB1_INFO + 20, nr_mods);
    put32(MB1_INFO + 24, MB1_MODS);
    for ( i = 0; i < nr_mods; i++ )
    {
        put32(MB1_MODS + i * 16 + 0, 0x100000 * (i + 1));
        put32(MB1_MODS + i * 16 + 4, 0x100000 * (i + 1) + 0x1234);
        put32(MB1_MODS + i * 16 + 8, MB1_STRS + 0x200 + i * 32);
        snprintf((char *)mem + MB1_STRS + 0x200 + i * 32, 32, "mod%u x=%u",
                 i, i);
    }
    put32(MB1_INFO + 44, nr_mmap * (mmap_size_field + 4));
    put32(MB1_INFO + 48, MB1_MMAP);
    for ( i = 0; i < nr_mmap; i++ )
    {
        uint64_t e = MB1_MMAP + i * (mmap_size_field + 4);

        put32(e, mmap_size_field);
        put64(e + 4, (uint64_t)i << 20);
        put64(e + 12, 1u << 20);
        put32(e + 20, 1 + i % 5);
    }
    return MB1_INFO;
}

static void test_mb1(void)
{
    uint64_t info;
    unsigned int i;

    info = build_mb1(2, 3, 20);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi), 0);
    CHECK_EQ(bi.proto, 1);
    CHECK_STR(bi.cmdline, "/tern console=com1");
    CHECK_STR(bi.loader, "GRUB 2.06");
    CHECK_EQ(bi.mem_lower_kb, 639);
    CHECK_EQ(bi.mem_upper_kb, 130048);
    CHECK_EQ(bi.nr_modules, 2);
    CHECK_EQ(bi.modules[1].start, 0x200000);
    CHECK_EQ(bi.modules[1].end, 0x201234);
    CHECK_STR(bi.modules[0].string, "mod0 x=0");
    CHECK_STR(bi.modules[1].string, "mod1 x=1");
    CHECK_EQ(bi.nr_mmap, 3);
    CHECK_EQ(bi.mmap[2].base, 2u << 20);
    CHECK_EQ(bi.mmap[2].len, 1u << 20);
    CHECK_EQ(bi.mmap[2].type, 3);
    CHECK_EQ(bi.nr_truncated, 0);
    CHECK_EQ(bi.rsdp_phys, 0);
    CHECK(!bi.has_rsdp_copy);

    /* Larger entries (size 28): walked by their size field. */
    info = build_mb1(0, 5, 28);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi), 0);
    CHECK_EQ(bi.nr_mmap, 5);
    CHECK_EQ(bi.mmap[4].base, 4u << 20);

    /* No flags: nothing but the protocol. */
    info = build_mb1(2, 3, 20);
    put32(MB1_INFO, 0);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi), 0);
    CHECK_EQ(bi.proto, 1);
    CHECK_EQ(bi.nr_mmap + bi.nr_modules + bi.cmdline[0] + bi.loader[0], 0);

    /* Too many modules and regions: truncated and counted. */
    info = build_mb1(BOOT_MAX_MODULES + 5, BOOT_MAX_MMAP + 10, 20);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi), 0);
    CHECK_EQ(bi.nr_modules, BOOT_MAX_MODULES);
    CHECK_EQ(bi.nr_mmap, BOOT_MAX_MMAP);
    CHECK_EQ(bi.nr_truncated, 1 + 10);

    /* A command line longer than the field. */
    info = build_mb1(0, 0, 20);
    memset(mem + 0x8000, 'c', 3000);
    mem[0x8000 + 3000] = '\0';
    put32(MB1_INFO + 16, 0x8000);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi), 0);
    CHECK_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
    CHECK_EQ(bi.nr_truncated, 1);

    /* Malformed ones. */
    info = build_mb1(1, 3, 12);                 /* entry size too small */
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi),
             -EINVAL);
    info = build_mb1(1, 3, 20);                 /* last entry cut short */
    put32(MB1_INFO + 44, 3 * 24 - 4);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi),
             -EINVAL);
    info = build_mb1(1, 3, 20);                 /* entry runs past length */
    put32(MB1_MMAP + 48, 40);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi),
             -EINVAL);
    info = build_mb1(1, 3, 20);                 /* unmapped command line */
    put32(MB1_INFO + 16, MEM_SIZE + 5);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi),
             -EINVAL);
    info = build_mb1(1, 3, 20);                 /* module ends before start */
    put32(MB1_MODS + 4, 0x1000);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi),
             -EINVAL);
    info = build_mb1(1, 3, 20);                 /* unmapped module table */
    put32(MB1_INFO + 24, MEM_SIZE);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, info, p2v, &bi),
             -EINVAL);
    CHECK_EQ(multiboot_parse(MULTIBOOT1_BOOTLOADER_MAGIC, 0, p2v, &bi),
             -EINVAL);
    CHECK_EQ(multiboot_parse(0x12345678, info, p2v, &bi), -EINVAL);

    for ( i = 0; i < 2; i++ )
        CHECK_EQ(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC - i, MEM_SIZE,
                                 p2v, &bi), -EINVAL);
}

/* ---- Multiboot 2 ---- */

#define MB2_INFO  0x10000

static uint64_t mb2_pos;

static void mb2_begin(void)
{
    memset(mem, 0, MEM_SIZE);
    mb2_pos = MB2_INFO + 8;
}

/* Add a tag with payload p[0..len); returns the tag's address. */
static uint64_t mb2_tag(uint32_t type, const void *p, uint32_t len)
{
    uint64_t at = mb2_pos;

    put32(at, type);
    put32(at + 4, 8 + len);
    if ( len )
        memcpy(mem + at + 8, p, len);
    mb2_pos = (at + 8 + len + 7) & ~7ull;
    return at;
}

static void mb2_str(uint32_t type, const char *s)
{
    mb2_tag(type, s, (uint32_t)strlen(s) + 1);
}

static void mb2_module(uint32_t start, uint32_t end, const char *s)
{
    uint8_t p[256];

    memcpy(p, &start, 4);
    memcpy(p + 4, &end, 4);
    memcpy(p + 8, s, strlen(s) + 1);
    mb2_tag(3, p, 8 + (uint32_t)strlen(s) + 1);
}

static void mb2_mmap(uint32_t entry_size, unsigned int n)
{
    uint8_t p[4096];
    unsigned int i;

    memset(p, 0, sizeof(p));
    memcpy(p, &entry_size, 4);
    for ( i = 0; i < n; i++ )
    {
        uint64_t base = (uint64_t)i << 30, len = 1ull << 30;
        uint32_t type = i == 1 ? 2 : 1;

        memcpy(p + 8 + i * entry_size, &base, 8);
        memcpy(p + 8 + i * entry_size + 8, &len, 8);
        memcpy(p + 8 + i * entry_size + 16, &type, 4);
    }
    mb2_tag(6, p, 8 + n * entry_size);
}

/* Close with the end tag and set total_size; returns the total. */
static uint32_t mb2_end(void)
{
    uint32_t total;

    mb2_tag(0, NULL, 0);
    total = (uint32_t)(mb2_pos - MB2_INFO);
    put32(MB2_INFO, total);
    return total;
}

static uint64_t acpi_new_at;

/* A full structure, with every tag we read and one we do not. */
static uint32_t build_mb2(void)
{
    uint32_t meminfo[2] = { 639, 523264 };
    uint8_t rsdp_old[20], rsdp_new[36], fb[24];

    memset(rsdp_old, 0x11, sizeof(rsdp_old));
    memset(rsdp_new, 0x22, sizeof(rsdp_new));
    memset(fb, 0x33, sizeof(fb));
    mb2_begin();
    mb2_str(1, "tern.gz dom0_mem=1G");
    mb2_str(2, "GRUB 2.06-13");
    mb2_module(0x200000, 0x300000, "/guests/web.elf name=web");
    mb2_module(0x300000, 0x300800, "");
    mb2_tag(4, meminfo, sizeof(meminfo));
    mb2_mmap(24, 4);
    mb2_tag(8, fb, sizeof(fb));
    mb2_tag(15, rsdp_new, sizeof(rsdp_new));
    acpi_new_at = mb2_pos - 8 - 40;
    mb2_tag(14, rsdp_old, sizeof(rsdp_old));
    return mb2_end();
}

static int parse2(void)
{
    return multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, MB2_INFO, p2v, &bi);
}

static void test_mb2(void)
{
    uint32_t total, t;
    uint8_t rsdp[20];
    unsigned int i, bad;

    total = build_mb2();
    CHECK_EQ(parse2(), 0);
    CHECK_EQ(bi.proto, 2);
    CHECK_STR(bi.cmdline, "tern.gz dom0_mem=1G");
    CHECK_STR(bi.loader, "GRUB 2.06-13");
    CHECK_EQ(bi.nr_modules, 2);
    CHECK_EQ(bi.modules[0].start, 0x200000);
    CHECK_EQ(bi.modules[0].end, 0x300000);
    CHECK_STR(bi.modules[0].string, "/guests/web.elf name=web");
    CHECK_STR(bi.modules[1].string, "");
    CHECK_EQ(bi.mem_lower_kb, 639);
    CHECK_EQ(bi.mem_upper_kb, 523264);
    CHECK_EQ(bi.nr_mmap, 4);
    CHECK_EQ(bi.mmap[3].base, 3ull << 30);
    CHECK_EQ(bi.mmap[1].type, 2);
    CHECK(bi.has_rsdp_copy);
    CHECK_EQ(bi.rsdp_copy[0], 0x22);        /* the new tag wins */
    CHECK_EQ(bi.rsdp_copy[35], 0x22);
    CHECK_EQ(bi.rsdp_phys, acpi_new_at + 8);
    CHECK_EQ(bi.nr_truncated, 0);

    /* Every shorter total_size loses the end tag or cuts a tag. */
    for ( t = 0, bad = 0; t < total; t++ )
    {
        put32(MB2_INFO, t);
        bad += parse2() != -EINVAL;
    }
    CHECK_EQ(bad, 0);
    put32(MB2_INFO, total);
    CHECK_EQ(parse2(), 0);
    put32(MB2_INFO, 2u << 20);
    CHECK_EQ(parse2(), -EINVAL);

    /* Misaligned structure. */
    memmove(mem + MB2_INFO + 4, mem + MB2_INFO, total);
    CHECK_EQ(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, MB2_INFO + 4, p2v,
                             &bi), -EINVAL);

    /* Old ACPI tag alone; larger mmap entries; unterminated string. */
    memset(rsdp, 0x44, sizeof(rsdp));
    mb2_begin();
    mb2_tag(14, rsdp, sizeof(rsdp));
    mb2_mmap(32, 3);
    mb2_tag(1, "abc", 3);
    mb2_end();
    CHECK_EQ(parse2(), 0);
    CHECK(bi.has_rsdp_copy);
    CHECK_EQ(bi.rsdp_copy[19], 0x44);
    CHECK_EQ(bi.rsdp_copy[20], 0);
    CHECK_EQ(bi.rsdp_phys, MB2_INFO + 16);
    CHECK_EQ(bi.nr_mmap, 3);
    CHECK_EQ(bi.mmap[2].base, 2ull << 30);
    CHECK_STR(bi.cmdline, "abc");

    /* Tables beyond the arrays. */
    mb2_begin();
    for ( i = 0; i < BOOT_MAX_MODULES + 3; i++ )
        mb2_module(i << 12, (i + 1) << 12, "m");
    mb2_mmap(24, BOOT_MAX_MMAP + 1);
    mb2_end();
    CHECK_EQ(parse2(), 0);
    CHECK_EQ(bi.nr_modules, BOOT_MAX_MODULES);
    CHECK_EQ(bi.nr_mmap, BOOT_MAX_MMAP);
    CHECK_EQ(bi.nr_truncated, 4);

    /* Malformed tags. */
    mb2_begin();
    mb2_mmap(20, 2);                            /* entry size too small */
    mb2_end();
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_mmap(28, 2);                            /* entry size not 8-aligned */
    mb2_end();
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_tag(3, "\1\0\0\0", 4);                  /* module tag too short */
    mb2_end();
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_tag(4, "\1\0\0\0", 4);                  /* meminfo tag too short */
    mb2_end();
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_tag(15, rsdp, 12);                      /* RSDP too short */
    mb2_end();
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_module(0x2000, 0x1000, "backwards");
    mb2_end();
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_str(1, "x");
    put32(MB2_INFO + 12, 4);                    /* tag size below 8 */
    mb2_end();
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_str(1, "x");
    t = mb2_end();
    put32(MB2_INFO + 12, t);                    /* tag runs past the total */
    CHECK_EQ(parse2(), -EINVAL);
    mb2_begin();
    mb2_tag(0, "12345678", 8);                  /* end tag of size 16 */
    put32(MB2_INFO, 24);
    CHECK_EQ(parse2(), -EINVAL);
}

/* Random corruption of a good structure: errors, never a bad access. */
static void test_mb2_corruption(void)
{
    static uint8_t good[2048];
    uint32_t total = build_mb2();
    unsigned int i, ok = 0, inval = 0;

    memcpy(good, mem + MB2_INFO, total);
    for ( i = 0; i < 20000; i++ )
    {
        unsigned int j, flips = 1 + unit_rand() % 4;
        int rc;

        memcpy(mem + MB2_INFO, good, total);
        for ( j = 0; j < flips; j++ )
            mem[MB2_INFO + unit_rand() % total] ^=
                (uint8_t)(1u << (unit_rand() % 8));
        rc = parse2();
        ok += rc == 0;
        inval += rc == -EINVAL;
    }
    CHECK_EQ(ok + inval, 20000);
    CHECK(ok > 0 && inval > 0);
}

int main(void)
{
    mem = calloc(1, MEM_SIZE + BOOT_CMDLINE_MAX);
    if ( !mem )
        return 2;
    test_mb1();
    test_mb2();
    test_mb2_corruption();
    free(mem);
    return unit_done();
}
