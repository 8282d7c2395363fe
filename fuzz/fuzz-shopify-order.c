/*
 * Shopify order webhook bodies (orders/create, orders/updated, orders/paid,
 * orders/cancelled): the REST-shaped order JSON read into struct sb_order by
 * channel/shopify/order.c, through the adapter's parse_event as the pipeline
 * calls it once the signature has been checked. The input is the body. An
 * order that parses must satisfy fz_check_order (ids, a currency, one line
 * or more, amounts in range); a refusal must be an error the pipeline can
 * record as the reason (O10): a 4xx kind with a UTF-8 message.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "check-order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const topics[] = { "orders/create", "orders/updated", "refunds/create" };
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return 0;
    /* refunds/create carries no order (the pipeline fetches it): taken without a parse */
    const char *topic = topics[size % 16 == 15 ? 2 : size % 2];
    struct sb_order *o = NULL;
    sb_err err = sb_channel_shopify.parse_event(NULL, topic, (const char *)data, size, a, &o);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_JSON || err == SB_EINVALID_FIELD || err == SB_EMISSING_FIELD ||
                     err == SB_ETOO_LARGE,
                 "parse_event failed with %s", sb_err_code(err));
    } else if (strcmp(topic, "refunds/create") == 0) {
        FZ_CHECK(!o, "a refund event parsed into an order");
    } else {
        fz_check_order(o);
    }
    sb_arena_free(a);
    return 0;
}
