/*
 * Supplier records (store/suppliers.h).
 */
#include "store/suppliers.h"
#include "core/customer.h"
#include "store/sqlbuild.h"
#include "util/timeutil.h"

#include <stdio.h>

#define COLS "id, name, email, phone, note, created_at, updated_at"

sb_err sb_supplier_validate(const struct sb_supplier *s, bool create)
{
    char key[SB_SUPPLIER_NAME_MAX + 1];
    if (create && !s->name.set)
        return sb_fail(SB_EMISSING_FIELD, "name", "name is required");
    if (s->name.set && !sb_norm_key(s->name.v, key, sizeof(key)))
        return sb_fail(SB_EINVALID_FIELD, "name", "name must be 1 to %d characters",
                       SB_SUPPLIER_NAME_MAX);
    if (s->email.set && s->email.v && *s->email.v && !sb_email_valid(s->email.v))
        return sb_fail(SB_EINVALID_FIELD, "email", "email must look like name@example.com");
    return SB_OK;
}

static sb_err name_taken(sb_err err)
{
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "name", "a supplier with this name exists");
    return err;
}

sb_err sb_store_supplier_create(struct sb_db *db, const struct sb_supplier *s, int64_t *ret_id)
{
    char now[SB_TIME_LEN], trim[SB_SUPPLIER_NAME_MAX + 1], key[SB_SUPPLIER_NAME_MAX + 1];
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (!sb_trim_copy(s->name.v, trim, sizeof(trim)) || !sb_norm_key(s->name.v, key, sizeof(key)))
        return sb_fail(SB_EINVALID_FIELD, "name", "name must be 1 to %d characters",
                       SB_SUPPLIER_NAME_MAX);
    return name_taken(
        sb_db_int(db, ret_id,
                  "INSERT INTO suppliers (name, name_norm, email, phone, note,"
                  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  "sssssss", trim, key, s->email.v, s->phone.v, s->note.v, now, now));
}

sb_err sb_store_supplier_update(struct sb_db *db, int64_t id, const struct sb_supplier *s)
{
    char now[SB_TIME_LEN], trim[SB_SUPPLIER_NAME_MAX + 1] = "", key[SB_SUPPLIER_NAME_MAX + 1] = "";
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (s->name.set &&
        (!sb_trim_copy(s->name.v, trim, sizeof(trim)) || !sb_norm_key(s->name.v, key, sizeof(key))))
        return sb_fail(SB_EINVALID_FIELD, "name", "name must be 1 to %d characters",
                       SB_SUPPLIER_NAME_MAX);
    int64_t got;
    return name_taken(sb_db_int(db, &got,
                                "UPDATE suppliers SET"
                                " name = CASE WHEN ? THEN ? ELSE name END,"
                                " name_norm = CASE WHEN ? THEN ? ELSE name_norm END,"
                                " email = CASE WHEN ? THEN ? ELSE email END,"
                                " phone = CASE WHEN ? THEN ? ELSE phone END,"
                                " note = CASE WHEN ? THEN ? ELSE note END,"
                                " updated_at = ? WHERE id = ? RETURNING id",
                                "bsbsbsbsbssi", s->name.set, trim, s->name.set, key, s->email.set,
                                s->email.v, s->phone.set, s->phone.v, s->note.set, s->note.v, now,
                                id));
}

sb_err sb_store_supplier_get(struct sb_db *db, int64_t id, json_t **ret)
{
    return sb_db_json_one(db, ret, "SELECT " COLS " FROM suppliers WHERE id = ?", "i", id);
}

/* "%q%" in lower case with LIKE's wildcards escaped; false when it does not fit. */
static bool like_pattern(const char *q, char *buf, size_t cap)
{
    size_t n = 0;
    buf[n++] = '%';
    for (; *q; q++) {
        if (n + 4 > cap)
            return false;
        char ch = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
        if (ch == '%' || ch == '_' || ch == '\\')
            buf[n++] = '\\';
        buf[n++] = ch;
    }
    buf[n++] = '%';
    buf[n] = '\0';
    return true;
}

sb_err sb_store_supplier_list(struct sb_db *db, const char *q, int64_t after, int64_t limit,
                              json_t **ret)
{
    struct sb_sqlb b = { 0 };
    char like[256];
    sb_sqlb_add(&b, "SELECT " COLS " FROM suppliers WHERE id > ?");
    sb_sqlb_int(&b, after);
    if (q && *q) {
        if (!like_pattern(q, like, sizeof(like)))
            return sb_fail(SB_EINVALID_QUERY, "q", "q is too long");
        sb_sqlb_add(&b, " AND (name_norm LIKE ? ESCAPE '\\' OR lower(email) LIKE ? ESCAPE '\\'"
                        " OR lower(phone) LIKE ? ESCAPE '\\')");
        sb_sqlb_text(&b, like);
        sb_sqlb_text(&b, like);
        sb_sqlb_text(&b, like);
    }
    sb_sqlb_add(&b, " ORDER BY id LIMIT ?");
    sb_sqlb_int(&b, limit);
    return sb_sqlb_json_all(&b, db, ret);
}
