/*
 * The HTTP server: libmicrohttpd with a thread pool, bounded connections,
 * timeouts for slow clients, a memory limit per connection and a body limit
 * per route. It routes, authenticates, hands each request its arena and a
 * database connection, and turns handler errors into JSON.
 */
#ifndef SB_SERVER_H
#define SB_SERVER_H

#include "store/store.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sb_server_config {
    const char *host; /* "127.0.0.1" */
    uint16_t port;    /* 0: an ephemeral port, see sb_server_port() */
    struct sb_store *store;
    struct sb_pipeline *pipeline; /* receives webhooks; NULL: they are refused (503) */
    unsigned threads;             /* 0 (default): a thread per connection; else a pool */
    unsigned max_connections;     /* default 1024 */
    unsigned timeout_s;           /* idle or slow client; default 30 */
    size_t conn_memory_limit;     /* per connection, for headers and buffers; default 64 KiB */
    size_t body_limit;            /* default 1 MiB */
    size_t import_limit;          /* bodies of bulk imports; default 32 MiB */
    /* The request target (path and query, as sent) and the whole request head (request
     * line and headers) beyond which we answer 414 and 431 in JSON; default an eighth and
     * a quarter of conn_memory_limit, so that libmicrohttpd still has room to hand them
     * to us (beyond its memory it answers itself: docs/operations.md). */
    size_t uri_limit;
    size_t head_limit;
    /* Comma-separated IPv4 addresses of reverse proxies whose X-Forwarded-For names the
     * client (STOCKBRIDGE_TRUSTED_PROXIES); NULL: the peer address is the client. */
    const char *trusted_proxies;
    /* Issue 14 item 6: the connection API's rate limit per connection, requests a minute
     * and burst (http/ratelimit.h); 0: the defaults SB_RATE_PER_MINUTE and SB_RATE_BURST,
     * or STOCKBRIDGE_CONNECTION_RATE=PER_MINUTE/BURST ("off": no limit, for a benchmark). */
    int64_t rate_per_minute, rate_burst;
    bool rate_off;
    /* Event streams (GET /api/v1/notifications/stream) open at once on this node, beyond
     * which one is refused 503 too_many_streams (STOCKBRIDGE_STREAM_LIMIT; default a quarter
     * of max_connections), and the comment a stream sends when it has been quiet this long
     * (STOCKBRIDGE_STREAM_HEARTBEAT_MS; default 15000). */
    unsigned max_streams;
    unsigned heartbeat_ms;
};

struct sb_server;
struct sb_arena;
struct sb_pipeline;

/* Fills unset fields of cfg with defaults and environment overrides
 * (STOCKBRIDGE_LISTEN=host:port, STOCKBRIDGE_BODY_LIMIT=bytes,
 * STOCKBRIDGE_TRUSTED_PROXIES=addr,..., STOCKBRIDGE_CONNECTION_RATE=120/60 or off). */
sb_err sb_server_config_defaults(struct sb_server_config *cfg);
/* Binds and serves. An address another socket already listens on is refused (SB_EIO,
 * "... is already in use"): the socket is made without SO_REUSEPORT (SEC2). */
sb_err sb_server_start(const struct sb_server_config *cfg, struct sb_server **ret);
uint16_t sb_server_port(const struct sb_server *s);
struct sb_store *sb_server_store(const struct sb_server *s);
struct sb_pipeline *sb_server_pipeline(const struct sb_server *s);
void sb_server_stop(struct sb_server *s); /* accepts NULL */

/* Whether sb_server_stop has begun: a stream ends at its next look. */
bool sb_server_stopping(const struct sb_server *s);
/* Counts one more open stream, or refuses it (SB_ETOO_MANY_STREAMS) at the limit or when
 * the server runs a thread pool (a stream holds its thread); leave when it ends. */
sb_err sb_server_stream_enter(struct sb_server *s);
void sb_server_stream_leave(struct sb_server *s);
unsigned sb_server_stream_count(struct sb_server *s);
unsigned sb_server_heartbeat_ms(const struct sb_server *s);

/* Prometheus text for /metrics, in the arena. */
char *sb_server_metrics_text(struct sb_server *s, struct sb_arena *a, size_t *ret_len);

#endif
