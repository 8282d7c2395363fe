/*
 * Webhooks. Every change raises events (orders/create, orders/paid,
 * orders/updated, orders/cancelled, refunds/create, fulfillments/create)
 * carrying the REST-shaped record; each is recorded as a delivery and sent
 * by one worker thread as a POST with Shopify's headers (topic, shop
 * domain, webhook id, event id, API version, triggered-at) and an
 * HMAC-SHA256 of the body in X-Shopify-Hmac-Sha256. A control call waits
 * for its own deliveries, so a test knows they are done when the call
 * returns; GraphQL mutations do not wait (on Shopify, webhooks are
 * asynchronous), and GET /_fake/deliveries waits for the queue to drain.
 * Faults apply per send: dropped, or signed wrong; duplicates go one after
 * another or all at the same instant. Shopify's automatic retries are not
 * modelled: a failed delivery is recorded, and POST /_fake/redeliver plays
 * a retry.
 */
#include "shop.h"
#include "app.h"

#include "util/log.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DELIVERIES     10000 /* records kept; the oldest finished ones go first */
#define WEBHOOK_TIMEOUT_MS 5000  /* Shopify counts a delivery failed after 5 s */

/* One webhook: one event, sent one or more times (duplicates, redeliveries). */
struct delivery {
    int64_t seq, order_id;
    char topic[32];
    char event_id[40], webhook_id[40];
    char triggered_at[40];
    char *body;
    size_t body_len;
    int attempts, failures; /* sends, and sends that got no 2xx */
    int status;             /* HTTP status of the last attempt, 0 when nothing answered */
    bool ok, dropped, bad_signature;
    char error[160];
    int queued; /* sends waiting or in flight: the record is not evicted meanwhile */
    int pins;   /* control calls about to read it: not evicted either */
    char *target_url, *target_secret; /* app.c: a subscription's; NULL: the configured URL */
};

struct job {
    struct delivery *d;
    struct batch *batch; /* NULL: nobody waits */
    int copies;          /* > 1: that many sends at the same instant */
    struct job *next;
};

/* ---------------------------------------------------------------- events */

void fs_ev_add(struct events *e, const char *topic, json_t *payload, int64_t order_id)
{
    if (!payload)
        return;
    if (e->n == sizeof(e->ev) / sizeof(e->ev[0])) {
        json_decref(payload);
        return;
    }
    e->ev[e->n++] = (struct event){ topic, payload, order_id };
}

void fs_ev_order(struct events *e, const char *topic, const struct order *o)
{
    fs_ev_add(e, topic, fs_rest_order(o), o->id);
}

void fs_ev_clear(struct events *e)
{
    for (size_t i = 0; i < e->n; i++)
        json_decref(e->ev[i].payload);
    e->n = 0;
}

/* ---------------------------------------------------------------- the queue */

static void delivery_free(struct delivery *d)
{
    if (d)
        free(d->body), free(d->target_url), free(d->target_secret);
    free(d);
}

/* Keeps the record list bounded: the oldest record with nothing queued goes. */
static void deliveries_evict(struct fs_shop *s)
{
    if (s->n_deliveries < MAX_DELIVERIES)
        return;
    for (size_t i = 0; i < s->n_deliveries; i++)
        if (!s->deliveries[i]->queued && !s->deliveries[i]->pins) {
            delivery_free(s->deliveries[i]);
            memmove(&s->deliveries[i], &s->deliveries[i + 1],
                    (s->n_deliveries - i - 1) * sizeof(s->deliveries[0]));
            s->n_deliveries--;
            return;
        }
}

static bool push_job(struct fs_shop *s, struct delivery *d, struct batch *b, int copies)
{
    struct job *j = calloc(1, sizeof(*j));
    if (!j)
        return false;
    j->d = d;
    j->batch = b;
    j->copies = copies;
    if (s->q_tail)
        s->q_tail->next = j;
    else
        s->q_head = j;
    s->q_tail = j;
    d->queued++;
    if (b)
        b->pending++;
    return true;
}

/* Records the events as deliveries and queues 1 + duplicate sends of each, one after
 * another or (concurrent) all at once; consumes e. Called with the lock held; b (may be
 * NULL) counts the jobs to wait for. */
void fs_enqueue(struct fs_shop *s, struct events *e, struct batch *b, int64_t duplicate,
                bool reverse, bool concurrent)
{
    /* app.c: one delivery per subscription of the topic (the same event id), or the
     * configured URL's alone while the app has none */
    struct fs_app_target tg[FS_APP_MAX_TARGETS];
    char event_id[40] = "";
    for (size_t k = 0, t = 0, nt = 0; k < e->n; t + 1 < nt ? t++ : (t = 0, k++)) {
        struct event *ev = &e->ev[reverse ? e->n - 1 - k : k];
        if (t == 0 && (nt = fs_app_targets(s, ev->topic, tg, FS_APP_MAX_TARGETS)) > 0)
            fs_uuid4(event_id);
        if (nt == 0)
            continue;
        struct delivery *d = calloc(1, sizeof(*d));
        char *body = fs_dump(ev->payload);
        if (s->n_deliveries == s->cap_deliveries) {
            size_t cap = s->cap_deliveries ? s->cap_deliveries * 2 : 64;
            struct delivery **nd = realloc(s->deliveries, cap * sizeof(*nd));
            if (nd) {
                s->deliveries = nd;
                s->cap_deliveries = cap;
            }
        }
        if (!d || !body || s->n_deliveries == s->cap_deliveries) {
            free(d);
            free(body);
            sb_log(SB_LOG_ERROR, "fakestore.webhook", "topic", ev->topic, "error",
                   "out of memory: event not recorded", NULL);
            continue;
        }
        d->seq = ++s->next_delivery_seq;
        d->order_id = ev->order_id;
        snprintf(d->topic, sizeof(d->topic), "%s", ev->topic);
        memcpy(d->event_id, event_id, sizeof(d->event_id));
        d->target_url = fs_strdup(tg[t].url);
        d->target_secret = fs_strdup(tg[t].secret);
        fs_uuid4(d->webhook_id);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char base[SB_TIME_LEN];
        sb_time_format((int64_t)ts.tv_sec, base, sizeof(base));
        base[19] = '\0'; /* drop the Z: milliseconds go first */
        snprintf(d->triggered_at, sizeof(d->triggered_at), "%s.%03ldZ", base, ts.tv_nsec / 1000000);
        d->body = body;
        d->body_len = strlen(body);
        deliveries_evict(s);
        s->deliveries[s->n_deliveries++] = d;
        if (concurrent)
            push_job(s, d, b, (int)duplicate + 1);
        else
            for (int64_t c = 0; c <= duplicate; c++)
                if (!push_job(s, d, b, 1))
                    break;
    }
    fs_ev_clear(e);
    pthread_cond_signal(&s->work);
}

void fs_wait_batch(struct fs_shop *s, struct batch *b)
{
    /* Every send ends within the webhook timeout, so this wait is bounded. */
    while (b->pending > 0)
        pthread_cond_wait(&s->done, &s->mu);
}

/* ---------------------------------------------------------------- sending */

static size_t discard_body(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

struct send_spec {
    char *url, *secret, *domain;
    bool drop, bad_signature;
};

/* One POST with Shopify's headers. Returns the HTTP status, 0 when nothing answered. */
static int send_webhook(CURL *curl, const struct send_spec *sp, const struct delivery *d, char *err,
                        size_t cap)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), sp->secret, (int)strlen(sp->secret), (const unsigned char *)d->body,
              d->body_len, mac, &mac_len)) {
        snprintf(err, cap, "HMAC failed");
        return 0;
    }
    if (sp->bad_signature)
        mac[0] ^= 0x5a; /* a signature that looks right and is not */
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    EVP_EncodeBlock(b64, mac, (int)mac_len);

    char h[8][160];
    snprintf(h[0], sizeof(h[0]), "X-Shopify-Topic: %s", d->topic);
    snprintf(h[1], sizeof(h[1]), "X-Shopify-Hmac-Sha256: %s", (const char *)b64);
    snprintf(h[2], sizeof(h[2]), "X-Shopify-Shop-Domain: %s", sp->domain);
    snprintf(h[3], sizeof(h[3]), "X-Shopify-Webhook-Id: %s", d->webhook_id);
    snprintf(h[4], sizeof(h[4]), "X-Shopify-Event-Id: %s", d->event_id);
    snprintf(h[5], sizeof(h[5]), "X-Shopify-API-Version: %s", FS_API_VERSION);
    snprintf(h[6], sizeof(h[6]), "X-Shopify-Triggered-At: %s", d->triggered_at);
    snprintf(h[7], sizeof(h[7]), "Content-Type: application/json");
    struct curl_slist *hdrs = NULL, *tmp;
    for (size_t i = 0; i < 8; i++) {
        if (!(tmp = curl_slist_append(hdrs, h[i])))
            goto oom;
        hdrs = tmp;
    }
    if (!(tmp = curl_slist_append(hdrs, "Expect:")))
        goto oom;
    hdrs = tmp;

    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, sp->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->body_len);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "Shopify-Captain-Hook");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)WEBHOOK_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(hdrs);
    if (rc != CURLE_OK) {
        snprintf(err, cap, "%s", curl_easy_strerror(rc));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return (int)status;
oom:
    curl_slist_free_all(hdrs);
    snprintf(err, cap, "out of memory");
    return 0;
}

/* One send of a delivery: what the faults and configuration said, then what happened. */
struct attempt {
    struct send_spec sp;
    const struct delivery *d;
    CURL *curl;
    int status;
    char err[160];
    /* concurrent sends wait at this gate so that they leave together */
    pthread_mutex_t *gate_mu;
    pthread_cond_t *gate_cv;
    bool *gate_open;
};

/* Decides one send under the lock: faults are consumed per send. */
static void take_attempt(struct fs_shop *s, struct attempt *a)
{
    if (s->stopping)
        snprintf(a->err, sizeof(a->err), "fakestore stopping");
    else if (!s->webhook_url && !a->d->target_url)
        snprintf(a->err, sizeof(a->err), "no webhook_url configured");
    else if (s->hfault.drop > 0) {
        s->hfault.drop--;
        a->sp.drop = true;
        snprintf(a->err, sizeof(a->err), "dropped by fault injection");
    } else {
        if (s->hfault.bad_signature > 0) {
            s->hfault.bad_signature--;
            a->sp.bad_signature = true;
        }
        a->sp.url = fs_strdup(a->d->target_url ? a->d->target_url : s->webhook_url);
        a->sp.secret = fs_strdup(a->d->target_secret ? a->d->target_secret : s->secret);
        a->sp.domain = fs_strdup(s->shop_domain);
        if (!a->sp.url || !a->sp.secret || !a->sp.domain)
            snprintf(a->err, sizeof(a->err), "out of memory");
    }
}

static void run_attempt(struct attempt *a)
{
    if (a->err[0])
        return;
    if (a->curl)
        a->status = send_webhook(a->curl, &a->sp, a->d, a->err, sizeof(a->err));
    else
        snprintf(a->err, sizeof(a->err), "curl unavailable");
}

static void *attempt_thread(void *arg)
{
    struct attempt *a = arg;
    pthread_mutex_lock(a->gate_mu);
    while (!*a->gate_open)
        pthread_cond_wait(a->gate_cv, a->gate_mu);
    pthread_mutex_unlock(a->gate_mu);
    run_attempt(a);
    return NULL;
}

/* Sends n copies at the same instant, each on its own connection. */
static void run_concurrently(struct attempt *a, int n)
{
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    bool open = false;
    pthread_t th[MAX_DUPLICATE + 1];
    bool started[MAX_DUPLICATE + 1] = { false };
    for (int k = 0; k < n; k++) {
        a[k].curl = curl_easy_init();
        a[k].gate_mu = &mu;
        a[k].gate_cv = &cv;
        a[k].gate_open = &open;
        started[k] = pthread_create(&th[k], NULL, attempt_thread, &a[k]) == 0;
        if (!started[k] && !a[k].err[0])
            snprintf(a[k].err, sizeof(a[k].err), "cannot start a sending thread");
    }
    pthread_mutex_lock(&mu);
    open = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int k = 0; k < n; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        curl_easy_cleanup(a[k].curl);
    }
    pthread_cond_destroy(&cv);
    pthread_mutex_destroy(&mu);
}

/* Logs one send and records it on the delivery (lock held). */
static void record_attempt(struct delivery *d, struct attempt *a)
{
    char st[8], seq[24];
    snprintf(st, sizeof(st), "%d", a->status);
    snprintf(seq, sizeof(seq), "%lld", (long long)d->seq);
    bool ok = a->status >= 200 && a->status < 300;
    sb_log(ok ? SB_LOG_INFO : SB_LOG_WARN, "fakestore.webhook", "topic", d->topic, "event_id",
           d->event_id, "seq", seq, "status", st, "error", a->err, NULL);
    d->attempts++;
    d->failures += !ok;
    d->status = a->status;
    d->ok = ok;
    d->dropped = a->sp.drop;
    d->bad_signature = a->sp.bad_signature;
    snprintf(d->error, sizeof(d->error), "%s",
             a->err[0] ? a->err
             : ok      ? ""
                       : "answered with a non-2xx status");
    free(a->sp.url);
    free(a->sp.secret);
    free(a->sp.domain);
}

/* ---------------------------------------------------------------- the worker */

static void *worker_main(void *arg)
{
    struct fs_shop *s = arg;
    CURL *curl = curl_easy_init(); /* one kept-alive connection for the sequential sends */
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->q_head && !s->stopping)
            pthread_cond_wait(&s->work, &s->mu);
        if (!s->q_head)
            break;
        struct job *j = s->q_head;
        s->q_head = j->next;
        if (!s->q_head)
            s->q_tail = NULL;
        s->in_flight++;
        struct delivery *d = j->d;
        struct attempt a[MAX_DUPLICATE + 1];
        int n = j->copies < 1 ? 1 : j->copies > MAX_DUPLICATE + 1 ? MAX_DUPLICATE + 1 : j->copies;
        memset(a, 0, sizeof(a));
        for (int k = 0; k < n; k++) {
            a[k].d = d;
            take_attempt(s, &a[k]);
        }
        pthread_mutex_unlock(&s->mu);

        /* d's body, ids and topic never change, and d->queued keeps it from eviction. */
        if (n == 1) {
            a[0].curl = curl;
            run_attempt(&a[0]);
        } else {
            run_concurrently(a, n);
        }

        pthread_mutex_lock(&s->mu);
        for (int k = 0; k < n; k++)
            record_attempt(d, &a[k]);
        d->queued--;
        s->in_flight--;
        if (j->batch)
            j->batch->pending--;
        free(j);
        pthread_cond_broadcast(&s->done);
    }
    pthread_mutex_unlock(&s->mu);
    curl_easy_cleanup(curl);
    return NULL;
}

sb_err fs_webhooks_start(struct fs_shop *s)
{
    if (pthread_create(&s->worker, NULL, worker_main, s) != 0)
        return sb_fail(SB_EIO, NULL, "cannot start the webhook worker");
    s->worker_running = true;
    return SB_OK;
}

/* The worker records what is still queued as failed ("fakestore stopping") before it ends. */
void fs_webhooks_stop(struct fs_shop *s)
{
    if (s->worker_running) {
        pthread_mutex_lock(&s->mu);
        s->stopping = true;
        pthread_cond_broadcast(&s->work);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->worker, NULL);
        s->worker_running = false;
    }
    while (s->q_head) {
        struct job *j = s->q_head;
        s->q_head = j->next;
        free(j);
    }
    s->q_tail = NULL;
    for (size_t i = 0; i < s->n_deliveries; i++)
        delivery_free(s->deliveries[i]);
    free(s->deliveries);
    s->deliveries = NULL;
    s->n_deliveries = s->cap_deliveries = 0;
}

/* ---------------------------------------------------------------- the records */

static json_t *delivery_json(const struct delivery *d)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:i,s:i,s:i,s:b,s:b,s:b,s:s,s:b}", "seq",
                     (json_int_t)d->seq, "topic", d->topic, "event_id", d->event_id, "webhook_id",
                     d->webhook_id, "order_id", (json_int_t)d->order_id, "triggered_at",
                     d->triggered_at, "attempts", d->attempts, "failures", d->failures, "status",
                     d->status, "ok", d->ok, "dropped", d->dropped, "bad_signature",
                     d->bad_signature, "error", d->error, "queued", d->queued > 0);
}

static void wait_idle(struct fs_shop *s, int seconds)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += seconds;
    while ((s->q_head || s->in_flight) && pthread_cond_timedwait(&s->done, &s->mu, &dl) == 0)
        ;
}

/* GET /_fake/deliveries: every record, once the queue has drained (10 s at most). */
json_t *fs_deliveries_json(struct fs_shop *s)
{
    wait_idle(s, 10);
    json_t *list = json_array();
    for (size_t i = 0; i < s->n_deliveries; i++) {
        json_t *j = delivery_json(s->deliveries[i]); /* and where it went (app.c) */
        json_object_set_new(j, "url",
                            json_string(s->deliveries[i]->target_url ? s->deliveries[i]->target_url
                                        : s->webhook_url             ? s->webhook_url
                                                                     : ""));
        json_array_append_new(list, j);
    }
    return json_pack("{s:o}", "deliveries", list);
}

/* POST /_fake/redeliver: one more send of the latest delivery of this event, as a retry;
 * answers the record once the send is done. */
sb_err fs_redeliver(struct fs_shop *s, const char *event_id, json_t **ret)
{
    struct batch b = { 0 };
    struct delivery *d = NULL;
    for (size_t i = s->n_deliveries; i-- > 0 && !d;)
        if (strcmp(s->deliveries[i]->event_id, event_id) == 0)
            d = s->deliveries[i];
    if (!d)
        return sb_fail(SB_ENOT_FOUND, "event_id", "no delivery with event id %s", event_id);
    if (!push_job(s, d, &b, 1))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    d->pins++;
    pthread_cond_signal(&s->work);
    fs_wait_batch(s, &b);
    *ret = delivery_json(d);
    d->pins--;
    return SB_OK;
}
