/* SPDX-License-Identifier: MIT */
/* CPU lists ("0-3,5", "all", "^1"): xl.cfg's cpus= syntax, parsed and printed. */
#include <tern/cpulist.h>
#include <tern/errno.h>
#include <tern/lib.h>

/* Read a decimal CPU number at *s; returns 0, -EINVAL (no digit), -ERANGE. */
static int scan_cpu(const char **s, unsigned int *cpu)
{
    const char *p = *s;
    unsigned int v = 0;

    if ( *p < '0' || *p > '9' )
        return -EINVAL;
    for ( ; *p >= '0' && *p <= '9'; p++ )
    {
        v = v * 10 + (unsigned int)(*p - '0');
        if ( v >= CPULIST_MAX_CPUS )
            return -ERANGE;
    }
    *s = p;
    *cpu = v;
    return 0;
}

/* The mask of CPUs first..last (both included, last < 64). */
static uint64_t range_mask(unsigned int first, unsigned int last)
{
    uint64_t upto = last == 63 ? ~0ull : (1ull << (last + 1)) - 1;

    return upto & ~((1ull << first) - 1);
}

int cpulist_parse(const char *s, uint64_t *mask)
{
    uint64_t m = 0;
    int rc;

    if ( !s || !*s )
        return -EINVAL;
    for ( ;; )
    {
        bool exclude = *s == '^';
        unsigned int first, last;
        uint64_t item;

        if ( exclude )
            s++;
        if ( !strncmp(s, "all", 3) )
        {
            item = ~0ull;
            s += 3;
        }
        else
        {
            if ( (rc = scan_cpu(&s, &first)) )
                return rc;
            last = first;
            if ( *s == '-' )
            {
                s++;
                if ( (rc = scan_cpu(&s, &last)) )
                    return rc;
                if ( last < first )
                    return -EINVAL;
            }
            item = range_mask(first, last);
        }
        m = exclude ? m & ~item : m | item;
        if ( !*s )
            break;
        if ( *s++ != ',' )
            return -EINVAL;
    }
    if ( !m )
        return -EINVAL;
    *mask = m;
    return 0;
}

const char *cpulist_format(char *buf, size_t size, uint64_t mask)
{
    size_t n = 0;
    unsigned int cpu = 0;

    if ( size )
        buf[0] = '\0';
    if ( !mask )
    {
        tern_snprintf(buf, size, "none");
        return buf;
    }
    while ( cpu < CPULIST_MAX_CPUS )
    {
        unsigned int last;

        if ( !(mask & (1ull << cpu)) )
        {
            cpu++;
            continue;
        }
        for ( last = cpu; last + 1 < CPULIST_MAX_CPUS && (mask & (1ull << (last + 1))); )
            last++;
        if ( n < size )
            n += (size_t)tern_snprintf(buf + n, size - n, last == cpu ? "%s%u" : "%s%u-%u",
                                       n ? "," : "", cpu, last);
        cpu = last + 1;
    }
    return buf;
}
