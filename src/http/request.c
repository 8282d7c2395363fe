/*
 * Request helpers for handlers: body parsing, path and query parameters,
 * pagination and access checks. Query values are hostile text: every
 * conversion is strict and answers 400 invalid_query naming the parameter.
 */
#include "http/request.h"
#include "store/users.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void json_free(void *p)
{
    json_decref(p);
}

sb_err sb_req_json(struct sb_req *r, struct sb_jctx *ret)
{
    if (!r->body || r->body_len == 0)
        return sb_fail(SB_EINVALID_JSON, NULL, "a JSON object body is required");
    json_error_t jerr;
    json_t *doc = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return sb_fail(SB_EINVALID_JSON, NULL, "invalid JSON at line %d column %d: %s", jerr.line,
                       jerr.column, jerr.text);
    sb_arena_defer(r->arena, json_free, doc);
    if (!json_is_object(doc))
        return sb_fail(SB_EINVALID_JSON, NULL, "the body must be a JSON object");
    *ret = (struct sb_jctx){ .obj = doc, .prefix = NULL };
    return SB_OK;
}

static bool parse_i64(const char *s, int64_t *ret)
{
    if (!s || !*s)
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
        return false;
    *ret = v;
    return true;
}

sb_err sb_req_id(struct sb_req *r, int i, int64_t *ret)
{
    int64_t v;
    if (i < 0 || i >= SB_MAX_PARAMS || !parse_i64(r->params[i], &v) || v <= 0)
        return sb_fail(SB_ENOT_FOUND, NULL, "no such record");
    *ret = v;
    return SB_OK;
}

sb_err sb_req_query_int(struct sb_req *r, const char *name, int64_t min, int64_t max, int64_t *ret,
                        bool *ret_present)
{
    const char *s = sb_req_query(r, name);
    if (ret_present)
        *ret_present = s != NULL;
    if (!s)
        return SB_OK;
    int64_t v;
    if (!parse_i64(s, &v) || v < min || v > max)
        return sb_fail(SB_EINVALID_QUERY, name, "%s must be an integer from %lld to %lld", name,
                       (long long)min, (long long)max);
    *ret = v;
    return SB_OK;
}

sb_err sb_req_query_id(struct sb_req *r, const char *name, int64_t *ret, bool *ret_present)
{
    return sb_req_query_int(r, name, 1, INT64_MAX, ret, ret_present);
}

sb_err sb_req_query_bool(struct sb_req *r, const char *name, bool *ret, bool *ret_present)
{
    const char *s = sb_req_query(r, name);
    if (ret_present)
        *ret_present = s != NULL;
    if (!s)
        return SB_OK;
    if (strcmp(s, "true") == 0)
        *ret = true;
    else if (strcmp(s, "false") == 0)
        *ret = false;
    else
        return sb_fail(SB_EINVALID_QUERY, name, "%s must be true or false", name);
    return SB_OK;
}

sb_err sb_req_query_time(struct sb_req *r, const char *name, const char **ret)
{
    const char *s = sb_req_query(r, name);
    if (!s)
        return SB_OK;
    int64_t t;
    if (!sb_time_parse(s, &t))
        return sb_fail(SB_EINVALID_QUERY, name, "%s must be an ISO 8601 date or time", name);
    char *buf = sb_arena_alloc(r->arena, SB_TIME_LEN);
    if (!buf)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_time_format(t, buf, SB_TIME_LEN);
    *ret = buf;
    return SB_OK;
}

sb_err sb_req_page(struct sb_req *r, struct sb_page *ret)
{
    struct sb_page p = { .limit = 50, .after = 0 };
    sb_err err = sb_req_query_int(r, "limit", 1, 500, &p.limit, NULL);
    if (!err)
        err = sb_req_query_int(r, "after", 0, INT64_MAX, &p.after, NULL);
    if (err)
        return err;
    *ret = p;
    return SB_OK;
}

json_t *sb_page_json(json_t *rows, const struct sb_page *page)
{
    json_t *next = json_null();
    size_t n = json_array_size(rows);
    if (page && (int64_t)n >= page->limit && n > 0) {
        json_t *id = json_object_get(json_array_get(rows, n - 1), "id");
        if (json_is_integer(id))
            next = json_integer(json_integer_value(id));
    }
    return json_pack("{s:o,s:o}", "data", rows, "next_after", next);
}

void sb_req_error_details(struct sb_req *r, json_t *details)
{
    if (r->error_details)
        json_decref(r->error_details);
    r->error_details = details;
}

sb_err sb_req_role(struct sb_req *r, enum sb_role least)
{
    if (r->scope.role >= least)
        return SB_OK;
    return sb_fail(SB_EFORBIDDEN, NULL, "this needs the %s role", sb_role_name(least));
}

sb_err sb_req_outlet(struct sb_req *r, int64_t outlet_id)
{
    if (r->scope.all_outlets)
        return SB_OK;
    bool allowed = false;
    sb_err err = sb_store_user_has_outlet(r->db, r->scope.user_id, outlet_id, &allowed);
    if (!err && !allowed)
        return sb_fail(SB_EOUTLET_FORBIDDEN, "outlet_id", "you have no access to outlet %lld",
                       (long long)outlet_id);
    return err;
}
