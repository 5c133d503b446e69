/* SPDX-License-Identifier: MIT */
/* Fuzzing lib/xz.c and lib/lzma2.c: any bytes as an .xz file or LZMA2 data. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern/xz.h>

/*
 * Built with clang -fsanitize=fuzzer,address,undefined this is a libFuzzer
 * target; with -DFUZZ_REPLAY a driver over files (replay.h). Each input is
 * decoded twice: as a whole .xz file, and, from its second byte, as raw
 * LZMA2 data (the first byte picks the dictionary size and where in the
 * buffer the output starts), which reaches the LZMA decoder without
 * getting past the container's CRCs first; its output then goes through
 * the BCJ decoder. The promises of xz.h are checked: results in range, a
 * reason with every failure, nothing read or written out of bounds (ASan
 * watches the exact-size buffers).
 */

#define OUT_CAP     (256u << 10)

static uint8_t *out, *work;

#define FUZZ_NAME "fuzz-xz"
#include "decoder-promise.h"

/* A dictionary size from the low 6 bits of b (reserved values: 4 KiB). */
static uint32_t dict_size(uint8_t b)
{
    uint32_t d = xz_lzma2_dict_size(b & 0x3f);

    return d ? d : 4096;
}

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
        work = aligned_alloc(64, XZ_WORK_SIZE);
    }
    /* An exact-size copy: any read past the end is an ASan report. */
    in = malloc(size ? size : 1);
    memcpy(in, data, size);
    r = xz_decode(in, size, out, OUT_CAP, work, &why);
    check_rc(r, why, 0, OUT_CAP);

    if ( size >= 1 )
    {
        why = NULL;
        start = (data[0] >> 6) * 7;
        r = xz_lzma2_decode(in + 1, size - 1, &used, out, start, OUT_CAP,
                            dict_size(data[0]),
                            work, &why);
        check_rc(r, why, start, OUT_CAP);
        if ( r >= 0 )
        {
            PROMISE(used >= 1 && used <= size - 1);
            xz_bcj_x86_decode(out + start, (size_t)r - start, data[0]);
        }
    }
    free(in);
    return 0;
}

#include "replay.h"
