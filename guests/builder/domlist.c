/* SPDX-License-Identifier: MIT */
/* The dom0 builder: the domain list module (tools/mkdomlist.py). */
#include "builder.h"
#include <tern/lib.h>

#define DOMLIST_MAGIC "TERN-DOMLIST\n"

/* A decimal number at *p up to the next space; advances *p past it. */
static bool read_number(const char **p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = *p;

    if ( s >= end || *s < '0' || *s > '9' )
        return false;
    for ( ; s < end && *s >= '0' && *s <= '9'; s++ )
    {
        if ( v > (~0ull - 9) / 10 )
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if ( s >= end || *s != ' ' )
        return false;
    *p = s + 1;
    *out = v;
    return true;
}

/*
 * Each line "OFFSET SIZE STRING" names an image inside the module and the
 * Tern module string of its domain (settings in xl.cfg words); an empty
 * line ends the list. Every image must lie inside the module.
 */
int domlist_parse(const uint8_t *mod, size_t len, struct dom *doms,
                  unsigned int max)
{
    const char *p = (const char *)mod, *end = p + len;
    size_t magic = sizeof(DOMLIST_MAGIC) - 1;
    unsigned int n = 0;

    if ( len < magic || memcmp(p, DOMLIST_MAGIC, magic) )
    {
        kit_printf("builder: the module is not a domain list (make it with "
                   "tools/mkdomlist.py)\n");
        return -1;
    }
    for ( p += magic; p < end && *p != '\n'; n++ )
    {
        const char *eol = p;
        char spec[sizeof(doms->cfg.cmdline) + 256], err[96];
        uint64_t off, size;
        struct dom *d = &doms[n];
        int rc;

        while ( eol < end && *eol != '\n' )
            eol++;
        if ( eol >= end || !read_number(&p, eol, &off) ||
             !read_number(&p, eol, &size) )
        {
            kit_printf("builder: domain list line %u: want OFFSET SIZE STRING\n",
                       n + 1);
            return -1;
        }
        if ( n >= max )
        {
            kit_printf("builder: more than %u domains in the list\n", max);
            return -1;
        }
        if ( off > len || size > len - off || (size_t)(eol - p) >= sizeof(spec) )
        {
            kit_printf("builder: domain list line %u: image or string out of "
                       "bounds\n", n + 1);
            return -1;
        }
        memcpy(spec, p, (size_t)(eol - p));
        spec[eol - p] = '\0';
        memset(d, 0, sizeof(*d));
        rc = domconfig_parse(spec, &d->cfg, err, sizeof(err));
        if ( rc )
        {
            kit_printf("builder: domain list line %u ('%s'): %s\n", n + 1, spec,
                       err);
            return -1;
        }
        d->image = mod + off;
        d->size = (size_t)size;
        p = eol + 1;
    }
    if ( n == 0 )
        kit_printf("builder: the domain list is empty\n");
    return n ? (int)n : -1;
}
