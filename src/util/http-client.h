/*
 * A small blocking HTTP client for channel adapters, on libcurl: one call,
 * one easy handle, bounded in time and in the size of what comes back.
 * Nothing here logs; failures come back as sb_err with curl's text in the
 * error detail (sb_err_last()). Safe to call from any thread.
 */
#ifndef SB_HTTP_CLIENT_H
#define SB_HTTP_CLIENT_H

#include "util/err.h"

#include <stddef.h>

#define SB_HTTP_CONNECT_TIMEOUT_MS 5000L
#define SB_HTTP_TIMEOUT_MS         15000L
#define SB_HTTP_MAX_RESPONSE       ((size_t)8 << 20)
/* How many response headers one request may ask to capture. */
#define SB_HTTP_MAX_CAPTURE 8

struct sb_http_header {
    const char *name, *value;
};

struct sb_http_request {
    const char *method; /* NULL: POST when there is a body, else GET */
    const char *url;    /* http:// or https:// only */
    const struct sb_http_header *headers;
    size_t n_headers;
    const char *body; /* may be NULL */
    size_t body_len;
    long connect_timeout_ms; /* 0: SB_HTTP_CONNECT_TIMEOUT_MS */
    long timeout_ms;         /* 0: SB_HTTP_TIMEOUT_MS (the whole exchange) */
    size_t max_response;     /* 0: SB_HTTP_MAX_RESPONSE */
    /* The response headers the caller reads (a channel adapter: how its webstore says
     * when to come back, Retry-After, or how much of its rate limit is left); the client
     * knows no header names of its own. NULL-terminated, at most SB_HTTP_MAX_CAPTURE; may
     * be NULL. */
    const char *const *capture;
};

struct sb_http_response {
    long status;
    char *body; /* malloc'd, NUL-terminated (len excludes the NUL); never NULL on success */
    size_t len;
    /* values of req->capture, in the same order (malloc'd); NULL when absent */
    char *captured[SB_HTTP_MAX_CAPTURE];
};

/*
 * Sends the request and fills *ret (every HTTP status counts as success here:
 * the caller judges the status). SB_EIO for transport failures (refused,
 * timed out, TLS, cut connection) with curl's text; SB_ETOO_LARGE when the
 * response exceeds the cap; SB_EINVALID_FIELD for a bad URL or a header with a
 * line break in it. On failure *ret is left empty (safe to free).
 */
sb_err sb_http_send(const struct sb_http_request *req, struct sb_http_response *ret);
/* sb_http_send with "Content-Type: application/json" and "Accept: application/json"
 * added to req's headers; method POST unless req->method says otherwise. */
sb_err sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret);
/*
 * GETs url and hands the body to each() as it arrives, in pieces of any size, never holding
 * it: for files too large to keep (a bulk operation's result). The whole exchange may take
 * timeout_ms (0: no limit) but must not stall: under 1 KiB/s for 60 s fails it. SB_OK only
 * when the answer was 2xx and came whole (a connection closed early is SB_EIO); a status
 * of 400 or more is SB_EIO before each() sees its body; more than max_size bytes is
 * SB_ETOO_LARGE. When each() returns an error the transfer stops and that error comes
 * back, its details intact. No headers are sent but the user agent: the URL carries what
 * access it needs, and no error text includes it (a signed URL is a secret).
 */
sb_err sb_http_get_stream(const char *url, sb_err (*each)(void *ud, const char *data, size_t len),
                          void *ud, size_t max_size, long timeout_ms);
/* Frees what a response holds and empties it; accepts NULL and empty responses. */
void sb_http_response_free(struct sb_http_response *r);

#endif
