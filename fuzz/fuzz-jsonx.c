/*
 * The typed getters every API handler reads its body with (util/jsonx.c).
 * The input is a JSON body; every field of every nested object is read with
 * each getter, and each answer is checked against what the JSON says: a
 * string comes back only when it is a string without NUL within the bound,
 * an integer only within its range, an unknown field is refused by
 * sb_json_only, and every error carries its code and a UTF-8 field path
 * and message (they go into the 4xx body as they are).
 */
#include "fuzz.h"

#include "util/jsonx.h"

#include <jansson.h>

static void check_field(struct sb_jctx *c, const char *key, json_t *v, size_t max, int64_t lo,
                        int64_t hi)
{
    bool absent = !v || json_is_null(v), present = false;
    const char *s = NULL;
    sb_err err = sb_json_str(c, key, true, max, &s, &present);
    fz_check_error(err);
    bool str_ok = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
                  json_string_length(v) <= max && json_string_length(v) > 0;
    FZ_CHECK((err == SB_OK) == str_ok, "sb_json_str: %d", err);
    FZ_CHECK(!absent || err == SB_EMISSING_FIELD, "absent field: %d", err);
    FZ_CHECK(present == !absent, "present");
    FZ_CHECK(err || (s == json_string_value(v) && strlen(s) <= max), "string");

    s = NULL;
    err = sb_json_str_or_null(c, key, max, &s, NULL);
    fz_check_error(err);
    FZ_CHECK(err || !s || strlen(s) <= max, "string or null");
    FZ_CHECK(!json_is_null(v) || (!err && !s), "null");

    int64_t n = 0;
    err = sb_json_int(c, key, false, lo, hi, &n, &present);
    fz_check_error(err);
    bool int_ok = absent || (json_is_integer(v) && json_integer_value(v) >= lo &&
                             json_integer_value(v) <= hi);
    FZ_CHECK((err == SB_OK) == int_ok, "sb_json_int: %d", err);
    FZ_CHECK(err || absent || (n >= lo && n <= hi && n == json_integer_value(v)), "int");

    err = sb_json_id(c, key, false, &n, NULL);
    fz_check_error(err);
    FZ_CHECK(err || absent || n >= 1, "id %lld", (long long)n);

    bool b = false;
    err = sb_json_bool(c, key, false, &b, NULL);
    fz_check_error(err);
    FZ_CHECK((err == SB_OK) == (absent || json_is_boolean(v)), "bool");

    json_t *arr = NULL;
    err = sb_json_array(c, key, false, max, &arr);
    fz_check_error(err);
    FZ_CHECK(err || absent || (json_is_array(arr) && json_array_size(arr) <= max), "array");

    json_t *obj = NULL;
    err = sb_json_object(c, key, false, &obj);
    fz_check_error(err);
    FZ_CHECK((err == SB_OK) == (absent || json_is_object(v)), "object");
}

static void walk(struct sb_jctx *c, int depth, size_t max, int64_t lo, int64_t hi)
{
    static const char *const allowed[] = { "id", "name", "lines", "amount", "note", NULL };
    const char *key;
    json_t *v;
    sb_err err = sb_json_only(c, allowed);
    fz_check_error(err);
    bool unknown = false;
    json_object_foreach(c->obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; allowed[i]; i++)
            known |= strcmp(allowed[i], key) == 0;
        unknown |= !known;
    }
    FZ_CHECK((err != SB_OK) == unknown, "sb_json_only: %d", err);
    check_field(c, "never-present", json_object_get(c->obj, "never-present"), max, lo, hi);
    json_object_foreach(c->obj, key, v)
    {
        check_field(c, key, v, max, lo, hi);
        if (depth >= 4)
            continue;
        char buf[128];
        if (json_is_object(v)) {
            struct sb_jctx child = sb_jctx_child(c, key, -1, v, buf, sizeof(buf));
            walk(&child, depth + 1, max, lo, hi);
        } else if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                if (i >= 8)
                    break;
                if (!json_is_object(e))
                    continue;
                struct sb_jctx child = sb_jctx_child(c, key, (long)i, e, buf, sizeof(buf));
                walk(&child, depth + 1, max, lo, hi);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the first byte picks the bounds, as handlers use many */
    static const size_t maxes[] = { 0, 1, 8, 64, 200, SB_STR_MAX };
    static const int64_t ranges[][2] = {
        { 0, INT64_MAX }, { 1, 1000000 }, { INT64_MIN, 0 },
        { -5, 5 },        { 1, 1 },       { INT64_MIN, INT64_MAX }
    };
    if (size < 1)
        return 0;
    size_t max = maxes[data[0] % 6];
    int64_t lo = ranges[(data[0] / 6) % 6][0], hi = ranges[(data[0] / 6) % 6][1];
    json_t *doc = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(doc)) {
        struct sb_jctx c = { .obj = doc, .prefix = NULL };
        walk(&c, 0, max, lo, hi);
    }
    json_decref(doc);
    return 0;
}
