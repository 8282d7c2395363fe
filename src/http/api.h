/*
 * Every API handler, one group per resource file (api-<resource>.c). The
 * route table in routes.c is the only place that says which URL reaches
 * which handler and what role it needs.
 */
#ifndef SB_API_H
#define SB_API_H

#include "http/request.h"

#define SB_API_RESOURCE(name)                        \
    sb_err sb_api_##name##_list(struct sb_req *r);   \
    sb_err sb_api_##name##_create(struct sb_req *r); \
    sb_err sb_api_##name##_get(struct sb_req *r);    \
    sb_err sb_api_##name##_update(struct sb_req *r);

/* api-health.c */
sb_err sb_api_healthz(struct sb_req *r);
sb_err sb_api_metrics(struct sb_req *r);
sb_err sb_api_me(struct sb_req *r);

SB_API_RESOURCE(outlets)       /* api-outlets.c */
SB_API_RESOURCE(registers)     /* api-registers.c */
SB_API_RESOURCE(employees)     /* api-employees.c */
SB_API_RESOURCE(users)         /* api-users.c */
SB_API_RESOURCE(price_levels)  /* api-price-levels.c */
SB_API_RESOURCE(payment_types) /* api-payment-types.c */
SB_API_RESOURCE(items)         /* api-items.c */
sb_err sb_api_items_import(struct sb_req *r);
/* api-item-page.c */
sb_err sb_api_items_export(struct sb_req *r);
sb_err sb_api_items_channels(struct sb_req *r);
SB_API_RESOURCE(customers) /* api-customers.c */
sb_err sb_api_customers_sales(struct sb_req *r);
sb_err sb_api_customers_summary(struct sb_req *r);
sb_err sb_api_customers_merge(struct sb_req *r);

/* api-stock.c */
sb_err sb_api_stock_list(struct sb_req *r);
sb_err sb_api_stock_adjust(struct sb_req *r);
sb_err sb_api_stock_receive(struct sb_req *r);
sb_err sb_api_stock_ledger(struct sb_req *r);
sb_err sb_api_stock_levels(struct sb_req *r);
sb_err sb_api_stock_transfer(struct sb_req *r);

SB_API_RESOURCE(suppliers)       /* api-suppliers.c */
SB_API_RESOURCE(purchase_orders) /* api-purchase-orders.c */
sb_err sb_api_purchase_orders_order(struct sb_req *r);
sb_err sb_api_purchase_orders_receive(struct sb_req *r);
sb_err sb_api_purchase_orders_cancel(struct sb_req *r);

/* api-sales.c */
sb_err sb_api_sales_list(struct sb_req *r);
sb_err sb_api_sales_create(struct sb_req *r);
sb_err sb_api_sales_get(struct sb_req *r);
sb_err sb_api_sales_pay(struct sb_req *r);
sb_err sb_api_sales_void(struct sb_req *r);
sb_err sb_api_sales_return(struct sb_req *r);
sb_err sb_api_returns_restock(struct sb_req *r);
/* api-sale-reopen.c (E9, E8) */
sb_err sb_api_sales_reopen(struct sb_req *r);
sb_err sb_api_sales_review(struct sb_req *r);
sb_err sb_api_sales_map_line(struct sb_req *r);
/* The "lines" of a sale's (or an order's) body, as POST /sales reads them. */
struct sb_jctx;
struct sb_sale_input;
sb_err sb_api_sale_lines(struct sb_req *r, struct sb_jctx *c, struct sb_sale_input *in);

/* api-orders.c (M6) */
sb_err sb_api_orders_list(struct sb_req *r);
sb_err sb_api_orders_create(struct sb_req *r);
sb_err sb_api_orders_get(struct sb_req *r);
sb_err sb_api_orders_deposit(struct sb_req *r);
sb_err sb_api_orders_complete(struct sb_req *r);
sb_err sb_api_orders_cancel(struct sb_req *r);

/* api-shipments.c */
sb_err sb_api_shipments_list(struct sb_req *r);
sb_err sb_api_shipments_get(struct sb_req *r);
sb_err sb_api_shipments_update(struct sb_req *r);
sb_err sb_api_shipments_bulk(struct sb_req *r);

/* api-fulfillments.c */
sb_err sb_api_fulfillments_list(struct sb_req *r);
sb_err sb_api_fulfillments_get(struct sb_req *r);
sb_err sb_api_fulfillments_status(struct sb_req *r);
sb_err sb_api_fulfillment_statuses(struct sb_req *r);

/* api-notifications.c */
sb_err sb_api_notifications_list(struct sb_req *r);
sb_err sb_api_notifications_read(struct sb_req *r);
sb_err sb_api_notifications_read_all(struct sb_req *r);
/* api-notification-stream.c */
sb_err sb_api_notifications_stream(struct sb_req *r);

/* api-channels.c */
SB_API_RESOURCE(channels)
/* The "locations" of a channel's body [{location_id, outlet_id, name?}], into in. */
struct sb_channel_input;
sb_err sb_api_channel_locations(struct sb_req *r, struct sb_jctx *c, struct sb_channel_input *in);

/* api-connection.c (E1): the export-model connection */
sb_err sb_api_connection_create(struct sb_req *r);
sb_err sb_api_connection_get(struct sb_req *r);
sb_err sb_api_connection_update(struct sb_req *r);
/* GET /api/v1/connection/choices: the outlets and registers, employees and price levels. */
sb_err sb_api_connection_choices(struct sb_req *r);
sb_err sb_api_channels_connection_delete(struct sb_req *r);
/* For the connection routes that serve a webstore (catalogue, orders): SB_OK when the
 * caller's connection is complete, else 409 connection_incomplete with the reasons in the
 * message and as error.details (the reasons, as text). */
sb_err sb_api_connection_require_ready(struct sb_req *r);
/* api-connection-orders.c (E2-E6): a webstore exports its orders */
sb_err sb_api_connection_orders(struct sb_req *r);
/* api-connection-catalogue.c (E7, issue 14 item 2): the catalogue and its change feed */
sb_err sb_api_connection_catalogue(struct sb_req *r);
sb_err sb_api_connection_changes(struct sb_req *r);
/* E8: POST /connection/orders/{order_id}/refund (api-connection-refunds.c) */
sb_err sb_api_connection_refund(struct sb_req *r);
sb_err sb_api_channels_orders(struct sb_req *r);
sb_err sb_api_channels_log(struct sb_req *r);
sb_err sb_api_channels_poll(struct sb_req *r);
sb_err sb_api_me_channels(struct sb_req *r);
/* api-session.c: the web app's sign-in */
sb_err sb_api_session_create(struct sb_req *r);
sb_err sb_api_session_get(struct sb_req *r);
sb_err sb_api_session_delete(struct sb_req *r);
/* api-health.c: the caller (r->scope) with their outlets, as GET /api/v1/me shows it */
/* Adds "currency_exponent" (ISO 4217 decimals of its "currency", null when unknown) to an
 * outlet record. */
void sb_outlet_add_exponent(json_t *outlet);
sb_err sb_api_me_json(struct sb_req *r, json_t **ret);
/* api-reports.c */
sb_err sb_api_reports_sales_by_day(struct sb_req *r);
sb_err sb_api_reports_stock_value(struct sb_req *r);
/* api-report-periods.c */
sb_err sb_api_reports_sales(struct sb_req *r);
sb_err sb_api_reports_top_items(struct sb_req *r);
sb_err sb_api_reports_top_customers(struct sb_req *r);
sb_err sb_api_reports_takings(struct sb_req *r);
/* api-tokens.c */
sb_err sb_api_tokens_list(struct sb_req *r);
sb_err sb_api_tokens_create(struct sb_req *r);
sb_err sb_api_tokens_get(struct sb_req *r);
sb_err sb_api_tokens_revoke(struct sb_req *r);
/* api-channel-kinds.c */
sb_err sb_api_channel_kinds_list(struct sb_req *r);
/* api-channel-sync.c */
sb_err sb_api_channels_sync_status(struct sb_req *r);
sb_err sb_api_channels_items(struct sb_req *r);
sb_err sb_api_channels_reconcile(struct sb_req *r);
sb_err sb_api_channels_connect(struct sb_req *r);

/* api-webhooks.c */
sb_err sb_api_webhooks_receive(struct sb_req *r);

#endif
