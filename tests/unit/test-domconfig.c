/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/domconfig.c: module strings to domain settings. */
#include <errno.h>
#include <stdint.h>
#include <tern/cpulist.h>
#include <tern/domconfig.h>
#include <tern/lib.h>
#include "unit.h"

static const struct {
    const char *s;
    int rc;
    const char *err;            /* expected message, for failures */
    const char *path, *name;
    uint64_t memory;
    unsigned int vcpus;
    const char *cmdline;
} cases[] = {
    { "/guests/web.elf", 0, "", "/guests/web.elf", "", 128ull << 20, 1, "" },
    { "/guests/web.elf  name=web memory=256M vcpus=2 cmdline=\"console=hvc0\"",
      0, "", "/guests/web.elf", "web", 256ull << 20, 2, "console=hvc0" },
    { "k name=a.b-c_9 memory=512 cmdline=\"root=/dev/xvda1 ro quiet\"",
      0, "", "k", "a.b-c_9", 512ull << 20, 1, "root=/dev/xvda1 ro quiet" },
    { "k memory=1G vcpus=128 cmdline=single", 0, "", "k", "", 1ull << 30,
      128, "single" },
    { "k memory=1M", 0, "", "k", "", 1ull << 20, 1, "" },
    { "k memory=4100K", 0, "", "k", "", 4100ull << 10, 1, "" },
    { "k memory=0x10", 0, "", "k", "", 16ull << 20, 1, "" },
    { "k name=a name=b", 0, "", "k", "b", 128ull << 20, 1, "" },
    { "k name=abcdefghijabcdefghijabcdefghijk", 0, "", "k",
      "abcdefghijabcdefghijabcdefghijk", 128ull << 20, 1, "" },
    { "k cmdline=", 0, "", "k", "", 128ull << 20, 1, "" },
    { "", 0, "", "", "", 128ull << 20, 1, "" },
    { "   ", 0, "", "", "", 128ull << 20, 1, "" },
    /* GRUB's module2 leaves the path out. */
    { "name=web", 0, "", "", "web", 128ull << 20, 1, "" },
    { "name=web memory=64M", 0, "", "", "web", 64ull << 20, 1, "" },
    { "name=web k", -EINVAL, "k: value expected (k=...)", "", "", 0, 0, "" },
    { "k memory=12Q", -EINVAL, "memory=12Q: bad size", "", "", 0, 0, "" },
    { "k memory=99999999999T", -ERANGE, "memory=99999999999T: too large",
      "", "", 0, 0, "" },
    { "k memory=1023K", -ERANGE, "memory=1023K: less than 1 MiB",
      "", "", 0, 0, "" },
    { "k memory=1048577B", -EINVAL,
      "memory=1048577B: not a multiple of 4 KiB", "", "", 0, 0, "" },
    { "k vcpus=0", -ERANGE, "vcpus=0: not in 1..128", "", "", 0, 0, "" },
    { "k vcpus=129", -ERANGE, "vcpus=129: not in 1..128", "", "", 0, 0, "" },
    { "k vcpus=two", -EINVAL, "vcpus=two: bad number", "", "", 0, 0, "" },
    { "k vcpus=", -EINVAL, "vcpus=: bad number", "", "", 0, 0, "" },
    { "k name=", -EINVAL, "name=: bad name (want 1-31 of A-Z a-z 0-9 _ . -)",
      "", "", 0, 0, "" },
    { "k name=a/b", -EINVAL,
      "name=a/b: bad name (want 1-31 of A-Z a-z 0-9 _ . -)", "", "", 0, 0, "" },
    { "k name=abcdefghijabcdefghijabcdefghijkl", -EINVAL,
      "name=abcdefghijabcdefghijabcdefghijkl: bad name (want 1-31 of A-Z a-z "
      "0-9 _ . -)", "", "", 0, 0, "" },
    { "k colour=red", -ENOENT, "colour: unknown key", "", "", 0, 0, "" },
    { "k memory", -EINVAL, "memory: value expected (memory=...)",
      "", "", 0, 0, "" },
    { "k initrd", -EINVAL, "initrd: value expected (initrd=...)",
      "", "", 0, 0, "" },
};

static void test_table(void)
{
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct domain_config cfg;
        char err[128];
        int rc;

        memset(err, 'Z', sizeof(err));
        rc = domconfig_parse(cases[i].s, &cfg, err, sizeof(err));
        CHECK_EQ(rc, cases[i].rc);
        CHECK_STR(err, cases[i].err);
        if ( rc != cases[i].rc )
            fprintf(stderr, "  case \"%s\"\n", cases[i].s);
        if ( rc )
            continue;
        CHECK_STR(cfg.path, cases[i].path);
        CHECK_STR(cfg.name, cases[i].name);
        CHECK(cfg.memory == cases[i].memory);
        CHECK_EQ(cfg.vcpus, cases[i].vcpus);
        CHECK_STR(cfg.cmdline, cases[i].cmdline);
    }
}

/* Lengths at the limits, and no error buffer at all. */
static void test_limits(void)
{
    static char s[4096];
    struct domain_config cfg;
    char err[64];
    size_t n;

    /* A path of 127 characters fits, 128 does not. */
    memset(s, 'p', 127);
    s[127] = '\0';
    CHECK_EQ(domconfig_parse(s, &cfg, err, sizeof(err)), 0);
    CHECK_EQ(strlen(cfg.path), 127);
    memset(s, 'p', 128);
    s[128] = '\0';
    CHECK_EQ(domconfig_parse(s, &cfg, err, sizeof(err)), -ERANGE);
    CHECK_STR(err, "path: longer than 127 characters");

    /* A command line of 1023 characters fits, 1024 does not. */
    n = (size_t)snprintf(s, sizeof(s), "k cmdline=\"");
    memset(s + n, 'c', 1023);
    strcpy(s + n + 1023, "\"");
    CHECK_EQ(domconfig_parse(s, &cfg, err, sizeof(err)), 0);
    CHECK_EQ(strlen(cfg.cmdline), 1023);
    memset(s + n, 'c', 1024);
    strcpy(s + n + 1024, "\"");
    CHECK_EQ(domconfig_parse(s, &cfg, err, sizeof(err)), -ERANGE);
    CHECK(!strncmp(err, "cmdline: word too long", 22));

    CHECK_EQ(domconfig_parse("k bad=1", &cfg, NULL, 0), -ENOENT);
    /* A NULL string is an empty one: all defaults. */
    CHECK_EQ(domconfig_parse(NULL, &cfg, err, sizeof(err)), 0);
    CHECK_EQ(cfg.vcpus, 1u);
    /* A short error buffer truncates the message but stays terminated. */
    CHECK_EQ(domconfig_parse("k memory=12Q", &cfg, err, 8), -EINVAL);
    CHECK_STR(err, "memory=");
}

/* The scheduling keys: weight=, cap=, cpus= (both forms). */
static const struct {
    const char *s;
    int rc;
    const char *err;
    unsigned int weight, cap;
    uint64_t vcpu_cpus[4];      /* domconfig_vcpu_cpus for vCPUs 0..3 */
} sched_cases[] = {
    { "k", 0, "", 256, 0, { 0, 0, 0, 0 } },
    { "k weight=512 cap=25 cpus=0", 0, "", 512, 25, { 1, 1, 1, 1 } },
    { "k weight=1 cap=0 cpus=0-1,3", 0, "", 1, 0, { 0xb, 0xb, 0xb, 0xb } },
    { "k weight=65535 cap=12800 cpus=all,^1", 0, "", 65535, 12800,
      { ~2ull, ~2ull, ~2ull, ~2ull } },
    { "k cpus=\"2,3\"", 0, "", 256, 0, { 0xc, 0xc, 0xc, 0xc } },
    { "k cpus=[0,1,2-3]", 0, "", 256, 0, { 1, 2, 0xc, 0 } },
    { "k cpus=[\"1\",\"0\"]", 0, "", 256, 0, { 2, 1, 0, 0 } },
    { "k cpus=[63]", 0, "", 256, 0, { 1ull << 63, 0, 0, 0 } },
    /* The last cpus= wins, whichever its form. */
    { "k cpus=[1,0] cpus=2", 0, "", 256, 0, { 4, 4, 4, 4 } },
    { "k cpus=2 cpus=[1]", 0, "", 256, 0, { 2, 0, 0, 0 } },
    { "k weight=0", -ERANGE, "weight=0: not a number in 1..65535", 0, 0, { 0 } },
    { "k weight=65536", -ERANGE, "weight=65536: not a number in 1..65535", 0, 0,
      { 0 } },
    { "k weight=heavy", -EINVAL, "weight=heavy: not a number in 1..65535", 0, 0,
      { 0 } },
    { "k cap=12801", -ERANGE, "cap=12801: not a percentage in 0..12800", 0, 0,
      { 0 } },
    { "k cap=25%", -EINVAL, "cap=25%: not a percentage in 0..12800", 0, 0, { 0 } },
    { "k cpus=64", -ERANGE, "cpus=64: a CPU beyond 63", 0, 0, { 0 } },
    { "k cpus=3-1", -EINVAL, "cpus=3-1: bad CPU list (want e.g. 0-1,3)", 0, 0,
      { 0 } },
    { "k cpus=^1", -EINVAL, "cpus=^1: bad CPU list (want e.g. 0-1,3)", 0, 0,
      { 0 } },
    { "k cpus=0,,1", -EINVAL, "cpus=0,,1: bad CPU list (want e.g. 0-1,3)", 0, 0,
      { 0 } },
    { "k cpus=[0,1", -EINVAL,
      "cpus=[0,1: bad list (want e.g. [0,1,2-3]: one CPU or range per vCPU)",
      0, 0, { 0 } },
    { "k cpus=[]", -EINVAL,
      "cpus=[]: bad list (want e.g. [0,1,2-3]: one CPU or range per vCPU)",
      0, 0, { 0 } },
    { "k cpus=[0]x", -EINVAL, "cpus=[0]x: text after ']'", 0, 0, { 0 } },
    { "k cpus=[0,x]", -EINVAL, "cpus=[0,x]: bad item 'x'", 0, 0, { 0 } },
    { "k cpus=[99]", -ERANGE, "cpus=[99]: bad item '99'", 0, 0, { 0 } },
};

static void test_sched_keys(void)
{
    size_t i;
    unsigned int v;

    for ( i = 0; i < ARRAY_SIZE(sched_cases); i++ )
    {
        struct domain_config cfg;
        char err[128];
        int rc = domconfig_parse(sched_cases[i].s, &cfg, err, sizeof(err));

        CHECK_EQ(rc, sched_cases[i].rc);
        CHECK_STR(err, sched_cases[i].err);
        if ( rc != sched_cases[i].rc )
            fprintf(stderr, "  case \"%s\"\n", sched_cases[i].s);
        if ( rc )
            continue;
        CHECK_EQ(cfg.weight, sched_cases[i].weight);
        CHECK_EQ(cfg.cap, sched_cases[i].cap);
        for ( v = 0; v < 4; v++ )
            CHECK(domconfig_vcpu_cpus(&cfg, v) == sched_cases[i].vcpu_cpus[v]);
    }
}

/* cpulist_format, and parse(format(m)) == m on random masks. */
static void test_cpulist(void)
{
    char buf[256];
    uint64_t m;
    unsigned int i;

    CHECK_STR(cpulist_format(buf, sizeof(buf), 0), "none");
    CHECK_STR(cpulist_format(buf, sizeof(buf), 1), "0");
    CHECK_STR(cpulist_format(buf, sizeof(buf), 0xb), "0-1,3");
    CHECK_STR(cpulist_format(buf, sizeof(buf), ~0ull), "0-63");
    CHECK_STR(cpulist_format(buf, sizeof(buf), 1ull << 63 | 0x50), "4,6,63");
    CHECK_STR(cpulist_format(buf, 4, 0xb), "0-1");
    for ( i = 0; i < 1000; i++ )
    {
        uint64_t want = unit_rand() | 1;

        cpulist_format(buf, sizeof(buf), want);
        CHECK_EQ(cpulist_parse(buf, &m), 0);
        CHECK(m == want);
    }
}

int main(void)
{
    test_table();
    test_limits();
    test_sched_keys();
    test_cpulist();
    return unit_done();
}
