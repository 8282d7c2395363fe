/*
 * Ecwid orders (channel/ecwid/order.c) and the poll's pages (poll.c): the
 * input is an order's JSON (GET /orders/{id}), or a search answer ({total,
 * items[]}) when it is one. An order that parses must satisfy fz_check_order
 * whatever the currency (USD, JPY, KWD by the input's length); a page must
 * list every item as an order or as unreadable with a UTF-8 reason (O10) and
 * leave a cursor that parses back and never starts before the one it came
 * from; a refusal must be an error the pipeline can record as the reason.
 */
#include "fuzz.h"

#include "channel/ecwid/ecwid.h"
#include "check-order.h"

/* fz_check_order wants numeric order and transaction ids (Shopify's, Magento's); Ecwid's
 * are text (the store's prefix, the processor's transaction id): checked here, the rest by
 * fz_check_order. */
static void check(const struct sb_order *o)
{
    FZ_CHECK(o->external_id && sb_ec_order_id_ok(o->external_id), "order id");
    struct sb_order copy = *o;
    copy.external_id = "1";
    struct sb_order_payment pays[1];
    FZ_CHECK(o->n_payments <= 1, "%zu payments", o->n_payments);
    if (o->n_payments) {
        pays[0] = o->payments[0];
        FZ_CHECK(!pays[0].external_id || fz_utf8(pays[0].external_id, strlen(pays[0].external_id)),
                 "transaction id");
        pays[0].external_id = NULL;
        copy.payments = pays;
    }
    fz_check_order(&copy);
}

static bool refused_well(sb_err err)
{
    return err == SB_EINVALID_FIELD || err == SB_EMISSING_FIELD;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const currencies[] = { "USD", "JPY", "KWD" };
    const char *currency = currencies[size % 3];
    struct sb_arena *a = sb_arena_new();
    json_t *root = json_loadb((const char *)data, size, 0, NULL);
    if (!a || !root)
        goto done;
    if (json_is_array(json_object_get(root, "items")) && json_object_get(root, "total")) {
        struct sb_ec_cursor c = { .from = (int64_t)(size * 7), .offset = (int64_t)(size % 5) };
        struct sb_order_page p;
        sb_err err = sb_ec_orders_page(root, &c, currency, 1725434529, a, &p);
        fz_check_error(err);
        if (err) {
            FZ_CHECK(err == SB_EIO, "page failed with %s", sb_err_code(err));
            goto done;
        }
        FZ_CHECK(p.n + p.n_unreadable == json_array_size(json_object_get(root, "items")),
                 "items lost from a page");
        for (size_t i = 0; i < p.n; i++)
            check(p.orders[i]);
        for (size_t i = 0; i < p.n_unreadable; i++)
            FZ_CHECK(p.unreadable[i].reason &&
                         fz_utf8(p.unreadable[i].reason, strlen(p.unreadable[i].reason)),
                     "an unreadable order without a UTF-8 reason");
        struct sb_ec_cursor next;
        FZ_CHECK(sb_ec_cursor_parse(p.next_cursor, &next) == SB_OK, "cursor %s does not parse",
                 p.next_cursor);
        FZ_CHECK(next.from >= c.from, "the cursor went back");
        goto done;
    }
    struct sb_order *o = NULL;
    sb_err err = sb_ec_parse_order(root, currency, a, &o);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(refused_well(err), "parse failed with %s", sb_err_code(err));
        goto done;
    }
    check(o);
done:
    json_decref(root);
    sb_arena_free(a);
    return 0;
}
