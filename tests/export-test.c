/*
 * The export-model suites' shared steps (export-test.h).
 */
#include "export-test.h"

#include "store/db.h"
#include "store/sessions.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void te_start(struct th *t, struct th_fixture *f)
{
    th_start(t);
    th_fixture(t, f);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t->store, &db), SB_OK);
    int64_t id = 0;
    cr_assert_eq(sb_db_int(db, &id, "SELECT id FROM users WHERE username = 'admin'", NULL), SB_OK);
    cr_assert_eq(sb_store_user_set_password(db, id, "admin-secret"), SB_OK);
    sb_store_release(t->store, db);
}

int64_t te_connect(struct th *t, const char *webstore, bool ready, char out[SB_TOKEN_LEN])
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":\"%s\"}",
             webstore);
    struct th_resp r = th_req(t, "POST", "/api/v1/connection", NULL, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    snprintf(out, SB_TOKEN_LEN, "%s", th_str(r.json, "token"));
    int64_t id = th_int(r.json, "channel_id");
    th_resp_free(&r);
    if (!ready)
        return id;
    r = th_req(t, "PATCH", "/api/v1/connection", out,
               "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":1},"
               "{\"location_id\":\"L2\",\"outlet_id\":2}],\"employee_id\":1,\"register_id\":1}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(json_is_true(json_object_get(r.json, "ready")), "%s", r.body);
    th_resp_free(&r);
    return id;
}

struct th_resp te_export(struct th *t, const char *token, const char *orders)
{
    size_t n = strlen(orders) + 32;
    char *body = malloc(n);
    cr_assert(body);
    snprintf(body, n, "{\"orders\":[%s]}", orders);
    struct th_resp r = th_req(t, "POST", "/api/v1/connection/orders", token, body);
    free(body);
    return r;
}

json_t *te_result(struct th_resp *r, size_t i)
{
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *res = json_array_get(json_object_get(r->json, "results"), i);
    cr_assert(res, "%s", r->body);
    return res;
}

int64_t te_on_hand(struct th *t, int64_t item, int64_t outlet)
{
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = %lld", (long long)item,
             (long long)outlet);
    return th_sql_int(t, sql);
}
