/* SPDX-License-Identifier: MIT */
/* Symbol lookup for crash reports, from the table the build generates. */
#include <tern/lib.h>

/* tools/gen-symbols.sh: sorted addresses, offsets into the name blob. */
extern const unsigned long symbols_count;
extern const unsigned long symbols_addrs[];
extern const unsigned int symbols_offsets[];
extern const char symbols_names[];
extern const char _stext[], _etext[];

/* Find the function containing addr by binary search; its size is the
 * distance to the next symbol. Returns false outside Tern's text. */
bool symbol_lookup(unsigned long addr, char *buf, size_t size)
{
    unsigned long lo = 0, hi = symbols_count, mid, end;

    if ( addr < (unsigned long)_stext || addr >= (unsigned long)_etext ||
         !symbols_count || addr < symbols_addrs[0] )
        return false;
    while ( hi - lo > 1 )
    {
        mid = (lo + hi) / 2;
        if ( symbols_addrs[mid] <= addr )
            lo = mid;
        else
            hi = mid;
    }
    end = lo + 1 < symbols_count ? symbols_addrs[lo + 1] : (unsigned long)_etext;
    snprintf(buf, size, "%s+%#lx/%#lx", &symbols_names[symbols_offsets[lo]],
             addr - symbols_addrs[lo], end - symbols_addrs[lo]);
    return true;
}
