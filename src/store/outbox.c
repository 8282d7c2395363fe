/*
 * Outbox rows (see outbox.h). The rows name the channel's order (ref) and
 * carry what the call needs (payload); the dispatcher reads the channel
 * itself at send time, so a changed credential or setting applies to queued
 * calls.
 */
#include "store/outbox.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static sb_err add(struct sb_db *db, int64_t channel_id, const char *kind, const char *ref,
                  json_t *payload)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    char *text = json_dumps(payload, JSON_COMPACT);
    if (!text)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_db_exec(db,
                            "INSERT INTO outbox (channel_id, kind, ref, payload, next_attempt_at,"
                            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                            "isssss", channel_id, kind, ref, text, now, now);
    free(text);
    return err;
}

sb_err sb_outbox_shipment_shipped(struct sb_db *db, int64_t shipment_id)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT s.channel_id, s.external_id, sh.tracking_number, sh.carrier,"
                           " c.settings FROM shipments sh JOIN sales s ON s.id = sh.sale_id"
                           " JOIN channels c ON c.id = s.channel_id"
                           " WHERE sh.id = ? AND sh.shipped AND s.source = 'channel'"
                           " AND s.status <> 'voided'",
                           "i", shipment_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        json_t *settings = json_loads(sb_q_text(&q, 4), 0, NULL);
        json_t *auto_ff = json_object_get(settings, "auto_fulfillment");
        if (!json_is_false(auto_ff)) {
            json_t *payload = json_pack("{s:s?,s:s?}", "tracking_number", sb_q_text(&q, 2),
                                        "tracking_company", sb_q_text(&q, 3));
            err = payload
                      ? add(db, sb_q_int(&q, 0), SB_OUTBOX_FULFILLMENT, sb_q_text(&q, 1), payload)
                      : sb_fail(SB_ENOMEM, NULL, NULL);
            json_decref(payload);
        }
        json_decref(settings);
    }
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}

sb_err sb_outbox_sale_voided(struct sb_db *db, int64_t sale_id)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT channel_id, external_id FROM sales"
                           " WHERE id = ? AND source = 'channel' AND status = 'voided'",
                           "i", sale_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        json_t *payload = json_pack("{s:s}", "reason", "voided in the POS");
        err = payload ? add(db, sb_q_int(&q, 0), SB_OUTBOX_CANCEL, sb_q_text(&q, 1), payload)
                      : sb_fail(SB_ENOMEM, NULL, NULL);
        json_decref(payload);
    }
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}

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
                      " last_error = NULL WHERE id = ?",
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
