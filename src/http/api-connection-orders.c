/*
 * POST /api/v1/connection/orders: a webstore exports its orders (SPEC
 * E2-E6) with its connection token, once the connection is complete. The
 * body is read whole first (every order, every field): any fault answers
 * the error shape and nothing is written. Then each order is judged and
 * applied in its own transaction (E4: one refused does not stop the
 * others) and answered in the request's order: created, existing (the sale
 * made before, untouched: O2, E5) or refused (E2: unbalanced, with the
 * amount due). docs/channels/export.md "Exporting orders" shows examples.
 */
#include "http/api.h"
#include "http/server.h"
#include "sync/channel-cache.h"
#include "sync/order-export.h"

#include <stdio.h>

static json_t *result_of(const struct sb_export_order *e, const struct sb_export_result *res)
{
    static const char *const outcome[] = { "created", "existing", "refused" };
    json_t *doc =
        json_pack("{s:s,s:s}", "order_id", e->order.external_id, "outcome", outcome[res->outcome]);
    if (!doc)
        return NULL;
    if (res->outcome != SB_EXPORT_REFUSED) {
        if (json_object_set_new(doc, "sale_id", json_integer(res->sale_id))) {
            json_decref(doc);
            return NULL;
        }
        return doc;
    }
    json_t *error = json_pack("{s:s,s:s,s:s?}", "code", sb_err_code(res->refusal), "message",
                              res->message, "field", res->field[0] ? res->field : NULL);
    if (error && res->refusal == SB_EUNBALANCED &&
        json_object_set_new(error, "amount_due", json_integer(res->amount_due))) {
        json_decref(error);
        error = NULL;
    }
    if (!error || json_object_set_new(doc, "error", error)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

struct job {
    const struct sb_channel_rt *rt;
    const struct sb_export_order *e;
    int64_t outlet;
    struct sb_export_result res;
};

static sb_err export_fn(struct sb_db *db, void *ctx)
{
    struct job *j = ctx;
    return sb_sync_export_order(db, j->rt, j->e, j->outlet, &j->res);
}

sb_err sb_api_connection_orders(struct sb_req *r)
{
    sb_err err = sb_api_connection_require_ready(r);
    if (err)
        return err;
    struct sb_jctx c;
    if ((err = sb_req_json(r, &c)))
        return err;
    static const char *const keys[] = { "orders", NULL };
    json_t *orders = NULL;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_array(&c, "orders", true, (size_t)-1, &orders)))
        return err;
    size_t n = json_array_size(orders);
    if (n > SB_EXPORT_ORDERS_MAX)
        return sb_fail(SB_ETOO_LARGE, "orders",
                       "orders has more than %d entries: send them in "
                       "batches of at most %d",
                       SB_EXPORT_ORDERS_MAX, SB_EXPORT_ORDERS_MAX);
    if (n == 0)
        return sb_fail(SB_EINVALID_FIELD, "orders", "orders needs at least 1 entry");
    struct sb_channel_rt *rt;
    if ((err = sb_channel_load(NULL, r->db, r->scope.channel_id, r->arena, &rt)))
        return err;

    /* every order read and placed before anything is written */
    struct sb_export_order *e = sb_arena_alloc(r->arena, n * sizeof(*e));
    int64_t *outlet = sb_arena_alloc(r->arena, n * sizeof(*outlet));
    if (!e || !outlet)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char pbuf[64], field[96];
        json_t *v = json_array_get(orders, i);
        struct sb_jctx o = sb_jctx_child(&c, "orders", (long)i, v, pbuf, sizeof(pbuf));
        if (!json_is_object(v))
            return sb_fail(SB_EINVALID_FIELD, o.prefix, "%s must be an object", o.prefix);
        if ((err = sb_export_order_read(&o, rt->rec.currency, r->arena, &e[i])))
            return err;
        snprintf(field, sizeof(field), "%s.location_id", o.prefix);
        if ((err = sb_sync_export_outlet(r->db, rt, e[i].location_id, field, &outlet[i])))
            return err;
    }

    /* E4: each in its own transaction, on the store's writer */
    json_t *results = json_array();
    if (!results)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        struct job j = { .rt = rt, .e = &e[i], .outlet = outlet[i] };
        err = sb_store_write(sb_server_store(r->server), export_fn, &j);
        if (err && sb_err_status(err) < 500) {
            /* the engine refused the order itself (rolled back): its answer, not the
             * request's */
            const struct sb_errinfo *info = sb_err_last();
            j.res = (struct sb_export_result){ .outcome = SB_EXPORT_REFUSED, .refusal = err };
            snprintf(j.res.message, sizeof(j.res.message), "%s",
                     info->message[0] ? info->message : sb_err_message(err));
            snprintf(j.res.field, sizeof(j.res.field), "%s", info->field);
            err = SB_OK;
        }
        struct sb_export_result res = j.res;
        json_t *one = err ? NULL : result_of(&e[i], &res);
        if (!err && (!one || json_array_append_new(results, one)))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        if (err) {
            json_decref(results);
            return err;
        }
    }
    return sb_reply(r, 200, json_pack("{s:o}", "results", results));
}
