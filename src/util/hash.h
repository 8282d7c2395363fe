/*
 * FNV-1a, 64 bits: the one string hash for the hash tables of the engine and
 * the fakestore (reconciliation's SKU table, the bulk reader's item index, the
 * GraphQL engine's name maps, the fakestore's SKU index) and for digests that
 * stay within one process's data (an order version's details). Not for
 * anything an attacker may choose to collide in a way that matters: tables
 * keyed by it are bounded and probe linearly.
 */
#ifndef SB_UTIL_HASH_H
#define SB_UTIL_HASH_H

#include <stdint.h>

#define SB_FNV1A_INIT  UINT64_C(1469598103934665603)
#define SB_FNV1A_PRIME UINT64_C(1099511628211)

/* h extended by the bytes of s (start with SB_FNV1A_INIT). */
static inline uint64_t sb_fnv1a_add(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * SB_FNV1A_PRIME;
    return h;
}

static inline uint64_t sb_fnv1a(const char *s)
{
    return sb_fnv1a_add(SB_FNV1A_INIT, s);
}

#endif
