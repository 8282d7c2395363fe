/*
 * The control API under /_fake/, for the tests and the demo: place orders
 * and change them (pay, cancel, refund, fulfill, update), each change
 * announced by webhooks (which a body may skip, duplicate, reverse or send
 * concurrently) and answered once they are delivered; add products; set
 * faults and the configuration (the stock, location and price routes are in
 * control-inventory.c); and read what the engine did (its
 * fulfillments, cancellations and GraphQL calls, the webhook deliveries).
 * Bodies are JSON objects checked like any input; errors answer
 * {"error":{"code","message","field"}} with the matching status. There is
 * no authentication, which is why main.c listens on loopback only.
 */
#include "shop.h"

#include "core/money.h"
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ORDERS 20000

/* ---------------------------------------------------------------- answers */

static void reply_err(struct fs_response *r, sb_err err)
{
    const struct sb_errinfo *info = sb_err_last();
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(sb_err_code(err)));
    json_object_set_new(
        e, "message",
        json_string(info->err == err && info->message[0] ? info->message : sb_err_message(err)));
    if (info->err == err && info->field[0])
        json_object_set_new(e, "field", json_string(info->field));
    fs_respond(r, sb_err_status(err), json_pack("{s:o}", "error", e));
}

static sb_err parse_body(const struct fs_request *req, json_t **ret)
{
    if (!req->body_len) {
        *ret = json_object();
        return *ret ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_error_t e;
    json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!doc)
        return sb_fail(SB_EINVALID_JSON, NULL, "body is not valid JSON (line %d, column %d)",
                       e.line, e.column);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return sb_fail(SB_EINVALID_JSON, NULL, "body must be a JSON object");
    }
    *ret = doc;
    return SB_OK;
}

static void log_action(const char *action, const struct order *o)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)o->id);
    sb_log(SB_LOG_INFO, "fakestore.order", "action", action, "order", id, "name", o->name, NULL);
}

/* ---------------------------------------------------------------- orders */

sb_err fs_order_place(struct fs_shop *s, json_t *body, json_t **ret)
{
    struct order *o = fs_order_new();
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct opts op = { 0 };
    struct batch b = { 0 };
    struct events ev = { 0 };
    pthread_mutex_lock(&s->mu);
    sb_err err = SB_OK;
    if (s->n_orders >= MAX_ORDERS)
        err = sb_fail(SB_EINSUFFICIENT, NULL, "the shop holds %d orders, its limit", MAX_ORDERS);
    if (!err && s->n_orders == s->cap_orders) {
        size_t cap = s->cap_orders ? s->cap_orders * 2 : 64;
        struct order **no = realloc(s->orders, cap * sizeof(*no));
        if (!no)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        else
            s->orders = no, s->cap_orders = cap;
    }
    if (!err)
        err = fs_parse_order(s, body, o, &op);
    if (err) {
        pthread_mutex_unlock(&s->mu);
        fs_order_free(o);
        return err;
    }
    s->orders[s->n_orders++] = o;
    fs_stock_take(s, o);
    fs_ev_order(&ev, "orders/create", o);
    if (strcmp(o->financial_status, "paid") == 0)
        fs_ev_order(&ev, "orders/paid", o);
    if (op.webhooks)
        fs_enqueue(s, &ev, &b, op.duplicate, op.reverse, op.concurrent);
    fs_ev_clear(&ev);
    *ret = fs_rest_order(o);
    log_action("create", o);
    fs_wait_batch(s, &b);
    pthread_mutex_unlock(&s->mu);
    return SB_OK;
}

static sb_err lines_field(struct sb_jctx *c, json_t **ret)
{
    return sb_json_array(c, "lines", false, MAX_LINES, ret);
}

static long find_line(const struct order *o, int64_t line_id)
{
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i].id == line_id)
            return (long)i;
    return -1;
}

static sb_err line_ref(struct sb_jctx *c, json_t *v, size_t i, const struct order *o,
                       bool with_restock, size_t *ret_line, int64_t *ret_qty, bool *ret_restock)
{
    char buf[64];
    struct sb_jctx lc = sb_jctx_child(c, "lines", (long)i, v, buf, sizeof(buf));
    static const char *const keys_r[] = { "line_item_id", "quantity", "restock", NULL };
    static const char *const keys_f[] = { "line_item_id", "quantity", NULL };
    int64_t lid = 0;
    sb_err err;
    if ((err = fs_check_object(v, buf)) ||
        (err = sb_json_only(&lc, with_restock ? keys_r : keys_f)) ||
        (err = sb_json_int(&lc, "line_item_id", true, 1, INT64_MAX, &lid, NULL)) ||
        (err = sb_json_int(&lc, "quantity", true, 1, QTY_MAX, ret_qty, NULL)) ||
        (with_restock && (err = sb_json_bool(&lc, "restock", false, ret_restock, NULL))))
        return err;
    long line = find_line(o, lid);
    if (line < 0) {
        char f[96];
        snprintf(f, sizeof(f), "%s.line_item_id", buf);
        return sb_fail(SB_EUNKNOWN_REFERENCE, f, "order %s has no line item %lld", o->name,
                       (long long)lid);
    }
    *ret_line = (size_t)line;
    return SB_OK;
}

static const char *const ctl_reasons[] = { "customer", "declined", "fraud", "inventory",
                                           "other",    "staff",    NULL };

/* pay, cancel, refund, fulfill, update, split: the change, then its webhooks. */
static sb_err order_action(struct fs_shop *s, struct order *o, const char *action, json_t *body,
                           struct events *ev)
{
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    sb_err err;
    if (strcmp(action, "pay") == 0) {
        static const char *const keys[] = { "webhooks", "duplicate", "reverse", "concurrent",
                                            NULL };
        if ((err = sb_json_only(&c, keys)) || (err = fs_order_pay(s, o)))
            return err;
        fs_ev_order(ev, "orders/paid", o);
    } else if (strcmp(action, "cancel") == 0) {
        static const char *const keys[] = { "reason",    "refund",  "restock",    "webhooks",
                                            "duplicate", "reverse", "concurrent", NULL };
        const char *reason = "customer";
        bool refund = false, restock = false;
        if ((err = sb_json_only(&c, keys)) ||
            (err = sb_json_str(&c, "reason", false, 32, &reason, NULL)) ||
            (err = sb_json_bool(&c, "refund", false, &refund, NULL)) ||
            (err = sb_json_bool(&c, "restock", false, &restock, NULL)))
            return err;
        size_t i = 0;
        while (ctl_reasons[i] && strcmp(ctl_reasons[i], reason) != 0)
            i++;
        if (!ctl_reasons[i])
            return sb_fail(SB_EINVALID_FIELD, "reason",
                           "reason must be customer, declined, fraud, inventory, other or staff");
        struct refund *r = NULL;
        if ((err = fs_order_cancel(s, o, ctl_reasons[i], refund, restock, &r)))
            return err;
        /* as Shopify does: a cancel that refunds sends the refund's own event too */
        if (r)
            fs_ev_add(ev, "refunds/create", fs_rest_refund(o, r), o->id);
        fs_ev_order(ev, "orders/cancelled", o);
    } else if (strcmp(action, "refund") == 0) {
        static const char *const keys[] = { "lines",     "amount",  "note",       "webhooks",
                                            "duplicate", "reverse", "concurrent", NULL };
        json_t *lines = NULL;
        int64_t amount = 0;
        bool has_amount = false;
        const char *note = NULL;
        if ((err = sb_json_only(&c, keys)) || (err = lines_field(&c, &lines)) ||
            (err = fs_get_money(&c, "amount", false, fs_exp(o->currency), SB_MONEY_MAX, &amount,
                                &has_amount)) ||
            (err = fs_get_str(o->arena, &c, "note", false, &note)))
            return err;
        size_t n = lines ? json_array_size(lines) : 0;
        struct refund_req *rq = calloc(n ? n : 1, sizeof(*rq));
        if (!rq)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < n && !err; i++)
            err = line_ref(&c, json_array_get(lines, i), i, o, true, &rq[i].line, &rq[i].qty,
                           &rq[i].restock);
        struct refund *r = NULL;
        if (!err)
            err = fs_order_refund(s, o, rq, n, has_amount, amount, note, &r);
        free(rq);
        if (err)
            return err;
        fs_ev_add(ev, "refunds/create", fs_rest_refund(o, r), o->id);
        fs_ev_order(ev, "orders/updated", o);
    } else if (strcmp(action, "fulfill") == 0) {
        static const char *const keys[] = { "tracking_number", "tracking_company", "tracking_url",
                                            "lines",           "webhooks",         "duplicate",
                                            "reverse",         "concurrent",       NULL };
        const char *number = NULL, *company = NULL, *url = NULL;
        json_t *lines = NULL;
        if ((err = sb_json_only(&c, keys)) ||
            (err = fs_get_str(o->arena, &c, "tracking_number", false, &number)) ||
            (err = fs_get_str(o->arena, &c, "tracking_company", false, &company)) ||
            (err = fs_get_str(o->arena, &c, "tracking_url", false, &url)) ||
            (err = lines_field(&c, &lines)))
            return err;
        size_t n = lines ? json_array_size(lines) : 0;
        if (lines && !n)
            return sb_fail(SB_EINVALID_FIELD, "lines", "lines must not be empty when given");
        struct ful_req *rq = calloc(n ? n : 1, sizeof(*rq));
        if (!rq)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < n && !err; i++)
            err =
                line_ref(&c, json_array_get(lines, i), i, o, false, &rq[i].line, &rq[i].qty, NULL);
        struct fulfillment *f = NULL;
        if (!err)
            err = fs_order_fulfill(s, o, rq, n, number, company, url, &f);
        free(rq);
        if (err)
            return err;
        fs_ev_add(ev, "fulfillments/create", fs_rest_fulfillment(o, f, o->n_fulfillments - 1),
                  o->id);
        fs_ev_order(ev, "orders/updated", o);
    } else if (strcmp(action, "split") == 0) {
        /* the order's lines across fulfillment orders: locations, holds, schedules */
        static const char *const keys[] = { "fulfillment_orders", "webhooks",
                                            "duplicate",          "reverse",
                                            "concurrent",         NULL };
        if ((err = sb_json_only(&c, keys)) ||
            (err = fs_order_split(s, o, json_object_get(body, "fulfillment_orders"))))
            return err;
    } else if (strcmp(action, "update") == 0) {
        static const char *const keys[] = { "note",
                                            "email",
                                            "phone",
                                            "tags",
                                            "note_attributes",
                                            "shipping_address",
                                            "billing_address",
                                            "webhooks",
                                            "duplicate",
                                            "reverse",
                                            "concurrent",
                                            NULL };
        static const char *const changes[] = { "note",
                                               "email",
                                               "phone",
                                               "tags",
                                               "note_attributes",
                                               "shipping_address",
                                               "billing_address",
                                               NULL };
        if ((err = sb_json_only(&c, keys)))
            return err;
        bool any = false;
        for (size_t i = 0; changes[i]; i++)
            any |= json_object_get(body, changes[i]) != NULL;
        if (!any)
            return sb_fail(SB_EMISSING_FIELD, NULL,
                           "update needs one of note, email, phone, tags, note_attributes, "
                           "shipping_address, billing_address");
        struct order tmp = *o;
        if ((err = fs_get_str(o->arena, &c, "note", false, &tmp.note)) ||
            (err = fs_get_str(o->arena, &c, "email", false, &tmp.email)) ||
            (err = fs_get_str(o->arena, &c, "phone", false, &tmp.phone)) ||
            (err = fs_get_str(o->arena, &c, "tags", false, &tmp.tags)) ||
            (err = fs_parse_attrs(o->arena, &c, &tmp)) ||
            (err = fs_parse_address(o->arena, &c, "shipping_address", &tmp.shipping)) ||
            (err = fs_parse_address(o->arena, &c, "billing_address", &tmp.billing)))
            return err;
        o->note = tmp.note;
        o->email = tmp.email;
        o->phone = tmp.phone;
        o->tags = tmp.tags;
        o->n_attrs = tmp.n_attrs;
        o->attr_name = tmp.attr_name;
        o->attr_value = tmp.attr_value;
        o->shipping = tmp.shipping;
        o->billing = tmp.billing;
        o->updated_at = fs_tick(s);
        fs_ev_order(ev, "orders/updated", o);
    } else {
        return sb_fail(SB_ENOT_FOUND, NULL, "no such action: %s", action);
    }
    return SB_OK;
}

static sb_err ctl_order_action(struct fs_shop *s, int64_t id, const char *action, json_t *body,
                               json_t **ret)
{
    struct events ev = { 0 };
    struct batch b = { 0 };
    struct opts op = { 0 };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    sb_err err = fs_parse_opts(&c, &op);
    if (err)
        return err;
    pthread_mutex_lock(&s->mu);
    struct order *o = fs_find_order(s, id);
    if (!o)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no order %lld", (long long)id);
    if (!err)
        err = order_action(s, o, action, body, &ev);
    if (err) {
        fs_ev_clear(&ev);
        pthread_mutex_unlock(&s->mu);
        return err;
    }
    if (op.webhooks)
        fs_enqueue(s, &ev, &b, op.duplicate, op.reverse, op.concurrent);
    fs_ev_clear(&ev);
    *ret = fs_rest_order(o);
    log_action(action, o);
    fs_wait_batch(s, &b);
    pthread_mutex_unlock(&s->mu);
    return SB_OK;
}

/* ---------------------------------------------------------------- products */

#define MAX_PRODUCTS_LISTED 10000

static json_t *product_json(const struct product *p, int e)
{
    json_t *x = json_pack("{s:I,s:I,s:I,s:o,s:o,s:s,s:o,s:o,s:o}", "product_id",
                          (json_int_t)p->product_id, "variant_id", (json_int_t)p->variant_id,
                          "inventory_item_id", (json_int_t)p->inventory_item_id, "variant_gid",
                          fs_jgid("ProductVariant", p->variant_id), "inventory_item_gid",
                          fs_jgid("InventoryItem", p->inventory_item_id), "sku", p->sku, "title",
                          fs_jstr(p->title), "price", fs_jmoney(p->price, e), "barcode",
                          fs_jstr(p->barcode));
    json_object_set_new(x, "product_gid", fs_jgid("Product", p->product_id));
    json_object_set_new(x, "compare_at_price",
                        p->compare_at < 0 ? json_null() : fs_jmoney(p->compare_at, e));
    json_object_set_new(x, "tracked", json_boolean(p->tracked));
    json_object_set_new(x, "available",
                        p->stocked & 1u ? json_integer(p->available[0]) : json_null());
    return x;
}

/* ---------------------------------------------------------------- faults and configuration */

static json_t *faults_json(const struct fs_shop *s)
{
    json_t *ops = json_array();
    for (size_t i = 0; i < s->gfault.n_ops; i++)
        json_array_append_new(ops, json_string(s->gfault.ops[i]));
    return json_pack("{s:{s:i,s:i,s:i,s:b,s:i,s:i,s:o},s:{s:i,s:i},s:o}", "graphql", "status",
                     s->gfault.status, "count", s->gfault.count, "delay_ms", s->gfault.delay_ms,
                     "cut", s->gfault.cut, "throttle", s->gfault.throttle, "after", s->gfault.after,
                     "operations", ops, "webhooks", "drop", s->hfault.drop, "bad_signature",
                     s->hfault.bad_signature, "bulk", fs_bulk_faults_json(s));
}

/* "operations": the names a GraphQL fault is aimed at. */
static sb_err fault_ops(struct sb_jctx *g, struct gql_fault *gf)
{
    json_t *ops = NULL, *v;
    size_t i;
    sb_err err = sb_json_array(g, "operations", false, MAX_FAULT_OPS, &ops);
    if (err || !ops)
        return err;
    json_array_foreach(ops, i, v)
    {
        if (!json_is_string(v) || !json_string_length(v) ||
            json_string_length(v) >= sizeof(gf->ops[0]))
            return sb_fail(SB_EINVALID_FIELD, "graphql.operations",
                           "graphql.operations must list operation names (1 to 63 bytes)");
        snprintf(gf->ops[i], sizeof(gf->ops[i]), "%s", json_string_value(v));
    }
    gf->n_ops = json_array_size(ops);
    return SB_OK;
}

static sb_err ctl_faults(struct fs_shop *s, json_t *body)
{
    static const char *const keys[] = { "graphql", "webhooks", "bulk", NULL };
    static const char *const gkeys[] = { "status",   "count", "delay_ms",   "cut",
                                         "throttle", "after", "operations", NULL };
    static const char *const wkeys[] = { "drop", "bad_signature", NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    json_t *gq = NULL, *wh = NULL;
    sb_err err;
    json_t *bk = NULL;
    if ((err = sb_json_only(&c, keys)) || (err = sb_json_object(&c, "graphql", false, &gq)) ||
        (err = sb_json_object(&c, "webhooks", false, &wh)) ||
        (err = sb_json_object(&c, "bulk", false, &bk)))
        return err;
    struct gql_fault gf = { 0 };
    struct hook_fault hf = { 0 };
    struct bulk_fault bf = { 0 };
    if (bk && (err = fs_bulk_faults_parse(bk, &bf)))
        return err;
    if (gq) {
        struct sb_jctx g = { .obj = gq, .prefix = "graphql" };
        int64_t status = 0, count = 1, delay = 0, throttle = 0, after = 0;
        bool has_status = false, has_delay = false;
        if ((err = sb_json_only(&g, gkeys)) ||
            (err = sb_json_int(&g, "after", false, 0, 1000000, &after, NULL)) ||
            (err = fault_ops(&g, &gf)) ||
            (err = sb_json_int(&g, "status", false, 400, 599, &status, &has_status)) ||
            (err = sb_json_int(&g, "count", false, 1, 1000, &count, NULL)) ||
            (err = sb_json_int(&g, "delay_ms", false, 0, 60000, &delay, &has_delay)) ||
            (err = sb_json_bool(&g, "cut", false, &gf.cut, NULL)) ||
            (err = sb_json_int(&g, "throttle", false, 0, 1000, &throttle, NULL)))
            return err;
        gf.status = (int)status;
        gf.delay_ms = (int)delay;
        gf.throttle = (int)throttle;
        gf.after = (int)after;
        gf.count = (has_status || delay > 0 || gf.cut) ? (int)count : 0;
    }
    if (wh) {
        struct sb_jctx w = { .obj = wh, .prefix = "webhooks" };
        int64_t drop = 0, bad = 0;
        if ((err = sb_json_only(&w, wkeys)) ||
            (err = sb_json_int(&w, "drop", false, 0, 1000, &drop, NULL)) ||
            (err = sb_json_int(&w, "bad_signature", false, 0, 1000, &bad, NULL)))
            return err;
        hf.drop = (int)drop;
        hf.bad_signature = (int)bad;
    }
    if (gq)
        s->gfault = gf;
    if (wh)
        s->hfault = hf;
    if (bk)
        s->bfault = bf;
    return SB_OK;
}

static sb_err number_field(json_t *body, const char *key, double min, double max, double *ret,
                           bool *ret_present)
{
    json_t *v = json_object_get(body, key);
    *ret_present = v != NULL;
    if (!v)
        return SB_OK;
    if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max)
        return sb_fail(SB_EINVALID_FIELD, key, "%s must be a number from %.0f to %.0f", key, min,
                       max);
    *ret = json_number_value(v);
    return SB_OK;
}

static json_t *config_json(const struct fs_shop *s)
{
    return json_pack("{s:o,s:s,s:s,s:f,s:f,s:o}", "webhook_url", fs_jstr(s->webhook_url),
                     "shop_domain", s->shop_domain, "api_version", FS_API_VERSION, "budget",
                     s->budget, "restore", s->restore, "plan", fs_jstr(s->plan));
}

static sb_err replace_str(char **slot, const char *v)
{
    char *n = NULL;
    if (v && !(n = strdup(v)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    free(*slot);
    *slot = n;
    return SB_OK;
}

static sb_err ctl_config(struct fs_shop *s, json_t *body)
{
    static const char *const keys[] = { "webhook_url", "secret",  "token", "shop_domain",
                                        "budget",      "restore", "plan",  NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    const char *url = NULL, *secret = NULL, *token = NULL, *domain = NULL, *plan = NULL;
    bool has_url = false, has_secret, has_token, has_domain, has_budget, has_restore, has_plan;
    double budget = 0, restore = 0, plan_budget = 0, plan_restore = 0;
    sb_err err;
    if ((err = sb_json_str(&c, "plan", false, 32, &plan, &has_plan)))
        return err;
    if (has_plan && !fs_plan_find(plan, &plan_budget, &plan_restore, &plan))
        return sb_fail(SB_EINVALID_FIELD, "plan", "plan must be standard, advanced or plus");
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str_or_null(&c, "webhook_url", 2048, &url, &has_url)) ||
        (err = sb_json_str(&c, "secret", false, STR_MAX, &secret, &has_secret)) ||
        (err = sb_json_str(&c, "token", false, STR_MAX, &token, &has_token)) ||
        (err = sb_json_str(&c, "shop_domain", false, STR_MAX, &domain, &has_domain)) ||
        (err = number_field(body, "budget", 1, 1e9, &budget, &has_budget)) ||
        (err = number_field(body, "restore", 0, 1e9, &restore, &has_restore)))
        return err;
    if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return sb_fail(SB_EINVALID_FIELD, "webhook_url", "webhook_url must be an http(s) URL");
    if ((has_secret && !*secret) || (has_token && !*token) || (has_domain && !*domain))
        return sb_fail(SB_EINVALID_FIELD, NULL, "secret, token and shop_domain must not be empty");
    if ((has_url && (err = replace_str(&s->webhook_url, url))) ||
        (has_secret && (err = replace_str(&s->secret, secret))) ||
        (has_token && (err = replace_str(&s->token, token))) ||
        (has_domain && (err = replace_str(&s->shop_domain, domain))))
        return err;
    fs_bucket_refill(s);
    if (has_plan) { /* then budget and restore, when given too, override the preset */
        s->restore = plan_restore;
        s->budget = s->available = plan_budget;
        s->plan = plan;
    } else if (has_budget || has_restore) {
        s->plan = NULL;
    }
    if (has_restore)
        s->restore = restore;
    if (has_budget)
        s->budget = s->available = budget; /* a new bucket starts full */
    return SB_OK;
}

/* ---------------------------------------------------------------- routes */

static bool parse_path_id(const char *s, size_t n, int64_t *ret)
{
    int64_t v = 0;
    if (!n || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || __builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, s[i] - '0', &v))
            return false;
    }
    *ret = v;
    return v > 0;
}

static json_t *requests_json(struct fs_shop *s)
{
    json_t *by = json_object();
    for (size_t i = 0; i < s->n_ops; i++)
        json_object_set_new(by, s->ops[i].name, json_integer(s->ops[i].n));
    fs_bucket_refill(s);
    json_t *out = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:o,s:O,s:{s:f,s:f,s:f}}", "total", (json_int_t)s->gql_total,
        "throttled", (json_int_t)s->gql_throttled, "faulted", (json_int_t)s->gql_faulted,
        "unauthorized", (json_int_t)s->gql_unauthorized, "errors", (json_int_t)s->gql_errors,
        "by_operation", by, "recent", s->recent, "bucket", "maximumAvailable", s->budget,
        "currentlyAvailable", s->available, "restoreRate", s->restore);
    json_object_set_new(out, "inventory_set_calls", json_integer(s->inventory_set_calls));
    json_object_set_new(out, "inventory_quantities_set", json_integer(s->inventory_quantities_set));
    return out;
}

void fs_handle_control(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp)
{
    const char *p = req->path + strlen("/_fake/");
    const char *seg[4] = { 0 };
    size_t len[4] = { 0 }, n = 0;
    while (*p && n < 4) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        seg[n] = p;
        len[n++] = l;
        p += l;
        if (*p == '/')
            p++;
    }
    if (*p) {
        fs_respond(resp, 404,
                   json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
                             "no such control route"));
        return;
    }
#define SEG(i, lit) (n > (i) && len[i] == strlen(lit) && memcmp(seg[i], lit, len[i]) == 0)
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    json_t *body = NULL, *out = NULL;
    int status = 200;
    sb_err err = SB_OK;
    if (post && (err = parse_body(req, &body)))
        goto done;
    int64_t id = 0;
    if (fs_control_inventory(s, req, seg, len, n, body, &out, &status, &err)) {
        goto done;
    } else if (SEG(0, "orders") && n == 1) {
        if (post) {
            err = fs_order_place(s, body, &out);
            status = 201;
        } else if (get) {
            pthread_mutex_lock(&s->mu);
            json_t *list = json_array();
            for (size_t i = 0; i < s->n_orders; i++)
                json_array_append_new(list, fs_rest_order(s->orders[i]));
            pthread_mutex_unlock(&s->mu);
            out = json_pack("{s:o}", "orders", list);
        } else {
            goto not_allowed;
        }
    } else if (SEG(0, "orders") && n >= 2 && n <= 3 && parse_path_id(seg[1], len[1], &id)) {
        if (n == 2 && get) {
            pthread_mutex_lock(&s->mu);
            struct order *o = fs_find_order(s, id);
            out = o ? fs_rest_order(o) : NULL;
            pthread_mutex_unlock(&s->mu);
            if (!o)
                err = sb_fail(SB_ENOT_FOUND, NULL, "no order %lld", (long long)id);
        } else if (n == 3 && post) {
            char action[16];
            if (len[2] >= sizeof(action))
                goto not_found;
            memcpy(action, seg[2], len[2]);
            action[len[2]] = '\0';
            if (strcmp(action, "pay") && strcmp(action, "cancel") && strcmp(action, "refund") &&
                strcmp(action, "fulfill") && strcmp(action, "update") && strcmp(action, "split"))
                goto not_found;
            err = ctl_order_action(s, id, action, body, &out);
        } else {
            goto not_allowed;
        }
    } else if (SEG(0, "products") && n == 1) {
        pthread_mutex_lock(&s->mu);
        if (post) {
            static const char *const keys[] = {
                "sku", "title", "price", "barcode", "compare_at_price", "available", "tracked", NULL
            };
            struct sb_jctx c = { .obj = body, .prefix = NULL };
            const char *sku = NULL, *title = NULL, *barcode = NULL;
            int64_t price = 0, compare_at = -1, available = 0;
            bool tracked = true;
            struct product *pr = NULL;
            if (!(err = sb_json_only(&c, keys)) &&
                !(err = sb_json_str(&c, "sku", true, STR_MAX, &sku, NULL)) &&
                !(err = sb_json_str(&c, "title", false, STR_MAX, &title, NULL)) &&
                !(err = sb_json_str(&c, "barcode", false, STR_MAX, &barcode, NULL)) &&
                !(err = fs_get_money(&c, "price", false, s->exponent, PRICE_MAX, &price, NULL)) &&
                !(err = fs_get_money(&c, "compare_at_price", false, s->exponent, PRICE_MAX,
                                     &compare_at, NULL)) &&
                !(err = sb_json_int(&c, "available", false, -QTY_LIMIT, QTY_LIMIT, &available,
                                    NULL)) &&
                !(err = sb_json_bool(&c, "tracked", false, &tracked, NULL)) &&
                !(err = fs_add_product_locked(s, sku, title, price, barcode, &pr))) {
                pr->compare_at = compare_at;
                pr->tracked = tracked;
                pr->available[0] = (int32_t)available;
                out = product_json(pr, s->exponent);
            }
            status = 201;
        } else if (get) {
            json_t *list = json_array();
            for (size_t i = 0; i < s->n_products && i < MAX_PRODUCTS_LISTED; i++)
                json_array_append_new(list, product_json(&s->products[i], s->exponent));
            out = json_pack("{s:o}", "products", list);
            if (s->n_products > MAX_PRODUCTS_LISTED)
                json_object_set_new(out, "truncated", json_true());
        }
        pthread_mutex_unlock(&s->mu);
        if (!post && !get)
            goto not_allowed;
    } else if ((SEG(0, "fulfillments") || SEG(0, "cancellations")) && n == 1 && get) {
        pthread_mutex_lock(&s->mu);
        bool ful = SEG(0, "fulfillments");
        out = json_pack("{s:o}", ful ? "fulfillments" : "cancellations",
                        json_deep_copy(ful ? s->api_fulfillments : s->api_cancellations));
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "requests") && n == 1 && get) {
        pthread_mutex_lock(&s->mu);
        out = requests_json(s);
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "deliveries") && n == 1 && get) {
        pthread_mutex_lock(&s->mu);
        out = fs_deliveries_json(s);
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "redeliver") && n == 1 && post) {
        static const char *const keys[] = { "event_id", NULL };
        struct sb_jctx c = { .obj = body, .prefix = NULL };
        const char *eid = NULL;
        if ((err = sb_json_only(&c, keys)) ||
            (err = sb_json_str(&c, "event_id", true, 64, &eid, NULL)))
            goto done;
        pthread_mutex_lock(&s->mu);
        err = fs_redeliver(s, eid, &out);
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "config") && n == 1 && (get || post)) {
        pthread_mutex_lock(&s->mu);
        if (post)
            err = ctl_config(s, body);
        if (!err)
            out = config_json(s);
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "faults") && n == 1 && (get || post)) {
        pthread_mutex_lock(&s->mu);
        if (post)
            err = ctl_faults(s, body);
        if (!err)
            out = faults_json(s);
        pthread_mutex_unlock(&s->mu);
    } else if (n == 1 && (SEG(0, "orders") || SEG(0, "products") || SEG(0, "fulfillments") ||
                          SEG(0, "cancellations") || SEG(0, "requests") || SEG(0, "deliveries") ||
                          SEG(0, "redeliver") || SEG(0, "config") || SEG(0, "faults"))) {
        goto not_allowed;
    } else {
        goto not_found;
    }
#undef SEG
done:
    json_decref(body);
    if (err) {
        json_decref(out);
        reply_err(resp, err);
    } else {
        fs_respond(resp, status, out);
    }
    return;
not_found:
    err = sb_fail(SB_ENOT_FOUND, NULL, "no such control route: %s %s", req->method, req->path);
    goto done;
not_allowed:
    err = sb_fail(SB_EMETHOD_NOT_ALLOWED, NULL, "%s is not allowed on %s", req->method, req->path);
    goto done;
}
