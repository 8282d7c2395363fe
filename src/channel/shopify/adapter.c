/*
 * The Shopify kind's row of the table of kinds (sb_channel_shopify) and its
 * operations: webhooks in (HMAC-checked before anything is parsed), orders
 * polled by updated_at and fetched one by one through the Admin GraphQL API
 * (transport.c), fulfillments and cancellations pushed back; its credentials
 * described as data, and where its API lives. Reading an order's JSON into
 * the normalized order is order.c's job; stock and prices are stock.c's,
 * prices.c's and bulk.c's.
 */
#include "channel/shopify/shopify.h"

#include "util/timeutil.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- the kind as data */

const struct sb_field sb_shopify_credentials[] = {
    { .name = "shop_domain",
      .type = SB_FIELD_HOST,
      .required = true,
      .label = "Shop domain",
      .help = "The shop's myshopify.com host name, such as acme.myshopify.com." },
    { .name = "access_token",
      .type = SB_FIELD_TEXT,
      .required = true,
      .secret = true,
      .label = "Admin API access token",
      .help = "The custom app's Admin API access token (shpat_...)." },
    { .name = "webhook_secret",
      .type = SB_FIELD_TEXT,
      .required = true,
      .secret = true,
      .label = "Webhook signing secret",
      .help = "The secret Shopify signs webhooks with (X-Shopify-Hmac-Sha256)." },
    { .name = "base_url",
      .type = SB_FIELD_URL,
      .label = "API base URL",
      .help = "Another host for the Admin API (the fakestore, a proxy); empty: the shop's "
              "own." },
    { 0 },
};

const char *sb_shopify_base_url(json_t *cred, struct sb_arena *a)
{
    const char *url = json_string_value(json_object_get(cred, "base_url"));
    const char *host = json_string_value(json_object_get(cred, "shop_domain"));
    char *s = url ? sb_arena_strdup(a, url) : host ? sb_arena_printf(a, "https://%s", host) : NULL;
    size_t len = s ? strlen(s) : 0;
    while (len > 0 && s[len - 1] == '/')
        s[--len] = '\0';
    return s;
}

/* ---------------------------------------------------------------- helpers */

static sb_err order_gid(const char *external_id, struct sb_arena *a, const char **ret)
{
    if (!sb_shopify_numeric_id(external_id))
        return sb_fail(SB_EINVALID_FIELD, "external_id", "a Shopify order id is a number");
    char *gid = sb_arena_printf(a, "gid://shopify/Order/%s", external_id);
    if (!gid)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = gid;
    return SB_OK;
}

/* Only the fulfillment orders' ids and states are read. Cost: Order 1 + connection 2 +
 * 20 x FulfillmentOrder 1 = 23. (Their line items, which the first version also asked for
 * and never read, brought it to 1 + 2 + 20 x (1 + 2 + 250 x 2) = 10,063.) */
static const char q_fulfillment_orders[] =
    "query SbFulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 20) { "
    "nodes { id status } } } }";
static const char m_fulfillment_create[] =
    "mutation SbFulfillmentCreate($fulfillment: FulfillmentInput!) { "
    "fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status trackingInfo { "
    "number company url } } userErrors { field message } } }";
static const char m_order_cancel[] =
    "mutation SbOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!, "
    "$notifyCustomer: Boolean, $refundMethod: OrderCancelRefundMethodInput) { "
    "orderCancel(orderId: $orderId, reason: $reason, restock: $restock, notifyCustomer: "
    "$notifyCustomer, refundMethod: $refundMethod) { job { id "
    "done } orderCancelUserErrors { field message code } } }";

/* ---------------------------------------------------------------- the ops */

static const char *const topics[] = {
    "orders/create",    "orders/updated", "orders/paid",
    "orders/cancelled", "refunds/create", "fulfillments/create",
};

static bool known_topic(const char *t)
{
    for (size_t i = 0; t && i < sizeof(topics) / sizeof(topics[0]); i++)
        if (strcmp(t, topics[i]) == 0)
            return true;
    return false;
}

static bool is_order_topic(const char *t)
{
    return t && strncmp(t, "orders/", 7) == 0;
}

static bool printable_token(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] <= ' ' || s[n] > '~')
            return false;
    return n > 0 && n <= max;
}

static sb_err shopify_verify_webhook(const struct sb_channel *ch, const struct sb_webhook *wh,
                                     struct sb_arena *a, struct sb_event_info *ret)
{
    const char *secret = sb_shopify_cred(ch, "webhook_secret");
    if (!secret)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the channel has no webhook secret to verify with");
    const char *sig = wh->header(wh->ud, "X-Shopify-Hmac-Sha256");
    if (!sig || !*sig)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook has no X-Shopify-Hmac-Sha256 header");

    /* Decode what was sent, compute ours over the raw bytes, compare in constant time. */
    unsigned char sent[64], mac[EVP_MAX_MD_SIZE];
    size_t sent_len = 0;
    unsigned int mac_len = 0;
    static const unsigned char empty[1];
    if (strlen(sig) > 88 ||
        sodium_base642bin(sent, sizeof(sent), sig, strlen(sig), NULL, &sent_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        sent_len != 32)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook signature does not verify");
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret),
              wh->body && wh->len ? (const unsigned char *)wh->body : empty, wh->len, mac,
              &mac_len) ||
        mac_len != 32)
        return sb_fail(SB_EINTERNAL, NULL, "HMAC-SHA256 failed");
    if (CRYPTO_memcmp(sent, mac, 32) != 0)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook signature does not verify");

    /* Verified: now the headers and the body may be read. */
    const char *topic = wh->header(wh->ud, "X-Shopify-Topic");
    if (!topic || !*topic)
        return sb_fail(SB_EMISSING_FIELD, "topic", "the webhook has no X-Shopify-Topic header");
    const char *event_id = wh->header(wh->ud, "X-Shopify-Event-Id");
    if (!event_id || !*event_id)
        event_id = wh->header(wh->ud, "X-Shopify-Webhook-Id");
    if (!event_id || !*event_id)
        return sb_fail(SB_EMISSING_FIELD, "event_id",
                       "the webhook has neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id");
    if (!printable_token(event_id, 128))
        return sb_fail(SB_EINVALID_FIELD, "event_id", "the webhook's event id is not valid");
    if (!known_topic(topic)) {
        /* A genuine event of a topic the engine does not use (a subscription made by hand,
         * or one Shopify added): answered 200 and stored nowhere, or Shopify would retry it
         * for hours and then drop the subscription. */
        const char *t = sb_arena_strndup(a, topic, strnlen(topic, 64));
        const char *e = sb_arena_strdup(a, event_id);
        if (!t || !e)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        *ret = (struct sb_event_info){ .event_id = e, .topic = t, .ignored = true };
        return SB_OK;
    }

    /*
     * The event is genuine from here on. A body that does not name its order is still
     * taken (200, recorded) and fails visibly in the pipeline: refusing it would make
     * Shopify retry it for two days and then drop the subscription, and nobody would
     * see why (O10).
     */
    json_t *root = NULL;
    const char *order_ref = NULL;
    if (sb_shopify_load_object(wh->body, wh->len, "the webhook body", a, &root) == SB_OK) {
        const char *key = is_order_topic(topic) ? "id" : "order_id";
        json_t *ref = json_object_get(root, key);
        if (ref && !json_is_null(ref) && sb_shopify_id_value(ref, key, a, &order_ref) != SB_OK)
            order_ref = NULL;
    }
    sb_err_clear();
    const char *t = sb_arena_strdup(a, topic), *e = sb_arena_strdup(a, event_id);
    if (!t || !e)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    ret->topic = t;
    ret->event_id = e;
    ret->order_ref = order_ref;
    return SB_OK;
}

static sb_err shopify_parse_event(const struct sb_channel *ch, const char *topic, const char *body,
                                  size_t len, struct sb_arena *a, struct sb_order **ret)
{
    if (!known_topic(topic))
        return sb_fail(SB_EINVALID_FIELD, "topic", "topic %.64s is not one stockbridge takes",
                       topic ? topic : "(none)");
    if (!is_order_topic(topic)) {
        /* A refund or a fulfillment: the pipeline fetches the whole order, which carries it
         * in its version order. */
        *ret = NULL;
        return SB_OK;
    }
    json_t *root = NULL;
    sb_err err = sb_shopify_load_object(body, len, "the webhook body", a, &root);
    if (err)
        return err;
    return sb_shopify_parse_rest_order(root, a, ret);
}

/*
 * One order read alone, with the larger sizes. *ret_order_fault tells the poll whether a
 * failure lies in the order itself - gone, still cut short, or not parseable - which the
 * poll steps over, or in reaching Shopify, which stops the poll.
 */
static sb_err read_alone(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                         struct sb_order **ret, bool *ret_order_fault)
{
    *ret_order_fault = false;
    const char *gid = NULL, *query = NULL;
    sb_err err = order_gid(external_id, a, &gid);
    if (err)
        return err;
    if (!(query = sb_shopify_order_query(&sb_shopify_alone, a)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_t *vars = json_pack("{s:s}", "id", gid), *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if ((err = sb_shopify_gql(ch, a, "SbOrder", query, vars, &data)))
        return err;
    *ret_order_fault = true;
    json_t *order = json_object_get(data, "order");
    if ((!order || json_is_null(order)) && sb_shopify_scope_missing(ch, "read_all_orders"))
        return sb_fail(SB_EFORBIDDEN, "read_all_orders",
                       "order %s is not visible to the app: without the read_all_orders access "
                       "scope Shopify shows an app only the orders of the last 60 days; grant "
                       "read_all_orders to take events on older orders",
                       external_id);
    if (!order || json_is_null(order))
        return sb_fail(SB_ENOT_FOUND, NULL, "order %s is not on Shopify", external_id);
    const char *cut = sb_shopify_truncated(order, &sb_shopify_alone);
    if (cut)
        return sb_fail(SB_EINVALID_FIELD, cut,
                       "order %s cannot be read whole from Shopify: its %s do not fit in one "
                       "query; it is not imported rather than imported in part",
                       external_id, cut);
    return sb_shopify_parse_gql_order(order, a, ret);
}

/* A node's order id: legacyResourceId, else its gid's tail; NULL when it has neither. */
static const char *node_id(json_t *node, struct sb_arena *a)
{
    const char *id = NULL;
    json_t *legacy = json_object_get(node, "legacyResourceId");
    if (legacy && sb_shopify_id_value(legacy, "legacyResourceId", a, &id) == SB_OK)
        return id;
    return sb_shopify_gid_tail(json_string_value(json_object_get(node, "id")), "Order", a);
}

static sb_err shopify_poll_orders(const struct sb_channel *ch, const char *cursor,
                                  struct sb_arena *a, struct sb_order_page *ret)
{
    struct sb_shopify_cursor cur;
    sb_err err = sb_shopify_cursor_parse(cursor, a, &cur);
    if (err)
        return err;
    const char *query = sb_shopify_order_query(&sb_shopify_page, a);
    json_t *vars =
        query ? json_pack("{s:i, s:o, s:o}", "first", sb_shopify_page.orders, "after",
                          cur.after ? json_string(cur.after) : json_null(), "query", json_null())
              : NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (cur.since) {
        /* A second early: Shopify compares whole seconds with ">", and an order updated in the
         * same second as the last one seen must not slip through. Seeing it again is
         * harmless: the pipeline ignores versions it has. */
        char since[SB_TIME_LEN], q[64];
        sb_time_format(cur.since - 1, since, sizeof(since));
        snprintf(q, sizeof(q), "updated_at:>'%s'", since);
        json_object_set_new(vars, "query", json_string(q));
    }
    json_t *data = NULL;
    if ((err = sb_shopify_gql(ch, a, "SbOrders", query, vars, &data)))
        return err;
    json_t *orders = json_object_get(data, "orders");
    json_t *page_info = json_object_get(orders, "pageInfo");
    json_t *nodes = json_object_get(orders, "nodes");
    if (!json_is_object(orders) || !json_is_array(nodes))
        return sb_fail(SB_EIO, NULL, "Shopify's orders answer has no nodes");
    if (json_array_size(nodes) > 250)
        return sb_fail(SB_EIO, NULL, "Shopify's orders answer has too many nodes");
    size_t n = json_array_size(nodes);
    struct sb_order **list = sb_arena_alloc(a, (n ? n : 1) * sizeof(*list));
    struct sb_order_unreadable *bad = sb_arena_alloc(a, (n ? n : 1) * sizeof(*bad));
    if (!list || !bad)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t kept = 0, nbad = 0;
    int64_t max = cur.max > cur.since ? cur.max : cur.since;
    for (size_t i = 0; i < n; i++) {
        json_t *node = json_array_get(nodes, i);
        struct sb_order *o = NULL;
        /* An order that does not parse is left out rather than stopping every poll after
         * it, and reported with why (O10). The cursor still moves past it. */
        json_t *updated = json_object_get(node, "updatedAt");
        int64_t t;
        if (json_is_string(updated) && sb_time_parse(json_string_value(updated), &t) && t > max)
            max = t;
        if (!sb_shopify_truncated(node, &sb_shopify_page)) {
            if (sb_shopify_parse_gql_order(node, a, &o) == SB_OK) {
                list[kept++] = o;
            } else {
                const char *id = node_id(node, a);
                if (id)
                    bad[nbad++] = (struct sb_order_unreadable){
                        .external_id = id, .reason = sb_arena_strdup(a, sb_err_last()->message)
                    };
            }
            continue;
        }
        /* More than a page holds: never imported in part, but read again alone with the
         * larger sizes. Failing to reach Shopify for it ends this poll where it stands. */
        const char *id = node_id(node, a);
        bool order_fault = true;
        if (!id)
            continue;
        if ((err = read_alone(ch, id, a, &o, &order_fault)) == SB_OK)
            list[kept++] = o;
        else if (!order_fault)
            return err;
        else
            bad[nbad++] = (struct sb_order_unreadable){
                .external_id = id, .reason = sb_arena_strdup(a, sb_err_last()->message)
            };
    }
    sb_err_clear();
    json_t *has_next = json_object_get(page_info, "hasNextPage");
    const char *end = json_string_value(json_object_get(page_info, "endCursor"));
    struct sb_shopify_cursor next = { .since = cur.since, .max = max };
    ret->more = json_is_true(has_next) && end && *end && strlen(end) <= 2048;
    if (ret->more) {
        next.after = end;
    } else {
        next.since = max;
        next.max = 0;
    }
    ret->next_cursor = sb_shopify_cursor_format(&next, a);
    if (!ret->next_cursor)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    ret->orders = list;
    ret->n = kept;
    ret->unreadable = bad;
    ret->n_unreadable = nbad;
    return SB_OK;
}

/* Events that carry no order (refunds, fulfillments) bring it this way, read alone. */
static sb_err shopify_fetch_order(const struct sb_channel *ch, const char *external_id,
                                  struct sb_arena *a, struct sb_order **ret)
{
    bool order_fault;
    return read_alone(ch, external_id, a, ret, &order_fault);
}

static enum sb_decision shopify_decide(const struct sb_channel *ch, const struct sb_order *o,
                                       const char **ret_reason)
{
    const char *reason = NULL;
    enum sb_decision d = SB_DECIDE_DOWNLOAD;
    if (o->cancelled) {
        reason = "cancelled before download";
        d = SB_DECIDE_SKIP;
    }
    /* Otherwise paid or not: an unpaid order comes down with a balance due (P3, P4). */
    if (ret_reason)
        *ret_reason = reason;
    return d;
}

static const char *shopify_payment_type(const struct sb_channel *ch, const char *gateway,
                                        bool *ret_integrated)
{
    return sb_shopify_payment_type(gateway, ret_integrated);
}

/* The userErrors of a mutation payload as SB_ECONFLICT with the first message. */
static sb_err user_errors(json_t *payload, const char *key, const char *what)
{
    json_t *errs = json_object_get(payload, key);
    if (!json_is_array(errs) || json_array_size(errs) == 0)
        return SB_OK;
    json_t *e = json_array_get(errs, 0);
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    if (code && strcmp(code, "NOT_FOUND") == 0)
        return sb_fail(SB_ENOT_FOUND, NULL, "Shopify: %s: %.200s", what, msg ? msg : code);
    return sb_fail(SB_ECONFLICT, NULL, "Shopify refused the %s: %.200s", what,
                   msg ? msg : "no reason given");
}

static sb_err push_fulfillment(const struct sb_channel *ch, const struct sb_fulfillment_push *f,
                               struct sb_arena *a)
{
    const char *gid = NULL;
    sb_err err = order_gid(f->order_external_id, a, &gid);
    if (err)
        return err;
    json_t *vars = json_pack("{s:s}", "id", gid), *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if ((err = sb_shopify_gql(ch, a, "SbFulfillmentOrders", q_fulfillment_orders, vars, &data)))
        return err;
    json_t *order = json_object_get(data, "order");
    if (!json_is_object(order))
        return sb_fail(SB_ENOT_FOUND, NULL, "order %s is not on Shopify", f->order_external_id);
    json_t *nodes = json_object_get(json_object_get(order, "fulfillmentOrders"), "nodes");
    size_t i, open = 0, closed = 0, held = 0;
    json_t *fo;
    json_array_foreach(nodes, i, fo)
    {
        const char *id = json_string_value(json_object_get(fo, "id"));
        const char *status = json_string_value(json_object_get(fo, "status"));
        if (status && strcmp(status, "CLOSED") == 0)
            closed++;
        if (status && (strcmp(status, "ON_HOLD") == 0 || strcmp(status, "SCHEDULED") == 0))
            held++;
        if (!id || !status || (strcmp(status, "OPEN") != 0 && strcmp(status, "IN_PROGRESS") != 0))
            continue;
        open++;
        json_t *input =
            json_pack("{s:[{s:s}], s:b}", "lineItemsByFulfillmentOrder", "fulfillmentOrderId", id,
                      "notifyCustomer", f->notify_customer ? 1 : 0);
        if (!input)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        if (f->tracking_number || f->tracking_company || f->tracking_url) {
            json_t *tracking = json_object();
            if (f->tracking_number)
                json_object_set_new(tracking, "number", json_string(f->tracking_number));
            if (f->tracking_company)
                json_object_set_new(tracking, "company", json_string(f->tracking_company));
            if (f->tracking_url)
                json_object_set_new(tracking, "url", json_string(f->tracking_url));
            json_object_set_new(input, "trackingInfo", tracking);
        }
        json_t *mvars = json_pack("{s:o}", "fulfillment", input), *mdata = NULL;
        if (!mvars)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        if ((err =
                 sb_shopify_gql(ch, a, "SbFulfillmentCreate", m_fulfillment_create, mvars, &mdata)))
            return err;
        json_t *payload = json_object_get(mdata, "fulfillmentCreate");
        if (!json_is_object(payload))
            return sb_fail(SB_EIO, NULL, "Shopify's fulfillmentCreate answer has no payload");
        if ((err = user_errors(payload, "userErrors", "fulfillment")))
            return err;
    }
    /* S4: a part Shopify holds (ON_HOLD, SCHEDULED) cannot be fulfilled yet; the order is not
     * shipped there until it is, so the call is not done: the outbox sends it again (what
     * was fulfilled is CLOSED by then and skipped) until Shopify releases the part, and
     * parks it, in sight, if it never does */
    if (held)
        return sb_fail(SB_EBUSY, NULL,
                       "order %s: %zu fulfillment order%s on hold or scheduled on Shopify, not "
                       "fulfilled yet (%zu fulfilled now); sent again until Shopify releases %s",
                       f->order_external_id, held, held == 1 ? " is" : "s are", open,
                       held == 1 ? "it" : "them");
    if (open == 0 && (closed == 0 || closed != json_array_size(nodes)))
        return sb_fail(SB_ECONFLICT, NULL,
                       "order %s has no open fulfillment order on Shopify to fulfill",
                       f->order_external_id);
    return SB_OK; /* all closed already: fulfilled before, nothing to do */
}

static sb_err shopify_push_fulfillment(const struct sb_channel *ch,
                                       const struct sb_fulfillment_push *f)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = push_fulfillment(ch, f, a);
    sb_arena_free(a);
    return err;
}

/* Shopify's OrderCancelReason for a reason text: the enum value itself when it is one,
 * else OTHER. */
static const char *cancel_reason(const char *reason)
{
    static const char *const values[] = { "CUSTOMER",  "DECLINED", "FRAUD",
                                          "INVENTORY", "STAFF",    "OTHER" };
    for (size_t i = 0; reason && i < sizeof(values) / sizeof(values[0]); i++)
        if (strcasecmp(reason, values[i]) == 0)
            return values[i];
    return "OTHER";
}

static sb_err push_cancel(const struct sb_channel *ch, const char *external_id, const char *reason,
                          struct sb_arena *a)
{
    const char *gid = NULL;
    sb_err err = order_gid(external_id, a, &gid);
    if (err)
        return err;
    /* A sale voided in the POS (S1): the customer gets their money back and Shopify's
     * committed stock is released; stock levels themselves follow from the POS (I1). */
    /* refundMethod: refund: is deprecated in 2026-10 */
    json_t *vars = json_pack("{s:s, s:s, s:b, s:b, s:{s:b}}", "orderId", gid, "reason",
                             cancel_reason(reason), "restock", 1, "notifyCustomer", 0,
                             "refundMethod", "originalPaymentMethodsRefund", 1),
           *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if ((err = sb_shopify_gql(ch, a, "SbOrderCancel", m_order_cancel, vars, &data)))
        return err;
    json_t *payload = json_object_get(data, "orderCancel");
    if (!json_is_object(payload))
        return sb_fail(SB_EIO, NULL, "Shopify's orderCancel answer has no payload");
    if ((err = user_errors(payload, "orderCancelUserErrors", "cancellation")) ||
        (err = user_errors(payload, "userErrors", "cancellation")))
        return err;
    return SB_OK;
}

static sb_err shopify_push_cancel(const struct sb_channel *ch, const char *external_id,
                                  const char *reason)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = push_cancel(ch, external_id, reason, a);
    sb_arena_free(a);
    return err;
}

const struct sb_channel_ops sb_channel_shopify = {
    .kind = "shopify",
    .label = "Shopify",
    .caps = SB_CH_WEBHOOKS | SB_CH_POLL | SB_CH_FETCH | SB_CH_LOCATIONS | SB_CH_FULFILL |
            SB_CH_CANCEL | SB_CH_STOCK | SB_CH_STOCK_ALL | SB_CH_PRICES | SB_CH_CONNECT,
    .credentials = sb_shopify_credentials,
    .settings = sb_shopify_settings,  /* webhook_base_url, beside the common ones */
    .push_batch = SB_SHOPIFY_SET_MAX, /* inventorySetQuantities takes 250 quantities a call */
    .base_url = sb_shopify_base_url,
    .state_size = sizeof(struct sb_shopify_state),
    .open = sb_shopify_open,
    .close = sb_shopify_close,
    .verify_webhook = shopify_verify_webhook,
    .parse_event = shopify_parse_event,
    .poll_orders = shopify_poll_orders,
    .fetch_order = shopify_fetch_order,
    .decide = shopify_decide,
    .payment_type = shopify_payment_type,
    .push_fulfillment = shopify_push_fulfillment,
    .push_cancel = shopify_push_cancel,
    .find_items = sb_shopify_find_items,
    .push_stock = sb_shopify_push_stock,
    .read_stock = sb_shopify_read_stock,
    .read_stock_all = sb_shopify_read_stock_all,
    .push_prices = sb_shopify_push_prices,
    .connect = sb_shopify_connect,
    .connection = sb_shopify_connection,
};
