/*
 * The stockbridge command end to end: help for every command, migrate,
 * user add + token create (the token then works against the server),
 * check on a healthy and on a damaged database, serve answering /healthz
 * until SIGTERM, a second serve refused on a busy address (SEC2), and the
 * modes of the files it makes (SEC5); the demo, created and served: the
 * orders of its Ecwid and native eCom stores come down (W1, L1).
 */
#include "harness.h"
#include "util/secretbox.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static struct th t;

static void setup(void)
{
    th_start(&t);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(cli, .init = setup, .fini = teardown);

Test(cli, every_command_has_help)
{
    static const char *const cmds[] = { "serve", "demo",  "migrate", "user", "token",
                                        "items", "check", "sync",    NULL };
    char out[4096];
    for (int i = 0; cmds[i]; i++) {
        cr_expect_eq(th_run_cli(&t, out, sizeof(out), cmds[i], "--help", NULL), 0, "%s --help",
                     cmds[i]);
        cr_expect(strstr(out, "usage: stockbridge") != NULL, "%s --help printed: %s", cmds[i], out);
    }
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "--help", NULL), 0);
    cr_expect(strstr(out, "commands:") != NULL);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "frobnicate", NULL), 2);
}

Test(cli, migrate_reports_the_version)
{
    char out[256];
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "migrate", NULL), 0);
    char want[64];
    snprintf(want, sizeof(want), "schema version %d\n", sb_store_schema_version(t.store));
    cr_expect_str_eq(out, want);
}

Test(cli, user_add_and_token_create)
{
    th_create(&t, t.admin, "/api/v1/outlets", "{\"name\":\"A\",\"currency\":\"USD\"}");
    char out[256];
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "user", "add", "casey", "--role", "staff",
                            "--outlet", "1", NULL),
                 0);
    cr_expect(strstr(out, "user casey created") != NULL, "%s", out);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "user", "add", "casey", "--role", "staff", NULL),
                 1, "a taken username fails");
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "user", "add", "dana", "--role", "boss", NULL), 1,
                 "an unknown role fails");
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "token", "create", "--user", "casey", NULL), 0);
    out[strcspn(out, "\n")] = '\0';
    cr_expect_eq(strncmp(out, "sb_", 3), 0);
    json_t *me = th_get(&t, out, "/api/v1/me");
    cr_expect_str_eq(json_string_value(json_object_get(me, "username")), "casey");
    cr_expect_str_eq(json_string_value(json_object_get(me, "role")), "staff");
    cr_expect_eq(json_array_size(json_object_get(me, "outlets")), 1);
    json_decref(me);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "token", "create", "--user", "nobody", NULL), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM api_tokens WHERE token_hash LIKE 'sb_%'"), 0,
                 "tokens are stored hashed");
}

Test(cli, check_reports_violations)
{
    struct th_fixture f;
    th_fixture(&t, &f);
    char out[1024];
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "check", NULL), 0, "%s", out);
    cr_expect_str_eq(out, "0 violations\n");
    th_sql_exec(&t, "UPDATE stock SET on_hand = on_hand + 1 WHERE item_id = 1 AND outlet_id = 2");
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "check", NULL), 1);
    cr_expect_str_eq(out, "violation stock.ledger: item 1 at outlet 2: on hand 6, but its ledger "
                          "adds up to 5\n1 violation\n");
    th_sql_exec(&t, "UPDATE stock SET on_hand = on_hand - 1 WHERE item_id = 1 AND outlet_id = 2");
}

/* Issue 16 item 6: the top items' per-day summary is kept by triggers through a sale, a
 * return and a void, and check names any row that drifts from the lines it sums. */
Test(cli, check_reports_a_report_summary_that_drifts)
{
    struct th_fixture f;
    th_fixture(&t, &f);
    char out[1024], body[256];
    snprintf(body, sizeof(body),
             "{\"outlet_id\":1,\"allow_oversell\":true,\"lines\":[{\"item_id\":%lld,"
             "\"quantity\":3,\"unit_price\":1000}]}",
             (long long)f.tee);
    int64_t sale = th_create(&t, t.admin, "/api/v1/sales", "%s", body);
    cr_expect_eq(th_sql_intf(&t, "SELECT SUM(revenue) FROM report_item_days WHERE item_id = %lld",
                             (long long)f.tee),
                 3000);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "check", NULL), 0, "%s", out);
    char sql[128];
    snprintf(sql, sizeof(sql),
             "UPDATE report_item_days SET revenue = revenue + 1 WHERE item_id = %lld",
             (long long)f.tee);
    th_sql_exec(&t, sql);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "check", NULL), 1);
    snprintf(body, sizeof(body),
             "violation report.summary: item %lld at outlet 1: the report summary says revenue "
             "3001, but its sales' lines add up to 3000\n1 violation\n",
             (long long)f.tee);
    cr_expect_str_eq(out, body);
    snprintf(sql, sizeof(sql),
             "UPDATE report_item_days SET revenue = revenue - 1 WHERE item_id = %lld",
             (long long)f.tee);
    th_sql_exec(&t, sql);
    /* a void takes the sale out of the summary, by trigger */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/void", (long long)sale);
    struct th_resp r = th_req(&t, "POST", path, t.admin, "{}");
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_intf(&t, "SELECT SUM(lines) FROM report_item_days WHERE item_id = %lld",
                             (long long)f.tee),
                 0);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "check", NULL), 0, "%s", out);
}

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

Test(cli, serve_answers_until_sigterm)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(getenv("SB_BIN"), "stockbridge", "serve", "--db", t.db_url, "--listen", "127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    FILE *f = fdopen(pipefd[0], "r");
    char line[256] = "";
    cr_assert_not_null(fgets(line, sizeof(line), f), "serve printed nothing");
    unsigned port = 0;
    cr_assert_eq(sscanf(line, "stockbridge is serving on http://127.0.0.1:%u/", &port), 1, "%s",
                 line);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", port);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    cr_expect_eq(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    cr_expect_eq(status, 200);
    curl_easy_cleanup(c);
    kill(pid, SIGTERM);
    int ws = 0;
    waitpid(pid, &ws, 0);
    cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "serve did not stop cleanly on SIGTERM");
    fclose(f);
}

Test(cli, demo_creates_a_store_that_passes_check)
{
    char out[1024];
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/demo", t.dir);
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "demo", "--no-serve", "--dir", dir, NULL), 0,
                 "%s", out);
    cr_expect(strstr(out, "admin token: sb_") != NULL, "%s", out);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outlets"), 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM registers"), 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM employees"), 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(DISTINCT role) FROM users"), 3);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items WHERE upc IS NOT NULL AND ean IS NOT"
                                " NULL AND manufacturer_sku IS NOT NULL AND default_cost > 0"
                                " AND msrp > 0"),
                 50);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM item_prices"), 100);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock WHERE on_hand > 0"), 100);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 4);
    /* the demo's webstores: Shopify, and Magento 2 (issue 12) on auto-invoice with its
     * default source linked to the first outlet */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE kind = 'shopify'"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE kind = 'magento2' AND"
                                " settings LIKE '%\"download_mode\":\"auto_invoice\"%'"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_locations l JOIN channels c ON"
                                " c.id = l.channel_id WHERE c.kind = 'magento2' AND"
                                " l.location_id = 'default'"),
                 1);
    /* issue 13: an Ecwid store (W4: its register, at the first outlet, takes its orders) and a
     * native eCom store, both on Ecwid's wire, linked to both outlets; channels 3 and 4 */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels c JOIN registers r ON r.id ="
                                " c.register_id WHERE c.id = 3 AND c.kind = 'ecwid' AND"
                                " r.outlet_id = (SELECT MIN(id) FROM outlets)"),
                 1);
    /* L2: its statuses travel (push_statuses stored on); it takes no fulfillment calls */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels WHERE id = 4 AND kind = 'ecom' AND"
                                " settings LIKE '%\"push_statuses\":true%' AND"
                                " settings LIKE '%\"auto_fulfillment\":false%'"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_outlets o JOIN channels c ON"
                                " c.id = o.channel_id WHERE c.kind IN ('ecwid', 'ecom')"),
                 4);
    /* the staff user sees one outlet, the manager two */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM user_outlets u JOIN users s ON s.id ="
                                " u.user_id WHERE s.username = 'tom'"),
                 1);
    /* a second run keeps the store and only makes a new token */
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "demo", "--no-serve", "--dir", dir, NULL), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items"), 50);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channels"), 4);
    snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/admin-token");
    unlink(dir);
    dir[strlen(dir) - strlen("/admin-token")] = '\0';
    rmdir(dir);
}

/* A running `stockbridge serve`: its pid and a pipe carrying its stdout and stderr. */
struct child {
    pid_t pid;
    int fd;
};

static struct child spawn_serve(const char *listen)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(getenv("SB_BIN"), "stockbridge", "serve", "--db", t.db_url, "--listen", listen,
              (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    return (struct child){ pid, pipefd[0] };
}

/* Reads what the child writes until it closes its end or until want appears, waiting at
 * most 20 s for each piece (poll on the pipe: an event, bounded). */
static void read_until(struct child *c, const char *want, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    while (len + 1 < cap && !(want && strstr(out, want))) {
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        if (poll(&p, 1, 20000) != 1)
            break;
        ssize_t n = read(c->fd, out + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
        out[len] = '\0';
    }
}

static int stop_child(struct child *c, bool kill_it)
{
    if (kill_it)
        kill(c->pid, SIGTERM);
    int ws = 0;
    waitpid(c->pid, &ws, 0);
    close(c->fd);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
}

Test(cli, sec2_a_second_serve_on_a_busy_address_refuses_to_start)
{
    /* SEC2 */
    struct child first = spawn_serve("127.0.0.1:0");
    char out[4096];
    read_until(&first, "\n", out, sizeof(out));
    unsigned port = 0;
    cr_assert_eq(sscanf(out, "stockbridge is serving on http://127.0.0.1:%u/", &port), 1, "%s",
                 out);
    char listen[32];
    snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
    struct child second = spawn_serve(listen);
    read_until(&second, "is serving", out, sizeof(out));
    bool served = strstr(out, "is serving") != NULL;
    int rc = stop_child(&second, served);
    cr_expect(!served, "a second server started on %s: %s", listen, out);
    cr_expect_eq(rc, 1, "exit status %d: %s", rc, out);
    char want[256];
    snprintf(want, sizeof(want),
             "stockbridge: starting the server: %s is already in use: another process (another"
             " stockbridge?) listens there (listen)\n",
             listen);
    cr_expect_str_eq(out, want);
    /* the first one still serves every connection */
    char url[64];
    snprintf(url, sizeof(url), "http://%s/healthz", listen);
    for (int i = 0; i < 8; i++) {
        CURL *c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        cr_expect_eq(curl_easy_perform(c), CURLE_OK);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        cr_expect_eq(status, 200);
        curl_easy_cleanup(c);
    }
    cr_expect_eq(stop_child(&first, true), 0);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "%s is missing", path);
    return (unsigned)(st.st_mode & 07777);
}

Test(cli, sec5_the_database_its_wal_and_shm_and_the_key_file_are_owner_only)
{
    TH_SQLITE_ONLY("the modes of the SQLite file, its -wal and -shm and the key file beside it");
    /* SEC5: created 0600 whatever the umask allows */
    mode_t old = umask(022);
    char path[400], url[420], file[440];
    snprintf(path, sizeof(path), "%s/fresh.db", t.dir);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    cr_assert_eq(sb_secretbox_init(url), SB_OK, "%s", sb_err_last()->message);
    struct sb_store *store;
    cr_assert_eq(sb_store_open(url, 2, &store), SB_OK, "%s", sb_err_last()->message);
    const char *suffixes[] = { "", "-wal", "-shm", ".key" };
    for (int i = 0; i < 4; i++) {
        snprintf(file, sizeof(file), "%s%s", path, suffixes[i]);
        cr_expect_eq(mode_of(file), 0600, "%s has mode %04o", file, mode_of(file));
    }
    sb_store_close(store);
    umask(old);
    for (int i = 0; i < 4; i++) {
        snprintf(file, sizeof(file), "%s%s", path, suffixes[i]);
        unlink(file);
    }
    /* the harness's server seals with its own database's key */
    cr_assert_eq(sb_secretbox_init(t.db_url), SB_OK);
}

Test(cli, sec5_the_demo_directory_and_its_files_are_owner_only)
{
    TH_SQLITE_ONLY("the demo's own SQLite file and the key file beside it");
    /* SEC5: `stockbridge demo --dir DIR` with its own database in DIR */
    char dir[300], file[400];
    snprintf(dir, sizeof(dir), "%s/demo", t.dir);
    mode_t old = umask(022);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execl(getenv("SB_BIN"), "stockbridge", "demo", "--no-serve", "--dir", dir, (char *)NULL);
        _exit(127);
    }
    umask(old);
    int ws = 0;
    waitpid(pid, &ws, 0);
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "demo failed");
    cr_expect_eq(mode_of(dir), 0700, "%s has mode %04o", dir, mode_of(dir));
    const char *files[] = { "admin-token", "stockbridge.db", "stockbridge.db.key" };
    for (int i = 0; i < 3; i++) {
        snprintf(file, sizeof(file), "%s/%s", dir, files[i]);
        cr_expect_eq(mode_of(file), 0600, "%s has mode %04o", file, mode_of(file));
    }
    const char *all[] = { "admin-token", "stockbridge.db", "stockbridge.db.key",
                          "stockbridge.db-wal", "stockbridge.db-shm" };
    for (int i = 0; i < 5; i++) {
        snprintf(file, sizeof(file), "%s/%s", dir, all[i]);
        unlink(file);
    }
    rmdir(dir);
}

static long me_status(const char *token)
{
    struct th_resp r = th_req(&t, "GET", "/api/v1/me", token, NULL);
    long st = r.status;
    th_resp_free(&r);
    return st;
}

Test(cli, sec3_tokens_are_listed_expire_when_asked_and_are_revoked_from_the_command_line)
{
    /* SEC3 */
    char out[4096], token[SB_TOKEN_LEN];
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "user", "add", "casey", "--role", "admin", NULL),
                 0);
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "token", "create", "--user", "casey", "--name",
                            "ci", "--expires-in", "30d", NULL),
                 0, "%s", out);
    out[strcspn(out, "\n")] = '\0';
    snprintf(token, sizeof(token), "%s", out);
    cr_expect_eq(me_status(token), 200);
    int64_t id = th_sql_int(&t, "SELECT MAX(id) FROM api_tokens");
    cr_expect_eq(th_sql_time(&t, "SELECT expires_at FROM api_tokens WHERE name = 'ci'") -
                     th_sql_time(&t, "SELECT created_at FROM api_tokens WHERE name = 'ci'"),
                 30 * 86400, "expires 30 days after it was made");
    /* listed with its state, never its secret */
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "token", "list", "--user", "casey", NULL), 0);
    static const char header[] = "ID     USER             NAME             CREATED         "
                                 "     EXPIRES              STATE\n";
    cr_expect(strncmp(out, header, strlen(header)) == 0, "%s", out);
    char row[160];
    snprintf(row, sizeof(row), "%-6lld casey            ci               ", (long long)id);
    cr_expect(strstr(out, row) != NULL, "%s", out);
    cr_expect(strstr(out, " active\n") != NULL, "%s", out);
    cr_expect(strstr(out, "sb_") == NULL, "no secret in %s", out);
    /* revoked: fails at once, listed as revoked */
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "token", "revoke", idtext, NULL), 0);
    char said[48];
    snprintf(said, sizeof(said), "token %lld revoked\n", (long long)id);
    cr_expect_str_eq(out, said);
    cr_expect_eq(me_status(token), 401);
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "token", "list", NULL), 0);
    cr_expect(strstr(out, " revoked\n") != NULL, "%s", out);
    cr_expect(strstr(out, "admin            test             ") != NULL, "everyone's: %s", out);
    /* an expired token fails too */
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "token", "create", "--user", "casey",
                            "--expires-in", "12h", NULL),
                 0);
    out[strcspn(out, "\n")] = '\0';
    snprintf(token, sizeof(token), "%s", out);
    cr_expect_eq(me_status(token), 200);
    th_sql_exec(&t, "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE id ="
                    " (SELECT MAX(id) FROM api_tokens)");
    cr_expect_eq(me_status(token), 401);
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "token", "list", "--user", "casey", NULL), 0);
    cr_expect(strstr(out, "2020-01-01T00:00:00Z expired\n") != NULL, "%s", out);
    /* mistakes */
    const char *durations[] = { "30", "0d", "-1d", "1w", "30dd", "99999d", "" };
    for (int i = 0; i < 7; i++)
        cr_expect_eq(th_run_cli(&t, out, sizeof(out), "token", "create", "--user", "casey",
                                "--expires-in", durations[i], NULL),
                     2, "--expires-in %s", durations[i]);
    char long_name[102];
    memset(long_name, 'n', 101);
    long_name[101] = '\0';
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "token", "create", "--user", "casey", "--name",
                            long_name, NULL),
                 1, "a name over 100 characters");
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "token", "revoke", "999", NULL), 1);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "token", "revoke", "x1", NULL), 1);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "token", "revoke", NULL), 2);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "token", "list", "--user", "nobody", NULL), 1);
}

/* ---------------------------------------------------------------- the demo, served */

/* A port free on 127.0.0.1 now (the kernel's pick), for the demo's stores. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

struct body {
    char buf[65536];
    size_t len;
};

static size_t collect(char *p, size_t s, size_t n, void *ud)
{
    struct body *b = ud;
    size_t k = s * n;
    if (b->len + k >= sizeof(b->buf))
        return 0;
    memcpy(b->buf + b->len, p, k);
    b->len += k;
    b->buf[b->len] = '\0';
    return k;
}

/* One HTTP call to a process of the demo's; the answer's JSON (NULL when none) and status. */
static json_t *call(const char *method, const char *url, const char *token, const char *body,
                    long *ret_status)
{
    static struct body b;
    b.len = 0;
    b.buf[0] = '\0';
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[128];
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(c);
    *ret_status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, url, curl_easy_strerror(rc));
    return json_loads(b.buf, 0, NULL);
}

/* Places an order on one of the demo's Ecwid-wire stores (its control API); its id. */
static void place(unsigned port, const char *payment, char *id, size_t cap)
{
    char url[128], body[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/_fake/ecwid/orders", port);
    snprintf(body, sizeof(body),
             "{\"items\":[{\"sku\":\"TEE-RED\",\"quantity\":1}],\"paymentStatus\":\"%s\"}",
             payment);
    long status;
    json_t *o = call("POST", url, NULL, body, &status);
    cr_assert_eq(status, 201, "placing an order on %u: %ld", port, status);
    snprintf(id, cap, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
}

/* The state the server gives a channel's order ("" while it has not seen it). */
static const char *order_state(unsigned port, const char *token, int channel, const char *id)
{
    static char state[32];
    char url[160];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/channels/%d/orders?limit=200", port,
             channel);
    long status;
    json_t *page = call("GET", url, token, NULL, &status);
    cr_assert_eq(status, 200);
    state[0] = '\0';
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(page, "data"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "external_id")), id) == 0)
            snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(o, "state")));
    }
    json_decref(page);
    return state;
}

/* Waits (bounded, 20 s) until the server shows the order in that state; the state last seen. */
static const char *await_state(unsigned port, const char *token, int channel, const char *id,
                               const char *want)
{
    const char *st = "";
    for (int i = 0; i < 400 && strcmp(st, want) != 0; i++) {
        st = order_state(port, token, channel, id);
        if (strcmp(st, want) != 0)
            nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
    }
    return st;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

Test(cli, w1_l1_the_demo_stores_orders_come_down, .timeout = 120)
{
    /* W1, W5, L1: `stockbridge demo` serving, its Ecwid store (channel 3) and native eCom
     * store (channel 4) are fakestores sending signed webhooks to the server (polling is off
     * in the tests: STOCKBRIDGE_POLL_SCHEDULE): a PAID Ecwid order comes down, an unpaid one
     * waits, an unpaid eCom order comes down */
    unsigned ports[6];
    for (int i = 0; i < 6; i++) {
        bool dup;
        do {
            ports[i] = free_port();
            dup = false;
            for (int j = 0; j < i; j++)
                dup = dup || ports[j] == ports[i];
        } while (dup);
    }
    char dir[300], a[6][32];
    snprintf(dir, sizeof(dir), "%s/demo-served", t.dir);
    for (int i = 0; i < 6; i++)
        snprintf(a[i], sizeof(a[i]), "127.0.0.1:%u", ports[i]);
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(getenv("SB_BIN"), "stockbridge", "demo", "--dir", dir, "--listen", a[0],
              "--fake-listen", a[1], "--magento-listen", a[2], "--ecwid-listen", a[3],
              "--ecom-listen", a[4], "--orders-per-minute", "0.01", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    struct child demo = { pid, pipefd[0] };
    char out[8192];
    read_until(&demo, "stockbridge is serving on", out, sizeof(out));
    cr_assert(strstr(out, "stockbridge is serving on") != NULL, "%s", out);
    char ecwid_line[128], ecom_line[128];
    snprintf(ecwid_line, sizeof(ecwid_line), "a simulated Ecwid store on http://%s/", a[3]);
    snprintf(ecom_line, sizeof(ecom_line), "a simulated native eCom store on http://%s/", a[4]);
    cr_expect(strstr(out, ecwid_line) && strstr(out, ecom_line), "%s", out);

    char path[400], token[SB_TOKEN_LEN] = "";
    snprintf(path, sizeof(path), "%s/admin-token", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f != NULL);
    cr_assert(fgets(token, sizeof(token), f) != NULL);
    fclose(f);
    token[strcspn(token, "\n")] = '\0';

    char paid[64], unpaid[64], ecom[64];
    place(ports[3], "PAID", paid, sizeof(paid));
    place(ports[3], "AWAITING_PAYMENT", unpaid, sizeof(unpaid));
    place(ports[4], "AWAITING_PAYMENT", ecom, sizeof(ecom));
    cr_expect(strncmp(paid, "ECWID-", 6) == 0 && strncmp(ecom, "ECOM-", 5) == 0, "%s %s", paid,
              ecom);
    cr_expect_str_eq(await_state(ports[0], token, 3, paid, "downloaded"), "downloaded");
    cr_expect_str_eq(await_state(ports[0], token, 3, unpaid, "waiting"), "waiting");
    cr_expect_str_eq(await_state(ports[0], token, 4, ecom, "downloaded"), "downloaded");

    cr_expect_eq(stop_child(&demo, true), 0);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}
