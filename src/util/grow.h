/*
 * Growing a malloc'd array by doubling: the one way the engine's large
 * in-memory tables grow (reconciliation's records, the bulk reader's items
 * and levels). Refuses a size that would overflow instead of wrapping.
 */
#ifndef SB_UTIL_GROW_H
#define SB_UTIL_GROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Makes *p (capacity *cap elements of size bytes) hold at least need elements, doubling
 * from first; false (and *p, *cap unchanged) when memory or size_t runs out. */
static inline bool sb_grow(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : first;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return false;
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        return false;
    void *q = realloc(*p, c * size);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

#endif
