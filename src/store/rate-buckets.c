/*
 * Rate buckets in the database (rate-buckets.h): read the bucket, take a
 * request from it in C, write it back only if nobody changed it meanwhile.
 * On SQLite the transaction already holds the write lock; on PostgreSQL at
 * READ COMMITTED the compare-and-set is what keeps two nodes from both
 * spending the same request.
 */
#include "store/rate-buckets.h"

#include "core/token-bucket.h"

/* One attempt: *ret_done when the write went in (false: another took first). */
static sb_err try_take(struct sb_db *db, const char *name, int64_t per_minute, int64_t burst,
                       int64_t now, bool *ret_ok, int64_t *ret_remaining, int64_t *ret_retry_after,
                       bool *ret_done)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db, "SELECT milli, at FROM rate_buckets WHERE name = ?", "s", name);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    struct sb_bucket old =
        found ? (struct sb_bucket){ .milli = sb_q_int(&q, 0), .at = sb_q_int(&q, 1) }
              : sb_bucket_full(burst, now);
    if ((err = sb_q_close(&q)))
        return err;
    struct sb_bucket b = old;
    *ret_ok = sb_bucket_take(&b, per_minute, burst, now, ret_remaining, ret_retry_after);
    if (found)
        err = sb_q_open(&q, db,
                        "UPDATE rate_buckets SET milli = ?, at = ?"
                        " WHERE name = ? AND milli = ? AND at = ? RETURNING name",
                        "iisii", b.milli, b.at, name, old.milli, old.at);
    else
        err = sb_q_open(&q, db,
                        "INSERT INTO rate_buckets (name, milli, at) VALUES (?, ?, ?)"
                        " ON CONFLICT (name) DO NOTHING RETURNING name",
                        "sii", name, b.milli, b.at);
    if (err)
        return err;
    *ret_done = sb_q_next(&q);
    return sb_q_close(&q);
}

sb_err sb_store_rate_take(struct sb_db *db, const char *name, int64_t per_minute, int64_t burst,
                          int64_t now, bool *ret_ok, int64_t *ret_remaining,
                          int64_t *ret_retry_after)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    bool done = false;
    for (int i = 0; !err && !done && i < 8; i++)
        err = try_take(db, name, per_minute, burst, now, ret_ok, ret_remaining, ret_retry_after,
                       &done);
    if (!err && !done)
        err = sb_fail(SB_EBUSY, NULL, "the rate bucket %s keeps changing", name);
    return sb_db_end(db, err);
}
