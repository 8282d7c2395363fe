/*
 * An exported order's body (channel/export/order.c, POST
 * /api/v1/connection/orders, SPEC E2-E6): the input is one order's JSON. An
 * order read must satisfy fz_check_order, be in the channel's currency, have
 * 1-500 lines, payments that add up to `paid` and are each named, "Manual"
 * when captured offline; a refusal must be missing_field or invalid_field
 * with a UTF-8 field path and message.
 */
#include "fuzz.h"

#include "channel/export/order.h"
#include "check-order.h"

#include <string.h>

static void check(const struct sb_export_order *e, const char *currency)
{
    const struct sb_order *o = &e->order;
    FZ_CHECK(o->external_id && *o->external_id && strlen(o->external_id) <= SB_EXPORT_ORDER_ID_MAX,
             "order id");
    FZ_CHECK(strcmp(o->currency, currency) == 0, "currency %s", o->currency);
    FZ_CHECK(o->n_lines >= 1 && o->n_lines <= SB_EXPORT_LINES_MAX, "%zu lines", o->n_lines);
    FZ_CHECK(o->itemized_payments && o->financial == SB_FIN_PAID, "payments not itemized");
    int64_t paid = 0;
    for (size_t i = 0; i < o->n_payments; i++) {
        FZ_CHECK(o->payments[i].gateway && *o->payments[i].gateway, "a payment without a method");
        FZ_CHECK(o->payments[i].amount >= 1, "a payment of %lld", (long long)o->payments[i].amount);
        paid += o->payments[i].amount;
    }
    FZ_CHECK(paid == e->paid, "paid %lld, payments add up to %lld", (long long)e->paid,
             (long long)paid);
    for (size_t i = 0; i < o->n_order_discounts; i++)
        FZ_CHECK(o->order_discounts[i].code && o->order_discounts[i].amount >= 0, "order discount");
    for (size_t i = 0; i < o->n_order_taxes; i++)
        FZ_CHECK(o->order_taxes[i].title && o->order_taxes[i].amount >= 0, "order tax");
    /* fz_check_order wants numeric ids (Shopify's): the webstore's are text, checked above */
    struct sb_order copy = *o;
    copy.external_id = "1";
    struct sb_order_payment pays[SB_EXPORT_PAYMENTS_MAX];
    FZ_CHECK(o->n_payments <= SB_EXPORT_PAYMENTS_MAX, "%zu payments", o->n_payments);
    for (size_t i = 0; i < o->n_payments; i++) {
        pays[i] = o->payments[i];
        FZ_CHECK(!pays[i].external_id || fz_utf8(pays[i].external_id, strlen(pays[i].external_id)),
                 "payment reference");
        pays[i].external_id = NULL;
    }
    copy.payments = pays;
    fz_check_order(&copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const currencies[] = { "USD", "JPY", "KWD" };
    const char *currency = currencies[size % 3];
    struct sb_arena *a = sb_arena_new();
    json_t *root = json_loadb((const char *)data, size, 0, NULL);
    if (!a || !json_is_object(root))
        goto done;
    struct sb_jctx c = { .obj = root, .prefix = "orders[0]" };
    struct sb_export_order e;
    sb_err err = sb_export_order_read(&c, currency, a, &e);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_FIELD || err == SB_EMISSING_FIELD, "read failed with %s",
                 sb_err_code(err));
        goto done;
    }
    check(&e, currency);
done:
    json_decref(root);
    sb_arena_free(a);
    return 0;
}
