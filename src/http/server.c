/*
 * libmicrohttpd glue. One request, start to end:
 *   0. the URI log callback: allocate the request's arena and state, and look
 *      at the request target as sent, before libmicrohttpd decodes it;
 *   1. first callback: refuse a target with a control character (400), over
 *      the URI limit (414) or a head over its limit (431), match the route,
 *      refuse a declared Content-Length over the route's limit (413) at once;
 *   2. body callbacks: append to a buffer bounded by that limit;
 *   3. last callback: authenticate (bearer token -> scope), check the role
 *      (and, on the connection API, its per-connection rate limit), borrow a
 *      database connection, run the handler, send JSON;
 *   4. completion: log one line, count metrics, free the arena, give the
 *      connection back.
 * User errors always get a JSON 4xx; MHD_NO (drop the connection) is kept
 * for failures to allocate.
 */
#include "http/server.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "store/sessions.h"
#include "store/tokens.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/timeutil.h"

#include "util/bell.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct sb_server {
    struct MHD_Daemon *daemon;
    struct sb_server_config cfg;
    uint16_t port;
    struct sb_metrics metrics;
    struct sb_ratelimit *rate; /* issue 14 item 6: the connection API's buckets */
    atomic_bool stopping;      /* sb_server_stop has begun: streams end */
    atomic_uint streams;       /* open event streams (sb_server_stream_enter) */
};

struct conn_state {
    struct sb_req req;
    bool started; /* on_request has been called: the request reached us */
    /* the request target as the client sent it (libmicrohttpd's buffer, valid until
     * on_request's first call), its length as a C string, and whether it holds a
     * control character, raw or percent-encoded */
    const char *raw_target;
    size_t raw_len;
    bool bad_target;
    int route_index;
    bool method_mismatch;
    bool too_large;
    size_t limit;
    size_t cap;
    uint64_t start_ns;
    char *path;
    const char *method;
};

static sb_err parse_size(const char *s, size_t *ret)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || v == 0)
        return sb_fail(SB_EINVALID_FIELD, NULL, "not a positive number: %s", s);
    *ret = (size_t)v;
    return SB_OK;
}

/* "PER_MINUTE/BURST" (each 1 to 1,000,000) or "off". */
static sb_err parse_rate(const char *s, struct sb_server_config *cfg)
{
    if (strcmp(s, "off") == 0) {
        cfg->rate_off = true;
        return SB_OK;
    }
    char *end;
    long long per = strtoll(s, &end, 10);
    long long burst = *end == '/' ? strtoll(end + 1, &end, 10) : 0;
    if (*end || per < 1 || per > 1000000 || burst < 1 || burst > 1000000)
        return sb_fail(SB_EINVALID_FIELD, "connection_rate",
                       "STOCKBRIDGE_CONNECTION_RATE must be PER_MINUTE/BURST (1 to 1000000 each)"
                       " or off: %s",
                       s);
    cfg->rate_per_minute = per;
    cfg->rate_burst = burst;
    return SB_OK;
}

sb_err sb_server_config_defaults(struct sb_server_config *cfg)
{
    const char *listen = getenv("STOCKBRIDGE_LISTEN");
    static char host[64];
    if (listen && !cfg->host) {
        const char *colon = strrchr(listen, ':');
        if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host))
            return sb_fail(SB_EINVALID_FIELD, "listen", "STOCKBRIDGE_LISTEN must be host:port");
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port < 0 || port > 65535)
            return sb_fail(SB_EINVALID_FIELD, "listen", "bad port in STOCKBRIDGE_LISTEN");
        cfg->host = host;
        cfg->port = (uint16_t)port;
    }
    const char *proxies = getenv("STOCKBRIDGE_TRUSTED_PROXIES");
    if (proxies && *proxies && !cfg->trusted_proxies)
        cfg->trusted_proxies = proxies;
    const char *limit = getenv("STOCKBRIDGE_BODY_LIMIT");
    if (limit && !cfg->body_limit) {
        sb_err err = parse_size(limit, &cfg->body_limit);
        if (err)
            return err;
    }
    const char *rate = getenv("STOCKBRIDGE_CONNECTION_RATE");
    if (rate && *rate && !cfg->rate_per_minute && !cfg->rate_off) {
        sb_err err = parse_rate(rate, cfg);
        if (err)
            return err;
    }
    if (!cfg->rate_per_minute)
        cfg->rate_per_minute = SB_RATE_PER_MINUTE;
    if (!cfg->rate_burst)
        cfg->rate_burst = SB_RATE_BURST;
    if (!cfg->host)
        cfg->host = "127.0.0.1";
    if (!cfg->max_connections)
        cfg->max_connections = 1024;
    if (!cfg->timeout_s)
        cfg->timeout_s = 30;
    const char *streams = getenv("STOCKBRIDGE_STREAM_LIMIT");
    if (streams && *streams && !cfg->max_streams) {
        size_t n = 0;
        sb_err err = parse_size(streams, &n);
        if (err || n > 100000)
            return sb_fail(SB_EINVALID_FIELD, "stream_limit",
                           "STOCKBRIDGE_STREAM_LIMIT must be 1 to 100000: %s", streams);
        cfg->max_streams = (unsigned)n;
    }
    if (!cfg->max_streams) /* each holds a connection and its thread: leave most for requests */
        cfg->max_streams = cfg->max_connections / 4 ? cfg->max_connections / 4 : 1;
    const char *beat = getenv("STOCKBRIDGE_STREAM_HEARTBEAT_MS");
    if (beat && *beat && !cfg->heartbeat_ms) {
        size_t n = 0;
        sb_err err = parse_size(beat, &n);
        if (err || n < 100 || n > 600000)
            return sb_fail(SB_EINVALID_FIELD, "stream_heartbeat",
                           "STOCKBRIDGE_STREAM_HEARTBEAT_MS must be 100 to 600000: %s", beat);
        cfg->heartbeat_ms = (unsigned)n;
    }
    if (!cfg->heartbeat_ms)
        cfg->heartbeat_ms = 15000;
    if (!cfg->conn_memory_limit)
        cfg->conn_memory_limit = 64 * 1024;
    if (!cfg->body_limit)
        cfg->body_limit = 1024 * 1024;
    if (!cfg->import_limit)
        cfg->import_limit = 32 * 1024 * 1024;
    if (!cfg->uri_limit)
        cfg->uri_limit = cfg->conn_memory_limit / 8;
    if (!cfg->head_limit)
        cfg->head_limit = cfg->conn_memory_limit / 4;
    return SB_OK;
}

static void json_free(void *p)
{
    json_decref(p);
}

/* The headers every answer carries, and those the handler asked for. */
static void add_headers(struct MHD_Response *resp, const struct sb_req *r, const char *allow)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (allow)
        MHD_add_response_header(resp, "Allow", allow);
    if (r && r->set_cookie)
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r && r->retry_after)
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    if (r && r->etag)
        MHD_add_response_header(resp, "ETag", r->etag);
    if (r && r->rate_remaining) {
        char limit[24];
        snprintf(limit, sizeof(limit), "%lld", (long long)r->server->cfg.rate_per_minute);
        MHD_add_response_header(resp, "X-RateLimit-Limit", limit);
        MHD_add_response_header(resp, "X-RateLimit-Remaining", r->rate_remaining);
    }
}

static enum MHD_Result send_text(struct MHD_Connection *c, int status, const char *ctype,
                                 const char *body, size_t len, const char *allow,
                                 const struct sb_req *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control",
                            r && r->cache_control ? r->cache_control : "no-store");
    add_headers(resp, r, allow);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A streamed answer (sb_reply_stream): the handler's ops, behind libmicrohttpd's callback. */
struct stream_glue {
    const struct sb_stream_ops *ops;
    void *cls;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream_glue *g = cls;
    long n = g->ops->read(g->cls, buf, max);
    return n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void stream_free(void *cls)
{
    struct stream_glue *g = cls;
    g->ops->free(g->cls);
    free(g);
}

static enum MHD_Result send_stream(struct sb_req *r)
{
    struct stream_glue *g = malloc(sizeof(*g));
    if (!g) {
        r->stream->free(r->stream_cls);
        return MHD_NO;
    }
    *g = (struct stream_glue){ r->stream, r->stream_cls };
    r->stream = NULL; /* the response owns it now */
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, g, stream_free);
    if (!resp) {
        stream_free(g);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", g->ops->content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* a proxy must not hold events */
    add_headers(resp, r, NULL);
    r->status = 200;
    enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct conn_state *cs, sb_err err, const char *allow)
{
    const struct sb_errinfo *info = sb_err_last();
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(sb_err_code(err)));
    json_object_set_new(
        e, "message",
        json_string(info->err == err && info->message[0] ? info->message : sb_err_message(err)));
    if (info->err == err && info->field[0])
        json_object_set_new(e, "field", json_string(info->field));
    if (cs->req.error_details) {
        json_object_set_new(e, "details", cs->req.error_details);
        cs->req.error_details = NULL;
    }
    json_t *doc = json_pack("{s:o}", "error", e);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    cs->req.status = sb_err_status(err);
    enum MHD_Result ret = send_text(cs->req.conn, cs->req.status, "application/json",
                                    text ? text : "{}", text ? strlen(text) : 2, allow, &cs->req);
    free(text);
    return ret;
}

/* Resolves "Authorization: Bearer <token>" to the caller's scope; without that header, the
 * web app's session cookie (then unsafe methods need the session's X-CSRF-Token). */
static sb_err authenticate(struct sb_req *r)
{
    const char *h =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h) {
        const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "sb_session");
        if (!cookie)
            return sb_fail(SB_EUNAUTHORIZED, NULL, NULL);
        sb_err err = sb_store_session_lookup(r->db, cookie, &r->scope, r->csrf);
        if (!err)
            r->session_token = cookie;
        return err;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return sb_fail(SB_EUNAUTHORIZED, NULL, NULL);
    return sb_store_token_lookup(r->db, h + 7, &r->scope);
}

static bool content_type_ok(struct sb_req *r)
{
    if (r->body_len == 0 || (r->route->flags & SB_BODY_RAW))
        return true;
    const char *ct =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct)
        return true;
    const char *want = (r->route->flags & SB_BODY_CSV) ? "text/csv" : "application/json";
    size_t n = strlen(want);
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Issue 14 item 6: one request from the connection's channel's bucket (ratelimit.h); the
 * budget left travels in X-RateLimit-Remaining, on a refusal too. */
static sb_err rate_limit(struct sb_server *s, struct sb_req *r)
{
    if (!s->rate)
        return SB_OK; /* STOCKBRIDGE_CONNECTION_RATE=off */
    bool ok = false;
    int64_t left = 0, retry = 0;
    sb_err err =
        sb_ratelimit_take(s->rate, r->db, r->scope.channel_id, sb_time_now(), &ok, &left, &retry);
    if (err)
        return err;
    r->rate_remaining = sb_arena_printf(r->arena, "%lld", (long long)left);
    if (ok)
        return SB_OK;
    r->retry_after = sb_arena_printf(r->arena, "%lld", (long long)retry);
    return sb_fail(SB_ERATE_LIMITED, NULL,
                   "this connection made more than %lld requests in a minute (bursts of %lld):"
                   " wait %lld s",
                   (long long)s->cfg.rate_per_minute, (long long)s->cfg.rate_burst,
                   (long long)retry);
}

static sb_err dispatch(struct sb_server *s, struct conn_state *cs)
{
    struct sb_req *r = &cs->req;
    unsigned need = r->route->flags & SB_AUTH_MASK;
    bool connection = (r->route->flags & SB_AUTH_CONNECTION) != 0;
    sb_err err = sb_store_acquire(s->cfg.store, &r->db);
    if (!err && (need != SB_AUTH_NONE || connection)) {
        err = authenticate(r);
        if (!err && r->session_token && strcmp(r->route->method, "GET") != 0 &&
            strcmp(r->route->method, "HEAD") != 0) {
            /* a cookie rides along with any request the browser makes: a change must also
             * carry the token only the app's own pages know */
            const char *t = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
            if (!t || strlen(t) != strlen(r->csrf) ||
                sodium_memcmp(t, r->csrf, strlen(r->csrf)) != 0)
                err = sb_fail(SB_ECSRF, NULL, "missing or wrong X-CSRF-Token for this session");
        }
        /* E1: a connection token and a user's open different APIs */
        if (!err && connection && !r->scope.channel_id)
            err = sb_fail(SB_EFORBIDDEN, NULL,
                          "the connection API takes a connection token only (POST "
                          "/api/v1/connection makes one)");
        else if (!err && !connection && r->scope.channel_id)
            err = sb_fail(SB_EFORBIDDEN, NULL, "a connection token only opens the connection API");
        else if (!err && !connection && (unsigned)r->scope.role < need)
            err = sb_fail(SB_EFORBIDDEN, NULL, "this needs the %s role",
                          sb_role_name((enum sb_role)need));
        if (!err && connection)
            err = rate_limit(s, r);
    }
    if (!err && !content_type_ok(r))
        err = sb_fail(SB_EUNSUPPORTED_MEDIA, NULL, "Content-Type must be %s",
                      (r->route->flags & SB_BODY_CSV) ? "text/csv" : "application/json");
    return err ? err : r->route->handler(r);
}

/* ---- the web app's files ---- */

static const char *web_dir(void)
{
    const char *d = getenv("STOCKBRIDGE_WEB_DIR");
    return d && *d ? d : SB_WEB_DIR;
}

static const char *mime_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        { ".html", "text/html; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".mjs", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".json", "application/json" },
        { ".ico", "image/x-icon" },
        { ".woff2", "font/woff2" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* Whether a path may name a file under the web directory: printable, no "..", no
 * hidden files, no backslashes. */
static bool safe_path(const char *p)
{
    if (p[0] != '/' || strlen(p) > 255)
        return false;
    for (const char *c = p; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == '\\' || *c == '%' || *c == 0x7f)
            return false;
        if (*c == '/' && c[1] == '.')
            return false;
    }
    return true;
}

/*
 * GET of a path that is no API route: a file of the web app. "/" is index.html; a path
 * without an extension that names no file is index.html too (the app's own routes, on a
 * reload); anything else missing is 404.
 */
static enum MHD_Result serve_static(struct conn_state *cs)
{
    char path[512];
    const char *p = cs->path;
    bool page = strcmp(p, "/") == 0;
    const char *last = strrchr(p, '/');
    bool has_ext = last && strchr(last, '.');
    if (!safe_path(p))
        return send_error(cs, sb_fail(SB_ENOT_FOUND, NULL, "no such file"), NULL);
    snprintf(path, sizeof(path), "%s%s", web_dir(), page ? "/index.html" : p);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd < 0 && !has_ext) {
        snprintf(path, sizeof(path), "%s/index.html", web_dir());
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            close(fd);
            fd = -1;
        }
    }
    const char *type = fd >= 0 ? mime_type(path) : NULL;
    if (fd < 0 || !type) {
        if (fd >= 0)
            close(fd);
        return send_error(cs, sb_fail(SB_ENOT_FOUND, NULL, "no such file: %s", p), NULL);
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    add_headers(resp, NULL, NULL);
    cs->req.status = 200;
    enum MHD_Result ret = MHD_queue_response(cs->req.conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static bool is_static(const struct conn_state *cs)
{
    return (strcmp(cs->method, "GET") == 0 || strcmp(cs->method, "HEAD") == 0) &&
           strncmp(cs->path, "/api/", 5) != 0 && strncmp(cs->path, "/webhooks/", 10) != 0;
}

static enum MHD_Result respond(struct sb_server *s, struct conn_state *cs)
{
    struct sb_req *r = &cs->req;
    if (cs->route_index < 0 && !cs->method_mismatch && is_static(cs))
        return serve_static(cs);
    if (cs->route_index < 0) {
        if (cs->method_mismatch) {
            char allow[128];
            sb_router_allow(cs->path, allow, sizeof(allow));
            return send_error(
                cs, sb_fail(SB_EMETHOD_NOT_ALLOWED, NULL, "%s is not allowed here", cs->method),
                allow);
        }
        return send_error(cs, sb_fail(SB_ENOT_FOUND, NULL, "no such route: %s", cs->path), NULL);
    }
    if (cs->too_large)
        return send_error(
            cs, sb_fail(SB_ETOO_LARGE, NULL, "request body exceeds %zu bytes", cs->limit), NULL);
    sb_err err = dispatch(s, cs);
    if (err) {
        if (err == SB_ESTORAGE || err == SB_EBUSY)
            sb_metrics_storage_error(&s->metrics);
        if (sb_err_status(err) >= 500 && err != SB_ETOO_MANY_STREAMS) { /* shed, not failed */
            const struct sb_errinfo *info = sb_err_last();
            sb_log(SB_LOG_ERROR, "http.failure", "method", cs->method, "route", r->route->pattern,
                   "code", sb_err_code(err), "detail", info->message, NULL);
        }
        return send_error(cs, err, NULL);
    }
    if (r->stream)
        return send_stream(r);
    if (r->status == 304) /* sb_reply_etag: the client has it; no body, no type */
        return send_text(r->conn, 304, NULL, "", 0, NULL, r);
    if (r->raw)
        return send_text(r->conn, r->status, r->content_type, r->raw, r->raw_len, NULL, r);
    char *text = r->resp ? json_dumps(r->resp, JSON_COMPACT) : NULL;
    enum MHD_Result ret;
    if (r->status == 204)
        ret = send_text(r->conn, 204, "application/json", "", 0, NULL, r);
    else
        ret = send_text(r->conn, r->status ? r->status : 200, "application/json",
                        text ? text : "{}", text ? strlen(text) : 2, NULL, r);
    free(text);
    return ret;
}

/* Whether a request target holds a control character (0x00-0x1f, 0x7f), as a raw byte or
 * percent-encoded (SEC6): decoded in place, "%00" would end the path early. */
static bool has_control(const char *t)
{
    for (const unsigned char *c = (const unsigned char *)t; *c; c++) {
        unsigned v = *c;
        if (*c == '%' && isxdigit(c[1]) && isxdigit(c[2])) {
            char hex[3] = { (char)c[1], (char)c[2], '\0' };
            v = (unsigned)strtoul(hex, NULL, 16);
            c += 2;
        }
        if (v < 0x20 || v == 0x7f)
            return true;
    }
    return false;
}

/*
 * libmicrohttpd's URI log callback: called with the request target exactly as the client
 * sent it, before the query is split off and the path percent-decoded in place. The
 * request's state is made here (returned, it is on_request's *con_cls), so the first call of
 * on_request can see what the target held before decoding; on_completed frees it, whoever
 * answered the request.
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct sb_arena *a = sb_arena_new();
    struct conn_state *cs = a ? sb_arena_alloc(a, sizeof(*cs)) : NULL;
    if (!cs) {
        sb_arena_free(a);
        return NULL; /* on_request drops the connection */
    }
    cs->start_ns = sb_clock_ns();
    cs->req.arena = a;
    cs->req.server = cls;
    cs->req.conn = conn;
    cs->route_index = -1;
    cs->raw_target = uri;
    cs->raw_len = uri ? strlen(uri) : 0;
    cs->bad_target = !uri || has_control(uri);
    return cs;
}

/*
 * A raw NUL byte (not "%00") in the target ends the C string libmicrohttpd 0.9.75 hands to
 * on_uri, and it does not refuse the request itself. The target lies in the connection's
 * buffer right before " HTTP/1.x", the space after it overwritten with a NUL, and the
 * version argument of on_request points into that same line. So after the NUL that ends the
 * C string, only spaces may come before the version when the target held no NUL; anything
 * else there (the rest of the target, or the overwritten space after a NUL at its very end)
 * means a NUL cut it short. When the
 * version does not lie just after the target within the line (a library that lays the line
 * out otherwise), nothing is refused here: the SEC6 test then fails in CI, rather than
 * every request in production.
 */
static bool target_cut_short(const struct conn_state *cs, const char *version, size_t line_max)
{
    const char *end = cs->raw_target + cs->raw_len; /* the NUL ending the C string */
    if (!version || version <= end || (size_t)(version - end) > line_max)
        return false;
    for (const char *p = end + 1; p < version; p++) /* *end is the NUL that ends it */
        if (*p != ' ')
            return true;
    return false;
}

/* The checks of a request's first call: its target and head, then the route and a declared
 * body size: those answered at once are answered here. */
static enum MHD_Result first_call(struct sb_server *s, struct conn_state *cs, const char *url,
                                  const char *method, const char *version)
{
    struct MHD_Connection *conn = cs->req.conn;
    struct sb_arena *a = cs->req.arena;
    cs->started = true;
    sb_err_clear();
    cs->method = sb_arena_strdup(a, method);
    cs->path = sb_arena_strdup(a, url);
    if (!cs->method || !cs->path)
        return MHD_NO;
    cs->bad_target =
        cs->bad_target || (cs->raw_target && target_cut_short(cs, version, s->cfg.head_limit));
    cs->raw_target = NULL; /* the library's buffer: not to be read from here on */
    if (cs->bad_target)
        return send_error(
            cs,
            sb_fail(SB_EINVALID_PATH, NULL, "the request path holds a NUL or control character"),
            NULL);
    if (cs->raw_len > s->cfg.uri_limit)
        return send_error(
            cs,
            sb_fail(SB_EURI_TOO_LONG, NULL, "the request URI exceeds %zu bytes", s->cfg.uri_limit),
            NULL);
    const union MHD_ConnectionInfo *head =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (head && head->header_size > s->cfg.head_limit)
        return send_error(cs,
                          sb_fail(SB_EHEADERS_TOO_LARGE, NULL,
                                  "the request line and headers exceed %zu bytes",
                                  s->cfg.head_limit),
                          NULL);
    cs->route_index = sb_router_match(method, cs->path, cs->req.params, a, &cs->method_mismatch);
    if (cs->route_index >= 0) {
        size_t n = 0;
        cs->req.route = &sb_routes(&n)[cs->route_index];
    }
    cs->limit = cs->req.route && (cs->req.route->flags & SB_BODY_LARGE) ? s->cfg.import_limit
                                                                        : s->cfg.body_limit;
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > cs->limit) {
        cs->too_large = true;
        return respond(s, cs);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)conn;
    struct sb_server *s = cls;
    struct conn_state *cs = *con_cls;
    if (!cs)
        return MHD_NO; /* on_uri could not allocate */
    if (!cs->started)
        return first_call(s, cs, url, method, version);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (cs->too_large || cs->route_index < 0)
            return MHD_YES;
        if (cs->req.body_len + n > cs->limit) {
            cs->too_large = true;
            return MHD_YES;
        }
        if (cs->req.body_len + n + 1 > cs->cap) {
            size_t cap = cs->cap ? cs->cap : 4096;
            while (cap < cs->req.body_len + n + 1)
                cap *= 2;
            char *nb = realloc(cs->req.body, cap);
            if (!nb)
                return MHD_NO;
            cs->req.body = nb;
            cs->cap = cap;
        }
        memcpy(cs->req.body + cs->req.body_len, upload_data, n);
        cs->req.body_len += n;
        cs->req.body[cs->req.body_len] = '\0';
        return MHD_YES;
    }
    if (cs->req.status)
        return MHD_YES; /* already answered */
    return respond(s, cs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct sb_server *s = cls;
    struct conn_state *cs = *con_cls;
    if (!cs)
        return;
    uint64_t us = (sb_clock_ns() - cs->start_ns) / 1000;
    char st[8], dur[24], uid[24];
    snprintf(dur, sizeof(dur), "%llu", (unsigned long long)us);
    if (!cs->started) {
        /* libmicrohttpd answered by itself (bad framing, a head beyond its memory: see
         * docs/operations.md), or the client left before its request was whole */
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
        int status = info ? (int)info->http_status : 0;
        sb_metrics_observe(&s->metrics, -1, status, us);
        snprintf(st, sizeof(st), "%d", status);
        sb_log(SB_LOG_INFO, "http.request", "status", st, "us", dur, "answered_by", "libmicrohttpd",
               NULL);
    } else {
        int status = cs->req.status ? cs->req.status
                                    : (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 0);
        sb_metrics_observe(&s->metrics, cs->route_index, status, us);
        snprintf(st, sizeof(st), "%d", status);
        snprintf(uid, sizeof(uid), "%lld", (long long)cs->req.scope.user_id);
        /* a refused path is not written out: its control characters would reach the log */
        sb_log(SB_LOG_INFO, "http.request", "method", cs->method, "path",
               cs->bad_target ? "(refused: control character)" : cs->path, "status", st, "us", dur,
               "user", uid, NULL);
    }
    sb_store_release(s->cfg.store, cs->req.db);
    if (cs->req.stream) /* the handler made a stream that was never sent */
        cs->req.stream->free(cs->req.stream_cls);
    json_decref(cs->req.error_details);
    free(cs->req.body);
    cs->req.body = NULL;
    sb_arena_free(cs->req.arena);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    sb_log(SB_LOG_WARN, "http.mhd", "message", msg, NULL);
}

/*
 * The listening socket is made here, not by libmicrohttpd, so that binding is ours to
 * judge (SEC2). No SO_REUSEPORT: with it a second server on the same address starts and
 * the kernel splits the connections between the two. SO_REUSEADDR only lets a restart
 * bind while old connections sit in TIME_WAIT; on Linux it never lets a socket bind
 * where another listens.
 */
static sb_err listen_on(const struct sockaddr_in *addr, const char *host, int *ret_fd)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return sb_fail(SB_EIO, "listen", "cannot make a socket: %s", strerror(errno));
    int one = 1;
    unsigned port = ntohs(addr->sin_port);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0 || listen(fd, SOMAXCONN) != 0) {
        int e = errno;
        close(fd);
        if (e == EADDRINUSE)
            return sb_fail(SB_EIO, "listen",
                           "%s:%u is already in use: another process (another stockbridge?)"
                           " listens there",
                           host, port);
        return sb_fail(SB_EIO, "listen", "cannot listen on %s:%u: %s", host, port, strerror(e));
    }
    *ret_fd = fd;
    return SB_OK;
}

sb_err sb_server_start(const struct sb_server_config *cfg, struct sb_server **ret)
{
    struct sb_server *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    s->cfg = *cfg;
    sb_err err = sb_server_config_defaults(&s->cfg);
    if (!err && !s->cfg.rate_off)
        err = sb_ratelimit_new(s->cfg.rate_per_minute, s->cfg.rate_burst, &s->rate);
    if (err) {
        free(s);
        return err;
    }
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(s->cfg.port) };
    if (inet_pton(AF_INET, s->cfg.host, &addr.sin_addr) != 1) {
        err = sb_fail(SB_EINVALID_FIELD, "listen", "not an IPv4 address: %s", s->cfg.host);
        sb_ratelimit_free(s->rate);
        free(s);
        return err;
    }
    int fd = -1;
    if ((err = listen_on(&addr, s->cfg.host, &fd))) {
        sb_ratelimit_free(s->rate);
        free(s);
        return err;
    }
    /*
     * Handlers block on the database (and, for writes, on the group commit), so
     * by default every connection gets its own thread: a slow request never holds
     * up another connection. threads > 0 selects a fixed pool instead.
     */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    unsigned pool = s->cfg.threads;
    flags |= pool ? MHD_USE_EPOLL : (MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL);
    struct MHD_OptionItem threading[] = {
        pool ? (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, pool, NULL }
             : (struct MHD_OptionItem){ MHD_OPTION_THREAD_STACK_SIZE, 512 * 1024, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_ARRAY, threading, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)s->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)s->cfg.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        s->cfg.conn_memory_limit, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        /* the socket is not closed here: on some of its failure paths libmicrohttpd has
         * closed it already, and the number may be in use again by now */
        err = sb_fail(SB_EIO, "listen", "the HTTP server did not start on %s:%u", s->cfg.host,
                      (unsigned)s->cfg.port);
        sb_ratelimit_free(s->rate);
        free(s);
        return err;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : s->cfg.port;
    *ret = s;
    return SB_OK;
}

uint16_t sb_server_port(const struct sb_server *s)
{
    return s->port;
}

struct sb_store *sb_server_store(const struct sb_server *s)
{
    return s->cfg.store;
}

struct sb_pipeline *sb_server_pipeline(const struct sb_server *s)
{
    return s->cfg.pipeline;
}

void sb_server_stop(struct sb_server *s)
{
    if (!s)
        return;
    /* open event streams see this within their next wait and end, so that stopping the
     * daemon (which joins every connection's thread) does not wait on them */
    atomic_store(&s->stopping, true);
    sb_bell_ring();
    MHD_stop_daemon(s->daemon);
    sb_ratelimit_free(s->rate);
    free(s);
}

bool sb_server_stopping(const struct sb_server *s)
{
    return atomic_load(&s->stopping);
}

sb_err sb_server_stream_enter(struct sb_server *s)
{
    if (s->cfg.threads)
        return sb_fail(SB_ETOO_MANY_STREAMS, NULL,
                       "event streams need a thread per connection (this server runs a pool)");
    unsigned n = atomic_load(&s->streams);
    do {
        if (n >= s->cfg.max_streams)
            return sb_fail(SB_ETOO_MANY_STREAMS, NULL,
                           "this node has %u event streams open, its limit: retry later", n);
    } while (!atomic_compare_exchange_weak(&s->streams, &n, n + 1));
    return SB_OK;
}

void sb_server_stream_leave(struct sb_server *s)
{
    atomic_fetch_sub(&s->streams, 1);
}

unsigned sb_server_stream_count(struct sb_server *s)
{
    return atomic_load(&s->streams);
}

unsigned sb_server_heartbeat_ms(const struct sb_server *s)
{
    return s->cfg.heartbeat_ms;
}

char *sb_server_metrics_text(struct sb_server *s, struct sb_arena *a, size_t *ret_len)
{
    return sb_metrics_render(&s->metrics, a, ret_len);
}

/* Shared request helpers (request.h) that need no knowledge of a resource. */

sb_err sb_reply(struct sb_req *r, int status, json_t *doc)
{
    r->status = status;
    r->resp = doc ? sb_arena_defer(r->arena, json_free, doc) : NULL;
    return doc || status == 204 ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

sb_err sb_reply_stream(struct sb_req *r, const struct sb_stream_ops *ops, void *cls)
{
    r->status = 200;
    r->stream = ops;
    r->stream_cls = cls;
    return SB_OK;
}

sb_err sb_reply_raw(struct sb_req *r, int status, const char *content_type, char *body, size_t len)
{
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->status = status;
    r->content_type = content_type;
    r->raw = body;
    r->raw_len = len;
    return SB_OK;
}

const char *sb_req_header(struct sb_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *sb_req_query(struct sb_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Whether addr (text) is one of the comma-separated addresses in list. */
static bool listed(const char *list, const char *addr, size_t len)
{
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n && n == len && strncmp(p, addr, len) == 0)
            return true;
        p += n;
    }
    return false;
}

/* The address text of a socket address, or "" when it is neither IPv4 nor IPv6. */
static void address_text(const struct sockaddr *sa, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (sa && sa->sa_family == AF_INET)
        (void)inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                        (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        (void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                        (socklen_t)cap);
}

/*
 * The client's address. Behind a trusted reverse proxy (STOCKBRIDGE_TRUSTED_PROXIES) it is
 * the right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further
 * left were written by the client, and may be anything); otherwise the peer's address, and
 * X-Forwarded-For is ignored, so a client cannot pick its own address.
 */
const char *sb_req_client_address(struct sb_req *r)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN];
    address_text(info ? info->client_addr : NULL, peer, sizeof(peer));
    const char *proxies = r->server->cfg.trusted_proxies;
    const char *xff = sb_req_header(r, "X-Forwarded-For");
    if (!proxies || !xff || !listed(proxies, peer, strlen(peer)))
        return sb_arena_strdup(r->arena, peer);
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        const char *a = start, *b = end;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        char entry[INET6_ADDRSTRLEN];
        unsigned char bin[sizeof(struct in6_addr)];
        size_t n = (size_t)(b - a);
        if (n == 0 || n >= sizeof(entry))
            break;
        memcpy(entry, a, n);
        entry[n] = '\0';
        if (inet_pton(AF_INET, entry, bin) != 1 && inet_pton(AF_INET6, entry, bin) != 1)
            break; /* not an address: the proxy did not write it */
        if (!listed(proxies, entry, n))
            return sb_arena_strdup(r->arena, entry);
        end = start > xff ? start - 1 : xff;
    }
    return sb_arena_strdup(r->arena, peer);
}
