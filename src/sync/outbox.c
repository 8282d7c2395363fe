/*
 * Writing outbox rows. The rows name the channel's order (ref) and carry
 * what the call needs (payload); the dispatcher reads the channel itself at
 * send time, so a changed credential or setting applies to queued calls.
 */
#include "sync/outbox.h"
#include "util/timeutil.h"

#include <stdlib.h>

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
                           " WHERE sh.id = ? AND sh.shipped = 1 AND s.source = 'channel'"
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
            err = payload ? add(db, sb_q_int(&q, 0), "fulfillment", sb_q_text(&q, 1), payload)
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
        err = payload ? add(db, sb_q_int(&q, 0), "cancel", sb_q_text(&q, 1), payload)
                      : sb_fail(SB_ENOMEM, NULL, NULL);
        json_decref(payload);
    }
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}
