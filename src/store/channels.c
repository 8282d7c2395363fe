/*
 * Channel records, their links and logs, and the run-time view the pipeline
 * loads (see channels.h); also the code of core/channel-settings.h.
 *
 * A create or a change is validated as a whole against the state it would
 * produce, inside its write transaction: the final outlet list decides
 * whether the default outlet, the register, the locations and the methods
 * still point at linked outlets, whichever part of the request changed.
 * Credentials are sealed before they reach SQL and opened only by
 * sb_store_channel_load.
 */
#include "store/channels.h"
#include "store/stock-queue.h"
#include "util/jsonx.h"
#include "util/secretbox.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- settings (core/channel-settings.h) ---- */

void sb_channel_settings_defaults(struct sb_channel_settings *s)
{
    *s = (struct sb_channel_settings){
        .notifications = true,
        .auto_fulfillment = true,
        .take_fulfillments = false,
        .stock_sync = true,
        .use_pos_pricing = false,
        .download_orders = true,
        .poll_interval_seconds = SB_POLL_INTERVAL_DEFAULT,
        .publish_on_hand = true,
    };
}

sb_err sb_channel_settings_check(const struct sb_channel_settings *s)
{
    if (s->use_pos_pricing && !s->regular_price_level_id)
        return sb_fail(SB_EMISSING_FIELD, "settings.regular_price_level_id",
                       "a regular price level is required when use_pos_pricing is on");
    if (s->poll_interval_seconds < SB_POLL_INTERVAL_MIN ||
        s->poll_interval_seconds > SB_POLL_INTERVAL_MAX)
        return sb_fail(SB_EINVALID_FIELD, "settings.poll_interval_seconds",
                       "settings.poll_interval_seconds must be between %d and %d",
                       SB_POLL_INTERVAL_MIN, SB_POLL_INTERVAL_MAX);
    if (s->sale_ends_at && (!s->sale_starts_at || s->sale_ends_at <= s->sale_starts_at))
        return sb_fail(SB_EINVALID_FIELD, "settings.sale_ends_at",
                       "settings.sale_ends_at must come after settings.sale_starts_at");
    return SB_OK;
}

enum setting_type {
    SET_BOOL,
    SET_LEVEL,
    SET_INT,
    SET_TIME
};

/* One row per setting: the JSON name is the field name, in the order records show. */
static const struct setting {
    const char *name;
    enum setting_type type;
    size_t off;
} settings_table[] = {
#define S(name, type)                                           \
    {                                                           \
#name, type, offsetof(struct sb_channel_settings, name) \
    }
    S(download_orders, SET_BOOL),
    S(notifications, SET_BOOL),
    S(auto_fulfillment, SET_BOOL),
    S(take_fulfillments, SET_BOOL),
    S(stock_sync, SET_BOOL),
    S(use_pos_pricing, SET_BOOL),
    S(regular_price_level_id, SET_LEVEL),
    S(sale_price_level_id, SET_LEVEL),
    S(poll_interval_seconds, SET_INT),
    S(publish_on_hand, SET_BOOL),
    S(publish_on_order, SET_BOOL),
    S(publish_reorder, SET_BOOL),
    S(sale_starts_at, SET_TIME),
    S(sale_ends_at, SET_TIME),
#undef S
};
#define N_SETTINGS (sizeof(settings_table) / sizeof(settings_table[0]))

sb_err sb_channel_settings_apply(struct sb_channel_settings *s, json_t *obj, bool strict)
{
    if (!json_is_object(obj))
        return strict ? sb_fail(SB_EINVALID_FIELD, "settings", "settings must be an object")
                      : SB_OK;
    struct sb_channel_settings out = *s;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char field[80];
        snprintf(field, sizeof(field), "settings.%s", key);
        const struct setting *st = NULL;
        for (size_t i = 0; i < N_SETTINGS && !st; i++)
            if (strcmp(settings_table[i].name, key) == 0)
                st = &settings_table[i];
        if (!st) {
            if (strict)
                return sb_fail(SB_EINVALID_FIELD, field, "unknown setting %s", key);
            continue;
        }
        char *p = (char *)&out + st->off;
        switch (st->type) {
        case SET_BOOL:
            if (json_is_boolean(v))
                *(bool *)p = json_is_true(v);
            else if (strict)
                return sb_fail(SB_EINVALID_FIELD, field, "%s must be true or false", field);
            break;
        case SET_LEVEL:
            if (json_is_null(v))
                *(int64_t *)p = 0;
            else if (json_is_integer(v) && json_integer_value(v) > 0)
                *(int64_t *)p = json_integer_value(v);
            else if (strict)
                return sb_fail(SB_EINVALID_FIELD, field, "%s must be a price level id or null",
                               field);
            break;
        case SET_INT:
            if (json_is_integer(v) && json_integer_value(v) >= SB_POLL_INTERVAL_MIN &&
                json_integer_value(v) <= SB_POLL_INTERVAL_MAX)
                *(int64_t *)p = json_integer_value(v);
            else if (strict)
                return sb_fail(SB_EINVALID_FIELD, field, "%s must be an integer from %d to %d",
                               field, SB_POLL_INTERVAL_MIN, SB_POLL_INTERVAL_MAX);
            break;
        case SET_TIME: {
            int64_t t = 0;
            if (json_is_null(v))
                *(int64_t *)p = 0;
            else if (json_is_string(v) && sb_time_parse(json_string_value(v), &t) && t > 0)
                *(int64_t *)p = t;
            else if (strict)
                return sb_fail(SB_EINVALID_FIELD, field,
                               "%s must be a UTC time (2026-11-27T00:00:00Z) or null", field);
            break;
        }
        }
    }
    *s = out;
    return SB_OK;
}

json_t *sb_channel_settings_json(const struct sb_channel_settings *s)
{
    json_t *o = json_object();
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting *st = &settings_table[i];
        const char *p = (const char *)s + st->off;
        json_t *v = NULL;
        switch (st->type) {
        case SET_BOOL:
            v = json_boolean(*(const bool *)p);
            break;
        case SET_LEVEL:
            v = *(const int64_t *)p ? json_integer(*(const int64_t *)p) : json_null();
            break;
        case SET_INT:
            v = json_integer(*(const int64_t *)p);
            break;
        case SET_TIME: {
            char t[SB_TIME_LEN];
            sb_time_format(*(const int64_t *)p, t, sizeof(t));
            v = *(const int64_t *)p ? json_string(t) : json_null();
            break;
        }
        }
        json_object_set_new(o, st->name, v);
    }
    return o;
}

/* Settings stored as text, over the defaults (a setting added later gets its default). */
static void settings_from_text(const char *text, struct sb_channel_settings *s)
{
    sb_channel_settings_defaults(s);
    json_t *obj = text ? json_loads(text, 0, NULL) : NULL;
    (void)sb_channel_settings_apply(s, obj, false);
    json_decref(obj);
}

/* ---- credentials (core/channel-settings.h) ---- */

static const struct sb_credential_field shopify_credentials[] = {
    { "shop_domain", SB_CRED_HOST, true },
    { "access_token", SB_CRED_SECRET, true },
    { "webhook_secret", SB_CRED_SECRET, true },
    { "base_url", SB_CRED_URL, false }, /* another API host: the fakestore, a proxy */
    { NULL, SB_CRED_SECRET, false },
};

static const struct {
    const char *kind;
    const struct sb_credential_field *fields;
} credential_kinds[] = {
    { "shopify", shopify_credentials },
};

const struct sb_credential_field *sb_channel_credential_fields(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof(credential_kinds) / sizeof(credential_kinds[0]); i++)
        if (strcmp(credential_kinds[i].kind, kind) == 0)
            return credential_kinds[i].fields;
    return NULL;
}

static bool host_ok(const char *s, size_t len)
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
static bool url_ok(const char *s)
{
    const char *rest = strncmp(s, "https://", 8) == 0  ? s + 8
                       : strncmp(s, "http://", 7) == 0 ? s + 7
                                                       : NULL;
    if (!rest)
        return false;
    size_t auth = strcspn(rest, "/?#");
    const char *colon = memchr(rest, ':', auth);
    size_t hlen = colon ? (size_t)(colon - rest) : auth;
    if (!host_ok(rest, hlen))
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

sb_err sb_credential_check(const struct sb_credential_field *f, const char *value,
                           const char *field)
{
    size_t len = strlen(value);
    if (len == 0)
        return sb_fail(SB_EINVALID_FIELD, field, "%s must not be empty", field);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)value[i] < ' ' || (unsigned char)value[i] == 0x7f)
            return sb_fail(SB_EINVALID_FIELD, field, "%s contains a control character", field);
    switch (f->type) {
    case SB_CRED_SECRET:
        return SB_OK;
    case SB_CRED_HOST:
        return host_ok(value, len)
                   ? SB_OK
                   : sb_fail(SB_EINVALID_FIELD, field,
                             "%s must be a host name such as shop.myshopify.com", field);
    case SB_CRED_URL:
        return url_ok(value) ? SB_OK
                             : sb_fail(SB_EINVALID_FIELD, field,
                                       "%s must be an http:// or https:// URL", field);
    }
    return SB_OK;
}

/* Checks credentials against the kind's fields and seals them (*ret_sealed malloc'd). */
static sb_err seal_credentials(const char *kind, json_t *cred, char **ret_sealed)
{
    const struct sb_credential_field *fields = sb_channel_credential_fields(kind);
    if (!fields)
        return sb_fail(SB_EINVALID_FIELD, "kind", "no credentials are known for kind %s", kind);
    if (!json_is_object(cred))
        return sb_fail(SB_EINVALID_FIELD, "credentials", "credentials must be an object");
    char field[80];
    const char *key;
    json_t *v;
    json_t *clean = json_object();
    sb_err err = SB_OK;
    json_object_foreach(cred, key, v)
    {
        snprintf(field, sizeof(field), "credentials.%s", key);
        const struct sb_credential_field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            err = sb_fail(SB_EINVALID_FIELD, field, "unknown credential %s for a %s channel", key,
                          kind);
            break;
        }
        if (json_is_null(v) && !f->required)
            continue;
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
            json_string_length(v) > SB_STR_MAX) {
            err = sb_fail(SB_EINVALID_FIELD, field, "%s must be a string of at most %d bytes",
                          field, SB_STR_MAX);
            break;
        }
        err = sb_credential_check(f, json_string_value(v), field);
        if (err)
            break;
        json_object_set(clean, key, v);
    }
    for (const struct sb_credential_field *f = fields; !err && f->name; f++) {
        if (f->required && !json_object_get(clean, f->name)) {
            snprintf(field, sizeof(field), "credentials.%s", f->name);
            err = sb_fail(SB_EMISSING_FIELD, field, "%s is required for a %s channel", field, kind);
        }
    }
    char *plain = NULL;
    if (!err && !(plain = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    json_decref(clean);
    if (!err)
        err = sb_secret_seal(plain, ret_sealed);
    if (plain) {
        sodium_memzero(plain, strlen(plain));
        free(plain);
    }
    return err;
}

/* ---- create and update ---- */

/* The state a create or change would leave, checked before anything is written. */
struct final {
    const char *kind, *name;
    bool enabled;
    struct sb_channel_settings settings;
    char *sealed; /* malloc'd new credentials, or NULL */
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

static sb_err check_outlets(struct sb_db *db, const struct sb_channel_input *in)
{
    char field[48];
    for (size_t i = 0; i < in->n_outlets; i++) {
        snprintf(field, sizeof(field), "outlets[%zu]", i);
        for (size_t k = 0; k < i; k++)
            if (in->outlet_ids[k] == in->outlet_ids[i])
                return sb_fail(SB_EINVALID_FIELD, field, "outlet %lld is listed twice",
                               (long long)in->outlet_ids[i]);
        bool ok;
        sb_err err =
            exists(db, "SELECT COUNT(*) FROM outlets WHERE id = ?", in->outlet_ids[i], &ok);
        if (err)
            return err;
        if (!ok)
            return sb_fail(SB_EUNKNOWN_REFERENCE, field, "no outlet %lld",
                           (long long)in->outlet_ids[i]);
    }
    return SB_OK;
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
    if (in->settings)
        err = sb_channel_settings_apply(&f->settings, in->settings, true);
    if (!err)
        err = sb_channel_settings_check(&f->settings);
    if (!err && in->credentials_set && in->credentials)
        err = seal_credentials(f->kind, in->credentials, &f->sealed);
    if (!err && in->outlets_set) {
        err = check_outlets(db, in);
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

static sb_err write_links(struct sb_db *db, int64_t id, const struct sb_channel_input *in)
{
    sb_err err = SB_OK;
    if (in->outlets_set) {
        err = sb_db_exec(db, "DELETE FROM channel_outlets WHERE channel_id = ?", "i", id);
        for (size_t i = 0; !err && i < in->n_outlets; i++)
            err = sb_db_exec(
                db,
                "INSERT INTO channel_outlets (channel_id, outlet_id, priority) VALUES (?, ?, ?)",
                "iii", id, in->outlet_ids[i], (int64_t)(i + 1));
    }
    if (!err && in->locations_set) {
        err = sb_db_exec(db, "DELETE FROM channel_locations WHERE channel_id = ?", "i", id);
        for (size_t i = 0; !err && i < in->n_locations; i++)
            err = sb_db_exec(db,
                             "INSERT INTO channel_locations (channel_id, location_id, outlet_id,"
                             " name) VALUES (?, ?, ?, ?)",
                             "isis", id, in->locations[i].location_id, in->locations[i].outlet_id,
                             in->locations[i].name);
    }
    if (!err && in->methods_set) {
        err = sb_db_exec(db, "DELETE FROM channel_methods WHERE channel_id = ?", "i", id);
        for (size_t i = 0; !err && i < in->n_methods; i++)
            err = sb_db_exec(db,
                             "INSERT INTO channel_methods (channel_id, method, outlet_id, pickup)"
                             " VALUES (?, ?, ?, ?)",
                             "isib", id, in->methods[i].method, in->methods[i].outlet_id,
                             (int)in->methods[i].pickup);
    }
    return err;
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

static char *settings_text(const struct sb_channel_settings *s)
{
    json_t *o = sb_channel_settings_json(s);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

sb_err sb_store_channel_create(struct sb_db *db, const struct sb_channel_input *in, int64_t *ret_id)
{
    if (!in->kind || !*in->kind)
        return sb_fail(SB_EMISSING_FIELD, "kind", "kind is required");
    if (!sb_channel_ops_for(in->kind) || !sb_channel_credential_fields(in->kind))
        return sb_fail(SB_EINVALID_FIELD, "kind", "no adapter for kind %s yet", in->kind);
    if (!in->name_set || !in->name)
        return sb_fail(SB_EMISSING_FIELD, "name", "name is required");
    struct final f = { .kind = in->kind, .enabled = true };
    sb_channel_settings_defaults(&f.settings);
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = apply_input(db, in, &f);
    char *settings = NULL;
    if (!err && !(settings = settings_text(&f.settings)))
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
        err = write_links(db, id, in);
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
    err = sb_db_end(db, err);
    if (!err)
        *ret_id = id;
    return err;
}

/* Room for one more element in an arena array, doubling it when full (the old block
 * stays in the arena until it is freed). NULL when out of memory. */
static void *grow(struct sb_arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
    if (arr && n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = sb_arena_alloc(a, ncap * size);
    if (p && arr)
        memcpy(p, arr, n * size);
    if (p)
        *cap = ncap;
    return p;
}

/* The outlets (priority order), locations and methods, one statement each. */
static sb_err load_links(struct sb_db *db, int64_t id, struct sb_arena *a, int64_t **ret_outlets,
                         size_t *ret_n_outlets, struct sb_channel_location **ret_locations,
                         size_t *ret_n_locations, struct sb_channel_method **ret_methods,
                         size_t *ret_n_methods)
{
    int64_t *outlets = NULL;
    struct sb_channel_location *locs = NULL;
    struct sb_channel_method *meths = NULL;
    size_t no = 0, nl = 0, nm = 0, cap = 0;
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT outlet_id FROM channel_outlets WHERE channel_id = ?"
                           " ORDER BY priority",
                           "i", id);
    while (!err && sb_q_next(&q)) {
        if (!(outlets = grow(a, outlets, no, &cap, sizeof(*outlets))))
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
        else
            outlets[no++] = sb_q_int(&q, 0);
    }
    if (!err)
        err = sb_q_close(&q);

    cap = 0;
    if (!err)
        err = sb_q_open(&q, db,
                        "SELECT location_id, outlet_id, name FROM channel_locations"
                        " WHERE channel_id = ? ORDER BY location_id, outlet_id",
                        "i", id);
    while (!err && sb_q_next(&q)) {
        if (!(locs = grow(a, locs, nl, &cap, sizeof(*locs)))) {
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            continue;
        }
        locs[nl].location_id = sb_arena_strdup(a, sb_q_text(&q, 0));
        locs[nl].outlet_id = sb_q_int(&q, 1);
        locs[nl].name = sb_q_null(&q, 2) ? NULL : sb_arena_strdup(a, sb_q_text(&q, 2));
        if (!locs[nl++].location_id)
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (!err)
        err = sb_q_close(&q);

    cap = 0;
    if (!err)
        err = sb_q_open(&q, db,
                        "SELECT method, outlet_id, pickup FROM channel_methods"
                        " WHERE channel_id = ? ORDER BY method",
                        "i", id);
    while (!err && sb_q_next(&q)) {
        if (!(meths = grow(a, meths, nm, &cap, sizeof(*meths)))) {
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            continue;
        }
        meths[nm].method = sb_arena_strdup(a, sb_q_text(&q, 0));
        meths[nm].outlet_id = sb_q_int(&q, 1);
        meths[nm].pickup = sb_q_int(&q, 2) != 0;
        if (!meths[nm++].method)
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (!err)
        err = sb_q_close(&q);
    if (err)
        return err;
    *ret_outlets = outlets;
    *ret_n_outlets = no;
    *ret_locations = locs;
    *ret_n_locations = nl;
    *ret_methods = meths;
    *ret_n_methods = nm;
    return SB_OK;
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
        settings_from_text(sb_q_text(&q, 3), &f.settings);
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
        err = load_links(db, id, a, &outlets, &f.n_outlets, &locations, &f.n_locations, &methods,
                         &f.n_methods);
    f.outlet_ids = outlets;
    f.locations = locations;
    f.methods = methods;
    bool was_syncing = f.enabled && f.settings.stock_sync;
    struct sb_channel_settings before = f.settings;
    bool was_enabled = f.enabled;
    if (!err)
        err = apply_input(db, in, &f);
    char *settings = NULL;
    if (!err && !(settings = settings_text(&f.settings)))
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
        err = write_links(db, id, in);
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
    settings_from_text(sb_q_text(&q, 4), &s);
    bool has_credentials = sb_q_int(&q, 5) != 0;
    int64_t default_outlet = sb_q_int(&q, 6);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sb_q_int(&q, 0)));
    sb_json_set_str(o, "kind", sb_q_text(&q, 1));
    sb_json_set_str(o, "name", sb_q_text(&q, 2));
    json_object_set_new(o, "enabled", json_boolean(sb_q_int(&q, 3) != 0));
    json_object_set_new(o, "settings", sb_channel_settings_json(&s));
    json_object_set_new(o, "has_credentials", json_boolean(has_credentials));
    set_id(o, "default_outlet_id", default_outlet);
    set_id(o, "register_id", sb_q_int(&q, 7));
    set_id(o, "employee_id", sb_q_int(&q, 8));
    sb_json_set_str(o, "poll_cursor", sb_q_text(&q, 9));
    sb_json_set_str(o, "last_poll_at", sb_q_text(&q, 10));
    sb_json_set_str(o, "created_at", sb_q_text(&q, 11));
    sb_json_set_str(o, "updated_at", sb_q_text(&q, 12));
    err = sb_q_close(&q);

    json_t *outlets = NULL, *locations = NULL, *methods = NULL;
    if (!err)
        err = sb_db_json_all(db, &outlets,
                             "SELECT outlet_id, priority FROM channel_outlets WHERE channel_id = ?"
                             " ORDER BY priority",
                             "i", id);
    if (!err)
        err = sb_db_json_all(db, &locations,
                             "SELECT location_id, outlet_id, name FROM channel_locations"
                             " WHERE channel_id = ? ORDER BY location_id, outlet_id",
                             "i", id);
    if (!err)
        err = sb_db_json_all(db, &methods,
                             "SELECT method, outlet_id, pickup FROM channel_methods"
                             " WHERE channel_id = ? ORDER BY method",
                             "i", id);
    if (err) {
        json_decref(o);
        json_decref(outlets);
        json_decref(locations);
        json_decref(methods);
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

#define ORDER_COLS                                                                        \
    "SELECT id, external_id, number, state, reason, version, financial_status,"           \
    " fulfillment_status, cancelled, sale_id, total, currency, first_seen_at, updated_at" \
    " FROM channel_orders WHERE channel_id = ? AND id > ?"

sb_err sb_store_channel_orders(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                               const char *state, int64_t after, int64_t limit, json_t **ret)
{
    sb_err err = sb_store_channel_visible(db, scope, id);
    if (err)
        return err;
    if (state)
        return sb_db_json_all(db, ret, ORDER_COLS " AND state = ? ORDER BY id LIMIT ?", "iisi", id,
                              after, state, limit);
    return sb_db_json_all(db, ret, ORDER_COLS " ORDER BY id LIMIT ?", "iii", id, after, limit);
}

sb_err sb_store_channel_log_list(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 int64_t before, int64_t limit, json_t **ret)
{
    sb_err err = sb_store_channel_visible(db, scope, id);
    if (err)
        return err;
    return sb_db_json_all(db, ret,
                          "SELECT id, level, event, external_id, message, created_at"
                          " FROM channel_log WHERE channel_id = ? AND (? OR id < ?)"
                          " ORDER BY id DESC LIMIT ?",
                          "ibii", id, before == 0, before, limit);
}

/* ---- the run-time view ---- */

static void decref(void *p)
{
    json_decref(p);
}

static json_t *arena_json(struct sb_arena *a, json_t *o)
{
    return o ? sb_arena_defer(a, decref, o) : NULL;
}

/* Opens sealed credentials into a JSON object, wiping the plain text after use. */
static sb_err open_credentials(const char *sealed, json_t **ret)
{
    char *plain = NULL;
    sb_err err = sb_secret_open(sealed, &plain);
    if (err)
        return err;
    json_t *o = json_loads(plain, 0, NULL);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    if (!json_is_object(o)) {
        json_decref(o);
        return sb_fail(SB_EINTERNAL, NULL, "the channel's credentials are damaged");
    }
    *ret = o;
    return SB_OK;
}

/* Where the channel's API lives: credentials.base_url, else https://<shop_domain>; no
 * trailing slash, so adapters append "/admin/api/...". */
static const char *base_url(struct sb_arena *a, json_t *cred)
{
    const char *url = json_string_value(json_object_get(cred, "base_url"));
    const char *host = json_string_value(json_object_get(cred, "shop_domain"));
    char *s = url ? sb_arena_strdup(a, url) : host ? sb_arena_printf(a, "https://%s", host) : NULL;
    size_t len = s ? strlen(s) : 0;
    while (len > 0 && s[len - 1] == '/')
        s[--len] = '\0';
    return s;
}

/* The currency of the POS amounts the channel is sent: its default outlet's, else that of
 * its first outlet by priority, else USD. */
static sb_err load_currency(struct sb_db *db, struct sb_channel_rt *rt, struct sb_arena *a)
{
    int64_t outlet = rt->default_outlet_id ? rt->default_outlet_id
                     : rt->n_outlets       ? rt->outlet_ids[0]
                                           : 0;
    json_t *row = NULL;
    rt->ch.currency = "USD";
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
        rt->ch.currency = copy;
    return SB_OK;
}

sb_err sb_store_channel_load(struct sb_db *db, int64_t id, struct sb_arena *a,
                             struct sb_channel_rt **ret)
{
    struct sb_channel_rt *rt = sb_arena_alloc(a, sizeof(*rt));
    if (!rt)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    const char *sealed = NULL;
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT kind, name, enabled, settings, credentials, default_outlet_id,"
                           " register_id, employee_id, poll_cursor, last_poll_at, revision"
                           " FROM channels WHERE id = ?",
                           "i", id);
    if (err)
        return err;
    if (!sb_q_next(&q)) {
        err = sb_q_close(&q);
        return err ? err : sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id);
    }
    rt->ch.id = id;
    rt->ch.kind = sb_arena_strdup(a, sb_q_text(&q, 0));
    rt->ch.name = sb_arena_strdup(a, sb_q_text(&q, 1));
    rt->enabled = sb_q_int(&q, 2) != 0;
    settings_from_text(sb_q_text(&q, 3), &rt->settings);
    sealed = sb_q_null(&q, 4) ? NULL : sb_arena_strdup(a, sb_q_text(&q, 4));
    rt->has_credentials = !sb_q_null(&q, 4);
    rt->default_outlet_id = sb_q_int(&q, 5);
    rt->register_id = sb_q_int(&q, 6);
    rt->employee_id = sb_q_int(&q, 7);
    rt->poll_cursor = sb_q_null(&q, 8) ? NULL : sb_arena_strdup(a, sb_q_text(&q, 8));
    rt->last_poll_at = sb_q_null(&q, 9) ? NULL : sb_arena_strdup(a, sb_q_text(&q, 9));
    rt->revision = sb_q_int(&q, 10);
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!rt->ch.kind || !rt->ch.name || (rt->has_credentials && !sealed))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    rt->ops = sb_channel_ops_for(rt->ch.kind);
    if (!rt->ops)
        return sb_fail(SB_EINTERNAL, "kind", "channel %lld is of kind %s, which has no adapter",
                       (long long)id, rt->ch.kind);
    rt->ch.settings = arena_json(a, sb_channel_settings_json(&rt->settings));
    json_t *cred = NULL;
    if (sealed) {
        err = open_credentials(sealed, &cred);
        if (err)
            return err;
    } else {
        cred = json_object();
    }
    rt->ch.credentials = arena_json(a, cred);
    if (!rt->ch.settings || !rt->ch.credentials)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    rt->ch.base_url = base_url(a, rt->ch.credentials);
    err = load_links(db, id, a, &rt->outlet_ids, &rt->n_outlets, &rt->locations, &rt->n_locations,
                     &rt->methods, &rt->n_methods);
    if (!err)
        err = load_currency(db, rt, a);
    if (err)
        return err;
    *ret = rt;
    return SB_OK;
}

/* ---- the sync log and the poll cursor ---- */

sb_err sb_store_channel_log(struct sb_db *db, int64_t channel_id, const char *level,
                            const char *event, const char *external_id, const char *fmt, ...)
{
    if (!level ||
        (strcmp(level, "info") != 0 && strcmp(level, "warn") != 0 && strcmp(level, "error") != 0))
        return sb_fail(SB_EINTERNAL, "level", "unknown log level");
    char msg[1001];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_exec(db,
                            "INSERT INTO channel_log (channel_id, level, event, external_id,"
                            " message, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                            "isssss", channel_id, level, event, external_id, msg, now);
    return err == SB_EUNKNOWN_REFERENCE
               ? sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)channel_id)
               : err;
}

sb_err sb_store_channel_set_cursor(struct sb_db *db, int64_t id, const char *cursor)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t got;
    sb_err err = sb_db_int(db, &got,
                           "UPDATE channels SET"
                           " poll_cursor = CASE WHEN ? THEN ? ELSE poll_cursor END,"
                           " last_poll_at = ? WHERE id = ? RETURNING id",
                           "bssi", cursor != NULL, cursor, now, id);
    return err == SB_ENOT_FOUND ? sb_fail(err, NULL, "no channel %lld", (long long)id) : err;
}

sb_err sb_store_channel_poll_due(struct sb_db *db, int64_t now, int64_t *ids, size_t cap,
                                 size_t *ret_n)
{
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT c.id, c.settings, c.last_poll_at, s.poll_retry_at"
                           " FROM channels c LEFT JOIN channel_sync s ON s.channel_id = c.id"
                           " WHERE c.enabled = ? AND c.credentials IS NOT NULL"
                           " ORDER BY c.last_poll_at IS NOT NULL, c.last_poll_at, c.id",
                           "b", 1);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q)) {
        struct sb_channel_settings s;
        settings_from_text(sb_q_text(&q, 1), &s);
        int64_t last = 0, retry = 0;
        const char *at = sb_q_text(&q, 2);
        bool due = !at || !sb_time_parse(at, &last) || now - last >= s.poll_interval_seconds;
        /* after a failed poll, the next one waits for its backed-off time (I9) */
        const char *retry_at = sb_q_null(&q, 3) ? NULL : sb_q_text(&q, 3);
        if (retry_at && sb_time_parse(retry_at, &retry))
            due = now >= retry;
        if (s.download_orders && due)
            ids[n++] = sb_q_int(&q, 0);
    }
    err = sb_q_close(&q);
    if (!err)
        *ret_n = n;
    return err;
}

sb_err sb_store_channel_revision(struct sb_db *db, int64_t id, int64_t *ret)
{
    sb_err err = sb_db_int(db, ret, "SELECT revision FROM channels WHERE id = ?", "i", id);
    return err == SB_ENOT_FOUND ? sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id)
                                : err;
}
