/*
 * Shopify Admin GraphQL Order nodes (polls and fetches): read into struct
 * sb_order by channel/shopify/order.c, after sb_shopify_truncated has judged
 * whether a list was cut short at the page's or the single order's sizes, as
 * the poll does. The input is one node. What parses must satisfy
 * fz_check_order; a refusal must carry a UTF-8 reason (O10: the poll shows it
 * for the order it could not read).
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "check-order.h"

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *node = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    struct sb_arena *a = sb_arena_new();
    if (!node || !a)
        goto done;
    const char *cut = sb_shopify_truncated(node, &sb_shopify_page);
    const char *cut_alone = sb_shopify_truncated(node, &sb_shopify_alone);
    /* the single order's sizes are each at least the page's: cut alone means cut in a page */
    FZ_CHECK(!cut_alone || cut, "cut alone (%s) but not in a page", cut_alone);
    struct sb_order *o = NULL;
    sb_err err = sb_shopify_parse_gql_order(node, a, &o);
    fz_check_error(err);
    if (err)
        FZ_CHECK(err == SB_EINVALID_FIELD || err == SB_EMISSING_FIELD || err == SB_ENOMEM,
                 "the parse failed with %s", sb_err_code(err));
    else
        fz_check_order(o);
done:
    sb_arena_free(a);
    json_decref(node);
    return 0;
}
