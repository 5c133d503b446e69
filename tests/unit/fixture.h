/* SPDX-License-Identifier: MIT */
/* Test fixtures on disk (made by tests/unit/mkfixtures.py) and fuzz seeds. */
#ifndef TERN_TESTS_FIXTURE_H
#define TERN_TESTS_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* unit.mk passes the fixture directory; a run from the tree works too. */
#ifndef UNIT_DATA
#define UNIT_DATA "build/unit/data"
#endif

/* Read a whole file into a malloc'd buffer (never NULL on success, even
 * when empty); sets *len. Returns NULL if it cannot be read. */
static inline uint8_t *file_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if ( !f )
        return NULL;
    if ( !fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
         !fseek(f, 0, SEEK_SET) )
    {
        buf = malloc(n ? (size_t)n : 1);
        if ( buf && fread(buf, 1, (size_t)n, f) != (size_t)n )
        {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

/* Read fixture UNIT_DATA/name; exits the test (failing) when missing. */
static inline uint8_t *fixture(const char *name, size_t *len)
{
    char path[512];
    uint8_t *buf;

    snprintf(path, sizeof(path), "%s/%s", UNIT_DATA, name);
    buf = file_read(path, len);
    if ( !buf )
    {
        fprintf(stderr, "fixture %s missing: run tests/unit/mkfixtures.py\n",
                path);
        printf("unit: %s: 0 passed, 1 failed\n", name);
        exit(1);
    }
    return buf;
}

/* Write data[0..len) as DIR/name (a fuzz seed). */
static inline void seed_write(const char *dir, const char *name,
                              const void *data, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if ( f )
    {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

#endif /* TERN_TESTS_FIXTURE_H */
