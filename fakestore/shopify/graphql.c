/*
 * The Admin GraphQL endpoint, POST /admin/api/{version}/graphql.json: what
 * happens to a request around its operation (the operations themselves are
 * in graphql-ops.c). In order: an injected fault (a status, a delay, a cut
 * connection), the access token, the body's shape, the operation named by
 * operationName (or the document's first) and declared by the document,
 * its variables (checked by the operation; wrong ones cost nothing), then
 * the leaky-bucket cost budget: a query is admitted when its requested cost
 * fits what is available, and the difference to its actual cost is given
 * back; otherwise THROTTLED, or MAX_COST_EXCEEDED when it could never fit
 * (above the bucket, or above Shopify's 1000 for one query). Faults may be
 * aimed at some operations and start after a number of their calls.
 * Every call is counted and remembered for GET /_fake/requests. Webhooks a
 * mutation raises are queued, not waited for: on Shopify they are
 * asynchronous.
 */
#include "graphql.h"
#include "app.h"

#include "util/log.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_RECENT       100  /* GraphQL calls remembered for GET /_fake/requests */
#define SINGLE_QUERY_MAX 1000 /* Shopify's cap on one query's requested cost */

/* ---------------------------------------------------------------- the operation a document names */

/* The name of the first operation the document declares, "" when none. */
static void first_operation(const char *q, char *out, size_t cap)
{
    out[0] = '\0';
    const char *p = q;
    while (*p) {
        if (!is_ident(*p) || (p > q && is_ident(p[-1]))) {
            p++;
            continue;
        }
        const char *w = p;
        while (is_ident(*p))
            p++;
        size_t wl = (size_t)(p - w);
        if ((wl == 5 && memcmp(w, "query", 5) == 0) || (wl == 8 && memcmp(w, "mutation", 8) == 0)) {
            while (is_space(*p))
                p++;
            const char *nm = p;
            while (is_ident(*p))
                p++;
            size_t nl = (size_t)(p - nm);
            if (nl && nl < cap) {
                memcpy(out, nm, nl);
                out[nl] = '\0';
            }
            return;
        }
    }
}

/* A top-level error, {"message", "extensions": {"code"}}. */
void fs_gql_error(struct gql *g, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(g->errors,
                          json_pack("{s:s,s:{s:s}}", "message", msg, "extensions", "code", code));
}

/* ---------------------------------------------------------------- cost budget */

/* The budget refills at restoreRate points a second up to maximumAvailable. */
void fs_bucket_refill(struct fs_shop *s)
{
    uint64_t now = sb_clock_ns();
    s->available += (double)(now - s->bucket_ns) / 1e9 * s->restore;
    s->bucket_ns = now;
    if (s->available > s->budget)
        s->available = s->budget;
}

static json_t *cost_json(struct fs_shop *s, int requested, int actual)
{
    return json_pack("{s:{s:i,s:o,s:{s:f,s:I,s:f}}}", "cost", "requestedQueryCost", requested,
                     "actualQueryCost", actual < 0 ? json_null() : json_integer(actual),
                     "throttleStatus", "maximumAvailable", s->budget, "currentlyAvailable",
                     (json_int_t)s->available, "restoreRate", s->restore);
}

/* ---------------------------------------------------------------- the request log */

static void count_op(struct fs_shop *s, const char *name)
{
    for (size_t i = 0; i < s->n_ops; i++)
        if (strcmp(s->ops[i].name, name) == 0) {
            s->ops[i].n++;
            return;
        }
    size_t i = s->n_ops < MAX_OPS ? s->n_ops++ : MAX_OPS - 1;
    if (i == MAX_OPS - 1)
        snprintf(s->ops[i].name, sizeof(s->ops[i].name), "(other)");
    else
        snprintf(s->ops[i].name, sizeof(s->ops[i].name), "%s", name);
    s->ops[i].n++;
}

static void remember(struct fs_shop *s, const char *op, json_t *vars, int status,
                     const char *outcome)
{
    if (json_array_size(s->recent) >= MAX_RECENT)
        json_array_remove(s->recent, 0);
    char ts[SB_TIME_LEN];
    sb_time_format(sb_time_now(), ts, sizeof(ts));
    json_array_append_new(s->recent,
                          json_pack("{s:s,s:o,s:i,s:s,s:s}", "operation", op, "variables",
                                    json_is_object(vars) ? json_deep_copy(vars) : json_null(),
                                    "status", status, "outcome", outcome, "at", ts));
}

/* ---------------------------------------------------------------- the endpoint */

/* A fault set with "operations" applies to those operations only. */
static bool fault_applies(const struct gql_fault *f, const char *op)
{
    if (!f->n_ops)
        return true;
    for (size_t i = 0; i < f->n_ops; i++)
        if (strcmp(f->ops[i], op) == 0)
            return true;
    return false;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static bool token_ok(const char *given, const char *want)
{
    if (!given)
        return false;
    size_t n = strlen(given), m = strlen(want);
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n && i < m; i++)
        diff |= (unsigned char)(given[i] ^ want[i]);
    return diff == 0;
}

void fs_handle_graphql(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp)
{
    json_t *doc =
        req->body_len ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const char *query = json_string_value(json_object_get(doc, "query"));
    json_t *opn = json_object_get(doc, "operationName");
    json_t *vars = json_object_get(doc, "variables");
    char opname[64] = "";
    if (json_is_string(opn) && json_string_length(opn) < sizeof(opname))
        snprintf(opname, sizeof(opname), "%s", json_string_value(opn));
    else if (query && (!opn || json_is_null(opn)))
        first_operation(query, opname, sizeof(opname));
    const char *label = opname[0] ? opname : "(unnamed)";
    fs_app_version(s, req->path, resp->api_version, sizeof(resp->api_version));

    pthread_mutex_lock(&s->mu);
    s->gql_total++;
    count_op(s, label);
    struct gql_fault f = { 0 };
    bool hit = (s->gfault.count > 0 || s->gfault.throttle > 0) && fault_applies(&s->gfault, label);
    if (hit && s->gfault.after > 0) {
        s->gfault.after--;
        hit = false;
    }
    if (hit && s->gfault.count > 0) {
        f = s->gfault;
        if (--s->gfault.count == 0)
            s->gfault.status = s->gfault.delay_ms = 0, s->gfault.cut = false;
    }
    pthread_mutex_unlock(&s->mu);

    if (f.delay_ms > 0)
        sleep_ms(f.delay_ms);
    if (f.cut || f.status) {
        pthread_mutex_lock(&s->mu);
        s->gql_faulted++;
        remember(s, label, vars, f.cut ? 0 : f.status, f.cut ? "cut" : "fault_status");
        pthread_mutex_unlock(&s->mu);
        if (f.cut) {
            resp->cut = true;
        } else if (f.status == 429) {
            snprintf(resp->retry_after, sizeof(resp->retry_after), "1.0");
            fs_respond(resp, 429,
                       json_pack("{s:s}", "errors",
                                 "Exceeded 2 calls per second for api client. Reduce "
                                 "request rates to resume uninterrupted service."));
        } else {
            fs_respond(resp, f.status,
                       json_pack("{s:s}", "errors",
                                 f.status >= 500 ? "Internal Server Error" : "Bad Request"));
        }
        json_decref(doc);
        return;
    }

    pthread_mutex_lock(&s->mu);
    bool authorized = token_ok(req->token, s->token); /* the token may change: compare locked */
    pthread_mutex_unlock(&s->mu);
    if (!authorized) {
        pthread_mutex_lock(&s->mu);
        s->gql_unauthorized++;
        remember(s, label, vars, 401, "unauthorized");
        pthread_mutex_unlock(&s->mu);
        fs_respond(resp, 401,
                   json_pack("{s:s}", "errors",
                             "[API] Invalid API key or access token (unrecognized login or wrong "
                             "password)"));
        json_decref(doc);
        return;
    }
    if (req->content_type && strncasecmp(req->content_type, "application/json", 16) != 0) {
        fs_respond(resp, 415,
                   json_pack("{s:s}", "errors", "Content-Type must be application/json"));
        json_decref(doc);
        return;
    }
    if (!json_is_object(doc) || !query || (vars && !json_is_null(vars) && !json_is_object(vars)) ||
        (opn && !json_is_null(opn) && !json_is_string(opn))) {
        pthread_mutex_lock(&s->mu);
        s->gql_errors++;
        remember(s, label, NULL, 400, "bad_request");
        pthread_mutex_unlock(&s->mu);
        fs_respond(
            resp, 400,
            json_pack("{s:{s:s}}", "errors", "query", "Required parameter missing or invalid"));
        json_decref(doc);
        return;
    }

    /* the version the URL names, served as fs_gql_version_served says */
    /* the version the app answers for (app.c: the shop's served versions, the header), whose
     * schema validates the document: the nearest the fakestore has (fs_gql_version_served) */
    const char *version = fs_gql_version_served(resp->api_version, strlen(resp->api_version));
    const struct sb_gql_schema *schema = NULL;
    if (fs_gql_schema_for(version, &schema)) {
        char msg[512];
        snprintf(msg, sizeof(msg), "fakestore: the Admin schema %s cannot be loaded: %s", version,
                 sb_err_last()->message);
        sb_log(SB_LOG_ERROR, "fakestore.graphql", "message", msg, NULL);
        fs_respond(resp, 503, json_pack("{s:s}", "errors", msg));
        json_decref(doc);
        return;
    }

    json_t *empty = json_object();
    struct gql g = {
        .s = s,
        .query = query,
        .host = req->host,
        .vars = json_is_object(vars) ? vars : empty,
        .errors = json_array(),
        .version = version,
        .warnings = json_array(),
    };
    struct sb_arena *arena = sb_arena_new();
    struct sb_gql_request prepared;
    sb_err perr =
        arena ? sb_gql_prepare(schema, query, json_string_length(json_object_get(doc, "query")),
                               opname[0] && json_is_string(opn) ? opname : NULL, g.vars, NULL,
                               arena, g.errors, &prepared)
              : SB_ENOMEM;
    pthread_mutex_lock(&s->mu);
    json_t *answer = NULL;
    const char *outcome = "errors";
    g.requested = perr ? 0 : (int)(prepared.cost > INT32_MAX ? INT32_MAX : prepared.cost);
    if (perr == SB_ENOMEM) {
        fs_gql_error(&g, "INTERNAL_SERVER_ERROR", "out of memory");
    } else if (!perr) {
        fs_bucket_refill(s);
        /* One query may cost at most 1000 whatever the plan, and never more than the bucket. */
        double max_cost = s->budget < SINGLE_QUERY_MAX ? s->budget : SINGLE_QUERY_MAX;
        bool throttle = hit && s->gfault.throttle > 0;
        if (g.requested > max_cost) {
            json_t *errs = json_array();
            sb_gql_cost_error(errs, g.requested, (int64_t)max_cost);
            answer =
                json_pack("{s:o,s:o}", "errors", errs, "extensions", cost_json(s, g.requested, -1));
            outcome = "max_cost_exceeded";
        } else if (throttle || (double)g.requested > s->available) {
            if (throttle)
                s->gfault.throttle--;
            s->gql_throttled++;
            answer = json_pack("{s:[{s:s,s:{s:s,s:s}}],s:o}", "errors", "message", "Throttled",
                               "extensions", "code", "THROTTLED", "documentation",
                               "https://shopify.dev/api/usage/rate-limits", "extensions",
                               cost_json(s, g.requested, -1));
            outcome = "throttled";
        } else {
            s->available -= g.requested;
            struct sb_gql_resolver r;
            json_t *data = NULL, *field_errors = json_array();
            if (sb_gql_execute(&prepared, fs_gql_resolver(&g, &r), arena, field_errors, &data))
                fs_gql_error(&g, "INTERNAL_SERVER_ERROR", "out of memory");
            if (json_array_size(g.errors)) {
                /* arguments an operation refused: the request is refused, charged nothing */
                s->available += g.requested;
                if (s->available > s->budget)
                    s->available = s->budget;
                json_decref(data);
                json_decref(field_errors);
                goto refused;
            }
            int64_t actual = g.requested;
            json_t *cost_errors = json_array();
            if (sb_gql_actual_cost(&prepared, data, cost_errors, &actual) || actual > g.requested)
                actual = g.requested;
            json_decref(cost_errors);
            g.actual = (int)actual;
            s->available += g.requested - g.actual;
            if (s->available > s->budget)
                s->available = s->budget;
            json_t *ext = cost_json(s, g.requested, g.actual);
            if (json_array_size(g.warnings))
                json_object_set(ext, "search", g.warnings);
            answer = json_pack("{s:o,s:o}", "data", data ? data : json_null(), "extensions", ext);
            if (json_array_size(field_errors))
                json_object_set(answer, "errors", field_errors);
            json_decref(field_errors);
            outcome = "ok";
            fs_enqueue(s, &g.ev, NULL, 0, false, false);
        }
    }
refused:
    if (!answer) {
        s->gql_errors++;
        /* a request refused costs nothing, and says what the bucket holds */
        answer = json_pack("{s:O,s:o}", "errors", g.errors, "extensions", cost_json(s, 0, 0));
    }
    /* The request log keeps variables of ordinary size only. */
    remember(s, label, req->body_len <= 8192 ? g.vars : NULL, 200, outcome);
    pthread_mutex_unlock(&s->mu);
    char cost[16];
    snprintf(cost, sizeof(cost), "%d", g.requested);
    sb_log(SB_LOG_INFO, "fakestore.graphql", "operation", label, "outcome", outcome, "cost", cost,
           NULL);
    fs_ev_clear(&g.ev);
    sb_arena_free(arena);
    json_decref(g.warnings);
    json_decref(g.errors);
    json_decref(empty);
    json_decref(doc);
    fs_respond(resp, 200, answer);
}
