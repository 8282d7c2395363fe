/*
 * Customer records. email_norm is computed in C (sb_norm_key) so every
 * backend agrees on when two emails are the same; the unique key on it is
 * what keeps them unique, not a look-up before the insert.
 */
#include "store/customers.h"
#include "util/timeutil.h"

#include <string.h>

#define COLS      "id, first_name, last_name, email, phone, company, note, created_at, updated_at"
#define ADDR_COLS "kind, name, company, line1, line2, city, region, postcode, country, phone"

/* The normalised and trimmed forms of an email (NULL stays NULL). */
struct email_forms {
    char trim[SB_EMAIL_MAX + 1], key[SB_EMAIL_MAX + 1];
    const char *trim_p, *key_p;
};

static sb_err email_forms(const char *email, struct email_forms *e)
{
    e->trim_p = e->key_p = NULL;
    if (!email)
        return SB_OK;
    if (!sb_email_valid(email) || !sb_trim_copy(email, e->trim, sizeof(e->trim)) ||
        !sb_norm_key(email, e->key, sizeof(e->key)))
        return sb_fail(SB_EINVALID_FIELD, "email", "email must look like name@example.com");
    e->trim_p = e->trim;
    e->key_p = e->key;
    return SB_OK;
}

static sb_err email_taken(sb_err err)
{
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "email", "a customer with this email exists");
    return err;
}

static sb_err set_addresses(struct sb_db *db, int64_t id, const struct sb_customer *c)
{
    if (!c->addresses_set)
        return SB_OK;
    sb_err err = sb_db_exec(db, "DELETE FROM customer_addresses WHERE customer_id = ?", "i", id);
    for (size_t i = 0; !err && i < c->n_addresses; i++) {
        const struct sb_customer_address *a = &c->addresses[i];
        err = sb_db_exec(db,
                         "INSERT INTO customer_addresses (customer_id, " ADDR_COLS ")"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         "issssssssss", id, a->kind ? a->kind : "shipping", a->name, a->company,
                         a->line1, a->line2, a->city, a->region, a->postcode, a->country, a->phone);
    }
    return err;
}

sb_err sb_store_customer_create(struct sb_db *db, const struct sb_customer *c, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct email_forms e;
    sb_err err = email_forms(c->email.set ? c->email.v : NULL, &e);
    if (err)
        return err;
    int64_t id = 0;
    err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(db, &id,
                    "INSERT INTO customers (first_name, last_name, email, email_norm, phone,"
                    " company, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " RETURNING id",
                    "sssssssss", c->first_name.v ? c->first_name.v : "",
                    c->last_name.v ? c->last_name.v : "", e.trim_p, e.key_p, c->phone.v,
                    c->company.v, c->note.v, now, now);
    if (!err)
        err = set_addresses(db, id, c);
    err = email_taken(sb_db_end(db, err));
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_store_customer_update(struct sb_db *db, int64_t id, const struct sb_customer *c)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct email_forms e;
    sb_err err = email_forms(c->email.set ? c->email.v : NULL, &e);
    if (err)
        return err;
    err = sb_db_begin(db);
    if (err)
        return err;
    int64_t got;
    err = sb_db_int(db, &got,
                    "UPDATE customers SET"
                    " first_name = CASE WHEN ? THEN ? ELSE first_name END,"
                    " last_name = CASE WHEN ? THEN ? ELSE last_name END,"
                    " email = CASE WHEN ? THEN ? ELSE email END,"
                    " email_norm = CASE WHEN ? THEN ? ELSE email_norm END,"
                    " phone = CASE WHEN ? THEN ? ELSE phone END,"
                    " company = CASE WHEN ? THEN ? ELSE company END,"
                    " note = CASE WHEN ? THEN ? ELSE note END,"
                    " updated_at = ? WHERE id = ? RETURNING id",
                    "bsbsbsbsbsbsbssi", c->first_name.set, c->first_name.v ? c->first_name.v : "",
                    c->last_name.set, c->last_name.v ? c->last_name.v : "", c->email.set, e.trim_p,
                    c->email.set, e.key_p, c->phone.set, c->phone.v, c->company.set, c->company.v,
                    c->note.set, c->note.v, now, id);
    /* a customer must stay identifiable: refuse an update that blanks every name */
    int64_t named = 0;
    if (!err)
        err = sb_db_int(db, &named,
                        "SELECT COUNT(*) FROM customers WHERE id = ? AND (first_name <> ''"
                        " OR last_name <> '' OR email IS NOT NULL OR"
                        " (company IS NOT NULL AND company <> ''))",
                        "i", id);
    if (!err && !named)
        err = sb_fail(SB_EINVALID_FIELD, "first_name",
                      "a customer keeps at least one of first_name, last_name, email or company");
    if (!err)
        err = set_addresses(db, id, c);
    return email_taken(sb_db_end(db, err));
}

static sb_err add_addresses(struct sb_db *db, json_t *cust)
{
    json_t *addrs;
    sb_err err = sb_db_json_all(db, &addrs,
                                "SELECT " ADDR_COLS " FROM customer_addresses"
                                " WHERE customer_id = ? ORDER BY id",
                                "i", (int64_t)json_integer_value(json_object_get(cust, "id")));
    if (!err)
        json_object_set_new(cust, "addresses", addrs);
    return err;
}

sb_err sb_store_customer_get(struct sb_db *db, int64_t id, json_t **ret)
{
    json_t *c;
    sb_err err = sb_db_json_one(db, &c, "SELECT " COLS " FROM customers WHERE id = ?", "i", id);
    if (err)
        return err;
    err = add_addresses(db, c);
    if (err) {
        json_decref(c);
        return err;
    }
    *ret = c;
    return SB_OK;
}

/* "%q%" with LIKE's wildcards in q escaped; false when it does not fit. */
static bool like_pattern(const char *q, char *buf, size_t cap)
{
    size_t n = 0;
    buf[n++] = '%';
    for (; *q; q++) {
        if (n + 4 > cap)
            return false;
        if (*q == '%' || *q == '_' || *q == '\\')
            buf[n++] = '\\';
        buf[n++] = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
    }
    buf[n++] = '%';
    buf[n] = '\0';
    return true;
}

sb_err sb_store_customer_list(struct sb_db *db, const struct sb_customer_filter *f, int64_t after,
                              int64_t limit, json_t **ret)
{
    char key[SB_EMAIL_MAX + 1] = "", like[1024] = "%";
    bool by_email = f->email != NULL, by_q = f->q && *f->q;
    /* an email that cannot be normalised matches nobody */
    if (by_email && !sb_norm_key(f->email, key, sizeof(key)))
        snprintf(key, sizeof(key), "%s", "\x01");
    if (by_q && !like_pattern(f->q, like, sizeof(like)))
        return sb_fail(SB_EINVALID_QUERY, "q", "q is too long");
    json_t *rows = NULL;
    sb_err err = sb_db_json_all(
        db, &rows,
        "SELECT " COLS " FROM customers WHERE id > ?"
        " AND (? OR email_norm = ?)"
        " AND (? OR lower(first_name) LIKE ? ESCAPE '\\' OR lower(last_name) LIKE ? ESCAPE '\\'"
        " OR lower(first_name || ' ' || last_name) LIKE ? ESCAPE '\\'"
        " OR email_norm LIKE ? ESCAPE '\\' OR lower(phone) LIKE ? ESCAPE '\\'"
        " OR lower(company) LIKE ? ESCAPE '\\')"
        " ORDER BY id LIMIT ?",
        "ibsbssssssi", after, !by_email, key, !by_q, like, like, like, like, like, like, limit);
    for (size_t i = 0; !err && i < json_array_size(rows); i++)
        err = add_addresses(db, json_array_get(rows, i));
    if (err) {
        json_decref(rows);
        return err;
    }
    *ret = rows;
    return SB_OK;
}

sb_err sb_customer_match_or_create(struct sb_db *db, const char *email, const char *first_name,
                                   const char *last_name, int64_t *ret_id)
{
    char trim[SB_EMAIL_MAX + 1], key[SB_EMAIL_MAX + 1];
    /* C5: no usable email, no customer */
    if (!email || !sb_email_valid(email) || !sb_trim_copy(email, trim, sizeof(trim)) ||
        !sb_norm_key(email, key, sizeof(key))) {
        *ret_id = 0;
        return SB_OK;
    }
    char first[256] = "", last[256] = "";
    if (first_name)
        (void)sb_trim_copy(first_name, first, sizeof(first));
    if (last_name)
        (void)sb_trim_copy(last_name, last, sizeof(last));
    if (!first[0] && !last[0]) /* C4 */
        snprintf(first, sizeof(first), "%s", trim);
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    /* C3 when new (the insert answers its id); C1/C2 when the key exists: nothing is
     * written (the insert answers no row), the row is read */
    int64_t id = 0;
    err = sb_db_int(db, &id,
                    "INSERT INTO customers (first_name, last_name, email, email_norm,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (email_norm) DO NOTHING RETURNING id",
                    "ssssss", first, last, trim, key, now, now);
    if (err == SB_ENOT_FOUND)
        err = sb_db_int(db, &id, "SELECT id FROM customers WHERE email_norm = ?", "s", key);
    err = sb_db_end(db, err);
    if (!err)
        *ret_id = id;
    return err;
}
