/*
 * Leases (leases.h): one upsert takes or renews, a guarded delete gives up,
 * a read fences. The upsert's WHERE decides who wins: on SQLite the writers
 * queue on the database's write lock, on PostgreSQL on the row's, and the
 * loser's statement updates nothing and returns no row.
 */
#include "store/leases.h"

#include <stdio.h>

sb_err sb_store_lease_take(struct sb_db *db, const char *name, const char *holder, const char *now,
                           const char *expires_at, bool *ret_held)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "INSERT INTO leases (name, holder, expires_at, taken_at)"
                           " VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE"
                           " SET holder = excluded.holder, expires_at = excluded.expires_at,"
                           " taken_at = CASE WHEN leases.holder = excluded.holder"
                           " THEN leases.taken_at ELSE excluded.taken_at END"
                           " WHERE leases.expires_at < ? OR leases.holder = excluded.holder"
                           " RETURNING holder",
                           "sssss", name, holder, expires_at, now, now);
    if (err)
        return err;
    bool held = sb_q_next(&q);
    err = sb_q_close(&q);
    if (!err)
        *ret_held = held;
    return err;
}

sb_err sb_store_lease_release(struct sb_db *db, const char *name, const char *holder)
{
    return sb_db_exec(db, "DELETE FROM leases WHERE name = ? AND holder = ?", "ss", name, holder);
}

sb_err sb_store_lease_held(struct sb_db *db, const char *name, const char *holder, bool *ret_held)
{
    int64_t n = 0;
    sb_err err = sb_db_int(db, &n, "SELECT COUNT(*) FROM leases WHERE name = ? AND holder = ?",
                           "ss", name, holder);
    if (!err)
        *ret_held = n > 0;
    return err;
}

sb_err sb_store_lease_get(struct sb_db *db, const char *name, char *ret_holder, size_t holder_cap,
                          char *ret_expires_at, size_t expires_cap)
{
    struct sb_q q;
    sb_err err =
        sb_q_open(&q, db, "SELECT holder, expires_at FROM leases WHERE name = ?", "s", name);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    const char *h = found ? sb_q_text(&q, 0) : NULL, *e = found ? sb_q_text(&q, 1) : NULL;
    snprintf(ret_holder, holder_cap, "%s", h ? h : "");
    snprintf(ret_expires_at, expires_cap, "%s", e ? e : "");
    return sb_q_close(&q);
}
