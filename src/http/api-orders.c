/*
 * /api/v1/orders: customer orders (SPEC M6). Staff take an order in the POS
 * (its lines' stock reserved unless asked not to, an optional deposit),
 * list and read orders, take further deposits, turn an order into a sale
 * and cancel it. This file translates JSON into core/sale.h's structs and
 * back; the order's life is in store/orders.c and core/customer-order.c.
 * Roles and outlet scoping are the sales' (api-sales.c): staff ring up and
 * take money, cancelling is a manager's as voiding is; another outlet's
 * order is not found.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/orders.h"
#include "store/sales.h"
#include "store/store.h"
#include "sync/pipeline.h"

#include <string.h>

static const char *const order_fields[] = {
    "outlet_id", "register_id", "employee_id",    "customer_id", "price_level_id", "note", "lines",
    "reserve",   "deposit",     "allow_oversell", NULL
};
static const char *const payment_fields[] = { "payment_type_id", "amount", "reference", NULL };

#define TEXT_MAX 200

/* A payment object ({payment_type_id, amount, reference}) in the context c. */
static sb_err parse_payment(struct sb_jctx *c, struct sb_sale_payment *p)
{
    sb_err err = sb_json_only(c, payment_fields);
    if (!err)
        err = sb_json_id(c, "payment_type_id", true, &p->payment_type_id, NULL);
    if (!err)
        err = sb_json_int(c, "amount", true, 1, SB_MONEY_MAX, &p->amount, NULL);
    if (!err)
        err = sb_json_str_or_null(c, "reference", TEXT_MAX, &p->reference, NULL);
    return err;
}

/* An optional payment object under key; *ret_set says whether it was there. */
static sb_err parse_payment_at(struct sb_jctx *c, const char *key, struct sb_sale_payment *p,
                               bool *ret_set)
{
    json_t *obj = NULL;
    sb_err err = sb_json_object(c, key, false, &obj);
    *ret_set = false;
    if (err || !obj)
        return err;
    char buf[32];
    struct sb_jctx e = sb_jctx_child(c, key, -1, obj, buf, sizeof(buf));
    err = parse_payment(&e, p);
    *ret_set = !err;
    return err;
}

static sb_err parse_order(struct sb_req *r, struct sb_sale_input *in, struct sb_sale_payment *dep)
{
    struct sb_jctx c;
    bool have_deposit = false;
    in->reserve = true; /* M6: an order holds its stock unless asked not to */
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, order_fields);
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
    if (!err)
        err = sb_json_bool(&c, "reserve", false, &in->reserve, NULL);
    /* reserving more than the outlet has is refused unless the clerk confirmed it */
    if (!err)
        err = sb_json_bool(&c, "allow_oversell", false, &in->allow_oversell, NULL);
    if (!err)
        err = sb_api_sale_lines(r, &c, in);
    if (!err)
        err = parse_payment_at(&c, "deposit", dep, &have_deposit);
    if (!err && have_deposit) {
        in->payments = dep;
        in->n_payments = 1;
    }
    return err;
}

static sb_err reply_order(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_order_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

/* The writes run on the store's writer, as the sales' do: one small closure each. */
struct write {
    struct sb_req *r;
    int64_t id;
    const struct sb_sale_input *order;
    const struct sb_sale_payment *payment;
    const char *reason;
    int64_t new_id;
};

static sb_err create_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    return sb_store_sale_create(db, w->order, &w->new_id);
}

static sb_err deposit_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    return sb_store_order_deposit(db, &w->r->scope, w->id, w->payment, w->r->scope.user_id,
                                  &w->new_id);
}

static sb_err complete_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    return sb_store_order_complete(db, &w->r->scope, w->id, w->payment, w->r->scope.user_id);
}

static sb_err cancel_fn(struct sb_db *db, void *ctx)
{
    struct write *w = ctx;
    /* a web order cancelled in the POS is cancelled on its channel (S1): the store queues it */
    return sb_store_order_cancel(db, &w->r->scope, w->id, w->r->scope.user_id, w->reason);
}

static sb_err run_write(struct sb_req *r, sb_write_fn fn, struct write *w)
{
    w->r = r;
    return sb_store_write(sb_server_store(r->server), fn, w);
}

sb_err sb_api_orders_create(struct sb_req *r)
{
    struct sb_sale_input in = { .source = SB_SALE_SOURCE_POS,
                                .user_id = r->scope.user_id,
                                .kind = SB_KIND_ORDER };
    struct sb_sale_payment deposit = { 0 };
    struct write w = { .order = &in };
    sb_err err = parse_order(r, &in, &deposit);
    if (!err)
        err = sb_req_outlet(r, in.outlet_id);
    if (!err)
        err = run_write(r, create_fn, &w);
    return err ? err : reply_order(r, 201, w.new_id);
}

sb_err sb_api_orders_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_order_filter f = { 0 };
    bool have_outlet = false;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &f.outlet_id, &have_outlet);
    const char *status = sb_req_query(r, "status");
    if (!err && status) {
        f.status_set = true;
        if (!sb_sale_status_parse(status, &f.status))
            err = sb_fail(SB_EINVALID_QUERY, "status", "status must be open, completed or voided");
    }
    if (!err && have_outlet)
        err = sb_req_outlet(r, f.outlet_id);
    /* newest first: ?after=<id> means older than that order */
    if (!err)
        err = sb_store_order_list(r->db, &r->scope, &f, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_orders_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_order(r, 200, id);
}

sb_err sb_api_orders_deposit(struct sb_req *r)
{
    struct sb_sale_payment p = { 0 };
    struct sb_jctx c;
    int64_t id = 0;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_json(r, &c);
    if (!err)
        err = parse_payment(&c, &p);
    struct write w = { .id = id, .payment = &p };
    if (!err)
        err = run_write(r, deposit_fn, &w);
    return err ? err : reply_order(r, 201, id);
}

sb_err sb_api_orders_complete(struct sb_req *r)
{
    static const char *const fields[] = { "payment", NULL };
    struct sb_sale_payment p = { 0 };
    bool have_payment = false;
    int64_t id = 0;
    sb_err err = sb_req_id(r, 0, &id);
    /* the body is optional: an empty one takes no further payment */
    if (!err && r->body_len > 0) {
        struct sb_jctx c;
        err = sb_req_json(r, &c);
        if (!err)
            err = sb_json_only(&c, fields);
        if (!err)
            err = parse_payment_at(&c, "payment", &p, &have_payment);
    }
    struct write w = { .id = id, .payment = have_payment ? &p : NULL };
    if (!err)
        err = run_write(r, complete_fn, &w);
    return err ? err : reply_order(r, 200, id);
}

sb_err sb_api_orders_cancel(struct sb_req *r)
{
    static const char *const fields[] = { "reason", NULL };
    const char *reason = NULL;
    int64_t id = 0;
    sb_err err = sb_req_id(r, 0, &id);
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
        err = run_write(r, cancel_fn, &w);
    if (!err)
        sb_pipeline_kick_outbox(sb_server_pipeline(r->server));
    return err ? err : reply_order(r, 200, id);
}
