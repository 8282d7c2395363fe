/*
 * N4 (issue 16 item 8): a new web order emailed to the channel's recipients over SMTP,
 * through the outbox. The real server and pipeline, orders as signed Shopify webhooks, and
 * a local SMTP server (tests/smtp-sink.py, Debian's python3-aiosmtpd: scripts/bootstrap
 * installs it) that writes each message it takes as JSON, read back by Python's email
 * parser: an independent reading of the headers stockbridge wrote (RFC 2047 subjects, no
 * injected header).
 *
 * The mail server's port is chosen before the server starts (STOCKBRIDGE_SMTP_URL is read
 * by the outbox's thread), and each test starts the sink on it when it wants one: before
 * that, nothing listens there ("the mail server is down"). Waits are bounded waits on what
 * can be seen (the outbox row, the sink's files), never a fixed sleep.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake;
static unsigned smtp_port;
static char mail_dir[300];
static pid_t sink_pid;

/* A port nothing listens on now (the kernel's pick, released at once). */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t len = sizeof(a);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void sink_start(void)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    char port[16];
    snprintf(port, sizeof(port), "%u", smtp_port);
    char script[512];
    snprintf(script, sizeof(script), "%s/tests/smtp-sink.py", getenv("SB_SOURCE_ROOT"));
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execl("/usr/bin/python3", "python3", script, mail_dir, port, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[64];
    size_t k = 0;
    while (k + 1 < sizeof(line) && read(pipefd[0], line + k, 1) == 1 && line[k] != '\n')
        k++;
    line[k] = '\0';
    close(pipefd[0]);
    sink_pid = pid;
    cr_assert(strncmp(line, "listening ", 10) == 0,
              "the SMTP sink did not start (python3-aiosmtpd missing? run scripts/bootstrap):"
              " %s",
              line);
}

static void sink_stop(void)
{
    if (sink_pid <= 0)
        return;
    kill(sink_pid, SIGTERM);
    waitpid(sink_pid, NULL, 0);
    sink_pid = 0;
}

static void setup(void)
{
    smtp_port = free_port();
    char url[64];
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", smtp_port);
    setenv("STOCKBRIDGE_SMTP_URL", url, 1);
    setenv("STOCKBRIDGE_SMTP_FROM", "pos@shop.example", 1);
    setenv("STOCKBRIDGE_PUBLIC_URL", "https://pos.shop.example", 1);
    th_shop_start(&t, &f, &fake);
    snprintf(mail_dir, sizeof(mail_dir), "%s/mail", t.dir);
    cr_assert_eq(mkdir(mail_dir, 0700), 0);
}

static void teardown(void)
{
    sink_stop();
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(notify_email, .init = setup, .fini = teardown, .timeout = 120);

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits (at most 20 s, looking every 50 ms) until the SQL's number is want. */
static void wait_sql(const char *sql, int64_t want, const char *what)
{
    int64_t got = 0;
    for (uint64_t until = now_ms() + 20000; now_ms() < until;) {
        if ((got = th_sql_int(&t, sql)) == want)
            return;
        (void)poll(NULL, 0, 50);
    }
    cr_assert_fail("%s: %lld, not %lld, after 20 s (%s)", what, (long long)got, (long long)want,
                   sql);
}

/* How many messages the sink has written. */
static int mails(void)
{
    DIR *d = opendir(mail_dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strlen(e->d_name) == 9 && strcmp(e->d_name + 4, ".json") == 0;
    closedir(d);
    return n;
}

/* The n-th message as the sink read it (caller decrefs). */
static json_t *mail(int n)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/%04d.json", mail_dir, n);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    cr_assert_not_null(doc, "%s: %s", path, e.text);
    return doc;
}

static void settings(const char *json)
{
    char body[1200];
    snprintf(body, sizeof(body), "{\"settings\":%s}", json);
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/channels/1", t.admin, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
}

/* Order 7000+n as the shop's orders/create webhook under event id `event`, with the given
 * order name and ship-to first name (NULL: the defaults); returns the HTTP status. */
static long order_as(int n, const char *event, const char *name, const char *first_name)
{
    char body[1600];
    th_shopify_order_json(body, sizeof(body), 7000 + n, "mail@example.com", 0, true);
    json_t *o = json_loads(body, 0, NULL);
    cr_assert_not_null(o);
    if (name)
        json_object_set_new(o, "name", json_string(name));
    if (first_name) {
        json_t *ship = json_object_get(o, "shipping_address");
        if (!ship)
            json_object_set_new(o, "shipping_address",
                                ship = json_pack("{s:s,s:s,s:s}", "address1", "1 Quay St", "city",
                                                 "Portland", "country_code", "US"));
        json_object_set_new(ship, "first_name", json_string(first_name));
        json_object_set_new(ship, "last_name", json_string("Bloggs"));
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    long st = th_shopify_hook(t.port, "/webhooks/1", TH_SHOP_SECRET, "orders/create", event, text);
    free(text);
    return st;
}

static void order(int n)
{
    char event[32];
    snprintf(event, sizeof(event), "mail-%d", n);
    cr_assert_eq(order_as(n, event, NULL, NULL), 200);
}

static const char *header(json_t *m, const char *name)
{
    size_t i;
    json_t *h;
    const char *found = NULL;
    json_array_foreach(json_object_get(m, "headers"), i, h)
    {
        if (strcasecmp(json_string_value(json_array_get(h, 0)), name) == 0) {
            cr_assert_null(found, "header %s appears twice", name);
            found = json_string_value(json_array_get(h, 1));
        }
    }
    return found;
}

Test(notify_email, n4_a_new_order_sends_one_email_to_the_recipients)
{
    sink_start();
    settings("{\"email_new_orders\":true,"
             "\"email_recipients\":\" floor@shop.example, Boss@Shop.example \"}");
    order(1);
    th_wait_pipeline(&t); /* every due outbox call sent */
    cr_assert_eq(mails(), 1, "one email");
    json_t *m = mail(1);
    cr_expect_str_eq(th_str(m, "mail_from"), "pos@shop.example");
    json_t *rcpt = json_object_get(m, "rcpt_tos");
    cr_assert_eq(json_array_size(rcpt), 2);
    cr_expect_str_eq(json_string_value(json_array_get(rcpt, 0)), "floor@shop.example");
    cr_expect_str_eq(json_string_value(json_array_get(rcpt, 1)), "Boss@Shop.example");
    cr_expect_str_eq(th_str(m, "to"), "floor@shop.example, Boss@Shop.example");
    /* the em dash makes it an RFC 2047 word; Python's parser reads it back */
    cr_expect_str_eq(th_str(m, "subject"), "New web order #7001 \xe2\x80\x94 Downtown");
    cr_expect(strncmp(header(m, "Subject"), "New web order", 13) == 0);
    cr_expect(strstr(th_str(m, "date"), " +0000") != NULL, "Date: %s", th_str(m, "date"));
    int64_t sale = th_sql_int(&t, "SELECT id FROM sales WHERE external_id = '7001'");
    int64_t ff =
        th_sql_intf(&t, "SELECT id FROM fulfillments WHERE sale_id = %lld", (long long)sale);
    char want[200];
    snprintf(want, sizeof(want), "<order-%lld.channel-1@shop.example>", (long long)sale);
    cr_expect_str_eq(th_str(m, "message_id"), want);
    const char *body = th_str(m, "body");
    cr_expect(strstr(body, "1 x Tee (TEE)  20.00 USD") != NULL, "the line: %s", body);
    cr_expect(strstr(body, "Total: 20.00 USD") != NULL, "the total: %s", body);
    cr_expect(strstr(body, "Ship to:") != NULL, "%s", body);
    snprintf(want, sizeof(want), "https://pos.shop.example/fulfillments/%lld", (long long)ff);
    cr_expect(strstr(body, want) != NULL, "the link %s: %s", want, body);
    cr_expect_eq(json_array_size(json_object_get(m, "defects")), 0, "a well-formed message");
    json_decref(m);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'"
                                " AND status = 'done'"),
                 1);
}

Test(notify_email, n4_off_by_default_sends_nothing)
{
    sink_start();
    order(2);
    th_wait_pipeline(&t);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'"), 0);
    cr_expect_eq(mails(), 0);
    /* on, then off again */
    settings("{\"email_new_orders\":true,\"email_recipients\":\"floor@shop.example\"}");
    settings("{\"email_new_orders\":false}");
    order(3);
    th_wait_pipeline(&t);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'"), 0);
    cr_expect_eq(mails(), 0);
}

Test(notify_email, n4_o2_a_duplicate_webhook_still_sends_one)
{
    sink_start();
    settings("{\"email_new_orders\":true,\"email_recipients\":\"floor@shop.example\"}");
    cr_assert_eq(order_as(4, "dup-a", NULL, NULL), 200);
    cr_assert_eq(order_as(4, "dup-a", NULL, NULL), 200); /* the same delivery again */
    cr_assert_eq(order_as(4, "dup-b", NULL, NULL), 200); /* the same order, another event */
    th_wait_pipeline(&t);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'"), 1);
    cr_expect_eq(mails(), 1);
}

Test(notify_email, n4_a_mail_server_that_is_down_delays_the_email_and_loses_nothing)
{
    settings("{\"email_new_orders\":true,\"email_recipients\":\"floor@shop.example\"}");
    order(5); /* nothing listens on the mail server's port yet */
    wait_sql("SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND status = 'pending'"
             " AND attempts >= 1 AND last_error IS NOT NULL",
             1, "a failed try, to be retried");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'"
                                " AND status = 'parked'"),
                 0, "not given up");
    sink_start(); /* the mail server is back */
    wait_sql("SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND status = 'done'", 1,
             "sent after the retry");
    cr_expect_eq(mails(), 1, "once");
    json_t *m = mail(1);
    cr_expect_str_eq(th_str(m, "subject"), "New web order #7005 \xe2\x80\x94 Downtown");
    json_decref(m);
    cr_expect_geq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_log WHERE event = 'push.retry'"), 1,
                  "the failure is in the channel's log");
}

Test(notify_email, n4_a_refusal_for_good_is_parked_and_shown)
{
    sink_start();
    settings("{\"email_new_orders\":true,\"email_recipients\":\"refuse@shop.example\"}");
    order(6);
    wait_sql("SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND status = 'parked'", 1,
             "parked at the first 5xx");
    cr_expect_eq(th_sql_int(&t, "SELECT attempts FROM outbox WHERE kind = 'email'"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'"
                                " AND last_error LIKE '%refused%550%'"),
                 1, "its error says what the server answered");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_log WHERE event = 'push.parked'"
                                " AND level = 'error'"),
                 1);
    json_t *q = th_get(&t, t.admin, "/api/v1/channels/1/sync-status");
    char *text = json_dumps(q, JSON_COMPACT);
    cr_expect(strstr(text, "\"parked\":1") != NULL, "sync-status shows it: %s", text);
    free(text);
    json_decref(q);
    cr_expect_eq(mails(), 0);
}

Test(notify_email, n4_a_header_injection_in_order_data_is_neutralised)
{
    sink_start();
    settings("{\"email_new_orders\":true,\"email_recipients\":\"floor@shop.example\"}");
    /* the order's name goes into the Subject; the customer's into the body */
    cr_assert_eq(order_as(7, "inject", "#77\r\nBcc: victim@evil.example\r\nX-Evil: 1",
                          "Eve\r\nBcc: victim2@evil.example"),
                 200);
    th_wait_pipeline(&t);
    cr_assert_eq(mails(), 1);
    json_t *m = mail(1);
    json_t *rcpt = json_object_get(m, "rcpt_tos");
    cr_expect_eq(json_array_size(rcpt), 1, "no recipient added");
    cr_expect_str_eq(json_string_value(json_array_get(rcpt, 0)), "floor@shop.example");
    cr_expect_null(header(m, "Bcc"), "no Bcc header");
    cr_expect_null(header(m, "X-Evil"), "no added header");
    cr_expect(strstr(th_str(m, "subject"), "\n") == NULL, "one line: %s", th_str(m, "subject"));
    cr_expect(strstr(th_str(m, "subject"), "#77  Bcc: victim@evil.example  X-Evil: 1") != NULL,
              "the text kept, harmless: %s", th_str(m, "subject"));
    cr_expect_eq(json_array_size(json_object_get(m, "defects")), 0);
    json_decref(m);
}

Test(notify_email, n4_the_settings_are_checked)
{
    th_expect_error(&t, "PATCH", "/api/v1/channels/1", t.admin,
                    "{\"settings\":{\"email_new_orders\":true}}", 422, "missing_field");
    th_expect_error(&t, "PATCH", "/api/v1/channels/1", t.admin,
                    "{\"settings\":{\"email_recipients\":\"floor@shop.example, not-an-address\"}}",
                    422, "invalid_field");
    th_expect_error(
        &t, "PATCH", "/api/v1/channels/1", t.admin,
        "{\"settings\":{\"email_recipients\":\"a@shop.example\\r\\nBcc: b@x.example\"}}", 422,
        "invalid_field");
    th_expect_error(&t, "PATCH", "/api/v1/channels/1", t.admin,
                    "{\"settings\":{\"email_recipients\":\"<a@shop.example>\"}}", 422,
                    "invalid_field");
    settings("{\"email_new_orders\":true,\"email_recipients\":\"a@shop.example,b@shop.example\"}");
    json_t *c = th_get(&t, t.admin, "/api/v1/channels/1");
    json_t *s = json_object_get(c, "settings");
    cr_expect(json_is_true(json_object_get(s, "email_new_orders")));
    cr_expect_str_eq(th_str(s, "email_recipients"), "a@shop.example,b@shop.example");
    json_decref(c);
}

Test(notify_email, n4_a_long_non_ascii_subject_is_folded_and_reads_back_whole)
{
    sink_start();
    /* 3 x 26 characters, most of them two or three bytes: several encoded-words */
    th_sql_exec(&t, "UPDATE outlets SET name = 'Caf\xc3\xa9 \xc3\x9c"
                    "ber der Stra\xc3\x9f"
                    "e \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac \xe6\xb8\x8b\xe8\xb0\xb7 "
                    "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 \xc3\x85rhus "
                    "M\xc3\xbcnchen Z\xc3\xbcrich \xc5\x81\xc3\xb3\x64\xc5\xba' WHERE id = 1");
    settings("{\"email_new_orders\":true,\"email_recipients\":\"floor@shop.example\"}");
    order(9);
    th_wait_pipeline(&t);
    cr_assert_eq(mails(), 1);
    json_t *m = mail(1);
    cr_expect_str_eq(th_str(m, "subject"),
                     "New web order #7009 \xe2\x80\x94 Caf\xc3\xa9 \xc3\x9c"
                     "ber der Stra\xc3\x9f"
                     "e \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac \xe6\xb8\x8b\xe8\xb0\xb7 "
                     "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 \xc3\x85rhus "
                     "M\xc3\xbcnchen Z\xc3\xbcrich \xc5\x81\xc3\xb3\x64\xc5\xba");
    cr_expect_eq(json_array_size(json_object_get(m, "defects")), 0);
    json_decref(m);
    /* every line of the raw head within 78 columns (RFC 5322's "SHOULD") */
    char path[400], line[1200];
    snprintf(path, sizeof(path), "%s/0001.eml", mail_dir);
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp);
    int subject_lines = 0;
    bool in_subject = false;
    while (fgets(line, sizeof(line), fp) && strcmp(line, "\r\n") != 0) {
        cr_expect_leq(strlen(line), 80, "a long header line: %s", line);
        in_subject = strncmp(line, "Subject:", 8) == 0 || (in_subject && line[0] == ' ');
        subject_lines += in_subject;
    }
    fclose(fp);
    cr_expect_geq(subject_lines, 3, "folded into several encoded-words");
}
