/*
 * Outbox rows (see outbox.h): the calls due, and what became of each. The rows
 * (queued by store/outbox-queue.c) name the channel's order (ref) and carry
 * what the call needs (payload); the dispatcher reads the channel itself at
 * send time, so a changed credential or setting applies to queued calls.
 */
#include "store/outbox.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    *ok = *ok && c;
    return c;
}

void sb_due_call_clear(struct sb_due_call *c)
{
    free(c->kind);
    free(c->ref);
    free(c->payload);
    memset(c, 0, sizeof(*c));
}

sb_err sb_store_calls_due(struct sb_db *db, int64_t channel_id, const char *now,
                          struct sb_due_call *out, size_t cap, size_t *ret_n)
{
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT id, channel_id, attempts, kind, ref, payload FROM outbox"
                           " WHERE channel_id = ? AND status = 'pending' AND next_attempt_at <= ?"
                           " ORDER BY id LIMIT ?",
                           "isi", channel_id, now, (int64_t)cap);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q)) {
        bool ok = true;
        out[n] = (struct sb_due_call){ .id = sb_q_int(&q, 0),
                                       .channel_id = sb_q_int(&q, 1),
                                       .attempts = sb_q_int(&q, 2),
                                       .kind = dup_or_null(sb_q_text(&q, 3), &ok),
                                       .ref = dup_or_null(sb_q_text(&q, 4), &ok),
                                       .payload = dup_or_null(sb_q_text(&q, 5), &ok) };
        if (!ok || !out[n].kind || !out[n].ref || !out[n].payload) {
            sb_due_call_clear(&out[n]);
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        n++;
    }
    err = sb_q_close(&q);
    if (err) {
        for (size_t i = 0; i < n; i++)
            sb_due_call_clear(&out[i]);
        return err;
    }
    *ret_n = n;
    return SB_OK;
}

sb_err sb_store_call_sent(struct sb_db *db, int64_t id, int64_t attempts, const char *now)
{
    return sb_db_exec(db,
                      "UPDATE outbox SET status = 'done', done_at = ?, attempts = ?,"
                      " last_error = NULL WHERE id = ? AND status = 'pending'",
                      "sii", now, attempts, id);
}

sb_err sb_store_call_failed(struct sb_db *db, int64_t id, int64_t attempts, bool parked,
                            const char *next_at, const char *error)
{
    return sb_db_exec(db,
                      "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
                      " last_error = ? WHERE id = ?",
                      "sissi", parked ? "parked" : "pending", attempts, next_at, error, id);
}
