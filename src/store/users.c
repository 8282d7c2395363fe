/*
 * Users. The outlet list is replaced whole when given. Deactivating a user
 * ends their sessions and revokes their API tokens for good (SEC3).
 */
#include "store/users.h"
#include "store/sessions.h"
#include "util/timeutil.h"

#include <string.h>

#define COLS "id, username, name, email, role, employee_id, active, created_at, updated_at"

static sb_err set_outlets(struct sb_db *db, int64_t user_id, const struct sb_user *u)
{
    if (!u->outlets_set)
        return SB_OK;
    sb_err err = sb_db_exec(db, "DELETE FROM user_outlets WHERE user_id = ?", "i", user_id);
    for (size_t i = 0; !err && i < u->n_outlets; i++) {
        err = sb_db_exec(db, "INSERT INTO user_outlets (user_id, outlet_id) VALUES (?, ?)", "ii",
                         user_id, u->outlet_ids[i]);
        if (err == SB_EUNKNOWN_REFERENCE)
            err = sb_fail(err, "outlet_ids", "no outlet %lld", (long long)u->outlet_ids[i]);
    }
    return err;
}

static sb_err name_reference(sb_err err)
{
    if (err == SB_EUNKNOWN_REFERENCE && !sb_err_last()->field[0])
        return sb_fail(err, "employee_id", "no such employee");
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "username", "this username is taken");
    return err;
}

sb_err sb_store_user_create(struct sb_db *db, const struct sb_user *u, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t id = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(db, &id,
                    "INSERT INTO users (username, name, email, role, employee_id, active,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    "ssssnbss", u->username.v, u->name.v, u->email.v, u->role.v, u->employee_id,
                    u->active_set ? u->active : 1, now, now);
    if (!err)
        err = set_outlets(db, id, u);
    err = name_reference(sb_db_end(db, err));
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_store_user_update(struct sb_db *db, int64_t id, const struct sb_user *u)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t got;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(db, &got,
                    "UPDATE users SET"
                    " username = CASE WHEN ? THEN ? ELSE username END,"
                    " name = CASE WHEN ? THEN ? ELSE name END,"
                    " email = CASE WHEN ? THEN ? ELSE email END,"
                    " role = CASE WHEN ? THEN ? ELSE role END,"
                    " employee_id = CASE WHEN ? THEN ? ELSE employee_id END,"
                    " active = CASE WHEN ? THEN ? ELSE active END,"
                    " updated_at = ? WHERE id = ? RETURNING id",
                    "bsbsbsbsbnbbsi", u->username.set, u->username.v, u->name.set, u->name.v,
                    u->email.set, u->email.v, u->role.set, u->role.v, u->employee_set,
                    u->employee_id, u->active_set, u->active, now, id);
    if (!err)
        err = set_outlets(db, id, u);
    if (!err && u->active_set && !u->active) /* SEC3 */
        err = sb_store_session_end_user(db, id);
    if (!err && u->active_set && !u->active)
        err = sb_store_token_revoke_user(db, id);
    return name_reference(sb_db_end(db, err));
}

/* Adds "outlet_ids" to a user row. */
static sb_err add_outlets(struct sb_db *db, json_t *user)
{
    json_t *rows;
    sb_err err = sb_db_json_all(
        db, &rows, "SELECT outlet_id FROM user_outlets WHERE user_id = ? ORDER BY outlet_id", "i",
        (int64_t)json_integer_value(json_object_get(user, "id")));
    if (err)
        return err;
    json_t *ids = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_array_append(ids, json_object_get(row, "outlet_id"));
    }
    json_decref(rows);
    json_object_set_new(user, "outlet_ids", ids);
    return SB_OK;
}

sb_err sb_store_user_get(struct sb_db *db, int64_t id, json_t **ret)
{
    json_t *user;
    sb_err err = sb_db_json_one(db, &user, "SELECT " COLS " FROM users WHERE id = ?", "i", id);
    if (err)
        return err;
    err = add_outlets(db, user);
    if (err) {
        json_decref(user);
        return err;
    }
    *ret = user;
    return SB_OK;
}

sb_err sb_store_user_list(struct sb_db *db, int64_t after, int64_t limit, json_t **ret)
{
    return sb_db_json_all(db, ret, "SELECT " COLS " FROM users WHERE id > ? ORDER BY id LIMIT ?",
                          "ii", after, limit);
}

sb_err sb_store_user_list_full(struct sb_db *db, int64_t after, int64_t limit, json_t **ret)
{
    json_t *rows;
    sb_err err = sb_store_user_list(db, after, limit, &rows);
    if (err)
        return err;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        err = add_outlets(db, row);
        if (err) {
            json_decref(rows);
            return err;
        }
    }
    *ret = rows;
    return SB_OK;
}

sb_err sb_store_user_update_guarded(struct sb_db *db, int64_t actor_id, int64_t id,
                                    const struct sb_user *u)
{
    int64_t target_admin = 0, others = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    /* Read and write in one transaction, so two admins demoting each other at once
     * cannot both pass the last-admin check. */
    err = sb_db_int(db, &target_admin,
                    "SELECT CASE WHEN role = 'admin' AND active THEN 1 ELSE 0 END"
                    " FROM users WHERE id = ?",
                    "i", id);
    if (err == SB_ENOT_FOUND)
        err = sb_fail(err, NULL, "no such user");
    if (!err)
        err = sb_db_int(db, &others,
                        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active"
                        " AND id <> ?",
                        "i", id);
    if (!err)
        err = sb_user_check_admin_change(u, id == actor_id, target_admin != 0, others);
    if (!err)
        err = sb_store_user_update(db, id, u);
    return sb_db_end(db, err);
}

sb_err sb_store_user_find(struct sb_db *db, const char *username, int64_t *ret_id)
{
    return sb_db_int(db, ret_id, "SELECT id FROM users WHERE username = ?", "s", username);
}

sb_err sb_store_user_role(struct sb_db *db, int64_t id, enum sb_role *ret)
{
    json_t *row = NULL;
    sb_err err = sb_db_json_one(db, &row, "SELECT role FROM users WHERE id = ?", "i", id);
    if (err)
        return err;
    *ret = sb_role_parse(json_string_value(json_object_get(row, "role")));
    json_decref(row);
    return SB_OK;
}

sb_err sb_store_user_has_outlet(struct sb_db *db, int64_t user_id, int64_t outlet_id, bool *ret)
{
    int64_t one;
    sb_err err =
        sb_db_int(db, &one, "SELECT 1 FROM user_outlets WHERE user_id = ? AND outlet_id = ?", "ii",
                  user_id, outlet_id);
    *ret = err == SB_OK;
    return err == SB_ENOT_FOUND ? SB_OK : err;
}

sb_err sb_store_user_me(struct sb_db *db, const struct sb_scope *scope, json_t **ret)
{
    json_t *me, *outlets;
    sb_err err = sb_db_json_one(db, &me,
                                "SELECT id, username, name, email, role, employee_id FROM users"
                                " WHERE id = ?",
                                "i", scope->user_id);
    if (err)
        return err;
    err = sb_db_json_all(
        db, &outlets,
        "SELECT id, name, currency, timezone FROM outlets WHERE " SB_SQL_SCOPE("id") " ORDER BY id",
        "bi", scope->all_outlets, scope->user_id);
    if (err) {
        json_decref(me);
        return err;
    }
    json_object_set_new(me, "outlets", outlets);
    *ret = me;
    return SB_OK;
}
