/*
 * Channel records (channels.h): a create or a change validated as a whole
 * against the state it would produce, inside its write transaction - the
 * final outlet list decides whether the default outlet, the register, the
 * locations and the methods still point at linked outlets, whichever part of
 * the request changed - and what a change re-queues for the stock lane;
 * records read back for the API and for the sync layer. Links are
 * channel-links.c's, settings storage channel-settings.c's, sealing
 * channel-credentials.c's, the log channel-log.c's.
 */
#include "store/channels.h"

#include "store/channel-credentials.h"
#include "store/channel-links.h"
#include "store/channel-log.h"
#include "store/channel-settings.h"
#include "store/settings-history.h"
#include "store/stock-queue.h"
#include "util/jsonx.h"
#include "util/timeutil.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- create and update ---- */

/* The state a create or change would leave, checked before anything is written. */
struct final {
    const char *kind, *name;
    bool enabled;
    struct sb_channel_settings settings;
    json_t *settings_json; /* every setting, as stored */
    char *sealed;          /* malloc'd new credentials, or NULL */
    const int64_t *outlet_ids;
    size_t n_outlets;
    int64_t default_outlet_id, register_id, employee_id;
    const struct sb_channel_location *locations;
    size_t n_locations;
    const struct sb_channel_method *methods;
    size_t n_methods;
};

static bool linked(const struct final *f, int64_t outlet_id)
{
    for (size_t i = 0; i < f->n_outlets; i++)
        if (f->outlet_ids[i] == outlet_id)
            return true;
    return false;
}

static sb_err exists(struct sb_db *db, const char *sql, int64_t id, bool *ret)
{
    int64_t n = 0;
    sb_err err = sb_db_int(db, &n, sql, "i", id);
    *ret = n > 0;
    return err;
}

static sb_err check_references(struct sb_db *db, const struct sb_channel_input *in,
                               const struct final *f)
{
    bool ok;
    sb_err err = SB_OK;
    const struct {
        const char *field, *sql;
        int64_t id;
        const char *what;
    } refs[] = {
        { "settings.regular_price_level_id", "SELECT COUNT(*) FROM price_levels WHERE id = ?",
          f->settings.regular_price_level_id, "price level" },
        { "settings.sale_price_level_id", "SELECT COUNT(*) FROM price_levels WHERE id = ?",
          f->settings.sale_price_level_id, "price level" },
        { "employee_id", "SELECT COUNT(*) FROM employees WHERE id = ?", f->employee_id,
          "employee" },
        { "register_id", "SELECT COUNT(*) FROM registers WHERE id = ?", f->register_id,
          "register" },
    };
    for (size_t i = 0; !err && i < sizeof(refs) / sizeof(refs[0]); i++) {
        if (!refs[i].id)
            continue;
        err = exists(db, refs[i].sql, refs[i].id, &ok);
        if (!err && !ok)
            err = sb_fail(SB_EUNKNOWN_REFERENCE, refs[i].field, "no %s %lld", refs[i].what,
                          (long long)refs[i].id);
    }
    if (err)
        return err;

    /* Everything else points at outlets, which must be linked to the channel. The field
     * blamed is the part of the request that broke the rule. */
    if (f->default_outlet_id && !linked(f, f->default_outlet_id))
        return in->default_outlet_set
                   ? sb_fail(SB_EINVALID_FIELD, "default_outlet_id",
                             "the default outlet must be one of the channel's outlets")
                   : sb_fail(SB_EINVALID_FIELD, "outlets",
                             "outlet %lld is the channel's default outlet: keep it linked or"
                             " change default_outlet_id",
                             (long long)f->default_outlet_id);
    if (f->register_id) {
        int64_t outlet = 0;
        err = sb_db_int(db, &outlet, "SELECT outlet_id FROM registers WHERE id = ?", "i",
                        f->register_id);
        if (err)
            return err;
        if (!linked(f, outlet))
            return in->register_set
                       ? sb_fail(SB_EINVALID_FIELD, "register_id",
                                 "register %lld belongs to outlet %lld, which is not linked to"
                                 " the channel",
                                 (long long)f->register_id, (long long)outlet)
                       : sb_fail(SB_EINVALID_FIELD, "outlets",
                                 "outlet %lld holds the channel's register: keep it linked or"
                                 " change register_id",
                                 (long long)outlet);
    }
    char field[64];
    for (size_t i = 0; i < f->n_locations; i++) {
        const struct sb_channel_location *l = &f->locations[i];
        if (!linked(f, l->outlet_id)) {
            if (!in->locations_set)
                return sb_fail(SB_EINVALID_FIELD, "outlets",
                               "outlet %lld stocks location %s: keep it linked or change"
                               " locations",
                               (long long)l->outlet_id, l->location_id);
            snprintf(field, sizeof(field), "locations[%zu].outlet_id", i);
            return sb_fail(SB_EINVALID_FIELD, field, "outlet %lld is not linked to the channel",
                           (long long)l->outlet_id);
        }
        for (size_t k = 0; in->locations_set && k < i; k++) {
            if (f->locations[k].outlet_id == l->outlet_id &&
                strcmp(f->locations[k].location_id, l->location_id) == 0) {
                snprintf(field, sizeof(field), "locations[%zu]", i);
                return sb_fail(SB_EINVALID_FIELD, field,
                               "location %s is linked to outlet %lld twice", l->location_id,
                               (long long)l->outlet_id);
            }
        }
    }
    for (size_t i = 0; i < f->n_methods; i++) {
        const struct sb_channel_method *m = &f->methods[i];
        if (!linked(f, m->outlet_id)) {
            if (!in->methods_set)
                return sb_fail(SB_EINVALID_FIELD, "outlets",
                               "outlet %lld serves method %s: keep it linked or change methods",
                               (long long)m->outlet_id, m->method);
            snprintf(field, sizeof(field), "methods[%zu].outlet_id", i);
            return sb_fail(SB_EINVALID_FIELD, field, "outlet %lld is not linked to the channel",
                           (long long)m->outlet_id);
        }
        for (size_t k = 0; in->methods_set && k < i; k++) {
            if (strcmp(f->methods[k].method, m->method) == 0) {
                snprintf(field, sizeof(field), "methods[%zu].method", i);
                return sb_fail(SB_EINVALID_FIELD, field, "method %s is listed twice", m->method);
            }
        }
    }
    return SB_OK;
}

/* Fills in the final state from the request over the stored one (or the defaults). */
static sb_err apply_input(struct sb_db *db, const struct sb_channel_input *in, struct final *f)
{
    if (in->name_set) {
        if (!in->name || !*in->name)
            return sb_fail(SB_EINVALID_FIELD, "name", "name must not be empty");
        f->name = in->name;
    }
    if (in->enabled_set)
        f->enabled = in->enabled;
    sb_err err = SB_OK;
    if (in->settings && !json_is_object(in->settings))
        err = sb_fail(SB_EINVALID_FIELD, "settings", "settings must be an object");
    if (!err && in->settings)
        err = sb_store_settings_merge(f->settings_json, &f->settings, in->settings);
    if (!err)
        err = sb_channel_settings_check(&f->settings);
    if (!err && in->credentials_set && in->credentials)
        err = sb_store_credentials_seal(in->credentials, &f->sealed);
    if (!err && in->outlets_set) {
        err = sb_store_links_check_outlets(db, in);
        f->outlet_ids = in->outlet_ids;
        f->n_outlets = in->n_outlets;
    }
    if (in->default_outlet_set)
        f->default_outlet_id = in->default_outlet_id;
    if (in->register_set)
        f->register_id = in->register_id;
    if (in->employee_set)
        f->employee_id = in->employee_id;
    if (in->locations_set) {
        f->locations = in->locations;
        f->n_locations = in->n_locations;
    }
    if (in->methods_set) {
        f->methods = in->methods;
        f->n_methods = in->n_methods;
    }
    return err ? err : check_references(db, in, f);
}

/* "name, settings.stock_sync, credentials, outlets": what a change touched, for the log.
 * Never a value: a credential's name at most. */
/* Appends ", s" (or s first), truncating at cap. */
static void append(char *buf, size_t cap, size_t *len, const char *s)
{
    for (const char *p = *len ? ", " : ""; *p && *len + 1 < cap; p++)
        buf[(*len)++] = *p;
    for (const char *p = s; *p && *len + 1 < cap; p++)
        buf[(*len)++] = *p;
    buf[*len] = '\0';
}

static void describe(const struct sb_channel_input *in, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
#define ADD(s) append(buf, cap, &len, (s))
    if (in->name_set)
        ADD("name");
    if (in->enabled_set)
        ADD(in->enabled ? "enabled" : "disabled");
    const char *key;
    json_t *v;
    json_object_foreach(in->settings, key, v)
    {
        char s[80];
        snprintf(s, sizeof(s), "settings.%s", key);
        ADD(s);
    }
    if (in->credentials_set)
        ADD(in->credentials ? "credentials" : "credentials removed");
    if (in->outlets_set)
        ADD("outlets");
    if (in->default_outlet_set)
        ADD("default_outlet_id");
    if (in->register_set)
        ADD("register_id");
    if (in->employee_set)
        ADD("employee_id");
    if (in->locations_set)
        ADD("locations");
    if (in->methods_set)
        ADD("methods");
#undef ADD
    if (!len)
        snprintf(buf, cap, "nothing");
}

sb_err sb_store_channel_create(struct sb_db *db, const struct sb_channel_input *in, int64_t *ret_id)
{
    if (!in->kind || !*in->kind)
        return sb_fail(SB_EMISSING_FIELD, "kind", "kind is required");
    if (strlen(in->kind) > SB_CHANNEL_KIND_MAX)
        return sb_fail(SB_EINVALID_FIELD, "kind", "kind is at most %d bytes", SB_CHANNEL_KIND_MAX);
    if (!in->name_set || !in->name)
        return sb_fail(SB_EMISSING_FIELD, "name", "name is required");
    struct final f = { .kind = in->kind, .enabled = true };
    sb_err err = sb_store_settings_read(NULL, &f.settings, &f.settings_json);
    if (!err && json_is_object(in->kind_defaults) &&
        json_object_update_missing(f.settings_json, in->kind_defaults))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (err) {
        json_decref(f.settings_json);
        return err;
    }
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    err = sb_db_begin(db);
    if (err) {
        json_decref(f.settings_json);
        return err;
    }
    err = apply_input(db, in, &f);
    char *settings = NULL;
    if (!err && !(settings = json_dumps(f.settings_json, JSON_COMPACT)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t id = 0;
    if (!err)
        err = sb_db_int(db, &id,
                        "INSERT INTO channels (kind, name, enabled, settings, credentials,"
                        " default_outlet_id, register_id, employee_id, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        "ssbssnnnss", f.kind, f.name, (int)f.enabled, settings, f.sealed,
                        f.default_outlet_id, f.register_id, f.employee_id, now, now);
    if (!err)
        err = sb_store_links_write(db, id, in);
    if (!err)
        err = sb_store_settings_history_add(db, id, now, settings);
    if (!err && f.enabled && f.settings.stock_sync) /* the first sync: every item */
        err = sb_store_sync_queue_all(db, id, "stock");
    if (!err && f.enabled && f.settings.use_pos_pricing)
        err = sb_store_sync_queue_all(db, id, "price");
    if (!err) {
        char what[512];
        describe(in, what, sizeof(what));
        err = sb_store_channel_log(db, id, "info", "channel.created", NULL,
                                   "channel created (%s): %s", f.kind, what);
    }
    free(settings);
    free(f.sealed);
    json_decref(f.settings_json);
    err = sb_db_end(db, err);
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_store_channel_update(struct sb_db *db, int64_t id, const struct sb_channel_input *in)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_db_begin(db);
    if (err) {
        sb_arena_free(a);
        return err;
    }
    struct final f = { 0 };
    struct sb_q q;
    err = sb_q_open(&q, db,
                    "SELECT kind, name, enabled, settings, default_outlet_id, register_id,"
                    " employee_id FROM channels WHERE id = ?",
                    "i", id);
    if (!err && sb_q_next(&q)) {
        f.kind = sb_arena_strdup(a, sb_q_text(&q, 0));
        f.name = sb_arena_strdup(a, sb_q_text(&q, 1));
        f.enabled = sb_q_int(&q, 2) != 0;
        q.err = sb_store_settings_read(sb_q_text(&q, 3), &f.settings, &f.settings_json);
        f.default_outlet_id = sb_q_int(&q, 4);
        f.register_id = sb_q_int(&q, 5);
        f.employee_id = sb_q_int(&q, 6);
    } else if (!err && !q.err) {
        q.err = sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id);
    }
    if (!err)
        err = sb_q_close(&q);
    if (!err && (!f.kind || !f.name))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err && in->kind && strcmp(in->kind, f.kind) != 0)
        err = sb_fail(SB_EINVALID_FIELD, "kind", "a channel's kind cannot change");
    int64_t *outlets = NULL;
    struct sb_channel_location *locations = NULL;
    struct sb_channel_method *methods = NULL;
    if (!err)
        err = sb_store_links_load(db, id, a, &outlets, &f.n_outlets, &locations, &f.n_locations,
                                  &methods, &f.n_methods);
    f.outlet_ids = outlets;
    f.locations = locations;
    f.methods = methods;
    bool was_syncing = f.enabled && f.settings.stock_sync;
    struct sb_channel_settings before = f.settings;
    bool was_enabled = f.enabled;
    if (!err)
        err = apply_input(db, in, &f);
    char *settings = NULL;
    if (!err && !(settings = json_dumps(f.settings_json, JSON_COMPACT)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE channels SET name = ?, enabled = ?, settings = ?,"
                         " credentials = CASE WHEN ? THEN ? ELSE credentials END,"
                         " default_outlet_id = ?, register_id = ?, employee_id = ?,"
                         " updated_at = ?, revision = revision + 1 WHERE id = ?",
                         "sbsbsnnnsi", f.name, (int)f.enabled, settings, (int)in->credentials_set,
                         f.sealed, f.default_outlet_id, f.register_id, f.employee_id, now, id);
    if (!err)
        err = sb_store_links_write(db, id, in);
    if (!err) /* M5: kept only when the settings changed */
        err = sb_store_settings_history_add(db, id, now, settings);
    /* new credentials may be another shop: its items are found again */
    if (!err && in->credentials_set)
        err = sb_db_exec(db, "DELETE FROM channel_items WHERE channel_id = ?", "i", id);
    /* stock sync turned on, what the channel stocks from or publishes changed: every item
     * again */
    if (!err && f.enabled && f.settings.stock_sync &&
        (!was_syncing || in->outlets_set || in->locations_set || in->credentials_set ||
         before.publish_on_hand != f.settings.publish_on_hand ||
         before.publish_on_order != f.settings.publish_on_order ||
         before.publish_reorder != f.settings.publish_reorder))
        err = sb_store_sync_queue_all(db, id, "stock");
    /* PR1-PR3: prices on, or what decides them changed: every item's price again */
    if (!err && f.enabled && f.settings.use_pos_pricing &&
        (!was_enabled || !before.use_pos_pricing || in->credentials_set ||
         before.regular_price_level_id != f.settings.regular_price_level_id ||
         before.sale_price_level_id != f.settings.sale_price_level_id ||
         before.sale_starts_at != f.settings.sale_starts_at ||
         before.sale_ends_at != f.settings.sale_ends_at))
        err = sb_store_sync_queue_all(db, id, "price");
    if (!err) {
        char what[512];
        describe(in, what, sizeof(what));
        err = sb_store_channel_log(db, id, "info", "channel.updated", NULL, "changed: %s", what);
    }
    free(settings);
    free(f.sealed);
    json_decref(f.settings_json);
    sb_arena_free(a);
    return sb_db_end(db, err);
}

/* ---- reading ---- */

static void set_id(json_t *o, const char *key, int64_t id)
{
    json_object_set_new(o, key, id ? json_integer(id) : json_null());
}

sb_err sb_store_channel_get(struct sb_db *db, int64_t id, json_t **ret)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT id, kind, name, enabled, settings, credentials IS NOT NULL,"
                           " default_outlet_id, register_id, employee_id, poll_cursor,"
                           " last_poll_at, created_at, updated_at FROM channels WHERE id = ?",
                           "i", id);
    if (err)
        return err;
    if (!sb_q_next(&q)) {
        err = sb_q_close(&q);
        return err ? err : sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id);
    }
    struct sb_channel_settings s;
    json_t *settings = NULL;
    err = sb_store_settings_read(sb_q_text(&q, 4), &s, &settings);
    bool has_credentials = sb_q_int(&q, 5) != 0;
    int64_t default_outlet = sb_q_int(&q, 6);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sb_q_int(&q, 0)));
    sb_json_set_str(o, "kind", sb_q_text(&q, 1));
    sb_json_set_str(o, "name", sb_q_text(&q, 2));
    json_object_set_new(o, "enabled", json_boolean(sb_q_int(&q, 3) != 0));
    json_object_set_new(o, "settings", settings);
    json_object_set_new(o, "has_credentials", json_boolean(has_credentials));
    set_id(o, "default_outlet_id", default_outlet);
    set_id(o, "register_id", sb_q_int(&q, 7));
    set_id(o, "employee_id", sb_q_int(&q, 8));
    sb_json_set_str(o, "poll_cursor", sb_q_text(&q, 9));
    sb_json_set_str(o, "last_poll_at", sb_q_text(&q, 10));
    sb_json_set_str(o, "created_at", sb_q_text(&q, 11));
    sb_json_set_str(o, "updated_at", sb_q_text(&q, 12));
    sb_err cerr = sb_q_close(&q);
    err = err ? err : cerr;

    json_t *outlets = NULL, *locations = NULL, *methods = NULL;
    if (!err)
        err = sb_store_links_json(db, id, &outlets, &locations, &methods);
    if (err) {
        json_decref(o);
        return err;
    }
    json_t *reasons = json_array();
    if (json_array_size(outlets) == 0)
        json_array_append_new(reasons, json_string("no outlet is linked"));
    if (!default_outlet)
        json_array_append_new(reasons, json_string("no default outlet"));
    if (!has_credentials)
        json_array_append_new(reasons, json_string("no credentials"));
    json_object_set_new(o, "outlets", outlets);
    json_object_set_new(o, "locations", locations);
    json_object_set_new(o, "methods", methods);
    json_object_set_new(o, "ready", json_boolean(json_array_size(reasons) == 0));
    json_object_set_new(o, "not_ready_reasons", reasons);
    char path[48];
    snprintf(path, sizeof(path), "/webhooks/%lld", (long long)id);
    json_object_set_new(o, "webhook_path", json_string(path));
    *ret = o;
    return SB_OK;
}

/* A channel is visible to admins, and to others when it serves one of their outlets; bound
 * with 'b' all outlets, then 'i' the user id. */
#define VISIBLE                                                           \
    "(? OR EXISTS (SELECT 1 FROM channel_outlets co JOIN user_outlets uo" \
    " ON uo.outlet_id = co.outlet_id WHERE co.channel_id = c.id AND uo.user_id = ?))"

sb_err sb_store_channel_list(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                             int64_t limit, json_t **ret)
{
    json_t *ids;
    sb_err err = sb_db_json_all(db, &ids,
                                "SELECT c.id FROM channels c WHERE c.id > ? AND " VISIBLE
                                " ORDER BY c.id LIMIT ?",
                                "ibii", after, scope->all_outlets, scope->user_id, limit);
    if (err)
        return err;
    json_t *rows = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(ids, i, row)
    {
        json_t *rec;
        err = sb_store_channel_get(db, json_integer_value(json_object_get(row, "id")), &rec);
        if (err)
            break;
        json_array_append_new(rows, rec);
    }
    json_decref(ids);
    if (err) {
        json_decref(rows);
        return err;
    }
    *ret = rows;
    return SB_OK;
}

/* Admins see every channel; others those linked to one of their outlets. */
sb_err sb_store_channel_visible(struct sb_db *db, const struct sb_scope *scope, int64_t id)
{
    int64_t got;
    sb_err err = sb_db_int(db, &got, "SELECT c.id FROM channels c WHERE c.id = ? AND " VISIBLE,
                           "ibi", id, scope->all_outlets, scope->user_id);
    return err == SB_ENOT_FOUND ? sb_fail(err, NULL, "no channel %lld", (long long)id) : err;
}

sb_err sb_store_channel_names(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                              int64_t limit, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT c.id, c.name, c.kind FROM channels c WHERE c.id > ? AND (? OR"
                          " EXISTS (SELECT 1 FROM channel_outlets co JOIN user_outlets uo"
                          " ON uo.outlet_id = co.outlet_id"
                          " WHERE co.channel_id = c.id AND uo.user_id = ?))"
                          " ORDER BY c.id LIMIT ?",
                          "ibii", after, scope->all_outlets, scope->user_id, limit);
}

sb_err sb_store_channel_revision(struct sb_db *db, int64_t id, int64_t *ret)
{
    sb_err err = sb_db_int(db, ret, "SELECT revision FROM channels WHERE id = ?", "i", id);
    return err == SB_ENOT_FOUND ? sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id)
                                : err;
}

sb_err sb_store_channel_kind(struct sb_db *db, int64_t id, char buf[SB_CHANNEL_KIND_MAX + 1])
{
    json_t *row = NULL;
    sb_err err = sb_db_json_one(db, &row, "SELECT kind FROM channels WHERE id = ?", "i", id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id);
    if (err)
        return err;
    snprintf(buf, SB_CHANNEL_KIND_MAX + 1, "%s",
             json_string_value(json_object_get(row, "kind"))
                 ? json_string_value(json_object_get(row, "kind"))
                 : "");
    json_decref(row);
    return SB_OK;
}

/* ---- the record for the sync layer ---- */

static void decref(void *p)
{
    json_decref(p);
}

/* The currency of the POS amounts the channel is sent: its default outlet's, else that of
 * its first outlet by priority, else USD. */
static sb_err load_currency(struct sb_db *db, struct sb_channel_record *rec, struct sb_arena *a)
{
    int64_t outlet = rec->default_outlet_id ? rec->default_outlet_id
                     : rec->n_outlets       ? rec->outlet_ids[0]
                                            : 0;
    json_t *row = NULL;
    rec->currency = "USD";
    if (!outlet)
        return SB_OK;
    sb_err err = sb_db_json_one(db, &row, "SELECT currency FROM outlets WHERE id = ?", "i", outlet);
    if (err == SB_ENOT_FOUND)
        return SB_OK;
    if (err)
        return err;
    const char *cur = json_string_value(json_object_get(row, "currency"));
    char *copy = cur ? sb_arena_strdup(a, cur) : NULL;
    json_decref(row);
    if (cur && !copy)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (copy)
        rec->currency = copy;
    return SB_OK;
}

sb_err sb_store_channel_record(struct sb_db *db, int64_t id, struct sb_arena *a,
                               struct sb_channel_record **ret)
{
    struct sb_channel_record *rec = sb_arena_alloc(a, sizeof(*rec));
    if (!rec)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    memset(rec, 0, sizeof(*rec));
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT kind, name, enabled, settings, credentials IS NOT NULL,"
                           " default_outlet_id, register_id, employee_id, poll_cursor,"
                           " last_poll_at, revision FROM channels WHERE id = ?",
                           "i", id);
    if (err)
        return err;
    if (!sb_q_next(&q)) {
        err = sb_q_close(&q);
        return err ? err : sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id);
    }
    json_t *settings = NULL;
    rec->id = id;
    rec->kind = sb_arena_strdup(a, sb_q_text(&q, 0));
    rec->name = sb_arena_strdup(a, sb_q_text(&q, 1));
    rec->enabled = sb_q_int(&q, 2) != 0;
    q.err = sb_store_settings_read(sb_q_text(&q, 3), &rec->settings, &settings);
    rec->has_credentials = sb_q_int(&q, 4) != 0;
    rec->default_outlet_id = sb_q_int(&q, 5);
    rec->register_id = sb_q_int(&q, 6);
    rec->employee_id = sb_q_int(&q, 7);
    rec->poll_cursor = sb_q_null(&q, 8) ? NULL : sb_arena_strdup(a, sb_q_text(&q, 8));
    rec->last_poll_at = sb_q_null(&q, 9) ? NULL : sb_arena_strdup(a, sb_q_text(&q, 9));
    rec->revision = sb_q_int(&q, 10);
    err = sb_q_close(&q);
    if (settings && !(rec->settings_json = sb_arena_defer(a, decref, settings))) {
        json_decref(settings);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (err)
        return err;
    if (!rec->kind || !rec->name || !rec->settings_json)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_store_links_load(db, id, a, &rec->outlet_ids, &rec->n_outlets, &rec->locations,
                              &rec->n_locations, &rec->methods, &rec->n_methods);
    if (!err)
        err = load_currency(db, rec, a);
    if (!err)
        err = sb_store_settings_history_load(db, id, a, &rec->settings_history);
    if (err)
        return err;
    *ret = rec;
    return SB_OK;
}
