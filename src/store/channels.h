/*
 * Channel records (portable SQL over the tables of migration 2): one
 * connected webstore with its kind (a name: what a kind means is the channel
 * layer's, which the store never consults), settings, sealed credentials,
 * linked outlets in priority order, location and shipping-method links,
 * default outlet, online register and employee. Records come back as JSON
 * for the API and as a plain struct of columns for the sync layer, which
 * builds the run-time channel from it (sync/channel-cache.h).
 *
 * The settings and credentials given here were checked above the store
 * against the kind's descriptions (sync/channel-edit.c); the store applies
 * the rules that need the database or hold across settings (PR2, PR3, the
 * links' outlets, the referenced records), seals the credentials
 * (store/channel-credentials.h) and stores. Records for the API carry
 * "has_credentials", never the credentials.
 */
#ifndef SB_STORE_CHANNELS_H
#define SB_STORE_CHANNELS_H

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
#define SB_CHANNEL_KIND_MAX      32
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
    /* the settings given, checked against the kind's descriptions, merged name by name
     * over the current ones (defaults on create); borrowed; NULL: none given */
    json_t *settings;
    /* create only: the kind's own settings' defaults, stored beneath the settings given (the
     * common ones' defaults are the store's); borrowed; NULL: none */
    json_t *kind_defaults;
    /* replaces the stored credentials whole, checked against the kind's descriptions;
     * borrowed; NULL with credentials_set clears them */
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
 * field: "kind", "name", "settings.<name>", "outlets[i]", "default_outlet_id",
 * "register_id", "employee_id", "locations[i].outlet_id", "methods[i].method" ... */
sb_err sb_store_channel_create(struct sb_db *db, const struct sb_channel_input *in,
                               int64_t *ret_id);
/* SB_ENOT_FOUND for an unknown channel; a kind given must be the channel's. */
sb_err sb_store_channel_update(struct sb_db *db, int64_t id, const struct sb_channel_input *in);

/* The kind of a channel, copied into buf. SB_ENOT_FOUND for an unknown channel. */
sb_err sb_store_channel_kind(struct sb_db *db, int64_t id, char buf[SB_CHANNEL_KIND_MAX + 1]);

/* The record for the API: id, kind, name, enabled, settings (the common ones with their
 * defaults, and the kind's as stored), has_credentials, outlets [{outlet_id, priority}],
 * default_outlet_id, register_id, employee_id, locations, methods, ready,
 * not_ready_reasons, webhook_path, poll_cursor, last_poll_at, created_at, updated_at. No
 * scope: callers on a user's behalf check sb_store_channel_visible first. */
sb_err sb_store_channel_get(struct sb_db *db, int64_t id, json_t **ret);
/* The channels the scope may see (see sb_store_channel_visible), each as above. */
sb_err sb_store_channel_list(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                             int64_t limit, json_t **ret);

/* SB_ENOT_FOUND unless the channel exists and the scope sees it (admins see every channel,
 * others the channels linked to at least one of their outlets). */
sb_err sb_store_channel_visible(struct sb_db *db, const struct sb_scope *scope, int64_t id);
/* The channels the caller can see (as sb_store_channel_visible), by id after `after`: only
 * id, name and kind, which is all staff may read of a channel; for naming the channel of
 * a sale and filtering sales by channel. */
sb_err sb_store_channel_names(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                              int64_t limit, json_t **ret);

/* The channel's current revision, bumped by every change to its record or links. */
sb_err sb_store_channel_revision(struct sb_db *db, int64_t id, int64_t *ret);

/*
 * A channel's record as plain columns, for the sync layer's run-time channel
 * (sync/channel-cache.h). Everything lives in the arena (settings_json is released when
 * it is freed); no credentials (store/channel-credentials.h opens them).
 */
struct sb_channel_record {
    int64_t id;
    const char *kind, *name;
    bool enabled;
    bool has_credentials;
    struct sb_channel_settings settings; /* the common settings, typed */
    json_t *settings_json; /* every setting: the common ones with defaults, the kind's as
                            * stored */
    int64_t default_outlet_id, register_id, employee_id; /* 0: none */
    int64_t *outlet_ids;                                 /* priority order */
    size_t n_outlets;
    struct sb_channel_location *locations; /* sorted by location id, then outlet */
    size_t n_locations;
    struct sb_channel_method *methods;
    size_t n_methods;
    const char *poll_cursor;  /* NULL: never polled */
    const char *last_poll_at; /* NULL: never polled */
    int64_t revision;
    json_t *settings_history; /* M5: [{since, settings}], oldest first (settings-history.h) */
    const char *currency;     /* of the POS amounts the channel is sent: its default outlet's,
                           * else its first outlet's by priority, else "USD" */
};
/* SB_ENOT_FOUND for an unknown channel. */
sb_err sb_store_channel_record(struct sb_db *db, int64_t id, struct sb_arena *a,
                               struct sb_channel_record **ret);

#endif
