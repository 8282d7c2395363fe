/*
 * The checks of a channel's settings and credentials against its kind's
 * descriptions (channel-edit.h), by util/fields.h: each value given is
 * checked by its description and kept normalised; what the store receives is
 * the cleaned copy.
 */
#include "sync/channel-edit.h"
#include "sync/connect.h"

#include "store/connections.h"

#include "channel/channel.h"

#include <stdio.h>
#include <string.h>

static const struct sb_channel_ops *kind_of(const char *kind)
{
    const struct sb_channel_ops *ops = sb_channel_ops_for(kind);
    if (!ops)
        sb_fail(SB_EINVALID_FIELD, "kind", "no adapter for kind %s yet", kind);
    return ops;
}

/* The settings given, checked against the common descriptions and the kind's, as a clean
 * new object (a kind's text setting given as null stays null: its default again). */
static sb_err check_settings(const struct sb_channel_ops *ops, json_t *given, json_t **ret)
{
    if (!json_is_object(given))
        return sb_fail(SB_EINVALID_FIELD, "settings", "settings must be an object");
    json_t *clean = json_object();
    if (!clean)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    const char *key;
    json_t *v;
    sb_err err = SB_OK;
    json_object_foreach(given, key, v)
    {
        char path[80];
        snprintf(path, sizeof(path), "settings.%s", key);
        const struct sb_field *f = sb_field_find(sb_channel_common_settings, key);
        if (!f)
            f = sb_field_find(ops->settings, key);
        if (!f) {
            err = sb_fail(SB_EINVALID_FIELD, path, "unknown setting %s", key);
            break;
        }
        json_t *kept = NULL;
        if ((err = sb_field_check(f, v, path, &kept)))
            break;
        if (json_object_set_new(clean, key, kept ? kept : json_null())) {
            err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
    }
    if (err) {
        json_decref(clean);
        return err;
    }
    *ret = clean;
    return SB_OK;
}

/* The credentials given, checked against the kind's descriptions, as a clean new object
 * (optional ones given as null left out). */
static sb_err check_credentials(const struct sb_channel_ops *ops, json_t *given, json_t **ret)
{
    if (!json_is_object(given))
        return sb_fail(SB_EINVALID_FIELD, "credentials", "credentials must be an object");
    json_t *clean = json_object();
    if (!clean)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    char path[80];
    const char *key;
    json_t *v;
    sb_err err = SB_OK;
    json_object_foreach(given, key, v)
    {
        snprintf(path, sizeof(path), "credentials.%s", key);
        const struct sb_field *f = sb_field_find(ops->credentials, key);
        if (!f) {
            err = sb_fail(SB_EINVALID_FIELD, path, "unknown credential %s for a %s channel", key,
                          ops->kind);
            break;
        }
        json_t *kept = NULL;
        if ((err = sb_field_check(f, v, path, &kept)))
            break;
        if (kept && json_object_set_new(clean, key, kept)) {
            err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
    }
    for (const struct sb_field *f = ops->credentials; !err && f->name; f++) {
        if (f->required && !json_object_get(clean, f->name)) {
            snprintf(path, sizeof(path), "credentials.%s", f->name);
            err = sb_fail(SB_EMISSING_FIELD, path, "%s is required for a %s channel", path,
                          ops->kind);
        }
    }
    if (err) {
        json_decref(clean);
        return err;
    }
    *ret = clean;
    return SB_OK;
}

/* The input with its settings and credentials checked and cleaned (references in
 * ret_settings and ret_credentials, to release). */
static sb_err check_input(const struct sb_channel_ops *ops, const struct sb_channel_input *in,
                          struct sb_channel_input *ret, json_t **ret_settings,
                          json_t **ret_credentials)
{
    *ret = *in;
    *ret_settings = *ret_credentials = NULL;
    sb_err err = SB_OK;
    if (in->settings)
        err = check_settings(ops, in->settings, ret_settings);
    if (!err && in->credentials_set && in->credentials)
        err = check_credentials(ops, in->credentials, ret_credentials);
    ret->settings = *ret_settings;
    ret->credentials = *ret_credentials;
    return err;
}

sb_err sb_sync_channel_create(struct sb_db *db, const struct sb_channel_input *in, int64_t *ret_id)
{
    if (!in->kind || !*in->kind)
        return sb_fail(SB_EMISSING_FIELD, "kind", "kind is required");
    const struct sb_channel_ops *ops = kind_of(in->kind);
    if (!ops)
        return SB_EINVALID_FIELD;
    struct sb_channel_input checked;
    json_t *settings, *credentials;
    sb_err err = check_input(ops, in, &checked, &settings, &credentials);
    /* the kind's own defaults are stored with the channel, as the common ones are: the
     * store's rules read some of them (push_statuses, on by default: L2) */
    json_t *defaults = err ? NULL : json_object();
    if (!err && (!defaults || sb_channel_kind_fill_settings(ops, defaults)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    checked.kind_defaults = defaults;
    if (!err)
        err = sb_store_channel_create(db, &checked, ret_id);
    /* a kind that connects as an app checks its access and sets up its webhooks; the channel
     * is made whether or not the call could be queued (the poller's pass connects it) */
    if (!err && sb_sync_queue_connect(db, ops, *ret_id, checked.settings))
        sb_err_clear();
    json_decref(settings);
    json_decref(credentials);
    json_decref(defaults);
    return err;
}

sb_err sb_sync_channel_update(struct sb_db *db, int64_t id, const struct sb_channel_input *in)
{
    char kind[SB_CHANNEL_KIND_MAX + 1];
    sb_err err = sb_store_channel_kind(db, id, kind);
    if (err)
        return err;
    const struct sb_channel_ops *ops = kind_of(kind);
    if (!ops) /* a kind stockbridge no longer has: nothing can be checked against it */
        return SB_EINVALID_FIELD;
    struct sb_channel_input checked;
    json_t *settings, *credentials;
    err = check_input(ops, in, &checked, &settings, &credentials);
    if (!err)
        err = sb_store_channel_update(db, id, &checked);
    if (!err && (in->credentials_set || in->settings)) { /* connected again as changed */
        json_t *rec = NULL;
        if (sb_store_channel_get(db, id, &rec) ||
            sb_sync_queue_connect(db, ops, id, json_object_get(rec, "settings")))
            sb_err_clear();
        json_decref(rec);
    }
    json_decref(settings);
    json_decref(credentials);
    return err;
}

/* The kind's defaults into a record's settings; an inbound kind's connection (E1) beside
 * them. */
static sb_err fill(struct sb_db *db, json_t *rec)
{
    const struct sb_channel_ops *ops =
        sb_channel_ops_for(json_string_value(json_object_get(rec, "kind")));
    sb_err err = ops ? sb_channel_kind_fill_settings(ops, json_object_get(rec, "settings")) : SB_OK;
    json_t *conn = NULL;
    if (!err && ops && (ops->caps & SB_CH_INBOUND))
        err = sb_store_connection_json(db, json_integer_value(json_object_get(rec, "id")), &conn);
    if (conn && json_object_set_new(rec, "connection", conn))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    return err;
}

sb_err sb_sync_channel_get(struct sb_db *db, int64_t id, json_t **ret)
{
    json_t *rec = NULL;
    sb_err err = sb_store_channel_get(db, id, &rec);
    if (!err)
        err = fill(db, rec);
    if (err) {
        json_decref(rec);
        return err;
    }
    *ret = rec;
    return SB_OK;
}

sb_err sb_sync_channel_list(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                            int64_t limit, json_t **ret)
{
    json_t *rows = NULL;
    sb_err err = sb_store_channel_list(db, scope, after, limit, &rows);
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        if (!err)
            err = fill(db, rec);
    }
    if (err) {
        json_decref(rows);
        return err;
    }
    *ret = rows;
    return SB_OK;
}
