/*
 * Request counters by route and status, a latency histogram and a storage
 * error counter, all lock-free atomics, rendered as Prometheus text.
 */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include "http/request.h"

#include <stdatomic.h>
#include <stdint.h>

#define SB_METRICS_MAX_ROUTES 160
#define SB_METRICS_STATUSES   16
#define SB_METRICS_BUCKETS    12

struct sb_metrics {
    atomic_uint_fast64_t requests[SB_METRICS_MAX_ROUTES + 1][SB_METRICS_STATUSES];
    atomic_uint_fast64_t buckets[SB_METRICS_BUCKETS + 1];
    atomic_uint_fast64_t sum_us;
    atomic_uint_fast64_t storage_errors;
};

/* route_index is the route's position in sb_routes(), or -1 when none matched. */
void sb_metrics_observe(struct sb_metrics *m, int route_index, int status, uint64_t micros);
void sb_metrics_storage_error(struct sb_metrics *m);
char *sb_metrics_render(struct sb_metrics *m, struct sb_arena *a, size_t *ret_len);

#endif
