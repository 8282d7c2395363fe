/*
 * The outbox rows the store's business actions queue (outbox-queue.h): what a
 * shipped shipment and a voided web order owe their channel. The rows name
 * the channel's order (ref) and carry what the call needs (payload); the
 * dispatcher reads the channel itself when it sends, so a changed credential
 * or setting applies to calls already queued.
 */
#include "store/outbox-queue.h"

#include "core/channel-settings.h"
#include "store/outbox.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

sb_err sb_store_outbox_queue(struct sb_db *db, int64_t channel_id, const char *kind,
                             const char *ref, const char *payload_json)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "INSERT INTO outbox (channel_id, kind, ref, payload, next_attempt_at,"
                      " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                      "isssss", channel_id, kind, ref, payload_json, now, now);
}

/* Queues kind with payload (a JSON object, released here). */
static sb_err queue_json(struct sb_db *db, int64_t channel_id, const char *kind, const char *ref,
                         json_t *payload)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (!text)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_store_outbox_queue(db, channel_id, kind, ref, text);
    free(text);
    return err;
}

sb_err sb_store_outbox_shipment_shipped(struct sb_db *db, int64_t shipment_id)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT s.channel_id, s.external_id, sh.tracking_number, sh.carrier,"
                           " c.settings FROM shipments sh JOIN sales s ON s.id = sh.sale_id"
                           " JOIN channels c ON c.id = s.channel_id"
                           " WHERE sh.id = ? AND sh.shipped = ? AND s.source = 'channel'"
                           " AND s.status <> 'voided'",
                           "ib", shipment_id, true);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        json_t *settings = json_loads(sb_q_text(&q, 4), 0, NULL);
        /* S3: on unless the channel turned it off; a kind whose statuses travel by its status
         * table (it has push_statuses: L2) sends the shipment that way instead */
        if (!json_is_false(json_object_get(settings, "auto_fulfillment")) &&
            !json_object_get(settings, SB_CHANNEL_PUSH_STATUSES))
            err = queue_json(db, sb_q_int(&q, 0), "fulfillment", sb_q_text(&q, 1),
                             json_pack("{s:s?,s:s?}", "tracking_number", sb_q_text(&q, 2),
                                       "tracking_company", sb_q_text(&q, 3)));
        json_decref(settings);
    }
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}

sb_err sb_store_outbox_sale_voided(struct sb_db *db, int64_t sale_id)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT s.channel_id, s.external_id, c.settings FROM sales s"
                           " JOIN channels c ON c.id = s.channel_id"
                           " WHERE s.id = ? AND s.source = 'channel' AND s.status = 'voided'",
                           "i", sale_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        json_t *settings = json_loads(sb_q_text(&q, 2), 0, NULL);
        /* L2: a kind whose statuses travel by its table sends the cancellation with them,
         * and nothing when they are turned off */
        if (!json_is_false(json_object_get(settings, SB_CHANNEL_PUSH_STATUSES)))
            err = queue_json(db, sb_q_int(&q, 0), "cancel", sb_q_text(&q, 1),
                             json_pack("{s:s}", "reason", "voided in the POS"));
        json_decref(settings);
    }
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}

/* The channel of a web sale, when its settings have `setting` on; 0 otherwise (a POS sale,
 * or the setting off or not the kind's). */
static sb_err channel_with(struct sb_db *db, int64_t sale_id, const char *setting,
                           int64_t *ret_channel, char **ret_ref)
{
    struct sb_q q;
    *ret_channel = 0;
    *ret_ref = NULL;
    sb_err err = sb_q_open(&q, db,
                           "SELECT s.channel_id, s.external_id, c.settings FROM sales s"
                           " JOIN channels c ON c.id = s.channel_id"
                           " WHERE s.id = ? AND s.source = 'channel'",
                           "i", sale_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        json_t *settings = json_loads(sb_q_text(&q, 2), 0, NULL);
        if (json_is_true(json_object_get(settings, setting)) && sb_q_text(&q, 1)) {
            *ret_channel = sb_q_int(&q, 0);
            if (!(*ret_ref = strdup(sb_q_text(&q, 1))))
                q.err = sb_fail(SB_ENOMEM, NULL, NULL);
        }
        json_decref(settings);
    }
    err = sb_q_close(&q);
    if (err) {
        free(*ret_ref);
        *ret_ref = NULL;
        *ret_channel = 0;
    }
    return err;
}

sb_err sb_store_outbox_return_made(struct sb_db *db, int64_t return_id)
{
    json_t *ret = NULL, *lines = NULL;
    sb_err err = sb_db_json_one(db, &ret,
                                "SELECT sale_id, refund_total AS amount, reason AS note,"
                                " external_id FROM returns WHERE id = ?",
                                "i", return_id);
    if (err)
        return err;
    int64_t channel = 0;
    char *ref = NULL;
    /* the channel's own refund, coming down, goes nowhere back */
    if (json_is_null(json_object_get(ret, "external_id")))
        err = channel_with(db, json_integer_value(json_object_get(ret, "sale_id")),
                           SB_CHANNEL_PUSH_REFUNDS, &channel, &ref);
    if (!err && channel)
        err = sb_db_json_all(db, &lines,
                             "SELECT l.external_line_id AS line, rl.quantity, rl.amount,"
                             " rl.restock FROM return_lines rl"
                             " JOIN sale_lines l ON l.id = rl.sale_line_id"
                             " WHERE rl.return_id = ? ORDER BY rl.id",
                             "i", return_id);
    if (!err && channel)
        err = queue_json(db, channel, SB_OUTBOX_REFUND, ref,
                         json_pack("{s:I,s:O,s:O,s:o}", "return_id", (json_int_t)return_id,
                                   "amount", json_object_get(ret, "amount"), "note",
                                   json_object_get(ret, "note"), "lines", lines));
    else
        json_decref(lines);
    free(ref);
    json_decref(ret);
    return err;
}

/* A status payload, with the sale's tracking number when the status is "shipped" (the
 * channel's order shows it, as a fulfillment would). NULL when out of memory. */
static json_t *status_payload(struct sb_db *db, int64_t sale_id, const char *status, sb_err *err)
{
    json_t *p = json_pack("{s:s}", "status", status);
    *err = p ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    if (!p || strcmp(status, "shipped") != 0)
        return p;
    struct sb_q q;
    *err = sb_q_open(&q, db,
                     "SELECT tracking_number FROM shipments WHERE sale_id = ?"
                     " AND tracking_number IS NOT NULL",
                     "i", sale_id);
    if (!*err && sb_q_next(&q))
        json_object_set_new(p, "tracking_number", json_string(sb_q_text(&q, 0)));
    if (!*err)
        *err = sb_q_close(&q);
    if (*err) {
        json_decref(p);
        return NULL;
    }
    return p;
}

sb_err sb_store_outbox_fulfillment_moved(struct sb_db *db, int64_t fulfillment_id,
                                         const char *status)
{
    int64_t sale_id = 0, channel = 0;
    char *ref = NULL;
    struct sb_q q;
    bool pickup = false;
    sb_err err = sb_q_open(&q, db, "SELECT sale_id, kind = 'pickup' FROM fulfillments WHERE id = ?",
                           "i", fulfillment_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        sale_id = sb_q_int(&q, 0);
        pickup = sb_q_int(&q, 1) != 0;
    }
    err = sb_q_close(&q);
    if (!err && sale_id)
        err = channel_with(db, sale_id, SB_CHANNEL_PUSH_STATUSES, &channel, &ref);
    json_t *p = !err && channel ? status_payload(db, sale_id, status, &err) : NULL;
    if (p) {
        json_object_set_new(p, "fulfillment_id", json_integer(fulfillment_id));
        json_object_set_new(p, "pickup", json_boolean(pickup));
        err = queue_json(db, channel, SB_OUTBOX_STATUS, ref, p);
    }
    free(ref);
    return err;
}

sb_err sb_store_outbox_sale_status(struct sb_db *db, int64_t sale_id, const char *status)
{
    int64_t channel = 0;
    char *ref = NULL;
    sb_err err = channel_with(db, sale_id, SB_CHANNEL_PUSH_STATUSES, &channel, &ref);
    json_t *p = !err && channel ? status_payload(db, sale_id, status, &err) : NULL;
    if (p) {
        json_object_set_new(p, "sale_id", json_integer(sale_id));
        err = queue_json(db, channel, SB_OUTBOX_STATUS, ref, p);
    }
    free(ref);
    return err;
}
