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
/* Whether the app's scopes allow the operation; false: ACCESS_DENIED added to g->errors.
 * The lock held. */
bool fs_app_allowed(struct gql *g, const char *op);
/* Orders older than 60 days taken out of an answer when the app lacks read_all_orders.
 * The lock held. */
json_t *fs_app_window(struct gql *g, const char *op, json_t *data);
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

/* The operations: SbAppInstallation, SbWebhooks, SbWebhookCreate, SbWebhookDelete. */
bool fs_app_prep_installation(struct gql *g);
json_t *fs_app_run_installation(struct gql *g);
bool fs_app_prep_webhooks(struct gql *g);
json_t *fs_app_run_webhooks(struct gql *g);
bool fs_app_prep_webhook_create(struct gql *g);
json_t *fs_app_run_webhook_create(struct gql *g);
bool fs_app_prep_webhook_delete(struct gql *g);
json_t *fs_app_run_webhook_delete(struct gql *g);

#endif
