/*
 * A Shopify order webhook body read (channel/shopify/order.c) and applied to
 * the POS as the pipeline applies it (sync/order-apply.c: the sale, its lines and
 * taxes, payment, customer, allocation, stock, fulfillments), on the seeded
 * database of seeded.h, inside a transaction rolled back afterwards. The
 * input is the body. Whatever the order says, applying it is an outcome or a
 * refusal the pipeline can record (never a 5xx kind, which it would retry for
 * ever, and always with a UTF-8 reason: O10); the database keeps its
 * invariants (sale totals and balances, stock against its ledger); a sale
 * made from the order has the channel's total to the cent (O4); and applying
 * the same version again changes nothing: no second sale, no second payment
 * (O2, O3).
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "check-order.h"
#include "seeded.h"
#include "store/channels.h"
#include "sync/order-apply.h"

#include <jansson.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_seeded_init();
    return 0;
}

/* The channel's sales, as GET /api/v1/sales?channel=1 lists them (a new reference). */
static json_t *channel_sales(void)
{
    char target[] = "/api/v1/sales?channel=1&limit=500";
    json_t *doc = NULL;
    bool ran = false;
    sb_err err = fz_request(&fz_scopes[0], "GET", target, NULL, 0, true, &doc, &ran);
    FZ_CHECK(ran && !err && doc, "listing the channel's sales: %s", sb_err_code(err));
    json_t *data = json_incref(json_object_get(doc, "data"));
    json_decref(doc);
    return data;
}

static json_t *sale_of(json_t *sales, const char *external_id)
{
    size_t i;
    json_t *s;
    json_array_foreach(sales, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "external_id"));
        if (id && strcmp(id, external_id) == 0)
            return s;
    }
    return NULL;
}

static int64_t int_of(json_t *sale, const char *key)
{
    json_t *v = json_object_get(sale, key);
    FZ_CHECK(json_is_integer(v), "the sale has no %s", key);
    return json_integer_value(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    if (!a)
        return 0;
    sb_err err =
        sb_channel_shopify.parse_event(NULL, "orders/updated", (const char *)data, size, a, &o);
    if (err || !o) {
        sb_arena_free(a);
        return 0;
    }
    fz_check_order(o);
    struct sb_db *db = fz_seeded_db();
    struct sb_channel_rt *rt = NULL;
    FZ_CHECK(sb_db_begin(db) == SB_OK, "begin: %s", sb_err_last()->message);
    FZ_CHECK(sb_channel_load(NULL, db, 1, a, &rt) == SB_OK, "the channel: %s",
             sb_err_last()->message);
    json_t *before = channel_sales();
    enum sb_apply_outcome outcome = SB_APPLY_UNCHANGED, again = SB_APPLY_UNCHANGED;
    err = sb_sync_apply_order(db, rt, o, &outcome);
    fz_check_error(err);
    FZ_CHECK(sb_err_status(err) < 500, "applying the order: %s: %s", sb_err_code(err),
             sb_err_last()->message);
    if (!err) {
        fz_seeded_check();
        json_t *after = channel_sales();
        json_t *sale = sale_of(after, o->external_id);
        FZ_CHECK(!sale_of(before, o->external_id), "the seed has this order");
        FZ_CHECK((outcome == SB_APPLY_IMPORTED) == (sale != NULL), "outcome %d, sale %s", outcome,
                 sale ? "made" : "not made");
        if (sale)
            FZ_CHECK(int_of(sale, "total") == o->total_price,
                     "O4: the sale's total %lld, the channel's %lld",
                     (long long)int_of(sale, "total"), (long long)o->total_price);
        err = sb_sync_apply_order(db, rt, o, &again);
        fz_check_error(err);
        FZ_CHECK(err == SB_OK, "the same version again: %s: %s", sb_err_code(err),
                 sb_err_last()->message);
        fz_seeded_check();
        json_t *twice = channel_sales();
        FZ_CHECK(json_array_size(twice) == json_array_size(after), "O2: %zu sales, then %zu",
                 json_array_size(after), json_array_size(twice));
        json_t *sale2 = sale_of(twice, o->external_id);
        FZ_CHECK(!sale == !sale2, "the sale came or went");
        if (sale)
            FZ_CHECK(int_of(sale2, "paid_total") == int_of(sale, "paid_total") &&
                         int_of(sale2, "total") == int_of(sale, "total"),
                     "O2: the same version changed the sale");
        FZ_CHECK(!sale || again == SB_APPLY_UNCHANGED, "the same version again: outcome %d", again);
        json_decref(after);
        json_decref(twice);
    }
    json_decref(before);
    (void)sb_db_end(db, SB_EINTERNAL); /* roll back: the next input meets the same database */
    FZ_CHECK(db->tx_depth == 0, "still in a transaction");
    sb_err_clear();
    sb_arena_free(a);
    return 0;
}
