/*
 * Shared set-up and tear-down of the benchmarks.
 */
#include "bench.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secret.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bench_begin(struct bench *b, const char *name, int argc, char **argv)
{
    b->name = name;
    b->seconds = 5.0;
    b->clients = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0)
            b->seconds = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--clients") == 0)
            b->clients = (int)strtol(argv[i + 1], NULL, 10);
    }
    if (b->seconds <= 0 || b->clients <= 0) {
        fprintf(stderr, "usage: %s [--seconds N] [--clients N]\n", name);
        exit(2);
    }
    sb_log_set_level(SB_LOG_ERROR);
    if (sb_secret_init())
        bench_die(b, "libsodium");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(b->dir, sizeof(b->dir), "/tmp/sbbench-XXXXXX");
    if (!mkdtemp(b->dir))
        bench_die(b, "a scratch directory");
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
