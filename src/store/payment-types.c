/*
 * Payment type records. The normalised name is computed here in C (not with
 * SQL lower/trim) so that every backend agrees on what "the same name" is.
 */
#include "store/payment-types.h"
#include "core/customer.h"
#include "util/timeutil.h"

#define COLS         "id, name, integrated, created_at, updated_at"
#define NAME_MAX_LEN 100

static sb_err norm(const char *name, char *trim, char *key)
{
    if (!sb_trim_copy(name, trim, NAME_MAX_LEN + 1) || !sb_norm_key(name, key, NAME_MAX_LEN + 1))
        return sb_fail(SB_EINVALID_FIELD, "name", "name must be 1 to %d characters", NAME_MAX_LEN);
    return SB_OK;
}

static sb_err name_taken(sb_err err)
{
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "name", "a payment type with this name exists");
    return err;
}

sb_err sb_store_payment_type_create(struct sb_db *db, const struct sb_payment_type *p,
                                    int64_t *ret_id)
{
    char now[SB_TIME_LEN], trim[NAME_MAX_LEN + 1], key[NAME_MAX_LEN + 1];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = norm(p->name.v, trim, key);
    if (err)
        return err;
    return name_taken(sb_db_int(db, ret_id,
                                "INSERT INTO payment_types (name, name_norm, integrated,"
                                " created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                "ssbss", trim, key, p->integrated_set && p->integrated, now, now));
}

sb_err sb_store_payment_type_update(struct sb_db *db, int64_t id, const struct sb_payment_type *p)
{
    char now[SB_TIME_LEN], trim[NAME_MAX_LEN + 1] = "", key[NAME_MAX_LEN + 1] = "";
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (p->name.set) {
        sb_err err = norm(p->name.v, trim, key);
        if (err)
            return err;
    }
    int64_t got;
    return name_taken(sb_db_int(db, &got,
                                "UPDATE payment_types SET"
                                " name = CASE WHEN ? THEN ? ELSE name END,"
                                " name_norm = CASE WHEN ? THEN ? ELSE name_norm END,"
                                " integrated = CASE WHEN ? THEN ? ELSE integrated END,"
                                " updated_at = ? WHERE id = ? RETURNING id",
                                "bsbsbbsi", p->name.set, trim, p->name.set, key, p->integrated_set,
                                p->integrated, now, id));
}

sb_err sb_store_payment_type_get(struct sb_db *db, int64_t id, json_t **ret)
{
    return sb_db_json_one(db, ret, "SELECT " COLS " FROM payment_types WHERE id = ?", "i", id);
}

sb_err sb_store_payment_type_list(struct sb_db *db, int64_t after, int64_t limit, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT " COLS " FROM payment_types WHERE id > ? ORDER BY id LIMIT ?",
                          "ii", after, limit);
}

sb_err sb_store_payment_type_ensure(struct sb_db *db, const char *name, bool integrated,
                                    int64_t *ret_id)
{
    char now[SB_TIME_LEN], trim[NAME_MAX_LEN + 1], key[NAME_MAX_LEN + 1];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = norm(name, trim, key);
    if (err)
        return err;
    err = sb_db_begin(db);
    if (err)
        return err;
    /* nearly always there already: read first, created when missing (P2) */
    int64_t id = 0;
    err = sb_db_int(db, &id, "SELECT id FROM payment_types WHERE name_norm = ?", "s", key);
    if (err == SB_ENOT_FOUND)
        err = sb_db_exec(db,
                         "INSERT INTO payment_types (name, name_norm, integrated, created_at,"
                         " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name_norm) DO NOTHING",
                         "ssbss", trim, key, integrated, now, now);
    if (!err && !id)
        err = sb_db_int(db, &id, "SELECT id FROM payment_types WHERE name_norm = ?", "s", key);
    err = sb_db_end(db, err);
    if (!err)
        *ret_id = id;
    return err;
}
