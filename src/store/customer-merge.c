/*
 * Merging a duplicate customer into the one to keep (issue 16, customers):
 * one business action, one transaction. The kept record's fields win; those
 * it lacks are taken from the duplicate (its email among them, moved so that
 * emails stay unique). The duplicate's sales move to the kept customer, each
 * with a line in its history (E9: who changed what, and when); its addresses
 * are added; then it is gone.
 */
#include "store/customers.h"
#include "util/timeutil.h"

static sb_err merge_fn(struct sb_db *db, const struct sb_scope *scope, int64_t keep, int64_t dup,
                       int64_t user_id, int64_t *ret_moved)
{
    /* the duplicate's sales move: all of them must be in the caller's outlets */
    int64_t outside = 0;
    sb_err err = sb_db_int(db, &outside,
                           "SELECT COUNT(*) FROM sales s WHERE s.customer_id = ?"
                           " AND NOT " SB_SQL_SCOPE("s.outlet_id"),
                           "ibi", dup, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    if (outside)
        return sb_fail(SB_EOUTLET_FORBIDDEN, "from_customer_id",
                       "the duplicate has sales at outlets you have no access to");
    if (keep == dup)
        return sb_fail(SB_EINVALID_FIELD, "from_customer_id",
                       "a customer cannot be merged into itself");
    int64_t one = 0;
    err = sb_db_int(db, &one, "SELECT 1 FROM customers WHERE id = ?", "i", keep);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no customer %lld", (long long)keep);
    if (!err)
        err = sb_db_int(db, &one, "SELECT 1 FROM customers WHERE id = ?", "i", dup);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "from_customer_id", "no customer %lld",
                       (long long)dup);
    if (err)
        return err;
    json_t *d = NULL;
    err = sb_db_json_one(db, &d,
                         "SELECT first_name, last_name, email, email_norm, phone, company, note"
                         " FROM customers WHERE id = ?",
                         "i", dup);
    if (err)
        return err;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    /* the duplicate lets go of its email first: emails are unique */
    err = sb_db_exec(db, "UPDATE customers SET email = NULL, email_norm = NULL WHERE id = ?", "i",
                     dup);
    const char *first = json_string_value(json_object_get(d, "first_name"));
    const char *last = json_string_value(json_object_get(d, "last_name"));
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE customers SET"
                         " first_name = CASE WHEN first_name = '' THEN ? ELSE first_name END,"
                         " last_name = CASE WHEN last_name = '' THEN ? ELSE last_name END,"
                         " email_norm = CASE WHEN email IS NULL THEN ? ELSE email_norm END,"
                         " email = COALESCE(email, ?), phone = COALESCE(phone, ?),"
                         " company = COALESCE(company, ?), note = COALESCE(note, ?), updated_at = ?"
                         " WHERE id = ?",
                         "ssssssssi", first ? first : "", last ? last : "",
                         json_string_value(json_object_get(d, "email_norm")),
                         json_string_value(json_object_get(d, "email")),
                         json_string_value(json_object_get(d, "phone")),
                         json_string_value(json_object_get(d, "company")),
                         json_string_value(json_object_get(d, "note")), now, keep);
    json_decref(d);
    if (!err)
        err = sb_db_exec(db,
                         "INSERT INTO sale_events (sale_id, kind, field, old_id, new_id, note,"
                         " user_id, created_at) SELECT id, 'change', 'customer_id', ?, ?,"
                         " 'customers merged', ?, ? FROM sales WHERE customer_id = ?",
                         "iinsi", dup, keep, user_id, now, dup);
    if (!err)
        err =
            sb_db_int(db, ret_moved, "SELECT COUNT(*) FROM sales WHERE customer_id = ?", "i", dup);
    if (!err)
        err =
            sb_db_exec(db, "UPDATE sales SET customer_id = ?, updated_at = ? WHERE customer_id = ?",
                       "isi", keep, now, dup);
    if (!err)
        err = sb_db_exec(db, "UPDATE customer_addresses SET customer_id = ? WHERE customer_id = ?",
                         "ii", keep, dup);
    if (!err)
        err = sb_db_exec(db, "DELETE FROM customers WHERE id = ?", "i", dup);
    return err;
}

sb_err sb_store_customer_merge(struct sb_db *db, const struct sb_scope *scope, int64_t keep,
                               int64_t dup, int64_t user_id, int64_t *ret_moved)
{
    int64_t moved = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_end(db, merge_fn(db, scope, keep, dup, user_id, &moved));
    if (!err && ret_moved)
        *ret_moved = moved;
    return err;
}
