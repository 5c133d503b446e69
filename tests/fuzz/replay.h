/* SPDX-License-Identifier: MIT */
/* The replay driver every fuzz target shares when built with -DFUZZ_REPLAY. */
#ifndef TERN_TESTS_FUZZ_REPLAY_H
#define TERN_TESTS_FUZZ_REPLAY_H

/*
 * Include at the end of a target that defines LLVMFuzzerTestOneInput and
 * FUZZ_NAME: without libFuzzer, main() runs the target over the files and
 * directories given as arguments (a corpus, crash files).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#ifdef FUZZ_REPLAY
/* Run one file; returns 0, or 1 if it could not be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if ( !f )
        return 1;
    if ( fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
         fseek(f, 0, SEEK_SET) )
    {
        fclose(f);
        return 1;
    }
    buf = malloc(n ? (size_t)n : 1);
    if ( !buf || fread(buf, 1, (size_t)n, f) != (size_t)n )
    {
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

/* Replay every file named, and every file in every directory named. */
int main(int argc, char **argv)
{
    unsigned long runs = 0, bad = 0;
    int i;

    for ( i = 1; i < argc; i++ )
    {
        struct stat st;
        struct dirent *de;
        DIR *d;

        if ( stat(argv[i], &st) )
        {
            bad++;
            continue;
        }
        if ( !S_ISDIR(st.st_mode) )
        {
            bad += (unsigned long)replay_file(argv[i]);
            runs++;
            continue;
        }
        d = opendir(argv[i]);
        while ( d && (de = readdir(d)) )
        {
            char path[4096];

            if ( de->d_name[0] == '.' )
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if ( stat(path, &st) || !S_ISREG(st.st_mode) )
                continue;
            bad += (unsigned long)replay_file(path);
            runs++;
        }
        if ( d )
            closedir(d);
    }
    printf(FUZZ_NAME ": replayed %lu inputs, %lu unreadable\n", runs, bad);
    return bad ? 1 : 0;
}
#endif

#endif /* TERN_TESTS_FUZZ_REPLAY_H */
