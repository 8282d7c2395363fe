/*
 * Shopify webhooks as POST /webhooks/{channel} receives them: the signature
 * over the raw body (X-Shopify-Hmac-Sha256, HMAC-SHA256, base64,
 * constant-time compare), then the topic and event id headers and the order
 * reference in the body (SP1: channel/shopify/adapter.c verify_webhook), then the
 * order itself for order topics (parse_event). The input is header lines
 * "Name: value", a blank line, then the body; a signature header reading
 * VALID is replaced by the body's true signature, so that the fuzzer gets
 * past the check as a genuine Shopify would. Nothing unsigned may pass;
 * what passes names a known topic (or is marked ignored: a topic the engine
 * does not use, answered 200 and stored nowhere), a printable event id of at
 * most 128 bytes and, when it names its order, a numeric id; the order parses
 * into one that satisfies fz_check_order, or fails with a UTF-8 reason.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "check-order.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <strings.h>

#define SECRET     "fuzz-webhook-secret"
#define MAX_HEADER 16

struct headers {
    char *name[MAX_HEADER], *value[MAX_HEADER];
    size_t n;
};

static const char *header(void *ud, const char *name)
{
    struct headers *h = ud;
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->name[i], name) == 0)
            return h->value[i];
    return NULL;
}

static bool printable(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] <= ' ' || s[n] > '~')
            return false;
    return n > 0 && n <= 128;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *credentials;
    if (!credentials)
        credentials = json_pack("{s:s}", "webhook_secret", SECRET);
    const uint8_t *head, *body;
    size_t head_len, body_len;
    if (!fz_next(&data, &size, "\n\n", &head, &head_len))
        return 0;
    if (!fz_next(&data, &size, "", &body, &body_len)) {
        body = (const uint8_t *)"";
        body_len = 0;
    }
    struct headers h = { .n = 0 };
    const uint8_t *line;
    size_t line_len;
    bool forged = true;
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), body_len ? body : (const uint8_t *)"", body_len,
         mac, &mac_len);
    while (h.n < MAX_HEADER && fz_next(&head, &head_len, "\n", &line, &line_len)) {
        const uint8_t *colon = memchr(line, ':', line_len);
        if (!colon)
            continue;
        size_t nl = (size_t)(colon - line), vl = line_len - nl - 1;
        const uint8_t *v = colon + 1;
        while (vl && *v == ' ')
            v++, vl--;
        h.name[h.n] = fz_cstr(line, nl);
        if (vl == 5 && memcmp(v, "VALID", 5) == 0) {
            char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
            sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
            h.value[h.n] = strdup(b64);
            forged = false;
        } else {
            h.value[h.n] = fz_cstr(v, vl);
        }
        h.n++;
    }
    struct sb_channel ch = { .id = 1, .kind = "shopify", .credentials = credentials };
    struct sb_webhook wh = {
        .body = (const char *)body, .len = body_len, .header = header, .ud = &h
    };
    struct sb_arena *a = sb_arena_new();
    struct sb_event_info info = { 0 };
    sb_err err = a ? sb_channel_shopify.verify_webhook(&ch, &wh, a, &info) : SB_ENOMEM;
    fz_check_error(err);
    if (forged && err != SB_EUNAUTHORIZED) {
        /* only a header that decodes to the body's HMAC may pass */
        const char *sig = header(&h, "X-Shopify-Hmac-Sha256");
        unsigned char sent[64];
        size_t sent_len = 0;
        FZ_CHECK(sig &&
                     sodium_base642bin(sent, sizeof(sent), sig, strlen(sig), NULL, &sent_len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL) == 0 &&
                     sent_len == 32 && memcmp(sent, mac, 32) == 0,
                 "an unsigned webhook got %s", sb_err_code(err));
    }
    if (!err && info.ignored) {
        /* a genuine event of a topic the engine does not use: answered 200, stored nowhere,
         * never parsed */
        static const char *const used[] = { "orders/create",  "orders/updated",
                                            "orders/paid",    "orders/cancelled",
                                            "refunds/create", "fulfillments/create" };
        FZ_CHECK(info.topic, "an ignored event names its topic");
        for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
            FZ_CHECK(strcmp(info.topic, used[i]) != 0, "topic %s ignored", info.topic);
        FZ_CHECK(info.event_id && printable(info.event_id) && !info.order_ref, "ignored event");
    } else if (!err) {
        FZ_CHECK(info.topic && (strncmp(info.topic, "orders/", 7) == 0 ||
                                strcmp(info.topic, "refunds/create") == 0 ||
                                strcmp(info.topic, "fulfillments/create") == 0),
                 "topic %s", info.topic ? info.topic : "(null)");
        FZ_CHECK(info.event_id && printable(info.event_id), "event id");
        FZ_CHECK(!info.order_ref || sb_shopify_numeric_id(info.order_ref), "order ref \"%s\"",
                 info.order_ref);
        struct sb_order *o = NULL;
        err = sb_channel_shopify.parse_event(&ch, info.topic, (const char *)body, body_len, a, &o);
        fz_check_error(err);
        if (!err && o)
            fz_check_order(o);
        if (!err && o && info.order_ref)
            FZ_CHECK(strcmp(o->external_id, info.order_ref) == 0, "the order is %s, the event %s",
                     o->external_id, info.order_ref);
    }
    sb_arena_free(a);
    for (size_t i = 0; i < h.n; i++) {
        free(h.name[i]);
        free(h.value[i]);
    }
    return 0;
}
