/* SPDX-License-Identifier: MIT */
/* Bounded string copies, built into the hypervisor and the host tests. */
#include <tern/lib.h>

/*
 * Copy src into dst[0..size), at most size-1 characters, and terminate
 * (when size > 0). Returns strlen(src): a result >= size means truncation.
 */
size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if ( size )
    {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
