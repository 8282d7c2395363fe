/*
 * What the benchmarks share: their command line (--seconds, --clients), a
 * scratch directory, and small helpers for the load generators.
 */
#ifndef SB_BENCH_H
#define SB_BENCH_H

#include <stddef.h>

struct bench {
    const char *name;
    double seconds; /* per measurement */
    int clients;    /* load-generating threads, each with one keep-alive connection */
    char dir[64];   /* a scratch directory, removed by bench_end() */
};

/* Parses --seconds and --clients (defaults: 5 s, 32 clients), quietens the logs, starts
 * libsodium and libcurl and makes the scratch directory. Exits 2 on bad arguments. */
void bench_begin(struct bench *b, const char *name, int argc, char **argv);
void bench_end(struct bench *b);
/* Prints "name: what: <last error>" and exits 1. */
void bench_die(const struct bench *b, const char *what) __attribute__((noreturn));
/* A curl write callback that drops the body. */
size_t bench_discard(char *p, size_t size, size_t n, void *ud);

#endif
