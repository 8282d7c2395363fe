/*
 * Described fields (fields.h): the checks by type, the defaults and the
 * descriptions the API serves. The messages name the field as the request
 * spelled it, so a form can put the error beside it.
 */
#include "util/fields.h"

#include "util/jsonx.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <string.h>

static const char *const type_names[] = {
    [SB_FIELD_BOOL] = "bool", [SB_FIELD_INT] = "int",       [SB_FIELD_REF] = "ref",
    [SB_FIELD_TIME] = "time", [SB_FIELD_TEXT] = "text",     [SB_FIELD_HOST] = "host",
    [SB_FIELD_URL] = "url",   [SB_FIELD_CHOICE] = "choice",
};

bool sb_field_host_ok(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
        } else if (isalnum(c) || c == '-') {
            if ((label == 0 && c == '-') || ++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && s[len - 1] != '-';
}

/* "http(s)://host[:port][/path]" with no user part, spaces or control characters. */
bool sb_field_url_ok(const char *s)
{
    const char *rest = strncmp(s, "https://", 8) == 0  ? s + 8
                       : strncmp(s, "http://", 7) == 0 ? s + 7
                                                       : NULL;
    if (!rest)
        return false;
    size_t auth = strcspn(rest, "/?#");
    const char *colon = memchr(rest, ':', auth);
    size_t hlen = colon ? (size_t)(colon - rest) : auth;
    if (!sb_field_host_ok(rest, hlen))
        return false;
    if (colon) {
        size_t plen = auth - hlen - 1;
        if (plen == 0 || plen > 5)
            return false;
        long port = 0;
        for (size_t i = 1; i <= plen; i++) {
            if (!isdigit((unsigned char)colon[i]))
                return false;
            port = port * 10 + (colon[i] - '0');
        }
        if (port < 1 || port > 65535)
            return false;
    }
    for (const char *p = rest + auth; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f)
            return false;
    return true;
}

/* Text of the right length without control characters (types TEXT, HOST, URL, CHOICE). */
static sb_err check_text(const struct sb_field *f, json_t *v, const char *path)
{
    size_t max = f->type == SB_FIELD_TEXT && f->max > 0 ? (size_t)f->max : SB_STR_MAX;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        json_string_length(v) > max)
        return sb_fail(SB_EINVALID_FIELD, path, "%s must be a string of at most %zu bytes", path,
                       max);
    const char *s = json_string_value(v);
    size_t len = strlen(s);
    if (len == 0)
        return sb_fail(SB_EINVALID_FIELD, path, "%s must not be empty", path);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] == 0x7f)
            return sb_fail(SB_EINVALID_FIELD, path, "%s contains a control character", path);
    switch (f->type) {
    case SB_FIELD_HOST:
        return sb_field_host_ok(s, len)
                   ? SB_OK
                   : sb_fail(SB_EINVALID_FIELD, path,
                             "%s must be a host name such as shop.example.com", path);
    case SB_FIELD_URL:
        return sb_field_url_ok(s) ? SB_OK
                                  : sb_fail(SB_EINVALID_FIELD, path,
                                            "%s must be an http:// or https:// URL", path);
    case SB_FIELD_CHOICE:
        for (const char *const *c = f->choices; c && *c; c++)
            if (strcmp(*c, s) == 0)
                return SB_OK;
        return sb_fail(SB_EINVALID_FIELD, path, "%s is not one of the choices", path);
    default:
        return SB_OK;
    }
}

sb_err sb_field_check(const struct sb_field *f, json_t *v, const char *path, json_t **ret)
{
    json_t *out = NULL;
    int64_t t = 0;
    switch (f->type) {
    case SB_FIELD_BOOL:
        if (!json_is_boolean(v))
            return sb_fail(SB_EINVALID_FIELD, path, "%s must be true or false", path);
        out = json_incref(v);
        break;
    case SB_FIELD_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->min || json_integer_value(v) > f->max)
            return sb_fail(SB_EINVALID_FIELD, path, "%s must be an integer from %lld to %lld", path,
                           (long long)f->min, (long long)f->max);
        out = json_incref(v);
        break;
    case SB_FIELD_REF:
        if (json_is_null(v))
            out = json_null();
        else if (json_is_integer(v) && json_integer_value(v) > 0)
            out = json_incref(v);
        else
            return sb_fail(SB_EINVALID_FIELD, path, "%s must be the id of one of %s, or null", path,
                           f->refers ? f->refers : "its records");
        break;
    case SB_FIELD_TIME:
        if (json_is_null(v)) {
            out = json_null();
        } else if (json_is_string(v) && sb_time_parse(json_string_value(v), &t) && t > 0) {
            char text[SB_TIME_LEN];
            sb_time_format(t, text, sizeof(text));
            out = json_string(text);
        } else {
            return sb_fail(SB_EINVALID_FIELD, path,
                           "%s must be a UTC time (2026-11-27T00:00:00Z) or null", path);
        }
        break;
    default:
        if (json_is_null(v) && !f->required) {
            *ret = NULL; /* absent */
            return SB_OK;
        }
        sb_err err = check_text(f, v, path);
        if (err)
            return err;
        out = json_incref(v);
        break;
    }
    if (!out)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = out;
    return SB_OK;
}

const struct sb_field *sb_field_find(const struct sb_field *list, const char *name)
{
    for (const struct sb_field *f = list; f && f->name; f++)
        if (name && strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

json_t *sb_field_default(const struct sb_field *f)
{
    return f->dflt ? json_loads(f->dflt, JSON_DECODE_ANY, NULL) : NULL;
}

json_t *sb_field_describe(const struct sb_field *f)
{
    json_t *o =
        json_pack("{s:s,s:s,s:b,s:b,s:s?,s:s?}", "name", f->name, "type", type_names[f->type],
                  "required", f->required, "secret", f->secret, "label", f->label, "help", f->help);
    if (!o)
        return NULL;
    int bad = 0;
    json_t *d = sb_field_default(f);
    if (d)
        bad |= json_object_set_new(o, "default", d);
    if (f->type == SB_FIELD_INT) {
        bad |= json_object_set_new(o, "min", json_integer(f->min));
        bad |= json_object_set_new(o, "max", json_integer(f->max));
    }
    if (f->type == SB_FIELD_TEXT)
        bad |= json_object_set_new(o, "max", json_integer(f->max > 0 ? f->max : SB_STR_MAX));
    if (f->type == SB_FIELD_REF && f->refers)
        bad |= json_object_set_new(o, "refers", json_string(f->refers));
    if (f->type == SB_FIELD_CHOICE) {
        json_t *c = json_array();
        for (const char *const *p = f->choices; c && p && *p; p++)
            bad |= json_array_append_new(c, json_string(*p));
        bad |= json_object_set_new(o, "choices", c);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *sb_fields_describe(const struct sb_field *list)
{
    json_t *arr = json_array();
    for (const struct sb_field *f = list; arr && f && f->name; f++) {
        json_t *d = sb_field_describe(f);
        if (!d || json_array_append_new(arr, d)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
