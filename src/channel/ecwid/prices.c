/*
 * Prices to Ecwid (SPEC PR1-PR4), for both kinds on the wire: one PUT a
 * price, to /products/{P} or /products/{P}/combinations/{C} (the item's id
 * "P" or "P/C", as find_items sets it), with Ecwid's own fields (the official
 * Java client's UpdatedProduct / UpdatedVariation: price and compareToPrice,
 * both Double). Without a sale the regular price is the price and
 * compareToPrice 0 clears the struck-through "was" price; with one, the sale
 * price is the price and the regular one compareToPrice. A sale price not
 * below the regular one is no sale (as on Shopify and Magento). Amounts are
 * JSON numbers in the store's currency, made from their exact decimal text
 * (the transport writes them with 15 significant digits, so 19.99 goes out as
 * 19.99). A store whose currency is not the POS amounts' gets no price: each
 * one says both currencies. A 400/404 marks its price and the others go on;
 * anything else stops, as the stock push does.
 */
#include "channel/ecwid/ecwid.h"
#include "core/currency.h"
#include "core/money.h"
#include "util/arena.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

json_t *sb_ec_amount(int64_t minor, int exponent)
{
    if (minor < 0 || minor > SB_EC_AMOUNT_MAX || exponent < 0 ||
        exponent > SB_CURRENCY_EXPONENT_MAX)
        return NULL;
    char buf[40];
    sb_money_format(minor, exponent, buf, sizeof(buf));
    return json_real(strtod(buf, NULL)); /* the nearest double to the exact text */
}

const char *sb_ec_price_path(const struct sb_price *p, struct sb_arena *a)
{
    int64_t pid, cid;
    if (!sb_ec_stock_target(p->variant_id, &pid, &cid))
        return NULL;
    return cid ? sb_arena_printf(a, "/products/%" PRId64 "/combinations/%" PRId64, pid, cid)
               : sb_arena_printf(a, "/products/%" PRId64, pid);
}

json_t *sb_ec_price_body(const struct sb_price *p, int exponent)
{
    bool sale = p->sale > 0 && p->sale < p->regular;
    json_t *price = sb_ec_amount(sale ? p->sale : p->regular, exponent);
    json_t *was = sb_ec_amount(sale ? p->regular : 0, exponent);
    if (!price || !was) {
        json_decref(price);
        json_decref(was);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "price", price, "compareToPrice", was);
}

sb_err sb_ec_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                         struct sb_arena *a)
{
    sb_err err = sb_ec_profile_currency(ch, a);
    if (err)
        return err;
    const char *store = sb_ec_currency(ch), *pos = ch->currency ? ch->currency : "USD";
    int exp = sb_currency_exponent(store);
    const char *mismatch = NULL;
    if (strcmp(store, pos) != 0)
        mismatch = sb_arena_printf(a,
                                   "the store's currency is %s but the POS prices are in %s: "
                                   "not sent",
                                   store, pos);
    else if (exp < 0)
        mismatch = sb_arena_printf(a, "%s is not an ISO 4217 currency", store);
    if ((strcmp(store, pos) != 0 || exp < 0) && !mismatch)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        struct sb_price *p = &prices[i];
        if (p->error)
            continue;
        if (mismatch) {
            p->error = mismatch;
            continue;
        }
        const char *path = sb_ec_price_path(p, a);
        if (!path) {
            p->error = "not an Ecwid product or combination id";
            continue;
        }
        json_t *body = sb_ec_price_body(p, exp);
        if (!body) {
            p->error = "not a price Ecwid can be sent exactly (negative or too large)";
            continue;
        }
        struct sb_ec_reply r;
        err = sb_ec_call(ch, "PUT", path, NULL, body, a, &r);
        json_decref(body);
        if (err)
            return err;
        if (r.status == 200)
            continue;
        if (r.status == 400 || r.status == 404) {
            p->error = sb_arena_printf(a, "Ecwid refused the price (HTTP %ld): %s", r.status,
                                       r.message ? r.message : "no message");
            continue;
        }
        return sb_ec_status_err(&r, "setting a price");
    }
    return SB_OK;
}
