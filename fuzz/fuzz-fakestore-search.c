/*
 * The fakestore's search syntax (fakestore/shopify/graphql-search.c): the
 * `query:` argument of a connection, sent by any client of the simulated shop,
 * so hostile. Whatever the text, parsing ends (no crash, no leak, bounded by
 * FS_SEARCH_MAX_NODES terms); a parsed search matches an object through every
 * kind of term matcher without fault and gives the same answer twice; its
 * warning for unknown fields, when there is one, is a JSON object that names
 * the query.
 */
#include "fuzz.h"

#include "shopify/graphql-search.h"

#include <string.h>

static const char *const fields[] = { "updated_at", "created_at", "status", "name",
                                      "email",      "id",         "sku",    NULL };
static const char *const time_fields[] = { "updated_at", "created_at", NULL };

/* A made-up object: every field answers through the matcher of its kind. */
static bool match(const void *obj, const struct fs_search_term *t)
{
    (void)obj;
    FZ_CHECK(t->field && t->value, "a term without its field or value");
    if (strcmp(t->field, "id") == 0)
        return fs_search_id(t, 450789469);
    if (strcmp(t->field, "updated_at") == 0 || strcmp(t->field, "created_at") == 0)
        return fs_search_time(t, 1764000000);
    if (strcmp(t->field, "status") == 0)
        return fs_search_int(t, 3);
    return fs_search_str(t, "Ada Lovelace");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = fz_cstr(data, size);
    if (!q)
        return 0;
    struct fs_search *s = fs_search_parse(q, fields);
    if (s) {
        bool once = fs_search_matches(s, match, NULL);
        FZ_CHECK(once == fs_search_matches(s, match, NULL), "the same search answered twice "
                                                            "differently");
        (void)fs_search_bad_time(s, time_fields);
        json_t *w = fs_search_warning(s, "orders", q);
        FZ_CHECK(!w || json_is_object(w) || json_is_array(w), "the warning is not JSON");
        json_decref(w);
    }
    fs_search_free(s);
    free(q);
    return 0;
}
