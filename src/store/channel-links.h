/*
 * A channel's links, for store/channels.c (portable SQL over channel_outlets,
 * channel_locations and channel_methods): the outlets it serves in priority
 * order, its locations stocked from outlets (SP3) and its shipping methods
 * tied to outlets (A1), read and written whole.
 */
#ifndef SB_STORE_CHANNEL_LINKS_H
#define SB_STORE_CHANNEL_LINKS_H

#include "store/channels.h"

/* The outlets (priority order), locations (by location id, then outlet) and methods (by
 * name), one statement each, in the arena. */
sb_err sb_store_links_load(struct sb_db *db, int64_t id, struct sb_arena *a, int64_t **ret_outlets,
                           size_t *ret_n_outlets, struct sb_channel_location **ret_locations,
                           size_t *ret_n_locations, struct sb_channel_method **ret_methods,
                           size_t *ret_n_methods);
/* The same as JSON for the API: outlets [{outlet_id, priority}], locations, methods. */
sb_err sb_store_links_json(struct sb_db *db, int64_t id, json_t **ret_outlets,
                           json_t **ret_locations, json_t **ret_methods);
/* The outlets given exist, each once (errors name "outlets[i]"). */
sb_err sb_store_links_check_outlets(struct sb_db *db, const struct sb_channel_input *in);
/* Replaces the parts of the links the input gives. */
sb_err sb_store_links_write(struct sb_db *db, int64_t id, const struct sb_channel_input *in);

#endif
