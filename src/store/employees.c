/*
 * Employee records. A PATCH binds (is-set, value) pairs so one cached
 * statement serves every combination of fields.
 */
#include "store/employees.h"
#include "util/timeutil.h"

#define COLS "id, name, email, code, active, created_at, updated_at"

static sb_err name_error(sb_err err)
{
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "code", "another employee has this code");
    return err;
}

sb_err sb_store_employee_create(struct sb_db *db, const struct sb_employee *e, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return name_error(sb_db_int(db, ret_id,
                                "INSERT INTO employees (name, email, code, active, created_at,"
                                " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                "sssbss", e->name.v, e->email.v, e->code.v,
                                e->active_set ? e->active : true, now, now));
}

sb_err sb_store_employee_update(struct sb_db *db, int64_t id, const struct sb_employee *e)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t got;
    sb_err err = sb_db_int(db, &got,
                           "UPDATE employees SET"
                           " name = CASE WHEN ? THEN ? ELSE name END,"
                           " email = CASE WHEN ? THEN ? ELSE email END,"
                           " code = CASE WHEN ? THEN ? ELSE code END,"
                           " active = CASE WHEN ? THEN ? ELSE active END,"
                           " updated_at = ? WHERE id = ? RETURNING id",
                           "bsbsbsbbsi", e->name.set, e->name.v, e->email.set, e->email.v,
                           e->code.set, e->code.v, e->active_set, e->active, now, id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no such employee");
    return name_error(err);
}

sb_err sb_store_employee_get(struct sb_db *db, int64_t id, json_t **ret)
{
    return sb_db_json_one(db, ret, "SELECT " COLS " FROM employees WHERE id = ?", "i", id);
}

sb_err sb_store_employee_list(struct sb_db *db, bool active_set, bool active, int64_t after,
                              int64_t limit, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT " COLS " FROM employees WHERE id > ? AND (? OR active = ?)"
                          " ORDER BY id LIMIT ?",
                          "ibbi", after, !active_set, active, limit);
}
