/*
 * What a channel still holds back itself for orders the POS has already
 * taken (SPEC M9): Magento's MSI keeps a reservation for every order it has
 * not shipped, so an absolute source quantity the POS pushes, which already
 * lacks those orders' lines, would be reduced a second time. The stock sync
 * adds these quantities back to what it sends (sync/stock-levels.c).
 */
#ifndef SB_STORE_CHANNEL_HELD_H
#define SB_STORE_CHANNEL_HELD_H

#include "store/db.h"
#include "util/arena.h"
#include "util/err.h"

#include <stddef.h>
#include <stdint.h>

struct sb_held {
    int64_t item_id, outlet_id, quantity;
};

/*
 * Per item and outlet, the quantities of the channel's downloaded, not voided orders whose
 * raw channel status is one of `statuses` (NULL-terminated; the kind's held_statuses), less
 * what was returned; item_id 0: every item. Sorted by item, then outlet.
 */
sb_err sb_store_channel_held(struct sb_db *db, int64_t channel_id, const char *const *statuses,
                             int64_t item_id, struct sb_arena *a, struct sb_held **ret,
                             size_t *ret_n);

#endif
