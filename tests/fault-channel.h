/*
 * A failing channel, for tests: an in-process adapter (a const struct
 * sb_channel_ops) that stands in for the Shopify adapter once installed
 * (sb_channel_register), so the pipeline's and the stock dispatcher's fault
 * handling can be tested below the network. It verifies and parses webhooks
 * with the real Shopify code (tests sign real bodies), and plays the shop
 * for everything that would go over the network: orders to fetch and poll
 * (put there by the test), items found by SKU, stock set and read, prices,
 * fulfillments and cancellations taken.
 *
 * Each call can be made to fail or stall on demand, per channel and per
 * operation: a transient failure (an HTTP 5xx: SB_EIO), rate limited (what
 * the adapters answer once their own waiting is exhausted: SB_EBUSY), a bad
 * payload (SB_EINVALID_JSON: permanent), or a stall that holds the calling
 * thread until the test releases it.
 *
 * State is per process, for channels 1 to FC_MAX_CHANNELS.
 */
#ifndef SB_TEST_FAULT_CHANNEL_H
#define SB_TEST_FAULT_CHANNEL_H

#include "channel/channel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FC_MAX_CHANNELS 4
#define FC_LOCATION     "loc-1" /* the one location every item is stocked at */

enum fc_op {
    FC_PARSE, /* parse_event */
    FC_FETCH,
    FC_POLL,
    FC_FIND,
    FC_PUSH_STOCK,
    FC_PUSH_PRICES,
    FC_READ_STOCK,
    FC_PUSH_FULFILLMENT,
    FC_PUSH_CANCEL,
    FC_OPS
};

enum fc_fault {
    FC_OK,
    FC_TRANSIENT,    /* SB_EIO "the shop answered HTTP 503" */
    FC_RATE_LIMITED, /* SB_EBUSY "the shop is rate limiting" */
    FC_BAD_PAYLOAD,  /* SB_EINVALID_JSON "the shop's answer is not an order" */
    FC_STALL,        /* holds the call until fault_channel_release, then goes on */
};

/* Registers the adapter (kind "shopify") and forgets every channel's state. */
void fault_channel_install(void);
/* After install, before the server starts: the adapter's capability bits (FC_CAPS: all it
 * has) and push batch (FC_PUSH_BATCH by default) from now on, to show that the engine
 * goes by them alone. */
#define FC_CAPS \
    (SB_CH_WEBHOOKS | SB_CH_POLL | SB_CH_FULFILL | SB_CH_CANCEL | SB_CH_STOCK | SB_CH_PRICES)
#define FC_PUSH_BATCH 250 /* as Shopify's */
void fault_channel_shape(unsigned caps, size_t push_batch);

/* The next `times` calls of op on the channel fail (or stall) that way; times < 0: every
 * call until set again. FC_OK clears. */
void fault_channel_set(int64_t channel, enum fc_op op, enum fc_fault fault, int times);
/* Waits (bounded: false after timeout_ms) until a call of op is held by a stall. */
bool fault_channel_wait_stalled(int64_t channel, enum fc_op op, int timeout_ms);
/* Lets every held call of the channel go on, and stalls no more. */
void fault_channel_release(int64_t channel);
/* Calls of op made on the channel so far (failed ones too). */
long fault_channel_calls(int64_t channel, enum fc_op op);
/* Waits (bounded: false after timeout_ms) until n calls of op on the channel have
 * returned, failed ones too: a signal to wait on instead of a sleep. */
bool fault_channel_wait_done(int64_t channel, enum fc_op op, long n, int timeout_ms);

/* An order the shop holds, as a Shopify REST order (JSON text, copied): what fetch_order
 * and poll_orders answer for it. A second put of the same id replaces it. */
void fault_channel_put_order(int64_t channel, const char *external_id, const char *json);

/* The shop's stock of a SKU at FC_LOCATION; find_items finds only SKUs that have one. */
void fault_channel_set_stock(int64_t channel, const char *sku, int64_t available);
/* The shop's stock of a SKU now; -1 when it has none. */
int64_t fault_channel_stock(int64_t channel, const char *sku);
/* Waits (bounded: false after timeout_ms) until the shop's stock of a SKU is `want`. */
bool fault_channel_wait_stock(int64_t channel, const char *sku, int64_t want, int timeout_ms);
/* Levels the shop took, in all, and for one SKU. */
long fault_channel_levels_taken(int64_t channel, const char *sku);
/* Fulfillments and cancellations the shop took, for an order. */
long fault_channel_fulfillments(int64_t channel, const char *external_id);
long fault_channel_cancels(int64_t channel, const char *external_id);

#endif
