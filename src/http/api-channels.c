/*
 * /api/v1/channels: the connected webstores. Managers read them, admins
 * create and change them; the web orders each has seen (SPEC O10) and its
 * sync log are for staff of the outlets it serves, and so are their names
 * (/me/channels: id, name and kind only). A channel that serves none of the
 * caller's outlets reads as not there (404, left out of lists), as every
 * outlet-bound record does; admins see every channel. Credentials go in and
 * never come out: records carry "has_credentials" instead.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/channel-log.h"
#include "store/channel-orders.h"
#include "store/channels.h"
#include "sync/channel-edit.h"
#include "sync/pipeline.h"

#include <stdio.h>
#include <string.h>

static const char *const fields[] = {
    "kind",        "name",      "enabled",           "settings",
    "credentials", "outlets",   "default_outlet_id", "register_id",
    "employee_id", "locations", "methods",           NULL
};
static const char *const location_fields[] = { "location_id", "outlet_id", "name", NULL };
static const char *const method_fields[] = { "method", "outlet_id", "pickup", NULL };

static sb_err parse_outlets(struct sb_req *r, struct sb_jctx *c, struct sb_channel_input *in)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "outlets", false, SB_CHANNEL_MAX_OUTLETS, &arr);
    if (err || !arr)
        return err;
    size_t n = json_array_size(arr);
    int64_t *ids = sb_arena_alloc(r->arena, sizeof(*ids) * (n + 1));
    if (!ids)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            char field[48];
            snprintf(field, sizeof(field), "outlets[%zu]", i);
            return sb_fail(SB_EINVALID_FIELD, field, "%s must be an outlet id", field);
        }
        ids[i] = json_integer_value(v);
    }
    in->outlet_ids = ids;
    in->n_outlets = n;
    in->outlets_set = true;
    return SB_OK;
}

/* The array under key as child contexts, each an object with only the allowed fields. */
static sb_err each_object(struct sb_jctx *c, const char *key, const char *const *allowed,
                          json_t *arr, size_t i, struct sb_jctx *ret, char *buf, size_t cap)
{
    json_t *v = json_array_get(arr, i);
    *ret = sb_jctx_child(c, key, (long)i, v, buf, cap);
    if (!json_is_object(v))
        return sb_fail(SB_EINVALID_FIELD, ret->prefix, "%s must be an object", ret->prefix);
    return sb_json_only(ret, allowed);
}

sb_err sb_api_channel_locations(struct sb_req *r, struct sb_jctx *c, struct sb_channel_input *in)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "locations", false, SB_CHANNEL_MAX_LINKS, &arr);
    if (err || !arr)
        return err;
    size_t n = json_array_size(arr);
    struct sb_channel_location *l = sb_arena_alloc(r->arena, sizeof(*l) * (n + 1));
    if (!l)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < n; i++) {
        char buf[64];
        struct sb_jctx e;
        err = each_object(c, "locations", location_fields, arr, i, &e, buf, sizeof(buf));
        if (!err && json_is_integer(json_object_get(e.obj, "location_id"))) {
            /* ids beyond 2^53 lose digits in many JSON tools: the channel's id as text */
            char field[80];
            snprintf(field, sizeof(field), "%s.location_id", e.prefix);
            err = sb_fail(SB_EINVALID_FIELD, field, "%s must be a string", field);
        }
        if (!err)
            err = sb_json_str(&e, "location_id", true, SB_CHANNEL_LINK_TEXT_MAX, &l[i].location_id,
                              NULL);
        if (!err)
            err = sb_json_id(&e, "outlet_id", true, &l[i].outlet_id, NULL);
        if (!err)
            err = sb_json_str_or_null(&e, "name", SB_CHANNEL_LINK_TEXT_MAX, &l[i].name, NULL);
    }
    if (err)
        return err;
    in->locations = l;
    in->n_locations = n;
    in->locations_set = true;
    return SB_OK;
}

static sb_err parse_methods(struct sb_req *r, struct sb_jctx *c, struct sb_channel_input *in)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "methods", false, SB_CHANNEL_MAX_LINKS, &arr);
    if (err || !arr)
        return err;
    size_t n = json_array_size(arr);
    struct sb_channel_method *m = sb_arena_alloc(r->arena, sizeof(*m) * (n + 1));
    if (!m)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < n; i++) {
        char buf[64];
        struct sb_jctx e;
        err = each_object(c, "methods", method_fields, arr, i, &e, buf, sizeof(buf));
        if (!err)
            err = sb_json_str(&e, "method", true, SB_CHANNEL_LINK_TEXT_MAX, &m[i].method, NULL);
        if (!err)
            err = sb_json_id(&e, "outlet_id", true, &m[i].outlet_id, NULL);
        if (!err)
            err = sb_json_bool(&e, "pickup", false, &m[i].pickup, NULL);
    }
    if (err)
        return err;
    in->methods = m;
    in->n_methods = n;
    in->methods_set = true;
    return SB_OK;
}

/* An id that null clears: absent leaves it, null sets 0. */
static sb_err parse_ref(struct sb_jctx *c, const char *key, int64_t *ret, bool *ret_set)
{
    *ret_set = json_object_get(c->obj, key) != NULL;
    *ret = 0;
    return sb_json_id(c, key, false, ret, NULL);
}

static sb_err parse(struct sb_req *r, struct sb_channel_input *in, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "kind", create, SB_CHANNEL_KIND_MAX, &in->kind, NULL);
    if (!err)
        err = sb_json_str(&c, "name", create, SB_CHANNEL_NAME_MAX, &in->name, &in->name_set);
    if (!err)
        err = sb_json_bool(&c, "enabled", false, &in->enabled, &in->enabled_set);
    if (!err)
        err = sb_json_object(&c, "settings", false, &in->settings);
    if (!err) {
        /* null removes the credentials; an object replaces them whole */
        in->credentials_set = json_object_get(c.obj, "credentials") != NULL;
        err = sb_json_object(&c, "credentials", false, &in->credentials);
    }
    if (!err)
        err = parse_outlets(r, &c, in);
    if (!err)
        err = parse_ref(&c, "default_outlet_id", &in->default_outlet_id, &in->default_outlet_set);
    if (!err)
        err = parse_ref(&c, "register_id", &in->register_id, &in->register_set);
    if (!err)
        err = parse_ref(&c, "employee_id", &in->employee_id, &in->employee_set);
    if (!err)
        err = sb_api_channel_locations(r, &c, in);
    if (!err)
        err = parse_methods(r, &c, in);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_sync_channel_get(r->db, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_channels_list(struct sb_req *r)
{
    struct sb_page page;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_sync_channel_list(r->db, &r->scope, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_channels_create(struct sb_req *r)
{
    struct sb_channel_input in = { 0 };
    int64_t id;
    sb_err err = parse(r, &in, true);
    if (!err)
        err = sb_sync_channel_create(r->db, &in, &id);
    if (!err) /* its connect call, if its kind connects */
        sb_pipeline_kick_outbox(sb_server_pipeline(r->server));
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_channels_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_channel_visible(r->db, &r->scope, id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_channels_update(struct sb_req *r)
{
    struct sb_channel_input in = { 0 };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &in, false);
    if (!err)
        err = sb_sync_channel_update(r->db, id, &in);
    if (!err)
        sb_pipeline_kick_outbox(sb_server_pipeline(r->server));
    return err ? err : reply_one(r, 200, id);
}

/* GET /me/channels: the names of the channels whose orders the caller may see (those
 * linked to one of their outlets; every channel for an admin), for staff who may not
 * read the channel records. */
sb_err sb_api_me_channels(struct sb_req *r)
{
    struct sb_page page;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_store_channel_names(r->db, &r->scope, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_channels_orders(struct sb_req *r)
{
    static const char *const states[] = { "downloaded", "waiting", "skipped", NULL };
    struct sb_page page;
    int64_t id;
    json_t *rows;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_page(r, &page);
    const char *state = sb_req_query(r, "state");
    if (!err && state) {
        const char *const *s = states;
        while (*s && strcmp(*s, state) != 0)
            s++;
        if (!*s)
            err =
                sb_fail(SB_EINVALID_QUERY, "state", "state must be downloaded, waiting or skipped");
    }
    struct sb_channel_order_filter f = { .state = state, .q = sb_req_query(r, "q") };
    if (!err && f.q && (!*f.q || strlen(f.q) > SB_CHANNEL_ORDER_Q_MAX))
        err = sb_fail(SB_EINVALID_QUERY, "q", "q must be 1 to 200 characters");
    const char *sort = sb_req_query(r, "sort");
    if (!err && sort && strcmp(sort, "id") != 0 && strcmp(sort, "-id") != 0)
        err = sb_fail(SB_EINVALID_QUERY, "sort", "sort must be id or -id (newest first)");
    f.newest_first = sort && strcmp(sort, "-id") == 0;
    if (!err)
        err = sb_store_channel_orders(r->db, &r->scope, id, &f, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_channels_log(struct sb_req *r)
{
    struct sb_page page;
    int64_t id;
    json_t *rows;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_page(r, &page);
    if (!err)
        err = sb_store_channel_log_list(r->db, &r->scope, id, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

/* Polls now, on the request's thread: the answer says what the poll did. */
sb_err sb_api_channels_poll(struct sb_req *r)
{
    int64_t id;
    json_t *rec = NULL, *report = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_channel_visible(r->db, &r->scope, id);
    if (!err)
        err = sb_store_channel_get(r->db, id, &rec);
    if (!err && !json_is_true(json_object_get(rec, "has_credentials")))
        err = sb_fail(SB_ECONFLICT, NULL, "the channel has no credentials to poll with");
    json_decref(rec);
    if (!err)
        err =
            sb_sync_poll_channel(sb_server_store(r->server),
                                 sb_pipeline_channels(sb_server_pipeline(r->server)), id, &report);
    return err ? err : sb_reply(r, 200, report);
}
