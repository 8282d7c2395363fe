/*
 * What the benchmarks share: their command line (--seconds, --clients, and --db /
 * --ceiling-db for those that can run on another database than a scratch SQLite file), a
 * scratch directory, and small helpers for the load generators.
 */
#ifndef SB_BENCH_H
#define SB_BENCH_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench {
    const char *name;
    double seconds; /* per measurement */
    int clients;    /* load-generating threads, each with one keep-alive connection */
    char dir[64];   /* a scratch directory, removed by bench_end() */
    const char *db; /* --db URL: an empty database to run on instead of a scratch file, or NULL */
    const char *ceiling_db; /* --ceiling-db URL: another, for a second measurement, or NULL */
    int nodes;              /* --nodes N: stockbridge nodes on the database (default 1) */
};

/* Parses --seconds, --clients (defaults: 5 s, 32 clients), --db, --ceiling-db and --nodes, quietens the logs, starts
 * libsodium and libcurl and makes the scratch directory. Exits 2 on bad arguments. */
void bench_begin(struct bench *b, const char *name, int argc, char **argv);
void bench_end(struct bench *b);
/* Prints "name: what: <last error>" and exits 1. */
void bench_die(const struct bench *b, const char *what) __attribute__((noreturn));
/* Milliseconds on the monotonic clock, for timing one request or one step. */
double bench_now_ms(void);
/* Sorts n timings in place, smallest first, to read percentiles from. */
void bench_sort_ms(double *ms, size_t n);
/* A curl write callback that drops the body. */
size_t bench_discard(char *p, size_t size, size_t n, void *ud);

/*
 * A lean load generator, in the manner of wrk: `conns` keep-alive HTTP/1.1
 * connections to 127.0.0.1:port driven by one thread with epoll, each with
 * one request in flight, for `seconds`. It costs far less CPU per request
 * than libcurl, which matters when generator and server share two cores.
 * next() writes the next request (whole, with its headers) into buf and
 * returns its length. Every answer must be `want` (0: 200); latencies are
 * kept in microseconds (up to max_samples).
 */
struct bench_load {
    uint16_t port;
    /* when nports > 0: the connections are spread over these ports (several nodes) */
    uint16_t ports[8];
    int nports;
    int conns;
    double seconds;
    size_t (*next)(void *ud, char *buf, size_t cap);
    void *ud;
    uint32_t *samples;
    size_t max_samples;
    int want; /* the status of a good answer (0: 200) */
    /* results */
    uint64_t ok, bad;
    size_t nsamples;
    double elapsed; /* seconds */
};
void bench_run_load(struct bench_load *l);
/* The p-th percentile (0-100) of the load's latencies, in milliseconds (sorts them). */
double bench_percentile(struct bench_load *l, int p);

/* One keep-alive HTTP client of a benchmark's own requests: its curl handle and a bounded
 * answer buffer (cap bytes; an answer as long fails its transfer). */
struct bench_client {
    CURL *h;
    char *buf;
    size_t len, cap;
};
/* false when out of memory */
bool bench_client_init(struct bench_client *c, size_t cap);
void bench_client_free(struct bench_client *c);
/* The CURLOPT_WRITEFUNCTION that fills c->buf (CURLOPT_WRITEDATA: the client), NUL-ended. */
size_t bench_client_collect(char *p, size_t size, size_t n, void *ud);

#endif
