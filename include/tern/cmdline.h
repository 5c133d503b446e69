/* SPDX-License-Identifier: MIT */
/* Command-line parsing: the hypervisor's options (lib/cmdline.c). */
#ifndef TERN_CMDLINE_H
#define TERN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A command line is a list of words separated by spaces or tabs. A word is
 * "key", "key=value" or "no-key" (a boolean set to false). A value may be
 * double-quoted to hold spaces: key="a b". The first word of a multiboot
 * command line is often the image's path; the caller skips it if so.
 */
enum param_type {
    PARAM_BOOL,     /* bool *: "key", "key=1|0|yes|no|on|off|true|false", "no-key" */
    PARAM_UINT,     /* unsigned long *: parse_ulong */
    PARAM_SIZE,     /* uint64_t *: parse_size, bytes by default */
    PARAM_STRING,   /* char [size]: copied, truncated with a warning */
    PARAM_CUSTOM,   /* int (*fn)(const char *val): returns 0 or -errno */
};

struct param {
    const char *name;
    enum param_type type;
    void *var;
    size_t size;                          /* PARAM_STRING buffer size */
    int (*fn)(const char *val);           /* PARAM_CUSTOM */
};

/* Called for each problem: unknown key (rc -ENOENT) or bad value (-EINVAL,
 * -ERANGE). key and val are NUL-terminated copies; val may be NULL. */
typedef void (*param_error_fn)(const char *key, const char *val, int rc);

/*
 * Parse cmdline against table[0..n). Every word is looked up; problems are
 * reported through err (which may be NULL) and parsing goes on. Returns the
 * number of problems found (0 when the whole line was understood).
 */
int cmdline_parse(const char *cmdline, const struct param *table, size_t n,
                  param_error_fn err);

/*
 * Split the next word off *pos: on return key/val hold NUL-terminated
 * copies (val empty and *has_val false for a bare key), *pos is past the
 * word. Quotes around a value are removed. Returns false at end of line, or
 * when a word does not fit the buffers (then key holds its start, *pos moves
 * past it and the return is true with *too_long set).
 */
bool cmdline_next_word(const char **pos, char *key, size_t keylen,
                       char *val, size_t vallen, bool *has_val, bool *too_long);

#endif /* TERN_CMDLINE_H */
