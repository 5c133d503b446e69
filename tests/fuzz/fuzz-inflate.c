/* SPDX-License-Identifier: MIT */
/* Fuzzing lib/inflate.c: any bytes as a gzip file or raw DEFLATE data. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern/inflate.h>

/*
 * Built with clang -fsanitize=fuzzer,address,undefined this is a libFuzzer
 * target; with -DFUZZ_REPLAY a driver over files (replay.h). Each input is
 * decoded as a gzip file and, from its second byte, as raw DEFLATE data
 * (the first byte picks where in the buffer the output starts), which
 * reaches the block decoder without a valid gzip header. The promises of
 * inflate.h are checked; ASan watches the exact-size buffers.
 */

#define OUT_CAP     (256u << 10)

static uint8_t *out, *work;

#define FUZZ_NAME "fuzz-inflate"
#include "decoder-promise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    size_t used = 0, start;
    uint8_t *in;
    long r;

    if ( !out )
    {
        out = malloc(OUT_CAP);
        work = aligned_alloc(64, INFLATE_WORK_SIZE);
    }
    in = malloc(size ? size : 1);
    memcpy(in, data, size);
    r = inflate_gzip(in, size, out, OUT_CAP, work, &why);
    check_rc(r, why, 0, OUT_CAP);

    if ( size >= 1 )
    {
        why = NULL;
        start = data[0] * 3;
        r = inflate_raw(in + 1, size - 1, &used, out, start, OUT_CAP, work,
                        &why);
        check_rc(r, why, start, OUT_CAP);
        if ( r >= 0 )
            PROMISE(used <= size - 1);
    }
    free(in);
    return 0;
}

#include "replay.h"
