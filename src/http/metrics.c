/*
 * Prometheus metrics. Counters are atomics indexed by route and by a fixed
 * list of statuses, so observing a request takes no lock.
 */
#include "http/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int statuses[SB_METRICS_STATUSES] = { 200, 201, 204, 400, 401, 403, 404, 405,
                                                   409, 413, 415, 422, 500, 503, 0,   0 };
static const uint64_t bounds_us[SB_METRICS_BUCKETS] = { 250,    500,    1000,   2500,
                                                        5000,   10000,  25000,  50000,
                                                        100000, 250000, 500000, 1000000 };

static int status_index(int status)
{
    for (int i = 0; i < SB_METRICS_STATUSES - 1; i++)
        if (statuses[i] == status)
            return i;
    return SB_METRICS_STATUSES - 1; /* other */
}

void sb_metrics_observe(struct sb_metrics *m, int route_index, int status, uint64_t micros)
{
    size_t ri = route_index < 0 || route_index >= SB_METRICS_MAX_ROUTES ? SB_METRICS_MAX_ROUTES
                                                                        : (size_t)route_index;
    atomic_fetch_add_explicit(&m->requests[ri][status_index(status)], 1, memory_order_relaxed);
    int b = 0;
    while (b < SB_METRICS_BUCKETS && micros > bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, micros, memory_order_relaxed);
}

void sb_metrics_storage_error(struct sb_metrics *m)
{
    atomic_fetch_add_explicit(&m->storage_errors, 1, memory_order_relaxed);
}

struct out {
    char *buf;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n;
        char *nb = realloc(o->buf, cap);
        if (!nb)
            return;
        o->buf = nb;
        o->cap = cap;
    }
}

char *sb_metrics_render(struct sb_metrics *m, struct sb_arena *a, size_t *ret_len)
{
    struct out o = { .buf = malloc(8192), .cap = 8192 };
    if (!o.buf)
        return NULL;
    size_t nroutes;
    const struct sb_route *routes = sb_routes(&nroutes);
    put(&o, "# HELP stockbridge_http_requests_total HTTP requests by route and status.\n"
            "# TYPE stockbridge_http_requests_total counter\n");
    for (size_t r = 0; r <= SB_METRICS_MAX_ROUTES; r++) {
        if (r < SB_METRICS_MAX_ROUTES && r >= nroutes)
            continue;
        for (int s = 0; s < SB_METRICS_STATUSES; s++) {
            uint64_t n = atomic_load_explicit(&m->requests[r][s], memory_order_relaxed);
            if (!n)
                continue;
            char status[8];
            if (statuses[s])
                snprintf(status, sizeof(status), "%d", statuses[s]);
            else
                snprintf(status, sizeof(status), "other");
            if (r < nroutes)
                put(&o,
                    "stockbridge_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} "
                    "%llu\n",
                    routes[r].method, routes[r].pattern, status, (unsigned long long)n);
            else
                put(&o,
                    "stockbridge_http_requests_total{method=\"\",route=\"unmatched\","
                    "status=\"%s\"} %llu\n",
                    status, (unsigned long long)n);
        }
    }
    put(&o, "# HELP stockbridge_http_request_duration_seconds Time to answer a request.\n"
            "# TYPE stockbridge_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b <= SB_METRICS_BUCKETS; b++) {
        cum += atomic_load_explicit(&m->buckets[b], memory_order_relaxed);
        if (b < SB_METRICS_BUCKETS)
            put(&o, "stockbridge_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                (double)bounds_us[b] / 1e6, (unsigned long long)cum);
        else
            put(&o, "stockbridge_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                (unsigned long long)cum);
    }
    uint64_t sum = atomic_load_explicit(&m->sum_us, memory_order_relaxed);
    put(&o, "stockbridge_http_request_duration_seconds_sum %llu.%06llu\n",
        (unsigned long long)(sum / 1000000), (unsigned long long)(sum % 1000000));
    put(&o, "stockbridge_http_request_duration_seconds_count %llu\n", (unsigned long long)cum);
    put(&o,
        "# HELP stockbridge_storage_errors_total Storage failures seen by requests.\n"
        "# TYPE stockbridge_storage_errors_total counter\n"
        "stockbridge_storage_errors_total %llu\n",
        (unsigned long long)atomic_load_explicit(&m->storage_errors, memory_order_relaxed));
    char *text = sb_arena_strndup(a, o.buf, o.len);
    *ret_len = o.len;
    free(o.buf);
    return text;
}
