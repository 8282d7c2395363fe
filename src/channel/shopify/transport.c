/*
 * The Shopify transport: one Admin GraphQL operation over HTTP, within the
 * shop's cost budget (SPEC SP2, I9). Where the API lives (the channel's base
 * URL), the access token, the answer's errors (THROTTLED, MAX_COST_EXCEEDED,
 * refused credentials) and the waits: a THROTTLED answer or an HTTP 429 is
 * waited out as Shopify asks and retried, and each channel's adapter state
 * (struct sb_shopify_state) remembers the bucket so that a loop of calls is
 * paced instead of refused. Rate limits are read from the answers: the
 * cost extension of the body, and Retry-After. The other header asked of the
 * HTTP client is X-Shopify-API-Version: the version that answered, noted in
 * the channel's state (app.c says what is done with it). An ACCESS_DENIED
 * error (the app lacks an access scope) names the scope Shopify says is
 * required.
 */
#include "channel/shopify/shopify.h"

#include "util/http-client.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_BODY SB_SHOPIFY_MAX_BODY

/* ---------------------------------------------------------------- helpers */

static void json_decref_cb(void *p)
{
    json_decref(p);
}

sb_err sb_shopify_load_object(const char *text, size_t len, const char *what, struct sb_arena *a,
                              json_t **ret)
{
    if (!text)
        return sb_fail(SB_EINVALID_JSON, NULL, "%s is empty", what);
    if (len > MAX_BODY)
        return sb_fail(SB_ETOO_LARGE, NULL, "%s is larger than %zu bytes", what, MAX_BODY);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return sb_fail(SB_EINVALID_JSON, NULL, "%s is not valid JSON: %s at line %d", what,
                       jerr.text, jerr.line);
    if (!sb_arena_defer(a, json_decref_cb, root))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (!json_is_object(root))
        return sb_fail(SB_EINVALID_JSON, NULL, "%s is not a JSON object", what);
    *ret = root;
    return SB_OK;
}

/* ---------------------------------------------------------------- throttling */

uint64_t sb_shopify_throttle_wait_ms(double requested, double available, double restore_rate)
{
    if (!isfinite(requested) || !isfinite(available) || !isfinite(restore_rate) ||
        restore_rate <= 0 || requested < 0)
        return 1000;
    double deficit = requested - available;
    if (deficit <= 0)
        return 0;
    double ms = ceil(deficit * 1000.0 / restore_rate);
    return ms >= SB_SHOPIFY_MAX_WAIT_MS ? SB_SHOPIFY_MAX_WAIT_MS : (uint64_t)ms;
}

uint64_t sb_shopify_retry_after_ms(const char *retry_after)
{
    if (!retry_after)
        return 1000;
    const char *s = retry_after;
    while (*s == ' ')
        s++;
    if (!*s)
        return 1000;
    uint64_t ms = 0;
    bool seen_digit = false;
    for (; *s >= '0' && *s <= '9'; s++) {
        seen_digit = true;
        ms = ms * 10 + (uint64_t)(*s - '0') * 1000;
        if (ms >= SB_SHOPIFY_MAX_WAIT_MS)
            return SB_SHOPIFY_MAX_WAIT_MS;
    }
    if (*s == '.') { /* Shopify sends "2.0" */
        s++;
        if (*s >= '0' && *s <= '9')
            ms += (uint64_t)(*s - '0') * 100;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    while (*s == ' ')
        s++;
    if (!seen_digit || *s)
        return 1000; /* an HTTP date or garbage: wait a second */
    return ms > SB_SHOPIFY_MAX_WAIT_MS ? SB_SHOPIFY_MAX_WAIT_MS : ms;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

const char *sb_shopify_cred(const struct sb_channel *ch, const char *key)
{
    json_t *v = json_object_get(ch->credentials, key);
    const char *s = json_string_value(v);
    return s && *s && strlen(s) == json_string_length(v) ? s : NULL;
}

static bool valid_domain(const char *s)
{
    if (!s || !*s || strlen(s) > 255)
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '.' || *s == '-'))
            return false;
    return true;
}

/* Where the Admin API lives: the channel's base_url, the credentials' base_url, or the
 * shop's own domain over https. */
static sb_err api_url(const struct sb_channel *ch, struct sb_arena *a, const char **ret)
{
    const char *base =
        ch->base_url && *ch->base_url ? ch->base_url : sb_shopify_cred(ch, "base_url");
    char *url;
    if (base) {
        if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0)
            return sb_fail(SB_EINVALID_FIELD, "credentials.base_url",
                           "base_url must start with http:// or https://");
        size_t n = strlen(base);
        while (n && base[n - 1] == '/')
            n--;
        url = sb_arena_printf(a, "%.*s/admin/api/" SB_SHOPIFY_API_VERSION "/graphql.json", (int)n,
                              base);
    } else {
        const char *domain = sb_shopify_cred(ch, "shop_domain");
        if (!domain)
            return sb_fail(SB_EMISSING_FIELD, "credentials.shop_domain",
                           "the channel's credentials have no shop_domain");
        if (!valid_domain(domain))
            return sb_fail(SB_EINVALID_FIELD, "credentials.shop_domain",
                           "shop_domain must be a host name (demo.myshopify.com)");
        url = sb_arena_printf(a, "https://%s/admin/api/" SB_SHOPIFY_API_VERSION "/graphql.json",
                              domain);
    }
    if (!url)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = url;
    return SB_OK;
}

/* The first error in a GraphQL "errors" array whose extensions.code is code, or NULL. */
static json_t *error_with_code(json_t *errors, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *c =
            json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
        if (c && strcmp(c, code) == 0)
            return e;
    }
    return NULL;
}

/* MAX_COST_EXCEEDED: the query asks for more than Shopify runs at once. Waiting will not
 * help, so it is a permanent error (SB_EINVALID_FIELD, like an order that cannot be read)
 * that names both figures; it means the page sizes above need lowering. */
static sb_err max_cost_exceeded(json_t *root, json_t *e, const char *operation)
{
    json_t *ext = json_object_get(e, "extensions");
    json_t *cost = json_object_get(ext, "cost"), *max = json_object_get(ext, "maxCost");
    if (!json_is_number(cost))
        cost = json_object_get(json_object_get(json_object_get(root, "extensions"), "cost"),
                               "requestedQueryCost");
    char c[32] = "unknown", m[32] = "1000";
    if (json_is_number(cost) && isfinite(json_number_value(cost)))
        snprintf(c, sizeof(c), "%.0f", json_number_value(cost));
    if (json_is_number(max) && isfinite(json_number_value(max)))
        snprintf(m, sizeof(m), "%.0f", json_number_value(max));
    return sb_fail(SB_EINVALID_FIELD, "query",
                   "Shopify refused %s as too costly (MAX_COST_EXCEEDED): it asks for %s points, "
                   "over the single-query limit of %s; stockbridge's page sizes need lowering",
                   operation, c, m);
}

/* ACCESS_DENIED: the app was not granted a scope the operation needs. Waiting will not
 * help: SB_ECONFLICT naming the scope (extensions.requiredAccess, else the message). */
static sb_err access_denied(json_t *e, const char *operation)
{
    const char *req =
        json_string_value(json_object_get(json_object_get(e, "extensions"), "requiredAccess"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    return sb_fail(SB_ECONFLICT, "credentials",
                   "Shopify denied %s (ACCESS_DENIED): %.200s; grant the app the access scope "
                   "and install it again",
                   operation,
                   req   ? req
                   : msg ? msg
                         : "a scope is missing");
}

static uint64_t throttle_wait(json_t *root)
{
    json_t *cost = json_object_get(json_object_get(root, "extensions"), "cost");
    json_t *ts = json_object_get(cost, "throttleStatus");
    json_t *req = json_object_get(cost, "requestedQueryCost");
    json_t *avail = json_object_get(ts, "currentlyAvailable");
    json_t *rate = json_object_get(ts, "restoreRate");
    if (!json_is_number(req) || !json_is_number(avail) || !json_is_number(rate))
        return 1000;
    return sb_shopify_throttle_wait_ms(json_number_value(req), json_number_value(avail),
                                       json_number_value(rate));
}

/* The first message of a GraphQL "errors" member: an array of {message} or, on 401, a
 * bare string. */
static const char *first_error(json_t *errors)
{
    if (json_is_string(errors))
        return json_string_value(errors);
    const char *m = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
    return m ? m : "unknown error";
}

/*
 * Pacing (SPEC I9): every answer carries the bucket's state (throttleStatus). In the
 * channel's adapter state (struct sb_shopify_state), per operation, the last requested
 * cost is remembered, and a call waits before it is sent
 * until the bucket, refilling at restoreRate, should hold that cost: a push loop then runs
 * at the plan's pace instead of being refused (THROTTLED) and waiting afterwards. Shopify
 * stays the judge: THROTTLED is still waited out and retried.
 *
 * How long to wait before sending operation, by what the last answers said.
 */
static uint64_t budget_wait_ms(struct sb_shopify_state *b, const char *operation)
{
    uint64_t wait = 0;
    if (!b)
        return 0; /* no state kept for the channel: no pacing, Shopify stays the judge */
    pthread_mutex_lock(&b->lock);
    for (size_t i = 0; i < b->n_ops; i++) {
        /* a cost the bucket can never hold is Shopify's to refuse, not ours to wait for */
        if (strcmp(b->ops[i].op, operation) != 0 || b->restore <= 0 || b->ops[i].cost > b->max)
            continue;
        double now = b->available + b->restore * (double)(sb_clock_ns() - b->at_ns) / 1e9;
        if (now > b->max)
            now = b->max;
        wait = sb_shopify_throttle_wait_ms(b->ops[i].cost, now, b->restore);
    }
    pthread_mutex_unlock(&b->lock);
    return wait;
}

static void budget_note(struct sb_shopify_state *b, const char *operation, json_t *root)
{
    json_t *cost = json_object_get(json_object_get(root, "extensions"), "cost");
    json_t *ts = json_object_get(cost, "throttleStatus");
    json_t *req = json_object_get(cost, "requestedQueryCost");
    json_t *max = json_object_get(ts, "maximumAvailable");
    json_t *avail = json_object_get(ts, "currentlyAvailable");
    json_t *rate = json_object_get(ts, "restoreRate");
    if (!b || !json_is_number(req) || !json_is_number(max) || !json_is_number(avail) ||
        !json_is_number(rate))
        return;
    pthread_mutex_lock(&b->lock);
    b->max = json_number_value(max);
    b->available = json_number_value(avail);
    b->restore = json_number_value(rate);
    b->at_ns = sb_clock_ns();
    size_t i = 0;
    while (i < b->n_ops && strcmp(b->ops[i].op, operation) != 0)
        i++;
    if (i == b->n_ops && b->n_ops < SB_SHOPIFY_BUDGET_OPS)
        b->ops[b->n_ops++].op = operation;
    if (i < b->n_ops)
        b->ops[i].cost = json_number_value(req);
    pthread_mutex_unlock(&b->lock);
}

sb_err sb_shopify_open(const struct sb_channel *ch, void *state)
{
    struct sb_shopify_state *b = state;
    if (pthread_mutex_init(&b->lock, NULL) != 0)
        return sb_fail(SB_ENOMEM, NULL, "the Shopify adapter could not set up its state");
    return SB_OK;
}

void sb_shopify_close(void *state)
{
    struct sb_shopify_state *b = state;
    json_decref(b->connection);
    pthread_mutex_destroy(&b->lock);
}

/*
 * Runs one GraphQL operation and returns its "data" object (alive as long as the
 * arena). Throttling (THROTTLED, or HTTP 429) waits as Shopify asks and retries, at most
 * SB_SHOPIFY_MAX_RETRIES times, then SB_EBUSY.
 */
sb_err sb_shopify_gql(const struct sb_channel *ch, struct sb_arena *a, const char *operation,
                      const char *query, json_t *variables, json_t **ret_data)
{
    const char *url = NULL, *token = sb_shopify_cred(ch, "access_token");
    sb_err err;
    if (!token) {
        json_decref(variables);
        return sb_fail(SB_EMISSING_FIELD, "credentials.access_token",
                       "the channel's credentials have no access_token");
    }
    if ((err = api_url(ch, a, &url))) {
        json_decref(variables);
        return err;
    }
    json_t *req = json_pack("{s:s, s:s, s:o}", "query", query, "operationName", operation,
                            "variables", variables ? variables : json_object());
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body || !sb_arena_defer(a, free, body))
        return sb_fail(SB_ENOMEM, NULL, NULL);

    const struct sb_http_header headers[] = { { "X-Shopify-Access-Token", token } };
    /* the header its rate limits are read from (the cost is in the body's extensions), and
     * the API version that answered */
    static const char *const capture[] = { "Retry-After", "X-Shopify-API-Version", NULL };
    for (int attempt = 0;; attempt++) {
        uint64_t pace = budget_wait_ms(ch->state, operation);
        if (pace)
            sleep_ms(pace);
        struct sb_http_request hreq = {
            .url = url,
            .headers = headers,
            .n_headers = 1,
            .body = body,
            .body_len = strlen(body),
            .max_response = MAX_BODY, /* a page of 50 orders of 250 lines is large */
            .capture = capture,
        };
        struct sb_http_response resp;
        if ((err = sb_http_post_json(&hreq, &resp)))
            return err;
        sb_shopify_note_version(ch->state, resp.captured[1]);
        uint64_t wait = 0;
        bool retry = false;
        json_t *root = NULL;
        if (resp.status == 401 || resp.status == 403) {
            err = sb_fail(SB_EUNAUTHORIZED, "credentials",
                          "Shopify refused the channel's credentials (HTTP %ld): check the "
                          "access token",
                          resp.status);
        } else if (resp.status == 429) {
            retry = true;
            wait = sb_shopify_retry_after_ms(resp.captured[0]);
        } else if (resp.status >= 500) {
            err = sb_fail(SB_EIO, NULL, "Shopify answered HTTP %ld to %s", resp.status, operation);
        } else if (resp.status != 200) {
            err = sb_fail(SB_EIO, NULL, "Shopify answered HTTP %ld to %s", resp.status, operation);
        } else if ((err = sb_shopify_load_object(resp.body, resp.len, "Shopify's answer", a,
                                                 &root))) {
            err = sb_fail(SB_EIO, NULL, "Shopify's answer to %s is not a JSON object", operation);
        } else {
            budget_note(ch->state, operation, root);
            json_t *errors = json_object_get(root, "errors");
            json_t *data = json_object_get(root, "data");
            json_t *too_costly =
                json_is_array(errors) ? error_with_code(errors, "MAX_COST_EXCEEDED") : NULL;
            if (too_costly) {
                err = max_cost_exceeded(root, too_costly, operation);
            } else if (json_is_array(errors) && error_with_code(errors, "THROTTLED")) {
                retry = true;
                wait = throttle_wait(root);
            } else if (json_is_array(errors) && error_with_code(errors, "ACCESS_DENIED")) {
                err = access_denied(error_with_code(errors, "ACCESS_DENIED"), operation);
            } else if (errors && !json_is_null(errors) &&
                       (!json_is_array(errors) || json_array_size(errors) > 0)) {
                err = sb_fail(SB_EIO, NULL, "Shopify refused %s: %.200s", operation,
                              first_error(errors));
            } else if (!json_is_object(data)) {
                err = sb_fail(SB_EIO, NULL, "Shopify's answer to %s has no data", operation);
            } else {
                *ret_data = data;
            }
        }
        sb_http_response_free(&resp);
        if (!retry)
            return err;
        if (attempt >= SB_SHOPIFY_MAX_RETRIES)
            return sb_fail(SB_EBUSY, NULL,
                           "Shopify is throttling %s: still over the cost budget after %d "
                           "retries",
                           operation, SB_SHOPIFY_MAX_RETRIES);
        sleep_ms(wait);
    }
}
