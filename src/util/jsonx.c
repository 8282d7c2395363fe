/*
 * Typed field access for request bodies. Everything here assumes the input
 * is hostile: types are checked, lengths bounded, NUL bytes refused.
 */
#include "util/jsonx.h"

#include <stdio.h>
#include <string.h>

static const char *path(struct sb_jctx *c, const char *key, char *buf, size_t cap)
{
    if (!c->prefix || !*c->prefix)
        return key;
    snprintf(buf, cap, "%s.%s", c->prefix, key);
    return buf;
}

static json_t *get(struct sb_jctx *c, const char *key)
{
    json_t *v = json_object_get(c->obj, key);
    return json_is_null(v) ? NULL : v;
}

#define FIELD() path(c, key, pbuf, sizeof(pbuf))

sb_err sb_json_str(struct sb_jctx *c, const char *key, bool required, size_t max_len,
                   const char **ret, bool *ret_present)
{
    char pbuf[128];
    json_t *v = get(c, key);
    if (ret_present)
        *ret_present = v != NULL;
    if (!v)
        return required ? sb_fail(SB_EMISSING_FIELD, FIELD(), "%s is required", FIELD()) : SB_OK;
    if (!json_is_string(v))
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s must be a string", FIELD());
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (strlen(s) != len)
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s contains a NUL character", FIELD());
    if (len > max_len)
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s is longer than %zu bytes", FIELD(), max_len);
    if (required && len == 0)
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s must not be empty", FIELD());
    *ret = s;
    return SB_OK;
}

sb_err sb_json_str_or_null(struct sb_jctx *c, const char *key, size_t max_len, const char **ret,
                           bool *ret_present)
{
    json_t *raw = json_object_get(c->obj, key);
    if (json_is_null(raw)) {
        *ret = NULL;
        if (ret_present)
            *ret_present = true;
        return SB_OK;
    }
    return sb_json_str(c, key, false, max_len, ret, ret_present);
}

sb_err sb_json_int(struct sb_jctx *c, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *ret, bool *ret_present)
{
    char pbuf[128];
    json_t *v = get(c, key);
    if (ret_present)
        *ret_present = v != NULL;
    if (!v)
        return required ? sb_fail(SB_EMISSING_FIELD, FIELD(), "%s is required", FIELD()) : SB_OK;
    if (!json_is_integer(v))
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s must be an integer", FIELD());
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s must be between %lld and %lld", FIELD(),
                       (long long)min, (long long)max);
    *ret = n;
    return SB_OK;
}

sb_err sb_json_id(struct sb_jctx *c, const char *key, bool required, int64_t *ret,
                  bool *ret_present)
{
    return sb_json_int(c, key, required, 1, INT64_MAX, ret, ret_present);
}

sb_err sb_json_bool(struct sb_jctx *c, const char *key, bool required, bool *ret, bool *ret_present)
{
    char pbuf[128];
    json_t *v = get(c, key);
    if (ret_present)
        *ret_present = v != NULL;
    if (!v)
        return required ? sb_fail(SB_EMISSING_FIELD, FIELD(), "%s is required", FIELD()) : SB_OK;
    if (!json_is_boolean(v))
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s must be true or false", FIELD());
    *ret = json_is_true(v);
    return SB_OK;
}

sb_err sb_json_array(struct sb_jctx *c, const char *key, bool required, size_t max_items,
                     json_t **ret)
{
    char pbuf[128];
    json_t *v = get(c, key);
    if (!v)
        return required ? sb_fail(SB_EMISSING_FIELD, FIELD(), "%s is required", FIELD()) : SB_OK;
    if (!json_is_array(v))
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s must be an array", FIELD());
    if (json_array_size(v) > max_items)
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s has more than %zu entries", FIELD(),
                       max_items);
    *ret = v;
    return SB_OK;
}

sb_err sb_json_object(struct sb_jctx *c, const char *key, bool required, json_t **ret)
{
    char pbuf[128];
    json_t *v = get(c, key);
    if (!v)
        return required ? sb_fail(SB_EMISSING_FIELD, FIELD(), "%s is required", FIELD()) : SB_OK;
    if (!json_is_object(v))
        return sb_fail(SB_EINVALID_FIELD, FIELD(), "%s must be an object", FIELD());
    *ret = v;
    return SB_OK;
}

sb_err sb_json_only(struct sb_jctx *c, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(c->obj, key, v)
    {
        const char *const *a = allowed;
        while (*a && strcmp(*a, key) != 0)
            a++;
        if (!*a) {
            char pbuf[128];
            return sb_fail(SB_EINVALID_FIELD, FIELD(), "unknown field %s", FIELD());
        }
    }
    return SB_OK;
}

struct sb_jctx sb_jctx_child(struct sb_jctx *c, const char *key, long index, json_t *obj, char *buf,
                             size_t cap)
{
    const char *p = c->prefix && *c->prefix ? c->prefix : NULL;
    if (index >= 0)
        snprintf(buf, cap, "%s%s%s[%ld]", p ? p : "", p ? "." : "", key, index);
    else
        snprintf(buf, cap, "%s%s%s", p ? p : "", p ? "." : "", key);
    return (struct sb_jctx){ .obj = obj, .prefix = buf };
}

void sb_json_set_str(json_t *obj, const char *key, const char *s)
{
    json_object_set_new(obj, key, s ? json_string(s) : json_null());
}
