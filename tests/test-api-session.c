/*
 * The web app's sign-in and files, end to end: passwords (argon2id), the
 * session cookie (HttpOnly, SameSite=Strict), CSRF on every change made with
 * it, the rate limit on failed sign-ins, outlet scope through the cookie, the
 * static files of web/ (and nothing outside it), and the two reports. SEC3:
 * a password change or a deactivation ends sessions. SEC4: sign-in costs the
 * same for every name, failures are bounded records counted per address.
 * Other clients are other loopback addresses (127.0.0.x).
 */
#include "harness.h"
#include "store/sessions.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* A request to the server on port with an optional cookie ("sb_session=..."), CSRF token,
 * extra header, and local address to send from (another 127.x.y.z: another client). */
static struct resp *call_ex(uint16_t port, const char *method, const char *path, const char *body,
                            const char *cookie, const char *csrf, const char *from,
                            const char *header)
{
    struct resp *r = calloc(1, sizeof(*r));
    cr_assert_not_null(r);
    char url[512], hdr[256], iface[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (csrf) {
        snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
        h = curl_slist_append(h, hdr);
    }
    if (header)
        h = curl_slist_append(h, header);
    if (from) {
        snprintf(iface, sizeof(iface), "host!%s", from);
        curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
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

/* A request with an optional cookie ("sb_session=...") and CSRF token. */
static struct resp *call(const char *method, const char *path, const char *body, const char *cookie,
                         const char *csrf)
{
    return call_ex(t.port, method, path, body, cookie, csrf, NULL, NULL);
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
    th_sql_exec(&t, "UPDATE sign_in_throttle SET window_start = '2020-01-01T00:00:00Z',"
                    " last_at = '2020-01-01T00:00:00Z'");
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

/* Runs `stockbridge user passwd NAME` with the password on its standard input. */
static int cli_passwd(const char *name, const char *password)
{
    int in[2];
    cr_assert_eq(pipe(in), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        close(in[0]);
        close(in[1]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execl(getenv("SB_BIN"), "stockbridge", "user", "passwd", name, "--db", t.db_url,
              (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    cr_assert_eq(write(in[1], password, strlen(password)), (ssize_t)strlen(password));
    cr_assert_eq(write(in[1], "\n", 1), 1);
    close(in[1]);
    int ws = 0;
    waitpid(pid, &ws, 0);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
}

static long status_of(const char *method, const char *path, const char *cookie, const char *token)
{
    if (token) {
        struct th_resp b = th_req(&t, method, path, token, NULL);
        long st = b.status;
        th_resp_free(&b);
        return st;
    }
    struct resp *r = call(method, path, NULL, cookie, NULL);
    long st = r->status;
    done(r);
    return st;
}

Test(session, sec3_a_password_change_ends_that_users_sessions)
{
    /* SEC3: `stockbridge user passwd` (sb_store_user_set_password, which any route that sets
     * a password would call too) ends the user's sessions, and no one else's */
    char staff[128], staff_csrf[80], admin[128], admin_csrf[80], again[128], again_csrf[80];
    sign_in("staff1", "staff-secret", staff, staff_csrf);
    sign_in("staff1", "staff-secret", again, again_csrf); /* a second browser */
    sign_in("admin", "admin-secret", admin, admin_csrf);
    cr_assert_eq(status_of("GET", "/api/v1/session", staff, NULL), 200);
    cr_assert_eq(cli_passwd("staff1", "a-new-password"), 0);
    cr_expect_eq(status_of("GET", "/api/v1/session", staff, NULL), 401);
    cr_expect_eq(status_of("GET", "/api/v1/outlets", again, NULL), 401);
    cr_expect_eq(status_of("GET", "/api/v1/session", admin, NULL), 200, "another user's session");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id ="
                                " s.user_id WHERE u.username = 'staff1'"),
                 0);
    /* the new password works, the old one does not */
    struct resp *r = call("POST", "/api/v1/session",
                          "{\"username\":\"staff1\",\"password\":\"staff-secret\"}", NULL, NULL);
    cr_expect_eq(r->status, 401, "%s", r->body);
    done(r);
    sign_in("staff1", "a-new-password", staff, staff_csrf);
    cr_expect_eq(status_of("GET", "/api/v1/session", staff, NULL), 200);
}

Test(session, sec3_deactivation_ends_sessions_and_revokes_tokens_for_good)
{
    /* SEC3 */
    char staff[128], csrf[80];
    sign_in("staff1", "staff-secret", staff, csrf);
    int64_t uid = th_sql_int(&t, "SELECT id FROM users WHERE username = 'staff1'");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/users/%lld", (long long)uid);
    struct th_resp b = th_req(&t, "PATCH", path, t.admin, "{\"active\":false}");
    cr_assert_eq(b.status, 200, "%s", b.body);
    th_resp_free(&b);
    cr_expect_eq(status_of("GET", "/api/v1/session", staff, NULL), 401);
    cr_expect_eq(status_of("GET", "/api/v1/me", NULL, f.staff1), 401);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sessions WHERE user_id IN (SELECT id FROM"
                                " users WHERE username = 'staff1')"),
                 0);
    /* back again: the old token stays dead, the old session too; a new sign-in works */
    b = th_req(&t, "PATCH", path, t.admin, "{\"active\":true}");
    cr_assert_eq(b.status, 200, "%s", b.body);
    th_resp_free(&b);
    cr_expect_eq(status_of("GET", "/api/v1/me", NULL, f.staff1), 401, "a revoked token revived");
    cr_expect_eq(status_of("GET", "/api/v1/session", staff, NULL), 401);
    char q[64];
    snprintf(q, sizeof(q), "/api/v1/tokens?user_id=%lld", (long long)uid);
    json_t *list = th_get(&t, t.admin, "%s", q);
    json_t *tok = json_array_get(json_object_get(list, "data"), 0);
    cr_expect_str_eq(th_str(tok, "state"), "revoked");
    cr_expect(json_is_string(json_object_get(tok, "revoked_at")));
    json_decref(list);
    sign_in("staff1", "staff-secret", staff, csrf);
    cr_expect_eq(status_of("GET", "/api/v1/session", staff, NULL), 200);
}

Test(session, sec4_every_sign_in_does_the_same_hashing_work)
{
    /* SEC4: the time of a sign-in is its argon2id verification, and every refused sign-in
     * runs exactly one, with the same parameters: a known user with a wrong password, a
     * name no one has, an inactive user, a user without a password */
    th_sql_exec(&t, "INSERT INTO users (username, role, active, created_at, updated_at) VALUES"
                    " ('gone', 'staff', false, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
                    " ('nopass', 'staff', true, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    const char *names[] = { "admin", "no-such-user", "gone", "nopass" };
    for (size_t i = 0; i < 4; i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"wrong-password\"}",
                 names[i]);
        uint64_t before = sb_password_verifications();
        struct resp *r = call("POST", "/api/v1/session", body, NULL, NULL);
        cr_expect_eq(r->status, 401, "%s: %s", names[i], r->body);
        cr_expect_str_eq(code_of(r), "invalid_credentials");
        done(r);
        cr_expect_eq(sb_password_verifications() - before, 1, "%s: %llu verifications", names[i],
                     (unsigned long long)(sb_password_verifications() - before));
    }
    /* and the stand-in hash has a real one's parameters: "$argon2id$v=..$m=..,t=..,p=..$" */
    json_t *row = NULL;
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    cr_assert_eq(sb_db_json_one(db, &row, "SELECT password_hash FROM users WHERE id = 1", NULL),
                 SB_OK);
    sb_store_release(t.store, db);
    const char *real = th_str(row, "password_hash"), *dummy = sb_password_dummy_hash();
    const char *salt = strchr(real + 1, '$');
    for (int i = 0; salt && i < 2; i++)
        salt = strchr(salt + 1, '$'); /* the third '$' ends the parameters */
    cr_assert_not_null(salt, "%s", real);
    size_t params = (size_t)(salt - real);
    cr_expect(strncmp(real, dummy, params) == 0, "%.*s vs %.*s", (int)params, real, (int)params,
              dummy);
    cr_expect_eq(strlen(real), strlen(dummy));
    json_decref(row);
}

/* POSTs a sign-in from a local address; returns the status. */
static long sign_in_from(const char *from, const char *user, const char *password)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
    struct resp *r = call_ex(t.port, "POST", "/api/v1/session", body, NULL, NULL, from, NULL);
    long st = r->status;
    done(r);
    return st;
}

Test(session, sec4_a_name_hammered_from_one_address_still_signs_in_from_another)
{
    /* SEC4: five failures for admin from 127.0.0.2 hold admin off there only */
    for (int i = 0; i < 5; i++)
        cr_expect_eq(sign_in_from("127.0.0.2", "admin", "wrong-password"), 401);
    cr_expect_eq(sign_in_from("127.0.0.2", "admin", "admin-secret"), 429);
    cr_expect_eq(sign_in_from("127.0.0.1", "admin", "admin-secret"), 200);
    cr_expect_eq(sign_in_from("127.0.0.4", "admin", "admin-secret"), 200);
    /* and other names from 127.0.0.2 are not held off by admin's count */
    cr_expect_eq(sign_in_from("127.0.0.2", "staff1", "staff-secret"), 200);
}

Test(session, sec4_an_address_trying_many_names_is_held_off_and_its_records_stay_bounded)
{
    /* SEC4: 60 tries with new names from one address: the first 20 are looked at, the rest
     * refused; the records are one row per (address, name) tried and one for the address,
     * not one per failure */
    for (int i = 0; i < 60; i++) {
        char name[32];
        snprintf(name, sizeof(name), "guess-%d", i);
        cr_expect_eq(sign_in_from("127.0.0.3", name, "whatever-1"), i < 20 ? 401 : 429, "try %d",
                     i);
    }
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sign_in_throttle"), 21);
    cr_expect_eq(sign_in_from("127.0.0.3", "staff1", "staff-secret"), 429);
    cr_expect_eq(sign_in_from("127.0.0.1", "staff1", "staff-secret"), 200);
    /* records whose window has passed are deleted by the next attempt */
    th_sql_exec(&t, "UPDATE sign_in_throttle SET window_start = '2020-01-01T00:00:00Z',"
                    " last_at = '2020-01-01T00:00:00Z'");
    cr_expect_eq(sign_in_from("127.0.0.5", "admin", "wrong-password"), 401);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sign_in_throttle"), 2);
    cr_expect_eq(sign_in_from("127.0.0.3", "staff1", "staff-secret"), 200, "the window passed");
}

Test(session, sec4_the_records_have_a_hard_cap)
{
    /* SEC4: with a cap of 10 rows, failures from 15 addresses (two rows each) leave the 10
     * newest */
    struct sb_sign_in_limits lim = sb_sign_in_defaults;
    lim.max_records = 10;
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    /* one attempt a second, on the test clock: "the newest" is then the later second,
     * whatever the machine's speed (in one second the order of addresses decides) */
    int64_t start = sb_time_now();
    for (int i = 0; i < 15; i++) {
        sb_time_set_for_tests(start + i);
        char addr[32], name[32], token[SB_TOKEN_LEN], csrf[SB_TOKEN_LEN];
        int64_t uid = 0, retry = 0;
        snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
        snprintf(name, sizeof(name), "guess-%d", i);
        cr_expect_eq(
            sb_store_session_sign_in(db, name, "whatever-1", addr, &lim, &uid, token, csrf, &retry),
            SB_EINVALID_CREDENTIALS);
        cr_expect_leq(th_sql_int(&t, "SELECT COUNT(*) FROM sign_in_throttle"), 10);
    }
    sb_store_release(t.store, db);
    sb_time_set_for_tests(0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sign_in_throttle"), 10);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sign_in_throttle WHERE username ="
                                " 'guess-14'"),
                 1, "the newest stay");
}

Test(session, sec4_x_forwarded_for_names_the_client_only_behind_a_trusted_proxy)
{
    /* SEC4: without a trusted proxy, X-Forwarded-For is the client's own text and is
     * ignored: changing it does not escape the count */
    for (int i = 0; i < 6; i++) {
        char xff[64];
        snprintf(xff, sizeof(xff), "X-Forwarded-For: 203.0.113.%d", i + 1);
        struct resp *r = call_ex(t.port, "POST", "/api/v1/session",
                                 "{\"username\":\"admin\",\"password\":\"wrong-password\"}", NULL,
                                 NULL, "127.0.0.6", xff);
        cr_expect_eq(r->status, i < 5 ? 401 : 429, "try %d: %s", i, r->body);
        done(r);
    }
    /* behind a proxy at 127.0.0.7, its X-Forwarded-For entry is the client */
    struct sb_server_config cfg = { .host = "127.0.0.1",
                                    .store = t.store,
                                    .trusted_proxies = "127.0.0.7" };
    struct sb_server *proxied;
    cr_assert_eq(sb_server_start(&cfg, &proxied), SB_OK, "%s", sb_err_last()->message);
    uint16_t port = sb_server_port(proxied);
    const char *bad = "{\"username\":\"admin\",\"password\":\"wrong-password\"}";
    const char *good = "{\"username\":\"admin\",\"password\":\"admin-secret\"}";
    long want[] = { 401, 401, 401, 401, 401, 429 };
    for (int i = 0; i < 6; i++) {
        struct resp *r = call_ex(port, "POST", "/api/v1/session", i < 5 ? bad : good, NULL, NULL,
                                 "127.0.0.7", "X-Forwarded-For: 10.9.9.9, 203.0.113.50");
        cr_expect_eq(r->status, want[i], "try %d: %s", i, r->body);
        done(r);
    }
    cr_expect_eq(th_sql_int(&t, "SELECT failures FROM sign_in_throttle WHERE address ="
                                " '203.0.113.50' AND username = 'admin'"),
                 6);
    /* another client behind the same proxy is not held off */
    struct resp *r = call_ex(port, "POST", "/api/v1/session", good, NULL, NULL, "127.0.0.7",
                             "X-Forwarded-For: 203.0.113.51");
    cr_expect_eq(r->status, 200, "%s", r->body);
    done(r);
    sb_server_stop(proxied);
}
