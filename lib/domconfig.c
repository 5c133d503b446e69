/* SPDX-License-Identifier: MIT */
/* A domain's settings from its boot module string, in xl.cfg words. */
#include <tern/cmdline.h>
#include <tern/cpulist.h>
#include <tern/domconfig.h>
#include <tern/errno.h>
#include <tern/lib.h>

/* Key buffer: long enough for the path, the longest first word. */
#define DOMCFG_KEY_MAX  sizeof(((struct domain_config *)0)->path)

/* Write a message into err (if any) and return rc. */
static int __printf(4, 5) fail(char *err, size_t errlen, int rc,
                               const char *fmt, ...)
{
    va_list ap;

    if ( err && errlen )
    {
        va_start(ap, fmt);
        tern_vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Is s a valid domain name: [A-Za-z0-9_.-]{1,DOMCFG_NAME_MAX-1}? */
static bool name_ok(const char *s)
{
    size_t n = 0;

    for ( ; *s; s++, n++ )
    {
        char c = *s;

        if ( !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-') )
            return false;
    }
    return n >= 1 && n < DOMCFG_NAME_MAX;
}

/* Read a decimal number at val into *n, within lo..hi; 0 or -EINVAL/-ERANGE. */
static int number_in(const char *val, unsigned long lo, unsigned long hi,
                     unsigned int *n)
{
    const char *end;
    unsigned long v = parse_ulong(val, &end);

    if ( end == val || *end )
        return -EINVAL;
    if ( v < lo || v > hi )
        return -ERANGE;
    *n = (unsigned int)v;
    return 0;
}

/*
 * cpus=: a CPU list for every vCPU, or "[A,B,...]" with one CPU or range
 * per vCPU (xl's list form once its quotes are gone).
 */
static int parse_cpus(struct domain_config *cfg, const char *val, char *err,
                      size_t errlen)
{
    char item[16];
    const char *p;
    unsigned int n = 0;
    size_t len;
    int rc;

    if ( val[0] != '[' )
    {
        rc = cpulist_parse(val, &cfg->cpus);
        if ( rc )
            return fail(err, errlen, rc, "cpus=%s: %s", val, rc == -ERANGE ?
                        "a CPU beyond 63" : "bad CPU list (want e.g. 0-1,3)");
        cfg->nr_vcpu_cpus = 0;
        return 0;
    }
    for ( p = val + 1; ; p += len + 1 )
    {
        for ( len = 0; p[len] && p[len] != ',' && p[len] != ']'; len++ )
            ;
        if ( !len || len >= sizeof(item) || !p[len] || n == DOMCFG_MAX_VCPUS )
            return fail(err, errlen, -EINVAL, "cpus=%s: bad list (want e.g. "
                        "[0,1,2-3]: one CPU or range per vCPU)", val);
        memcpy(item, p, len);
        item[len] = '\0';
        rc = cpulist_parse(item, &cfg->vcpu_cpus[n]);
        if ( rc )
            return fail(err, errlen, rc, "cpus=%s: bad item '%s'", val, item);
        n++;
        if ( p[len] == ']' )
            break;
    }
    if ( p[len + 1] )
        return fail(err, errlen, -EINVAL, "cpus=%s: text after ']'", val);
    cfg->nr_vcpu_cpus = n;
    cfg->cpus = 0;
    return 0;
}

uint64_t domconfig_vcpu_cpus(const struct domain_config *cfg, unsigned int vcpu)
{
    if ( cfg->nr_vcpu_cpus )
        return vcpu < cfg->nr_vcpu_cpus ? cfg->vcpu_cpus[vcpu] : 0;
    return cfg->cpus;
}

/* Apply key=val to cfg. Returns 0 or -errno with a message in err. */
static int apply_key(struct domain_config *cfg, const char *key,
                     const char *val, char *err, size_t errlen)
{
    if ( !strcmp(key, "name") )
    {
        if ( !name_ok(val) )
            return fail(err, errlen, -EINVAL,
                        "name=%s: bad name (want 1-%d of A-Z a-z 0-9 _ . -)",
                        val, DOMCFG_NAME_MAX - 1);
        strlcpy(cfg->name, val, sizeof(cfg->name));
    }
    else if ( !strcmp(key, "memory") )
    {
        uint64_t bytes;
        int rc = parse_size(val, 20, &bytes);

        if ( rc == -ERANGE )
            return fail(err, errlen, rc, "memory=%s: too large", val);
        if ( rc )
            return fail(err, errlen, rc, "memory=%s: bad size", val);
        if ( bytes < (1ull << 20) )
            return fail(err, errlen, -ERANGE, "memory=%s: less than 1 MiB",
                        val);
        if ( bytes & 0xfff )
            return fail(err, errlen, -EINVAL,
                        "memory=%s: not a multiple of 4 KiB", val);
        cfg->memory = bytes;
    }
    else if ( !strcmp(key, "vcpus") )
    {
        const char *end;
        unsigned long n = parse_ulong(val, &end);

        if ( end == val || *end )
            return fail(err, errlen, -EINVAL, "vcpus=%s: bad number", val);
        if ( n < 1 || n > DOMCFG_MAX_VCPUS )
            return fail(err, errlen, -ERANGE, "vcpus=%s: not in 1..%d", val,
                        DOMCFG_MAX_VCPUS);
        cfg->vcpus = (unsigned int)n;
    }
    else if ( !strcmp(key, "cmdline") )
        strlcpy(cfg->cmdline, val, sizeof(cfg->cmdline));
    else if ( !strcmp(key, "weight") )
    {
        int rc = number_in(val, 1, DOMCFG_MAX_WEIGHT, &cfg->weight);

        if ( rc )
            return fail(err, errlen, rc, "weight=%s: not a number in 1..%d", val,
                        DOMCFG_MAX_WEIGHT);
    }
    else if ( !strcmp(key, "cap") )
    {
        int rc = number_in(val, 0, 100 * DOMCFG_MAX_VCPUS, &cfg->cap);

        if ( rc )
            return fail(err, errlen, rc, "cap=%s: not a percentage in 0..%d", val,
                        100 * DOMCFG_MAX_VCPUS);
    }
    else if ( !strcmp(key, "cpus") )
        return parse_cpus(cfg, val, err, errlen);
    else
        return fail(err, errlen, -ENOENT, "%s: unknown key", key);
    return 0;
}

/* See domconfig.h. On failure *cfg is partly filled and must not be used. */
int domconfig_parse(const char *s, struct domain_config *cfg,
                    char *err, size_t errlen)
{
    char key[DOMCFG_KEY_MAX], val[DOMCFG_CMDLINE_MAX];
    const char *pos = s ? s : "";
    bool has_val, too_long, first;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    cfg->memory = DOMCFG_DEFAULT_MEMORY;
    cfg->vcpus = 1;
    cfg->weight = DOMCFG_DEFAULT_WEIGHT;
    if ( err && errlen )
        err[0] = '\0';

    /*
     * QEMU's -initrd and GRUB's multiboot1 pass the module's path as the
     * first word; GRUB's module2 passes only the arguments. A first word
     * without '=' is the path.
     */
    first = true;
    while ( cmdline_next_word(&pos, key, sizeof(key), val, sizeof(val),
                              &has_val, &too_long) )
    {
        if ( first && !has_val )
        {
            first = false;
            if ( too_long )
                return fail(err, errlen, -ERANGE, "path: longer than %zu characters",
                            sizeof(cfg->path) - 1);
            strlcpy(cfg->path, key, sizeof(cfg->path));
            continue;
        }
        first = false;
        if ( too_long )
            return fail(err, errlen, -ERANGE,
                        "%.32s: word too long (value at most %zu characters)",
                        key, sizeof(val) - 1);
        if ( !has_val )
            return fail(err, errlen, -EINVAL, "%s: value expected (%s=...)",
                        key, key);
        rc = apply_key(cfg, key, val, err, errlen);
        if ( rc )
            return rc;
    }
    return 0;
}
