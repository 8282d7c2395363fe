/*
 * A channel's settings over time (SPEC M5): every change to a channel's
 * settings keeps the whole settings object as it became, with the time it
 * took effect, so that a rule judged "by the setting in force when the
 * order was created" (Magento's download mode) can ask what that was.
 * Written in the same transaction as the change (store/channels.c); read
 * with the channel's record.
 */
#ifndef SB_STORE_SETTINGS_HISTORY_H
#define SB_STORE_SETTINGS_HISTORY_H

#include "store/db.h"
#include "util/arena.h"
#include "util/err.h"

#include <jansson.h>
#include <stdint.h>

/* Keeps settings_text (the channel's stored settings object) as in force from `since` (a
 * UTC time as sb_time_format writes it), unless it equals the newest kept one. */
sb_err sb_store_settings_history_add(struct sb_db *db, int64_t channel_id, const char *since,
                                     const char *settings_text);
/* The channel's settings over time, oldest first: [{"since": unix seconds, "settings":
 * {...}}], released with the arena; an empty array for a channel with none kept. */
sb_err sb_store_settings_history_load(struct sb_db *db, int64_t channel_id, struct sb_arena *a,
                                      json_t **ret);

#endif
