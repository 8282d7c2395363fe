/*
 * Shared set-up and tear-down of the benchmarks.
 */
#include "bench.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secret.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void bench_begin(struct bench *b, const char *name, int argc, char **argv)
{
    b->name = name;
    b->seconds = 5.0;
    b->clients = 32;
    b->nodes = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0)
            b->seconds = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--clients") == 0)
            b->clients = (int)strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--db") == 0)
            b->db = argv[i + 1];
        else if (strcmp(argv[i], "--ceiling-db") == 0)
            b->ceiling_db = argv[i + 1];
        else if (strcmp(argv[i], "--nodes") == 0)
            b->nodes = (int)strtol(argv[i + 1], NULL, 10);
    }
    if (b->seconds <= 0 || b->clients <= 0 || b->nodes < 1 || b->nodes > 8) {
        fprintf(stderr,
                "usage: %s [--seconds N] [--clients N] [--db URL [--ceiling-db URL]] "
                "[--nodes 1-8]\n",
                name);
        exit(2);
    }
    sb_log_set_level(SB_LOG_ERROR);
    if (sb_secret_init())
        bench_die(b, "libsodium");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(b->dir, sizeof(b->dir), "/tmp/sbbench-XXXXXX");
    if (!mkdtemp(b->dir))
        bench_die(b, "a scratch directory");
    if (b->db && !getenv("STOCKBRIDGE_KEY_FILE")) { /* a database URL names no file beside */
        char key[96];
        snprintf(key, sizeof(key), "%s/bench.key", b->dir);
        setenv("STOCKBRIDGE_KEY_FILE", key, 1);
    }
}

void bench_end(struct bench *b)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", b->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "%s: could not remove %s\n", b->name, b->dir);
    curl_global_cleanup();
}

void bench_die(const struct bench *b, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", b->name, what, sb_err_last()->message);
    exit(1);
}

size_t bench_discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* ---- the load generator ---- */

struct conn {
    int fd;
    char req[32768]; /* bench-export: a batch of 20 orders */
    size_t req_len, sent;
    char resp[16384];
    size_t got;
    uint64_t started;
};

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS) {
        perror("connect");
        exit(1);
    }
    return fd;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void start_request(struct bench_load *l, struct conn *c)
{
    c->req_len = l->next(l->ud, c->req, sizeof(c->req));
    c->sent = 0;
    c->got = 0;
    c->started = now_us();
}

/* Sends what is left of the request; false when the connection failed. */
static bool send_more(struct conn *c)
{
    while (c->sent < c->req_len) {
        ssize_t n = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR;
        c->sent += (size_t)n;
    }
    return true;
}

/* 1: a whole answer is in, 0: not yet, -1: the connection failed or the answer is bad. */
static int read_answer(struct conn *c, int *status)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->resp + c->got, sizeof(c->resp) - 1 - c->got, 0);
        if (n == 0)
            return -1;
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        c->got += (size_t)n;
        c->resp[c->got] = '\0';
        char *end = strstr(c->resp, "\r\n\r\n");
        if (!end) {
            if (c->got >= sizeof(c->resp) - 1)
                return -1;
            continue;
        }
        size_t len = 0;
        char *cl = strcasestr(c->resp, "\r\ncontent-length:");
        if (cl && cl < end)
            len = strtoul(cl + 17, NULL, 10);
        size_t whole = (size_t)(end - c->resp) + 4 + len;
        if (whole >= sizeof(c->resp))
            return -1;
        if (c->got < whole)
            continue;
        if (c->got > whole) /* one request in flight: nothing may follow */
            return -1;
        *status = (int)strtol(c->resp + 9, NULL, 10);
        return 1;
    }
}

void bench_run_load(struct bench_load *l)
{
    int ep = epoll_create1(0);
    struct conn *cs = calloc((size_t)l->conns, sizeof(*cs));
    if (ep < 0 || !cs) {
        perror("bench_run_load");
        exit(1);
    }
    l->ok = l->bad = 0;
    l->nsamples = 0;
    uint64_t t0 = now_us(), limit = (uint64_t)(l->seconds * 1e6);
    for (int i = 0; i < l->conns; i++) {
        cs[i].fd = connect_to(l->nports > 0 ? l->ports[i % l->nports] : l->port);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = &cs[i] };
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
        start_request(l, &cs[i]);
    }
    struct epoll_event evs[256];
    int open = l->conns;
    bool stopping = false;
    while (open > 0) {
        int n = epoll_wait(ep, evs, 256, 1000);
        stopping = stopping || now_us() - t0 >= limit;
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->fd < 0)
                continue;
            if (!send_more(c)) {
                fprintf(stderr, "bench: a connection failed while sending\n");
                exit(1);
            }
            for (;;) {
                int status = 0, r = c->sent == c->req_len ? read_answer(c, &status) : 0;
                if (r < 0) {
                    fprintf(stderr, "bench: a connection failed or answered badly\n");
                    exit(1);
                }
                if (r == 0)
                    break;
                uint64_t us = now_us() - c->started;
                if (status == (l->want ? l->want : 200)) {
                    l->ok++;
                    if (l->nsamples < l->max_samples)
                        l->samples[l->nsamples++] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
                } else {
                    l->bad++;
                }
                if (stopping) {
                    close(c->fd);
                    c->fd = -1;
                    open--;
                    break;
                }
                start_request(l, c);
                if (!send_more(c)) {
                    fprintf(stderr, "bench: a connection failed while sending\n");
                    exit(1);
                }
            }
        }
        if (n == 0 && stopping) /* answers that never come: give up on them */
            break;
    }
    l->elapsed = (double)(now_us() - t0) / 1e6;
    for (int i = 0; i < l->conns; i++)
        if (cs[i].fd >= 0)
            close(cs[i].fd);
    free(cs);
    close(ep);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

double bench_percentile(struct bench_load *l, int p)
{
    if (!l->nsamples)
        return 0;
    qsort(l->samples, l->nsamples, sizeof(*l->samples), cmp_u32);
    size_t i = l->nsamples * (size_t)p / 100;
    if (i >= l->nsamples)
        i = l->nsamples - 1;
    return l->samples[i] / 1000.0;
}

/* ---------------------------------------------------------------- one keep-alive client */

bool bench_client_init(struct bench_client *c, size_t cap)
{
    c->h = curl_easy_init();
    c->buf = malloc(cap);
    c->len = 0;
    c->cap = cap;
    return c->h && c->buf;
}

void bench_client_free(struct bench_client *c)
{
    curl_easy_cleanup(c->h);
    free(c->buf);
}

size_t bench_client_collect(char *p, size_t size, size_t n, void *ud)
{
    struct bench_client *c = ud;
    size_t k = size * n;
    if (c->len + k >= c->cap)
        return 0; /* a bounded answer: curl fails the transfer */
    memcpy(c->buf + c->len, p, k);
    c->len += k;
    c->buf[c->len] = '\0';
    return k;
}

double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void bench_sort_ms(double *ms, size_t n)
{
    qsort(ms, n, sizeof(*ms), cmp_double);
}
