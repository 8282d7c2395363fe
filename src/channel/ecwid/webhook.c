/*
 * Ecwid's webhooks (W5). Ecwid signs the text "{eventCreated}.{eventId}" (not
 * the body) with the app's client secret, HMAC-SHA256, base64, in
 * X-Ecwid-Webhook-Signature. Those two values travel in the body, so the body
 * is bounded and only they are read from it; the signature is compared in
 * constant time, and only a genuine event has its type and data read. The
 * body is a hint: order events name the order (data.orderId, a string like
 * every value in data) and the order itself is fetched. Events of other types
 * (product.updated, which our own stock pushes fire, W6) are answered and
 * ignored.
 */
#include "channel/ecwid/ecwid.h"

#include "util/arena.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

bool sb_ec_signature(const char *client_secret, int64_t event_created, const char *event_id,
                     char *buf, size_t cap)
{
    char signed_text[256];
    int n = snprintf(signed_text, sizeof(signed_text), "%" PRId64 ".%s", event_created, event_id);
    if (n < 0 || (size_t)n >= sizeof(signed_text) || cap < 45)
        return false;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    if (crypto_auth_hmacsha256_init(&st, (const unsigned char *)client_secret,
                                    strlen(client_secret)) != 0 ||
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)signed_text, (size_t)n) != 0 ||
        crypto_auth_hmacsha256_final(&st, mac) != 0)
        return false;
    sodium_bin2base64(buf, cap, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
    return true;
}

/* An event id: printable ASCII without spaces, 1..128 bytes. */
static bool token_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] <= ' ' || s[n] > '~')
            return false;
    return n > 0 && n <= 128;
}

static void json_decref_cb(void *p)
{
    json_decref(p);
}

sb_err sb_ec_verify_webhook(const struct sb_channel *ch, const struct sb_webhook *wh,
                            struct sb_arena *a, struct sb_event_info *ret)
{
    const char *secret = sb_ec_cred(ch, "client_secret");
    if (!secret)
        return sb_fail(SB_EUNAUTHORIZED, NULL,
                       "the channel has no client secret to verify webhooks with");
    const char *sig = wh->header(wh->ud, "X-Ecwid-Webhook-Signature");
    if (!sig || !*sig)
        return sb_fail(SB_EUNAUTHORIZED, NULL,
                       "the webhook has no X-Ecwid-Webhook-Signature header");
    if (!wh->body || wh->len == 0 || wh->len > SB_EC_WEBHOOK_MAX)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook's body is empty or too large");
    json_t *root = json_loadb(wh->body, wh->len, JSON_REJECT_DUPLICATES, NULL);
    if (root && !sb_arena_defer(a, json_decref_cb, root))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    /* only the two signed values, typed, before the signature is checked */
    json_t *created = json_object_get(root, "eventCreated");
    const char *event_id = json_string_value(json_object_get(root, "eventId"));
    char mine[64];
    if (!json_is_integer(created) || !event_id || !token_ok(event_id) ||
        strlen(sig) >= sizeof(mine) ||
        !sb_ec_signature(secret, json_integer_value(created), event_id, mine, sizeof(mine)) ||
        strlen(sig) != strlen(mine) || sodium_memcmp(sig, mine, strlen(mine)) != 0)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook signature does not verify");

    /* genuine from here on */
    const char *type = json_string_value(json_object_get(root, "eventType"));
    if (!type || !*type || strlen(type) > 64)
        return sb_fail(SB_EMISSING_FIELD, "eventType", "the webhook has no eventType");
    const char *e = sb_arena_strdup(a, event_id), *t = sb_arena_strdup(a, type);
    if (!e || !t)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    /* an order deleted on Ecwid leaves the POS as it is: a sale made of it stays (staff void
     * it if it should not stand), and an order not down yet is never listed again */
    if (strncmp(type, "order.", 6) != 0 || strcmp(type, "order.deleted") == 0) {
        *ret = (struct sb_event_info){ .event_id = e, .topic = t, .ignored = true };
        return SB_OK;
    }
    json_t *data = json_object_get(root, "data");
    json_t *oid = json_object_get(data, "orderId");
    const char *order = json_string_value(oid);
    if (!order || !*order || json_string_length(oid) > SB_EC_ID_MAX ||
        strlen(order) != json_string_length(oid))
        return sb_fail(SB_EMISSING_FIELD, "data.orderId",
                       "the order event names no order (data.orderId)");
    if (!sb_ec_order_id_ok(order))
        return sb_fail(SB_EINVALID_FIELD, "data.orderId",
                       "the order event's data.orderId is not an Ecwid order id");
    const char *o = sb_arena_strdup(a, order);
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = (struct sb_event_info){ .event_id = e, .topic = t, .order_ref = o };
    return SB_OK;
}

sb_err sb_ec_parse_event(const struct sb_channel *ch, const char *topic, const char *body,
                         size_t len, struct sb_arena *a, struct sb_order **ret)
{
    (void)ch, (void)topic, (void)body, (void)len, (void)a;
    *ret = NULL;
    return SB_OK;
}
