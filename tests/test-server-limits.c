/*
 * What the server bounds for a client: the number of connections, the
 * time a slow client may take, and the memory one connection may use.
 * Each test starts its own server over the harness's store with tight
 * limits and talks raw TCP to it. Waiting is done with poll() on the
 * socket (an event, bounded), never with a sleep.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct th t;
static struct sb_server *tight;

static void setup(void)
{
    th_start(&t);
}

static void teardown(void)
{
    sb_server_stop(tight);
    tight = NULL;
    th_stop(&t);
}

TestSuite(limits, .init = setup, .fini = teardown);

static uint16_t start_tight(unsigned max_conn, unsigned timeout_s, size_t mem)
{
    struct sb_server_config cfg = { .host = "127.0.0.1",
                                    .store = t.store,
                                    .threads = 1,
                                    .max_connections = max_conn,
                                    .timeout_s = timeout_s,
                                    .conn_memory_limit = mem };
    cr_assert_eq(sb_server_start(&cfg, &tight), SB_OK, "%s", sb_err_last()->message);
    return sb_server_port(tight);
}

static int dial(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* Waits up to ms for the peer to close; returns true when it did (EOF or reset). */
static bool closed_within(int fd, int ms)
{
    char buf[4096];
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, ms);
        if (r <= 0)
            return false;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            return true;
    }
}

static void send_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        cr_assert_gt(w, 0);
        s += w;
        n -= (size_t)w;
    }
}

Test(limits, slow_clients_are_cut_off)
{
    uint16_t port = start_tight(16, 1, 0);
    int fd = dial(port);
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n", 32); /* never finishes */
    uint64_t t0 = sb_clock_ns();
    cr_expect(closed_within(fd, 10000), "the server kept a stalled client");
    uint64_t waited_ms = (sb_clock_ns() - t0) / 1000000;
    cr_expect_lt(waited_ms, 5000, "cut off after %llu ms", (unsigned long long)waited_ms);
    close(fd);
}

Test(limits, connections_beyond_the_limit_are_refused)
{
    uint16_t port = start_tight(2, 30, 0);
    int a = dial(port), b = dial(port);
    /* make sure both are accepted before the third arrives */
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(a, req, strlen(req));
    send_all(b, req, strlen(req));
    char buf[1024];
    struct pollfd p[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
    cr_assert_eq(poll(&p[0], 1, 5000), 1);
    cr_assert_gt(read(a, buf, sizeof(buf)), 0);
    cr_assert_eq(poll(&p[1], 1, 5000), 1);
    cr_assert_gt(read(b, buf, sizeof(buf)), 0);
    int c = dial(port);
    send(c, req, strlen(req), MSG_NOSIGNAL);
    /* over the limit the server does not accept: the third client waits in the backlog */
    struct pollfd pc = { .fd = c, .events = POLLIN };
    cr_expect_eq(poll(&pc, 1, 500), 0, "a third connection was served beside two others");
    close(a);
    /* once a slot frees up, the waiting client is served */
    cr_assert_eq(poll(&pc, 1, 5000), 1, "the waiting client was never served");
    ssize_t got = read(c, buf, sizeof(buf) - 1);
    cr_assert_gt(got, 12);
    cr_expect(strncmp(buf, "HTTP/1.1 200", 12) == 0);
    close(b);
    close(c);
}

Test(limits, huge_headers_do_not_exhaust_a_connection)
{
    uint16_t port = start_tight(16, 30, 16 * 1024);
    int fd = dial(port);
    size_t n = 64 * 1024;
    char *req = malloc(n + 128);
    int head = snprintf(req, 128, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + head, 'a', n);
    memcpy(req + head + n, "\r\n\r\n", 5);
    send(fd, req, (size_t)head + n + 4, MSG_NOSIGNAL);
    char buf[256] = "";
    struct pollfd p = { .fd = fd, .events = POLLIN };
    cr_assert_eq(poll(&p, 1, 5000), 1);
    ssize_t got = read(fd, buf, sizeof(buf) - 1);
    if (got > 0) {
        buf[got] = '\0';
        cr_expect(strncmp(buf, "HTTP/1.1 4", 10) == 0, "answered: %.40s", buf);
    }
    free(req);
    close(fd);
    /* the server still serves others */
    int ok = dial(port);
    const char *r = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(ok, r, strlen(r));
    cr_assert_eq(poll(&(struct pollfd){ .fd = ok, .events = POLLIN }, 1, 5000), 1);
    got = read(ok, buf, sizeof(buf) - 1);
    cr_assert_gt(got, 12);
    cr_expect(strncmp(buf, "HTTP/1.1 200", 12) == 0);
    close(ok);
}
