/*
 * Item records, their prices, and the CSV import.
 *
 * An update binds (is-set, value) pairs so that one cached statement serves
 * every combination of fields, which matters for the import: 50,000 rows
 * run the same few statements over and over inside one transaction.
 */
#include "store/items.h"
#include "core/currency.h"
#include "store/catalogue.h"
#include "store/price-levels.h"
#include "store/sqlbuild.h"
#include "store/stock-queue.h"
#include "util/csv.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS                                                                                 \
    "id, sku, upc, ean, manufacturer_sku, name, description, default_cost, msrp, tax_class," \
    " track_stock, active, created_at, updated_at"

static sb_err sku_taken(sb_err err, const char *sku)
{
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "sku", "an item with SKU %.80s exists", sku ? sku : "");
    return err;
}

static sb_err item_insert(struct sb_db *db, const struct sb_item *it, const char *now,
                          int64_t *ret_id)
{
    sb_err err = sb_db_int(
        db, ret_id,
        "INSERT INTO items (sku, upc, ean, manufacturer_sku, name, description, default_cost,"
        " msrp, tax_class, track_stock, active, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "ssssssiisbbss", it->sku.v, it->upc.v, it->ean.v, it->manufacturer_sku.v, it->name.v,
        it->description.v, it->default_cost_set ? it->default_cost : 0, it->msrp_set ? it->msrp : 0,
        it->tax_class.set && it->tax_class.v ? it->tax_class.v : "standard",
        it->track_stock_set ? it->track_stock : true, it->active_set ? it->active : true, now, now);
    if (!err)
        err = sb_store_catalogue_touch(db, *ret_id); /* E7: a new item is a change */
    return sku_taken(err, it->sku.v);
}

static sb_err item_update(struct sb_db *db, int64_t id, const struct sb_item *it, const char *now)
{
    int64_t got;
    sb_err err = sb_db_int(db, &got,
                           "UPDATE items SET"
                           " sku = CASE WHEN ? THEN ? ELSE sku END,"
                           " upc = CASE WHEN ? THEN ? ELSE upc END,"
                           " ean = CASE WHEN ? THEN ? ELSE ean END,"
                           " manufacturer_sku = CASE WHEN ? THEN ? ELSE manufacturer_sku END,"
                           " name = CASE WHEN ? THEN ? ELSE name END,"
                           " description = CASE WHEN ? THEN ? ELSE description END,"
                           " default_cost = CASE WHEN ? THEN ? ELSE default_cost END,"
                           " msrp = CASE WHEN ? THEN ? ELSE msrp END,"
                           " tax_class = CASE WHEN ? THEN ? ELSE tax_class END,"
                           " track_stock = CASE WHEN ? THEN ? ELSE track_stock END,"
                           " active = CASE WHEN ? THEN ? ELSE active END,"
                           " updated_at = ? WHERE id = ? RETURNING id",
                           "bsbsbsbsbsbsbibibsbbbbsi", it->sku.set, it->sku.v, it->upc.set,
                           it->upc.v, it->ean.set, it->ean.v, it->manufacturer_sku.set,
                           it->manufacturer_sku.v, it->name.set, it->name.v, it->description.set,
                           it->description.v, it->default_cost_set, it->default_cost, it->msrp_set,
                           it->msrp, it->tax_class.set, it->tax_class.v, it->track_stock_set,
                           it->track_stock, it->active_set, it->active, now, id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no item %lld", (long long)id);
    if (err)
        return sku_taken(err, it->sku.v);
    /* the SKU may have changed: the channels find the item again (I8) */
    return sb_store_queue_item_change(db, id);
}

static sb_err price_upsert(struct sb_db *db, int64_t item_id, const struct sb_item_price *p)
{
    sb_err err =
        sb_db_exec(db,
                   "INSERT INTO item_prices (item_id, price_level_id, amount) VALUES (?, ?, ?)"
                   " ON CONFLICT (item_id, price_level_id) DO UPDATE SET amount = excluded.amount",
                   "iii", item_id, p->price_level_id, p->amount);
    return err ? err : sb_store_queue_price_change(db, item_id); /* PR4 */
}

/* The whole price list, after checking each level exists (to name the bad one). */
static sb_err prices_replace(struct sb_db *db, int64_t item_id, const struct sb_item *it)
{
    for (size_t i = 0; i < it->n_prices; i++) {
        int64_t one;
        sb_err err = sb_db_int(db, &one, "SELECT 1 FROM price_levels WHERE id = ?", "i",
                               it->prices[i].price_level_id);
        if (err == SB_ENOT_FOUND) {
            char field[48];
            snprintf(field, sizeof(field), "prices[%zu].price_level_id", i);
            return sb_fail(SB_EUNKNOWN_REFERENCE, field, "no price level %lld",
                           (long long)it->prices[i].price_level_id);
        }
        if (err)
            return err;
    }
    sb_err err = sb_db_exec(db, "DELETE FROM item_prices WHERE item_id = ?", "i", item_id);
    for (size_t i = 0; !err && i < it->n_prices; i++)
        err = price_upsert(db, item_id, &it->prices[i]);
    return err;
}

sb_err sb_store_item_create(struct sb_db *db, const struct sb_item *it, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t id = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = item_insert(db, it, now, &id);
    if (!err && it->prices_set)
        err = prices_replace(db, id, it);
    err = sb_db_end(db, err);
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_store_item_count(struct sb_db *db, int64_t *ret)
{
    return sb_db_int(db, ret, "SELECT COUNT(*) FROM items", NULL);
}

sb_err sb_store_item_update(struct sb_db *db, int64_t id, const struct sb_item *it)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = item_update(db, id, it, now);
    if (!err && it->prices_set)
        err = prices_replace(db, id, it);
    return sb_db_end(db, err);
}

sb_err sb_store_item_prices(struct sb_db *db, json_t *item)
{
    json_t *prices;
    sb_err err = sb_db_json_all(db, &prices,
                                "SELECT p.price_level_id, l.name, p.amount FROM item_prices p"
                                " JOIN price_levels l ON l.id = p.price_level_id"
                                " WHERE p.item_id = ? ORDER BY p.price_level_id",
                                "i", (int64_t)json_integer_value(json_object_get(item, "id")));
    if (!err)
        json_object_set_new(item, "prices", prices);
    return err;
}

sb_err sb_store_item_get(struct sb_db *db, int64_t id, const struct sb_scope *stock_scope,
                         json_t **ret)
{
    json_t *item;
    sb_err err = sb_db_json_one(db, &item, "SELECT " COLS " FROM items WHERE id = ?", "i", id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no item %lld", (long long)id);
    if (err)
        return err;
    err = sb_store_item_prices(db, item);
    if (!err && stock_scope) {
        json_t *stock;
        err = sb_db_json_all(
            db, &stock,
            "SELECT o.id AS outlet_id, COALESCE(s.on_hand, 0) AS on_hand,"
            " COALESCE(s.reserved, 0) AS reserved,"
            " COALESCE(s.on_hand, 0) - COALESCE(s.reserved, 0) AS available,"
            " COALESCE(s.on_order, 0) AS on_order, COALESCE(s.reorder_point, 0) AS reorder_point,"
            " COALESCE(s.max_level, 0) AS max_level"
            " FROM outlets o LEFT JOIN stock s ON s.outlet_id = o.id AND s.item_id = ?"
            " WHERE " SB_SQL_SCOPE("o.id") " ORDER BY o.id",
            "ibi", id, stock_scope->all_outlets, stock_scope->user_id);
        if (!err)
            json_object_set_new(item, "stock", stock);
    }
    if (err) {
        json_decref(item);
        return err;
    }
    *ret = item;
    return SB_OK;
}

/* ---- CSV import ---- */

struct import {
    struct sb_db *db;
    struct sb_item_import *io;
    struct sb_csv csv;
    struct sb_item_csv_map map;
    struct sb_price_level_ref *levels;
    size_t n_levels;
    struct sb_item item;
    int64_t bad;
    char now[SB_TIME_LEN];
};

static void detail(struct import *im, size_t line, const struct sb_errinfo *info)
{
    if (!im->io->details)
        im->io->details = json_array();
    if (json_array_size(im->io->details) >= SB_IMPORT_MAX_DETAILS)
        return;
    json_t *d = json_pack("{s:I,s:o,s:s}", "line", (json_int_t)line, "field",
                          info->field[0] ? json_string(info->field) : json_null(), "message",
                          info->message[0] ? info->message : sb_err_message(info->err));
    json_array_append_new(im->io->details, d);
}

/* A broken file: one detail, and the error as it is. */
static sb_err structural(struct import *im, size_t line, sb_err err)
{
    if (err == SB_EINVALID_CSV)
        detail(im, line, sb_err_last());
    return err;
}

static bool row_error(sb_err err)
{
    return err == SB_EINVALID_FIELD || err == SB_EMISSING_FIELD || err == SB_EDUPLICATE;
}

/* One record: checks it and, when it is good, writes it (the transaction is rolled back
 * at the end if any row was bad). A bad row answers SB_OK after recording a detail. */
static sb_err import_row(struct import *im, const struct sb_csv_record *rec)
{
    struct sb_item *it = &im->item;
    int64_t id = 0;
    bool exists = false;
    sb_err err = sb_item_csv_row(&im->map, rec->fields, rec->n, it);
    if (!err && !it->sku.set)
        err = sb_fail(SB_EMISSING_FIELD, "sku", "sku is required");
    if (!err) {
        err = sb_db_int(im->db, &id, "SELECT id FROM items WHERE sku = ?", "s", it->sku.v);
        exists = err == SB_OK;
        if (err == SB_ENOT_FOUND)
            err = SB_OK;
        if (err)
            return err;
        err = sb_item_validate(it, !exists);
    }
    if (!err) {
        if (exists) {
            err = item_update(im->db, id, it, im->now);
            im->io->updated += !err;
        } else {
            err = item_insert(im->db, it, im->now, &id);
            im->io->created += !err;
        }
        for (size_t i = 0; !err && i < it->n_prices; i++)
            err = price_upsert(im->db, id, &it->prices[i]);
    }
    if (row_error(err)) {
        im->bad++;
        detail(im, rec->line, sb_err_last());
        return SB_OK;
    }
    return err;
}

sb_err sb_store_items_exponent(struct sb_db *db, const char *given, int *ret)
{
    char cur[4] = "USD", other[4] = "";
    if (given) {
        snprintf(cur, sizeof(cur), "%.3s", given);
        if (strlen(given) != 3)
            cur[0] = '\0';
    } else {
        struct sb_q q;
        sb_err err = sb_q_open(
            &q, db, "SELECT DISTINCT currency FROM outlets ORDER BY currency LIMIT 2", NULL);
        if (err)
            return err;
        if (sb_q_next(&q))
            snprintf(cur, sizeof(cur), "%s", sb_q_text(&q, 0) ? sb_q_text(&q, 0) : "");
        if (sb_q_next(&q))
            snprintf(other, sizeof(other), "%s", sb_q_text(&q, 0) ? sb_q_text(&q, 0) : "");
        err = sb_q_close(&q);
        if (err)
            return err;
        if (other[0])
            return sb_fail(SB_EMISSING_FIELD, "currency",
                           "the outlets use several currencies (%s, %s, ...): say which one the "
                           "file's prices are in",
                           cur, other);
    }
    int e = sb_currency_exponent(cur);
    if (e < 0)
        return sb_fail(SB_EINVALID_FIELD, "currency",
                       "currency must be an ISO 4217 currency code such as USD");
    *ret = e;
    return SB_OK;
}

static sb_err import_rows(struct import *im, size_t len)
{
    struct sb_csv_record rec;
    bool more;
    sb_err err = sb_csv_next(&im->csv, &rec, &more);
    if (err)
        return structural(im, im->csv.err_line, err);
    if (!more || sb_item_csv_blank(rec.fields, rec.n)) {
        err = sb_fail(SB_EINVALID_CSV, NULL, "the file has no header row");
        return structural(im, 1, err);
    }
    err = sb_store_items_exponent(im->db, im->io->currency, &im->map.exponent);
    if (err)
        return err;
    im->map.cap = rec.n;
    im->map.cols = calloc(rec.n, sizeof(*im->map.cols));
    if (!im->map.cols)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_store_price_levels_load(im->db, &im->levels, &im->n_levels);
    if (err)
        return err;
    err = sb_item_csv_header(&im->map, rec.fields, rec.n, im->levels, im->n_levels);
    if (err)
        return structural(im, rec.line, err);
    for (uint64_t rows = 1;; rows++) {
        err = sb_csv_next(&im->csv, &rec, &more);
        if (err)
            return structural(im, im->csv.err_line, err);
        if (!more)
            break;
        if (sb_item_csv_blank(rec.fields, rec.n))
            continue;
        err = import_row(im, &rec);
        if (err)
            return err;
        if (im->io->progress && rows % 512 == 0)
            im->io->progress(im->io->progress_ud, sb_csv_offset(&im->csv), len);
    }
    if (im->io->progress)
        im->io->progress(im->io->progress_ud, len, len);
    if (im->bad)
        return sb_fail(SB_EINVALID_FIELD, NULL,
                       "%lld row%s invalid; nothing was imported (see details)", (long long)im->bad,
                       im->bad == 1 ? " is" : "s are");
    return SB_OK;
}

sb_err sb_store_items_import(struct sb_db *db, const char *data, size_t len,
                             struct sb_item_import *io)
{
    struct import *im = calloc(1, sizeof(*im));
    if (!im)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    im->db = db;
    im->io = io;
    io->created = io->updated = 0;
    io->details = NULL;
    sb_time_format(sb_time_now(), im->now, sizeof(im->now));
    sb_csv_init(&im->csv, data, len);
    sb_err err = sb_db_begin(db);
    if (!err)
        err = sb_db_end(db, import_rows(im, len));
    if (err)
        io->created = io->updated = 0;
    sb_csv_free(&im->csv);
    free(im->map.cols);
    sb_store_price_levels_free(im->levels, im->n_levels);
    free(im);
    return err;
}
