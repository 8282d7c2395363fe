/*
 * E8: returns on exported sales. The flag that sends such a sale to staff's
 * review, and the return a webstore's refund id already made.
 */
#ifndef SB_STORE_EXPORT_REFUND_H
#define SB_STORE_EXPORT_REFUND_H

#include "store/db.h"

#include <stdint.h>

/* The review reason an exported sale takes when something is returned on it. */
extern const char SB_EXPORT_REFUND_REVIEW[];

/* Flags the sale needs_review with SB_EXPORT_REFUND_REVIEW when it is an exported one
 * (its channel is of the export kind); any other sale is left as it is. Joins the
 * caller's transaction. */
sb_err sb_store_sale_flag_exported_return(struct sb_db *db, int64_t sale_id);

/* The return recorded on the sale for the channel's refund external_id, else
 * SB_ENOT_FOUND. */
sb_err sb_store_return_by_external(struct sb_db *db, int64_t sale_id, const char *external_id,
                                   int64_t *ret_id);

#endif
