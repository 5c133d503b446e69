/* SPDX-License-Identifier: MIT */
/* Kit: words of the guest's command line. */
#include <kit/cmdline.h>

/* The first word of cmd that starts with prefix (n bytes), or NULL. */
static const char *word_with(const char *cmd, const char *prefix, size_t n)
{
    const char *p;

    for ( p = cmd; *p; p++ )
        if ( (p == cmd || p[-1] == ' ') && !strncmp(p, prefix, n) )
            return p;
    return NULL;
}

const char *kit_cmdline_value(const char *cmd, const char *key)
{
    size_t n = strlen(key);
    const char *p;

    for ( p = cmd; (p = word_with(p, key, n)) != NULL; p++ )
        if ( p[n] == '=' )
            return p + n + 1;
    return NULL;
}

unsigned long kit_cmdline_num(const char *cmd, const char *key, unsigned long def)
{
    const char *p = kit_cmdline_value(cmd, key);
    unsigned long v = 0;

    if ( !p )
        return def;
    for ( ; *p >= '0' && *p <= '9'; p++ )
        v = v * 10 + (unsigned long)(*p - '0');
    return v;
}

void kit_cmdline_str(const char *cmd, const char *key, char *buf, size_t len)
{
    const char *p = kit_cmdline_value(cmd, key);
    size_t i = 0;

    for ( ; p && *p && *p != ' ' && i + 1 < len; p++ )
        buf[i++] = *p;
    if ( len )
        buf[i] = '\0';
}

bool kit_cmdline_has(const char *cmd, const char *word)
{
    size_t n = strlen(word);
    const char *p;

    for ( p = cmd; (p = word_with(p, word, n)) != NULL; p++ )
        if ( p[n] == ' ' || !p[n] )
            return true;
    return false;
}
