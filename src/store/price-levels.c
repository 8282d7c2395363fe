/*
 * Price level records. The name is unique (a CSV column is written
 * "price:<name>"), so a clash is SB_EDUPLICATE on "name".
 */
#include "store/price-levels.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define COLS "id, name, created_at, updated_at"

static sb_err name_taken(sb_err err)
{
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "name", "a price level with this name exists");
    return err;
}

sb_err sb_store_price_level_create(struct sb_db *db, const char *name, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return name_taken(sb_db_int(db, ret_id,
                                "INSERT INTO price_levels (name, created_at, updated_at)"
                                " VALUES (?, ?, ?) RETURNING id",
                                "sss", name, now, now));
}

sb_err sb_store_price_level_update(struct sb_db *db, int64_t id, const char *name)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t got;
    sb_err err = sb_db_int(db, &got,
                           "UPDATE price_levels SET name = COALESCE(?, name), updated_at = ?"
                           " WHERE id = ? RETURNING id",
                           "ssi", name, now, id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no price level %lld", (long long)id);
    return name_taken(err);
}

sb_err sb_store_price_level_get(struct sb_db *db, int64_t id, json_t **ret)
{
    return sb_db_json_one(db, ret, "SELECT " COLS " FROM price_levels WHERE id = ?", "i", id);
}

sb_err sb_store_price_level_list(struct sb_db *db, int64_t after, int64_t limit, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT " COLS " FROM price_levels WHERE id > ? ORDER BY id LIMIT ?",
                          "ii", after, limit);
}

void sb_store_price_levels_free(struct sb_price_level_ref *levels, size_t n)
{
    for (size_t i = 0; levels && i < n; i++)
        free((char *)levels[i].name);
    free(levels);
}

sb_err sb_store_price_levels_load(struct sb_db *db, struct sb_price_level_ref **ret, size_t *ret_n)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db, "SELECT id, name FROM price_levels ORDER BY id", NULL);
    if (err)
        return err;
    struct sb_price_level_ref *levels = NULL;
    size_t n = 0, cap = 0;
    while (!err && sb_q_next(&q)) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sb_price_level_ref *nl = realloc(levels, ncap * sizeof(*nl));
            if (!nl) {
                err = sb_fail(SB_ENOMEM, NULL, NULL);
                break;
            }
            levels = nl;
            cap = ncap;
        }
        char *name = strdup(sb_q_text(&q, 1));
        if (!name) {
            err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        levels[n++] = (struct sb_price_level_ref){ .id = sb_q_int(&q, 0), .name = name };
    }
    sb_err cerr = sb_q_close(&q);
    if (!err)
        err = cerr;
    if (err) {
        sb_store_price_levels_free(levels, n);
        return err;
    }
    *ret = levels;
    *ret_n = n;
    return SB_OK;
}
