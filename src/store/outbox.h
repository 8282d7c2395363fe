/*
 * The transactional outbox (portable SQL): every call stockbridge must make
 * to a channel is first a row written in the same transaction as the change
 * that needs it (a shipment marked shipped, a channel sale voided in the POS).
 * The dispatcher (sync/dispatcher.c) sends due rows through the adapter and
 * settles each here: done, retried later, or parked with its error (the
 * outbox's retry policy, core/retry.c). Nothing is lost across a crash: an
 * unsent row is still there at the next start.
 */
#ifndef SB_STORE_OUTBOX_H
#define SB_STORE_OUTBOX_H

#include "store/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds of call (sync/dispatcher.c maps each to the adapter's operation). */
#define SB_OUTBOX_FULFILLMENT "fulfillment" /* S3: payload {tracking_number, tracking_company} */
#define SB_OUTBOX_CANCEL      "cancel"      /* S1: payload {reason} */
/* An order came down (a kind with SB_CH_AFTER_DOWNLOAD): payload {sale_id}. */
#define SB_OUTBOX_AFTER_DOWNLOAD "after_download"
/* A return made in the POS (push_refunds on): payload {return_id, amount, note, lines:
 * [{line, quantity, amount, restock}]}. */
#define SB_OUTBOX_REFUND "refund"
/* A fulfillment moved in the POS (push_statuses on): payload {status}, the fulfillment's
 * new status; the channel's status table says whether and as what it travels. */
#define SB_OUTBOX_STATUS "status"
/* The channel connects as an app (SB_CH_CONNECT): its access checked and its webhooks set
 * up (sync/connect.h); payload {}. Queued when a channel is created or changed. */
#define SB_OUTBOX_CONNECT "connect"
/* N4: a new web order emailed to the channel's recipients (sync/mail.c sends it over SMTP,
 * needing no capability of the channel); ref is the order's id, once per order; payload as
 * store/outbox-email.h writes it. */
#define SB_OUTBOX_EMAIL "email"

/* The calls are queued by the store actions that need them (store/outbox-queue.c: a
 * voided web sale, a shipped shipment, the last fulfillment shipped). */

/* An outbox call to send; the strings are malloc'd (sb_due_call_clear). */
struct sb_due_call {
    int64_t id, channel_id, attempts;
    char *kind, *ref, *payload;
};

/* Up to cap of the channel's calls due at now (ISO 8601 UTC), oldest first (the channels
 * with some due: store/due.h). */
sb_err sb_store_calls_due(struct sb_db *db, int64_t channel_id, const char *now,
                          struct sb_due_call *out, size_t cap, size_t *ret_n);
void sb_due_call_clear(struct sb_due_call *c);

/* The call went through at now, at its attempts-th try: a pending row becomes done (a
 * row already settled, by whichever node, stays as it is). */
sb_err sb_store_call_sent(struct sb_db *db, int64_t id, int64_t attempts, const char *now);
/* It failed: attempts so far, and either pending until next_at or parked, with the
 * error. */
sb_err sb_store_call_failed(struct sb_db *db, int64_t id, int64_t attempts, bool parked,
                            const char *next_at, const char *error);

#endif
