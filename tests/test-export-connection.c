/*
 * The export-model connection end to end (SPEC E1, issue 14 item 1): a
 * webstore connects with an admin's or manager's user name and password
 * (staff refused, wrong passwords counted by the sign-in limits), gets a
 * token that opens the connection API and nothing else, completes the
 * connection (locations mapped to outlets, an employee, a register), and is
 * retired by connecting again or by an admin's revoke, after which its token
 * answers 401 connection_retired with why. Bad input on every route answers
 * the error shape and writes nothing.
 */
#include "export-test.h"
#include "harness.h"
#include "store/sessions.h"
#include "store/channel-polls.h"
#include "sync/connection.h"
#include "sync/pipeline.h"
#include "util/timeutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    const char *users[][2] = { { "admin", "admin-secret" },
                               { "manager", "manager-secret" },
                               { "staff1", "staff-secret" } };
    for (size_t i = 0; i < 3; i++) {
        int64_t id = 0;
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT id FROM users WHERE username = '%s'", users[i][0]);
        cr_assert_eq(sb_db_int(db, &id, sql, NULL), SB_OK);
        cr_assert_eq(sb_store_user_set_password(db, id, users[i][1]), SB_OK);
    }
    sb_store_release(t.store, db);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(export_connection, .init = setup, .fini = teardown, .timeout = 120);

/* POST /api/v1/connection; asserts the status and returns the answer (caller frees). */
static struct th_resp connect_as(const char *user, const char *password, const char *webstore,
                                 long status)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\",\"webstore_id\":\"%s\"}",
             user, password, webstore);
    struct th_resp r = th_req(&t, "POST", "/api/v1/connection", NULL, body);
    cr_assert_eq(r.status, status, "connect as %s: want %ld, got %ld %s", user, status, r.status,
                 r.body);
    return r;
}

/* A connection made by the admin for webstore: its token into out, its channel id back. */
static int64_t connected(const char *webstore, char out[SB_TOKEN_LEN])
{
    struct th_resp r = connect_as("admin", "admin-secret", webstore, 201);
    snprintf(out, SB_TOKEN_LEN, "%s", th_str(r.json, "token"));
    int64_t id = th_int(r.json, "channel_id");
    th_resp_free(&r);
    return id;
}

static void expect_code(struct th_resp *r, long status, const char *code)
{
    cr_expect_eq(r->status, status, "want %ld, got %ld %s", status, r->status, r->body);
    json_t *e = json_object_get(r->json, "error");
    cr_expect_str_eq(th_str(e, "code"), code, "%s", r->body);
}

static const char *error_message(struct th_resp *r)
{
    return th_str(json_object_get(r->json, "error"), "message");
}

static void expect_reasons(json_t *doc, const char *const *want, size_t n)
{
    json_t *got = json_object_get(doc, "not_ready_reasons");
    cr_assert_eq(json_array_size(got), n, "reasons: %s", json_dumps(got, 0));
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(json_string_value(json_array_get(got, i)), want[i]);
    cr_expect_eq(json_is_true(json_object_get(doc, "ready")), n == 0);
}

Test(export_connection, e1_admin_connects_token_opens_only_the_connection_api)
{
    /* RULE E1 */
    struct th_resp r = connect_as("admin", "admin-secret", "site-17", 201);
    const char *const all[] = { "no location is mapped to an outlet", "no employee",
                                "no register" };
    expect_reasons(r.json, all, 3);
    char token[SB_TOKEN_LEN];
    snprintf(token, sizeof(token), "%s", th_str(r.json, "token"));
    int64_t id = th_int(r.json, "channel_id");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE kind = 'export'"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM api_tokens WHERE channel_id IS NOT NULL"
                                " AND user_id = 1 AND NOT revoked"),
                 1);

    json_t *c = th_get(&t, token, "/api/v1/connection");
    cr_expect_eq(th_int(c, "id"), id);
    cr_expect_str_eq(th_str(c, "webstore_id"), "site-17");
    cr_expect_str_eq(th_str(c, "name"), "Webstore site-17");
    cr_expect_eq(json_array_size(json_object_get(c, "outlets")), 0);
    cr_expect(json_is_object(json_object_get(c, "settings")));
    expect_reasons(c, all, 3);
    json_decref(c);

    /* nothing else: not the sales, not its own channel's record */
    const char *others[] = { "/api/v1/sales", "/api/v1/me", "/api/v1/channels" };
    for (size_t i = 0; i < 3; i++) {
        struct th_resp o = th_req(&t, "GET", others[i], token, NULL);
        expect_code(&o, 403, "forbidden");
        cr_expect_str_eq(error_message(&o), "a connection token only opens the connection API");
        th_resp_free(&o);
    }
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/channels/%lld", (long long)id);
    th_expect_error(&t, "PATCH", path, token, "{\"name\":\"mine\"}", 403, "forbidden");
}

Test(export_connection, e1_manager_connects_with_a_name)
{
    /* RULE E1 */
    struct th_resp r = th_req(&t, "POST", "/api/v1/connection", NULL,
                              "{\"username\":\"manager\",\"password\":\"manager-secret\","
                              "\"webstore_id\":\"site-9\",\"name\":\"Bike shop site\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    int64_t id = th_int(r.json, "channel_id");
    th_resp_free(&r);
    json_t *ch = th_get(&t, t.admin, "/api/v1/channels/%lld", (long long)id);
    cr_expect_str_eq(th_str(ch, "kind"), "export");
    cr_expect_str_eq(th_str(ch, "name"), "Bike shop site");
    json_t *conn = json_object_get(ch, "connection");
    cr_expect_str_eq(th_str(json_object_get(conn, "connected_by"), "username"), "manager");
    cr_expect(json_is_string(json_object_get(conn, "connected_at")));
    cr_expect_eq(json_array_size(json_object_get(conn, "retired")), 0);
    json_decref(ch);
}

Test(export_connection, e1_staff_is_refused_and_nothing_is_made)
{
    /* RULE E1: a staff user is refused, even with the right password */
    struct th_resp r = connect_as("staff1", "staff-secret", "site-1", 403);
    expect_code(&r, 403, "forbidden");
    cr_expect(strstr(error_message(&r), "an admin or a manager") != NULL, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM api_tokens WHERE channel_id IS NOT NULL"), 0);
    /* the right password is no failure: nothing counted against the name */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sign_in_throttle WHERE username = 'staff1'"),
                 0);
}

Test(export_connection, e1_wrong_password_is_counted_by_the_sign_in_limits)
{
    /* RULE E1, SEC4: five failures for one name from one address, then refused */
    for (int i = 0; i < 5; i++) {
        struct th_resp r = connect_as("admin", "wrong", "site-1", 401);
        expect_code(&r, 401, "invalid_credentials");
        th_resp_free(&r);
    }
    cr_expect_eq(th_sql_int(&t, "SELECT failures FROM sign_in_throttle WHERE username = 'admin'"),
                 5);
    struct th_resp r = connect_as("admin", "admin-secret", "site-1", 429);
    expect_code(&r, 429, "too_many_attempts");
    th_resp_free(&r);
    /* the same counter as the web app's sign-in */
    struct th_resp s = th_req(&t, "POST", "/api/v1/session", NULL,
                              "{\"username\":\"admin\",\"password\":\"admin-secret\"}");
    expect_code(&s, 429, "too_many_attempts");
    th_resp_free(&s);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM api_tokens WHERE channel_id IS NOT NULL"), 0);
}

Test(export_connection, e1_unknown_user_is_refused)
{
    /* RULE E1 */
    struct th_resp r = connect_as("nobody", "whatever", "site-1", 401);
    expect_code(&r, 401, "invalid_credentials");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels"), 0);
}

Test(export_connection, e1_connecting_again_retires_the_previous_connection)
{
    /* RULE E1: the previous connection of that webstore stops working at once */
    char first[SB_TOKEN_LEN], second[SB_TOKEN_LEN], other[SB_TOKEN_LEN];
    int64_t a = connected("site-1", first);
    int64_t b = connected("site-1", second);
    cr_expect_eq(a, b, "the same webstore keeps its channel");
    struct th_resp r = th_req(&t, "GET", "/api/v1/connection", first, NULL);
    expect_code(&r, 401, "connection_retired");
    cr_expect(strncmp(error_message(&r), "replaced by a new connection at ", 32) == 0, "%s",
              r.body);
    th_resp_free(&r);
    json_t *c = th_get(&t, second, "/api/v1/connection");
    cr_expect_eq(th_int(c, "id"), a);
    json_decref(c);
    /* another webstore is another channel, and leaves this one alone */
    int64_t o = connected("site-2", other);
    cr_expect_neq(o, a);
    json_decref(th_get(&t, second, "/api/v1/connection"));
    json_t *ch = th_get(&t, t.admin, "/api/v1/channels/%lld", (long long)a);
    json_t *retired = json_object_get(json_object_get(ch, "connection"), "retired");
    cr_expect_eq(json_array_size(retired), 1);
    cr_expect(strncmp(th_str(json_array_get(retired, 0), "reason"), "replaced by", 11) == 0);
    json_decref(ch);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE kind = 'export'"), 2);
}

Test(export_connection, e1_a_users_token_does_not_open_the_connection_api)
{
    /* RULE E1 */
    char token[SB_TOKEN_LEN];
    connected("site-1", token);
    th_expect_error(&t, "GET", "/api/v1/connection", t.admin, NULL, 403, "forbidden");
    th_expect_error(&t, "PATCH", "/api/v1/connection", f.manager, "{\"employee_id\":1}", 403,
                    "forbidden");
    th_expect_error(&t, "GET", "/api/v1/connection", NULL, NULL, 401, "unauthorized");
}

Test(export_connection, e1_incomplete_until_location_employee_and_register)
{
    /* RULE E1: at least one outlet mapped to a location, an employee and a register */
    char token[SB_TOKEN_LEN];
    int64_t id = connected("site-1", token);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    json_t *missing = NULL;
    cr_expect_eq(sb_sync_connection_ready(db, id, &missing), SB_ECONNECTION_INCOMPLETE);
    cr_expect_str_eq(sb_err_last()->message, "the connection is incomplete: no location is mapped"
                                             " to an outlet, no employee, no register");
    cr_expect_eq(json_array_size(missing), 3);
    json_decref(missing);
    sb_store_release(t.store, db);

    struct th_resp r = th_req(&t, "PATCH", "/api/v1/connection", token,
                              "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":1,"
                              "\"name\":\"Main St\"}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    const char *const two[] = { "no employee", "no register" };
    expect_reasons(r.json, two, 2);
    json_t *outlets = json_object_get(r.json, "outlets");
    cr_expect_eq(json_array_size(outlets), 1);
    cr_expect_eq(th_int(json_array_get(outlets, 0), "id"), 1);
    cr_expect_str_eq(th_str(json_array_get(outlets, 0), "name"), "Downtown");
    th_resp_free(&r);

    r = th_req(&t, "PATCH", "/api/v1/connection", token, "{\"employee_id\":1}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    const char *const one[] = { "no register" };
    expect_reasons(r.json, one, 1);
    th_resp_free(&r);

    r = th_req(&t, "PATCH", "/api/v1/connection", token,
               "{\"register_id\":1,\"settings\":{\"publish_on_order\":true}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    expect_reasons(r.json, NULL, 0);
    cr_expect_eq(th_int(r.json, "employee_id"), 1);
    cr_expect_eq(th_int(r.json, "register_id"), 1);
    cr_expect(
        json_is_true(json_object_get(json_object_get(r.json, "settings"), "publish_on_order")));
    th_resp_free(&r);

    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    cr_expect_eq(sb_sync_connection_ready(db, id, NULL), SB_OK);
    sb_store_release(t.store, db);
    /* the channel's own record agrees: its outlet linked and made its default */
    json_t *ch = th_get(&t, t.admin, "/api/v1/channels/%lld", (long long)id);
    cr_expect_eq(th_int(ch, "default_outlet_id"), 1);
    cr_expect_eq(json_array_size(json_object_get(ch, "outlets")), 1);
    json_decref(ch);

    /* the mapping moved to outlet 2 takes the register with it or is refused */
    th_expect_error(&t, "PATCH", "/api/v1/connection", token,
                    "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":2}]}", 422,
                    "invalid_field");
    r = th_req(&t, "PATCH", "/api/v1/connection", token,
               "{\"locations\":[{\"location_id\":\"L2\",\"outlet_id\":2}],\"register_id\":2}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    expect_reasons(r.json, NULL, 0);
    th_resp_free(&r);
    ch = th_get(&t, t.admin, "/api/v1/channels/%lld", (long long)id);
    cr_expect_eq(th_int(ch, "default_outlet_id"), 2);
    json_decref(ch);
}

Test(export_connection, e1_patch_refuses_unknown_ids_and_bad_input)
{
    /* RULE E1: the connection's references must exist; nothing is written otherwise */
    char token[SB_TOKEN_LEN];
    connected("site-1", token);
    char big[400];
    memset(big, 'x', 300);
    big[300] = '\0';
    char oversized[512];
    snprintf(oversized, sizeof(oversized),
             "{\"locations\":[{\"location_id\":\"%s\",\"outlet_id\":1}]}", big);
    const struct {
        const char *body;
        long status;
        const char *code;
    } cases[] = {
        { "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":99}]}", 422, "unknown_reference" },
        { "{\"employee_id\":99}", 422, "unknown_reference" },
        { "{\"register_id\":99}", 422, "unknown_reference" },
        /* register 2 is at outlet 2, which no location maps */
        { "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":1}],\"register_id\":2}", 422,
          "invalid_field" },
        { "{\"locations\":{}}", 422, "invalid_field" },
        { "{\"locations\":[{\"location_id\":7,\"outlet_id\":1}]}", 422, "invalid_field" },
        { "{\"locations\":[{\"outlet_id\":1}]}", 422, "missing_field" },
        { "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":\"1\"}]}", 422, "invalid_field" },
        { oversized, 422, "invalid_field" },
        { "{\"employee_id\":\"1\"}", 422, "invalid_field" },
        { "{\"register_id\":-1}", 422, "invalid_field" },
        { "{\"settings\":{\"no_such_setting\":true}}", 422, "invalid_field" },
        { "{\"settings\":{\"stock_sync\":\"yes\"}}", 422, "invalid_field" },
        { "{\"settings\":[]}", 422, "invalid_field" },
        { "{\"name\":\"x\"}", 422, "invalid_field" },
        { "[]", 400, "invalid_json" },
        { "{", 400, "invalid_json" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        th_expect_error(&t, "PATCH", "/api/v1/connection", token, cases[i].body, cases[i].status,
                        cases[i].code);
    th_expect_error(&t, "PATCH", "/api/v1/connection", token, NULL, 400, "invalid_json");
}

Test(export_connection, e1_connect_refuses_bad_input_and_writes_nothing)
{
    /* RULE E1: checked before any sign-in is counted */
    char big[300];
    memset(big, 'w', 150);
    big[150] = '\0';
    char oversized[512], long_name[512];
    snprintf(oversized, sizeof(oversized),
             "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":\"%s\"}", big);
    memset(big, 'n', 250);
    big[250] = '\0';
    snprintf(long_name, sizeof(long_name),
             "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":\"s\","
             "\"name\":\"%s\"}",
             big);
    const struct {
        const char *body;
        long status;
        const char *code;
    } cases[] = {
        { "{\"password\":\"admin-secret\",\"webstore_id\":\"s\"}", 422, "missing_field" },
        { "{\"username\":\"admin\",\"webstore_id\":\"s\"}", 422, "missing_field" },
        { "{\"username\":\"admin\",\"password\":\"admin-secret\"}", 422, "missing_field" },
        { "{\"username\":1,\"password\":\"admin-secret\",\"webstore_id\":\"s\"}", 422,
          "invalid_field" },
        { "{\"username\":\"admin\",\"password\":true,\"webstore_id\":\"s\"}", 422,
          "invalid_field" },
        { "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":5}", 422,
          "invalid_field" },
        { "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":\"\"}", 422,
          "invalid_field" },
        { "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":\"s\","
          "\"name\":\"\"}",
          422, "invalid_field" },
        { "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":\"s\","
          "\"role\":\"admin\"}",
          422, "invalid_field" },
        { oversized, 422, "invalid_field" },
        { long_name, 422, "invalid_field" },
        { "[]", 400, "invalid_json" },
        { "not json", 400, "invalid_json" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        th_expect_error(&t, "POST", "/api/v1/connection", NULL, cases[i].body, cases[i].status,
                        cases[i].code);
    th_expect_error(&t, "POST", "/api/v1/connection", NULL, NULL, 400, "invalid_json");
}

Test(export_connection, e1_admin_revokes_and_the_webstore_is_told_why)
{
    /* RULE E1 */
    char token[SB_TOKEN_LEN];
    int64_t id = connected("site-1", token);
    char path[80];
    snprintf(path, sizeof(path), "/api/v1/channels/%lld/connection", (long long)id);
    th_expect_error(&t, "DELETE", path, f.manager, NULL, 403, "forbidden");
    th_expect_error(&t, "DELETE", path, token, NULL, 403, "forbidden");
    th_expect_error(&t, "DELETE", "/api/v1/channels/999/connection", t.admin, NULL, 404,
                    "not_found");
    struct th_resp r = th_req(&t, "DELETE", path, t.admin, NULL);
    cr_assert_eq(r.status, 204, "%s", r.body);
    th_resp_free(&r);
    r = th_req(&t, "GET", "/api/v1/connection", token, NULL);
    expect_code(&r, 401, "connection_retired");
    cr_expect(strncmp(error_message(&r), "revoked by admin at ", 20) == 0, "%s", r.body);
    th_resp_free(&r);
    json_t *ch = th_get(&t, t.admin, "/api/v1/channels/%lld", (long long)id);
    json_t *conn = json_object_get(ch, "connection");
    cr_expect(json_is_null(json_object_get(conn, "connected_at")));
    cr_expect(json_is_null(json_object_get(conn, "connected_by")));
    json_t *retired = json_object_get(conn, "retired");
    cr_assert_eq(json_array_size(retired), 1);
    cr_expect(strncmp(th_str(json_array_get(retired, 0), "reason"), "revoked by admin at ", 20) ==
              0);
    json_decref(ch);
    /* nothing live to revoke any more */
    th_expect_error(&t, "DELETE", path, t.admin, NULL, 409, "conflict");
}

Test(export_connection, e1_revoke_refuses_a_channel_of_another_kind)
{
    /* RULE E1: only an export-model webstore has a connection */
    int64_t id = th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"shopify\",\"name\":\"Shop\",\"outlets\":[1]}");
    char path[80];
    snprintf(path, sizeof(path), "/api/v1/channels/%lld/connection", (long long)id);
    th_expect_error(&t, "DELETE", path, t.admin, NULL, 404, "not_found");
    json_t *ch = th_get(&t, t.admin, "/api/v1/channels/%lld", (long long)id);
    cr_expect_null(json_object_get(ch, "connection"));
    json_decref(ch);
}

Test(export_connection, e4_the_poll_schedule_never_polls_an_export_channel)
{
    /* RULE E4: the webstore sends its orders; the schedule polls the kinds that download
     * orders (a Shopify channel beside it here) and not this one, whose log would otherwise
     * fill with "this kind of channel cannot be polled" every interval */
    char token[SB_TOKEN_LEN];
    (void)connected("site-poll", token);
    int64_t shop = th_create(&t, t.admin, "/api/v1/channels",
                             "{\"kind\":\"shopify\",\"name\":\"Shop\",\"credentials\":"
                             "{\"shop_domain\":\"acme.myshopify.com\",\"access_token\":"
                             "\"shpat_x\",\"webhook_secret\":\"s\"},\"outlets\":[1]}");
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    int64_t ids[8];
    size_t n = 0;
    /* both are due by the store's own test (enabled, credentials, download_orders) */
    cr_assert_eq(sb_store_channel_poll_due(db, sb_time_now(), NULL, ids, 8, &n), SB_OK);
    cr_expect_eq(n, 2);
    cr_assert_eq(sb_store_channel_poll_due(db, sb_time_now(), sb_sync_kind_polled, ids, 8, &n),
                 SB_OK);
    cr_assert_eq(n, 1);
    cr_expect_eq(ids[0], shop);
    sb_store_release(t.store, db);
    cr_expect_not(sb_sync_kind_polled("export"));
    cr_expect(sb_sync_kind_polled("shopify") && sb_sync_kind_polled("magento2") &&
              sb_sync_kind_polled("ecwid") && sb_sync_kind_polled("ecom"));
}

/* The channel's log, oldest first, as "event external_id|message" lines of the events
 * that start with one of the prefixes. */
static json_t *log_of(int64_t channel)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/%lld/log?limit=100", (long long)channel);
    json_t *out = json_array();
    json_t *data = json_object_get(page, "data");
    for (size_t i = json_array_size(data); i-- > 0;) {
        json_t *e = json_array_get(data, i);
        const char *ev = th_str(e, "event");
        if (strncmp(ev, "connection.", 11) != 0 && strncmp(ev, "order.", 6) != 0)
            continue;
        json_t *id = json_object_get(e, "external_id");
        json_array_append_new(out, json_sprintf("%s %s|%s", ev,
                                                json_is_string(id) ? json_string_value(id) : "-",
                                                th_str(e, "message")));
    }
    json_decref(page);
    return out;
}

static void expect_line(json_t *lines, size_t i, const char *prefix)
{
    const char *l = json_string_value(json_array_get(lines, i));
    cr_expect(l && strncmp(l, prefix, strlen(prefix)) == 0, "line %zu: want \"%s...\", got %s", i,
              prefix, l ? l : "(none)");
}

Test(export_connection, o10_the_merchant_reads_the_connection_in_the_channels_log)
{
    /* RULE E1, E3, E8, O10: what the webstore did and what happened to its connection is in
     * the channel's log, in order: connected, an order exported, refunded, connected again
     * (the first retired), revoked by the admin */
    char token[SB_TOKEN_LEN], again[SB_TOKEN_LEN];
    int64_t id = te_connect(&t, "site-log", true, token);
    struct th_resp r = te_export(&t, token, ORDER("2001", PAID_BY_CARD));
    int64_t sale = th_int(te_result(&r, 0), "sale_id");
    th_resp_free(&r);
    r = th_req(&t, "POST", "/api/v1/connection/orders/2001/refund", token,
               "{\"refund_id\":\"R-9\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    int64_t ret = th_int(json_object_get(r.json, "return"), "id");
    th_resp_free(&r);
    cr_assert_eq(te_connect(&t, "site-log", false, again), id);
    char path[80];
    snprintf(path, sizeof(path), "/api/v1/channels/%lld/connection", (long long)id);
    r = th_req(&t, "DELETE", path, t.admin, NULL);
    cr_assert_eq(r.status, 204, "%s", r.body);
    th_resp_free(&r);

    json_t *lines = log_of(id);
    char want[160];
    cr_assert_eq(json_array_size(lines), 6, "%s", json_dumps(lines, JSON_INDENT(1)));
    expect_line(lines, 0, "connection.connected -|connected by admin (E1)");
    snprintf(want, sizeof(want), "order.downloaded 2001|order W-2001 became sale %lld",
             (long long)sale);
    expect_line(lines, 1, want);
    snprintf(want, sizeof(want),
             "order.refunded 2001|refunded on the webstore: return %lld on sale %lld, restocked"
             " (E8)",
             (long long)ret, (long long)sale);
    expect_line(lines, 2, want);
    expect_line(
        lines, 3,
        "connection.retired -|the connection was retired: replaced by a new connection at ");
    expect_line(lines, 4, "connection.connected -|connected by admin (E1)");
    expect_line(lines, 5, "connection.retired -|the connection was retired: revoked by admin at ");
    json_decref(lines);
}

Test(export_connection, e1_deactivating_the_user_who_connected_retires_it_and_says_so)
{
    /* RULE E1: the manager's connection dies with the manager's account; the webstore is
     * told why, and so is the merchant, in the channel's log */
    struct th_resp r = connect_as("manager", "manager-secret", "site-mgr", 201);
    char token[SB_TOKEN_LEN];
    snprintf(token, sizeof(token), "%s", th_str(r.json, "token"));
    int64_t id = th_int(r.json, "channel_id");
    th_resp_free(&r);
    int64_t manager = th_sql_int(&t, "SELECT id FROM users WHERE username = 'manager'");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/users/%lld", (long long)manager);
    r = th_req(&t, "PATCH", path, t.admin, "{\"active\":false}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = th_req(&t, "GET", "/api/v1/connection", token, NULL);
    expect_code(&r, 401, "connection_retired");
    const char *why = "the user who made the connection was deactivated at ";
    cr_expect(strncmp(error_message(&r), why, strlen(why)) == 0, "%s", r.body);
    th_resp_free(&r);
    json_t *lines = log_of(id);
    cr_assert_eq(json_array_size(lines), 2, "%s", json_dumps(lines, JSON_INDENT(1)));
    expect_line(lines, 0, "connection.connected -|connected by manager (E1)");
    char want[160];
    snprintf(want, sizeof(want), "connection.retired -|the connection was retired: %s", why);
    expect_line(lines, 1, want);
    json_decref(lines);
}
