/*
 * The channel at run time, and the one place it is built (sync/channel-cache.c):
 * the store's plain record (store/channels.h) joined with what only the sync
 * layer knows - the kind's adapter (channel/kinds.c), the credentials opened,
 * the base URL the adapter forms, the settings with the kind's defaults, and
 * the adapter's state for the channel (ops->state_size, open, close).
 *
 * The cache keeps each channel's adapter state for as long as it lives, so
 * every lane, the webhook path and the API share one per channel (Shopify's
 * cost budget); and it keeps whole channels in memory for the webhook path,
 * where loading one for every request would cost four reads and an unsealing
 * under a storm of webhooks. A cached channel is checked against its
 * revision inside the write that uses it (sb_store_channel_revision) and
 * dropped when found stale; a reference keeps it alive while a request uses
 * it.
 */
#ifndef SB_SYNC_CHANNEL_CACHE_H
#define SB_SYNC_CHANNEL_CACHE_H

#include "channel/channel.h"
#include "store/channels.h"

/*
 * A channel at run time. `ch` comes first so a struct sb_channel * handed to an adapter
 * can be turned back into this. Everything lives in the arena it was loaded into (JSON
 * objects are released when it is freed), except ch.state, which is the cache's.
 * ch.credentials holds the decrypted secrets: never log it.
 */
struct sb_channel_rt {
    struct sb_channel ch; /* ch.settings: every setting, the kind's defaults filled in */
    const struct sb_channel_ops *ops;
    struct sb_channel_record rec; /* the store's record: typed settings, links, revision */
};

struct sb_channel_cache;

sb_err sb_channel_cache_new(struct sb_channel_cache **ret);
/* Closes every adapter state; every reference must have been put back. Accepts NULL. */
void sb_channel_cache_free(struct sb_channel_cache *c);

/*
 * The channel as it is now, loaded with db into the arena a, with the adapter's state
 * kept for it in c (opened on the channel's first load; with c NULL, opened for this load
 * and closed when a is freed). SB_ENOT_FOUND for an unknown channel; SB_EINTERNAL when
 * its credentials cannot be opened (wrong key file) or its kind has no adapter.
 */
sb_err sb_channel_load(struct sb_channel_cache *c, struct sb_db *db, int64_t id, struct sb_arena *a,
                       struct sb_channel_rt **ret);

/* The webhook path's channel, from memory or loaded with db; put it back with
 * sb_channel_cache_put. */
sb_err sb_channel_cache_get(struct sb_channel_cache *c, struct sb_db *db, int64_t id,
                            const struct sb_channel_rt **ret);
void sb_channel_cache_put(struct sb_channel_cache *c, const struct sb_channel_rt *rt);
/* Drops the channel's entry if it is still rt's revision: the next get loads it again. */
void sb_channel_cache_forget(struct sb_channel_cache *c, const struct sb_channel_rt *rt);

#endif
