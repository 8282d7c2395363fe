/*
 * /api/v1/sales: ring up a sale, list and read sales, take a payment on an
 * open sale, void a sale, and record a return. This file only translates
 * JSON into the structs of core/sale.h and back; the rules live in
 * core/sale.c (and core/oversell.c: a till sale past stock needs
 * "allow_oversell") and the records in store/sales.c, which the channel
 * pipeline calls the same way.
 */
#include "http/api.h"
#include "http/sale-page.h"
#include "http/server.h"
#include "store/return-restock.h"
#include "store/sales.h"
#include "store/store.h"
#include "sync/pipeline.h"
#include "util/timeutil.h"

#include <string.h>

static const char *const sale_fields[] = {
    "outlet_id", "register_id", "employee_id",    "customer_id", "price_level_id",
    "note",      "lines",       "discounts",      "taxes",       "adjustments",
    "payments",  "ship_to",     "allow_oversell", NULL
};
static const char *const line_fields[] = { "item_id",    "sku",           "description", "quantity",
                                           "unit_price", "line_discount", "taxes",       NULL };
static const char *const tax_fields[] = { "name", "rate", "amount", NULL };
static const char *const discount_fields[] = { "name", "code", "amount", NULL };
static const char *const adjustment_fields[] = { "reason", "amount", NULL };
static const char *const payment_fields[] = { "payment_type_id", "amount", "reference", NULL };
static const char *const ship_fields[] = { "name",   "company",  "line1",   "line2", "city",
                                           "region", "postcode", "country", "phone", "email",
                                           "method", "note",     "pickup",  NULL };
static const char *const return_fields[] = { "reason", "payment_type_id", "lines", NULL };
static const char *const return_line_fields[] = { "sale_line_id", "quantity", "amount", "restock",
                                                  NULL };

#define TEXT_MAX 200

/* An array of objects under key: each element's context is made by elem(). Returns the
 * array (NULL when absent) and its size. */
static sb_err array_of(struct sb_req *r, struct sb_jctx *c, const char *key, bool required,
                       size_t max, size_t elem_size, void **ret, size_t *ret_n)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, key, required, max, &arr);
    if (err)
        return err;
    *ret_n = json_array_size(arr);
    *ret = sb_arena_alloc(r->arena, (*ret_n + 1) * elem_size);
    if (!*ret)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < *ret_n; i++) {
        if (!json_is_object(json_array_get(arr, i))) {
            char buf[96];
            sb_jctx_child(c, key, (long)i, NULL, buf, sizeof(buf));
            return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
        }
    }
    return SB_OK;
}

/* The i-th element of the array under key, as a context (the array was checked). */
static struct sb_jctx elem(struct sb_jctx *c, const char *key, size_t i, char *buf, size_t cap)
{
    json_t *obj = json_array_get(json_object_get(c->obj, key), i);
    return sb_jctx_child(c, key, (long)i, obj, buf, cap);
}

static sb_err parse_taxes(struct sb_req *r, struct sb_jctx *c, const struct sb_sale_tax **ret,
                          size_t *ret_n)
{
    struct sb_sale_tax *t;
    sb_err err = array_of(r, c, "taxes", false, SB_SALE_MAX_PARTS, sizeof(*t), (void **)&t, ret_n);
    for (size_t i = 0; !err && i < *ret_n; i++) {
        char buf[128];
        struct sb_jctx e = elem(c, "taxes", i, buf, sizeof(buf));
        err = sb_json_only(&e, tax_fields);
        if (!err)
            err = sb_json_str(&e, "name", true, TEXT_MAX, &t[i].name, NULL);
        if (!err)
            err = sb_json_str_or_null(&e, "rate", 32, &t[i].rate, NULL);
        if (!err)
            err = sb_json_int(&e, "amount", true, 0, SB_MONEY_MAX, &t[i].amount, NULL);
    }
    if (!err)
        *ret = t;
    return err;
}

static sb_err parse_lines(struct sb_req *r, struct sb_jctx *c, struct sb_sale_input *in)
{
    struct sb_sale_line *l;
    sb_err err =
        array_of(r, c, "lines", true, SB_SALE_MAX_LINES, sizeof(*l), (void **)&l, &in->n_lines);
    for (size_t i = 0; !err && i < in->n_lines; i++) {
        char buf[96];
        struct sb_jctx e = elem(c, "lines", i, buf, sizeof(buf));
        err = sb_json_only(&e, line_fields);
        if (!err)
            err = sb_json_id(&e, "item_id", false, &l[i].item_id, NULL);
        if (!err)
            err = sb_json_str_or_null(&e, "sku", 64, &l[i].sku, NULL);
        if (!err)
            err = sb_json_str_or_null(&e, "description", TEXT_MAX, &l[i].description, NULL);
        if (!err)
            err = sb_json_int(&e, "quantity", true, 1, SB_QTY_MAX, &l[i].quantity, NULL);
        if (!err)
            err = sb_json_int(&e, "unit_price", false, 0, SB_MONEY_MAX, &l[i].unit_price,
                              &l[i].unit_price_set);
        if (!err)
            err =
                sb_json_int(&e, "line_discount", false, 0, SB_MONEY_MAX, &l[i].line_discount, NULL);
        if (!err)
            err = parse_taxes(r, &e, &l[i].taxes, &l[i].n_taxes);
    }
    in->lines = l;
    return err;
}

sb_err sb_api_sale_lines(struct sb_req *r, struct sb_jctx *c, struct sb_sale_input *in)
{
    return parse_lines(r, c, in);
}

static sb_err parse_parts(struct sb_req *r, struct sb_jctx *c, struct sb_sale_input *in)
{
    struct sb_sale_discount *d = NULL;
    struct sb_sale_adjustment *a = NULL;
    struct sb_sale_payment *p = NULL;
    sb_err err = parse_taxes(r, c, &in->taxes, &in->n_taxes);
    if (!err)
        err = array_of(r, c, "discounts", false, SB_SALE_MAX_PARTS, sizeof(*d), (void **)&d,
                       &in->n_discounts);
    for (size_t i = 0; !err && i < in->n_discounts; i++) {
        char buf[96];
        struct sb_jctx e = elem(c, "discounts", i, buf, sizeof(buf));
        err = sb_json_only(&e, discount_fields);
        if (!err)
            err = sb_json_str(&e, "name", true, TEXT_MAX, &d[i].name, NULL);
        if (!err)
            err = sb_json_str_or_null(&e, "code", 64, &d[i].code, NULL);
        if (!err)
            err = sb_json_int(&e, "amount", true, 0, SB_MONEY_MAX, &d[i].amount, NULL);
    }
    if (!err)
        err = array_of(r, c, "adjustments", false, SB_SALE_MAX_PARTS, sizeof(*a), (void **)&a,
                       &in->n_adjustments);
    for (size_t i = 0; !err && i < in->n_adjustments; i++) {
        char buf[96];
        struct sb_jctx e = elem(c, "adjustments", i, buf, sizeof(buf));
        err = sb_json_only(&e, adjustment_fields);
        if (!err)
            err = sb_json_str(&e, "reason", true, TEXT_MAX, &a[i].reason, NULL);
        if (!err)
            err = sb_json_int(&e, "amount", true, -SB_MONEY_MAX, SB_MONEY_MAX, &a[i].amount, NULL);
    }
    if (!err)
        err = array_of(r, c, "payments", false, SB_SALE_MAX_PARTS, sizeof(*p), (void **)&p,
                       &in->n_payments);
    for (size_t i = 0; !err && i < in->n_payments; i++) {
        char buf[96];
        struct sb_jctx e = elem(c, "payments", i, buf, sizeof(buf));
        err = sb_json_only(&e, payment_fields);
        if (!err)
            err = sb_json_id(&e, "payment_type_id", true, &p[i].payment_type_id, NULL);
        if (!err)
            err = sb_json_int(&e, "amount", true, 1, SB_MONEY_MAX, &p[i].amount, NULL);
        if (!err)
            err = sb_json_str_or_null(&e, "reference", TEXT_MAX, &p[i].reference, NULL);
    }
    in->discounts = d;
    in->adjustments = a;
    in->payments = p;
    return err;
}

static sb_err parse_ship_to(struct sb_req *r, struct sb_jctx *c, struct sb_sale_input *in)
{
    json_t *obj = NULL;
    sb_err err = sb_json_object(c, "ship_to", false, &obj);
    if (err || !obj)
        return err;
    char buf[32];
    struct sb_jctx e = sb_jctx_child(c, "ship_to", -1, obj, buf, sizeof(buf));
    struct sb_address *a = sb_arena_alloc(r->arena, sizeof(*a));
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_json_only(&e, ship_fields);
    struct {
        const char *key;
        const char **dst;
        size_t max;
    } strs[] = { { "name", &a->name, TEXT_MAX },
                 { "company", &a->company, TEXT_MAX },
                 { "line1", &a->line1, TEXT_MAX },
                 { "line2", &a->line2, TEXT_MAX },
                 { "city", &a->city, TEXT_MAX },
                 { "region", &a->region, TEXT_MAX },
                 { "postcode", &a->postcode, 32 },
                 { "country", &a->country, 64 },
                 { "phone", &a->phone, 64 },
                 { "email", &a->email, 254 },
                 { "method", &in->ship_method, TEXT_MAX },
                 { "note", &in->ship_note, SB_STR_MAX } };
    for (size_t k = 0; !err && k < sizeof(strs) / sizeof(strs[0]); k++)
        err = sb_json_str_or_null(&e, strs[k].key, strs[k].max, strs[k].dst, NULL);
    if (!err)
        err = sb_json_bool(&e, "pickup", false, &in->pickup, NULL);
    in->ship_to = a;
    return err;
}

static sb_err parse_sale(struct sb_req *r, struct sb_sale_input *in)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, sale_fields);
    if (!err)
        err = sb_json_id(&c, "outlet_id", true, &in->outlet_id, NULL);
    if (!err)
        err = sb_json_id(&c, "register_id", false, &in->register_id, NULL);
    if (!err)
        err = sb_json_id(&c, "employee_id", false, &in->employee_id, NULL);
    if (!err)
        err = sb_json_id(&c, "customer_id", false, &in->customer_id, NULL);
    if (!err)
        err = sb_json_id(&c, "price_level_id", false, &in->price_level_id, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "note", SB_STR_MAX, &in->note, NULL);
    /* selling more than the outlet has is refused unless the clerk confirmed it */
    if (!err)
        err = sb_json_bool(&c, "allow_oversell", false, &in->allow_oversell, NULL);
    if (!err)
        err = parse_lines(r, &c, in);
    if (!err)
        err = parse_parts(r, &c, in);
    if (!err)
        err = parse_ship_to(r, &c, in);
    return err;
}

static sb_err reply_sale(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_sale_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

/*
 * The writes of this file run on the store's writer (sb_store_write): a busy
 * till and a burst of web orders share one commit instead of queueing for one
 * fsync each. Each write is a small closure: its arguments and its result.
 */
struct write {
    struct sb_req *r;
    int64_t id;
    const struct sb_sale_input *sale;
    const struct sb_sale_payment *payment;
    const struct sb_return_input *ret;
    const char *reason;
    int64_t new_id;
};

static sb_err create_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    return sb_store_sale_create(db, w->sale, &w->new_id);
}

static sb_err pay_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    return sb_store_sale_pay(db, &w->r->scope, w->id, w->payment, w->r->scope.user_id, NULL);
}

static sb_err void_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    /* a web order voided in the POS is cancelled on its channel (S1): the store queues it */
    return sb_store_sale_void(db, &w->r->scope, w->id, w->r->scope.user_id, w->reason);
}

static sb_err return_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    return sb_store_sale_return(db, &w->r->scope, w->id, w->ret, &w->new_id);
}

static sb_err run_write(struct sb_req *r, sb_write_fn fn, struct write *w)
{
    w->r = r;
    return sb_store_write(sb_server_store(r->server), fn, w);
}

sb_err sb_api_sales_create(struct sb_req *r)
{
    struct sb_sale_input in = { .source = SB_SALE_SOURCE_POS, .user_id = r->scope.user_id };
    struct write w = { .sale = &in };
    sb_err err = parse_sale(r, &in);
    if (!err)
        err = sb_req_outlet(r, in.outlet_id);
    if (!err)
        err = run_write(r, create_fn, &w);
    return err ? err : reply_sale(r, 201, w.new_id);
}

/* ?channel=pos (sales made in the POS) or ?channel=<channel id>. */
static sb_err query_channel(struct sb_req *r, struct sb_sale_filter *f)
{
    const char *s = sb_req_query(r, "channel");
    if (!s)
        return SB_OK;
    if (strcmp(s, "pos") == 0) {
        f->pos_only = true;
        return SB_OK;
    }
    if (sb_req_query_id(r, "channel", &f->channel_id, NULL))
        return sb_fail(SB_EINVALID_QUERY, "channel", "channel must be \"pos\" or a channel id");
    return SB_OK;
}

/* ?external_number= (SPEC T2): a web sale by its channel's order number or order id,
 * exactly; 1 to SB_SALE_EXTERNAL_NUMBER_MAX characters. */
static sb_err query_external_number(struct sb_req *r, struct sb_sale_filter *f)
{
    const char *s = sb_req_query(r, "external_number");
    if (s && (!*s || strlen(s) > SB_SALE_EXTERNAL_NUMBER_MAX))
        return sb_fail(SB_EINVALID_QUERY, "external_number",
                       "external_number must be 1 to %d characters", SB_SALE_EXTERNAL_NUMBER_MAX);
    f->external_number = s;
    return SB_OK;
}

/* ?today=true: each outlet's own today, in its time zone (SPEC T1). */
static sb_err query_today(struct sb_req *r, struct sb_sale_filter *f)
{
    bool today = false;
    sb_err err = sb_req_query_bool(r, "today", &today, NULL);
    if (err || !today)
        return err;
    char *now = sb_arena_alloc(r->arena, SB_TIME_LEN);
    if (!now)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_time_format(sb_time_now(), now, SB_TIME_LEN);
    f->today = now;
    return SB_OK;
}

/* ?from= and ?to=: a day ("2026-03-08") is a business day, in each sale's outlet's time
 * zone (SPEC T1); a time is an instant. */
static sb_err query_bound(struct sb_req *r, const char *name, const char **ret_time,
                          const char **ret_day)
{
    const char *v = sb_req_query(r, name);
    int64_t t;
    if (v && strlen(v) == 10 && sb_time_parse(v, &t)) {
        *ret_day = v;
        return SB_OK;
    }
    return sb_req_query_time(r, name, ret_time);
}

sb_err sb_api_sales_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_sale_filter f = { 0 };
    bool have_outlet = false;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = query_bound(r, "from", &f.from, &f.from_day);
    if (!err)
        err = query_bound(r, "to", &f.to, &f.to_day);
    if (!err)
        err = query_today(r, &f);
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &f.outlet_id, &have_outlet);
    if (!err)
        err = sb_req_query_id(r, "customer_id", &f.customer_id, NULL);
    if (!err)
        err = query_channel(r, &f);
    if (!err)
        err = query_external_number(r, &f);
    const char *status = sb_req_query(r, "status");
    if (!err && status) {
        f.status_set = true;
        if (!sb_sale_status_parse(status, &f.status))
            err = sb_fail(SB_EINVALID_QUERY, "status", "status must be open, completed or voided");
    }
    const char *kind = sb_req_query(r, "kind");
    if (!err && kind) {
        f.kind_set = true;
        if (!sb_sale_kind_parse(kind, &f.kind))
            err = sb_fail(SB_EINVALID_QUERY, "kind", "kind must be sale, order or invoice");
    }
    bool count = false;
    if (!err)
        err = sb_req_sale_search(r, &f, &count);
    if (!err && have_outlet)
        err = sb_req_outlet(r, f.outlet_id);
    return err ? err : sb_reply_sale_page(r, &f, &page, count);
}

sb_err sb_api_sales_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_sale(r, 200, id);
}

sb_err sb_api_sales_pay(struct sb_req *r)
{
    static const char *const fields[] = { "payment_type_id", "amount", "reference", NULL };
    struct sb_sale_payment p = { 0 };
    struct sb_jctx c;
    int64_t id = 0;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_id(&c, "payment_type_id", true, &p.payment_type_id, NULL);
    if (!err)
        err = sb_json_int(&c, "amount", true, 1, SB_MONEY_MAX, &p.amount, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "reference", TEXT_MAX, &p.reference, NULL);
    struct write w = { .id = id, .payment = &p };
    if (!err)
        err = run_write(r, pay_fn, &w);
    return err ? err : reply_sale(r, 201, id);
}

sb_err sb_api_sales_void(struct sb_req *r)
{
    static const char *const fields[] = { "reason", NULL };
    const char *reason = NULL;
    int64_t id = 0;
    sb_err err = sb_req_id(r, 0, &id);
    /* the body is optional: an empty one voids without a reason */
    if (!err && r->body_len > 0) {
        struct sb_jctx c;
        err = sb_req_json(r, &c);
        if (!err)
            err = sb_json_only(&c, fields);
        if (!err)
            err = sb_json_str_or_null(&c, "reason", 500, &reason, NULL);
    }
    struct write w = { .id = id, .reason = reason };
    if (!err)
        err = run_write(r, void_fn, &w);
    if (!err)
        sb_pipeline_kick_outbox(sb_server_pipeline(r->server));
    return err ? err : reply_sale(r, 200, id);
}

static sb_err parse_return(struct sb_req *r, struct sb_return_input *in)
{
    struct sb_jctx c;
    struct sb_return_line *l = NULL;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, return_fields);
    if (!err)
        err = sb_json_str_or_null(&c, "reason", 500, &in->reason, NULL);
    if (!err)
        err = sb_json_id(&c, "payment_type_id", false, &in->payment_type_id, NULL);
    if (!err)
        err = array_of(r, &c, "lines", true, SB_SALE_MAX_LINES, sizeof(*l), (void **)&l,
                       &in->n_lines);
    for (size_t i = 0; !err && i < in->n_lines; i++) {
        char buf[96];
        struct sb_jctx e = elem(&c, "lines", i, buf, sizeof(buf));
        l[i].restock = true;
        err = sb_json_only(&e, return_line_fields);
        if (!err)
            err = sb_json_id(&e, "sale_line_id", true, &l[i].sale_line_id, NULL);
        if (!err)
            err = sb_json_int(&e, "quantity", true, 1, SB_QTY_MAX, &l[i].quantity, NULL);
        if (!err)
            err = sb_json_int(&e, "amount", false, 0, SB_MONEY_MAX, &l[i].amount, &l[i].amount_set);
        if (!err)
            err = sb_json_bool(&e, "restock", false, &l[i].restock, NULL);
    }
    in->lines = l;
    return err;
}

sb_err sb_api_sales_return(struct sb_req *r)
{
    struct sb_return_input in = { .user_id = r->scope.user_id };
    int64_t id = 0;
    json_t *ret = NULL, *sale = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    struct write w = { .ret = &in };
    if (!err)
        err = parse_return(r, &in);
    w.id = id;
    if (!err)
        err = run_write(r, return_fn, &w);
    if (!err)
        err = sb_store_return_get(r->db, w.new_id, &ret);
    if (!err)
        err = sb_store_sale_get(r->db, &r->scope, id, &sale);
    if (err) {
        json_decref(ret);
        return err;
    }
    return sb_reply(r, 201, json_pack("{s:o,s:o}", "return", ret, "sale", sale));
}

/* M7: a return's goods put back on the shelf later (a credit memo came down without
 * restocking, by the channel's setting). */
struct restock_write {
    const struct sb_scope *scope;
    int64_t return_id, user_id, n;
};

static sb_err restock_fn(struct sb_db *db, void *ctx)
{
    struct restock_write *w = ctx;
    return sb_store_return_restock(db, w->scope, w->return_id, w->user_id, &w->n);
}

sb_err sb_api_returns_restock(struct sb_req *r)
{
    struct restock_write w = { .scope = &r->scope, .user_id = r->scope.user_id };
    json_t *ret = NULL;
    sb_err err = sb_req_id(r, 0, &w.return_id);
    if (!err)
        err = sb_store_write(sb_server_store(r->server), restock_fn, &w);
    if (!err)
        err = sb_store_return_get(r->db, w.return_id, &ret);
    if (err)
        return err;
    return sb_reply(r, 200, json_pack("{s:o,s:I}", "return", ret, "restocked", (json_int_t)w.n));
}
