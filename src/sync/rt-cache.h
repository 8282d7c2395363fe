/*
 * Channels kept in memory for the webhook path: loading one costs four reads
 * and an unsealing, too much for every request under a storm of webhooks.
 * An entry is checked against the channel's revision inside the write that
 * uses it (sb_store_channel_revision), and dropped when found stale; a
 * reference keeps an entry alive while a request uses it.
 */
#ifndef SB_SYNC_RT_CACHE_H
#define SB_SYNC_RT_CACHE_H

#include "store/channels.h"

struct sb_rt_cache;

sb_err sb_rt_cache_new(struct sb_rt_cache **ret);
void sb_rt_cache_free(struct sb_rt_cache *c); /* accepts NULL; every reference put back */

/* The channel, from memory or loaded with db; put it back with sb_rt_cache_put. */
sb_err sb_rt_cache_get(struct sb_rt_cache *c, struct sb_db *db, int64_t id,
                       const struct sb_channel_rt **ret);
void sb_rt_cache_put(struct sb_rt_cache *c, const struct sb_channel_rt *rt);
/* Drops the channel's entry if it is still rt's revision: the next get loads it again. */
void sb_rt_cache_forget(struct sb_rt_cache *c, const struct sb_channel_rt *rt);

#endif
