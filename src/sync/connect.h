/*
 * The connection of a channel whose kind connects as an app (SB_CH_CONNECT):
 * the check that its access covers what its settings turn on and that what
 * the channel must do for us is set up (Shopify: scopes, webhook
 * subscriptions), made through the outbox when the channel is created or
 * changed, on demand (POST /api/v1/channels/{id}/connect), and again by the
 * poller every STOCKBRIDGE_CONNECT_MINUTES (default 60); and the adapter's
 * notices (another API version answering), logged once per change.
 */
#ifndef SB_SYNC_CONNECT_H
#define SB_SYNC_CONNECT_H

#include "channel/channel.h"
#include "store/store.h"
#include "sync/channel-cache.h"

#include <jansson.h>

/* Queues the outbox's "connect" call for a channel of this kind whose settings (as
 * given) set webhook_base_url; nothing otherwise (a kind without SB_CH_CONNECT, or no
 * public address to subscribe: the poller's pass and POST .../connect check those). */
sb_err sb_sync_queue_connect(struct sb_db *db, const struct sb_channel_ops *ops, int64_t id,
                             json_t *settings);

/* Connects the channel now and logs the outcome in its log; *ret (may be NULL) the
 * connection as it now stands (a new reference). SB_ECONFLICT for a kind that does not
 * connect. */
sb_err sb_sync_connect(struct sb_store *store, struct sb_channel_cache *channels, int64_t id,
                       json_t **ret);

/* A one-line summary of a connect report, for logs, in buf. */
const char *sb_sync_connect_summary(json_t *report, char *buf, size_t cap);

/* The channel's connection (a new reference), or NULL: none known, or a kind that does
 * not connect. */
json_t *sb_sync_connection(const struct sb_channel_rt *rt, struct sb_arena *a);

/* Logs the adapter's notice about the channel's connection, if it has one (once per
 * change). */
void sb_sync_connection_notice(struct sb_store *store, struct sb_channel_cache *channels,
                               int64_t id);

/* Whether the periodic connect is due for the channel (never connected, or its last check
 * older than STOCKBRIDGE_CONNECT_MINUTES). */
bool sb_sync_connect_due(const struct sb_channel_rt *rt, struct sb_arena *a);

#endif
