/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/cmdline.c: words, quoting and the parameter table. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <tern/cmdline.h>
#include <tern/lib.h>
#include "unit.h"

/* Split a line into words and render them as "key|val;" (val "-" if none). */
static void split(const char *line, char *out, size_t outlen, size_t keylen,
                  size_t vallen)
{
    const char *pos = line;
    char key[64], val[64];
    bool has_val, too_long;

    out[0] = '\0';
    while ( cmdline_next_word(&pos, key, keylen, val, vallen, &has_val,
                              &too_long) )
    {
        size_t n = strlen(out);

        snprintf(out + n, outlen - n, "%s|%s%s;", key, has_val ? val : "-",
                 too_long ? "!" : "");
    }
}

static const struct {
    const char *line;
    size_t keylen, vallen;
    const char *words;
} word_cases[] = {
    { "", 64, 64, "" },
    { "   \t ", 64, 64, "" },
    { "a", 64, 64, "a|-;" },
    { "a b\tc", 64, 64, "a|-;b|-;c|-;" },
    { "  key=val  x=  =y ", 64, 64, "key|val;x|;|y;" },
    { "k=\"a b\" z", 64, 64, "k|a b;z|-;" },
    { "k=a\" \"b", 64, 64, "k|a b;" },
    { "\"quoted key\"=1", 64, 64, "quoted key|1;" },
    { "k=\"a=b\"", 64, 64, "k|a=b;" },
    { "k=a=b", 64, 64, "k|a=b;" },
    { "k=\"unterminated x y", 64, 64, "k|unterminated x y;" },
    { "k=\"\"", 64, 64, "k|;" },
    { "/boot/tern.gz console=com1", 64, 64, "/boot/tern.gz|-;console|com1;" },
    { "abcdefgh=1 ab=2", 5, 64, "abcd|1!;ab|2;" },
    { "ab=123456 ab=1234", 64, 5, "ab|1234!;ab|1234;" },
};

static void test_words(void)
{
    size_t i;
    char out[256];

    for ( i = 0; i < ARRAY_SIZE(word_cases); i++ )
    {
        split(word_cases[i].line, out, sizeof(out), word_cases[i].keylen,
              word_cases[i].vallen);
        CHECK_STR(out, word_cases[i].words);
    }
}

/* The variables of the parameter table; reset before each case. */
static bool opt_bool, opt_flag;
static unsigned long opt_uint;
static uint64_t opt_size;
static char opt_str[8];
static char custom_seen[32];
static char errors[512];

static int custom_fn(const char *val)
{
    if ( !strcmp(val, "bad") )
        return -EINVAL;
    snprintf(custom_seen, sizeof(custom_seen), "[%s]", val);
    return 0;
}

static void record_error(const char *key, const char *val, int rc)
{
    size_t n = strlen(errors);

    snprintf(errors + n, sizeof(errors) - n, "%s=%s:%d;", key,
             val ? val : "(none)", rc);
}

static const struct param table[] = {
    { "sync", PARAM_BOOL, &opt_bool, 0, NULL },
    { "flag", PARAM_BOOL, &opt_flag, 0, NULL },
    { "count", PARAM_UINT, &opt_uint, 0, NULL },
    { "mem", PARAM_SIZE, &opt_size, 0, NULL },
    { "console", PARAM_STRING, opt_str, sizeof(opt_str), NULL },
    { "hook", PARAM_CUSTOM, NULL, 0, custom_fn },
};

static const struct {
    const char *line;
    int problems;
    const char *errors;
    bool sync, flag;
    unsigned long count;
    uint64_t mem;
    const char *console, *custom;
} parse_cases[] = {
    { "", 0, "", false, true, 7, 0, "", "" },
    { "sync", 0, "", true, true, 7, 0, "", "" },
    { "sync=1 no-flag", 0, "", true, false, 7, 0, "", "" },
    { "sync=yes flag=off", 0, "", true, false, 7, 0, "", "" },
    { "sync=on flag=false", 0, "", true, false, 7, 0, "", "" },
    { "sync=true flag=0 flag=no", 0, "", true, false, 7, 0, "", "" },
    { "sync=maybe", 1, "sync=maybe:-22;", false, true, 7, 0, "", "" },
    { "no-sync=1", 1, "no-sync=1:-22;", false, true, 7, 0, "", "" },
    { "no-count", 1, "no-count=(none):-22;", false, true, 7, 0, "", "" },
    { "count=0x10 mem=2M", 0, "", false, true, 16, 2 << 20, "", "" },
    { "count=12a", 1, "count=12a:-22;", false, true, 7, 0, "", "" },
    { "count=", 1, "count=:-22;", false, true, 7, 0, "", "" },
    { "count", 1, "count=(none):-22;", false, true, 7, 0, "", "" },
    { "count=99999999999999999999", 1, "count=99999999999999999999:-34;",
      false, true, 7, 0, "", "" },
    { "mem=4096 mem=1x", 1, "mem=1x:-22;", false, true, 7, 4096, "", "" },
    { "mem=20000000T", 1, "mem=20000000T:-34;", false, true, 7, 0, "", "" },
    { "console=com1", 0, "", false, true, 7, 0, "com1", "" },
    { "console=\"a b\"", 0, "", false, true, 7, 0, "a b", "" },
    { "console=verylongvalue", 1, "console=verylongvalue:-34;",
      false, true, 7, 0, "veryl" "on", "" },
    { "hook=x hook", 0, "", false, true, 7, 0, "", "[]" },
    { "hook=abc", 0, "", false, true, 7, 0, "", "[abc]" },
    { "hook=bad", 1, "hook=bad:-22;", false, true, 7, 0, "", "" },
    { "what sync x=1", 2, "what=(none):-2;x=1:-2;", true, true, 7, 0, "", "" },
    { "no-what", 1, "no-what=(none):-2;", false, true, 7, 0, "", "" },
};

static void test_parse(void)
{
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(parse_cases); i++ )
    {
        int n;

        opt_bool = false;
        opt_flag = true;
        opt_uint = 7;
        opt_size = 0;
        opt_str[0] = custom_seen[0] = errors[0] = '\0';

        n = cmdline_parse(parse_cases[i].line, table, ARRAY_SIZE(table),
                          record_error);
        CHECK_EQ(n, parse_cases[i].problems);
        CHECK_STR(errors, parse_cases[i].errors);
        CHECK_EQ(opt_bool, parse_cases[i].sync);
        CHECK_EQ(opt_flag, parse_cases[i].flag);
        CHECK_EQ(opt_uint, parse_cases[i].count);
        CHECK(opt_size == parse_cases[i].mem);
        CHECK_STR(opt_str, parse_cases[i].console);
        CHECK_STR(custom_seen, parse_cases[i].custom);
        if ( n != parse_cases[i].problems )
            fprintf(stderr, "  case \"%s\"\n", parse_cases[i].line);
    }

    /* No callback, no line, and a word longer than the internal buffers. */
    CHECK_EQ(cmdline_parse("x y", table, ARRAY_SIZE(table), NULL), 2);
    CHECK_EQ(cmdline_parse(NULL, table, ARRAY_SIZE(table), NULL), 0);
    {
        char line[2048];

        memset(line, 'a', sizeof(line) - 1);
        line[sizeof(line) - 1] = '\0';
        memcpy(line, "console=", 8);
        errors[0] = '\0';
        CHECK_EQ(cmdline_parse(line, table, ARRAY_SIZE(table), record_error),
                 1);
        CHECK_STR(opt_str, "aaaaaaa");
    }
}

int main(void)
{
    test_words();
    test_parse();
    return unit_done();
}
