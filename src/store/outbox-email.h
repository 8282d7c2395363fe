/*
 * N4: a new web order's email to the outlet's staff, queued in the outbox in the import's
 * transaction (so a mail server that is down delays it and loses nothing), at most once per
 * order (a unique index on the channel and the order's id for kind "email").
 */
#ifndef SB_STORE_OUTBOX_EMAIL_H
#define SB_STORE_OUTBOX_EMAIL_H

#include "store/db.h"

#include <stdint.h>

/*
 * Queues the email of sale_id (just imported from order order_ref of the channel) to the
 * addresses of recipients (a list checked by sb_email_list_split). The payload holds what
 * the message says, read from the sale as it was recorded: {to: [..], number, outlet,
 * currency, total, lines: [{description, sku, quantity, line_total}], ship_to: {name,
 * company, line1, line2, city, region, postcode, country, method} or null, sale_id,
 * fulfillment_id}. A second call for the same order queues nothing. In the caller's
 * transaction.
 */
sb_err sb_store_outbox_order_email(struct sb_db *db, int64_t channel_id, const char *order_ref,
                                   int64_t sale_id, const char *recipients);

#endif
