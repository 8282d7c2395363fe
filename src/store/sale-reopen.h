/*
 * E9: reopening an exported sale (a sale an export-model webstore sent) to
 * change its outlet, register or customer and add a note, and E8's review flag
 * cleared by staff; both written to the sale's history (sale_events), which
 * the sale's record shows.
 */
#ifndef SB_STORE_SALE_REOPEN_H
#define SB_STORE_SALE_REOPEN_H

#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* What a reopen changes: only the fields set (an id of 0 with its flag set: none). */
struct sb_sale_reopen {
    bool outlet_set, register_set, customer_set;
    int64_t outlet_id, register_id, customer_id;
    const char *note; /* NULL: no note */
    int64_t user_id;
};

/* The ledger reference of a reopen's compensating movements: "reopen:<sale id>". */
#define SB_REOPEN_REF_FMT "reopen:%lld"

/*
 * Reopens the sale, in one transaction (joining the caller's), or refuses with nothing
 * written: a sale the scope does not see is SB_ENOT_FOUND; not exported SB_ENOT_EXPORTED;
 * voided SB_ESALE_VOIDED; an outlet, register or customer that does not exist
 * SB_EUNKNOWN_REFERENCE (field outlet_id, register_id, customer_id); an outlet outside the
 * scope SB_EOUTLET_FORBIDDEN; an outlet of another currency, or a register (given or the
 * sale's own) not at the sale's new outlet, SB_EINVALID_FIELD; nothing that changes
 * SB_ENO_CHANGE.
 * A new outlet takes what the sale still holds out of stock (its lines' units less those
 * returns put back on the shelf) through the ledger: given back at the old outlet and
 * taken at the new one (reason adjustment, reference "reopen:<sale id>"), which queues
 * the stock sync and the change feed; its lines, open fulfillments and business day follow.
 * Every change is one history event; the note another.
 */
sb_err sb_store_sale_reopen(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                            const struct sb_sale_reopen *in);

/* E8: clears the sale's review flag (SB_ECONFLICT when it is not flagged), recording who
 * and when, the reason it had and the note (may be NULL) in its history. */
sb_err sb_store_sale_mark_reviewed(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                                   int64_t user_id, const char *note);

/* The sale's history, oldest first: [{id, kind, field, old, new, old_name, new_name, note,
 * reason, user_id, username, created_at}]. */
sb_err sb_store_sale_history(struct sb_db *db, int64_t sale_id, json_t **ret);

#endif
