/*
 * The Shopify transport (channel/shopify/transport.c, sb_shopify_gql) and its pacing
 * (SP2, I9): HTTP status, Retry-After, GraphQL errors (THROTTLED,
 * MAX_COST_EXCEEDED, refusals) and extensions.cost.throttleStatus, from which
 * the waits before a call and after a refusal are computed. The input is a
 * Retry-After header text, a line "--", then the answers (fuzz/wire.h). Every
 * wait must stay within SB_SHOPIFY_MAX_WAIT_MS (checked as it is asked for:
 * fuzz/wire.c), a throttled call is retried at most SB_SHOPIFY_MAX_RETRIES
 * times, and a success hands back a "data" object. The wait arithmetic is
 * also fed the header text and figures read from the input's bytes directly.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "wire.h"

#include <math.h>

static double double_at(const uint8_t *data, size_t size, size_t at)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < 8; i++)
        bits = bits << 8 | (at + i < size ? data[at + i] : 0);
    double d;
    memcpy(&d, &bits, sizeof(d));
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double req = double_at(data, size, 0), avail = double_at(data, size, 8),
           rate = double_at(data, size, 16);
    uint64_t wait = sb_shopify_throttle_wait_ms(req, avail, rate);
    FZ_CHECK(wait <= SB_SHOPIFY_MAX_WAIT_MS, "wait %llu for %g %g %g", (unsigned long long)wait,
             req, avail, rate);
    FZ_CHECK(!(isfinite(req) && isfinite(avail) && isfinite(rate) && rate > 0 && req >= 0 &&
               req <= avail) ||
                 wait == 0,
             "waits %llu with %g of %g available", (unsigned long long)wait, req, avail);

    const uint8_t *header;
    size_t header_len;
    if (!fz_next(&data, &size, "\n--\n", &header, &header_len))
        return 0;
    char *text = fz_cstr(header, header_len);
    struct sb_arena *a = sb_arena_new();
    if (!text || !a)
        goto done;
    wait = sb_shopify_retry_after_ms(text);
    FZ_CHECK(wait <= SB_SHOPIFY_MAX_WAIT_MS, "Retry-After \"%.40s\": %llu ms", text,
             (unsigned long long)wait);
    if (text[0] >= '0' && text[0] <= '9' && !text[1])
        FZ_CHECK(wait == (uint64_t)(text[0] - '0') * 1000, "Retry-After \"%s\": %llu ms", text,
                 (unsigned long long)wait);

    fz_wire_load(data, size);
    json_t *vars = json_pack("{s:i}", "first", 1), *got = NULL;
    sb_err err = sb_shopify_gql(fz_wire_channel(), a, "SbInventoryItems", "query { shop { id } }",
                                vars, &got);
    fz_check_error(err);
    FZ_CHECK(fz_wire_calls() <= SB_SHOPIFY_MAX_RETRIES + 1, "%zu calls", fz_wire_calls());
    FZ_CHECK(err || json_is_object(got), "success without a data object");
    FZ_CHECK(err != SB_EBUSY || fz_wire_calls() == SB_SHOPIFY_MAX_RETRIES + 1,
             "busy after %zu calls", fz_wire_calls());
done:
    fz_wire_reset();
    sb_arena_free(a);
    free(text);
    return 0;
}
