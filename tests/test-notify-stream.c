/*
 * The bell's live feed, GET /api/v1/notifications/stream (issue 16 item 8; SPEC N1, N2):
 * Server-Sent Events over a plain socket, the real server and pipeline, orders sent as
 * signed Shopify webhooks. Every read blocks on the socket with a timeout (poll), never a
 * sleep: an event must arrive because the commit woke the stream.
 *
 * Heartbeats are every 300 ms here (STOCKBRIDGE_STREAM_HEARTBEAT_MS), so "nothing for this
 * user" is observable: the next thing on the stream is a heartbeat, not an event. The node
 * takes 100 streams at most (STOCKBRIDGE_STREAM_LIMIT).
 */
#include "harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake;

static void setup(void)
{
    setenv("STOCKBRIDGE_STREAM_HEARTBEAT_MS", "300", 1);
    setenv("STOCKBRIDGE_STREAM_LIMIT", "100", 1);
    th_shop_start(&t, &f, &fake);
}

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t); /* with streams still open in some tests: stopping must not wait on them */
}

TestSuite(notify_stream, .init = setup, .fini = teardown, .timeout = 120);

struct stream {
    int fd;
    long status;
    char buf[65536];
    size_t len; /* bytes read so far (the head removed) */
    size_t pos; /* what next_message has consumed */
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads more into s->buf, waiting at most until the deadline; false on timeout or EOF. */
static bool read_more(struct stream *s, uint64_t deadline)
{
    uint64_t now = now_ms();
    if (now >= deadline)
        return false;
    struct pollfd p = { .fd = s->fd, .events = POLLIN };
    if (poll(&p, 1, (int)(deadline - now)) <= 0)
        return false;
    cr_assert_lt(s->len + 1, sizeof(s->buf), "stream buffer full");
    ssize_t n = recv(s->fd, s->buf + s->len, sizeof(s->buf) - s->len - 1, 0);
    if (n <= 0)
        return false;
    s->len += (size_t)n;
    s->buf[s->len] = '\0';
    return true;
}

/* Opens a stream (HTTP/1.0, so the body comes unchunked) with a bearer token and an optional
 * Last-Event-ID; reads the head and sets s->status. */
static void open_stream(struct stream *s, uint16_t port, const char *token, const char *last_id)
{
    memset(s, 0, sizeof(*s));
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(s->fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    char req[512];
    int n =
        snprintf(req, sizeof(req),
                 "GET /api/v1/notifications/stream HTTP/1.0\r\nHost: localhost\r\n"
                 "Accept: text/event-stream\r\n%s%s%s%s%s%s\r\n",
                 token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "",
                 last_id ? "Last-Event-ID: " : "", last_id ? last_id : "", last_id ? "\r\n" : "");
    cr_assert_eq(send(s->fd, req, (size_t)n, 0), n);
    uint64_t deadline = now_ms() + 10000;
    char *end;
    while (!(end = strstr(s->buf, "\r\n\r\n")))
        cr_assert(read_more(s, deadline), "no response head");
    cr_assert_eq(sscanf(s->buf, "HTTP/1.%*d %ld", &s->status), 1);
    size_t head = (size_t)(end + 4 - s->buf);
    if (s->status == 200)
        cr_assert(strstr(s->buf, "Content-Type: text/event-stream") != NULL, "%s", s->buf);
    memmove(s->buf, s->buf + head, s->len - head + 1);
    s->len -= head;
}

static void close_stream(struct stream *s)
{
    if (s->fd > 0)
        close(s->fd);
    s->fd = -1;
}

/* The next whole message (text up to a blank line), copied into out; false on timeout. */
static bool next_message(struct stream *s, char *out, size_t cap, int timeout_ms)
{
    uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    char *end;
    while (!(end = strstr(s->buf + s->pos, "\n\n")))
        if (!read_more(s, deadline))
            return false;
    size_t n = (size_t)(end - (s->buf + s->pos));
    cr_assert_lt(n, cap);
    memcpy(out, s->buf + s->pos, n);
    out[n] = '\0';
    s->pos += n + 2;
    return true;
}

/* The next notification event's data (caller decrefs), skipping heartbeats and comments;
 * NULL when none comes within timeout_ms. Checks the id: line equals the record's id. */
static json_t *next_event(struct stream *s, int timeout_ms)
{
    char msg[8192];
    uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    while (now_ms() < deadline) {
        if (!next_message(s, msg, sizeof(msg), (int)(deadline - now_ms())))
            return NULL;
        if (strncmp(msg, "id: ", 4) != 0)
            continue; /* "retry:", ": stream open", ": heartbeat" */
        long long id = strtoll(msg + 4, NULL, 10);
        cr_assert(strstr(msg, "\nevent: notification\ndata: ") != NULL, "%s", msg);
        json_t *data = json_loads(strstr(msg, "data: ") + 6, 0, NULL);
        cr_assert_not_null(data, "%s", msg);
        cr_assert_eq(th_int(data, "id"), id);
        return data;
    }
    return NULL;
}

/* Reads messages until `beats` heartbeats have come, and asserts no event came first. */
static void expect_quiet(struct stream *s, int beats, const char *why)
{
    char msg[8192];
    for (int seen = 0; seen < beats;) {
        cr_assert(next_message(s, msg, sizeof(msg), 5000), "%s: the stream went silent", why);
        cr_assert(strncmp(msg, "id: ", 4) != 0, "%s: got %s", why, msg);
        if (strcmp(msg, ": heartbeat") == 0)
            seen++;
    }
}

/* One order as the shop's orders/create webhook, straight to the in-process server
 * (applied in the request, so the notification is committed when this returns). */
static void order(int n)
{
    char body[1200], event[32];
    th_shopify_order_json(body, sizeof(body), 5000 + n, "stream@example.com", 0, true);
    snprintf(event, sizeof(event), "stream-%d", n);
    cr_assert_eq(
        th_shopify_hook(t.port, "/webhooks/1", TH_SHOP_SECRET, "orders/create", event, body), 200);
}

Test(notify_stream, n1_a_new_order_reaches_an_open_stream_at_once)
{
    struct stream s;
    open_stream(&s, t.port, f.staff1, NULL);
    cr_assert_eq(s.status, 200);
    char msg[256];
    cr_assert(next_message(&s, msg, sizeof(msg), 5000));
    cr_expect_str_eq(msg, "retry: 3000\n: stream open", "the stream opens with its retry delay");
    order(1);
    json_t *ev = next_event(&s, 5000);
    cr_assert_not_null(ev, "N1: no event for the new order");
    cr_expect_str_eq(th_str(ev, "kind"), "order.new");
    cr_expect_eq(th_int(ev, "outlet_id"), f.outlet1);
    cr_expect_gt(th_int(ev, "fulfillment_id"), 0, "N1: linked to its fulfillment");
    cr_expect(json_is_false(json_object_get(ev, "read")));
    /* the same record as the list route gives */
    json_t *page = th_get(&t, f.staff1, "/api/v1/notifications");
    cr_expect(json_equal(json_array_get(json_object_get(page, "data"), 0), ev),
              "the event is the list's record");
    json_decref(page);
    json_decref(ev);
    close_stream(&s);
}

Test(notify_stream, n2_a_user_of_another_outlet_gets_nothing)
{
    struct stream s1, s2, sm;
    open_stream(&s1, t.port, f.staff1, NULL);
    open_stream(&s2, t.port, f.staff2, NULL);
    open_stream(&sm, t.port, f.manager, NULL);
    cr_assert_eq(s1.status, 200);
    cr_assert_eq(s2.status, 200);
    cr_assert_eq(sm.status, 200);
    order(2); /* outlet 1 */
    json_t *e1 = next_event(&s1, 5000), *em = next_event(&sm, 5000);
    cr_assert_not_null(e1, "staff of outlet 1");
    cr_assert_not_null(em, "a manager of both outlets");
    cr_expect_eq(th_int(e1, "id"), th_int(em, "id"));
    /* the commit woke every stream; staff2's looked and found nothing it may see */
    expect_quiet(&s2, 2, "N2: outlet 2's staff");
    json_decref(e1);
    json_decref(em);
    close_stream(&s1);
    close_stream(&s2);
    close_stream(&sm);
}

Test(notify_stream, last_event_id_resumes_after_the_last_event_seen)
{
    order(3);
    order(4);
    json_t *page = th_get(&t, f.staff1, "/api/v1/notifications");
    json_t *data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 2);
    int64_t newer = th_int(json_array_get(data, 0), "id");
    int64_t older = th_int(json_array_get(data, 1), "id");
    json_decref(page);
    char last[24];
    snprintf(last, sizeof(last), "%lld", (long long)older);
    struct stream s;
    open_stream(&s, t.port, f.staff1, last);
    cr_assert_eq(s.status, 200);
    json_t *ev = next_event(&s, 5000);
    cr_assert_not_null(ev, "what came after Last-Event-ID, at once");
    cr_expect_eq(th_int(ev, "id"), newer);
    json_decref(ev);
    expect_quiet(&s, 1, "nothing after the newest");
    close_stream(&s);

    open_stream(&s, t.port, f.staff1, "0");
    json_t *a = next_event(&s, 5000), *b = next_event(&s, 5000);
    cr_assert(a && b);
    cr_expect_eq(th_int(a, "id"), older, "oldest first");
    cr_expect_eq(th_int(b, "id"), newer);
    json_decref(a);
    json_decref(b);
    close_stream(&s);

    /* without it: from now on, nothing from before */
    open_stream(&s, t.port, f.staff1, NULL);
    expect_quiet(&s, 1, "a new stream without Last-Event-ID");
    close_stream(&s);

    open_stream(&s, t.port, f.staff1, "1x");
    cr_expect_eq(s.status, 400);
    cr_expect(strstr(s.buf, "\"invalid_query\"") && strstr(s.buf, "Last-Event-ID"), "%s", s.buf);
    close_stream(&s);
}

Test(notify_stream, sec2_the_stream_needs_a_staff_user)
{
    struct stream s;
    open_stream(&s, t.port, NULL, NULL);
    cr_expect_eq(s.status, 401);
    close_stream(&s);
    open_stream(&s, t.port, "sbk_not_a_token", NULL);
    cr_expect_eq(s.status, 401);
    close_stream(&s);
}

#define MANY 100

Test(notify_stream, a_node_holds_100_streams_and_refuses_the_next)
{
    static struct stream s[MANY + 1];
    for (int i = 0; i < MANY; i++) {
        open_stream(&s[i], t.port, i % 2 ? f.staff1 : f.manager, NULL);
        cr_assert_eq(s[i].status, 200, "stream %d", i);
    }
    open_stream(&s[MANY], t.port, f.staff1, NULL);
    cr_expect_eq(s[MANY].status, 503, "beyond the limit");
    cr_expect(strstr(s[MANY].buf, "\"too_many_streams\"") != NULL, "%s", s[MANY].buf);
    close_stream(&s[MANY]);
    /* ordinary requests still get through, promptly */
    uint64_t t0 = now_ms();
    json_t *page = th_get(&t, f.staff1, "/api/v1/notifications");
    uint64_t list_ms = now_ms() - t0;
    json_decref(page);
    /* one order reaches all of them */
    t0 = now_ms();
    order(5);
    for (int i = 0; i < MANY; i++) {
        json_t *ev = next_event(&s[i], 10000);
        cr_assert_not_null(ev, "stream %d got no event", i);
        json_decref(ev);
    }
    printf("figure: %d open streams; a list request beside them took %llu ms; one order's"
           " event reached all %d in %llu ms (webhook included)\n",
           MANY, (unsigned long long)list_ms, MANY, (unsigned long long)(now_ms() - t0));
    /* a closed stream gives its place back once the server writes to it (its next
     * heartbeat, 300 ms): bounded retries, each answered at once */
    close_stream(&s[0]);
    long status = 0;
    for (uint64_t until = now_ms() + 5000; now_ms() < until;) {
        open_stream(&s[MANY], t.port, f.staff1, NULL);
        status = s[MANY].status;
        if (status == 200)
            break;
        close_stream(&s[MANY]);
        (void)poll(NULL, 0, 50); /* between attempts: the place frees at a heartbeat */
    }
    cr_expect_eq(status, 200, "the closed stream's place was given back");
    /* the rest stay open: teardown stops the server under them (it must not hang) */
}

Test(notify_stream, sec2_a_revoked_token_ends_its_stream_at_the_next_heartbeat)
{
    static const int64_t outlets[] = { 1, 0 };
    char token[SB_TOKEN_LEN];
    th_user(&t, "leaver", "staff", outlets, token);
    struct stream s;
    open_stream(&s, t.port, token, NULL);
    cr_assert_eq(s.status, 200);
    int64_t id = th_sql_int(&t, "SELECT k.id FROM api_tokens k JOIN users u ON u.id = k.user_id"
                                " WHERE u.username = 'leaver'");
    char path[80];
    snprintf(path, sizeof(path), "/api/v1/tokens/%lld/revoke", (long long)id);
    struct th_resp r = th_req(&t, "POST", path, t.admin, NULL);
    cr_assert_eq(r.status / 100, 2, "%s", r.body);
    th_resp_free(&r);
    order(8); /* nothing more for a revoked token: the stream ends instead */
    char msg[8192];
    while (next_message(&s, msg, sizeof(msg), 5000))
        cr_assert(strncmp(msg, "id: ", 4) != 0 || strstr(msg, "order.new") == NULL ||
                      strstr(msg, "#5008") == NULL,
                  "an event after the revocation: %s", msg);
    cr_expect_eq(recv(s.fd, msg, sizeof(msg), MSG_DONTWAIT), 0, "closed by the server");
    close_stream(&s);
}

Test(notify_stream, n1_an_order_taken_by_another_node_reaches_this_nodes_streams)
{
    /* a second node, `stockbridge serve` of its own on the same database */
    struct th_node other;
    th_node_start(&other, t.db_url, NULL);
    struct stream s;
    open_stream(&s, (uint16_t)other.port, f.staff1, NULL);
    cr_assert_eq(s.status, 200);
    order(6); /* to this process's node */
    json_t *ev = next_event(&s, 5000);
    cr_assert_not_null(ev, "the other node found it in the table");
    cr_expect_str_eq(th_str(ev, "kind"), "order.new");
    json_decref(ev);
    /* the other node stops cleanly with the stream open: the stream ends, nothing hangs */
    th_node_stop(&other, SIGTERM);
    char msg[256];
    while (next_message(&s, msg, sizeof(msg), 5000))
        ;
    cr_expect_eq(recv(s.fd, msg, sizeof(msg), MSG_DONTWAIT), 0, "closed by the server");
    close_stream(&s);
}
