/*
 * Outlet records. A PATCH binds (is-set, value) pairs so one cached
 * statement serves every combination of fields.
 */
#include "store/outlets.h"
#include "util/timeutil.h"

#define COLS "id, name, currency, timezone, address, phone, email, created_at, updated_at"

sb_err sb_store_outlet_create(struct sb_db *db, const struct sb_outlet *o, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_int(db, ret_id,
                     "INSERT INTO outlets (name, currency, timezone, address, phone, email,"
                     " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     "ssssssss", o->name.v, o->currency.v,
                     o->timezone.set && o->timezone.v ? o->timezone.v : "UTC", o->address.v,
                     o->phone.v, o->email.v, now, now);
}

sb_err sb_store_outlet_update(struct sb_db *db, int64_t id, const struct sb_outlet *o)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    if (o->currency.set) {
        int64_t n = 0;
        err = sb_db_int(db, &n,
                        "SELECT COUNT(*) FROM sales s JOIN outlets o ON o.id = s.outlet_id"
                        " WHERE o.id = ? AND o.currency <> ?",
                        "is", id, o->currency.v);
        if (!err && n > 0)
            err = sb_fail(SB_ECONFLICT, "currency",
                          "the currency cannot change once the outlet has sales");
    }
    int64_t got;
    if (!err)
        err = sb_db_int(db, &got,
                        "UPDATE outlets SET"
                        " name = CASE WHEN ? THEN ? ELSE name END,"
                        " currency = CASE WHEN ? THEN ? ELSE currency END,"
                        " timezone = CASE WHEN ? THEN ? ELSE timezone END,"
                        " address = CASE WHEN ? THEN ? ELSE address END,"
                        " phone = CASE WHEN ? THEN ? ELSE phone END,"
                        " email = CASE WHEN ? THEN ? ELSE email END,"
                        " updated_at = ? WHERE id = ? RETURNING id",
                        "bsbsbsbsbsbssi", o->name.set, o->name.v, o->currency.set, o->currency.v,
                        o->timezone.set, o->timezone.v, o->address.set, o->address.v, o->phone.set,
                        o->phone.v, o->email.set, o->email.v, now, id);
    return sb_db_end(db, err);
}

sb_err sb_store_outlet_get(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t **ret)
{
    return sb_db_json_one(db, ret,
                          "SELECT " COLS " FROM outlets WHERE id = ? AND " SB_SQL_SCOPE("id"),
                          "ibi", id, scope->all_outlets, scope->user_id);
}

sb_err sb_store_outlet_list(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                            int64_t limit, json_t **ret)
{
    return sb_db_json_all(
        db, ret,
        "SELECT " COLS " FROM outlets WHERE id > ? AND " SB_SQL_SCOPE("id") " ORDER BY id LIMIT ?",
        "ibii", after, scope->all_outlets, scope->user_id, limit);
}

sb_err sb_store_outlet_count(struct sb_db *db, int64_t *ret)
{
    return sb_db_int(db, ret, "SELECT COUNT(*) FROM outlets", NULL);
}
