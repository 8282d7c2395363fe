/*
 * A query assembled from constant fragments, for lists whose filters are
 * optional. Writing "(NOT ? OR sku = ?)" for each filter would keep one
 * statement, but the planner could then use no index; assembling only the
 * filters given keeps "sku = ?" indexable and the variants few (the
 * statement cache holds each). Fragments are always literals from the
 * caller's code, never user text: values go through the bound arguments.
 */
#ifndef SB_SQLBUILD_H
#define SB_SQLBUILD_H

#include "store/db.h"

#include <string.h>

#define SB_SQLB_MAX_ARGS 32

struct sb_sqlb {
    char sql[4096]; /* the sales search (store/sale-search.c) is the longest */
    size_t len;
    bool overflow;
    int n;
    struct sb_db_arg args[SB_SQLB_MAX_ARGS]; /* kind 'i' or 's' */
};

static inline void sb_sqlb_add(struct sb_sqlb *b, const char *frag)
{
    size_t n = strlen(frag);
    if (b->len + n + 1 > sizeof(b->sql)) {
        b->overflow = true;
        return;
    }
    memcpy(b->sql + b->len, frag, n + 1);
    b->len += n;
}

static inline void sb_sqlb_int(struct sb_sqlb *b, int64_t v)
{
    if (b->n == SB_SQLB_MAX_ARGS) {
        b->overflow = true;
        return;
    }
    b->args[b->n].kind = 'i';
    b->args[b->n++].i = v;
}

static inline void sb_sqlb_text(struct sb_sqlb *b, const char *s)
{
    if (b->n == SB_SQLB_MAX_ARGS) {
        b->overflow = true;
        return;
    }
    b->args[b->n].kind = 's';
    b->args[b->n++].s = s;
}

/* Prepares and binds; then read it with sb_q_next() and finish with sb_q_close(). */
static inline sb_err sb_sqlb_open(struct sb_sqlb *b, struct sb_db *db, struct sb_q *q)
{
    q->db = db;
    q->st = NULL;
    if (b->overflow)
        return q->err = sb_fail(SB_EINTERNAL, NULL, "query too long");
    return sb_q_open_args(q, db, b->sql, b->args, (size_t)b->n);
}

/* All rows as a JSON array of objects. */
static inline sb_err sb_sqlb_json_all(struct sb_sqlb *b, struct sb_db *db, json_t **ret)
{
    struct sb_q q;
    sb_err err = sb_sqlb_open(b, db, &q);
    return err ? err : sb_q_json_all(&q, ret);
}

#endif
