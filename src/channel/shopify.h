/*
 * The pieces of the Shopify adapter (shopify.c) that are pure functions,
 * exposed so tests can check them without a network: the two order
 * parsers (REST webhook body, GraphQL node), the gateway table, the
 * throttling arithmetic and the poll cursor.
 */
#ifndef SB_CHANNEL_SHOPIFY_H
#define SB_CHANNEL_SHOPIFY_H

#include "channel/channel.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SB_SHOPIFY_API_VERSION "2025-01"
#define SB_SHOPIFY_MAX_LINES   500
#define SB_SHOPIFY_PAGE_SIZE   50
#define SB_SHOPIFY_MAX_RETRIES 3     /* throttled or 429: retries before SB_EBUSY */
#define SB_SHOPIFY_MAX_WAIT_MS 10000 /* one wait never exceeds this */

/* An order in the REST shape (webhook body) or as a GraphQL Order node. The
 * object must stay alive as long as the arena: strings are borrowed from it. */
sb_err sb_shopify_parse_rest_order(json_t *obj, struct sb_arena *a, struct sb_order **ret);
sb_err sb_shopify_parse_gql_order(json_t *node, struct sb_arena *a, struct sb_order **ret);

/* P1/P3: the payment type for a gateway name (NULL or "": "Shopify"); unknown gateways
 * are named as given. *ret_integrated (may be NULL) false for offline methods. */
const char *sb_shopify_payment_type(const char *gateway, bool *ret_integrated);

/* How long to wait after a THROTTLED answer: the time the bucket needs to hold the
 * query's requested cost at the restore rate, rounded up, at most
 * SB_SHOPIFY_MAX_WAIT_MS; 1 s when the figures are missing or absurd (negative, NaN). */
uint64_t sb_shopify_throttle_wait_ms(double requested, double available, double restore_rate);
/* The wait a Retry-After header asks for (seconds, capped); 1 s when absent or not a
 * number of seconds. */
uint64_t sb_shopify_retry_after_ms(const char *retry_after);

/*
 * The poll cursor, stored by the pipeline between polls. Either empty/NULL
 * (never polled), "SINCE" (an ISO 8601 UTC time: the newest updatedAt seen),
 * or "SINCE|MAX|AFTER" while a poll is paging: the lower bound the pages were
 * asked with, the newest updatedAt seen so far, and Shopify's endCursor
 * (opaque, last so it may hold anything).
 */
struct sb_shopify_cursor {
    int64_t since;     /* 0: none */
    int64_t max;       /* 0: none */
    const char *after; /* NULL: first page */
};
sb_err sb_shopify_cursor_parse(const char *text, struct sb_arena *a, struct sb_shopify_cursor *ret);
const char *sb_shopify_cursor_format(const struct sb_shopify_cursor *c, struct sb_arena *a);

/* The numeric tail of a gid ("gid://shopify/Order/450789469" -> "450789469"), or NULL. */
const char *sb_shopify_gid_tail(const char *gid, const char *type, struct sb_arena *a);

#endif
