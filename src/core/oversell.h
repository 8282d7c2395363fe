/*
 * The till's guard against a typo becoming a sale: a sale made in the POS
 * may not take more of an item than its outlet has available (on hand less
 * reserved), counting every line of the sale, unless the clerk confirmed it
 * (the sale's allow_oversell). Web orders are never checked: they may go
 * into backorder (SPEC A4). The stock comes through a callback, so the rule
 * needs no store (as core/allocate.h).
 */
#ifndef SB_OVERSELL_H
#define SB_OVERSELL_H

#include "core/sale.h"

/* What an outlet has of an item. */
struct sb_stock_have {
    bool tracked;      /* false: the item does not track stock and is never refused */
    int64_t available; /* on hand less reserved; may be negative */
    char item[128];    /* the item's name, for the message */
    char outlet[128];  /* the outlet's name */
};

typedef sb_err (*sb_stock_have_fn)(void *ctx, int64_t item_id, int64_t outlet_id,
                                   struct sb_stock_have *ret);

/* SB_OK for a channel sale, a sale with allow_oversell, or one that stays within stock;
 * else SB_EEXCEEDS_STOCK naming "lines[i].quantity" of the line at which the sale's
 * units of an item at an outlet go above what is available there, with a message that
 * says how much the outlet has. Lines without an item are not counted. */
sb_err sb_oversell_check(const struct sb_sale_input *in, sb_stock_have_fn have, void *ctx);

#endif
