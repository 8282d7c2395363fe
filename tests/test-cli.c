/*
 * The stockbridge command end to end: help for every command, migrate,
 * user add + token create (the token then works against the server),
 * check on a healthy and on a damaged database, and serve answering
 * /healthz until SIGTERM.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    /* the staff user sees one outlet, the manager two */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM user_outlets u JOIN users s ON s.id ="
                                " u.user_id WHERE s.username = 'tom'"),
                 1);
    /* a second run keeps the store and only makes a new token */
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "demo", "--no-serve", "--dir", dir, NULL), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items"), 50);
    snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/admin-token");
    unlink(dir);
    dir[strlen(dir) - strlen("/admin-token")] = '\0';
    rmdir(dir);
}
