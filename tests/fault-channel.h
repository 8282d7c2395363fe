/*
 * The test channel kind "fault", for the pipeline's own tests: an in-process
 * kind in the table's terms (a struct sb_channel_ops with its own
 * credentials, settings and status table, held to its capability bits by
 * sb_channel_kind_check like any other), registered for tests only
 * (sb_channel_register), so the pipeline's and the stock dispatcher's fault
 * handling can be tested below the network, the way SQLite tests through a
 * VFS shim. Its webhooks speak Shopify's wire (it verifies and parses them
 * with the Shopify code: tests sign real bodies); everything that would go
 * over the network it answers from memory: orders to fetch, poll and export
 * (put there by the test), items found by SKU, stock set and read, prices,
 * fulfillments, cancellations, refunds, statuses and after-download calls
 * taken. Channels of this kind are created with kind "fault" and the
 * credentials {"shop": any name, "webhook_secret": the secret tests sign
 * with}.
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
    FC_AFTER_DOWNLOAD,
    FC_PUSH_REFUND,
    FC_PUSH_STATUS,
    FC_LIST_EXPORTED,
    FC_ACKNOWLEDGE,
    FC_OPS
};

enum fc_fault {
    FC_OK,
    FC_TRANSIENT,    /* SB_EIO "the shop answered HTTP 503" */
    FC_RATE_LIMITED, /* SB_EBUSY "the shop is rate limiting" */
    FC_BAD_PAYLOAD,  /* SB_EINVALID_JSON "the shop's answer is not an order" */
    FC_STALL,        /* holds the call until fault_channel_release, then goes on */
};

#define FC_KIND "fault"

/* Registers the kind "fault" and forgets every channel's state. */
void fault_channel_install(void);
/* After install, before the server starts: the kind's capability bits (FC_CAPS by
 * default; FC_HOOKS are the hooks it can also have) and push batch (FC_PUSH_BATCH by
 * default) from now on, to show that the engine goes by them alone. The kind stays whole
 * in the table's terms: an operation whose bit is off is taken away with it, and its
 * settings and status table follow the bits (push_refunds with SB_CH_REFUND, push_statuses
 * and the OUT rows with SB_CH_STATUS_OUT, the IN rows with SB_CH_STATUS_IN, import_as,
 * reserve_order_inventory and create_order_deposits with SB_CH_RESERVE). */
#define FC_CAPS                                                                               \
    (SB_CH_WEBHOOKS | SB_CH_POLL | SB_CH_FETCH | SB_CH_FULFILL | SB_CH_CANCEL | SB_CH_STOCK | \
     SB_CH_PRICES)
#define FC_HOOKS                                                                               \
    (SB_CH_AFTER_DOWNLOAD | SB_CH_REFUND | SB_CH_EXPORT | SB_CH_STATUS_IN | SB_CH_STATUS_OUT | \
     SB_CH_RESERVE)
#define FC_PUSH_BATCH 250 /* as Shopify's */
void fault_channel_shape(unsigned caps, size_t push_batch);
/* The kind as it is now (for sb_channel_kind_check). */
const struct sb_channel_ops *fault_channel_ops(void);

/* Its status table: "canceled" and "paid" come in; "paid", "ready_for_pickup" (a packed
 * pickup), "shipped" and "picked_up" go out. An order's raw status is its JSON's
 * "fc_status" member. */

/* The kind's state for a channel (ops open, close): how many times it was opened for the
 * channel, and whether every call that reached the shop carried that one state. */
long fault_channel_opens(int64_t channel);
bool fault_channel_one_state(int64_t channel);

/* Orders the shop offers for export (SB_CH_EXPORT): list_exported answers them until they
 * are acknowledged. The same JSON as fault_channel_put_order. */
void fault_channel_export(int64_t channel, const char *external_id, const char *json);
/* Acknowledgements taken for an order. */
long fault_channel_acknowledged(int64_t channel, const char *external_id);
/* The last refund, status or after-download call taken for an order, as JSON text
 * ({"amount", "return_id", "lines": [{"line", "quantity", "amount", "restock"}]},
 * {"status", "pos"}, {"sale_id"}); NULL when none. The caller frees it. */
char *fault_channel_last(int64_t channel, enum fc_op op, const char *external_id);

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
