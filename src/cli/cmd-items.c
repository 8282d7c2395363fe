/*
 * stockbridge items import FILE.csv [--currency CODE] [--db URL]: imports items from a CSV
 * file by the same rules as POST /api/v1/items/import (store/items.c), in
 * one transaction, with a progress bar when stderr is a terminal. Bad rows
 * are listed on stderr by line, and nothing is written.
 */
#include "cli/cli.h"
#include "store/items.h"
#include "util/progress.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file bigger than this is surely not a catalogue; refuse it rather than exhaust memory. */
#define IMPORT_FILE_MAX ((size_t)1 << 30)

static int usage(FILE *f)
{
    fprintf(f, "usage: stockbridge items import FILE.csv [--currency CODE] [--db URL]\n\n"
               "Imports items from a CSV file with a header row. Columns, in any order and\n"
               "case: sku (required), name, upc, ean, manufacturer_sku, description,\n"
               "default_cost, msrp (decimal money, e.g. 12.50), tax_class, track_stock,\n"
               "active (true/false/yes/no/1/0), and price:<Level Name> per price level.\n"
               "A row whose SKU exists updates that item (non-empty cells only); other rows\n"
               "create items. If any row is bad, nothing is imported and every bad row is\n"
               "listed by line. Amounts are in the currency of the outlets (--currency\n"
               "CODE when they have several), with its decimals: 1500 for JPY, 15.00 for\n"
               "USD, 1.500 for KWD.\n");
    return f == stdout ? 0 : 2;
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "stockbridge items import: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 1 << 16;
            char *nb = ncap <= IMPORT_FILE_MAX + 1 ? realloc(buf, ncap) : NULL;
            if (!nb) {
                fprintf(stderr, "stockbridge items import: %s: too large\n", path);
                free(buf);
                fclose(f);
                return 1;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "stockbridge items import: %s: read error\n", path);
        free(buf);
        return 1;
    }
    *ret = buf;
    *ret_len = len;
    return 0;
}

static void on_progress(void *ud, size_t done, size_t total)
{
    (void)total;
    sb_progress_update(ud, done);
}

static void print_details(json_t *details)
{
    size_t i;
    json_t *d;
    json_array_foreach(details, i, d)
    {
        const char *field = json_string_value(json_object_get(d, "field"));
        fprintf(stderr, "  line %lld: %s%s%s\n",
                (long long)json_integer_value(json_object_get(d, "line")), field ? field : "",
                field ? ": " : "", json_string_value(json_object_get(d, "message")));
    }
}

static int import(const char *path, const char *db_url, const char *currency)
{
    char *data;
    size_t len;
    if (read_file(path, &data, &len))
        return 1;
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db_url), &store)) {
        free(data);
        return 1;
    }
    struct sb_progress bar;
    sb_progress_start(&bar, "importing", len);
    struct sb_item_import io = { .currency = currency,
                                 .progress = on_progress,
                                 .progress_ud = &bar };
    struct sb_db *conn;
    sb_err err = sb_store_acquire(store, &conn);
    if (!err) {
        err = sb_store_items_import(conn, data, len, &io);
        sb_store_release(store, conn);
    }
    if (!err)
        sb_progress_finish(&bar);
    sb_store_close(store);
    free(data);
    if (err) {
        int rc = sb_cli_fail("items import", err);
        if (io.details && err != SB_EINVALID_CSV)
            print_details(io.details);
        json_decref(io.details);
        return rc;
    }
    json_decref(io.details);
    printf("imported %lld items (%lld created, %lld updated)\n",
           (long long)(io.created + io.updated), (long long)io.created, (long long)io.updated);
    return 0;
}

int cmd_items(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(argc < 2 ? stderr : stdout);
    if (strcmp(argv[1], "import") != 0) {
        fprintf(stderr, "stockbridge items: unknown action '%s'\n", argv[1]);
        return usage(stderr);
    }
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "currency", required_argument, NULL, 'c' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL, *currency = NULL;
    int c;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'c')
            currency = optarg;
        else if (c == 'h')
            return usage(stdout);
        else
            return usage(stderr);
    }
    if (optind != argc - 1)
        return usage(stderr);
    return import(argv[optind], db, currency);
}
