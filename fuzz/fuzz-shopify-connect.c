/*
 * Shopify's answers to the connect pass (channel/shopify/app.c, SB_CH_CONNECT):
 * currentAppInstallation's access scopes, then webhookSubscriptions and the
 * deletes and creates that repair them. The input is the answers
 * (fuzz/wire.h). Whatever Shopify says, the pass ends within its bound of
 * calls, an error carries a UTF-8 message, and a report is a JSON object
 * whose missing scopes, when it names them, are strings.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_wire_load(data, size);
    /* the wire's channel with a public base URL, so the subscriptions are repaired too */
    struct sb_channel ch = *fz_wire_channel();
    json_t *settings = json_pack("{s:s}", "webhook_base_url", "https://pos.example");
    if (!settings)
        return 0;
    ch.settings = settings;
    json_t *report = NULL;
    sb_err err = sb_channel_shopify.connect(&ch, &report);
    fz_check_error(err);
    /* scopes, the list, at most 100 deletes (one page) and 6 creates, each with its retries */
    FZ_CHECK(fz_wire_calls() <= 108 * (SB_SHOPIFY_MAX_RETRIES + 1), "%zu calls for one pass",
             fz_wire_calls());
    if (!err) {
        FZ_CHECK(json_is_object(report), "the connect pass reported no object");
        json_t *missing = json_object_get(json_object_get(report, "scopes"), "missing");
        size_t i;
        json_t *m;
        json_array_foreach(missing, i, m)
        {
            FZ_CHECK(json_is_string(m), "a missing scope that is not a string");
        }
    }
    json_decref(report);
    json_decref(settings);
    fz_wire_reset();
    return 0;
}
