/* SPDX-License-Identifier: MIT */
/* Command-line parsing: words, key=value pairs and a table of parameters. */
#include <tern/cmdline.h>
#include <tern/errno.h>
#include <tern/lib.h>

/* Word buffers of cmdline_parse(); longer words are reported, not parsed. */
#define CMDLINE_KEY_MAX  64
#define CMDLINE_VAL_MAX  512

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Append c to buf[0..len) at *n, keeping room for the NUL. Returns false
 * (and stores nothing) when the buffer is full.
 */
static bool put(char *buf, size_t len, size_t *n, char c)
{
    if ( *n + 1 >= len )
        return false;
    buf[(*n)++] = c;
    return true;
}

/*
 * See cmdline.h. A double quote anywhere in a word toggles quoting (spaces
 * inside quotes belong to the word) and is itself dropped; the key ends at
 * the first '=' outside quotes. An unterminated quote runs to the end of
 * the line.
 */
bool cmdline_next_word(const char **pos, char *key, size_t keylen,
                       char *val, size_t vallen, bool *has_val, bool *too_long)
{
    const char *p = *pos;
    size_t nk = 0, nv = 0;
    bool quoted = false, in_val = false, fits = true;

    *has_val = false;
    *too_long = false;

    while ( is_space(*p) )
        p++;
    if ( !*p )
    {
        *pos = p;
        return false;
    }

    for ( ; *p && (quoted || !is_space(*p)); p++ )
    {
        if ( *p == '"' )
            quoted = !quoted;
        else if ( *p == '=' && !quoted && !in_val )
            in_val = true;
        else if ( in_val )
            fits &= put(val, vallen, &nv, *p);
        else
            fits &= put(key, keylen, &nk, *p);
    }

    if ( keylen )
        key[nk] = '\0';
    if ( vallen )
        val[nv] = '\0';
    *has_val = in_val;
    *too_long = !fits;
    *pos = p;
    return true;
}

/* Parse a boolean value; returns 0 or 1, or -EINVAL. */
static int parse_bool(const char *s)
{
    static const char *const yes[] = { "1", "yes", "on", "true" };
    static const char *const no[] = { "0", "no", "off", "false" };
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(yes); i++ )
    {
        if ( !strcmp(s, yes[i]) )
            return 1;
        if ( !strcmp(s, no[i]) )
            return 0;
    }
    return -EINVAL;
}

/* Find name in table[0..n); NULL if absent. */
static const struct param *find_param(const struct param *table, size_t n,
                                      const char *name)
{
    size_t i;

    for ( i = 0; i < n; i++ )
        if ( !strcmp(table[i].name, name) )
            return &table[i];
    return NULL;
}

/*
 * Apply one word to its parameter. negated is true for "no-key". Returns 0
 * or the -errno to report; a truncated string value is stored and then
 * reported as -ERANGE.
 */
static int apply_param(const struct param *pa, const char *val, bool has_val,
                       bool negated, bool too_long)
{
    const char *end;
    unsigned long ul;
    int rc;

    if ( negated )
    {
        if ( pa->type != PARAM_BOOL || has_val )
            return -EINVAL;
        *(bool *)pa->var = false;
        return 0;
    }

    if ( pa->type == PARAM_BOOL && !has_val )
    {
        *(bool *)pa->var = true;
        return 0;
    }
    if ( pa->type != PARAM_CUSTOM && !has_val )
        return -EINVAL;
    if ( too_long && pa->type != PARAM_STRING )
        return -ERANGE;

    switch ( pa->type )
    {
    case PARAM_BOOL:
        rc = parse_bool(val);
        if ( rc < 0 )
            return rc;
        *(bool *)pa->var = rc;
        return 0;
    case PARAM_UINT:
        ul = parse_ulong(val, &end);
        if ( end == val || *end )
            return -EINVAL;
        if ( ul == ~0ul )
            return -ERANGE;
        *(unsigned long *)pa->var = ul;
        return 0;
    case PARAM_SIZE:
        return parse_size(val, 0, (uint64_t *)pa->var);
    case PARAM_STRING:
        if ( strlcpy(pa->var, val, pa->size) >= pa->size || too_long )
            return -ERANGE;
        return 0;
    case PARAM_CUSTOM:
        if ( too_long )
            return -ERANGE;
        return pa->fn(has_val ? val : "");
    }
    return -EINVAL;
}

/*
 * See cmdline.h. A PARAM_UINT of ULONG_MAX or more is -ERANGE; a
 * PARAM_CUSTOM given as a bare key gets "" as its value. A string too long
 * for its variable is stored truncated and reported as -ERANGE.
 */
int cmdline_parse(const char *cmdline, const struct param *table, size_t n,
                  param_error_fn err)
{
    char key[CMDLINE_KEY_MAX], val[CMDLINE_VAL_MAX];
    const char *pos = cmdline;
    bool has_val, too_long;
    int problems = 0;

    if ( !cmdline )
        return 0;

    while ( cmdline_next_word(&pos, key, sizeof(key), val, sizeof(val),
                              &has_val, &too_long) )
    {
        const struct param *pa = find_param(table, n, key);
        bool negated = false;
        int rc;

        if ( !pa && !strncmp(key, "no-", 3) )
        {
            pa = find_param(table, n, key + 3);
            negated = pa != NULL;
        }

        rc = pa ? apply_param(pa, val, has_val, negated, too_long) : -ENOENT;
        if ( rc )
        {
            problems++;
            if ( err )
                err(key, has_val ? val : NULL, rc);
        }
    }
    return problems;
}
