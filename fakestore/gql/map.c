/*
 * The name map behind every schema lookup (types by name, fields by name, enum
 * values, input fields): open addressing with linear probing, FNV-1a hashes,
 * at most half full. Built once when the schema loads, in the schema's arena,
 * then only read, so it needs no deletion and no growth.
 */
#include "gql/internal.h"
#include "util/hash.h"

#include <string.h>

struct slot {
    const char *name;
    const void *value;
};

struct sb_gql_map {
    size_t mask, n, max;
    struct slot *slots;
};

struct sb_gql_map *sb_gql_map_new(struct sb_arena *a, size_t n)
{
    size_t cap = 8;
    while (cap < 2 * n + 1)
        cap *= 2;
    struct sb_gql_map *m = sb_arena_alloc(a, sizeof(*m));
    if (!m || !(m->slots = sb_arena_alloc(a, cap * sizeof(struct slot))))
        return NULL;
    m->mask = cap - 1;
    m->max = n;
    return m;
}

bool sb_gql_map_put(struct sb_gql_map *m, const char *name, const void *value)
{
    if (m->n == m->max)
        return false; /* never more than it was made for: a probe always ends */
    for (size_t i = sb_fnv1a(name) & m->mask;; i = (i + 1) & m->mask) {
        if (!m->slots[i].name) {
            m->slots[i] = (struct slot){ name, value };
            m->n++;
            return true;
        }
        if (strcmp(m->slots[i].name, name) == 0)
            return false;
    }
}

const void *sb_gql_map_get(const struct sb_gql_map *m, const char *name)
{
    if (!m || !name)
        return NULL;
    for (size_t i = sb_fnv1a(name) & m->mask;; i = (i + 1) & m->mask) {
        if (!m->slots[i].name)
            return NULL;
        if (strcmp(m->slots[i].name, name) == 0)
            return m->slots[i].value;
    }
}
