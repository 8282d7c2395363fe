/*
 * Register records. Constraint failures name the field the caller got
 * wrong, so the API can answer 409 duplicate / 422 unknown_reference as is.
 */
#include "store/registers.h"
#include "util/timeutil.h"

#define COLS "id, outlet_id, name, created_at, updated_at"

static sb_err name_error(sb_err err, const struct sb_register *g)
{
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "name", "the outlet already has a register with this name");
    if (err == SB_EUNKNOWN_REFERENCE)
        return sb_fail(err, "outlet_id", "no outlet %lld", (long long)g->outlet_id);
    return err;
}

sb_err sb_store_register_create(struct sb_db *db, const struct sb_register *g, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return name_error(sb_db_int(db, ret_id,
                                "INSERT INTO registers (outlet_id, name, created_at, updated_at)"
                                " VALUES (?, ?, ?, ?) RETURNING id",
                                "isss", g->outlet_id, g->name.v, now, now),
                      g);
}

sb_err sb_store_register_update(struct sb_db *db, int64_t id, const struct sb_register *g)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t n = 0, got;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    if (g->outlet_set) {
        err = sb_db_int(db, &n,
                        "SELECT COUNT(*) FROM sales s JOIN registers g ON g.id = s.register_id"
                        " WHERE g.id = ? AND g.outlet_id <> ?",
                        "ii", id, g->outlet_id);
        if (!err && n > 0)
            err = sb_fail(SB_ECONFLICT, "outlet_id",
                          "a register with sales cannot move to another outlet");
    }
    if (!err)
        err = sb_db_int(db, &got,
                        "UPDATE registers SET"
                        " outlet_id = CASE WHEN ? THEN ? ELSE outlet_id END,"
                        " name = CASE WHEN ? THEN ? ELSE name END,"
                        " updated_at = ? WHERE id = ? RETURNING id",
                        "bibssi", g->outlet_set, g->outlet_id, g->name.set, g->name.v, now, id);
    if (err == SB_ENOT_FOUND)
        err = sb_fail(err, NULL, "no such register");
    return name_error(sb_db_end(db, err), g);
}

sb_err sb_store_register_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             json_t **ret)
{
    return sb_db_json_one(
        db, ret, "SELECT " COLS " FROM registers WHERE id = ? AND " SB_SQL_SCOPE("outlet_id"),
        "ibi", id, scope->all_outlets, scope->user_id);
}

sb_err sb_store_register_list(struct sb_db *db, const struct sb_scope *scope, int64_t outlet_id,
                              int64_t after, int64_t limit, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT " COLS " FROM registers WHERE id > ? AND " SB_SQL_SCOPE(
                              "outlet_id") " AND (? OR outlet_id = ?) ORDER BY id LIMIT ?",
                          "ibibii", after, scope->all_outlets, scope->user_id, outlet_id == 0,
                          outlet_id, limit);
}
