/*
 * Shipments: the ship-to record of a sale (one per sale), with the
 * shipping method, shipment notes, the shipped flag and tracking number.
 * A shipment belongs to its sale's outlet for access (scope).
 */
#ifndef SB_STORE_SHIPMENTS_H
#define SB_STORE_SHIPMENTS_H

#include "core/address.h"
#include "core/outlet.h"
#include "core/scope.h"
#include "store/db.h"

/* Inside the caller's transaction. */
sb_err sb_store_shipment_create(struct sb_db *db, int64_t sale_id, const struct sb_address *to,
                                const char *method, const char *note, int64_t *ret_id);
/* The sale's shipment as JSON with its "tracking_url" (core/carrier.h), or SB_ENOT_FOUND. */
sb_err sb_store_shipment_for_sale(struct sb_db *db, int64_t sale_id, json_t **ret);

/* The longest search text the list accepts. */
#define SB_SHIPMENT_Q_MAX 200

/* The most a count counts: past it the list says "10,000 or more". */
#define SB_SHIPMENT_COUNT_CAP 10000

enum sb_shipment_state {
    SB_SHIPMENT_TO_SHIP, /* the unfulfilled list (SH1): what can still ship */
    SB_SHIPMENT_SHIPPED, /* shipped ones, to search (SH1) */
    SB_SHIPMENT_ALL,     /* both */
};

struct sb_shipment_filter {
    enum sb_shipment_state state;
    int64_t outlet_id;    /* 0: any in scope; else the sale's outlet or a shipping fulfillment's */
    const char *q;        /* NULL or a case-insensitive search over the sale number (exact),
                          the channel's order number, customer and ship-to name and email,
                          address and tracking number */
    int64_t after, limit; /* newest first: after is the id of the last row of the page before */
};

/* Rows with "order_date", "customer_name", "customer_email", "sale_status",
 * "external_number", "outlet_id", "outlet_name", "ship_outlets" ([{id, name}]),
 * "fulfillment_status", "can_ship", "lines" (never the shipping charge: sale_lines'
 * is_shipping), "items_count" and "tracking_url", newest first, honouring the scope (the
 * sale's outlet). Unshipped, only those that can ship are listed: not a voided sale, not an
 * order whose fulfillments are all cancelled (F3), not a pickup (SH2). */
sb_err sb_store_shipment_list(struct sb_db *db, const struct sb_scope *scope,
                              const struct sb_shipment_filter *f, json_t **ret);
/* How many rows the list has over all its pages, up to SB_SHIPMENT_COUNT_CAP + 1. */
sb_err sb_store_shipment_count(struct sb_db *db, const struct sb_scope *scope,
                               const struct sb_shipment_filter *f, int64_t *ret);
/* One row as in the list (whatever it can do), with the sale's "fulfillments" (id,
 * outlet_id, kind, status, is_split, is_backorder) in scope; another outlet's shipment is
 * SB_ENOT_FOUND. */
sb_err sb_store_shipment_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             json_t **ret);

struct sb_shipment_patch {
    struct sb_opt_str name, company, line1, line2, city, region, postcode, country, phone, email,
        method, note, tracking_number, carrier;
    bool shipped, shipped_set;
    bool from_channel; /* the channel said so (S4: fulfilled there): nothing goes back to it */
};

/* Applies a PATCH in one transaction. shipped=true sets shipped_at and ships every
 * non-final shipping fulfillment of the sale (events by user_id), when the order can ship
 * (sb_ff_shipment_check: SB_ESALE_VOIDED, SB_EFULFILLMENT_CANCELLED, or
 * SB_EINVALID_TRANSITION for a pickup); shipped=false on a shipped shipment is
 * SB_ECONFLICT. Tracking number and carrier are kept trimmed; blank, they are NULL.
 * shipped=true, unless from_channel, queues the channel's fulfillment with the tracking
 * (S3: sb_store_outbox_shipment_shipped) in the same transaction. */
sb_err sb_store_shipment_update(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                const struct sb_shipment_patch *p);

/* Marks the sale's shipment shipped when the sale has shipped shipping fulfillments and no
 * open (non-final) ones, and the sale is not voided; a shipment shipped so queues the
 * channel's fulfillment (S3). Inside the caller's transaction; a sale without a shipment
 * is left alone. */
sb_err sb_store_shipment_sync(struct sb_db *db, int64_t sale_id);

#endif
