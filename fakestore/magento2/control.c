/*
 * The control API of the simulated Magento, under /_fake/magento2/, for the
 * tests and the demo: place orders in any state (invoiced or not, paid or
 * not, with configurable and bundle items), change them (state, status,
 * hold, invoice, totals, touch with an explicit updated_at), create credit
 * memos, add products, set the configuration and the faults, and read what
 * the engine did (invoices, shipments with tracks, cancels, refunds, source
 * item saves, price calls, a count per route). Bodies are JSON objects
 * checked like any input; errors answer {"error":{"code","message","field"}}
 * with the matching status, nothing changed. No authentication: main.c
 * listens on loopback only. docs/fakestore.md gives the shapes.
 */
#include "magento2.h"

#include "util/jsonx.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

static void reply_err(struct fs_m2_response *r, sb_err err)
{
    const struct sb_errinfo *info = sb_err_last();
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(sb_err_code(err)));
    json_object_set_new(
        e, "message",
        json_string(info->err == err && info->message[0] ? info->message : sb_err_message(err)));
    if (info->err == err && info->field[0])
        json_object_set_new(e, "field", json_string(info->field));
    m2_reply(r, sb_err_status(err), json_pack("{s:o}", "error", e));
}

static sb_err parse_body(const struct fs_m2_request *req, json_t **ret)
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

static json_t *config_json(struct m2_shop *s)
{
    json_t *f =
        json_pack("{s:i,s:i,s:i,s:b,s:s}", "status", s->fault.status, "count", s->fault.count,
                  "delay_ms", s->fault.delay_ms, "cut", s->fault.cut, "path", s->fault.prefix);
    json_t *j = json_pack("{s:b,s:b,s:i,s:i,s:o}", "bearer_allowed", s->bearer_allowed,
                          "child_price_copy", s->child_price_copy, "invoice_fails",
                          s->invoice_fails, "ship_fails", s->ship_fails, "fault", f);
    json_object_set_new(j, "page_size_max",
                        s->page_size_max ? json_integer(s->page_size_max) : json_null());
    return j;
}

static sb_err set_config(struct m2_shop *s, json_t *body)
{
    static const char *const keys[] = { "bearer_allowed",
                                        "page_size_max",
                                        "invoice_fails",
                                        "ship_fails",
                                        "child_price_copy",
                                        "fault",
                                        NULL };
    static const char *const fkeys[] = {
        "status", "count", "delay_ms", "cut", "path", "body", NULL
    };
    struct sb_jctx c = { .obj = body };
    bool bearer = s->bearer_allowed, copy = s->child_price_copy, has_psm;
    int64_t inv = s->invoice_fails, ship = s->ship_fails, psm = s->page_size_max;
    json_t *fj = NULL;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_bool(&c, "bearer_allowed", false, &bearer, NULL)) ||
        (err = sb_json_bool(&c, "child_price_copy", false, &copy, NULL)) ||
        (err = sb_json_int(&c, "invoice_fails", false, 0, 1000, &inv, NULL)) ||
        (err = sb_json_int(&c, "ship_fails", false, 0, 1000, &ship, NULL)) ||
        (err = sb_json_object(&c, "fault", false, &fj)))
        return err;
    json_t *pj = json_object_get(body, "page_size_max");
    has_psm = pj != NULL;
    if (pj && json_is_null(pj))
        psm = 0;
    else if (pj && (err = sb_json_int(&c, "page_size_max", false, 1, 100000, &psm, NULL)))
        return err;
    struct m2_fault f = s->fault;
    if (fj) {
        struct sb_jctx g = { .obj = fj, .prefix = "fault" };
        int64_t status = 0, count = 1, delay = 0;
        bool cut = false;
        const char *path = "", *raw = NULL;
        if ((err = sb_json_only(&g, fkeys)) ||
            (err = sb_json_int(&g, "status", false, 400, 599, &status, NULL)) ||
            (err = sb_json_int(&g, "count", false, 0, 100000, &count, NULL)) ||
            (err = sb_json_int(&g, "delay_ms", false, 0, 60000, &delay, NULL)) ||
            (err = sb_json_bool(&g, "cut", false, &cut, NULL)) ||
            (err = sb_json_str(&g, "path", false, sizeof(f.prefix) - 1, &path, NULL)) ||
            (err = sb_json_str(&g, "body", false, sizeof(f.body) - 1, &raw, NULL)))
            return err;
        f = (struct m2_fault){ .status = (int)status,
                               .count = status || delay || cut || raw ? (int)count : 0,
                               .delay_ms = (int)delay,
                               .cut = cut,
                               .has_body = raw != NULL };
        snprintf(f.prefix, sizeof(f.prefix), "%s", path);
        if (raw)
            snprintf(f.body, sizeof(f.body), "%s", raw);
    }
    s->bearer_allowed = bearer;
    s->child_price_copy = copy;
    s->invoice_fails = (int)inv;
    s->ship_fails = (int)ship;
    if (has_psm)
        s->page_size_max = psm;
    s->fault = f;
    return SB_OK;
}

static json_t *calls_json(struct m2_shop *s)
{
    return json_pack("{s:I,s:I,s:o,s:O,s:O,s:O,s:O,s:O,s:O}", "requests", (json_int_t)s->requests,
                     "unauthorized", (json_int_t)s->unauthorized, "routes", m2_counts_json(s),
                     "invoices", s->invoices, "shipments", s->shipments, "cancels", s->cancels,
                     "refunds", s->refunds, "source_items", s->source_item_calls, "prices",
                     s->price_calls);
}

static sb_err add_product(struct m2_shop *s, json_t *body, json_t **ret)
{
    static const char *const keys[] = { "sku", "name", "price", "type_id", NULL };
    struct sb_jctx c = { .obj = body };
    const char *sku = NULL, *name = NULL, *type = "simple";
    sb_err err;
    if ((err = sb_json_only(&c, keys)) || (err = sb_json_str(&c, "sku", true, 64, &sku, NULL)) ||
        (err = sb_json_str(&c, "name", false, M2_STR_MAX, &name, NULL)) ||
        (err = sb_json_str(&c, "type_id", false, 32, &type, NULL)))
        return err;
    int64_t price = 0;
    json_t *pj = json_object_get(body, "price");
    if (pj && (!m2_money_parse(s, pj, &price) || price < 0 || price > M2_PRICE_MAX))
        return sb_fail(SB_EINVALID_FIELD, "price", "price must be an amount in %s", s->currency);
    struct m2_product *p;
    if ((err = m2_product_add(s, sku, name, price, type, &p)))
        return err;
    *ret = m2_product_json(s, p);
    return SB_OK;
}

static sb_err memo(struct m2_shop *s, struct m2_order *o, json_t *body, json_t **ret)
{
    static const char *const keys[] = {
        "items",           "state", "adjustment_positive", "adjustment_negative", "shipping_amount",
        "return_to_stock", NULL
    };
    struct sb_jctx c = { .obj = body };
    struct m2_memo_args a = { .state = 2 };
    bool restock = false;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_array(&c, "items", false, M2_MAX_ITEMS, &a.items)) ||
        (err = sb_json_int(&c, "state", false, 1, 3, &a.state, NULL)) ||
        (err = sb_json_bool(&c, "return_to_stock", false, &restock, NULL)))
        return err;
    static const char *const money[] = { "adjustment_positive", "adjustment_negative",
                                         "shipping_amount" };
    int64_t *dst[] = { &a.adj_pos, &a.adj_neg, &a.shipping };
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(body, money[i]);
        if (v && (!m2_money_parse(s, v, dst[i]) || *dst[i] < 0 || *dst[i] > M2_PRICE_MAX))
            return sb_fail(SB_EINVALID_FIELD, money[i], "%s must be an amount in %s", money[i],
                           s->currency);
    }
    a.restock = restock ? json_true() : NULL;
    struct m2_memo *m;
    if ((err = m2_memo_create(s, o, &a, &m)))
        return err;
    *ret = m2_memo_json(s, m);
    return SB_OK;
}

static sb_err source_items(struct m2_shop *s, const struct fs_args *args, json_t **ret)
{
    const char *sku = fs_args_last(args, "sku");
    if (!sku)
        return sb_fail(SB_EMISSING_FIELD, "sku", "?sku= is required");
    struct m2_product *p = m2_product_find(s, sku);
    if (!p)
        return sb_fail(SB_ENOT_FOUND, "sku", "no product with SKU %s", sku);
    int64_t total = 0, reserved = m2_reserved(s, sku);
    for (size_t i = 0; i < s->n_sources; i++)
        if ((p->assigned & (1u << i)) && p->status[i])
            total += p->qty[i];
    *ret = json_pack("{s:s,s:o,s:I,s:I}", "sku", sku, "source_items", m2_source_items_json(s, p),
                     "reserved", (json_int_t)reserved, "salable", (json_int_t)(total - reserved));
    return SB_OK;
}

void m2_control(struct m2_shop *s, const struct fs_m2_request *req, const struct fs_args *args,
                struct fs_m2_response *r)
{
    char path[256];
    snprintf(path, sizeof(path), "%s", req->path + strlen("/_fake/magento2"));
    char *segs[4] = { 0 };
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(path, "/", &save); t && n < 4; t = strtok_r(NULL, "/", &save))
        segs[n++] = t;
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    json_t *body = NULL, *out = NULL;
    int status = 200;
    sb_err err = SB_OK;
    if (post && (err = parse_body(req, &body)))
        return reply_err(r, err);
#define SEG(i, s) (segs[i] && strcmp(segs[i], s) == 0)
    pthread_mutex_lock(&s->mu);
    if (SEG(0, "orders") && n == 1 && post) {
        struct m2_order *o;
        if (!(err = m2_order_place(s, body, &o))) {
            out = m2_order_json(s, o);
            status = 201;
        }
    } else if (SEG(0, "orders") && n >= 2 && n <= 3) {
        char *end;
        long long id = strtoll(segs[1], &end, 10);
        struct m2_order *o = *end ? NULL : m2_order_find(s, id);
        if (!o)
            err = sb_fail(SB_ENOT_FOUND, NULL, "no order %s", segs[1]);
        else if (n == 2 && get)
            out = m2_order_json(s, o);
        else if (n == 2 && post) {
            if (!(err = m2_order_edit(s, o, body)))
                out = m2_order_json(s, o);
        } else if (n == 3 && post && SEG(2, "creditmemo")) {
            if (!(err = memo(s, o, body, &out)))
                status = 201;
        } else
            err = sb_fail(SB_EMETHOD_NOT_ALLOWED, NULL, NULL);
    } else if (SEG(0, "config") && n == 1 && (get || post)) {
        if (!post || !(err = set_config(s, body)))
            out = config_json(s);
    } else if (SEG(0, "calls") && n == 1 && get) {
        out = calls_json(s);
    } else if (SEG(0, "source-items") && n == 1 && get) {
        err = source_items(s, args, &out);
    } else if (SEG(0, "products") && n == 1 && post) {
        if (!(err = add_product(s, body, &out)))
            status = 201;
    } else if (SEG(0, "products") && n == 2 && get) {
        struct m2_product *p = m2_product_find(s, segs[1]);
        if (p)
            out = m2_product_json(s, p);
        else
            err = sb_fail(SB_ENOT_FOUND, NULL, "no product %s", segs[1]);
    } else {
        err = sb_fail(SB_ENOT_FOUND, NULL, "no control route %s %s", req->method, req->path);
    }
#undef SEG
    pthread_mutex_unlock(&s->mu);
    json_decref(body);
    if (err)
        return reply_err(r, err);
    m2_reply(r, status, out);
}
