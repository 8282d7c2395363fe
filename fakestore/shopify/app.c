/*
 * The app installed on the fake shop: what a real shop asks of an app before
 * it answers.
 *
 *   scopes        the access scopes the token was granted (default: every one
 *                 the engine needs); an operation needing one it lacks is
 *                 answered as Shopify does, ACCESS_DENIED naming the required
 *                 access; without read_all_orders, orders older than 60 days
 *                 are not seen (order(id:) is null, orders leaves them out).
 *   versions      the API versions the shop serves (default 2026-01 to 2026-10,
 *                 oldest first): an answer carries X-Shopify-API-Version, the
 *                 version asked for when served, else the oldest supported
 *                 (Shopify's fall-forward); a malformed one is 404 (shop.c).
 *   webhooks      currentAppInstallation, webhookSubscriptions,
 *                 webhookSubscriptionCreate and webhookSubscriptionDelete over
 *                 the app's subscriptions; the control API adds subscriptions
 *                 made by hand in the admin ("admin": true), which the app's
 *                 queries do not see, as on Shopify.
 *
 * Deliveries: an event goes to every subscription of its topic, the app's
 * signed with the app's secret and the admin's with the admin's key (another
 * one, as on Shopify); while the app has made none, to the configured
 * webhook URL as before (fs_app_targets, called by webhooks.c).
 *
 * The control API: GET /_fake/app; POST /_fake/app {scopes?, versions?,
 * admin_key?, stale_sets?};
 * POST /_fake/app/subscriptions {topic, uri, admin?} adds one as if made
 * elsewhere (an old address, or by hand in the admin); POST /_fake/app/backdate
 * {order_id, days} moves an order's createdAt back that many days (1-3650), as
 * if placed then, for the 60-day window.
 *
 * A one-shot fault: stale_sets N makes the next N inventorySetQuantities calls
 * answer CHANGE_FROM_QUANTITY_STALE on every quantity, nothing written, as when
 * the shop's figure moved between a compare-and-swap's read and its write:
 * before the operation runs, each quantity is given a changeFromQuantity no
 * level can hold (inventory.c then refuses it as Shopify does), and after it,
 * the quantities are put back as sent, so the request log shows what the
 * engine sent. GET /_fake/app says how many are left.
 *
 * Plugged into the GraphQL engine: its fields are a resolver table
 * (fs_gql_app_fields, listed in graphql-resolve.c), every field is checked
 * against the scopes there (fs_app_field_allowed: a field the app may not
 * read is null with an ACCESS_DENIED error, as Shopify answers), orders and
 * order(id:) ask fs_app_order_visible, and inventorySetQuantities runs between
 * fs_app_stale_before and fs_app_stale_after. graphql.c takes the version the
 * answer names (fs_app_version) and validates against its schema. Everything
 * here runs under the shop's lock except fs_app_version and the control API,
 * which take it.
 */
#include "app.h"

#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VERSIONS 8
#define MAX_SUBS     200
#define WINDOW_DAYS  60

struct fs_app {
    json_t *scopes; /* handles */
    char versions[MAX_VERSIONS][16];
    size_t n_versions;
    json_t *subs; /* [{id, topic, uri, format, admin}] */
    int64_t next_sub;
    char *admin_key;    /* what the admin's own subscriptions are signed with */
    int64_t stale_sets; /* inventorySetQuantities calls still to answer STALE */
    json_t *stale_sent; /* the quantities as sent while a STALE one runs (NULL: none) */
};

#define STALE_FROM INT64_C(-2000000000) /* a changeFromQuantity no level holds (|q| <= 10^9) */

static const char *const default_scopes[] = {
    "read_orders",
    "write_orders",
    "read_all_orders",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_products",
    "write_products",
    "read_inventory",
    "write_inventory",
    "read_locations",
};

static const char *const topics[] = {
    "ORDERS_CREATE",   "ORDERS_UPDATED",          "ORDERS_PAID",     "ORDERS_CANCELLED",
    "REFUNDS_CREATE",  "FULFILLMENTS_CREATE",     "ORDERS_DELETE",   "ORDERS_FULFILLED",
    "PRODUCTS_UPDATE", "INVENTORY_LEVELS_UPDATE", "APP_UNINSTALLED",
};

/* The app of the shop, made on first use (the lock held). */
static struct fs_app *app_of(struct fs_shop *s)
{
    if (s->app)
        return s->app;
    struct fs_app *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->scopes = json_array();
    a->subs = json_array();
    for (size_t i = 0; i < sizeof(default_scopes) / sizeof(default_scopes[0]); i++)
        json_array_append_new(a->scopes, json_string(default_scopes[i]));
    for (size_t i = 0; i < FS_GQL_N_VERSIONS; i++) /* graphql-schema.c's list: one place */
        snprintf(a->versions[a->n_versions++], sizeof(a->versions[0]), "%s", fs_gql_versions[i]);
    a->next_sub = 1;
    a->admin_key = fs_strdup("admin-notifications-key");
    s->app = a;
    return a;
}

void fs_app_free(struct fs_app *a)
{
    if (!a)
        return;
    json_decref(a->scopes);
    json_decref(a->subs);
    json_decref(a->stale_sent);
    free(a->admin_key);
    free(a);
}

/* ---------------------------------------------------------------- versions */

void fs_app_version(struct fs_shop *s, const char *path, char *out, size_t cap)
{
    const char *p = path + strlen("/admin/api/"), *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : 0;
    pthread_mutex_lock(&s->mu);
    struct fs_app *a = app_of(s);
    const char *served = a && a->n_versions ? a->versions[0] : "";
    for (size_t i = 0; a && i < a->n_versions; i++)
        if (strlen(a->versions[i]) == n && memcmp(a->versions[i], p, n) == 0)
            served = a->versions[i];
    if (n == 8 && memcmp(p, "unstable", 8) == 0)
        served = "unstable";
    snprintf(out, cap, "%s", served);
    pthread_mutex_unlock(&s->mu);
}

/* ---------------------------------------------------------------- scopes */

static bool has_scope(struct fs_app *a, const char *scope)
{
    char write[96] = "";
    if (strncmp(scope, "read_", 5) == 0)
        snprintf(write, sizeof(write), "write_%s", scope + 5);
    size_t i;
    json_t *h;
    json_array_foreach(a->scopes, i, h)
    {
        const char *v = json_string_value(h);
        if (v && (strcmp(v, scope) == 0 || (write[0] && strcmp(v, write) == 0)))
            return true;
    }
    return false;
}

/* What each field the shop models needs: every scope of `all`, one of `any`. Shopify checks
 * access per field: a field the app may not read is null with an ACCESS_DENIED error. */
static const struct {
    const char *type, *field;
    const char *all[2];
    const char *any[2];
} needs[] = {
    { "QueryRoot", "orders", { "read_orders" }, { NULL } },
    { "QueryRoot", "order", { "read_orders" }, { NULL } },
    { "Order",
      "fulfillmentOrders",
      { NULL },
      { "read_merchant_managed_fulfillment_orders", "write_orders" } },
    { "QueryRoot",
      "fulfillmentOrders",
      { NULL },
      { "read_merchant_managed_fulfillment_orders", "write_orders" } },
    { "Mutation",
      "fulfillmentCreate",
      { NULL },
      { "write_merchant_managed_fulfillment_orders", "write_orders" } },
    { "Mutation", "orderCancel", { "write_orders" }, { NULL } },
    { "QueryRoot", "locations", { "read_locations" }, { NULL } },
    { "QueryRoot", "location", { "read_locations" }, { NULL } },
    { "QueryRoot", "inventoryItems", { "read_inventory", "read_products" }, { NULL } },
    { "QueryRoot", "inventoryItem", { "read_inventory" }, { NULL } },
    { "QueryRoot", "products", { "read_products" }, { NULL } },
    { "QueryRoot", "product", { "read_products" }, { NULL } },
    { "QueryRoot", "productVariants", { "read_products" }, { NULL } },
    { "QueryRoot", "productVariant", { "read_products" }, { NULL } },
    { "Mutation", "inventorySetQuantities", { "write_inventory" }, { NULL } },
    { "Mutation", "productVariantsBulkUpdate", { "write_products" }, { NULL } },
    { "Mutation", "bulkOperationRunQuery", { "read_inventory" }, { NULL } },
};

static bool access_denied(const struct sb_gql_field_call *call, const char *required,
                          struct sb_gql_field_error *ret_error)
{
    ret_error->message = sb_arena_printf(call->arena,
                                         "Access denied for %s field. Required access: %.200s "
                                         "access scope.",
                                         call->field->name, required);
    ret_error->code = "ACCESS_DENIED";
    return false;
}

bool fs_app_field_allowed(struct gql *g, const struct sb_gql_field_call *call,
                          struct sb_gql_field_error *ret_error)
{
    struct fs_app *a = app_of(g->s);
    if (!a)
        return true;
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        if (strcmp(needs[i].field, call->field->name) != 0 ||
            strcmp(needs[i].type, call->parent_type->name) != 0)
            continue;
        for (size_t k = 0; k < 2 && needs[i].all[k]; k++)
            if (!has_scope(a, needs[i].all[k]))
                return access_denied(call, sb_arena_printf(call->arena, "`%s`", needs[i].all[k]),
                                     ret_error);
        if (needs[i].any[0] && !has_scope(a, needs[i].any[0]) &&
            !(needs[i].any[1] && has_scope(a, needs[i].any[1])))
            return access_denied(
                call,
                sb_arena_printf(call->arena, "`%s` or `%s`", needs[i].any[0],
                                needs[i].any[1] ? needs[i].any[1] : needs[i].any[0]),
                ret_error);
        return true;
    }
    return true;
}

void fs_app_stale_before(struct gql *g, json_t *args)
{
    struct fs_app *a = app_of(g->s);
    json_t *qs = json_object_get(json_object_get(args, "input"), "quantities");
    if (!a || a->stale_sets <= 0 || !json_is_array(qs))
        return;
    json_decref(a->stale_sent);
    a->stale_sent = json_deep_copy(qs);
    size_t i;
    json_t *q;
    json_array_foreach(qs, i, q)
    {
        json_object_set_new(q, "changeFromQuantity", json_integer(STALE_FROM));
    }
}

void fs_app_stale_after(struct gql *g, json_t *args)
{
    struct fs_app *a = app_of(g->s);
    if (!a || !a->stale_sent)
        return;
    /* the STALE one ran: the quantities put back as sent, for the request log */
    json_object_set_new(json_object_get(args, "input"), "quantities", a->stale_sent);
    a->stale_sent = NULL;
    a->stale_sets--;
}

bool fs_app_order_visible(struct fs_shop *s, int64_t created_at)
{
    struct fs_app *a = app_of(s);
    return !a || has_scope(a, "read_all_orders") ||
           created_at >= sb_time_now() - (int64_t)WINDOW_DAYS * 86400;
}

/* ---------------------------------------------------------------- the operations */

static bool prep_installation(struct gql *g)
{
    g->requested = 2;
    return true;
}

static json_t *run_installation(struct gql *g)
{
    struct fs_app *a = app_of(g->s);
    json_t *list = json_array();
    size_t i;
    json_t *h;
    json_array_foreach(a ? a->scopes : NULL, i, h)
    {
        json_array_append_new(list, json_pack("{s:O}", "handle", h));
    }
    return json_pack("{s:{s:o}}", "currentAppInstallation", "accessScopes", list);
}

static json_t *sub_json(json_t *sub)
{
    char gid[64];
    snprintf(gid, sizeof(gid), "gid://shopify/WebhookSubscription/%lld",
             (long long)json_integer_value(json_object_get(sub, "id")));
    return json_pack("{s:s, s:O, s:O}", "id", gid, "topic", json_object_get(sub, "topic"), "uri",
                     json_object_get(sub, "uri"));
}

/* The app's own subscriptions (those made in the admin are not the app's to see), as a
 * connection the document pages. */
static enum sb_gql_outcome field_webhooks(struct gql *g, const struct sb_gql_field_call *call,
                                          json_t **ret, struct sb_gql_field_error *ret_error)
{
    struct fs_app *a = app_of(g->s);
    json_t *nodes = json_array();
    size_t i;
    json_t *sub;
    json_array_foreach(a ? a->subs : NULL, i, sub)
    {
        if (!json_is_true(json_object_get(sub, "admin")))
            json_array_append_new(nodes, sub_json(sub));
    }
    *ret = fs_gql_page_list(nodes, call->args, call->arena, ret_error);
    json_decref(nodes);
    return *ret ? SB_GQL_VALUE : SB_GQL_ERROR;
}

static bool known_topic(const char *t)
{
    for (size_t i = 0; t && i < sizeof(topics) / sizeof(topics[0]); i++)
        if (strcmp(t, topics[i]) == 0)
            return true;
    return false;
}

static bool prep_webhook_create(struct gql *g)
{
    const char *topic = NULL;
    if (!fs_gql_var_str(g, "topic", "WebhookSubscriptionTopic!", true, 64, &topic))
        return false;
    if (!known_topic(topic)) {
        fs_gql_var_error(g, "topic", "WebhookSubscriptionTopic!", fs_gql_var(g, "topic"),
                         "Expected a value of the WebhookSubscriptionTopic enum");
        return false;
    }
    json_t *in = fs_gql_var(g, "webhookSubscription");
    if (!json_is_object(in) || !json_is_string(json_object_get(in, "uri"))) {
        fs_gql_var_error(g, "webhookSubscription", "WebhookSubscriptionInput!", in,
                         "Expected an object with uri");
        return false;
    }
    g->requested = 10;
    return true;
}

static json_t *run_webhook_create(struct gql *g)
{
    struct fs_app *a = app_of(g->s);
    const char *topic = json_string_value(fs_gql_var(g, "topic"));
    const char *uri =
        json_string_value(json_object_get(fs_gql_var(g, "webhookSubscription"), "uri"));
    json_t *errors = json_array();
    json_t *made = json_null();
    if (strncmp(uri, "https://", 8) != 0 && strncmp(uri, "http://", 7) != 0) {
        fs_gql_user_error(errors, json_pack("[s,s]", "webhookSubscription", "callbackUrl"),
                          "INVALID", "Address is invalid");
    } else if (strncmp(topic, "ORDERS_", 7) == 0 && !has_scope(a, "read_orders")) {
        fs_gql_user_error(errors, json_pack("[s]", "topic"), "INVALID",
                          "You do not have permission to create or update webhooks with "
                          "%s topic. This topic requires the read_orders scope",
                          topic);
    } else {
        size_t i;
        json_t *sub;
        json_array_foreach(a->subs, i, sub)
        {
            if (!json_is_true(json_object_get(sub, "admin")) &&
                strcmp(json_string_value(json_object_get(sub, "topic")), topic) == 0 &&
                strcmp(json_string_value(json_object_get(sub, "uri")), uri) == 0) {
                fs_gql_user_error(errors, json_pack("[s,s]", "webhookSubscription", "callbackUrl"),
                                  "TAKEN", "Address for this topic has already been taken");
                break;
            }
        }
        if (json_array_size(errors) == 0 && json_array_size(a->subs) < MAX_SUBS) {
            json_t *mine = json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)a->next_sub++,
                                     "topic", topic, "uri", uri, "admin", 0);
            json_array_append_new(a->subs, mine);
            made = sub_json(mine);
        }
    }
    return json_pack("{s:{s:o, s:o}}", "webhookSubscriptionCreate", "webhookSubscription", made,
                     "userErrors", errors);
}

static bool prep_webhook_delete(struct gql *g)
{
    int64_t id;
    if (!fs_gql_var_gid(g, "id", "WebhookSubscription", &id))
        return false;
    g->id = id;
    g->requested = 10;
    return true;
}

static json_t *run_webhook_delete(struct gql *g)
{
    struct fs_app *a = app_of(g->s);
    json_t *errors = json_array(), *deleted = json_null();
    size_t i;
    json_t *sub;
    json_array_foreach(a->subs, i, sub)
    {
        if (json_integer_value(json_object_get(sub, "id")) == g->id &&
            !json_is_true(json_object_get(sub, "admin"))) {
            deleted = json_sprintf("gid://shopify/WebhookSubscription/%lld", (long long)g->id);
            json_array_remove(a->subs, i);
            break;
        }
    }
    if (json_is_null(deleted))
        fs_gql_user_error(errors, json_pack("[s]", "id"), "NOT_FOUND",
                          "Webhook subscription does not exist");
    return json_pack("{s:{s:o, s:o}}", "webhookSubscriptionDelete", "deletedWebhookSubscriptionId",
                     deleted, "userErrors", errors);
}

static enum sb_gql_outcome field_installation(struct gql *g, const struct sb_gql_field_call *call,
                                              json_t **ret, struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, prep_installation, run_installation, ret, ret_error);
}

static enum sb_gql_outcome field_webhook_create(struct gql *g, const struct sb_gql_field_call *call,
                                                json_t **ret, struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, prep_webhook_create, run_webhook_create, ret, ret_error);
}

static enum sb_gql_outcome field_webhook_delete(struct gql *g, const struct sb_gql_field_call *call,
                                                json_t **ret, struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, prep_webhook_delete, run_webhook_delete, ret, ret_error);
}

const struct fs_gql_field fs_gql_app_fields[] = {
    { "QueryRoot", "currentAppInstallation", field_installation },
    { "QueryRoot", "webhookSubscriptions", field_webhooks },
    { "Mutation", "webhookSubscriptionCreate", field_webhook_create },
    { "Mutation", "webhookSubscriptionDelete", field_webhook_delete },
    { NULL, NULL, NULL },
};

/* ---------------------------------------------------------------- deliveries */

size_t fs_app_targets(struct fs_shop *s, const char *topic, struct fs_app_target *out, size_t cap)
{
    struct fs_app *a = app_of(s);
    char want[40];
    size_t n = 0, i;
    snprintf(want, sizeof(want), "%s", topic);
    for (char *p = want; *p; p++) /* orders/create -> ORDERS_CREATE */
        *p = *p == '/' ? '_' : (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
    bool app_has_any = false;
    json_t *sub;
    json_array_foreach(a ? a->subs : NULL, i, sub)
    {
        bool admin = json_is_true(json_object_get(sub, "admin"));
        app_has_any = app_has_any || !admin;
        if (n < cap && strcmp(json_string_value(json_object_get(sub, "topic")), want) == 0)
            out[n++] = (struct fs_app_target){ json_string_value(json_object_get(sub, "uri")),
                                               admin ? a->admin_key : s->secret };
    }
    if (!app_has_any && n < cap) /* the configured URL, as before any app subscription */
        out[n++] = (struct fs_app_target){ NULL, NULL };
    return n;
}

/* ---------------------------------------------------------------- the control API */

static json_t *app_json(struct fs_app *a)
{
    json_t *versions = json_array();
    for (size_t i = 0; i < a->n_versions; i++)
        json_array_append_new(versions, json_string(a->versions[i]));
    json_t *subs = json_array();
    size_t i;
    json_t *sub;
    json_array_foreach(a->subs, i, sub)
    {
        json_t *j = sub_json(sub);
        json_object_set(j, "admin", json_object_get(sub, "admin"));
        json_array_append_new(subs, j);
    }
    return json_pack("{s:O, s:o, s:o, s:I}", "scopes", a->scopes, "versions", versions,
                     "subscriptions", subs, "stale_sets", (json_int_t)a->stale_sets);
}

static bool version_ok(const char *v)
{
    if (!v || strlen(v) != 7 || v[4] != '-')
        return false;
    for (size_t i = 0; i < 7; i++)
        if (i != 4 && (v[i] < '0' || v[i] > '9'))
            return false;
    return true;
}

static const char *set_app(struct fs_app *a, json_t *body)
{
    json_t *scopes = json_object_get(body, "scopes");
    json_t *key = json_object_get(body, "admin_key");
    if (key &&
        (!json_is_string(key) || json_string_length(key) == 0 || json_string_length(key) > 200))
        return "admin_key must be text";
    json_t *versions = json_object_get(body, "versions");
    json_t *stale = json_object_get(body, "stale_sets");
    size_t i;
    json_t *v;
    if (stale && (!json_is_integer(stale) || json_integer_value(stale) < 0 ||
                  json_integer_value(stale) > 1000))
        return "stale_sets must be 0 to 1000";
    if (scopes && !json_is_array(scopes))
        return "scopes must be an array of handles";
    json_array_foreach(scopes, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) > 80)
            return "scopes must be an array of handles";
    }
    if (versions && (!json_is_array(versions) || json_array_size(versions) == 0 ||
                     json_array_size(versions) > MAX_VERSIONS))
        return "versions must be 1 to 8 versions, oldest first";
    json_array_foreach(versions, i, v)
    {
        if (!version_ok(json_string_value(v)))
            return "a version is YYYY-MM";
    }
    if (stale)
        a->stale_sets = json_integer_value(stale);
    if (scopes)
        json_array_clear(a->scopes), json_array_extend(a->scopes, scopes);
    char *k = key ? fs_strdup(json_string_value(key)) : NULL;
    if (k)
        free(a->admin_key), a->admin_key = k;
    if (versions) {
        a->n_versions = 0;
        json_array_foreach(versions, i, v)
        {
            snprintf(a->versions[a->n_versions++], sizeof(a->versions[0]), "%s",
                     json_string_value(v));
        }
    }
    return NULL;
}

static const char *add_sub(struct fs_app *a, json_t *body)
{
    const char *topic = json_string_value(json_object_get(body, "topic"));
    const char *uri = json_string_value(json_object_get(body, "uri"));
    if (!known_topic(topic) || !uri || strlen(uri) > 500)
        return "a subscription has a topic (ORDERS_CREATE, ...) and a uri";
    if (json_array_size(a->subs) >= MAX_SUBS)
        return "too many subscriptions";
    json_array_append_new(
        a->subs, json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)a->next_sub++, "topic", topic,
                           "uri", uri, "admin", json_is_true(json_object_get(body, "admin"))));
    return NULL;
}

static const char *backdate(struct fs_shop *s, json_t *body)
{
    json_t *id = json_object_get(body, "order_id"), *days = json_object_get(body, "days");
    if (!json_is_integer(days) || json_integer_value(days) < 1 || json_integer_value(days) > 3650)
        return "days must be 1 to 3650";
    struct order *o = json_is_integer(id) ? fs_find_order(s, json_integer_value(id)) : NULL;
    if (!o)
        return "order_id must name an order of the shop";
    o->created_at -= json_integer_value(days) * 86400;
    return NULL;
}

void fs_app_control(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp)
{
    bool subs = strcmp(req->path, "/_fake/app/subscriptions") == 0;
    bool back = strcmp(req->path, "/_fake/app/backdate") == 0;
    if (!subs && !back && strcmp(req->path, "/_fake/app") != 0) {
        fs_respond(resp, 404, json_pack("{s:s}", "errors", "Not Found"));
        return;
    }
    json_t *body = NULL;
    if (strcmp(req->method, "POST") == 0) {
        body = req->body_len ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL)
                             : NULL;
        if (!json_is_object(body)) {
            json_decref(body);
            fs_respond(resp, 400, json_pack("{s:s}", "error", "the body must be a JSON object"));
            return;
        }
    } else if (strcmp(req->method, "GET") != 0 || subs || back) {
        fs_respond(resp, 405, json_pack("{s:s}", "errors", "Method Not Allowed"));
        return;
    }
    pthread_mutex_lock(&s->mu);
    struct fs_app *a = app_of(s);
    const char *bad = !a      ? "out of memory"
                      : !body ? NULL
                      : subs  ? add_sub(a, body)
                      : back  ? backdate(s, body)
                              : set_app(a, body);
    json_t *out = bad ? NULL : app_json(a);
    pthread_mutex_unlock(&s->mu);
    json_decref(body);
    if (bad)
        fs_respond(resp, 422, json_pack("{s:s}", "error", bad));
    else
        fs_respond(resp, subs ? 201 : 200, out);
}
