/*
 * Magento's searchCriteria as a query string: filters each in their own
 * filter group (Magento ANDs groups and ORs the filters inside one), sort
 * orders, page size and current page, every key and value percent-encoded
 * (RFC 3986), so the same text is sent and signed (oauth.c). The spelling is
 * filter_groups / condition_type, the one Magento's OpenAPI names.
 */
#include "channel/magento2/magento2.h"

#include <stdio.h>
#include <string.h>

/* Appends "&key=value" (no '&' first) to the growing text *out. */
static bool add(struct sb_arena *a, char **out, const char *key, const char *value)
{
    const char *k = sb_m2_pct(a, key), *v = sb_m2_pct(a, value);
    if (!k || !v)
        return false;
    *out = sb_arena_printf(a, "%s%s%s=%s", *out, **out ? "&" : "", k, v);
    return *out != NULL;
}

const char *sb_m2_search(struct sb_arena *a, const struct sb_m2_filter *f, size_t n,
                         const char *const *sort, size_t n_sort, int page_size, int page)
{
    char *out = sb_arena_strdup(a, ""), key[128], num[24];
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        static const char *const parts[] = { "field", "value", "condition_type" };
        const char *vals[] = { f[i].field, f[i].value, f[i].condition ? f[i].condition : "eq" };
        for (size_t p = 0; p < 3; p++) {
            snprintf(key, sizeof(key), "searchCriteria[filter_groups][%zu][filters][0][%s]", i,
                     parts[p]);
            if (!add(a, &out, key, vals[p] ? vals[p] : ""))
                return NULL;
        }
    }
    for (size_t i = 0; i < n_sort; i++) {
        const char *s = sort[i], *colon = strrchr(s, ':');
        char *field = sb_arena_strndup(a, s, colon ? (size_t)(colon - s) : strlen(s));
        if (!field)
            return NULL;
        snprintf(key, sizeof(key), "searchCriteria[sortOrders][%zu][field]", i);
        if (!add(a, &out, key, field))
            return NULL;
        snprintf(key, sizeof(key), "searchCriteria[sortOrders][%zu][direction]", i);
        if (!add(a, &out, key, colon ? colon + 1 : "ASC"))
            return NULL;
    }
    if (page_size > 0) {
        snprintf(num, sizeof(num), "%d", page_size);
        if (!add(a, &out, "searchCriteria[pageSize]", num))
            return NULL;
    }
    if (page > 0) {
        snprintf(num, sizeof(num), "%d", page);
        if (!add(a, &out, "searchCriteria[currentPage]", num))
            return NULL;
    }
    return out;
}
