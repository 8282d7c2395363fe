/*
 * The app installed on the fake shop (app.c): access scopes per token, the
 * API versions served, webhook subscriptions. What the endpoint and the
 * operation table call.
 */
#ifndef SB_FAKESTORE_APP_H
#define SB_FAKESTORE_APP_H

#include "graphql.h"

struct fs_app;
void fs_app_free(struct fs_app *a); /* accepts NULL */

/* The version that answers a request to path (/admin/api/{version}/graphql.json): the one
 * asked for when the shop serves it, else the oldest it serves. */
void fs_app_version(struct fs_shop *s, const char *path, char *out, size_t cap);
/* Whether the app's scopes allow the field; false: ret_error says ACCESS_DENIED with the
 * access required, in Shopify's words. The lock held. */
bool fs_app_field_allowed(struct gql *g, const struct sb_gql_field_call *call,
                          struct sb_gql_field_error *ret_error);
/* Whether an order created then is within the app's reach: without read_all_orders, only
 * the last 60 days are. The lock held. */
bool fs_app_order_visible(struct fs_shop *s, int64_t created_at);
/* The one-shot STALE fault (POST /_fake/app {stale_sets}): before inventorySetQuantities
 * runs, its quantities carry a changeFromQuantity no level holds; after, they are put back
 * as sent. The lock held. */
void fs_app_stale_before(struct gql *g, json_t *args);
void fs_app_stale_after(struct gql *g, json_t *args);
/* Where an event of a topic ("orders/create") goes: one target per subscription of the
 * app (its secret) and of the admin (the admin's key), or, while the app has made none,
 * the configured webhook URL alone ({NULL, NULL}). The strings are the app's, valid under
 * the lock. Returns how many (at most cap). The lock held. */
#define FS_APP_MAX_TARGETS 16
struct fs_app_target {
    const char *url, *secret;
};
size_t fs_app_targets(struct fs_shop *s, const char *topic, struct fs_app_target *out, size_t cap);

/* GET/POST /_fake/app, POST /_fake/app/subscriptions. */
void fs_app_control(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp);

#endif
