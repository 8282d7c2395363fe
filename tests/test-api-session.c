/*
 * The web app's sign-in and files, end to end: passwords (argon2id), the
 * session cookie (HttpOnly, SameSite=Strict), CSRF on every change made with
 * it, the rate limit on failed sign-ins, outlet scope through the cookie, the
 * static files of web/ (and nothing outside it), and the two reports.
 */
#include "harness.h"
#include "store/sessions.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    cr_assert_eq(sb_store_user_set_password(db, 1, "admin-secret"), SB_OK); /* the admin */
    int64_t staff1 = 0;
    cr_assert_eq(sb_db_int(db, &staff1, "SELECT id FROM users WHERE username = 'staff1'", NULL),
                 SB_OK);
    cr_assert_eq(sb_store_user_set_password(db, staff1, "staff-secret"), SB_OK);
    sb_store_release(t.store, db);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(session, .init = setup, .fini = teardown, .timeout = 120);

struct resp {
    long status;
    char body[65536];
    size_t len;
    char cookie[256]; /* Set-Cookie, whole */
    char retry_after[32];
    char ctype[128];
    json_t *json;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t k = size * n;
    if (r->len + k < sizeof(r->body)) {
        memcpy(r->body + r->len, p, k);
        r->len += k;
        r->body[r->len] = '\0';
    }
    return k;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    if (len > n && strncasecmp(line, name, n) == 0) {
        size_t v = len - n;
        while (v && (line[n + v - 1] == '\r' || line[n + v - 1] == '\n'))
            v--;
        snprintf(out, cap, "%.*s", (int)v, line + n);
    }
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    header_value(p, size * n, "Set-Cookie: ", r->cookie, sizeof(r->cookie));
    header_value(p, size * n, "Retry-After: ", r->retry_after, sizeof(r->retry_after));
    header_value(p, size * n, "Content-Type: ", r->ctype, sizeof(r->ctype));
    return size * n;
}

/* A request with an optional cookie ("sb_session=...") and CSRF token. */
static struct resp *call(const char *method, const char *path, const char *body, const char *cookie,
                         const char *csrf)
{
    struct resp *r = calloc(1, sizeof(*r));
    cr_assert_not_null(r);
    char url[512], hdr[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)t.port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (csrf) {
        snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
        h = curl_slist_append(h, hdr);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (cookie)
        curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    cr_assert_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r->json = json_loads(r->body, 0, NULL);
    return r;
}

static void done(struct resp *r)
{
    json_decref(r->json);
    free(r);
}

static const char *code_of(struct resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

/* Signs in; fills the cookie ("sb_session=...") and the CSRF token. */
static void sign_in(const char *user, const char *password, char cookie[128], char csrf[80])
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
    struct resp *r = call("POST", "/api/v1/session", body, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    const char *semi = strchr(r->cookie, ';');
    cr_assert_not_null(semi, "Set-Cookie: %s", r->cookie);
    snprintf(cookie, 128, "%.*s", (int)(semi - r->cookie), r->cookie);
    snprintf(csrf, 80, "%s", json_string_value(json_object_get(r->json, "csrf_token")));
    done(r);
}

Test(session, sign_in_sets_an_httponly_strict_cookie_and_gives_a_csrf_token)
{
    struct resp *r = call("POST", "/api/v1/session",
                          "{\"username\":\"admin\",\"password\":\"admin-secret\"}", NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_expect(strncmp(r->cookie, "sb_session=sb_", 14) == 0, "%s", r->cookie);
    cr_expect(strstr(r->cookie, "; HttpOnly") != NULL, "%s", r->cookie);
    cr_expect(strstr(r->cookie, "; SameSite=Strict") != NULL, "%s", r->cookie);
    cr_expect(strstr(r->cookie, "; Path=/") != NULL, "%s", r->cookie);
    cr_expect(strstr(r->cookie, "; Max-Age=43200") != NULL, "%s", r->cookie);
    json_t *user = json_object_get(r->json, "user");
    cr_expect_str_eq(th_str(user, "username"), "admin");
    cr_expect_str_eq(th_str(user, "role"), "admin");
    cr_expect_eq(json_array_size(json_object_get(user, "outlets")), 2);
    cr_expect(json_is_string(json_object_get(r->json, "csrf_token")));
    done(r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sessions"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sessions WHERE token_hash LIKE 'sb_%'"), 0,
                 "only the token's hash is kept");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM users WHERE password_hash LIKE"
                                " '$argon2id$%'"),
                 2, "passwords are argon2id hashes");
}

Test(session, the_cookie_works_for_reads_and_changes_need_the_csrf_token)
{
    char cookie[128], csrf[80];
    sign_in("admin", "admin-secret", cookie, csrf);
    struct resp *r = call("GET", "/api/v1/outlets", NULL, cookie, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    done(r);
    r = call("GET", "/api/v1/session", NULL, cookie, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    cr_expect_str_eq(th_str(r->json, "csrf_token"), csrf);
    done(r);
    /* a change without the token, or with a wrong one, is refused and changes nothing */
    uint64_t before = th_fingerprint(&t);
    const char *body = "{\"first_name\":\"Cy\"}";
    r = call("POST", "/api/v1/customers", body, cookie, NULL);
    cr_expect_eq(r->status, 403, "%s", r->body);
    cr_expect_str_eq(code_of(r), "csrf");
    done(r);
    r = call("POST", "/api/v1/customers", body, cookie, "sb_not-the-token");
    cr_expect_eq(r->status, 403, "%s", r->body);
    done(r);
    cr_expect_eq(th_fingerprint(&t), before, "nothing changed");
    r = call("POST", "/api/v1/customers", body, cookie, csrf);
    cr_expect_eq(r->status, 201, "%s", r->body);
    done(r);
    /* a bearer token needs no CSRF token: no browser sends it by itself */
    struct th_resp b = th_req(&t, "POST", "/api/v1/customers", t.admin, body);
    cr_expect_eq(b.status, 201, "%s", b.body);
    th_resp_free(&b);
    /* signing out ends the session */
    r = call("DELETE", "/api/v1/session", NULL, cookie, csrf);
    cr_expect_eq(r->status, 204, "%s", r->body);
    cr_expect(strstr(r->cookie, "Max-Age=0") != NULL, "%s", r->cookie);
    done(r);
    r = call("GET", "/api/v1/outlets", NULL, cookie, NULL);
    cr_expect_eq(r->status, 401, "%s", r->body);
    done(r);
}

Test(session, a_staff_user_sees_only_their_outlets_through_the_cookie)
{
    char cookie[128], csrf[80];
    sign_in("staff1", "staff-secret", cookie, csrf);
    struct resp *r = call("GET", "/api/v1/outlets", NULL, cookie, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *data = json_object_get(r->json, "data");
    cr_expect_eq(json_array_size(data), 1, "%s", r->body);
    cr_expect_eq(th_int(json_array_get(data, 0), "id"), 1);
    done(r);
    r = call("GET", "/api/v1/outlets/2", NULL, cookie, NULL);
    cr_expect_eq(r->status, 404, "%s", r->body);
    done(r);
    r = call("GET", "/api/v1/users", NULL, cookie, NULL);
    cr_expect_eq(r->status, 403, "%s", r->body);
    done(r);
}

Test(session, bad_sign_ins_are_refused_and_then_rate_limited)
{
    const char *bad[] = {
        "{\"username\":\"admin\",\"password\":\"wrong-password\"}",
        "{\"username\":\"nobody\",\"password\":\"whatever-1\"}",
    };
    for (size_t i = 0; i < 2; i++) {
        struct resp *r = call("POST", "/api/v1/session", bad[i], NULL, NULL);
        cr_expect_eq(r->status, 401, "%s", r->body);
        cr_expect_str_eq(code_of(r), "invalid_credentials");
        cr_expect_str_eq(r->cookie, "", "no cookie");
        done(r);
    }
    struct resp *r = call("POST", "/api/v1/session", "{\"username\":\"admin\"}", NULL, NULL);
    cr_expect_eq(r->status, 422, "%s", r->body);
    done(r);
    /* four more failures make five for admin: the sixth try is refused, even with the
     * right password, and says when to come back */
    for (int i = 0; i < 4; i++) {
        r = call("POST", "/api/v1/session", bad[0], NULL, NULL);
        cr_expect_eq(r->status, 401, "%s", r->body);
        done(r);
    }
    r = call("POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":\"admin-secret\"}",
             NULL, NULL);
    cr_expect_eq(r->status, 429, "%s", r->body);
    cr_expect_str_eq(code_of(r), "too_many_attempts");
    long wait = strtol(r->retry_after, NULL, 10);
    cr_expect(wait > 0 && wait <= 900, "Retry-After: %s", r->retry_after);
    done(r);
    /* other users are not held up */
    char cookie[128], csrf[80];
    sign_in("staff1", "staff-secret", cookie, csrf);
    /* once the window has passed (the failures age out), admin may try again */
    th_sql_exec(&t, "UPDATE sign_in_failures SET at = '2020-01-01T00:00:00Z'");
    sign_in("admin", "admin-secret", cookie, csrf);
}

Test(session, the_web_app_files_are_served_and_nothing_outside_them)
{
    struct resp *r = call("GET", "/", NULL, NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect(strncmp(r->ctype, "text/html", 9) == 0, "%s", r->ctype);
    cr_expect(strstr(r->body, "<html") != NULL || strstr(r->body, "<!doctype") != NULL ||
                  strstr(r->body, "<!DOCTYPE") != NULL,
              "%.200s", r->body);
    done(r);
    r = call("GET", "/shipping", NULL, NULL, NULL); /* an app route, on a reload */
    cr_expect_eq(r->status, 200);
    cr_expect(strncmp(r->ctype, "text/html", 9) == 0, "%s", r->ctype);
    done(r);
    const char *refused[] = { "/../meson.build", "/%2e%2e/meson.build", "/.git/config",
                              "/nothing-here.js", "/api/v1/nothing" };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        r = call("GET", refused[i], NULL, NULL, NULL);
        cr_expect_eq(r->status, 404, "%s: %ld %.100s", refused[i], r->status, r->body);
        done(r);
    }
}

Test(session, reports_sum_sales_by_day_and_value_stock_by_outlet)
{
    th_create(&t, t.admin, "/api/v1/sales",
              "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":2}]}");
    /* Uptown has no mug: selling one takes the clerk's confirmation */
    th_create(&t, t.admin, "/api/v1/sales",
              "{\"outlet_id\":2,\"allow_oversell\":true,"
              "\"lines\":[{\"item_id\":2,\"quantity\":1}]}");
    json_t *rep = th_get(&t, t.admin, "/api/v1/reports/sales-by-day");
    json_t *row = json_array_get(json_object_get(rep, "data"), 0);
    cr_assert_not_null(row, "%s", json_dumps(rep, 0));
    cr_expect_eq(th_int(row, "sales"), 2);
    cr_expect_eq(th_int(row, "total"), 2 * 2000 + 1250);
    cr_expect(json_is_null(json_object_get(row, "channel_id")));
    cr_expect_str_eq(th_str(row, "channel"), "In store");
    json_decref(rep);
    rep = th_get(&t, f.staff1, "/api/v1/reports/sales-by-day");
    cr_expect_eq(th_int(json_array_get(json_object_get(rep, "data"), 0), "total"), 4000,
                 "staff of outlet 1 see outlet 1's sales");
    json_decref(rep);
    /* stock value: default cost x on hand (tee 800 x 8 left + mug 400 x 3 in outlet 1) */
    rep = th_get(&t, t.admin, "/api/v1/reports/stock-value");
    json_t *o1 = json_array_get(json_object_get(rep, "data"), 0);
    cr_expect_eq(th_int(o1, "outlet_id"), 1);
    cr_expect_eq(th_int(o1, "value"), 800 * 8 + 400 * 3);
    cr_expect_eq(th_int(o1, "items"), 2);
    json_decref(rep);
    th_expect_error(&t, "GET", "/api/v1/reports/sales-by-day?from=2026-13-01", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/reports/sales-by-day?from=2026-11-02&to=2026-11-01",
                    t.admin, NULL, 400, "invalid_query");
}
