/*
 * Shopify prices (SPEC PR1-PR4): productVariantsBulkUpdate, one call per
 * product with every variant of it in the batch. A sale shows the sale price
 * as the price and the regular price as compareAtPrice (Shopify's "was"
 * price); without a sale, compareAtPrice is cleared. Amounts are decimal text
 * in the channel's currency, with its own decimals ("1000" yen, "12.50"
 * dollars, "1.250" dinars). A call is all or nothing: when Shopify refuses
 * it, every price in it carries the error.
 * Cost: a mutation, 10.
 */
#include "channel/shopify/shopify.h"
#include "core/currency.h"
#include "core/money.h"

#include <string.h>

static const char m_prices[] =
    "mutation SbVariantsPrice($productId: ID!, $variants: [ProductVariantsBulkInput!]!) { "
    "productVariantsBulkUpdate(productId: $productId, variants: $variants) { productVariants { "
    "id price compareAtPrice } userErrors { field message code } } }";

static json_t *money(int64_t minor, int exponent)
{
    char buf[32];
    sb_money_format(minor, exponent, buf, sizeof(buf));
    return json_string(buf);
}

/* One product's call for the prices at idx[0..m). */
static sb_err product_call(const struct sb_channel *ch, struct sb_price *prices, const size_t *idx,
                           size_t m, struct sb_arena *a)
{
    int exp = sb_currency_exponent(ch->currency ? ch->currency : "USD");
    if (exp < 0)
        return sb_fail(SB_EINVALID_FIELD, "currency", "%s is not an ISO 4217 currency",
                       ch->currency);
    json_t *variants = json_array();
    for (size_t k = 0; variants && k < m; k++) {
        const struct sb_price *p = &prices[idx[k]];
        bool sale = p->sale > 0 && p->sale < p->regular;
        json_array_append_new(variants,
                              json_pack("{s:s, s:o, s:o}", "id", p->variant_id, "price",
                                        money(sale ? p->sale : p->regular, exp), "compareAtPrice",
                                        sale ? money(p->regular, exp) : json_null()));
    }
    json_t *vars = variants ? json_pack("{s:s, s:o}", "productId", prices[idx[0]].product_id,
                                        "variants", variants)
                            : NULL,
           *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_shopify_gql(ch, a, "SbVariantsPrice", m_prices, vars, &data);
    if (err)
        return err;
    json_t *payload = json_object_get(data, "productVariantsBulkUpdate");
    if (!json_is_object(payload))
        return sb_fail(SB_EIO, NULL, "Shopify's productVariantsBulkUpdate answer has no payload");
    json_t *errs = json_object_get(payload, "userErrors");
    if (json_array_size(errs) > 0) {
        json_t *e = json_array_get(errs, 0);
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *why =
            sb_arena_printf(a, "Shopify refused the price: %s%s%s%s", msg ? msg : "no reason given",
                            code ? " (" : "", code ? code : "", code ? ")" : "");
        for (size_t k = 0; k < m; k++)
            prices[idx[k]].error = why ? why : "Shopify refused the price";
    }
    return SB_OK;
}

sb_err sb_shopify_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                              struct sb_arena *a)
{
    size_t *idx = sb_arena_alloc(a, (n + 1) * sizeof(*idx));
    bool *done = sb_arena_alloc(a, (n + 1) * sizeof(*done));
    if (!idx || !done)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        done[i] = prices[i].error != NULL || !prices[i].variant_id || !prices[i].product_id;
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        size_t m = 0;
        for (size_t k = i; k < n && m < SB_SHOPIFY_SET_MAX; k++) {
            if (!done[k] && strcmp(prices[k].product_id, prices[i].product_id) == 0) {
                idx[m++] = k;
                done[k] = true;
            }
        }
        sb_err err = product_call(ch, prices, idx, m, a);
        if (err)
            return err;
    }
    return SB_OK;
}
