/*
 * Ecwid webhooks (channel/ecwid/webhook.c, W5): the input is the signature
 * header's value on its first line, then the body. A signature reading VALID
 * is replaced by the true signature of the body's eventCreated and eventId
 * (when it has them), so that the fuzzer gets past the check as Ecwid would.
 * Nothing unsigned may pass: what passes was signed, names a printable event
 * id of at most 128 bytes and a type; an order event names an order id of
 * Ecwid's alphabet, anything else (order.deleted included: the POS keeps
 * its sale) is marked ignored (W6); a refusal is a UTF-8 error.
 */
#include "fuzz.h"

#include "channel/ecwid/ecwid.h"

#include <jansson.h>
#include <string.h>

#define SECRET "fuzz-client-secret"

static const char *the_sig;
static const char *header(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "X-Ecwid-Webhook-Signature") == 0 ? the_sig : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *first;
    size_t first_len;
    if (!fz_next(&data, &size, "\n", &first, &first_len))
        return 0;
    char sig[128], truth[64] = "";
    if (first_len >= sizeof(sig) || memchr(first, 0, first_len))
        return 0;
    memcpy(sig, first, first_len);
    sig[first_len] = '\0';
    json_t *body = json_loadb((const char *)data, size, 0, NULL);
    json_t *created = json_object_get(body, "eventCreated");
    const char *eid = json_string_value(json_object_get(body, "eventId"));
    bool signable = json_is_integer(created) && eid && strlen(eid) < 128 &&
                    sb_ec_signature(SECRET, json_integer_value(created), eid, truth, sizeof(truth));
    json_decref(body);
    if (strcmp(sig, "VALID") == 0 && signable)
        memcpy(sig, truth, strlen(truth) + 1);
    the_sig = sig;

    json_t *cred = json_pack("{s:s, s:s, s:s}", "store_id", "1003", "api_token", "secret_x",
                             "client_secret", SECRET);
    struct sb_channel ch = { .kind = "ecwid", .credentials = cred };
    struct sb_webhook wh = { .body = (const char *)data, .len = size, .header = header };
    struct sb_arena *a = sb_arena_new();
    struct sb_event_info info = { 0 };
    sb_err err = a ? sb_ec_verify_webhook(&ch, &wh, a, &info) : SB_OK;
    if (a && err) {
        fz_check_error(err);
    } else if (a) {
        FZ_CHECK(signable && strcmp(sig, truth) == 0, "an unsigned webhook passed");
        FZ_CHECK(info.event_id && strlen(info.event_id) <= 128, "a bad event id passed");
        FZ_CHECK(info.topic && *info.topic, "no type");
        if (strncmp(info.topic, "order.", 6) == 0 && strcmp(info.topic, "order.deleted") != 0) {
            FZ_CHECK(!info.ignored && info.order_ref && *info.order_ref, "order event, no order");
            for (const char *p = info.order_ref; *p; p++)
                FZ_CHECK(strchr("-_", *p) || (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
                             (*p >= 'a' && *p <= 'z'),
                         "order id with %c", *p);
        } else {
            FZ_CHECK(info.ignored && !info.order_ref, "a non-order event not ignored");
        }
    }
    json_decref(cred);
    sb_arena_free(a);
    return 0;
}
