/* SPDX-License-Identifier: MIT */
/* Fuzzing core/page-types.c: any bytes as a sequence of MMU operations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../unit/pt-model.h"

/*
 * Every 8 bytes are one operation (tests/unit/pt-model.h: ptm_op): entry
 * updates, pins, unpins, typed and untyped references, releases, guest
 * writes to frames that are not live tables, reallocation. After each,
 * ptm_check() recounts every reference from scratch; any difference, any
 * frame both a table and writable, any entry reaching a frame its domain
 * does not own aborts, and the fuzzer keeps the input.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i;

    ptm_reset();
    for ( i = 0; i + 8 <= size; i += 8 )
        if ( !ptm_op(data + i) )
        {
            fprintf(stderr, "fuzz-page-types: op %zu: %s\n", i / 8, ptm_err);
            abort();
        }
    return 0;
}

#define FUZZ_NAME "fuzz-page-types"
#include "replay.h"
