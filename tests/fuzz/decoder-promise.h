/* SPDX-License-Identifier: MIT */
/* What the decoder fuzz targets (fuzz-xz.c, fuzz-inflate.c) check of every result. */
#ifndef TERN_FUZZ_DECODER_PROMISE_H
#define TERN_FUZZ_DECODER_PROMISE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* FUZZ_NAME ("fuzz-xz") names the target in the report, as in replay.h. */
static void fuzz_fail(const char *what)
{
    fprintf(stderr, FUZZ_NAME ": broken promise: %s\n", what);
    abort();
}

#define PROMISE(c) do { if ( !(c) ) fuzz_fail(#c); } while ( 0 )

/* A decoder's result r: a failure says why and is one of the documented
 * errnos; a success is an output size within [lo, cap]. */
static void check_rc(long r, const char *why, size_t lo, size_t cap)
{
    if ( r < 0 )
        PROMISE(why && why[0] &&
                (r == -EINVAL || r == -ENOSPC || r == -EOPNOTSUPP));
    else
        PROMISE((size_t)r >= lo && (size_t)r <= cap);
}

#endif
