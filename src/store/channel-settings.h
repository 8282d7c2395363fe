/*
 * A channel's settings as the store keeps them: one JSON object in
 * channels.settings, holding the common settings (core/channel-settings.h)
 * and the kind's own, as they were checked above the store against the
 * kind's descriptions (sync/channel-edit.c). Read back over the defaults, so
 * a common setting added later gets its default; the common ones are also
 * read typed, for the store's own rules (what a change re-queues, when a
 * channel is due for a poll, PR2-PR3). The kind's settings are the sync
 * layer's to default and read: the store keeps them as given.
 */
#ifndef SB_STORE_CHANNEL_SETTINGS_H
#define SB_STORE_CHANNEL_SETTINGS_H

#include "core/channel-settings.h"
#include "util/err.h"

#include <jansson.h>

/* The common settings, typed, from an object: each one present with a value its
 * description takes, the others at their defaults. Quiet: for stored text. */
void sb_store_settings_typed(json_t *obj, struct sb_channel_settings *ret);
/* The common settings as JSON, every one, in the order records show them; NULL when out
 * of memory. */
json_t *sb_store_settings_json(const struct sb_channel_settings *s);
/* The stored text read back: *ret_typed the common settings, and *ret_all (a new
 * reference, may be NULL to skip) every setting: the common ones at their values or
 * defaults, the kind's as stored. Text that is not an object reads as all defaults. */
sb_err sb_store_settings_read(const char *text, struct sb_channel_settings *ret_typed,
                              json_t **ret_all);
/* Applies the settings given over all, name by name (common ones into typed too; a kind's
 * setting given as null is removed, so its default applies again). */
sb_err sb_store_settings_merge(json_t *all, struct sb_channel_settings *typed, json_t *given);

#endif
