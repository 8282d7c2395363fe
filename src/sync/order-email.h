/*
 * N4: a new web order's email (the outbox's "email" calls, queued by
 * store/outbox-email.c), written from the row's payload and sent over SMTP to the
 * server set by STOCKBRIDGE_SMTP_URL (smtp://host:port) from STOCKBRIDGE_SMTP_FROM; the
 * fulfillment's link starts with STOCKBRIDGE_PUBLIC_URL when that is set.
 */
#ifndef SB_SYNC_ORDER_EMAIL_H
#define SB_SYNC_ORDER_EMAIL_H

#include "util/err.h"

#include <jansson.h>
#include <stdint.h>

/* Sends the email of the outbox row (channel, the order's ref, its payload). No mail server
 * configured, or one that cannot take it now, is SB_EIO (retried); a message the server
 * refuses for good, or a payload that cannot make one, SB_EINVALID_FIELD (parked). */
sb_err sb_order_email_send(int64_t channel_id, const char *ref, json_t *payload);

#endif
