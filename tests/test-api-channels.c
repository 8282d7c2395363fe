/*
 * /api/v1/channels end to end: records with their settings (defaults, merge,
 * validation), sealed credentials that never come back out (responses, the
 * sync log, the database file), links to outlets, locations and methods with
 * ready / not_ready_reasons, several channels side by side, roles, every
 * kind of bad input, the O10 order list and the sync log; and the store's
 * run-time view (sb_store_channel_load), log, cursor and poll schedule.
 */
#include "harness.h"
#include "store/channel-log.h"
#include "store/channel-polls.h"
#include "store/channels.h"
#include "sync/channel-cache.h"
#include "util/secretbox.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct th t;
static struct th_fixture f;

#define TOKEN "shpat_SECRET_TOKEN_0123456789"
#define HOOK  "whsec_HIDDEN_SIGNING_KEY_42"
#define CRED                                                            \
    "{\"shop_domain\":\"acme.myshopify.com\",\"access_token\":\"" TOKEN \
    "\",\"webhook_secret\":\"" HOOK "\"}"
#define P "/api/v1/channels"

static void setup(void)
{
    th_start(&t); /* loads the key file beside the test database */
    th_fixture(&t, &f);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(channels, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static void expect_json(json_t *got, const char *want)
{
    json_error_t e;
    json_t *w = json_loads(want, 0, &e);
    cr_assert_not_null(w, "bad expected JSON %s: %s", want, e.text);
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    char *ws = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
    cr_expect(json_equal(got, w), "got %s\nwant %s", g ? g : "(null)", ws);
    free(g);
    free(ws);
    json_decref(w);
}

static json_t *get_channel(int64_t id)
{
    return th_get(&t, t.admin, P "/%lld", (long long)id);
}

/* A request that must fail with this status, code and field, changing nothing. */
static void expect_err(const char *method, const char *path, const char *token, const char *body,
                       long status, const char *code, const char *field)
{
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = th_req(&t, method, path, token, body);
    cr_expect_eq(r.status, status, "%s %s %s: want %ld, got %ld %s", method, path, body ? body : "",
                 status, r.status, r.body);
    json_t *e = json_object_get(r.json, "error");
    cr_expect_str_eq(th_str(e, "code"), code, "%s %s %s: %s", method, path, body ? body : "",
                     r.body);
    if (field)
        cr_expect_str_eq(th_str(e, "field"), field, "%s %s %s: %s", method, path, body ? body : "",
                         r.body);
    cr_expect(json_is_string(json_object_get(e, "message")));
    cr_expect_eq(th_fingerprint(&t), before, "%s %s %s changed the database", method, path,
                 body ? body : "");
    th_resp_free(&r);
}

static struct th_resp patch(int64_t id, const char *body)
{
    char path[64];
    snprintf(path, sizeof(path), P "/%lld", (long long)id);
    return th_req(&t, "PATCH", path, t.admin, body);
}

static void patch_ok(int64_t id, const char *body)
{
    struct th_resp r = patch(id, body);
    cr_expect_eq(r.status, 200, "PATCH %s: %s", body, r.body);
    th_resp_free(&r);
}

static const char *path_of(char *buf, size_t cap, int64_t id, const char *suffix)
{
    snprintf(buf, cap, P "/%lld%s", (long long)id, suffix);
    return buf;
}

/* A ready channel: outlets 1 then 2, default 1, register 1, employee 1. */
static int64_t ready_channel(const char *name)
{
    return th_create(&t, t.admin, P,
                     "{\"kind\":\"shopify\",\"name\":\"%s\",\"credentials\":" CRED
                     ",\"outlets\":[1,2],\"default_outlet_id\":1,\"register_id\":1,"
                     "\"employee_id\":1}",
                     name);
}

/* Whether the bytes of needle occur in the file (the database or its WAL). */
static bool file_contains(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    fclose(fp);
    bool found = memmem(buf, got, needle, strlen(needle)) != NULL;
    free(buf);
    return found;
}

static void expect_no_secret(const char *text, const char *where)
{
    cr_expect_null(strstr(text, TOKEN), "the access token shows in %s", where);
    cr_expect_null(strstr(text, HOOK), "the webhook secret shows in %s", where);
    cr_expect_null(strstr(text, "credentials\":{"), "credentials show in %s", where);
}

/* ---- records ---- */

Test(channels, create_minimal_fills_defaults_and_is_not_ready)
{
    int64_t id = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Acme online\"}");
    json_t *c = get_channel(id);
    cr_expect_eq(th_int(c, "id"), id);
    cr_expect_str_eq(th_str(c, "kind"), "shopify");
    cr_expect_str_eq(th_str(c, "name"), "Acme online");
    cr_expect(json_is_true(json_object_get(c, "enabled")));
    /* N3, S3, S4, I4, I7, PR1, PR3, N4: the defaults */
    expect_json(json_object_get(c, "settings"),
                "{\"download_orders\":true,\"notifications\":true,\"auto_fulfillment\":true,"
                "\"take_fulfillments\":false,\"stock_sync\":true,\"use_pos_pricing\":false,"
                "\"regular_price_level_id\":null,\"sale_price_level_id\":null,"
                "\"poll_interval_seconds\":300,\"publish_on_hand\":true,\"publish_on_order\":false,"
                "\"publish_reorder\":false,\"sale_starts_at\":null,\"sale_ends_at\":null,"
                "\"email_new_orders\":false,\"email_recipients\":null,"
                "\"webhook_base_url\":null}");
    cr_expect(json_is_false(json_object_get(c, "has_credentials")));
    expect_json(json_object_get(c, "outlets"), "[]");
    expect_json(json_object_get(c, "locations"), "[]");
    expect_json(json_object_get(c, "methods"), "[]");
    cr_expect(json_is_null(json_object_get(c, "default_outlet_id")));
    cr_expect(json_is_null(json_object_get(c, "register_id")));
    cr_expect(json_is_null(json_object_get(c, "employee_id")));
    cr_expect(json_is_false(json_object_get(c, "ready")));
    expect_json(json_object_get(c, "not_ready_reasons"),
                "[\"no outlet is linked\",\"no default outlet\",\"no credentials\"]");
    char wh[64];
    snprintf(wh, sizeof(wh), "/webhooks/%lld", (long long)id);
    cr_expect_str_eq(th_str(c, "webhook_path"), wh);
    cr_expect(json_is_null(json_object_get(c, "poll_cursor")));
    cr_expect(json_is_null(json_object_get(c, "last_poll_at")));
    cr_expect(json_is_string(json_object_get(c, "created_at")));
    cr_expect(json_is_string(json_object_get(c, "updated_at")));
    cr_expect_null(json_object_get(c, "credentials"));
    json_decref(c);
}

Test(channels, create_full_record_is_ready)
{
    struct th_resp r = th_req(
        &t, "POST", P, t.admin,
        "{\"kind\":\"shopify\",\"name\":\"Acme\",\"enabled\":false,\"credentials\":" CRED ","
        "\"settings\":{\"stock_sync\":false,\"use_pos_pricing\":true,"
        "\"regular_price_level_id\":1,\"sale_price_level_id\":2,\"poll_interval_seconds\":60},"
        "\"outlets\":[2,1],\"default_outlet_id\":2,\"register_id\":2,\"employee_id\":1,"
        "\"locations\":[{\"location_id\":\"gid://shopify/Location/9007199254740993\","
        "\"outlet_id\":1,\"name\":\"Warehouse\"},"
        "{\"location_id\":\"gid://shopify/Location/9007199254740993\",\"outlet_id\":2},"
        "{\"location_id\":\"55\",\"outlet_id\":2,\"name\":null}],"
        "\"methods\":[{\"method\":\"Store pickup\",\"outlet_id\":1,\"pickup\":true},"
        "{\"method\":\"Local delivery\",\"outlet_id\":2}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    json_t *c = r.json;
    cr_expect(json_is_false(json_object_get(c, "enabled")));
    cr_expect(json_is_true(json_object_get(c, "has_credentials")));
    expect_json(json_object_get(c, "settings"),
                "{\"download_orders\":true,\"notifications\":true,\"auto_fulfillment\":true,"
                "\"take_fulfillments\":false,\"stock_sync\":false,\"use_pos_pricing\":true,"
                "\"regular_price_level_id\":1,\"sale_price_level_id\":2,"
                "\"poll_interval_seconds\":60,\"publish_on_hand\":true,\"publish_on_order\":false,"
                "\"publish_reorder\":false,\"sale_starts_at\":null,\"sale_ends_at\":null,"
                "\"email_new_orders\":false,\"email_recipients\":null,"
                "\"webhook_base_url\":null}");
    /* priority order as given */
    expect_json(json_object_get(c, "outlets"),
                "[{\"outlet_id\":2,\"priority\":1},{\"outlet_id\":1,\"priority\":2}]");
    /* SP3: one location stocked from two outlets */
    expect_json(json_object_get(c, "locations"),
                "[{\"location_id\":\"55\",\"outlet_id\":2,\"name\":null},"
                "{\"location_id\":\"gid://shopify/Location/9007199254740993\",\"outlet_id\":1,"
                "\"name\":\"Warehouse\"},"
                "{\"location_id\":\"gid://shopify/Location/9007199254740993\",\"outlet_id\":2,"
                "\"name\":null}]");
    /* A1 */
    expect_json(json_object_get(c, "methods"),
                "[{\"method\":\"Local delivery\",\"outlet_id\":2,\"pickup\":false},"
                "{\"method\":\"Store pickup\",\"outlet_id\":1,\"pickup\":true}]");
    cr_expect_eq(th_int(c, "default_outlet_id"), 2);
    cr_expect_eq(th_int(c, "register_id"), 2);
    cr_expect_eq(th_int(c, "employee_id"), 1);
    cr_expect(json_is_true(json_object_get(c, "ready")));
    expect_json(json_object_get(c, "not_ready_reasons"), "[]");
    expect_no_secret(r.body, "the create response");
    /* GET shows the same record */
    json_t *g = get_channel(th_int(c, "id"));
    cr_expect(json_equal(g, c));
    json_decref(g);
    th_resp_free(&r);
}

Test(channels, update_changes_only_what_is_given)
{
    int64_t id = ready_channel("Acme");
    json_t *before = get_channel(id);
    patch_ok(id, "{\"name\":\"Acme US\"}");
    json_t *c = get_channel(id);
    cr_expect_str_eq(th_str(c, "name"), "Acme US");
    /* everything else as it was */
    json_object_del(c, "name");
    json_object_del(before, "name");
    json_object_del(c, "updated_at");
    json_object_del(before, "updated_at");
    cr_expect(json_equal(c, before));
    json_decref(c);
    json_decref(before);

    /* lists given replace the old ones; null clears a link */
    patch_ok(id, "{\"outlets\":[2,1],\"register_id\":null,\"employee_id\":null,"
                 "\"methods\":[{\"method\":\"Courier\",\"outlet_id\":2}],\"enabled\":false}");
    c = get_channel(id);
    expect_json(json_object_get(c, "outlets"),
                "[{\"outlet_id\":2,\"priority\":1},{\"outlet_id\":1,\"priority\":2}]");
    cr_expect(json_is_null(json_object_get(c, "register_id")));
    cr_expect(json_is_null(json_object_get(c, "employee_id")));
    cr_expect(json_is_false(json_object_get(c, "enabled")));
    expect_json(json_object_get(c, "methods"),
                "[{\"method\":\"Courier\",\"outlet_id\":2,\"pickup\":false}]");
    cr_expect(json_is_true(json_object_get(c, "ready")));
    json_decref(c);

    /* removing the default outlet makes it not ready, with the reason */
    patch_ok(id, "{\"default_outlet_id\":null}");
    c = get_channel(id);
    cr_expect(json_is_false(json_object_get(c, "ready")));
    expect_json(json_object_get(c, "not_ready_reasons"), "[\"no default outlet\"]");
    json_decref(c);
    patch_ok(id, "{\"outlets\":[],\"methods\":[]}");
    c = get_channel(id);
    expect_json(json_object_get(c, "not_ready_reasons"),
                "[\"no outlet is linked\",\"no default outlet\"]");
    json_decref(c);
    /* the same kind may be restated */
    patch_ok(id, "{\"kind\":\"shopify\"}");
}

Test(channels, settings_merge_key_by_key)
{
    int64_t id = ready_channel("Acme");
    patch_ok(id, "{\"settings\":{\"stock_sync\":false}}");
    patch_ok(id, "{\"settings\":{\"notifications\":false,\"take_fulfillments\":true}}");
    json_t *c = get_channel(id);
    expect_json(json_object_get(c, "settings"),
                "{\"download_orders\":true,\"notifications\":false,\"auto_fulfillment\":true,"
                "\"take_fulfillments\":true,\"stock_sync\":false,\"use_pos_pricing\":false,"
                "\"regular_price_level_id\":null,\"sale_price_level_id\":null,"
                "\"poll_interval_seconds\":300,\"publish_on_hand\":true,\"publish_on_order\":false,"
                "\"publish_reorder\":false,\"sale_starts_at\":null,\"sale_ends_at\":null,"
                "\"email_new_orders\":false,\"email_recipients\":null,"
                "\"webhook_base_url\":null}");
    json_decref(c);
    /* PR2: POS pricing needs a regular price level; null clears a level */
    patch_ok(id, "{\"settings\":{\"use_pos_pricing\":true,\"regular_price_level_id\":1,"
                 "\"sale_price_level_id\":2}}");
    patch_ok(id, "{\"settings\":{\"sale_price_level_id\":null}}");
    c = get_channel(id);
    json_t *s = json_object_get(c, "settings");
    cr_expect(json_is_true(json_object_get(s, "use_pos_pricing")));
    cr_expect_eq(th_int(s, "regular_price_level_id"), 1);
    cr_expect(json_is_null(json_object_get(s, "sale_price_level_id")));
    json_decref(c);
    char path[64];
    path_of(path, sizeof(path), id, "");
    expect_err("PATCH", path, t.admin, "{\"settings\":{\"regular_price_level_id\":null}}", 422,
               "missing_field", "settings.regular_price_level_id");
    patch_ok(id, "{\"settings\":{\"use_pos_pricing\":false,\"regular_price_level_id\":null}}");
    /* an empty settings object changes nothing */
    patch_ok(id, "{\"settings\":{}}");
}

Test(channels, settings_validation)
{
    int64_t id = ready_channel("Acme");
    char path[64];
    path_of(path, sizeof(path), id, "");
    const struct {
        const char *body, *code, *field;
    } bad[] = {
        { "{\"settings\":{\"colour\":1}}", "invalid_field", "settings.colour" },
        { "{\"settings\":{\"stock_sync\":\"no\"}}", "invalid_field", "settings.stock_sync" },
        { "{\"settings\":{\"notifications\":1}}", "invalid_field", "settings.notifications" },
        { "{\"settings\":{\"notifications\":null}}", "invalid_field", "settings.notifications" },
        { "{\"settings\":{\"poll_interval_seconds\":59}}", "invalid_field",
          "settings.poll_interval_seconds" },
        { "{\"settings\":{\"poll_interval_seconds\":86401}}", "invalid_field",
          "settings.poll_interval_seconds" },
        { "{\"settings\":{\"poll_interval_seconds\":300.5}}", "invalid_field",
          "settings.poll_interval_seconds" },
        { "{\"settings\":{\"poll_interval_seconds\":\"300\"}}", "invalid_field",
          "settings.poll_interval_seconds" },
        { "{\"settings\":{\"regular_price_level_id\":0}}", "invalid_field",
          "settings.regular_price_level_id" },
        { "{\"settings\":{\"regular_price_level_id\":\"1\"}}", "invalid_field",
          "settings.regular_price_level_id" },
        { "{\"settings\":{\"regular_price_level_id\":999}}", "unknown_reference",
          "settings.regular_price_level_id" },
        { "{\"settings\":{\"sale_price_level_id\":999}}", "unknown_reference",
          "settings.sale_price_level_id" },
        { "{\"settings\":{\"use_pos_pricing\":true}}", "missing_field",
          "settings.regular_price_level_id" },
        { "{\"settings\":{\"publish_on_order\":\"yes\"}}", "invalid_field",
          "settings.publish_on_order" },
        { "{\"settings\":{\"sale_starts_at\":\"tomorrow\"}}", "invalid_field",
          "settings.sale_starts_at" },
        { "{\"settings\":{\"sale_ends_at\":\"2026-12-01T00:00:00Z\"}}", "invalid_field",
          "settings.sale_ends_at" },
        { "{\"settings\":{\"sale_starts_at\":\"2026-12-02T00:00:00Z\","
          "\"sale_ends_at\":\"2026-12-01T00:00:00Z\"}}",
          "invalid_field", "settings.sale_ends_at" },
        { "{\"settings\":[]}", "invalid_field", "settings" },
        { "{\"settings\":\"all\"}", "invalid_field", "settings" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_err("PATCH", path, t.admin, bad[i].body, 422, bad[i].code, bad[i].field);
    /* the same on create */
    expect_err("POST", P, t.admin,
               "{\"kind\":\"shopify\",\"name\":\"B\",\"settings\":{\"use_pos_pricing\":true}}", 422,
               "missing_field", "settings.regular_price_level_id");
    expect_err("POST", P, t.admin, "{\"kind\":\"shopify\",\"name\":\"B\",\"settings\":{\"x\":1}}",
               422, "invalid_field", "settings.x");
    /* the bounds themselves are fine */
    patch_ok(id, "{\"settings\":{\"poll_interval_seconds\":60}}");
    patch_ok(id, "{\"settings\":{\"poll_interval_seconds\":86400}}");
}

/* ---- credentials ---- */

Test(channels, credentials_never_leave_in_clear)
{
    int64_t id = ready_channel("Acme");
    struct th_resp r = th_req(&t, "GET", P, t.admin, NULL);
    expect_no_secret(r.body, "the list");
    th_resp_free(&r);
    char path[64];
    r = th_req(&t, "GET", path_of(path, sizeof(path), id, ""), t.admin, NULL);
    expect_no_secret(r.body, "the record");
    th_resp_free(&r);
    r = patch(id, "{\"credentials\":{\"shop_domain\":\"acme.myshopify.com\","
                  "\"access_token\":\"" TOKEN "_v2\",\"webhook_secret\":\"" HOOK "\"}}");
    cr_expect_eq(r.status, 200, "%s", r.body);
    expect_no_secret(r.body, "the PATCH response");
    cr_expect(json_is_true(json_object_get(r.json, "has_credentials")));
    th_resp_free(&r);
    r = th_req(&t, "GET", path_of(path, sizeof(path), id, "/log"), t.admin, NULL);
    cr_expect_eq(r.status, 200);
    expect_no_secret(r.body, "the sync log");
    cr_expect_eq(json_array_size(json_object_get(r.json, "data")), 2);
    th_resp_free(&r);

    /* stored sealed: not in the column, not anywhere in the database files */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE credentials IS NOT NULL"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE credentials LIKE '%shpat%'"
                                " OR credentials LIKE '%whsec%' OR credentials LIKE '%myshopify%'"),
                 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_log WHERE message LIKE '%shpat%'"
                                " OR message LIKE '%whsec%'"),
                 0);
    char wal[400]; /* (on PostgreSQL there is no file: th_pg(), nothing to read) */
    snprintf(wal, sizeof(wal), "%s-wal", t.db_path);
    cr_expect(!file_contains(t.db_path, TOKEN) && !file_contains(wal, TOKEN),
              "the access token is in the database files in clear");
    cr_expect(!file_contains(t.db_path, HOOK) && !file_contains(wal, HOOK),
              "the webhook secret is in the database files in clear");

    /* the pipeline's view has them, decrypted, and the replaced token is the one */
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    struct sb_arena *a = sb_arena_new();
    struct sb_channel_rt *rt = NULL;
    cr_assert_eq(sb_channel_load(NULL, db, id, a, &rt), SB_OK, "%s", sb_err_last()->message);
    cr_expect_str_eq(th_str(rt->ch.credentials, "access_token"), TOKEN "_v2");
    cr_expect_str_eq(th_str(rt->ch.credentials, "webhook_secret"), HOOK);
    sb_arena_free(a);
    sb_store_release(t.store, db);

    /* null removes them */
    patch_ok(id, "{\"credentials\":null}");
    json_t *c = get_channel(id);
    cr_expect(json_is_false(json_object_get(c, "has_credentials")));
    cr_expect(json_is_false(json_object_get(c, "ready")));
    expect_json(json_object_get(c, "not_ready_reasons"), "[\"no credentials\"]");
    json_decref(c);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE credentials IS NULL"), 1);
}

Test(channels, credentials_validation)
{
    int64_t id = ready_channel("Acme");
    char path[64];
    path_of(path, sizeof(path), id, "");
    const struct {
        const char *cred, *code, *field;
    } bad[] = {
        { "{\"access_token\":\"t\",\"webhook_secret\":\"s\"}", "missing_field",
          "credentials.shop_domain" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"webhook_secret\":\"s\"}", "missing_field",
          "credentials.access_token" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\"}", "missing_field",
          "credentials.webhook_secret" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":null}",
          "invalid_field", "credentials.webhook_secret" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"\",\"webhook_secret\":\"s\"}",
          "invalid_field", "credentials.access_token" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":42,\"webhook_secret\":\"s\"}",
          "invalid_field", "credentials.access_token" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\\n\",\"webhook_secret\":"
          "\"s\"}",
          "invalid_field", "credentials.access_token" },

        { "{\"shop_domain\":\"https://a.myshopify.com\",\"access_token\":\"t\","
          "\"webhook_secret\":\"s\"}",
          "invalid_field", "credentials.shop_domain" },
        { "{\"shop_domain\":\"a..myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":"
          "\"s\"}",
          "invalid_field", "credentials.shop_domain" },
        { "{\"shop_domain\":\"-a.myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":"
          "\"s\"}",
          "invalid_field", "credentials.shop_domain" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":\"s\","
          "\"base_url\":\"ftp://a.example\"}",
          "invalid_field", "credentials.base_url" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":\"s\","
          "\"base_url\":\"http://user@a.example\"}",
          "invalid_field", "credentials.base_url" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":\"s\","
          "\"base_url\":\"http://127.0.0.1:99999\"}",
          "invalid_field", "credentials.base_url" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":\"s\","
          "\"base_url\":\"http://a.example/x y\"}",
          "invalid_field", "credentials.base_url" },
        { "{\"shop_domain\":\"a.myshopify.com\",\"access_token\":\"t\",\"webhook_secret\":\"s\","
          "\"password\":\"p\"}",
          "invalid_field", "credentials.password" },
        { "[\"t\"]", "invalid_field", "credentials" },
        { "\"shpat_x\"", "invalid_field", "credentials" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[1024];
        snprintf(body, sizeof(body), "{\"credentials\":%s}", bad[i].cred);
        expect_err("PATCH", path, t.admin, body, 422, bad[i].code, bad[i].field);
    }
    /* a NUL inside a secret never gets past the JSON parser */
    expect_err("PATCH", path, t.admin,
               "{\"credentials\":{\"shop_domain\":\"a.myshopify.com\",\"access_token\":"
               "\"t\\u0000x\",\"webhook_secret\":\"s\"}}",
               400, "invalid_json", NULL);
    /* an over-long token */
    size_t n = 1100;
    char *body = malloc(n + 200);
    int off = snprintf(body, 200,
                       "{\"credentials\":{\"shop_domain\":\"a.myshopify.com\","
                       "\"webhook_secret\":\"s\",\"access_token\":\"");
    memset(body + off, 'k', n);
    snprintf(body + off + n, 200, "\"}}");
    expect_err("PATCH", path, t.admin, body, 422, "invalid_field", "credentials.access_token");
    free(body);
    /* a fakestore (or proxy) URL is accepted; base_url null counts as absent */
    patch_ok(id, "{\"credentials\":{\"shop_domain\":\"fake.local\",\"access_token\":\"t\","
                 "\"webhook_secret\":\"s\",\"base_url\":\"http://127.0.0.1:8123/\"}}");
    patch_ok(id, "{\"credentials\":{\"shop_domain\":\"shop-2.example.com\",\"access_token\":"
                 "\"t\",\"webhook_secret\":\"s\",\"base_url\":null}}");
}

Test(channels, runtime_view_for_the_pipeline)
{
    int64_t id = th_create(
        &t, t.admin, P,
        "{\"kind\":\"shopify\",\"name\":\"Acme\",\"credentials\":{\"shop_domain\":"
        "\"acme.myshopify.com\",\"access_token\":\"" TOKEN "\",\"webhook_secret\":\"" HOOK "\","
        "\"base_url\":\"http://127.0.0.1:8123//\"},"
        "\"settings\":{\"notifications\":false},\"outlets\":[2,1],\"default_outlet_id\":1,"
        "\"register_id\":1,\"employee_id\":1,"
        "\"locations\":[{\"location_id\":\"7\",\"outlet_id\":1,\"name\":\"Main\"},"
        "{\"location_id\":\"7\",\"outlet_id\":2}],"
        "\"methods\":[{\"method\":\"Store pickup\",\"outlet_id\":2,\"pickup\":true}]}");
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    struct sb_arena *a = sb_arena_new();
    struct sb_channel_rt *rt = NULL;
    cr_assert_eq(sb_channel_load(NULL, db, id, a, &rt), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq((void *)&rt->ch, (void *)rt); /* ch first */
    cr_expect_eq(rt->ch.id, id);
    cr_expect_str_eq(rt->ch.kind, "shopify");
    cr_expect_str_eq(rt->ch.name, "Acme");
    cr_expect_eq(rt->ops, &sb_channel_shopify);
    cr_expect(rt->rec.enabled);
    cr_expect(rt->rec.has_credentials);
    cr_expect_str_eq(rt->ch.base_url, "http://127.0.0.1:8123");
    cr_expect_str_eq(th_str(rt->ch.credentials, "shop_domain"), "acme.myshopify.com");
    cr_expect_str_eq(th_str(rt->ch.credentials, "access_token"), TOKEN);
    cr_expect(!rt->rec.settings.notifications);
    cr_expect(rt->rec.settings.stock_sync);
    cr_expect_eq(rt->rec.settings.poll_interval_seconds, 300);
    cr_expect(json_is_false(json_object_get(rt->ch.settings, "notifications")));
    cr_expect(json_is_true(json_object_get(rt->ch.settings, "auto_fulfillment")));
    cr_expect_eq(rt->rec.default_outlet_id, 1);
    cr_expect_eq(rt->rec.register_id, 1);
    cr_expect_eq(rt->rec.employee_id, 1);
    cr_assert_eq(rt->rec.n_outlets, 2);
    cr_expect_eq(rt->rec.outlet_ids[0], 2);
    cr_expect_eq(rt->rec.outlet_ids[1], 1);
    cr_assert_eq(rt->rec.n_locations, 2);
    cr_expect_str_eq(rt->rec.locations[0].location_id, "7");
    cr_expect_eq(rt->rec.locations[0].outlet_id, 1);
    cr_expect_str_eq(rt->rec.locations[0].name, "Main");
    cr_expect_eq(rt->rec.locations[1].outlet_id, 2);
    cr_expect_null(rt->rec.locations[1].name);
    cr_assert_eq(rt->rec.n_methods, 1);
    cr_expect_str_eq(rt->rec.methods[0].method, "Store pickup");
    cr_expect_eq(rt->rec.methods[0].outlet_id, 2);
    cr_expect(rt->rec.methods[0].pickup);
    cr_expect_null(rt->rec.poll_cursor);
    cr_expect_null(rt->rec.last_poll_at);

    /* without base_url the shop's own host; without credentials an empty object */
    int64_t plain = ready_channel("Plain");
    int64_t bare = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Bare\"}");
    cr_assert_eq(sb_channel_load(NULL, db, plain, a, &rt), SB_OK);
    cr_expect_str_eq(rt->ch.base_url, "https://acme.myshopify.com");
    cr_assert_eq(sb_channel_load(NULL, db, bare, a, &rt), SB_OK);
    cr_expect(!rt->rec.has_credentials);
    cr_expect(json_is_object(rt->ch.credentials));
    cr_expect_eq(json_object_size(rt->ch.credentials), 0);
    cr_expect_null(rt->ch.base_url);
    cr_expect_eq(rt->rec.n_outlets, 0);

    /* unknown channel */
    rt = NULL;
    cr_expect_eq(sb_channel_load(NULL, db, 999, a, &rt), SB_ENOT_FOUND);
    cr_expect_null(rt);
    /* another key file: the credentials cannot be opened, and the error says so, not them */
    char other[400], before[400];
    snprintf(other, sizeof(other), "%s/other.key", t.dir);
    const char *was = getenv("STOCKBRIDGE_KEY_FILE"); /* the harness's, on PostgreSQL */
    snprintf(before, sizeof(before), "%s", was ? was : "");
    setenv("STOCKBRIDGE_KEY_FILE", other, 1);
    cr_assert_eq(sb_secretbox_init(t.db_url), SB_OK);
    cr_expect_eq(sb_channel_load(NULL, db, id, a, &rt), SB_EINTERNAL);
    cr_expect_null(strstr(sb_err_last()->message, TOKEN));
    cr_expect_not_null(strstr(sb_err_last()->message, "cannot be opened"));
    if (before[0])
        setenv("STOCKBRIDGE_KEY_FILE", before, 1);
    else
        unsetenv("STOCKBRIDGE_KEY_FILE");
    unlink(other);
    cr_assert_eq(sb_secretbox_init(t.db_url), SB_OK);
    cr_expect_eq(sb_channel_load(NULL, db, id, a, &rt), SB_OK);
    sb_arena_free(a);
    sb_store_release(t.store, db);
}

/* ---- links ---- */

Test(channels, link_validation)
{
    int64_t id = ready_channel("Acme");
    char path[64];
    path_of(path, sizeof(path), id, "");
    const struct {
        const char *body, *code, *field;
    } bad[] = {
        { "{\"outlets\":[1,99]}", "unknown_reference", "outlets[1]" },
        { "{\"outlets\":[1,2,1]}", "invalid_field", "outlets[2]" },
        { "{\"outlets\":[1,\"2\"]}", "invalid_field", "outlets[1]" },
        { "{\"outlets\":[0]}", "invalid_field", "outlets[0]" },
        { "{\"outlets\":{\"1\":1}}", "invalid_field", "outlets" },
        { "{\"default_outlet_id\":99}", "invalid_field", "default_outlet_id" },
        { "{\"outlets\":[2],\"default_outlet_id\":1}", "invalid_field", "default_outlet_id" },
        /* dropping the outlet the default (or register) points at */
        { "{\"outlets\":[2]}", "invalid_field", "outlets" },
        { "{\"outlets\":[2],\"default_outlet_id\":2}", "invalid_field", "outlets" },
        { "{\"register_id\":99}", "unknown_reference", "register_id" },
        { "{\"employee_id\":99}", "unknown_reference", "employee_id" },
        { "{\"employee_id\":-1}", "invalid_field", "employee_id" },
        { "{\"register_id\":\"1\"}", "invalid_field", "register_id" },
        { "{\"locations\":[{\"location_id\":\"1\",\"outlet_id\":99}]}", "invalid_field",
          "locations[0].outlet_id" },
        { "{\"locations\":[{\"location_id\":\"1\",\"outlet_id\":1},"
          "{\"location_id\":\"1\",\"outlet_id\":1}]}",
          "invalid_field", "locations[1]" },
        { "{\"locations\":[{\"location_id\":1,\"outlet_id\":1}]}", "invalid_field",
          "locations[0].location_id" },
        { "{\"locations\":[{\"location_id\":\"\",\"outlet_id\":1}]}", "invalid_field",
          "locations[0].location_id" },
        { "{\"locations\":[{\"outlet_id\":1}]}", "missing_field", "locations[0].location_id" },
        { "{\"locations\":[{\"location_id\":\"1\"}]}", "missing_field", "locations[0].outlet_id" },
        { "{\"locations\":[{\"location_id\":\"1\",\"outlet_id\":1,\"x\":1}]}", "invalid_field",
          "locations[0].x" },
        { "{\"locations\":[{\"location_id\":\"1\",\"outlet_id\":1,\"name\":5}]}", "invalid_field",
          "locations[0].name" },
        { "{\"locations\":[\"1\"]}", "invalid_field", "locations[0]" },
        { "{\"locations\":{}}", "invalid_field", "locations" },
        { "{\"methods\":[{\"method\":\"Pickup\",\"outlet_id\":1},"
          "{\"method\":\"Pickup\",\"outlet_id\":2}]}",
          "invalid_field", "methods[1].method" },
        { "{\"methods\":[{\"method\":\"Pickup\",\"outlet_id\":99}]}", "invalid_field",
          "methods[0].outlet_id" },
        { "{\"methods\":[{\"method\":\"Pickup\",\"outlet_id\":1,\"pickup\":\"yes\"}]}",
          "invalid_field", "methods[0].pickup" },
        { "{\"methods\":[{\"outlet_id\":1}]}", "missing_field", "methods[0].method" },
        { "{\"methods\":[null]}", "invalid_field", "methods[0]" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_err("PATCH", path, t.admin, bad[i].body, 422, bad[i].code, bad[i].field);

    /* register of an outlet that is not linked */
    patch_ok(id, "{\"register_id\":null}");
    patch_ok(id, "{\"outlets\":[1],\"default_outlet_id\":1}");
    expect_err("PATCH", path, t.admin, "{\"register_id\":2}", 422, "invalid_field", "register_id");
    /* links that would lose their outlet */
    patch_ok(id, "{\"outlets\":[1,2],\"locations\":[{\"location_id\":\"9\",\"outlet_id\":2}],"
                 "\"methods\":[{\"method\":\"Courier\",\"outlet_id\":1}]}");
    expect_err("PATCH", path, t.admin, "{\"outlets\":[1]}", 422, "invalid_field", "outlets");
    expect_err("PATCH", path, t.admin, "{\"outlets\":[2],\"default_outlet_id\":2}", 422,
               "invalid_field", "outlets");
    /* ...unless they change in the same request */
    patch_ok(id, "{\"outlets\":[2],\"default_outlet_id\":2,\"locations\":[],"
                 "\"methods\":[{\"method\":\"Courier\",\"outlet_id\":2}]}");
    /* too many */
    char big[2048];
    int off = snprintf(big, sizeof(big), "{\"outlets\":[");
    for (int i = 0; i < 101; i++)
        off += snprintf(big + off, sizeof(big) - (size_t)off, "%s%d", i ? "," : "", i + 1);
    snprintf(big + off, sizeof(big) - (size_t)off, "]}");
    expect_err("PATCH", path, t.admin, big, 422, "invalid_field", "outlets");
    /* on create too, with nothing written */
    expect_err("POST", P, t.admin, "{\"kind\":\"shopify\",\"name\":\"B\",\"outlets\":[3]}", 422,
               "unknown_reference", "outlets[0]");
    expect_err("POST", P, t.admin, "{\"kind\":\"shopify\",\"name\":\"B\",\"default_outlet_id\":1}",
               422, "invalid_field", "default_outlet_id");
    expect_err("POST", P, t.admin, "{\"kind\":\"shopify\",\"name\":\"B\",\"register_id\":1}", 422,
               "invalid_field", "register_id");
}

Test(channels, several_channels_side_by_side)
{
    int64_t a = th_create(&t, t.admin, P,
                          "{\"kind\":\"shopify\",\"name\":\"Acme US\",\"credentials\":{"
                          "\"shop_domain\":\"acme-us.myshopify.com\",\"access_token\":\"tok-us\","
                          "\"webhook_secret\":\"sec-us\"},\"outlets\":[1],\"default_outlet_id\":1,"
                          "\"locations\":[{\"location_id\":\"1\",\"outlet_id\":1}]}");
    int64_t b = th_create(&t, t.admin, P,
                          "{\"kind\":\"shopify\",\"name\":\"Acme EU\",\"credentials\":{"
                          "\"shop_domain\":\"acme-eu.myshopify.com\",\"access_token\":\"tok-eu\","
                          "\"webhook_secret\":\"sec-eu\"},\"outlets\":[2],\"default_outlet_id\":2,"
                          "\"locations\":[{\"location_id\":\"1\",\"outlet_id\":2}],"
                          "\"settings\":{\"stock_sync\":false}}");
    /* the same name twice is allowed (staff tell them apart by id and shop) */
    int64_t c = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Acme US\"}");
    cr_expect(a != b && b != c);
    json_t *list = th_get(&t, t.admin, P);
    json_t *data = json_object_get(list, "data");
    cr_assert_eq(json_array_size(data), 3);
    cr_expect_eq(th_int(json_array_get(data, 0), "id"), a);
    cr_expect_eq(th_int(json_array_get(data, 1), "id"), b);
    cr_expect_eq(th_int(json_array_get(data, 2), "id"), c);
    cr_expect(json_is_true(json_object_get(json_array_get(data, 0), "ready")));
    cr_expect(json_is_false(
        json_object_get(json_object_get(json_array_get(data, 1), "settings"), "stock_sync")));
    cr_expect(json_is_null(json_object_get(list, "next_after")));
    json_decref(list);
    /* paginated */
    list = th_get(&t, t.admin, P "?limit=2");
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 2);
    cr_expect_eq(th_int(list, "next_after"), b);
    json_decref(list);
    list = th_get(&t, t.admin, P "?limit=2&after=%lld", (long long)b);
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 1);
    json_decref(list);
    /* a manager sees the channels that serve one of their outlets: c serves none yet */
    list = th_get(&t, f.manager, P);
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 2);
    json_decref(list);
    /* each keeps its own credentials and links */
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    struct sb_arena *ar = sb_arena_new();
    struct sb_channel_rt *ra, *rb;
    cr_assert_eq(sb_channel_load(NULL, db, a, ar, &ra), SB_OK);
    cr_assert_eq(sb_channel_load(NULL, db, b, ar, &rb), SB_OK);
    cr_expect_str_eq(th_str(ra->ch.credentials, "access_token"), "tok-us");
    cr_expect_str_eq(th_str(rb->ch.credentials, "access_token"), "tok-eu");
    cr_expect_eq(ra->rec.locations[0].outlet_id, 1);
    cr_expect_eq(rb->rec.locations[0].outlet_id, 2);
    cr_expect(ra->rec.settings.stock_sync);
    cr_expect(!rb->rec.settings.stock_sync);
    sb_arena_free(ar);
    sb_store_release(t.store, db);
    /* changing one leaves the other alone */
    patch_ok(a, "{\"outlets\":[1,2],\"locations\":[]}");
    json_t *rec = get_channel(b);
    expect_json(json_object_get(rec, "locations"),
                "[{\"location_id\":\"1\",\"outlet_id\":2,\"name\":null}]");
    expect_json(json_object_get(rec, "outlets"), "[{\"outlet_id\":2,\"priority\":1}]");
    json_decref(rec);
}

/* ---- roles and bad input ---- */

Test(channels, roles)
{
    int64_t id = ready_channel("Acme");
    char path[64], poll[64];
    path_of(path, sizeof(path), id, "");
    path_of(poll, sizeof(poll), id, "/poll");
    const char *create = "{\"kind\":\"shopify\",\"name\":\"B\"}";
    expect_err("GET", P, f.staff1, NULL, 403, "forbidden", NULL);
    expect_err("GET", path, f.staff1, NULL, 403, "forbidden", NULL);
    expect_err("POST", P, f.staff1, create, 403, "forbidden", NULL);
    expect_err("POST", P, f.manager, create, 403, "forbidden", NULL);
    expect_err("PATCH", path, f.manager, "{\"name\":\"X\"}", 403, "forbidden", NULL);
    expect_err("POST", poll, f.staff1, NULL, 403, "forbidden", NULL);
    expect_err("GET", P, NULL, NULL, 401, "unauthorized", NULL);
    expect_err("GET", path, "sb_wrong", NULL, 401, "unauthorized", NULL);
    json_t *c = th_get(&t, f.manager, P "/%lld", (long long)id);
    cr_expect_eq(th_int(c, "id"), id);
    json_decref(c);
    c = th_get(&t, f.manager, P);
    cr_expect_eq(json_array_size(json_object_get(c, "data")), 1);
    json_decref(c);
}

Test(channels, bad_input)
{
    int64_t id = ready_channel("Acme");
    char path[64];
    path_of(path, sizeof(path), id, "");
    const struct {
        const char *body;
        long status;
        const char *code, *field;
    } bad[] = {
        { "{\"kind\":", 400, "invalid_json", NULL },
        { "[1]", 400, "invalid_json", NULL },
        { "{\"kind\":\"shopify\",\"kind\":\"shopify\",\"name\":\"A\"}", 400, "invalid_json", NULL },
        { "{\"name\":\"A\"}", 422, "missing_field", "kind" },
        { "{\"kind\":\"shopify\"}", 422, "missing_field", "name" },
        { "{\"kind\":\"shopify\",\"name\":\"\"}", 422, "invalid_field", "name" },
        { "{\"kind\":\"shopify\",\"name\":7}", 422, "invalid_field", "name" },
        { "{\"kind\":\"bigcommerce\",\"name\":\"A\"}", 422, "invalid_field", "kind" },
        { "{\"kind\":\"SHOPIFY\",\"name\":\"A\"}", 422, "invalid_field", "kind" },
        { "{\"kind\":\"\",\"name\":\"A\"}", 422, "invalid_field", "kind" },
        { "{\"kind\":1,\"name\":\"A\"}", 422, "invalid_field", "kind" },
        { "{\"kind\":\"shopify\",\"name\":\"A\",\"enabled\":\"yes\"}", 422, "invalid_field",
          "enabled" },
        { "{\"kind\":\"shopify\",\"name\":\"A\",\"token\":\"x\"}", 422, "invalid_field", "token" },
        { "{\"kind\":\"shopify\",\"name\":\"A\",\"credentials\":{\"access_token\":\"x\"}}", 422,
          "missing_field", "credentials.shop_domain" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_err("POST", P, t.admin, bad[i].body, bad[i].status, bad[i].code, bad[i].field);
    char longname[300];
    memset(longname, 'n', 201);
    longname[201] = '\0';
    char body[400];
    snprintf(body, sizeof(body), "{\"kind\":\"shopify\",\"name\":\"%s\"}", longname);
    expect_err("POST", P, t.admin, body, 422, "invalid_field", "name");
    expect_err("POST", P, t.admin, NULL, 400, "invalid_json", NULL);

    expect_err("PATCH", path, t.admin, "{\"kind\":\"magento2\"}", 422, "invalid_field", "kind");
    expect_err("PATCH", path, t.admin, "{\"name\":\"\"}", 422, "invalid_field", "name");
    expect_err("PATCH", path, t.admin, "{\"id\":5}", 422, "invalid_field", "id");
    expect_err("PATCH", path, t.admin, "{\"has_credentials\":false}", 422, "invalid_field",
               "has_credentials");
    expect_err("PATCH", P "/999", t.admin, "{\"name\":\"Z\"}", 404, "not_found", NULL);
    expect_err("GET", P "/999", t.admin, NULL, 404, "not_found", NULL);
    expect_err("GET", P "/abc", t.admin, NULL, 404, "not_found", NULL);
    expect_err("GET", P "/0", t.admin, NULL, 404, "not_found", NULL);
    expect_err("DELETE", path, t.admin, NULL, 405, "method_not_allowed", NULL);
    expect_err("GET", P "?limit=0", t.admin, NULL, 400, "invalid_query", "limit");
    expect_err("GET", P "?after=-1", t.admin, NULL, 400, "invalid_query", "after");
    /* another content type */
    uint64_t before = th_fingerprint(&t);
    const char *b = "{\"kind\":\"shopify\",\"name\":\"A\"}";
    struct th_resp r = th_req_raw(&t, "POST", P, t.admin, "text/plain", b, strlen(b));
    cr_expect_eq(r.status, 415, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before);
}

Test(channels, poll_needs_a_channel_with_credentials)
{
    int64_t bare = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Bare\"}");
    char path[96];
    expect_err("POST", P "/999/poll", f.manager, NULL, 404, "not_found", NULL);
    expect_err("POST", P "/x/poll", f.manager, NULL, 404, "not_found", NULL);
    /* the bare channel serves no outlet yet: only admins see it */
    expect_err("POST", path_of(path, sizeof(path), bare, "/poll"), t.admin, NULL, 409, "conflict",
               NULL);
    expect_err("POST", path_of(path, sizeof(path), bare, "/poll"), f.manager, NULL, 404,
               "not_found", NULL);
    expect_err("GET", path_of(path, sizeof(path), bare, "/poll"), f.manager, NULL, 405,
               "method_not_allowed", NULL);
}

/* ---- O10: the orders seen, and the sync log ---- */

static void insert_orders(int64_t channel)
{
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "INSERT INTO channel_orders (channel_id, external_id, number, state, reason,"
             " version, financial_status, fulfillment_status, cancelled, sale_id, total,"
             " currency, first_seen_at, updated_at, channel_status) VALUES"
             " (%1$lld, '5000000000000000001', '#1001', 'downloaded', NULL,"
             "  '2026-01-02T10:00:00Z', 'paid', NULL, false, NULL, 2599, 'USD',"
             "  '2026-01-02T10:00:01Z', '2026-01-02T10:00:01Z', NULL),"
             " (%1$lld, '5000000000000000002', '#1002', 'waiting', 'awaiting payment',"
             "  '2026-01-02T11:00:00Z', 'pending', NULL, false, NULL, 1000, 'USD',"
             "  '2026-01-02T11:00:01Z', '2026-01-02T11:00:01Z', 'pending'),"
             " (%1$lld, '5000000000000000003', '#1003', 'skipped', 'cancelled before download',"
             "  '2026-01-02T12:00:00Z', 'voided', 'fulfilled', true, NULL, 500, 'USD',"
             "  '2026-01-02T12:00:01Z', '2026-01-02T12:30:00Z', 'canceled');",
             (long long)channel);
    th_sql_exec(&t, sql);
}

Test(channels, orders_list_states_and_reasons)
{
    int64_t id = ready_channel("Acme");
    int64_t other = ready_channel("Other");
    insert_orders(id);
    insert_orders(other);
    char path[96];
    json_t *page = th_get(&t, f.staff1, P "/%lld/orders", (long long)id);
    json_t *data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 3);
    json_t *row = json_array_get(data, 2);
    json_object_del(row, "id");
    expect_json(row, "{\"external_id\":\"5000000000000000003\",\"number\":\"#1003\","
                     "\"state\":\"skipped\",\"reason\":\"cancelled before download\","
                     "\"version\":\"2026-01-02T12:00:00Z\",\"channel_status\":\"canceled\","
                     "\"financial_status\":\"voided\","
                     "\"fulfillment_status\":\"fulfilled\",\"cancelled\":true,\"sale_id\":null,"
                     "\"total\":500,\"currency\":\"USD\",\"first_seen_at\":"
                     "\"2026-01-02T12:00:01Z\",\"updated_at\":\"2026-01-02T12:30:00Z\"}");
    cr_expect_str_eq(th_str(json_array_get(data, 0), "state"), "downloaded");
    cr_expect(json_is_null(json_object_get(json_array_get(data, 0), "reason")));
    cr_expect(json_is_false(json_object_get(json_array_get(data, 0), "cancelled")));
    json_decref(page);

    page = th_get(&t, f.staff1, P "/%lld/orders?state=waiting", (long long)id);
    data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 1);
    cr_expect_str_eq(th_str(json_array_get(data, 0), "number"), "#1002");
    cr_expect_str_eq(th_str(json_array_get(data, 0), "reason"), "awaiting payment");
    json_decref(page);

    /* paginated, oldest first */
    page = th_get(&t, t.admin, P "/%lld/orders?limit=2", (long long)id);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 2);
    int64_t next = th_int(page, "next_after");
    json_decref(page);
    page = th_get(&t, t.admin, P "/%lld/orders?limit=2&after=%lld", (long long)id, (long long)next);
    data = json_object_get(page, "data");
    cr_expect_eq(json_array_size(data), 1);
    cr_expect_str_eq(th_str(json_array_get(data, 0), "number"), "#1003");
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);

    expect_err("GET", path_of(path, sizeof(path), id, "/orders?state=lost"), t.admin, NULL, 400,
               "invalid_query", "state");
    expect_err("GET", path_of(path, sizeof(path), id, "/orders?state="), t.admin, NULL, 400,
               "invalid_query", "state");
    expect_err("GET", path_of(path, sizeof(path), id, "/orders?limit=501"), t.admin, NULL, 400,
               "invalid_query", "limit");
    expect_err("GET", P "/999/orders", t.admin, NULL, 404, "not_found", NULL);
    expect_err("GET", P "/x/orders", t.admin, NULL, 404, "not_found", NULL);
    expect_err("GET", path_of(path, sizeof(path), id, "/orders"), NULL, NULL, 401, "unauthorized",
               NULL);
}

Test(channels, orders_and_log_follow_outlet_access)
{
    int64_t one = th_create(&t, t.admin, P,
                            "{\"kind\":\"shopify\",\"name\":\"One\",\"outlets\":[1],"
                            "\"default_outlet_id\":1}");
    int64_t none = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"None\"}");
    insert_orders(one);
    char path[96];
    /* staff of outlet 2 cannot see a channel that serves outlet 1 only */
    expect_err("GET", path_of(path, sizeof(path), one, "/orders"), f.staff2, NULL, 404, "not_found",
               NULL);
    expect_err("GET", path_of(path, sizeof(path), one, "/log"), f.staff2, NULL, 404, "not_found",
               NULL);
    json_t *page = th_get(&t, f.staff1, P "/%lld/log", (long long)one);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 1);
    json_decref(page);
    page = th_get(&t, f.manager, P "/%lld/orders", (long long)one);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 3);
    json_decref(page);
    /* a channel serving no outlet is for admins only */
    expect_err("GET", path_of(path, sizeof(path), none, "/orders"), f.manager, NULL, 404,
               "not_found", NULL);
    page = th_get(&t, t.admin, P "/%lld/orders", (long long)none);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 0);
    json_decref(page);
    /* linking outlet 2 opens it to staff2 */
    patch_ok(one, "{\"outlets\":[1,2]}");
    page = th_get(&t, f.staff2, P "/%lld/orders", (long long)one);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 3);
    json_decref(page);
}

/* The ids of a page's rows, "1,2". */
static const char *page_ids(json_t *page, char *buf, size_t cap)
{
    size_t n = 0, i;
    json_t *row;
    buf[0] = '\0';
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "",
                              (long long)json_integer_value(json_object_get(row, "id")));
    }
    return buf;
}

/* O9 (a web order is found in sales history): staff see the names of the channels whose
 * orders they may see, those linked to one of their outlets, and nothing else of them;
 * a sale carries its channel's name. Staff used to see "Channel 1": they may not read
 * /channels. */
Test(channels, o9_staff_see_the_names_of_their_channels)
{
    const char *N = "/api/v1/me/channels";
    /* bad requests change nothing: checked before any channel exists, since a channel's
     * background work (its first connection check and stock pass, on whichever node takes
     * its lease) may write at any moment after it is made */
    expect_err("GET", N, NULL, NULL, 401, "unauthorized", NULL);
    expect_err("GET", "/api/v1/me/channels?limit=0", f.staff1, NULL, 400, "invalid_query", "limit");
    expect_err("POST", N, f.staff1, "{}", 405, "method_not_allowed", NULL);
    int64_t one = th_create(&t, t.admin, P,
                            "{\"kind\":\"shopify\",\"name\":\"Harbour Web\",\"outlets\":[1],"
                            "\"default_outlet_id\":1,\"credentials\":" CRED "}");
    int64_t two = th_create(&t, t.admin, P,
                            "{\"kind\":\"shopify\",\"name\":\"Uptown Web\",\"outlets\":[2],"
                            "\"default_outlet_id\":2}");
    int64_t none = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Nowhere\"}");
    char want[64], b[64];
    json_t *page = th_get(&t, f.staff1, "%s", N);
    snprintf(want, sizeof(want), "%lld", (long long)one);
    cr_expect_str_eq(page_ids(page, b, sizeof(b)), want);
    /* id, name and kind: no settings, links or credentials */
    char rec[96];
    snprintf(rec, sizeof(rec), "{\"id\":%lld,\"name\":\"Harbour Web\",\"kind\":\"shopify\"}",
             (long long)one);
    expect_json(json_array_get(json_object_get(page, "data"), 0), rec);
    json_decref(page);
    page = th_get(&t, f.staff2, "%s", N);
    snprintf(want, sizeof(want), "%lld", (long long)two);
    cr_expect_str_eq(page_ids(page, b, sizeof(b)), want);
    json_decref(page);
    page = th_get(&t, f.manager, "%s", N);
    snprintf(want, sizeof(want), "%lld,%lld", (long long)one, (long long)two);
    cr_expect_str_eq(page_ids(page, b, sizeof(b)), want);
    json_decref(page);
    page = th_get(&t, t.admin, "%s?limit=2", N);
    cr_expect_str_eq(page_ids(page, b, sizeof(b)), want);
    cr_expect_eq(th_int(page, "next_after"), two);
    json_decref(page);
    page = th_get(&t, t.admin, "%s?after=%lld", N, (long long)two);
    snprintf(want, sizeof(want), "%lld", (long long)none);
    cr_expect_str_eq(page_ids(page, b, sizeof(b)), want);
    json_decref(page);

    /* a web order's sale names its channel, in the list and on its own */
    th_sql_exec(&t, "INSERT INTO sales (id, outlet_id, status, currency, subtotal, discount_total,"
                    " tax_total, adjustment_total, total, paid_total, balance_due, source,"
                    " channel_id, external_id, external_number, created_at, updated_at)"
                    " VALUES (1, 1, 'completed', 'USD', 0, 0, 0, 0, 0, 0, 0, 'channel', 1,"
                    " 'ext-1', '#1001', '2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z'),"
                    " (2, 1, 'completed', 'USD', 0, 0, 0, 0, 0, 0, 0, 'pos', NULL, NULL, NULL,"
                    " '2026-02-01T11:00:00Z', '2026-02-01T11:00:00Z')");
    page = th_get(&t, f.staff1, "/api/v1/sales");
    json_t *rows = json_object_get(page, "data");
    cr_assert_eq(json_array_size(rows), 2);
    cr_expect_str_eq(th_str(json_array_get(rows, 0), "channel_name"), "Harbour Web");
    cr_expect(json_is_null(json_object_get(json_array_get(rows, 1), "channel_name")));
    json_decref(page);
    json_t *sale = th_get(&t, f.staff1, "/api/v1/sales/1");
    cr_expect_str_eq(th_str(sale, "channel_name"), "Harbour Web");
    json_decref(sale);
}

Test(channels, log_newest_first)
{
    int64_t id = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Acme\"}");
    patch_ok(id,
             "{\"enabled\":false,\"settings\":{\"stock_sync\":false},\"credentials\":" CRED "}");
    /* the store's writer, as the pipeline uses it */
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    cr_expect_eq(sb_store_channel_log(db, id, "warn", "order.waiting", "5000000000000000002",
                                      "order %s waits: %s", "#1002", "awaiting payment"),
                 SB_OK);
    cr_expect_eq(sb_store_channel_log(db, id, "error", "poll.failed", NULL, "HTTP %d", 503), SB_OK);
    char huge[3000];
    memset(huge, 'm', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    cr_expect_eq(sb_store_channel_log(db, id, "info", "long", NULL, "%s", huge), SB_OK);
    cr_expect_eq(sb_store_channel_log(db, id, "debug", "x", NULL, "x"), SB_EINTERNAL);
    cr_expect_eq(sb_store_channel_log(db, 999, "info", "x", NULL, "x"), SB_ENOT_FOUND);
    sb_store_release(t.store, db);

    json_t *page = th_get(&t, t.admin, P "/%lld/log", (long long)id);
    json_t *data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 5);
    const char *events[] = { "long", "poll.failed", "order.waiting", "channel.updated",
                             "channel.created" };
    for (size_t i = 0; i < 5; i++)
        cr_expect_str_eq(th_str(json_array_get(data, i), "event"), events[i]);
    cr_expect_eq(strlen(th_str(json_array_get(data, 0), "message")), 1000);
    json_t *row = json_array_get(data, 2);
    json_object_del(row, "id");
    cr_expect(json_is_string(json_object_get(row, "created_at")));
    json_object_del(row, "created_at");
    expect_json(row, "{\"level\":\"warn\",\"event\":\"order.waiting\","
                     "\"external_id\":\"5000000000000000002\","
                     "\"message\":\"order #1002 waits: awaiting payment\"}");
    cr_expect_str_eq(th_str(json_array_get(data, 1), "level"), "error");
    cr_expect_str_eq(th_str(json_array_get(data, 1), "message"), "HTTP 503");
    cr_expect(json_is_null(json_object_get(json_array_get(data, 1), "external_id")));
    /* what changed, never a value */
    cr_expect_str_eq(th_str(json_array_get(data, 3), "message"),
                     "changed: disabled, settings.stock_sync, credentials");
    cr_expect_str_eq(th_str(json_array_get(data, 4), "message"), "channel created (shopify): name");
    json_decref(page);

    /* pages run downwards: after = older than */
    page = th_get(&t, t.admin, P "/%lld/log?limit=2", (long long)id);
    data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 2);
    cr_expect_str_eq(th_str(json_array_get(data, 1), "event"), "poll.failed");
    int64_t next = th_int(page, "next_after");
    json_decref(page);
    page = th_get(&t, t.admin, P "/%lld/log?limit=2&after=%lld", (long long)id, (long long)next);
    data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 2);
    cr_expect_str_eq(th_str(json_array_get(data, 0), "event"), "order.waiting");
    cr_expect_str_eq(th_str(json_array_get(data, 1), "event"), "channel.updated");
    next = th_int(page, "next_after");
    json_decref(page);
    page = th_get(&t, t.admin, P "/%lld/log?limit=2&after=%lld", (long long)id, (long long)next);
    data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 1);
    cr_expect_str_eq(th_str(json_array_get(data, 0), "event"), "channel.created");
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);
    char path[96];
    expect_err("GET", P "/999/log", t.admin, NULL, 404, "not_found", NULL);
    expect_err("GET", path_of(path, sizeof(path), id, "/log?after=x"), t.admin, NULL, 400,
               "invalid_query", "after");
}

Test(channels, poll_cursor_and_schedule)
{
    int64_t a = ready_channel("A");
    int64_t b = ready_channel("B");
    int64_t bare = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Bare\"}");
    int64_t off = ready_channel("Off");
    int64_t nodl = ready_channel("No download");
    patch_ok(off, "{\"enabled\":false}");
    patch_ok(nodl, "{\"settings\":{\"download_orders\":false}}");
    patch_ok(b, "{\"settings\":{\"poll_interval_seconds\":600}}");
    (void)bare;
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    int64_t now = sb_time_now();
    int64_t ids[8];
    size_t n = 0;
    /* never polled: due; no credentials, disabled or not downloading: never */
    cr_assert_eq(sb_store_channel_poll_due(db, now, NULL, ids, 8, &n), SB_OK);
    cr_assert_eq(n, 2);
    cr_expect_eq(ids[0], a);
    cr_expect_eq(ids[1], b);
    cr_expect_eq(sb_store_channel_poll_due(db, now, NULL, ids, 1, &n), SB_OK);
    cr_expect_eq(n, 1);

    cr_assert_eq(sb_store_channel_set_cursor(db, a, "2026-01-02T10:00:00Z|gid://x"), SB_OK);
    cr_assert_eq(sb_store_channel_set_cursor(db, b, NULL), SB_OK);
    cr_expect_eq(sb_store_channel_set_cursor(db, 999, "x"), SB_ENOT_FOUND);
    /* just polled: a is due again after 300 s, b after 600 s */
    cr_assert_eq(sb_store_channel_poll_due(db, now + 1, NULL, ids, 8, &n), SB_OK);
    cr_expect_eq(n, 0);
    cr_assert_eq(sb_store_channel_poll_due(db, now + 301, NULL, ids, 8, &n), SB_OK);
    cr_assert_eq(n, 1);
    cr_expect_eq(ids[0], a);
    cr_assert_eq(sb_store_channel_poll_due(db, now + 601, NULL, ids, 8, &n), SB_OK);
    cr_expect_eq(n, 2);
    sb_store_release(t.store, db);

    json_t *c = get_channel(a);
    cr_expect_str_eq(th_str(c, "poll_cursor"), "2026-01-02T10:00:00Z|gid://x");
    cr_expect(json_is_string(json_object_get(c, "last_poll_at")));
    json_decref(c);
    c = get_channel(b);
    cr_expect(json_is_null(json_object_get(c, "poll_cursor")));
    cr_expect(json_is_string(json_object_get(c, "last_poll_at")));
    json_decref(c);
    /* a NULL cursor keeps the one stored */
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    cr_assert_eq(sb_store_channel_set_cursor(db, a, NULL), SB_OK);
    sb_store_release(t.store, db);
    c = get_channel(a);
    cr_expect_str_eq(th_str(c, "poll_cursor"), "2026-01-02T10:00:00Z|gid://x");
    json_decref(c);
}

/* ---- the kinds ---- */

/* GET /api/v1/channel-kinds describes each kind as data, and the defaults it describes are
 * the ones a new channel's record shows: the form and the record come from one table. */
Test(channels, n3_s3_s4_i4_i7_pr1_kinds_are_described_with_the_defaults_records_show)
{
    json_t *doc = th_get(&t, f.manager, "/api/v1/channel-kinds");
    json_t *data = json_object_get(doc, "data");
    json_t *shopify = NULL;
    size_t i;
    json_t *k;
    json_array_foreach(data, i, k)
    {
        if (strcmp(th_str(k, "kind"), "shopify") == 0)
            shopify = k;
    }
    cr_assert_not_null(shopify, "no shopify in %s", json_dumps(doc, 0));
    cr_expect_str_eq(th_str(shopify, "label"), "Shopify");
    int64_t id = th_create(&t, t.admin, P, "{\"kind\":\"shopify\",\"name\":\"Defaults\"}");
    json_t *c = get_channel(id);
    json_t *settings = json_object_get(c, "settings");
    json_t *described = json_object_get(shopify, "settings");
    cr_expect_eq(json_array_size(described), json_object_size(settings),
                 "every setting the record shows is described, and no other");
    json_array_foreach(described, i, k)
    {
        json_t *shown = json_object_get(settings, th_str(k, "name"));
        cr_expect(shown != NULL && json_equal(shown, json_object_get(k, "default")),
                  "%s: described default %s, record %s", th_str(k, "name"),
                  json_dumps(json_object_get(k, "default"), JSON_ENCODE_ANY),
                  shown ? json_dumps(shown, JSON_ENCODE_ANY) : "(none)");
        cr_expect(json_is_string(json_object_get(k, "label")), "%s has a label", th_str(k, "name"));
    }
    /* the credentials it asks for are the ones a channel is refused without */
    json_t *cred = json_object_get(shopify, "credentials");
    json_array_foreach(cred, i, k)
    {
        if (!json_is_true(json_object_get(k, "required")))
            continue;
        json_t *body = json_pack("{s:{s:s,s:s,s:s,s:s}}", "credentials", "shop_domain",
                                 "a.myshopify.com", "access_token", "t", "webhook_secret", "s",
                                 "base_url", "http://127.0.0.1:8123");
        json_object_del(json_object_get(body, "credentials"), th_str(k, "name"));
        char *text = json_dumps(body, JSON_COMPACT);
        char path[64], field[96];
        snprintf(path, sizeof(path), P "/%lld", (long long)id);
        snprintf(field, sizeof(field), "credentials.%s", th_str(k, "name"));
        expect_err("PATCH", path, t.admin, text, 422, "missing_field", field);
        free(text);
        json_decref(body);
    }
    json_decref(c);
    json_decref(doc);
    /* for managers and admins, as the channel records are */
    expect_err("GET", "/api/v1/channel-kinds", f.staff1, NULL, 403, "forbidden", NULL);
}
