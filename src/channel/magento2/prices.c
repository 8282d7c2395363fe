/*
 * Magento prices (SPEC PR1-PR4) through the catalogue's price routes, which
 * take many SKUs a call and answer a list of PriceUpdateResult ({message,
 * parameters}: the refused rows, [] when every row was taken; Magento takes
 * the valid rows either way). A result is mapped to the price whose SKU its
 * parameters name; a result naming none of the call's SKUs makes the call an
 * error (retried whole: setting a price twice is harmless).
 *
 *   regular  POST /V1/products/base-prices {"prices": [{price, store_id: 0, sku}]}
 *   sale     POST /V1/products/special-price {"prices": [{price, store_id: 0, sku,
 *            price_from, price_to}]}: the engine sends a sale price only while its
 *            window is open and sends every price again when it opens or closes, so
 *            the special price is open-ended here (price_to "") and starts at the
 *            start of the previous UTC day (price_from), so that it is in force at
 *            once whatever the store's time zone (Magento reads the date locally).
 *            A sale price not below the regular one is no sale (as on Shopify).
 *   no sale  the special prices Magento holds for those SKUs
 *            (POST /V1/products/special-price-information {"skus"}) are removed,
 *            POST /V1/products/special-price-delete with the rows as Magento gave
 *            them; nothing is sent when none is set. Should the lookup be refused
 *            (a SKU gone since it was found), the rows are removed blindly, and a
 *            400 to that (no such special price) is harmless.
 * Store 0 is the default scope ("All Store Views"). Amounts are decimal JSON
 * numbers in the channel's currency, built from their exact decimal text.
 */
#include "channel/magento2/magento2.h"
#include "core/currency.h"
#include "core/money.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *sb_m2up_decimal(int64_t minor, int exponent)
{
    int64_t unit = 1;
    for (int i = 0; i < exponent && i < 18; i++)
        unit *= 10;
    if (minor % unit == 0)
        return json_integer((json_int_t)(minor / unit));
    char buf[40];
    sb_money_format(minor, exponent, buf, sizeof(buf));
    return json_real(strtod(buf, NULL)); /* the nearest double to the exact text */
}

sb_err sb_m2up_price_results(json_t *body, struct sb_price *prices, const size_t *idx, size_t m,
                             struct sb_arena *a)
{
    if (!json_is_array(body))
        return sb_fail(SB_EIO, NULL, "Magento's answer to the price update is not a list");
    json_t *res;
    size_t i;
    json_array_foreach(body, i, res)
    {
        json_t *params = json_object_get(res, "parameters");
        const char *msg = sb_m2_fill_message(json_object_get(res, "message"), params, a);
        size_t named = 0;
        for (size_t k = 0; k < m; k++) {
            struct sb_price *p = &prices[idx[k]];
            if (!p->variant_id || !sb_m2up_names(params, p->variant_id))
                continue;
            named++;
            if (!p->error)
                p->error = sb_arena_printf(a, "Magento refused the price: %.200s",
                                           msg ? msg : "no reason given");
        }
        if (!named)
            return sb_fail(SB_EINVALID_FIELD, NULL, "Magento refused a price: %.200s",
                           msg ? msg : "no reason given");
    }
    return SB_OK;
}

/* POST path {"prices": list}; the answer's results mapped onto prices[idx[0..m)). */
static sb_err price_call(const struct sb_channel *ch, const char *path, json_t *list,
                         struct sb_price *prices, const size_t *idx, size_t m, struct sb_arena *a)
{
    json_t *body = list ? json_pack("{s:o}", "prices", list) : NULL;
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_m2_reply r = { 0 };
    sb_err err = sb_m2_call(ch, "POST", path, NULL, body, a, &r);
    json_decref(body);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    if (r.status < 200 || r.status > 299)
        return sb_m2_status_err(&r, sb_arena_printf(a, "setting prices (%s)", path));
    return sb_m2up_price_results(r.body, prices, idx, m, a);
}

static bool on_sale(const struct sb_price *p)
{
    return p->sale > 0 && p->sale < p->regular;
}

/* The special prices Magento holds for the SKUs of prices[idx[0..m)), as rows to delete
 * (NULL with SB_OK when the lookup was refused: then *ret_blind). */
static sb_err held_specials(const struct sb_channel *ch, struct sb_price *prices, const size_t *idx,
                            size_t m, struct sb_arena *a, json_t **ret, bool *ret_blind)
{
    *ret = NULL;
    *ret_blind = false;
    json_t *skus = json_array();
    for (size_t k = 0; skus && k < m; k++)
        json_array_append_new(skus, json_string(prices[idx[k]].variant_id));
    json_t *body = skus ? json_pack("{s:o}", "skus", skus) : NULL;
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_m2_reply r = { 0 };
    sb_err err =
        sb_m2_call(ch, "POST", "/V1/products/special-price-information", NULL, body, a, &r);
    json_decref(body);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    if (r.status == 400 || r.status == 404) {
        *ret_blind = true;
        return SB_OK;
    }
    if (r.status < 200 || r.status > 299)
        return sb_m2_status_err(&r, "looking up special prices");
    if (!json_is_array(r.body))
        return sb_fail(SB_EIO, NULL, "Magento's special prices answer is not a list");
    json_t *rows = json_array(), *row;
    size_t i;
    json_array_foreach(r.body, i, row)
    {
        const char *sku = json_string_value(json_object_get(row, "sku"));
        bool ours = false;
        for (size_t k = 0; sku && k < m && !ours; k++)
            ours = strcmp(prices[idx[k]].variant_id, sku) == 0;
        if (!ours || !rows)
            continue;
        json_t *price = json_object_get(row, "price"), *store = json_object_get(row, "store_id");
        const char *from = json_string_value(json_object_get(row, "price_from"));
        const char *to = json_string_value(json_object_get(row, "price_to"));
        json_array_append_new(
            rows,
            json_pack("{s:o, s:o, s:s, s:s, s:s}", "price",
                      json_is_number(price) ? json_incref(price) : json_integer(0), "store_id",
                      json_is_integer(store) ? json_incref(store) : json_integer(0), "sku", sku,
                      "price_from", from ? from : "", "price_to", to ? to : ""));
    }
    if (!rows)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = sb_m2up_keep(a, rows);
    return SB_OK;
}

/* No sale for prices[idx[0..m)): remove the special prices Magento holds for them. */
static sb_err remove_specials(const struct sb_channel *ch, struct sb_price *prices,
                              const size_t *idx, size_t m, struct sb_arena *a)
{
    json_t *rows = NULL;
    bool blind = false;
    sb_err err = held_specials(ch, prices, idx, m, a, &rows, &blind);
    if (err)
        return err;
    if (blind) {
        rows = sb_m2up_keep(a, json_array());
        for (size_t k = 0; rows && k < m; k++)
            json_array_append_new(rows, json_pack("{s:i, s:i, s:s, s:s, s:s}", "price", 0,
                                                  "store_id", 0, "sku", prices[idx[k]].variant_id,
                                                  "price_from", "", "price_to", ""));
        if (!rows)
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (json_array_size(rows) == 0)
        return SB_OK; /* none set: nothing to remove */
    json_t *body = json_pack("{s:O}", "prices", rows);
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_m2_reply r = { 0 };
    err = sb_m2_call(ch, "POST", "/V1/products/special-price-delete", NULL, body, a, &r);
    json_decref(body);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    if (r.status == 400 && blind)
        return SB_OK; /* no such special price: nothing to remove */
    if (r.status < 200 || r.status > 299)
        return sb_m2_status_err(&r, "removing special prices");
    return sb_m2up_price_results(r.body, prices, idx, m, a);
}

static sb_err push_batch(const struct sb_channel *ch, struct sb_price *prices, size_t *idx,
                         size_t m, int exp, struct sb_arena *a)
{
    json_t *base = json_array();
    for (size_t k = 0; base && k < m; k++) {
        const struct sb_price *p = &prices[idx[k]];
        json_array_append_new(base, json_pack("{s:o, s:i, s:s}", "price",
                                              sb_m2up_decimal(p->regular, exp), "store_id", 0,
                                              "sku", p->variant_id));
    }
    sb_err err = price_call(ch, "/V1/products/base-prices", base, prices, idx, m, a);
    if (err)
        return err;
    /* the sale side, for what the regular price call took */
    char from[SB_TIME_LEN];
    sb_time_format(sb_time_now() - 86400, from, sizeof(from));
    char price_from[24];
    snprintf(price_from, sizeof(price_from), "%.10s 00:00:00", from);
    size_t *sale = sb_arena_alloc(a, (m + 1) * sizeof(*sale)),
           *none = sb_arena_alloc(a, (m + 1) * sizeof(*none)), n_sale = 0, n_none = 0;
    if (!sale || !none)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_t *special = json_array();
    for (size_t k = 0; special && k < m; k++) {
        const struct sb_price *p = &prices[idx[k]];
        if (p->error)
            continue;
        if (!on_sale(p)) {
            none[n_none++] = idx[k];
            continue;
        }
        sale[n_sale++] = idx[k];
        json_array_append_new(special,
                              json_pack("{s:o, s:i, s:s, s:s, s:s}", "price",
                                        sb_m2up_decimal(p->sale, exp), "store_id", 0, "sku",
                                        p->variant_id, "price_from", price_from, "price_to", ""));
    }
    if (!special)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (n_sale)
        err = price_call(ch, "/V1/products/special-price", special, prices, sale, n_sale, a);
    else
        json_decref(special);
    if (!err && n_none)
        err = remove_specials(ch, prices, none, n_none, a);
    return err;
}

sb_err sb_m2_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                         struct sb_arena *a)
{
    const char *currency = ch->currency ? ch->currency : "USD";
    int exp = sb_currency_exponent(currency);
    if (exp < 0)
        return sb_fail(SB_EINVALID_FIELD, "currency", "%s is not an ISO 4217 currency", currency);
    size_t *idx = sb_arena_alloc(a, (n + 1) * sizeof(*idx));
    if (!idx)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t start = 0; start < n; start += SB_M2_PUSH_BATCH) {
        size_t end = n - start < SB_M2_PUSH_BATCH ? n : start + SB_M2_PUSH_BATCH, m = 0;
        for (size_t i = start; i < end; i++) {
            if (prices[i].error)
                continue;
            if (!prices[i].variant_id || !*prices[i].variant_id)
                prices[i].error = "not on Magento: no SKU to set its price on";
            else
                idx[m++] = i;
        }
        sb_err err = m ? push_batch(ch, prices, idx, m, exp, a) : SB_OK;
        if (err)
            return err;
    }
    return SB_OK;
}
