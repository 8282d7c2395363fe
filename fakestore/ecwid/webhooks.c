/*
 * Ecwid's webhooks. Each change raises an event {eventId, eventCreated,
 * storeId, entityId, eventType, data} (data's values are strings, as
 * Ecwid's are), POSTed by one delivery thread to the webhook URL with
 * ?eventtype= appended and X-Ecwid-Webhook-Signature = base64 HMAC-SHA256 of
 * "{eventCreated}.{eventId}" with the app's client secret (the body itself
 * is not signed). A send counts as delivered only on 200, 201, 202, 204 or
 * 209; a failed event is sent again on Ecwid's schedule, 15, 30 and 45
 * minutes and 1 hour after it was raised, then hourly until 24 hours, then
 * given up. The schedule runs on the store's clock plus an offset the
 * control API moves forward (POST /_fake/ecwid/advance), so a test plays a
 * day of retries at once. Faults per send: dropped (not sent, counted as a
 * failure), signed wrong, or sent twice in a row. For tests of ordering, the
 * control API can hold every event unsent (hook_hold) and release them, in
 * the order raised or the last raised first (hook_reverse).
 */
#include "ecwid.h"

#include "util/grow.h"
#include "util/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOOK_TIMEOUT_MS 10000 /* Ecwid waits 10 s for an answer */
#define HOOK_CONNECT_MS 3000  /* and 3 s for the connection */
#define DRAIN_SECONDS   15

/* Seconds after the event of each send: at once, 15, 30, 45 min, then hourly to 24 h. */
static int64_t schedule_at(int k)
{
    if (k <= 3)
        return (int64_t)k * 900;
    return (int64_t)(k - 3) * 3600;
}
#define SCHEDULE_LEN 28 /* 0, 15, 30, 45 min, 1 h ... 24 h */

static int64_t hook_now(struct ec_shop *s)
{
    return (int64_t)time(NULL) + s->hook_offset;
}

void ec_signature(const char *key, int64_t created, const char *event_id, char *out, size_t cap)
{
    char msg[96];
    int n = snprintf(msg, sizeof(msg), "%lld.%s", (long long)created, event_id);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    out[0] = '\0';
    if (n < 0 || (size_t)n >= sizeof(msg) ||
        !HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, (size_t)n, mac,
              &mac_len))
        return;
    EVP_EncodeBlock(b64, mac, (int)mac_len);
    snprintf(out, cap, "%s", (const char *)b64);
}

void ec_event_raise(struct ec_shop *s, const char *type, int64_t entity_id, json_t *data)
{
    if (!data)
        return;
    if (s->n_events >= EC_MAX_EVENTS ||
        !sb_grow((void **)&s->events, &s->cap_events, s->n_events + 1, sizeof(*s->events), 64)) {
        json_decref(data);
        return;
    }
    struct ec_event *e = &s->events[s->n_events++];
    *e = (struct ec_event){ .entity_id = entity_id, .data = data, .statuses = json_array() };
    e->created = hook_now(s);
    int64_t seq = s->next_event++;
    snprintf(e->event_id, sizeof(e->event_id), "%08llx-ecwd-4fa0-8000-%012llx",
             (unsigned long long)(e->created & 0xffffffff), (unsigned long long)seq);
    snprintf(e->type, sizeof(e->type), "%s", type);
    pthread_cond_signal(&s->wake);
}

static bool delivered_status(long st)
{
    return st == 200 || st == 201 || st == 202 || st == 204 || st == 209;
}

static bool due(struct ec_shop *s, const struct ec_event *e)
{
    return !s->hook_hold && !e->delivered && !e->failed && e->next < SCHEDULE_LEN &&
           e->created + schedule_at(e->next) <= hook_now(s);
}

static size_t discard_body(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* One POST; the HTTP status, 0 when nothing answered. */
static long post(CURL *curl, const char *url, const char *body, const char *signature)
{
    char h[160];
    snprintf(h, sizeof(h), "X-Ecwid-Webhook-Signature: %s", signature);
    struct curl_slist *hdrs = curl_slist_append(NULL, h), *tmp;
    if (!hdrs)
        return 0;
    if (!(tmp = curl_slist_append(hdrs, "Content-Type: application/json")) || !(hdrs = tmp) ||
        !(tmp = curl_slist_append(hdrs, "Expect:"))) {
        curl_slist_free_all(hdrs);
        return 0;
    }
    hdrs = tmp;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "Ecwid-Webhooks");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)HOOK_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)HOOK_CONNECT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(hdrs);
    long st = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &st);
    return st;
}

/* What one send needs, copied under the lock. */
struct send {
    size_t index;
    char *url, *body;
    char signature[128];
    int copies; /* 0: dropped */
};

static bool take_send(struct ec_shop *s, struct send *out)
{
    for (size_t k = 0; k < s->n_events; k++) {
        size_t i = s->hook_reverse ? s->n_events - 1 - k : k;
        struct ec_event *e = &s->events[i];
        if (!due(s, e))
            continue;
        if (!s->webhook_url) { /* no app subscribed: nothing is ever sent */
            e->failed = true;
            continue;
        }
        *out = (struct send){ .index = i, .copies = 1 };
        e->next++;
        if (s->hook_fault.drop > 0) {
            s->hook_fault.drop--;
            out->copies = 0;
            return true;
        }
        ec_signature(s->secret, e->created, e->event_id, out->signature, sizeof(out->signature));
        if (s->hook_fault.bad_signature > 0) {
            s->hook_fault.bad_signature--;
            out->signature[0] = out->signature[0] == 'A' ? 'B' : 'A';
        }
        if (s->hook_fault.duplicate > 0) {
            s->hook_fault.duplicate--;
            out->copies = 2;
        }
        json_t *b =
            json_pack("{s:s,s:I,s:I,s:I,s:s,s:O}", "eventId", e->event_id, "eventCreated",
                      (json_int_t)e->created, "storeId", (json_int_t)strtoll(s->store_id, NULL, 10),
                      "entityId", (json_int_t)e->entity_id, "eventType", e->type, "data", e->data);
        out->body = b ? json_dumps(b, JSON_COMPACT) : NULL;
        json_decref(b);
        size_t n = strlen(s->webhook_url) + strlen(e->type) + 16;
        out->url = malloc(n);
        if (out->url)
            snprintf(out->url, n, "%s%ceventtype=%s", s->webhook_url,
                     strchr(s->webhook_url, '?') ? '&' : '?', e->type);
        if (!out->body || !out->url)
            out->copies = 0;
        return true;
    }
    return false;
}

static void *worker_main(void *arg)
{
    struct ec_shop *s = arg;
    CURL *curl = curl_easy_init();
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        struct send sd;
        if (!take_send(s, &sd)) {
            pthread_cond_broadcast(&s->idle);
            struct timespec dl;
            clock_gettime(CLOCK_REALTIME, &dl);
            dl.tv_sec += 1; /* the schedule moves with the clock: look again each second */
            pthread_cond_timedwait(&s->wake, &s->mu, &dl);
            continue;
        }
        s->sending++;
        pthread_mutex_unlock(&s->mu);
        long st[2] = { 0, 0 };
        for (int i = 0; i < sd.copies && curl; i++)
            st[i] = post(curl, sd.url, sd.body, sd.signature);
        free(sd.url);
        free(sd.body);
        pthread_mutex_lock(&s->mu);
        s->sending--;
        struct ec_event *e = &s->events[sd.index];
        for (int i = 0; i < (sd.copies ? sd.copies : 1); i++) {
            e->attempts++;
            json_array_append_new(e->statuses, json_integer(st[i]));
            if (delivered_status(st[i]))
                e->delivered = true;
        }
        if (!e->delivered && e->next >= SCHEDULE_LEN)
            e->failed = true;
    }
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
    curl_easy_cleanup(curl);
    return NULL;
}

sb_err ec_hooks_start(struct ec_shop *s)
{
    if (pthread_create(&s->worker, NULL, worker_main, s) != 0)
        return sb_fail(SB_EIO, NULL, "cannot start the webhook thread");
    s->worker_running = true;
    return SB_OK;
}

void ec_hooks_stop(struct ec_shop *s)
{
    if (!s->worker_running)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->worker, NULL);
    s->worker_running = false;
}

static bool any_due(struct ec_shop *s)
{
    for (size_t i = 0; i < s->n_events; i++)
        if (due(s, &s->events[i]))
            return true;
    return false;
}

void ec_hooks_drain(struct ec_shop *s)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += DRAIN_SECONDS;
    pthread_cond_signal(&s->wake);
    while (!s->stopping && (any_due(s) || s->sending > 0))
        if (pthread_cond_timedwait(&s->idle, &s->mu, &dl) == ETIMEDOUT)
            break;
}

json_t *ec_deliveries_json(struct ec_shop *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_events; i++) {
        const struct ec_event *e = &s->events[i];
        json_t *j =
            json_pack("{s:s,s:s,s:I,s:I,s:O,s:i,s:O,s:b,s:b}", "eventId", e->event_id, "eventType",
                      e->type, "eventCreated", (json_int_t)e->created, "entityId",
                      (json_int_t)e->entity_id, "data", e->data, "attempts", e->attempts,
                      "statuses", e->statuses, "delivered", e->delivered, "failed", e->failed);
        if (!e->delivered && !e->failed && e->next < SCHEDULE_LEN)
            json_object_set_new(j, "nextAttempt", json_integer(e->created + schedule_at(e->next)));
        json_array_append_new(a, j);
    }
    return a;
}
