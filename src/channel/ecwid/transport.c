/*
 * The Ecwid transport: one REST v3 call under <base>/{storeId}, the store's
 * secret_ API token sent as a bearer. Ecwid allows 600 requests a minute per
 * token and answers 429 with Retry-After (seconds) beyond it (I9): every
 * call first takes its turn from the budget kept in the channel's state (a
 * one-minute window shared by the channel's threads), and a 429 pauses the
 * whole channel for as long as it asks, then the call is tried again. Every
 * other status comes back to the caller, who judges it; sb_ec_status_err
 * turns a refusal into the sb_err the engine acts on.
 */
#include "channel/ecwid/ecwid.h"

#include "util/arena.h"
#include "util/http-client.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *sb_ec_cred(const struct sb_channel *ch, const char *key)
{
    json_t *v = json_object_get(ch->credentials, key);
    const char *s = json_string_value(v);
    return s && *s && strlen(s) == json_string_length(v) ? s : NULL;
}

const char *sb_ec_base_url(json_t *credentials, struct sb_arena *a)
{
    const char *b = json_string_value(json_object_get(credentials, "base_url"));
    if (!b || !*b)
        b = SB_EC_DEFAULT_BASE;
    size_t n = strlen(b);
    while (n && b[n - 1] == '/')
        n--;
    return sb_arena_printf(a, "%.*s", (int)n, b);
}

sb_err sb_ec_open(const struct sb_channel *ch, void *state)
{
    (void)ch;
    struct sb_ec_state *s = state;
    memset(s, 0, sizeof(*s));
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return sb_fail(SB_ENOMEM, NULL, "the Ecwid adapter could not set up its state");
    return SB_OK;
}

void sb_ec_close(void *state)
{
    struct sb_ec_state *s = state;
    json_decref(s->connection);
    pthread_mutex_destroy(&s->lock);
}

/* ---------------------------------------------------------------- the budget */

int64_t sb_ec_budget_take(struct sb_ec_state *s, int64_t now_ms)
{
    if (now_ms < s->blocked_until_ms)
        return s->blocked_until_ms - now_ms;
    if (s->window_start_ms == 0 || now_ms >= s->window_start_ms + SB_EC_WINDOW_MS ||
        now_ms < s->window_start_ms) {
        s->window_start_ms = now_ms;
        s->used = 0;
    }
    if (s->used >= SB_EC_BUDGET)
        return s->window_start_ms + SB_EC_WINDOW_MS - now_ms;
    s->used++;
    return 0;
}

void sb_ec_budget_block(struct sb_ec_state *s, int64_t now_ms, int64_t wait_ms)
{
    if (now_ms + wait_ms > s->blocked_until_ms)
        s->blocked_until_ms = now_ms + wait_ms;
}

int64_t sb_ec_retry_after_ms(const char *v)
{
    if (!v)
        return 1000;
    while (*v == ' ')
        v++;
    int64_t ms = 0;
    bool digit = false;
    for (; *v >= '0' && *v <= '9'; v++) {
        digit = true;
        if (ms < SB_EC_MAX_WAIT_MS)
            ms = ms * 10 + (int64_t)(*v - '0') * 1000;
    }
    while (*v == ' ')
        v++;
    if (!digit || *v)
        return 1000;
    return ms > SB_EC_MAX_WAIT_MS ? SB_EC_MAX_WAIT_MS : ms;
}

static int64_t now_ms(void)
{
    return (int64_t)(sb_clock_ns() / 1000000u);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Waits for the call's turn (no state: no pacing, only the 429s are waited out). */
static void take_turn(struct sb_ec_state *s)
{
    if (!s)
        return;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        int64_t wait = sb_ec_budget_take(s, now_ms());
        pthread_mutex_unlock(&s->lock);
        if (wait <= 0)
            return;
        sleep_ms(wait > SB_EC_MAX_WAIT_MS ? SB_EC_MAX_WAIT_MS : wait);
    }
}

/* ---------------------------------------------------------------- the call */

const char *sb_ec_pct(struct sb_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = sb_arena_alloc(a, n * 3 + 1);
    if (!out)
        return NULL;
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        }
    }
    out[k] = '\0';
    return out;
}

static bool store_id_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return false;
    return n > 0 && n <= 20;
}

static void json_decref_cb(void *p)
{
    json_decref(p);
}

sb_err sb_ec_call(const struct sb_channel *ch, const char *method, const char *path,
                  const char *query, json_t *body, struct sb_arena *a, struct sb_ec_reply *ret)
{
    const char *token = sb_ec_cred(ch, "api_token");
    const char *store = sb_ec_cred(ch, "store_id");
    if (!token)
        return sb_fail(SB_EMISSING_FIELD, "credentials.api_token",
                       "the channel's credentials have no api_token (secret_...)");
    if (!store || !store_id_ok(store))
        return sb_fail(SB_EMISSING_FIELD, "credentials.store_id",
                       "the channel's credentials have no store_id (the store's number)");
    const char *base = ch->base_url && *ch->base_url ? ch->base_url : sb_ec_cred(ch, "base_url");
    if (!base)
        base = SB_EC_DEFAULT_BASE;
    if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0)
        return sb_fail(SB_EINVALID_FIELD, "credentials.base_url",
                       "base_url must start with http:// or https://");
    size_t bl = strnlen(base, 2049);
    if (bl > 2048)
        return sb_fail(SB_EINVALID_FIELD, "credentials.base_url", "base_url is too long");
    while (bl && base[bl - 1] == '/')
        bl--;
    char *url = sb_arena_printf(a, "%.*s/%s%s%s%s", (int)bl, base, store, path,
                                query && *query ? "?" : "", query && *query ? query : "");
    const char *authz = sb_arena_printf(a, "Bearer %s", token);
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    if (text && !sb_arena_defer(a, free, text))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (!url || !authz || (body && !text))
        return sb_fail(SB_ENOMEM, NULL, NULL);

    const struct sb_http_header headers[] = { { "Authorization", authz } };
    static const char *const capture[] = { "Retry-After", NULL };
    struct sb_ec_state *st = ch->state;
    for (int attempt = 0;; attempt++) {
        take_turn(st);
        struct sb_http_request hreq = {
            .method = method,
            .url = url,
            .headers = headers,
            .n_headers = 1,
            .body = text,
            .body_len = text ? strlen(text) : 0,
            .max_response = SB_EC_MAX_BODY,
            .capture = capture,
        };
        struct sb_http_response resp;
        sb_err err = sb_http_post_json(&hreq, &resp);
        if (err)
            return err == SB_ETOO_LARGE
                       ? err
                       : sb_fail(SB_EIO, NULL, "Ecwid could not be reached (%s %s)", method, path);
        if (resp.status == 429) {
            int64_t wait = sb_ec_retry_after_ms(resp.captured[0]);
            sb_http_response_free(&resp);
            if (attempt >= SB_EC_MAX_RETRIES)
                return sb_fail(SB_EBUSY, NULL,
                               "Ecwid is limiting the rate (429) of %s %s: still refused after "
                               "%d retries",
                               method, path, SB_EC_MAX_RETRIES);
            if (st) {
                pthread_mutex_lock(&st->lock);
                sb_ec_budget_block(st, now_ms(), wait);
                pthread_mutex_unlock(&st->lock);
            } else {
                sleep_ms(wait);
            }
            continue;
        }
        json_t *parsed =
            resp.len ? json_loadb(resp.body, resp.len, JSON_REJECT_DUPLICATES, NULL) : NULL;
        struct sb_ec_reply r = { .status = resp.status };
        sb_http_response_free(&resp);
        if (parsed && !sb_arena_defer(a, json_decref_cb, parsed))
            return sb_fail(SB_ENOMEM, NULL, NULL);
        r.body = parsed;
        if (json_is_object(parsed) && (r.status < 200 || r.status > 299)) {
            const char *m = json_string_value(json_object_get(parsed, "errorMessage"));
            const char *c = json_string_value(json_object_get(parsed, "errorCode"));
            if (m || c)
                r.message = sb_arena_printf(a, "%.200s%s%.60s%s", m ? m : "", c ? " (" : "",
                                            c ? c : "", c ? ")" : "");
        }
        *ret = r;
        return SB_OK;
    }
}

sb_err sb_ec_status_err(const struct sb_ec_reply *r, const char *what)
{
    const char *m = r->message ? r->message : "no message";
    switch (r->status) {
    case 401:
    case 403:
        return sb_fail(SB_EUNAUTHORIZED, "credentials",
                       "Ecwid refused the API token (HTTP %ld) while %s: check the store id "
                       "and the secret_ token, and the app's access. Ecwid: %.120s",
                       r->status, what, m);
    case 404:
        return sb_fail(SB_ENOT_FOUND, NULL, "Ecwid found nothing while %s (HTTP 404: %.150s)", what,
                       m);
    case 400:
    case 409:
    case 422:
        return sb_fail(SB_EINVALID_FIELD, NULL, "Ecwid refused %s (HTTP %ld): %.150s", what,
                       r->status, m);
    default:
        return sb_fail(SB_EIO, NULL, "Ecwid answered HTTP %ld while %s: %.150s", r->status, what,
                       m);
    }
}
