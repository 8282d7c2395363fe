/*
 * What an API handler sees: the request (method, path parameters, query,
 * body), the caller (scope), a borrowed database connection and an arena
 * that lives until the response is sent. A handler returns SB_OK after
 * sb_reply(), or an error, which the server turns into
 * {"error":{"code","message","field"}} with the status from the error table.
 */
#ifndef SB_REQUEST_H
#define SB_REQUEST_H

#include "core/scope.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/jsonx.h"

#include <jansson.h>
#include <stddef.h>

#define SB_MAX_PARAMS 4

struct sb_req;
typedef sb_err (*sb_handler)(struct sb_req *r);

/* Route flags: the least role that may call it, and what the body may hold. */
enum {
    SB_AUTH_NONE = 0, /* public: /healthz, /metrics */
    SB_AUTH_STAFF = 1,
    SB_AUTH_MANAGER = 2,
    SB_AUTH_ADMIN = 3,
    SB_AUTH_MASK = 3,
    SB_BODY_CSV = 1 << 4,   /* body is text/csv, not JSON */
    SB_BODY_LARGE = 1 << 5, /* body may be up to the import limit */
    SB_BODY_RAW = 1 << 6,   /* any content type: the handler checks the body itself */
    /* E1: the connection API: only a connection token opens it (no role: the token
     * stands for its export channel, scope.channel_id), and such a token opens nothing
     * else */
    SB_AUTH_CONNECTION = 1 << 7,
};

struct sb_route {
    const char *method;
    const char *pattern; /* "/api/v1/sales/{id}/payments" */
    sb_handler handler;
    unsigned flags;
};

struct sb_server;

struct sb_req {
    struct sb_arena *arena;
    struct sb_server *server;
    void *conn; /* struct MHD_Connection * */
    const struct sb_route *route;
    const char *params[SB_MAX_PARAMS];
    char *body;
    size_t body_len;
    struct sb_scope scope;
    struct sb_db *db;
    /* the response */
    json_t *error_details; /* set with sb_req_error_details(); sent as error.details */
    int status;
    json_t *resp;
    const char *content_type; /* for raw responses */
    char *raw;
    size_t raw_len;
    const char *set_cookie;    /* a Set-Cookie header to send, or NULL */
    const char *retry_after;   /* a Retry-After header to send (seconds), or NULL */
    const char *etag;          /* an ETag header to send, or NULL (sb_reply_etag) */
    const char *cache_control; /* Cache-Control instead of no-store, or NULL */
    /* issue 14 item 6: the connection API's budget left (X-RateLimit-Remaining), or NULL */
    const char *rate_remaining;
    /* signed in with the session cookie (not a bearer token): its token and CSRF token */
    const char *session_token;
    char csrf[64];
    /* a streamed answer (sb_reply_stream), or NULL */
    const struct sb_stream_ops *stream;
    void *stream_cls;
};

/*
 * A body written as it goes (text/event-stream): libmicrohttpd calls read on the
 * connection's own thread whenever it can send more, until read answers SB_STREAM_END;
 * read may block (the server runs a thread per connection) but must come back within a
 * second or so to look at sb_server_stopping. free is called once the connection is done,
 * whatever happened, and also when the answer could not be queued.
 */
#define SB_STREAM_END ((long)-1)
struct sb_stream_ops {
    const char *content_type;
    long (*read)(void *cls, char *buf, size_t max); /* bytes written (> 0), or SB_STREAM_END */
    void (*free)(void *cls);
};

/* The routes, in the order they are matched. */
const struct sb_route *sb_routes(size_t *ret_count);

/* Replies with status and a JSON document (the reference is stolen). */
sb_err sb_reply(struct sb_req *r, int status, json_t *doc);
/* A request header, or NULL. */
const char *sb_req_header(struct sb_req *r, const char *name);

/* Replies 200 with a body streamed by ops (cls: heap memory that ops->free releases). */
sb_err sb_reply_stream(struct sb_req *r, const struct sb_stream_ops *ops, void *cls);

/* Replies with a non-JSON body held in the arena. */
sb_err sb_reply_raw(struct sb_req *r, int status, const char *content_type, char *body, size_t len);

/* Replies 200 with doc (stolen) as JSON, with a strong ETag (a hash of the body sent) and
 * Cache-Control: no-cache; or 304 with no body when If-None-Match names that ETag. */
sb_err sb_reply_etag(struct sb_req *r, json_t *doc);

/* The body as a JSON object; SB_EINVALID_JSON otherwise. */
sb_err sb_req_json(struct sb_req *r, struct sb_jctx *ret);
/* Path parameter i ({id}) as a positive id; SB_ENOT_FOUND when it is not one. */
sb_err sb_req_id(struct sb_req *r, int i, int64_t *ret);
/* The client's address as text (arena): the peer's, or, when the peer is a trusted proxy
 * (STOCKBRIDGE_TRUSTED_PROXIES), the one its X-Forwarded-For names. */
const char *sb_req_client_address(struct sb_req *r);
/* A query-string value, or NULL. */
const char *sb_req_query(struct sb_req *r, const char *name);
sb_err sb_req_query_id(struct sb_req *r, const char *name, int64_t *ret, bool *ret_present);
sb_err sb_req_query_int(struct sb_req *r, const char *name, int64_t min, int64_t max, int64_t *ret,
                        bool *ret_present);
sb_err sb_req_query_bool(struct sb_req *r, const char *name, bool *ret, bool *ret_present);
/* ?from= and ?to= as ISO 8601 dates or times, returned as ISO 8601 UTC text. */
sb_err sb_req_query_time(struct sb_req *r, const char *name, const char **ret);

/* Keyset pagination: ?limit= (1..500, default 50) and ?after= (an id). */
struct sb_page {
    int64_t limit;
    int64_t after;
};
sb_err sb_req_page(struct sb_req *r, struct sb_page *ret);
/* {"data": rows, "next_after": id-of-last-row-or-null}; rows are stolen. A full page
 * means there may be more. */
json_t *sb_page_json(json_t *rows, const struct sb_page *page);

/* Attaches details (stolen) to the error the handler is about to return, e.g. the
 * rows of a CSV import that failed: {"error":{"code",...,"details":[...]}}. */
void sb_req_error_details(struct sb_req *r, json_t *details);

sb_err sb_req_role(struct sb_req *r, enum sb_role least);
/* SB_EOUTLET_FORBIDDEN unless the caller may act in outlet_id. */
sb_err sb_req_outlet(struct sb_req *r, int64_t outlet_id);

#endif
