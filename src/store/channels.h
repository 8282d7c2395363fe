/*
 * Channel records (portable SQL over the tables of migration 2): one
 * connected webstore with its settings, sealed credentials, linked outlets
 * in priority order, location and shipping-method links, default outlet,
 * online register and employee; the web orders it has seen (O10) and its
 * sync log. Also the run-time view of a channel the pipeline works with
 * (struct sb_channel_rt), credentials decrypted.
 *
 * Credentials are stored only sealed (util/secretbox.h) and never leave
 * this file except inside a struct sb_channel_rt: records built for the API
 * carry "has_credentials" instead.
 */
#ifndef SB_STORE_CHANNELS_H
#define SB_STORE_CHANNELS_H

#include "channel/channel.h"
#include "core/channel-settings.h"
#include "core/scope.h"
#include "store/db.h"
#include "util/arena.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_CHANNEL_MAX_OUTLETS   100
#define SB_CHANNEL_MAX_LINKS     500 /* locations, methods */
#define SB_CHANNEL_NAME_MAX      200
#define SB_CHANNEL_LINK_TEXT_MAX 200 /* location ids and names, method names */

/* SP3: a channel location stocked from an outlet (one location may list several). */
struct sb_channel_location {
    const char *location_id; /* as the channel names it: "gid://shopify/Location/1" or "1" */
    int64_t outlet_id;
    const char *name; /* may be NULL */
};

/* A1: a shipping method or pickup point tied to an outlet. */
struct sb_channel_method {
    const char *method; /* as the channel names it: "Store pickup", "Local delivery" */
    int64_t outlet_id;
    bool pickup;
};

/* A create, or a change (PATCH): each part says whether it was given. */
struct sb_channel_input {
    const char *kind; /* create only */
    const char *name;
    bool name_set;
    bool enabled, enabled_set;
    /* the settings given, merged key by key over the current ones (defaults on create);
     * borrowed; NULL: none given */
    json_t *settings;
    /* replaces the stored credentials whole; borrowed; NULL with credentials_set clears
     * them */
    json_t *credentials;
    bool credentials_set;
    const int64_t *outlet_ids; /* priority order, first = 1 */
    size_t n_outlets;
    bool outlets_set;
    int64_t default_outlet_id, register_id, employee_id; /* 0: null */
    bool default_outlet_set, register_set, employee_set;
    const struct sb_channel_location *locations;
    size_t n_locations;
    bool locations_set;
    const struct sb_channel_method *methods;
    size_t n_methods;
    bool methods_set;
};

/* Each runs in one transaction and logs "channel.created" / "channel.updated" to the
 * channel's log (naming what changed, never a credential's value). Errors name the
 * field: "kind" (no adapter), "settings.<name>", "credentials.<name>", "outlets[i]",
 * "default_outlet_id", "register_id", "employee_id", "locations[i].outlet_id",
 * "methods[i].method" ... */
sb_err sb_store_channel_create(struct sb_db *db, const struct sb_channel_input *in,
                               int64_t *ret_id);
/* SB_ENOT_FOUND for an unknown channel. */
sb_err sb_store_channel_update(struct sb_db *db, int64_t id, const struct sb_channel_input *in);

/* The record for the API: id, kind, name, enabled, settings (defaults filled in),
 * has_credentials, outlets [{outlet_id, priority}], default_outlet_id, register_id,
 * employee_id, locations, methods, ready, not_ready_reasons, webhook_path, poll_cursor,
 * last_poll_at, created_at, updated_at. No scope: callers on a user's behalf check
 * sb_store_channel_visible first. */
sb_err sb_store_channel_get(struct sb_db *db, int64_t id, json_t **ret);
/* The channels the scope may see (see sb_store_channel_visible), each as above. */
sb_err sb_store_channel_list(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                             int64_t limit, json_t **ret);

/* Web orders seen on a channel (O10), oldest first after an id; state NULL for all.
 * A channel the caller cannot see is SB_ENOT_FOUND: admins see every channel, others
 * the channels linked to at least one of their outlets. */
sb_err sb_store_channel_orders(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                               const char *state, int64_t after, int64_t limit, json_t **ret);
/* The sync log, newest first: rows older than `before` (0: from the newest). Same
 * visibility as the orders. */
sb_err sb_store_channel_log_list(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 int64_t before, int64_t limit, json_t **ret);

/* Settings as JSON: apply the names given in obj over s (strict: an unknown name is
 * SB_EINVALID_FIELD "settings.<name>"; not strict, for stored text: unknown names are
 * ignored), and the whole set back as an object. */
sb_err sb_channel_settings_apply(struct sb_channel_settings *s, json_t *obj, bool strict);
json_t *sb_channel_settings_json(const struct sb_channel_settings *s);

/*
 * A channel at run time, for the pipeline and the dispatcher. `ch` comes first so a
 * struct sb_channel * handed to an adapter can be turned back into this. Everything
 * lives in the arena given to sb_store_channel_load (JSON objects are released when
 * it is freed). ch.credentials holds the decrypted secrets: never log it.
 */
struct sb_channel_rt {
    struct sb_channel ch; /* ch.settings: every setting, defaults filled in */
    const struct sb_channel_ops *ops;
    bool enabled;
    bool has_credentials;                /* false: ch.credentials is an empty object */
    struct sb_channel_settings settings; /* ch.settings, typed */
    int64_t default_outlet_id, register_id, employee_id; /* 0: none */
    int64_t *outlet_ids;                                 /* priority order */
    size_t n_outlets;
    struct sb_channel_location *locations;
    size_t n_locations;
    struct sb_channel_method *methods;
    size_t n_methods;
    const char *poll_cursor;  /* NULL: never polled */
    const char *last_poll_at; /* NULL: never polled */
    int64_t revision;         /* bumped by every change to the channel's record or links */
};

/* SB_ENOT_FOUND unless the channel exists and the scope sees it (a user sees a channel
 * linked to one of their outlets). */
sb_err sb_store_channel_visible(struct sb_db *db, const struct sb_scope *scope, int64_t id);
/* The channels the caller can see (as sb_store_channel_visible), by id after `after`: only
 * id, name and kind, which is all staff may read of a channel; for naming the channel of
 * a sale and filtering sales by channel. */
sb_err sb_store_channel_names(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                              int64_t limit, json_t **ret);

/* The channel's current revision (compare with sb_channel_rt.revision). */
sb_err sb_store_channel_revision(struct sb_db *db, int64_t id, int64_t *ret);

/* SB_ENOT_FOUND for an unknown channel; SB_EINTERNAL when its credentials cannot be
 * opened (wrong key file) or its kind has no adapter. */
sb_err sb_store_channel_load(struct sb_db *db, int64_t id, struct sb_arena *a,
                             struct sb_channel_rt **ret);

/* Appends to the channel's sync log. level: "info", "warn" or "error". The message is
 * truncated at 1000 bytes. Never put a secret in it. */
sb_err sb_store_channel_log(struct sb_db *db, int64_t channel_id, const char *level,
                            const char *event, const char *external_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Records a poll: last_poll_at = now and, when cursor is not NULL, poll_cursor = cursor.
 * SB_ENOT_FOUND for an unknown channel. */
sb_err sb_store_channel_set_cursor(struct sb_db *db, int64_t id, const char *cursor);

/* Enabled channels whose next poll is due at `now` (never polled, or last polled
 * poll_interval_seconds ago or more; after a failed poll, once its backed-off retry time
 * has come, I9) and that download orders, oldest poll first; at most cap ids. */
sb_err sb_store_channel_poll_due(struct sb_db *db, int64_t now, int64_t *ids, size_t cap,
                                 size_t *ret_n);

#endif
