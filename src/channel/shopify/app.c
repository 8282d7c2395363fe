/*
 * The Shopify adapter as an app (SB_CH_CONNECT): what a real shop asks of
 * one before it works.
 *
 *   access      currentAppInstallation { accessScopes } says which scopes the
 *               merchant granted; each feature the channel's settings turn on
 *               needs some (the table below), and a feature whose scopes are
 *               missing is named with them, so that staff know why it fails
 *               before it does.
 *   webhooks    the engine subscribes the topics it uses itself
 *               (webhookSubscriptionCreate) to <webhook_base_url>/webhooks/<id>,
 *               the channel's own path, and repairs them: a subscription of ours
 *               whose address moved is deleted and made again, a missing one
 *               made. Subscriptions made by hand in the admin are not the app's
 *               (Shopify signs them with another key) and are left alone.
 *   version     every answer's X-Shopify-API-Version, noted by the transport:
 *               one that is not SB_SHOPIFY_API_VERSION means Shopify no longer
 *               serves ours; the change is told once (connection's notice).
 *
 * Costs (Shopify's rules: objects 1, connections 2 + first x the node,
 * mutations 10): SbAppInstallation 2, SbWebhooks 2 + 100 x 1 = 102, each
 * create or delete 10. A pass that finds everything right is two queries.
 */
#include "channel/shopify/shopify.h"

#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- the kind's own settings */

const struct sb_field sb_shopify_settings[] = {
    { .name = "webhook_base_url",
      .type = SB_FIELD_URL,
      .dflt = "null",
      .label = "Public base URL for webhooks",
      .help = "Where Shopify can reach this server (https://pos.example.com): stockbridge "
              "subscribes the shop's webhooks to <this>/webhooks/<channel id> and repairs them. "
              "Empty: stockbridge makes no subscriptions." },
    { 0 },
};

/* ---------------------------------------------------------------- documents */

static const char q_scopes[] =
    "query SbAppInstallation { currentAppInstallation { accessScopes { handle } } }";
static const char q_webhooks[] = "query SbWebhooks { webhookSubscriptions(first: 100) { nodes { "
                                 "id topic uri } } }";
static const char m_webhook_create[] =
    "mutation SbWebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: "
    "WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: "
    "$webhookSubscription) { webhookSubscription { id topic uri } userErrors { field message } } "
    "}";
static const char m_webhook_delete[] =
    "mutation SbWebhookDelete($id: ID!) { webhookSubscriptionDelete(id: $id) { "
    "deletedWebhookSubscriptionId userErrors { field message } } }";

/* The topics the engine uses (adapter.c takes their webhooks), as the enum names them. */
static const char *const topics[] = {
    "ORDERS_CREATE",    "ORDERS_UPDATED", "ORDERS_PAID",
    "ORDERS_CANCELLED", "REFUNDS_CREATE", "FULFILLMENTS_CREATE",
};
#define N_TOPICS (sizeof(topics) / sizeof(topics[0]))

/* ---------------------------------------------------------------- access scopes */

/*
 * What each feature needs. A feature is on when its setting is (NULL: always); it needs
 * every scope of `all` and, when `any` is set, one of `any`. A write scope grants its read
 * scope too.
 */
static const struct need {
    const char *feature; /* as staff read it */
    const char *setting;
    const char *all[4];
    const char *any[3];
    const char *without; /* what fails without it */
} needs[] = {
    { "orders", "download_orders", { "read_orders" }, { NULL }, "orders cannot be read" },
    { "orders older than 60 days",
      "download_orders",
      { "read_all_orders" },
      { NULL },
      "refunds, payments and fulfillments on orders older than 60 days cannot be read" },
    { "cancellations",
      "download_orders",
      { "write_orders" },
      { NULL },
      "orders voided in the POS are not cancelled on Shopify" },
    { "fulfillments",
      "auto_fulfillment",
      { NULL },
      { "write_merchant_managed_fulfillment_orders", "write_orders" },
      "shipments made in the POS do not fulfil the orders on Shopify" },
    { "stock sync",
      "stock_sync",
      { "read_products", "read_inventory", "write_inventory", "read_locations" },
      { NULL },
      "stock levels cannot be read or set" },
    { "price sync",
      "use_pos_pricing",
      { "read_products", "write_products" },
      { NULL },
      "prices cannot be set" },
};

static bool granted(json_t *handles, const char *scope)
{
    size_t i;
    json_t *h;
    char write[64] = "";
    if (strncmp(scope, "read_", 5) == 0)
        snprintf(write, sizeof(write), "write_%s", scope + 5);
    json_array_foreach(handles, i, h)
    {
        const char *s = json_string_value(h);
        if (s && (strcmp(s, scope) == 0 || (write[0] && strcmp(s, write) == 0)))
            return true;
    }
    return false;
}

static void add_unique(json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (strcmp(json_string_value(v), s) == 0)
            return;
    }
    json_array_append_new(list, json_string(s));
}

static bool setting_on(const struct sb_channel *ch, const char *name)
{
    return !name || json_is_true(json_object_get(ch->settings, name));
}

/* The granted scopes' handles (an array of strings), read from the shop. */
static sb_err read_scopes(const struct sb_channel *ch, struct sb_arena *a, json_t **ret)
{
    json_t *data = NULL;
    sb_err err = sb_shopify_gql(ch, a, "SbAppInstallation", q_scopes, NULL, &data);
    if (err)
        return err;
    json_t *list = json_object_get(json_object_get(data, "currentAppInstallation"), "accessScopes");
    if (!json_is_array(list))
        return sb_fail(SB_EIO, NULL, "Shopify's currentAppInstallation answer has no scopes");
    json_t *handles = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
    {
        const char *h = json_string_value(json_object_get(s, "handle"));
        if (h && strlen(h) < 64)
            json_array_append_new(handles, json_string(h));
    }
    *ret = handles;
    return SB_OK;
}

/* {granted, needed, missing} and the features that are on, each {feature, ok, missing,
 * reason}. */
static void check_scopes(const struct sb_channel *ch, json_t *handles, json_t *report)
{
    json_t *needed = json_array(), *missing = json_array(), *features = json_array();
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        const struct need *n = &needs[i];
        if (!setting_on(ch, n->setting))
            continue;
        json_t *lacks = json_array();
        for (size_t k = 0; k < 4 && n->all[k]; k++) {
            add_unique(needed, n->all[k]);
            if (!granted(handles, n->all[k]))
                json_array_append_new(lacks, json_string(n->all[k]));
        }
        if (n->any[0]) {
            bool one = false;
            char either[160] = "";
            for (size_t k = 0; k < 3 && n->any[k]; k++) {
                one = one || granted(handles, n->any[k]);
                snprintf(either + strlen(either), sizeof(either) - strlen(either), "%s%s",
                         k ? " or " : "", n->any[k]);
            }
            add_unique(needed, either);
            if (!one)
                json_array_append_new(lacks, json_string(either));
        }
        json_t *f =
            json_pack("{s:s, s:b}", "feature", n->feature, "ok", json_array_size(lacks) == 0);
        if (json_array_size(lacks)) {
            char why[400] = "", *p = why;
            size_t k;
            json_t *l;
            json_array_foreach(lacks, k, l)
            {
                add_unique(missing, json_string_value(l));
                p += snprintf(p, sizeof(why) - (size_t)(p - why), "%s%s", k ? ", " : "",
                              json_string_value(l));
            }
            json_object_set_new(f, "missing", json_incref(lacks));
            json_object_set_new(f, "reason", json_sprintf("the app lacks %s: %s", why, n->without));
        }
        json_decref(lacks);
        json_array_append_new(features, f);
    }
    json_object_set_new(
        report, "scopes",
        json_pack("{s:O, s:o, s:o}", "granted", handles, "needed", needed, "missing", missing));
    json_object_set_new(report, "features", features);
}

/* ---------------------------------------------------------------- webhook subscriptions */

static bool our_topic(const char *t)
{
    for (size_t i = 0; t && i < N_TOPICS; i++)
        if (strcmp(t, topics[i]) == 0)
            return true;
    return false;
}

/* The subscription's address ends with the channel's own path: it is ours, wherever it
 * points. */
static bool our_path(const char *uri, const char *path)
{
    size_t n = uri ? strlen(uri) : 0, m = strlen(path);
    return n >= m && strcmp(uri + n - m, path) == 0;
}

static sb_err user_error(json_t *payload, const char *what)
{
    json_t *e = json_array_get(json_object_get(payload, "userErrors"), 0);
    if (!e)
        return SB_OK;
    const char *msg = json_string_value(json_object_get(e, "message"));
    return sb_fail(SB_ECONFLICT, NULL, "Shopify refused to %s: %.200s", what,
                   msg ? msg : "no reason given");
}

static sb_err delete_sub(const struct sb_channel *ch, const char *id, struct sb_arena *a)
{
    json_t *vars = json_pack("{s:s}", "id", id), *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_shopify_gql(ch, a, "SbWebhookDelete", m_webhook_delete, vars, &data);
    return err ? err
               : user_error(json_object_get(data, "webhookSubscriptionDelete"),
                            "delete a webhook subscription");
}

static sb_err create_sub(const struct sb_channel *ch, const char *topic, const char *uri,
                         struct sb_arena *a)
{
    json_t *vars = json_pack("{s:s, s:{s:s, s:s}}", "topic", topic, "webhookSubscription", "uri",
                             uri, "format", "JSON"),
           *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_shopify_gql(ch, a, "SbWebhookCreate", m_webhook_create, vars, &data);
    return err ? err
               : user_error(json_object_get(data, "webhookSubscriptionCreate"),
                            "make a webhook subscription");
}

/* Lists the app's subscriptions and puts them right; the report's "webhooks". */
static sb_err repair_webhooks(const struct sb_channel *ch, struct sb_arena *a, json_t **ret)
{
    const char *base = json_string_value(json_object_get(ch->settings, "webhook_base_url"));
    if (!base || !*base) {
        *ret = json_pack("{s:b, s:s}", "managed", 0, "reason",
                         "webhook_base_url is not set: stockbridge makes no subscriptions");
        return SB_OK;
    }
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    const char *path = sb_arena_printf(a, "/webhooks/%lld", (long long)ch->id);
    const char *uri = path ? sb_arena_printf(a, "%.*s%s", (int)n, base, path) : NULL;
    if (!uri)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_t *data = NULL;
    sb_err err = sb_shopify_gql(ch, a, "SbWebhooks", q_webhooks, NULL, &data);
    if (err)
        return err;
    json_t *nodes = json_object_get(json_object_get(data, "webhookSubscriptions"), "nodes");
    if (!json_is_array(nodes))
        return sb_fail(SB_EIO, NULL, "Shopify's webhookSubscriptions answer has no nodes");
    bool have[N_TOPICS] = { false };
    int kept = 0, created = 0, deleted = 0;
    size_t i;
    json_t *node;
    json_array_foreach(nodes, i, node)
    {
        const char *id = json_string_value(json_object_get(node, "id"));
        const char *topic = json_string_value(json_object_get(node, "topic"));
        const char *at = json_string_value(json_object_get(node, "uri"));
        if (!id)
            continue;
        size_t t = 0;
        while (t < N_TOPICS && !(topic && strcmp(topic, topics[t]) == 0))
            t++;
        bool right = t < N_TOPICS && at && strcmp(at, uri) == 0 && !have[t];
        /* ours but wrong: a topic we use at our path elsewhere (the base URL moved), a
         * second one of a topic, or a topic we do not use at our address */
        bool wrong = !right && our_path(at, path) && (our_topic(topic) || strcmp(at, uri) == 0);
        if (right) {
            have[t] = true;
            kept++;
        } else if (wrong) {
            if ((err = delete_sub(ch, id, a)))
                return err;
            deleted++;
        }
    }
    for (size_t t = 0; t < N_TOPICS; t++) {
        if (have[t])
            continue;
        if ((err = create_sub(ch, topics[t], uri, a)))
            return err;
        created++;
    }
    json_t *list = json_array();
    for (size_t t = 0; t < N_TOPICS; t++)
        json_array_append_new(list, json_string(topics[t]));
    *ret = json_pack("{s:b, s:s, s:o, s:i, s:i, s:i}", "managed", 1, "callback_url", uri, "topics",
                     list, "kept", kept, "created", created, "deleted", deleted);
    return *ret ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

/* ---------------------------------------------------------------- the ops */

static sb_err connect_in(const struct sb_channel *ch, struct sb_arena *a, json_t *report)
{
    json_t *handles = NULL, *webhooks = NULL;
    sb_err err = read_scopes(ch, a, &handles);
    if (err)
        return err;
    check_scopes(ch, handles, report);
    json_decref(handles);
    if ((err = repair_webhooks(ch, a, &webhooks)))
        return err;
    json_object_set_new(report, "webhooks", webhooks);
    return SB_OK;
}

sb_err sb_shopify_connect(const struct sb_channel *ch, json_t **ret_report)
{
    struct sb_arena *a = sb_arena_new();
    char at[SB_TIME_LEN];
    sb_time_format(sb_time_now(), at, sizeof(at));
    json_t *report = json_pack("{s:s}", "checked_at", at);
    if (!a || !report) {
        sb_arena_free(a);
        json_decref(report);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_err err = connect_in(ch, a, report);
    sb_arena_free(a);
    if (err) /* what went wrong is kept beside what was learnt before it */
        json_object_set_new(report, "error", json_string(sb_err_last()->message));
    struct sb_shopify_state *s = ch->state;
    if (s) {
        pthread_mutex_lock(&s->lock);
        json_decref(s->connection);
        s->connection = json_incref(report);
        pthread_mutex_unlock(&s->lock);
    }
    if (ret_report && !err)
        *ret_report = json_incref(report);
    json_decref(report);
    return err;
}

bool sb_shopify_scope_missing(const struct sb_channel *ch, const char *scope)
{
    struct sb_shopify_state *s = ch->state;
    if (!s)
        return false;
    pthread_mutex_lock(&s->lock);
    json_t *handles = json_object_get(json_object_get(s->connection, "scopes"), "granted");
    bool missing = json_is_array(handles) && !granted(handles, scope);
    pthread_mutex_unlock(&s->lock);
    return missing;
}

void sb_shopify_note_version(struct sb_shopify_state *s, const char *version)
{
    if (!s || !version)
        return;
    size_t n = strnlen(version, sizeof(s->served_version));
    if (n == 0 || n >= sizeof(s->served_version))
        return;
    pthread_mutex_lock(&s->lock);
    if (strcmp(s->served_version, version) != 0) {
        bool was_other =
            s->served_version[0] && strcmp(s->served_version, SB_SHOPIFY_API_VERSION) != 0;
        bool is_other = strcmp(version, SB_SHOPIFY_API_VERSION) != 0;
        memcpy(s->served_version, version, n + 1);
        if (is_other || was_other)
            s->version_notice = true;
    }
    pthread_mutex_unlock(&s->lock);
}

json_t *sb_shopify_connection(const struct sb_channel *ch, struct sb_arena *a,
                              const char **ret_notice)
{
    struct sb_shopify_state *s = ch->state;
    if (ret_notice)
        *ret_notice = NULL;
    if (!s)
        return NULL;
    pthread_mutex_lock(&s->lock);
    json_t *out = s->connection ? json_deep_copy(s->connection) : NULL;
    char served[sizeof(s->served_version)];
    memcpy(served, s->served_version, sizeof(served));
    bool notice = s->version_notice && ret_notice;
    if (notice)
        s->version_notice = false;
    pthread_mutex_unlock(&s->lock);
    if (!out && !served[0])
        return NULL;
    if (!out)
        out = json_object();
    bool mismatch = served[0] && strcmp(served, SB_SHOPIFY_API_VERSION) != 0;
    json_object_set_new(out, "api_version",
                        json_pack("{s:s, s:s?, s:b}", "requested", SB_SHOPIFY_API_VERSION, "served",
                                  served[0] ? served : NULL, "mismatch", mismatch));
    if (notice && mismatch)
        *ret_notice = sb_arena_printf(
            a,
            "Shopify answers with API version %s, not %s, which stockbridge is written "
            "for: Shopify no longer serves %s; upgrade stockbridge",
            served, SB_SHOPIFY_API_VERSION, SB_SHOPIFY_API_VERSION);
    else if (notice)
        *ret_notice =
            sb_arena_printf(a, "Shopify answers with API version %s again", SB_SHOPIFY_API_VERSION);
    return out;
}
