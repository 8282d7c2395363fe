/*
 * Multi-row inserts and list reads (see rows.h). The SQL is assembled from the caller's
 * constant fragments and "?" marks only; every value is bound.
 */
#include "store/rows.h"

#include <stdlib.h>
#include <string.h>

struct sqlbuf {
    char *s;
    size_t len, cap;
};

static void put(struct sqlbuf *b, const char *frag)
{
    size_t n = strlen(frag);
    if (b->len + n < b->cap) {
        memcpy(b->s + b->len, frag, n + 1);
        b->len += n;
    }
}

static size_t marks(const char *row)
{
    size_t n = 0;
    for (; *row; row++)
        n += *row == '?';
    return n;
}

/* Runs the assembled statement with its values, each answered row to fn. */
static sb_err run(struct sb_db *db, const char *sql, const struct sb_db_arg *args, size_t n,
                  sb_rows_fn fn, void *ud)
{
    struct sb_q q;
    sb_err err = sb_q_open_args(&q, db, sql, args, n);
    if (err)
        return err;
    while (sb_q_next(&q))
        if (fn && (err = fn(&q, ud)))
            break;
    sb_err closed = sb_q_close(&q);
    return err ? err : closed;
}

sb_err sb_rows_insert(struct sb_db *db, const char *head, const char *row, const char *tail,
                      const struct sb_db_arg *args, size_t nrows, sb_rows_fn fn, void *ud)
{
    if (!nrows)
        return SB_OK;
    size_t per_row = marks(row);
    size_t cap = strlen(head) + 16 + SB_ROWS_MAX * (strlen(row) + 2) + (tail ? strlen(tail) : 0);
    struct sqlbuf b = { .s = malloc(cap), .cap = cap };
    if (!b.s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = SB_OK;
    for (size_t done = 0; !err && done < nrows;) {
        size_t n = nrows - done < SB_ROWS_MAX ? nrows - done : SB_ROWS_MAX;
        b.len = 0;
        b.s[0] = '\0';
        put(&b, head);
        put(&b, " VALUES ");
        for (size_t i = 0; i < n; i++) {
            if (i)
                put(&b, ", ");
            put(&b, row);
        }
        if (tail)
            put(&b, tail);
        err = run(db, b.s, args + done * per_row, n * per_row, fn, ud);
        done += n;
    }
    free(b.s);
    return err;
}

sb_err sb_rows_select(struct sb_db *db, const char *head, const char *tail,
                      const struct sb_db_arg *before, size_t n_before, const struct sb_db_arg *keys,
                      size_t n, const struct sb_db_arg *after, size_t n_after, sb_rows_fn fn,
                      void *ud)
{
    if (!n)
        return SB_OK;
    size_t cap = strlen(head) + strlen(tail) + SB_ROWS_MAX * 3 + 1;
    size_t nargs = n_before + SB_ROWS_MAX + n_after;
    struct sqlbuf b = { .s = malloc(cap), .cap = cap };
    struct sb_db_arg *args = malloc(nargs * sizeof(*args));
    sb_err err = b.s && args ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t done = 0; !err && done < n;) {
        size_t k = n - done < SB_ROWS_MAX ? n - done : SB_ROWS_MAX;
        b.len = 0;
        b.s[0] = '\0';
        put(&b, head);
        for (size_t i = 0; i < k; i++)
            put(&b, i ? ", ?" : "?");
        put(&b, tail);
        if (n_before)
            memcpy(args, before, n_before * sizeof(*args));
        memcpy(args + n_before, keys + done, k * sizeof(*args));
        if (n_after)
            memcpy(args + n_before + k, after, n_after * sizeof(*args));
        err = run(db, b.s, args, n_before + k + n_after, fn, ud);
        done += k;
    }
    free(args);
    free(b.s);
    return err;
}
