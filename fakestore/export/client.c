/*
 * The export store's POS client: one exchange with stockbridge's connection
 * API over libcurl (a handle per call, so that exports may run at once), its
 * answer parsed, the headers the site cares for kept (Retry-After, ETag, the
 * rate-limit pair), and one line appended to the traffic log(s) (the
 * password of POST /connection shown as "(redacted)") in the
 * format of the issue 14 wave 3 brief:
 *   {"method","path","query","status","request","response","headers"}
 * with only the response headers that were present, names lower-case. A call
 * that got no HTTP answer at all (refused, timed out) is not an exchange and is
 * not logged; its error is in the reply (and the site's state).
 */
#include "export.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define XP_ANSWER_MAX (64 * 1024 * 1024)

struct buf {
    char *p;
    size_t n, cap;
    bool too_big;
};

struct hdrs {
    json_t *seen; /* lower-case name -> value, for the log */
    struct xp_reply *rep;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;
    if (b->n + n + 1 > XP_ANSWER_MAX) {
        b->too_big = true;
        return 0;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

/* v into dst, cut to fit. */
static void keep(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct hdrs *h = ud;
    size_t n = size * nmemb;
    static const char *const wanted[] = { "retry-after", "etag", "x-ratelimit-limit",
                                          "x-ratelimit-remaining", NULL };
    for (size_t i = 0; wanted[i]; i++) {
        size_t k = strlen(wanted[i]);
        if (n <= k + 1 || strncasecmp(data, wanted[i], k) != 0 || data[k] != ':')
            continue;
        size_t a = k + 1, e = n;
        while (a < e && (data[a] == ' ' || data[a] == '\t'))
            a++;
        while (e > a && (data[e - 1] == '\r' || data[e - 1] == '\n' || data[e - 1] == ' '))
            e--;
        char v[256];
        size_t len = e - a < sizeof(v) - 1 ? e - a : sizeof(v) - 1;
        memcpy(v, data + a, len);
        v[len] = '\0';
        json_object_set_new(h->seen, wanted[i], json_string(v));
        if (i == 0)
            keep(h->rep->retry_after, sizeof(h->rep->retry_after), v);
        if (i == 1)
            keep(h->rep->etag, sizeof(h->rep->etag), v);
    }
    return n;
}

static void log_line(struct xp_site *s, const char *method, const char *path, const char *query,
                     json_t *request, const struct xp_reply *rep, json_t *headers)
{
    if (s->log_fd[0] < 0 && s->log_fd[1] < 0)
        return;
    /* the POS password is not written down: the field stays, as a string */
    json_t *shown =
        json_object_get(request, "password") ? json_pack("{s:s}", "password", "(redacted)") : NULL;
    if (shown)
        json_object_update_missing(shown, request);
    json_t *line =
        json_pack("{s:s,s:s,s:s,s:I,s:O?,s:O?,s:O}", "method", method, "path", path, "query",
                  query ? query : "", "status", (json_int_t)rep->status, "request",
                  shown ? shown : request, "response", rep->body, "headers", headers);
    json_decref(shown);
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (!text)
        return;
    size_t n = strlen(text);
    text[n] = '\n'; /* the terminator becomes the line's end: written with n + 1 */
    pthread_mutex_lock(&s->log_mu);
    for (int i = 0; i < 2; i++)
        if (s->log_fd[i] >= 0 && write(s->log_fd[i], text, n + 1) < 0)
            break; /* a log that cannot be written is not the POS's fault: carry on */
    pthread_mutex_unlock(&s->log_mu);
    free(text);
}

void xp_call(struct xp_site *s, const char *method, const char *path, const char *query,
             json_t *body, const char *token, const char *if_none_match, struct xp_reply *rep)
{
    memset(rep, 0, sizeof(*rep));
    char url[2048];
    snprintf(url, sizeof(url), "%s%s%s%s", s->pos_url, path, query && *query ? "?" : "",
             query && *query ? query : "");
    char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct buf b = { 0 };
    struct hdrs h = { json_object(), rep };
    struct curl_slist *hl = NULL;
    char line[400];
    hl = curl_slist_append(hl, "Accept: application/json");
    if (payload)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    if (token) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, line);
    }
    if (if_none_match) {
        snprintf(line, sizeof(line), "If-None-Match: %s", if_none_match);
        hl = curl_slist_append(hl, line);
    }
    CURL *c = curl_easy_init();
    if (!c || !h.seen) {
        snprintf(rep->error, sizeof(rep->error), "out of memory");
    } else {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        if (payload)
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
        CURLcode cc = curl_easy_perform(c);
        if (cc != CURLE_OK) {
            snprintf(rep->error, sizeof(rep->error), "%s", curl_easy_strerror(cc));
        } else {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep->status);
            if (b.n)
                rep->body = json_loadb(b.p, b.n, 0, NULL);
        }
    }
    if (c)
        curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    if (h.seen && rep->status) /* no answer (the POS not up yet): no exchange to log */
        log_line(s, method, path, query, body, rep, h.seen);
    json_decref(h.seen);
    free(payload);
    free(b.p);
}

void xp_reply_free(struct xp_reply *rep)
{
    json_decref(rep->body);
    rep->body = NULL;
}

const char *xp_error_code(const struct xp_reply *rep)
{
    const char *v = json_string_value(json_object_get(json_object_get(rep->body, "error"), "code"));
    return v ? v : "";
}

const char *xp_error_message(const struct xp_reply *rep)
{
    const char *v =
        json_string_value(json_object_get(json_object_get(rep->body, "error"), "message"));
    return v ? v : rep->status ? "" : rep->error;
}
