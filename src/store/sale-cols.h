/*
 * The columns of a sale row as the sale reads and the sales list answer them (the
 * table aliased "s"), shared by store/sales.c and store/sale-search.c.
 */
#ifndef SB_STORE_SALE_COLS_H
#define SB_STORE_SALE_COLS_H

#define SALE_COLS                                                                          \
    "s.id, s.outlet_id, s.register_id, s.employee_id, s.customer_id, s.user_id, s.status," \
    " s.currency, s.subtotal, s.discount_total, s.tax_total, s.adjustment_total, s.total," \
    " s.paid_total, s.balance_due, s.refunded_total, s.note, s.source, s.channel_id,"      \
    " (SELECT ch.name FROM channels ch WHERE ch.id = s.channel_id) AS channel_name,"       \
    " (SELECT ch.kind FROM channels ch WHERE ch.id = s.channel_id) AS channel_kind,"       \
    " s.external_id, s.external_number, s.needs_review, s.review_reason, s.created_at,"    \
    " s.updated_at, s.completed_at, s.voided_at, s.business_day, s.kind, s.began_as_order"

#endif
