/*
 * /api/v1/connection: the export-model connection (SPEC E1), the API a
 * webstore of that kind calls. POST connects with an admin's or manager's
 * user name and password (checked by the sign-in limits of POST
 * /api/v1/session; staff are refused) and answers the connection token,
 * shown once; GET and PATCH (that token) read and complete the connection:
 * its locations mapped to outlets, its employee and register, its settings;
 * GET /choices lists what it chooses them from (works before it is complete).
 * Admins see a connection on its channel's record and revoke it with
 * DELETE /api/v1/channels/{id}/connection. docs/channels/export.md tells a
 * webstore's developer the same with examples.
 */
#include "http/api.h"
#include "store/channel-credentials.h"
#include "store/channels.h"
#include "store/connections.h"
#include "store/outlets.h"
#include "store/sessions.h"
#include "store/tokens.h"
#include "store/users.h"
#include "sync/channel-edit.h"
#include "sync/connection.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

static const struct sb_scope everyone = { .all_outlets = true };

/* The common settings, as the channel record holds them (the kind adds none). */
static sb_err view(struct sb_req *r, int64_t id, json_t **ret)
{
    json_t *rec = NULL, *missing = NULL, *cred = NULL;
    sb_err err = sb_sync_channel_get(r->db, id, &rec);
    if (!err)
        err = sb_store_connection_missing(r->db, id, &missing);
    if (!err)
        err = sb_store_channel_credentials(r->db, id, &cred);
    json_t *outlets = json_array();
    if (!err && !outlets)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    size_t i;
    json_t *link;
    json_array_foreach(json_object_get(rec, "outlets"), i, link)
    {
        json_t *o = NULL;
        if (!err)
            err = sb_store_outlet_get(r->db, &everyone,
                                      json_integer_value(json_object_get(link, "outlet_id")), &o);
        if (!err &&
            json_array_append_new(outlets, json_pack("{s:O,s:O}", "id", json_object_get(o, "id"),
                                                     "name", json_object_get(o, "name"))))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        json_decref(o);
    }
    json_t *doc = NULL;
    if (!err) {
        doc = json_pack(
            "{s:O,s:O,s:O?,s:o,s:O,s:O,s:O,s:O,s:b,s:O}", "id", json_object_get(rec, "id"), "name",
            json_object_get(rec, "name"), "webstore_id", json_object_get(cred, "webstore_id"),
            "outlets", outlets, "locations", json_object_get(rec, "locations"), "employee_id",
            json_object_get(rec, "employee_id"), "register_id", json_object_get(rec, "register_id"),
            "settings", json_object_get(rec, "settings"), "ready", json_array_size(missing) == 0,
            "not_ready_reasons", missing);
        outlets = NULL;
        if (!doc)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_decref(outlets);
    json_decref(rec);
    json_decref(missing);
    json_decref(cred);
    if (!err)
        *ret = doc;
    return err;
}

sb_err sb_api_connection_create(struct sb_req *r)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (err)
        return err;
    static const char *const keys[] = { "username", "password", "webstore_id", "name", NULL };
    const char *username = NULL, *password = NULL, *webstore_id = NULL, *name = NULL;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str(&c, "username", true, 100, &username, NULL)) ||
        (err = sb_json_str(&c, "password", true, SB_PASSWORD_MAX, &password, NULL)) ||
        (err = sb_json_str(&c, "webstore_id", true, SB_CONNECTION_WEBSTORE_MAX, &webstore_id,
                           NULL)) ||
        (err = sb_json_str(&c, "name", false, SB_CHANNEL_NAME_MAX, &name, NULL)))
        return err;
    if (!*webstore_id)
        return sb_fail(SB_EINVALID_FIELD, "webstore_id", "webstore_id must not be empty");
    if (name && !*name)
        return sb_fail(SB_EINVALID_FIELD, "name", "name must not be empty");
    const char *address = sb_req_client_address(r);
    if (!address)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t user_id = 0, retry = 0, channel_id = 0;
    err = sb_store_sign_in_check(r->db, username, password, address, NULL, &user_id, &retry);
    if (err == SB_ETOO_MANY)
        r->retry_after = sb_arena_printf(r->arena, "%lld", (long long)retry);
    if (err)
        return err;
    enum sb_role role = SB_ROLE_NONE;
    err = sb_store_user_role(r->db, user_id, &role);
    if (err)
        return err;
    if (role < SB_ROLE_MANAGER) {
        /* the password was right: not a failure to count against the name */
        err = sb_store_sign_in_forgive(r->db, username, address);
        return err ? err
                   : sb_fail(SB_EFORBIDDEN, NULL,
                             "a webstore connects with the credentials of an admin or a manager;"
                             " %s is %s (E1)",
                             username, sb_role_name(role));
    }
    char token[SB_TOKEN_LEN];
    err = sb_sync_connection_open(r->db, user_id, username, address, webstore_id, name, token,
                                  &channel_id);
    json_t *missing = NULL;
    if (!err)
        err = sb_store_connection_missing(r->db, channel_id, &missing);
    if (err)
        return err;
    return sb_reply(r, 201,
                    json_pack("{s:s,s:I,s:b,s:o}", "token", token, "channel_id",
                              (json_int_t)channel_id, "ready", json_array_size(missing) == 0,
                              "not_ready_reasons", missing));
}

sb_err sb_api_connection_get(struct sb_req *r)
{
    json_t *doc;
    sb_err err = view(r, r->scope.channel_id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

sb_err sb_api_connection_choices(struct sb_req *r)
{
    json_t *doc = NULL;
    sb_err err = sb_store_connection_choices(r->db, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

/* The outlets the locations map to, each once, in the order they first appear. */
static sb_err outlets_of(struct sb_req *r, struct sb_channel_input *in)
{
    int64_t *ids = sb_arena_alloc(r->arena, sizeof(*ids) * (in->n_locations + 1));
    if (!ids)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t n = 0;
    for (size_t i = 0; i < in->n_locations; i++) {
        int64_t o = in->locations[i].outlet_id;
        json_t *rec = NULL;
        sb_err err = sb_store_outlet_get(r->db, &everyone, o, &rec);
        json_decref(rec);
        if (err == SB_ENOT_FOUND) {
            char field[64];
            snprintf(field, sizeof(field), "locations[%zu].outlet_id", i);
            return sb_fail(SB_EUNKNOWN_REFERENCE, field, "no outlet %lld", (long long)o);
        }
        if (err)
            return err;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || ids[k] == o;
        if (!seen)
            ids[n++] = o;
    }
    in->outlet_ids = ids;
    in->n_outlets = n;
    in->outlets_set = true;
    return SB_OK;
}

/* An id that null clears: absent leaves it, null sets 0. */
static sb_err ref(struct sb_jctx *c, const char *key, int64_t *ret, bool *ret_set)
{
    *ret_set = json_object_get(c->obj, key) != NULL;
    *ret = 0;
    return sb_json_id(c, key, false, ret, NULL);
}

sb_err sb_api_connection_update(struct sb_req *r)
{
    int64_t id = r->scope.channel_id;
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (err)
        return err;
    static const char *const keys[] = { "locations", "employee_id", "register_id", "settings",
                                        NULL };
    struct sb_channel_input in = { 0 };
    if ((err = sb_json_only(&c, keys)) || (err = sb_api_channel_locations(r, &c, &in)) ||
        (err = ref(&c, "employee_id", &in.employee_id, &in.employee_set)) ||
        (err = ref(&c, "register_id", &in.register_id, &in.register_set)) ||
        (err = sb_json_object(&c, "settings", false, &in.settings)))
        return err;
    if (in.locations_set) {
        /* the outlets linked follow the mapping; the default outlet stays if still linked */
        json_t *rec = NULL;
        if ((err = outlets_of(r, &in)) || (err = sb_sync_channel_get(r->db, id, &rec)))
            return err;
        int64_t dflt = json_integer_value(json_object_get(rec, "default_outlet_id"));
        json_decref(rec);
        bool kept = false;
        for (size_t i = 0; i < in.n_outlets; i++)
            kept = kept || in.outlet_ids[i] == dflt;
        in.default_outlet_set = !kept;
        in.default_outlet_id = kept ? dflt : in.n_outlets ? in.outlet_ids[0] : 0;
    }
    err = sb_sync_channel_update(r->db, id, &in);
    json_t *doc;
    if (!err)
        err = view(r, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

sb_err sb_api_connection_require_ready(struct sb_req *r)
{
    json_t *missing = NULL;
    sb_err err = sb_sync_connection_ready(r->db, r->scope.channel_id, &missing);
    if (err == SB_ECONNECTION_INCOMPLETE && missing)
        sb_req_error_details(r, missing);
    return err;
}

sb_err sb_api_channels_connection_delete(struct sb_req *r)
{
    int64_t id;
    char kind[SB_CHANNEL_KIND_MAX + 1];
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_channel_kind(r->db, id, kind);
    if (err)
        return err;
    if (strcmp(kind, SB_CONNECTION_KIND) != 0)
        return sb_fail(SB_ENOT_FOUND, NULL,
                       "channel %lld is not an export-model webstore: it has no connection",
                       (long long)id);
    json_t *me = NULL;
    err = sb_store_user_get(r->db, r->scope.user_id, &me);
    if (err)
        return err;
    char now[SB_TIME_LEN], reason[SB_CONNECTION_REASON_MAX];
    sb_time_format(sb_time_now(), now, sizeof(now));
    snprintf(reason, sizeof(reason), "revoked by %s at %s",
             json_string_value(json_object_get(me, "username")), now);
    json_decref(me);
    int64_t n = 0;
    err = sb_store_connection_retire(r->db, id, reason, &n);
    if (!err && !n)
        err = sb_fail(SB_ECONFLICT, NULL, "channel %lld has no live connection", (long long)id);
    return err ? err : sb_reply(r, 204, NULL);
}
