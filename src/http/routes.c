/*
 * The route table: method, pattern, handler, flags (least role, body kind).
 * To add a route: declare the handler in api.h, add a row here, and
 * describe it in docs/api/openapi.yaml (test-openapi fails otherwise).
 */
#include "http/api.h"

#define V1 "/api/v1"

/* One route per line reads best as a table. */
/* clang-format off */
#define CRUD(path, name, read_role, write_role)                                                    \
    { "GET", V1 path, sb_api_##name##_list, read_role },                                           \
        { "POST", V1 path, sb_api_##name##_create, write_role },                                   \
        { "GET", V1 path "/{id}", sb_api_##name##_get, read_role },                                \
        { "PATCH", V1 path "/{id}", sb_api_##name##_update, write_role }

static const struct sb_route routes[] = {
    { "GET", "/healthz", sb_api_healthz, SB_AUTH_NONE },
    { "GET", "/metrics", sb_api_metrics, SB_AUTH_NONE },
    { "GET", V1 "/me", sb_api_me, SB_AUTH_STAFF },
    { "GET", V1 "/me/channels", sb_api_me_channels, SB_AUTH_STAFF },
    { "POST", V1 "/session", sb_api_session_create, SB_AUTH_NONE },
    { "GET", V1 "/session", sb_api_session_get, SB_AUTH_STAFF },
    { "DELETE", V1 "/session", sb_api_session_delete, SB_AUTH_STAFF },
    { "GET", V1 "/reports/sales-by-day", sb_api_reports_sales_by_day, SB_AUTH_STAFF },
    { "GET", V1 "/reports/stock-value", sb_api_reports_stock_value, SB_AUTH_STAFF },
    { "GET", V1 "/reports/sales", sb_api_reports_sales, SB_AUTH_STAFF },
    { "GET", V1 "/reports/top-items", sb_api_reports_top_items, SB_AUTH_STAFF },
    { "GET", V1 "/reports/top-customers", sb_api_reports_top_customers, SB_AUTH_STAFF },
    { "GET", V1 "/reports/takings", sb_api_reports_takings, SB_AUTH_STAFF },

    CRUD("/outlets", outlets, SB_AUTH_STAFF, SB_AUTH_ADMIN),
    CRUD("/registers", registers, SB_AUTH_STAFF, SB_AUTH_ADMIN),
    CRUD("/employees", employees, SB_AUTH_STAFF, SB_AUTH_MANAGER),
    CRUD("/users", users, SB_AUTH_ADMIN, SB_AUTH_ADMIN),
    { "GET", V1 "/tokens", sb_api_tokens_list, SB_AUTH_ADMIN },
    { "POST", V1 "/tokens", sb_api_tokens_create, SB_AUTH_ADMIN },
    { "GET", V1 "/tokens/{id}", sb_api_tokens_get, SB_AUTH_ADMIN },
    { "POST", V1 "/tokens/{id}/revoke", sb_api_tokens_revoke, SB_AUTH_ADMIN },
    CRUD("/price-levels", price_levels, SB_AUTH_STAFF, SB_AUTH_ADMIN),
    CRUD("/payment-types", payment_types, SB_AUTH_STAFF, SB_AUTH_ADMIN),

    { "POST", V1 "/items/import", sb_api_items_import,
      SB_AUTH_MANAGER | SB_BODY_CSV | SB_BODY_LARGE },
    /* issue 16 item 1: the CSV export and an item on the channels (api-item-page.c) */
    { "GET", V1 "/items/export", sb_api_items_export, SB_AUTH_STAFF },
    CRUD("/items", items, SB_AUTH_STAFF, SB_AUTH_MANAGER),
    { "GET", V1 "/items/{id}/channels", sb_api_items_channels, SB_AUTH_STAFF },

    { "GET", V1 "/stock", sb_api_stock_list, SB_AUTH_STAFF },
    { "POST", V1 "/stock/adjustments", sb_api_stock_adjust, SB_AUTH_MANAGER },
    { "POST", V1 "/stock/receipts", sb_api_stock_receive, SB_AUTH_STAFF },
    { "GET", V1 "/stock/ledger", sb_api_stock_ledger, SB_AUTH_STAFF },
    { "POST", V1 "/stock/levels", sb_api_stock_levels, SB_AUTH_MANAGER },
    { "POST", V1 "/stock/transfers", sb_api_stock_transfer, SB_AUTH_MANAGER },

    /* issue 16 item 1: purchase orders to suppliers (api-suppliers.c, api-purchase-orders.c) */
    CRUD("/suppliers", suppliers, SB_AUTH_STAFF, SB_AUTH_MANAGER),
    CRUD("/purchase-orders", purchase_orders, SB_AUTH_STAFF, SB_AUTH_MANAGER),
    { "POST", V1 "/purchase-orders/{id}/order", sb_api_purchase_orders_order, SB_AUTH_MANAGER },
    { "POST", V1 "/purchase-orders/{id}/receive", sb_api_purchase_orders_receive, SB_AUTH_STAFF },
    { "POST", V1 "/purchase-orders/{id}/cancel", sb_api_purchase_orders_cancel, SB_AUTH_MANAGER },

    CRUD("/customers", customers, SB_AUTH_STAFF, SB_AUTH_STAFF),
    { "GET", V1 "/customers/{id}/sales", sb_api_customers_sales, SB_AUTH_STAFF },
    { "GET", V1 "/customers/{id}/summary", sb_api_customers_summary, SB_AUTH_STAFF },
    { "POST", V1 "/customers/{id}/merge", sb_api_customers_merge, SB_AUTH_MANAGER },

    { "GET", V1 "/sales", sb_api_sales_list, SB_AUTH_STAFF },
    { "POST", V1 "/sales", sb_api_sales_create, SB_AUTH_STAFF },
    { "GET", V1 "/sales/{id}", sb_api_sales_get, SB_AUTH_STAFF },
    { "POST", V1 "/sales/{id}/payments", sb_api_sales_pay, SB_AUTH_STAFF },
    { "POST", V1 "/sales/{id}/void", sb_api_sales_void, SB_AUTH_MANAGER },
    { "POST", V1 "/sales/{id}/returns", sb_api_sales_return, SB_AUTH_STAFF },
    { "POST", V1 "/returns/{id}/restock", sb_api_returns_restock, SB_AUTH_STAFF },
    /* E9: reopening an exported sale; E8: its review flag cleared (api-sale-reopen.c) */
    { "POST", V1 "/sales/{id}/reopen", sb_api_sales_reopen, SB_AUTH_STAFF },
    { "POST", V1 "/sales/{id}/review", sb_api_sales_review, SB_AUTH_STAFF },
    { "POST", V1 "/sales/{id}/lines/{line_id}/item", sb_api_sales_map_line, SB_AUTH_STAFF },

    { "GET", V1 "/orders", sb_api_orders_list, SB_AUTH_STAFF },
    { "POST", V1 "/orders", sb_api_orders_create, SB_AUTH_STAFF },
    { "GET", V1 "/orders/{id}", sb_api_orders_get, SB_AUTH_STAFF },
    { "POST", V1 "/orders/{id}/deposits", sb_api_orders_deposit, SB_AUTH_STAFF },
    { "POST", V1 "/orders/{id}/complete", sb_api_orders_complete, SB_AUTH_STAFF },
    { "POST", V1 "/orders/{id}/cancel", sb_api_orders_cancel, SB_AUTH_MANAGER },

    { "GET", V1 "/shipments", sb_api_shipments_list, SB_AUTH_STAFF },
    { "POST", V1 "/shipments/bulk", sb_api_shipments_bulk, SB_AUTH_STAFF },
    { "GET", V1 "/shipments/{id}", sb_api_shipments_get, SB_AUTH_STAFF },
    { "PATCH", V1 "/shipments/{id}", sb_api_shipments_update, SB_AUTH_STAFF },

    { "GET", V1 "/fulfillment-statuses", sb_api_fulfillment_statuses, SB_AUTH_STAFF },
    { "GET", V1 "/fulfillments", sb_api_fulfillments_list, SB_AUTH_STAFF },
    { "GET", V1 "/fulfillments/{id}", sb_api_fulfillments_get, SB_AUTH_STAFF },
    { "POST", V1 "/fulfillments/{id}/status", sb_api_fulfillments_status, SB_AUTH_STAFF },

    { "GET", V1 "/notifications", sb_api_notifications_list, SB_AUTH_STAFF },
    { "GET", V1 "/notifications/stream", sb_api_notifications_stream, SB_AUTH_STAFF },
    { "POST", V1 "/notifications/read-all", sb_api_notifications_read_all, SB_AUTH_STAFF },
    { "POST", V1 "/notifications/{id}/read", sb_api_notifications_read, SB_AUTH_STAFF },

    { "GET", V1 "/channel-kinds", sb_api_channel_kinds_list, SB_AUTH_MANAGER },
    CRUD("/channels", channels, SB_AUTH_MANAGER, SB_AUTH_ADMIN),
    { "GET", V1 "/channels/{id}/orders", sb_api_channels_orders, SB_AUTH_STAFF },
    { "GET", V1 "/channels/{id}/log", sb_api_channels_log, SB_AUTH_STAFF },
    { "POST", V1 "/channels/{id}/poll", sb_api_channels_poll, SB_AUTH_MANAGER },
    { "GET", V1 "/channels/{id}/sync-status", sb_api_channels_sync_status, SB_AUTH_STAFF },
    { "GET", V1 "/channels/{id}/items", sb_api_channels_items, SB_AUTH_STAFF },
    { "POST", V1 "/channels/{id}/reconcile", sb_api_channels_reconcile, SB_AUTH_MANAGER },
    { "POST", V1 "/channels/{id}/connect", sb_api_channels_connect, SB_AUTH_MANAGER },
    { "DELETE", V1 "/channels/{id}/connection", sb_api_channels_connection_delete, SB_AUTH_ADMIN },

    /* E1: the export-model connection; POST signs in with a user's password */
    { "POST", V1 "/connection", sb_api_connection_create, SB_AUTH_NONE },
    { "GET", V1 "/connection", sb_api_connection_get, SB_AUTH_CONNECTION },
    { "PATCH", V1 "/connection", sb_api_connection_update, SB_AUTH_CONNECTION },
    /* E2-E6: the webstore exports its orders (issue 14 item 3) */
    { "POST", V1 "/connection/orders", sb_api_connection_orders, SB_AUTH_CONNECTION },
    /* E7: the catalogue and its change feed (api-connection-catalogue.c) */
    { "GET", V1 "/connection/catalogue", sb_api_connection_catalogue, SB_AUTH_CONNECTION },
    { "GET", V1 "/connection/changes", sb_api_connection_changes, SB_AUTH_CONNECTION },
    /* E8: the webstore's refund of an exported order (api-connection-refunds.c) */
    { "POST", V1 "/connection/orders/{order_id}/refund", sb_api_connection_refund,
      SB_AUTH_CONNECTION },
    /* E1: what a webstore chooses from to complete its connection (issue 14 item 7) */
    { "GET", V1 "/connection/choices", sb_api_connection_choices, SB_AUTH_CONNECTION },

    /* Signed by the channel, not by a token: the adapter verifies the raw body. */
    { "POST", "/webhooks/{id}", sb_api_webhooks_receive, SB_AUTH_NONE | SB_BODY_RAW },
};

/* clang-format on */

const struct sb_route *sb_routes(size_t *ret_count)
{
    *ret_count = sizeof(routes) / sizeof(routes[0]);
    return routes;
}
