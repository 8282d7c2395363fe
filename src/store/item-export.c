/*
 * The items as a CSV file (GET /api/v1/items/export, issue 16 item 1), in
 * the columns the import reads, so that a file exported, edited and
 * imported again changes only what was edited; each outlet's on hand
 * follows in columns the import ignores. One statement reads every item
 * with a subquery per price level and outlet (each a primary-key lookup),
 * so the file costs one pass over the items whatever their number.
 */
#include "core/money.h"
#include "store/items.h"
#include "store/price-levels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct outlet_ref {
    int64_t id;
    char *name;
};

/* A cell, quoted when it holds a comma, a quote, a line break or spaces at either end
 * (which the import would trim). */
static void cell(FILE *f, const char *v, bool first)
{
    if (!first)
        fputc(',', f);
    if (!v)
        return;
    size_t n = strlen(v);
    bool quote = strpbrk(v, ",\"\r\n") != NULL ||
                 (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'));
    if (!quote) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

static void money_cell(FILE *f, int64_t minor, int exponent)
{
    char buf[48];
    sb_money_format(minor, exponent, buf, sizeof(buf));
    cell(f, buf, false);
}

static sb_err load_outlets(struct sb_db *db, const struct sb_scope *scope, struct outlet_ref **ret,
                           size_t *ret_n)
{
    struct sb_q q;
    sb_err err = sb_q_open(
        &q, db, "SELECT id, name FROM outlets o WHERE " SB_SQL_SCOPE("o.id") " ORDER BY id", "bi",
        scope->all_outlets, scope->user_id);
    if (err)
        return err;
    struct outlet_ref *v = NULL;
    size_t n = 0;
    while (sb_q_next(&q)) {
        struct outlet_ref *grown = realloc(v, (n + 1) * sizeof(*v));
        char *name = strdup(sb_q_text(&q, 1) ? sb_q_text(&q, 1) : "");
        if (!grown || !name) {
            free(name);
            if (grown)
                v = grown;
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        v = grown;
        v[n].id = sb_q_int(&q, 0);
        v[n++].name = name;
    }
    err = sb_q_close(&q);
    *ret = v;
    *ret_n = n;
    return err;
}

static void free_outlets(struct outlet_ref *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].name);
    free(v);
}

static void header(FILE *f, const struct sb_price_level_ref *levels, size_t n_levels,
                   const struct outlet_ref *outlets, size_t n_outlets)
{
    fputs("sku,name,upc,ean,manufacturer_sku,description,default_cost,msrp,tax_class,"
          "track_stock,active",
          f);
    char name[160];
    for (size_t i = 0; i < n_levels; i++) {
        snprintf(name, sizeof(name), "price:%s", levels[i].name);
        cell(f, name, false);
    }
    for (size_t i = 0; i < n_outlets; i++) {
        snprintf(name, sizeof(name), "on_hand:%s", outlets[i].name);
        cell(f, name, false);
    }
    fputs("\r\n", f);
}

/* The statement: the item's columns, then a price per level and on hand per outlet. */
static char *statement(size_t n_levels, size_t n_outlets)
{
    static const char head[] =
        "SELECT i.sku, i.name, i.upc, i.ean, i.manufacturer_sku, i.description,"
        " i.default_cost, i.msrp, i.tax_class, i.track_stock, i.active";
    static const char price[] =
        ", (SELECT p.amount FROM item_prices p WHERE p.item_id = i.id AND p.price_level_id = ?)";
    static const char stock[] =
        ", (SELECT s.on_hand FROM stock s WHERE s.item_id = i.id AND s.outlet_id = ?)";
    static const char tail[] = " FROM items i ORDER BY i.id";
    size_t cap = sizeof(head) + n_levels * sizeof(price) + n_outlets * sizeof(stock) + sizeof(tail);
    char *sql = malloc(cap);
    if (!sql)
        return NULL;
    size_t at = 0;
    memcpy(sql, head, sizeof(head) - 1);
    at += sizeof(head) - 1;
    for (size_t i = 0; i < n_levels; i++, at += sizeof(price) - 1)
        memcpy(sql + at, price, sizeof(price) - 1);
    for (size_t i = 0; i < n_outlets; i++, at += sizeof(stock) - 1)
        memcpy(sql + at, stock, sizeof(stock) - 1);
    memcpy(sql + at, tail, sizeof(tail));
    return sql;
}

static sb_err rows(struct sb_db *db, FILE *f, int exponent, const struct sb_price_level_ref *levels,
                   size_t n_levels, const struct outlet_ref *outlets, size_t n_outlets)
{
    char *sql = statement(n_levels, n_outlets);
    struct sb_db_arg *args = calloc(n_levels + n_outlets + 1, sizeof(*args));
    sb_err err = SB_OK;
    if (!sql || !args)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < n_levels; i++)
        args[i] = (struct sb_db_arg){ .kind = 'i', .i = levels[i].id };
    for (size_t i = 0; !err && i < n_outlets; i++)
        args[n_levels + i] = (struct sb_db_arg){ .kind = 'i', .i = outlets[i].id };
    struct sb_q q;
    if (!err)
        err = sb_q_open_args(&q, db, sql, args, n_levels + n_outlets);
    if (!err) {
        while (sb_q_next(&q)) {
            for (int c = 0; c < 6; c++)
                cell(f, sb_q_text(&q, c), c == 0);
            money_cell(f, sb_q_int(&q, 6), exponent);
            money_cell(f, sb_q_int(&q, 7), exponent);
            cell(f, sb_q_text(&q, 8), false);
            cell(f, sb_q_int(&q, 9) ? "true" : "false", false);
            cell(f, sb_q_int(&q, 10) ? "true" : "false", false);
            int c = 11;
            for (size_t i = 0; i < n_levels; i++, c++) {
                if (sb_q_null(&q, c))
                    cell(f, NULL, false);
                else
                    money_cell(f, sb_q_int(&q, c), exponent);
            }
            for (size_t i = 0; i < n_outlets; i++, c++) {
                char qty[24];
                snprintf(qty, sizeof(qty), "%lld", (long long)sb_q_int(&q, c));
                cell(f, qty, false);
            }
            fputs("\r\n", f);
        }
        err = sb_q_close(&q);
    }
    free(sql);
    free(args);
    return err;
}

sb_err sb_store_items_export(struct sb_db *db, const struct sb_scope *scope, const char *currency,
                             char **ret_csv, size_t *ret_len)
{
    int exponent = 2;
    struct sb_price_level_ref *levels = NULL;
    size_t n_levels = 0, n_outlets = 0;
    struct outlet_ref *outlets = NULL;
    sb_err err = sb_store_items_exponent(db, currency, &exponent);
    if (!err)
        err = sb_store_price_levels_load(db, &levels, &n_levels);
    if (!err)
        err = load_outlets(db, scope, &outlets, &n_outlets);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = NULL;
    if (!err && !(f = open_memstream(&buf, &len)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err) {
        header(f, levels, n_levels, outlets, n_outlets);
        err = rows(db, f, exponent, levels, n_levels, outlets, n_outlets);
    }
    if (f && fclose(f) != 0 && !err)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    sb_store_price_levels_free(levels, n_levels);
    free_outlets(outlets, n_outlets);
    if (err) {
        free(buf);
        return err;
    }
    *ret_csv = buf;
    *ret_len = len;
    return SB_OK;
}
