/*
 * E8: a return on an exported sale (a sale of an export-model connection)
 * must be recorded on both sides, so the sale is flagged for staff to check
 * that the money went back on the webstore too. A refund the webstore sends
 * is recorded once per its refund id: the return made before answers a
 * repeat.
 */
#include "store/export-refund.h"

#include <stdbool.h>

const char SB_EXPORT_REFUND_REVIEW[] =
    "refunded on the webstore (E8): check the money was returned there";

sb_err sb_store_sale_flag_exported_return(struct sb_db *db, int64_t sale_id)
{
    return sb_db_exec(db,
                      "UPDATE sales SET needs_review = ?, review_reason = ? WHERE id = ?"
                      " AND channel_id IN (SELECT id FROM channels WHERE kind = 'export')",
                      "bsi", true, SB_EXPORT_REFUND_REVIEW, sale_id);
}

sb_err sb_store_return_by_external(struct sb_db *db, int64_t sale_id, const char *external_id,
                                   int64_t *ret_id)
{
    return sb_db_int(db, ret_id, "SELECT id FROM returns WHERE sale_id = ? AND external_id = ?",
                     "is", sale_id, external_id);
}
