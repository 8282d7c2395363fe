/*
 * Fulfillments (SPEC F1, F2): each order that must be shipped or picked up
 * has one fulfillment per outlet it was allocated to, starting New.
 *   new -> in_progress -> packed -> shipped | picked_up   (final: "completed")
 *   cancelled from any non-final status.
 * Shipped is for shipping fulfillments, picked_up for pickups. A cancelled
 * fulfillment, or one of a voided sale, is never shipped or picked up (F3).
 */
#ifndef SB_FULFILLMENT_H
#define SB_FULFILLMENT_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sb_ff_status {
    SB_FF_NEW,
    SB_FF_IN_PROGRESS,
    SB_FF_PACKED,
    SB_FF_SHIPPED,
    SB_FF_PICKED_UP,
    SB_FF_CANCELLED,
};

enum sb_ff_kind {
    SB_FF_SHIPPING,
    SB_FF_PICKUP
};

const char *sb_ff_status_name(enum sb_ff_status s);
bool sb_ff_status_parse(const char *s, enum sb_ff_status *ret);
const char *sb_ff_kind_name(enum sb_ff_kind k);
bool sb_ff_kind_parse(const char *s, enum sb_ff_kind *ret);
bool sb_ff_status_final(enum sb_ff_status s);
/* SB_OK when from -> to is allowed for this kind; SB_EINVALID_TRANSITION otherwise. */
sb_err sb_ff_transition(enum sb_ff_kind kind, enum sb_ff_status from, enum sb_ff_status to);

/* The statuses in the order they come (new ... cancelled), for tables that list them. */
#define SB_FF_N_STATUSES 6
/* Whether sb_ff_move_check allows from -> to (without recording an error). */
bool sb_ff_move_allowed(enum sb_ff_kind kind, enum sb_ff_status from, enum sb_ff_status to,
                        bool sale_voided);

/* A status change as every route must check it (SPEC F3, then F2): a cancelled
 * fulfillment never moves again (SB_EFULFILLMENT_CANCELLED); a fulfillment of a voided
 * sale may only be cancelled (SB_ESALE_VOIDED); then sb_ff_transition. */
sb_err sb_ff_move_check(enum sb_ff_kind kind, enum sb_ff_status from, enum sb_ff_status to,
                        bool sale_voided);

/* What decides whether a sale's shipment may be marked shipped: the sale's state and
 * how many of its fulfillments are in each situation. */
struct sb_ff_ship_state {
    bool sale_voided;
    int64_t n_fulfillments;   /* of any kind and status */
    int64_t n_shipping_alive; /* shipping fulfillments not cancelled (open or shipped) */
    int64_t n_shipping;       /* shipping fulfillments, cancelled included */
};

/* SPEC F3 and SH2 for the shipment: refused for a voided sale (SB_ESALE_VOIDED), when
 * every shipping fulfillment is cancelled (SB_EFULFILLMENT_CANCELLED), and for a pickup
 * order (no shipping fulfillment at all: SB_EINVALID_TRANSITION, it is picked up). A
 * shipment whose sale has no fulfillment at all (a ship-to recorded by hand) may ship.
 * The shipping list shows exactly the shipments this allows (store/shipments.c). */
sb_err sb_ff_shipment_check(const struct sb_ff_ship_state *s);

struct sb_ff_line {
    int64_t sale_line_id;
    int64_t quantity;
    int64_t backorder_quantity;
};

struct sb_ff_new {
    int64_t sale_id, outlet_id, user_id;
    enum sb_ff_kind kind;
    bool is_split, is_backorder;
    const struct sb_ff_line *lines;
    size_t n_lines;
};

#endif
