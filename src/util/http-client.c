/*
 * Outgoing HTTP for channel adapters (Shopify's GraphQL endpoint now, the
 * other webstores' REST APIs later). One easy handle per call keeps it
 * thread-safe without a shared pool; libcurl's global state is set up once
 * (pthread_once). Everything that comes back is bounded: the body by a cap
 * checked as it streams in, each captured header by a length limit, the
 * whole exchange by a deadline. No redirects are followed and only http and
 * https are spoken, so a hostile answer cannot send us elsewhere.
 */
#include "util/http-client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_VALUE_MAX 1024

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    char *buf;
    size_t len, cap, limit;
    bool too_big, nomem;
    /* header capture: names[i] -> *slots[i] */
    const char *names[SB_HTTP_MAX_CAPTURE];
    char **slots[SB_HTTP_MAX_CAPTURE];
    size_t n_names;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    if (n > s->limit - s->len) {
        s->too_big = true;
        return 0;
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1)
            cap *= 2;
        if (cap > s->limit + 1)
            cap = s->limit + 1;
        char *p = realloc(s->buf, cap);
        if (!p) {
            s->nomem = true;
            return 0;
        }
        s->buf = p;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

static void clear_slots(struct sink *s)
{
    for (size_t i = 0; i < s->n_names; i++) {
        free(*s->slots[i]);
        *s->slots[i] = NULL;
    }
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    /* A new status line starts a new response (after 100 Continue, say): forget the old. */
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        clear_slots(s);
        return n;
    }
    const char *colon = memchr(data, ':', n);
    if (!colon)
        return n;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1, *end = data + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (vlen > HEADER_VALUE_MAX || memchr(v, '\0', vlen))
        return n; /* absurd: treat as absent */
    for (size_t i = 0; i < s->n_names; i++) {
        if (strlen(s->names[i]) != name_len || strncasecmp(s->names[i], data, name_len) != 0)
            continue;
        char *copy = malloc(vlen + 1);
        if (!copy) {
            s->nomem = true;
            return 0;
        }
        memcpy(copy, v, vlen);
        copy[vlen] = '\0';
        free(*s->slots[i]);
        *s->slots[i] = copy;
    }
    return n;
}

static bool header_text_ok(const char *s, bool is_name)
{
    if (!s || (is_name && !*s))
        return false;
    for (; *s; s++) {
        if (*s == '\r' || *s == '\n' || (is_name && (*s == ':' || *s == ' ')))
            return false;
    }
    return true;
}

void sb_http_response_free(struct sb_http_response *r)
{
    if (!r)
        return;
    free(r->body);
    for (size_t i = 0; i < SB_HTTP_MAX_CAPTURE; i++)
        free(r->captured[i]);
    memset(r, 0, sizeof(*r));
}

static sb_err build_headers(const struct sb_http_request *req, const struct sb_http_header *extra,
                            size_t n_extra, struct curl_slist **ret)
{
    struct curl_slist *list = NULL;
    /* libcurl would otherwise wait for "100 Continue" before sending a larger body. */
    struct curl_slist *t = curl_slist_append(list, "Expect:");
    if (!t)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    list = t;
    for (size_t pass = 0; pass < 2; pass++) {
        const struct sb_http_header *hs = pass ? req->headers : extra;
        size_t n = pass ? req->n_headers : n_extra;
        for (size_t i = 0; i < n; i++) {
            if (!header_text_ok(hs[i].name, true) || !header_text_ok(hs[i].value, false)) {
                curl_slist_free_all(list);
                return sb_fail(SB_EINVALID_FIELD, "headers", "header %zu is not a valid header", i);
            }
            size_t len = strlen(hs[i].name) + strlen(hs[i].value) + 3;
            char *line = malloc(len);
            if (!line) {
                curl_slist_free_all(list);
                return sb_fail(SB_ENOMEM, NULL, NULL);
            }
            snprintf(line, len, "%s: %s", hs[i].name, hs[i].value);
            t = curl_slist_append(list, line);
            free(line);
            if (!t) {
                curl_slist_free_all(list);
                return sb_fail(SB_ENOMEM, NULL, NULL);
            }
            list = t;
        }
    }
    *ret = list;
    return SB_OK;
}

static sb_err send_with(const struct sb_http_request *req, const struct sb_http_header *extra,
                        size_t n_extra, const char *default_method, struct sb_http_response *ret)
{
    memset(ret, 0, sizeof(*ret));
    if (!req || !req->url ||
        (strncasecmp(req->url, "http://", 7) != 0 && strncasecmp(req->url, "https://", 8) != 0))
        return sb_fail(SB_EINVALID_FIELD, "url", "the URL must start with http:// or https://");
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return sb_fail(SB_EIO, NULL, "libcurl did not initialise: %s",
                       curl_easy_strerror(global_rc));

    struct sb_http_response r = { 0 };
    struct sink s = { .limit = req->max_response ? req->max_response : SB_HTTP_MAX_RESPONSE };
    for (size_t i = 0; req->capture && req->capture[i]; i++) {
        if (i >= SB_HTTP_MAX_CAPTURE)
            return sb_fail(SB_EINVALID_FIELD, "capture", "at most %d headers can be captured",
                           SB_HTTP_MAX_CAPTURE);
        s.names[s.n_names] = req->capture[i];
        s.slots[s.n_names++] = &r.captured[i];
    }

    struct curl_slist *headers = NULL;
    sb_err err = build_headers(req, extra, n_extra, &headers);
    if (err)
        return err;
    CURL *h = curl_easy_init();
    if (!h) {
        curl_slist_free_all(headers);
        return sb_fail(SB_ENOMEM, NULL, "libcurl could not make a handle");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    const char *method = req->method ? req->method : default_method;
    if (!method)
        method = req->body ? "POST" : "GET";

    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                                 : SB_HTTP_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     req->timeout_ms > 0 ? req->timeout_ms : SB_HTTP_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.limit);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "stockbridge/0.1");
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    } else if (s.nomem) {
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    } else if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        err = sb_fail(SB_ETOO_LARGE, NULL, "the response is larger than %zu bytes", s.limit);
    } else {
        err = sb_fail(SB_EIO, NULL, "HTTP request failed: %s",
                      errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);

    if (!err && !s.buf) {
        s.buf = malloc(1);
        if (!s.buf)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        else
            s.buf[0] = '\0';
    }
    if (err) {
        free(s.buf);
        sb_http_response_free(&r);
        return err;
    }
    r.body = s.buf;
    r.len = s.len;
    *ret = r;
    return SB_OK;
}

sb_err sb_http_send(const struct sb_http_request *req, struct sb_http_response *ret)
{
    return send_with(req, NULL, 0, NULL, ret);
}

sb_err sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret)
{
    static const struct sb_http_header json_headers[] = {
        { "Content-Type", "application/json" },
        { "Accept", "application/json" },
    };
    return send_with(req, json_headers, 2, "POST", ret);
}

/* ---------------------------------------------------------------- streaming GET */

struct stream_sink {
    sb_err (*each)(void *ud, const char *data, size_t len);
    void *ud;
    size_t len, limit;
    sb_err err; /* each() refused, or the cap was passed */
};

static size_t on_stream(char *data, size_t size, size_t nmemb, void *ud)
{
    struct stream_sink *s = ud;
    size_t n = size * nmemb;
    if (n > s->limit - s->len) {
        s->err = sb_fail(SB_ETOO_LARGE, NULL, "the response is larger than %zu bytes", s->limit);
        return 0;
    }
    s->len += n;
    if (n && (s->err = s->each(s->ud, data, n)))
        return 0;
    return n;
}

sb_err sb_http_get_stream(const char *url, sb_err (*each)(void *ud, const char *data, size_t len),
                          void *ud, size_t max_size, long timeout_ms)
{
    if (!url || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0))
        return sb_fail(SB_EINVALID_FIELD, "url", "the URL must start with http:// or https://");
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return sb_fail(SB_EIO, NULL, "libcurl did not initialise: %s",
                       curl_easy_strerror(global_rc));
    CURL *h = curl_easy_init();
    if (!h)
        return sb_fail(SB_ENOMEM, NULL, "libcurl could not make a handle");
    struct stream_sink s = { .each = each, .ud = ud, .limit = max_size };
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L); /* an error page is not the file */
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, SB_HTTP_CONNECT_TIMEOUT_MS);
    if (timeout_ms > 0)
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_size);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_stream);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "stockbridge/0.1");
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (s.err)
        return s.err;
    if (rc == CURLE_FILESIZE_EXCEEDED)
        return sb_fail(SB_ETOO_LARGE, NULL, "the response is larger than %zu bytes", max_size);
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return sb_fail(SB_EIO, NULL, "the download was answered with HTTP %ld", status);
    if (rc != CURLE_OK)
        /* curl's messages name the host at most, never the path or query of the URL */
        return sb_fail(SB_EIO, NULL, "the download failed: %s",
                       errbuf[0] ? errbuf : curl_easy_strerror(rc));
    if (status < 200 || status > 299)
        return sb_fail(SB_EIO, NULL, "the download was answered with HTTP %ld", status);
    return SB_OK;
}
