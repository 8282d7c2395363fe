/*
 * The control API of the simulated Ecwid store, under /_fake/ecwid/, for the
 * tests and the demo: place orders (POST orders), change an order's statuses
 * (POST orders/{id}: paymentStatus, fulfillmentStatus, trackingNumber, as a
 * merchant would in Ecwid's admin), delete an order (DELETE orders/{id}:
 * order.deleted, then the API answers 404 for it), add products with
 * combinations, set the configuration (webhook URL, the rate limit, an API
 * fault such as a 429 storm with its Retry-After, webhook faults, the API
 * token: a new one makes the engine's refused with 403 INVALID_API_TOKEN, as
 * when a merchant revokes it; webhook_hold queues events unsent), release held
 * events (POST release {order: "raised" | "reverse"}), move the webhook clock
 * forward (POST advance {seconds}) so that retries fall due, and read what the
 * engine did (GET calls: counts, the order updates and stock calls it made)
 * and the webhooks sent (GET deliveries).
 * A call that raises events returns once their first sends are done. Bodies
 * are JSON objects checked like any input; errors answer
 * {"error":{"code","message","field"}}, nothing changed. No authentication:
 * main.c listens on loopback only. docs/fakestore.md gives the shapes.
 */
#include "ecwid.h"

#include "util/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_err(struct fs_ec_response *r, sb_err err)
{
    const struct sb_errinfo *info = sb_err_last();
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(sb_err_code(err)));
    json_object_set_new(
        e, "message",
        json_string(info->err == err && info->message[0] ? info->message : sb_err_message(err)));
    if (info->err == err && info->field[0])
        json_object_set_new(e, "field", json_string(info->field));
    ec_reply(r, sb_err_status(err), json_pack("{s:o}", "error", e));
}

static sb_err parse_body(const struct fs_ec_request *req, json_t **ret)
{
    if (!req->body_len) {
        *ret = json_object();
        return SB_OK;
    }
    json_error_t e;
    json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        return sb_fail(SB_EINVALID_JSON, NULL, "body must be a JSON object");
    }
    *ret = doc;
    return SB_OK;
}

static json_t *config_json(struct ec_shop *s)
{
    return json_pack("{s:s,s:s?,s:I,s:{s:i,s:i,s:i,s:b,s:s,s:i},s:{s:i,s:i,s:i},s:b}", "storeId",
                     s->store_id, "webhook_url", s->webhook_url, "rate_limit",
                     (json_int_t)s->rate_limit, "fault", "status", s->fault.status, "count",
                     s->fault.count, "delay_ms", s->fault.delay_ms, "cut", s->fault.cut, "path",
                     s->fault.prefix, "retry_after", s->fault.retry_after, "webhook_fault",
                     "bad_signature", s->hook_fault.bad_signature, "drop", s->hook_fault.drop,
                     "duplicate", s->hook_fault.duplicate, "webhook_hold", s->hook_hold);
}

static sb_err set_config(struct ec_shop *s, json_t *body)
{
    static const char *const keys[] = { "webhook_url",  "rate_limit", "fault", "webhook_fault",
                                        "webhook_hold", "token",      NULL };
    static const char *const fkeys[] = { "status", "count", "delay_ms",    "cut",
                                         "path",   "body",  "retry_after", NULL };
    static const char *const hkeys[] = { "bad_signature", "drop", "duplicate", NULL };
    struct sb_jctx c = { .obj = body };
    const char *url = NULL, *token = NULL;
    bool has_url = false, hold = s->hook_hold;
    int64_t limit = s->rate_limit;
    json_t *fj = NULL, *hj = NULL;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str_or_null(&c, "webhook_url", 2000, &url, &has_url)) ||
        (err = sb_json_int(&c, "rate_limit", false, 1, 1000000, &limit, NULL)) ||
        (err = sb_json_object(&c, "fault", false, &fj)) ||
        (err = sb_json_object(&c, "webhook_fault", false, &hj)) ||
        (err = sb_json_bool(&c, "webhook_hold", false, &hold, NULL)) ||
        (err = sb_json_str(&c, "token", false, sizeof(s->token) - 1, &token, NULL)))
        return err;
    if (token && !*token)
        return sb_fail(SB_EINVALID_FIELD, "token", "must not be empty");
    if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return sb_fail(SB_EINVALID_FIELD, "webhook_url", "must be an http(s) URL");
    struct ec_fault f = s->fault;
    if (fj) {
        struct sb_jctx g = { .obj = fj, .prefix = "fault" };
        int64_t status = 0, count = 1, delay = 0, retry = 0;
        bool cut = false;
        const char *path = "", *raw = NULL;
        if ((err = sb_json_only(&g, fkeys)) ||
            (err = sb_json_int(&g, "status", false, 400, 599, &status, NULL)) ||
            (err = sb_json_int(&g, "count", false, 0, 100000, &count, NULL)) ||
            (err = sb_json_int(&g, "delay_ms", false, 0, 60000, &delay, NULL)) ||
            (err = sb_json_bool(&g, "cut", false, &cut, NULL)) ||
            (err = sb_json_str(&g, "path", false, sizeof(f.prefix) - 1, &path, NULL)) ||
            (err = sb_json_str(&g, "body", false, sizeof(f.body) - 1, &raw, NULL)) ||
            (err = sb_json_int(&g, "retry_after", false, 1, 3600, &retry, NULL)))
            return err;
        f = (struct ec_fault){ .status = (int)status,
                               .count = status || delay || cut || raw ? (int)count : 0,
                               .delay_ms = (int)delay,
                               .retry_after = (int)retry,
                               .cut = cut,
                               .has_body = raw != NULL };
        snprintf(f.prefix, sizeof(f.prefix), "%s", path);
        if (raw)
            snprintf(f.body, sizeof(f.body), "%s", raw);
    }
    struct ec_hook_fault h = s->hook_fault;
    if (hj) {
        struct sb_jctx g = { .obj = hj, .prefix = "webhook_fault" };
        int64_t bad = 0, drop = 0, dup = 0;
        if ((err = sb_json_only(&g, hkeys)) ||
            (err = sb_json_int(&g, "bad_signature", false, 0, 100000, &bad, NULL)) ||
            (err = sb_json_int(&g, "drop", false, 0, 100000, &drop, NULL)) ||
            (err = sb_json_int(&g, "duplicate", false, 0, 100000, &dup, NULL)))
            return err;
        h = (struct ec_hook_fault){ (int)bad, (int)drop, (int)dup };
    }
    if (has_url) {
        char *copy = url ? strdup(url) : NULL;
        if (url && !copy)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        free(s->webhook_url);
        s->webhook_url = copy;
    }
    s->rate_limit = limit;
    s->fault = f;
    s->hook_fault = h;
    s->hook_hold = hold;
    if (token)
        snprintf(s->token, sizeof(s->token), "%s", token);
    return SB_OK;
}

static sb_err edit_order(struct ec_shop *s, struct ec_order *o, json_t *body)
{
    static const char *const keys[] = { "paymentStatus", "fulfillmentStatus", "trackingNumber",
                                        NULL };
    struct sb_jctx c = { .obj = body };
    const char *p = NULL, *f = NULL, *t = NULL;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str(&c, "paymentStatus", false, 39, &p, NULL)) ||
        (err = sb_json_str(&c, "fulfillmentStatus", false, 39, &f, NULL)) ||
        (err = sb_json_str(&c, "trackingNumber", false, EC_STR - 1, &t, NULL)))
        return err;
    if (p && !ec_payment_status_ok(p))
        return sb_fail(SB_EINVALID_FIELD, "paymentStatus",
                       "is not one of Ecwid's payment statuses");
    if (f && !ec_fulfillment_status_ok(f))
        return sb_fail(SB_EINVALID_FIELD, "fulfillmentStatus",
                       "is not one of Ecwid's fulfillment statuses");
    ec_order_set(s, o, p, f, t);
    return SB_OK;
}

static sb_err advance(struct ec_shop *s, json_t *body)
{
    static const char *const keys[] = { "seconds", NULL };
    struct sb_jctx c = { .obj = body };
    int64_t secs = 0;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_int(&c, "seconds", true, 1, 30LL * 86400, &secs, NULL)))
        return err;
    s->hook_offset += secs;
    return SB_OK;
}

/* Sends every held event (the last raised first when order is "reverse"), once each. */
static sb_err release(struct ec_shop *s, json_t *body)
{
    static const char *const keys[] = { "order", NULL };
    struct sb_jctx c = { .obj = body };
    const char *order = "raised";
    sb_err err;
    if ((err = sb_json_only(&c, keys)) || (err = sb_json_str(&c, "order", false, 16, &order, NULL)))
        return err;
    if (strcmp(order, "raised") != 0 && strcmp(order, "reverse") != 0)
        return sb_fail(SB_EINVALID_FIELD, "order", "must be raised or reverse");
    s->hook_hold = false;
    s->hook_reverse = strcmp(order, "reverse") == 0;
    ec_hooks_drain(s);
    s->hook_reverse = false;
    return SB_OK;
}

static json_t *calls_json(struct ec_shop *s)
{
    return json_pack("{s:I,s:I,s:I,s:O,s:O}", "requests", (json_int_t)s->requests, "limited",
                     (json_int_t)s->limited, "unauthorized", (json_int_t)s->unauthorized,
                     "order_updates", s->order_updates, "stock", s->stock_calls);
}

static void route(struct ec_shop *s, const struct fs_ec_request *req, const char *sub, json_t *body,
                  struct fs_ec_response *r)
{
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    sb_err err = SB_OK;
    if (strcmp(sub, "orders") == 0 && post) {
        struct ec_order *o = NULL;
        if (!(err = ec_order_place(s, body, &o))) {
            json_t *j = ec_order_json(s, o);
            ec_hooks_drain(s);
            return ec_reply(r, 201, j);
        }
    } else if (strncmp(sub, "orders/", 7) == 0) {
        struct ec_order *o = ec_order_find(s, sub + 7);
        if (!o)
            err = sb_fail(SB_ENOT_FOUND, NULL, "no such order");
        else if (get)
            return ec_reply(r, 200, ec_order_json(s, o));
        else if (post && !(err = edit_order(s, o, body))) {
            json_t *j = ec_order_json(s, o);
            ec_hooks_drain(s);
            return ec_reply(r, 200, j);
        } else if (strcmp(req->method, "DELETE") == 0) {
            json_t *j = json_pack("{s:s}", "deleted", o->id);
            ec_order_delete(s, o);
            ec_hooks_drain(s);
            return ec_reply(r, 200, j);
        }
    } else if (strcmp(sub, "products") == 0 && post) {
        struct ec_product *p = NULL;
        if (!(err = ec_product_add(s, body, &p)))
            return ec_reply(r, 201, ec_product_json(s, p));
    } else if (strcmp(sub, "config") == 0 && (get || post)) {
        if (get || !(err = set_config(s, body)))
            return ec_reply(r, 200, config_json(s));
    } else if (strcmp(sub, "advance") == 0 && post) {
        if (!(err = advance(s, body))) {
            ec_hooks_drain(s);
            return ec_reply(r, 200, ec_deliveries_json(s));
        }
    } else if (strcmp(sub, "release") == 0 && post) {
        if (!(err = release(s, body)))
            return ec_reply(r, 200, ec_deliveries_json(s));
    } else if (strcmp(sub, "calls") == 0 && get)
        return ec_reply(r, 200, calls_json(s));
    else if (strcmp(sub, "deliveries") == 0 && get) {
        ec_hooks_drain(s);
        return ec_reply(r, 200, ec_deliveries_json(s));
    } else
        err = sb_fail(SB_ENOT_FOUND, NULL, "no such control route");
    reply_err(r, err);
}

void ec_control(struct ec_shop *s, const struct fs_ec_request *req, struct fs_ec_response *r)
{
    const char *sub = req->path + strlen("/_fake/ecwid");
    sub = *sub == '/' ? sub + 1 : sub;
    json_t *body = NULL;
    sb_err err = strcmp(req->method, "POST") == 0 ? parse_body(req, &body) : SB_OK;
    if (err)
        return reply_err(r, err);
    pthread_mutex_lock(&s->mu);
    route(s, req, sub, body, r);
    pthread_mutex_unlock(&s->mu);
    json_decref(body);
}
