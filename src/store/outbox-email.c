/*
 * N4's outbox row (outbox-email.h): what the email says is read from the sale in the
 * import's transaction, so the message sent later is the order as it came down, whatever
 * happens to the sale meanwhile.
 */
#include "store/outbox-email.h"
#include "core/channel-settings.h"
#include "store/outbox.h"
#include "util/timeutil.h"

#include <stdlib.h>

sb_err sb_store_outbox_order_email(struct sb_db *db, int64_t channel_id, const char *order_ref,
                                   int64_t sale_id, const char *recipients)
{
    char buf[SB_EMAIL_RECIPIENTS_MAX + 1];
    const char *to[SB_EMAIL_RECIPIENTS_N];
    size_t n = 0;
    sb_err err = sb_email_list_split(recipients, buf, sizeof(buf), to, SB_EMAIL_RECIPIENTS_N, &n);
    if (err || n == 0)
        return err;
    json_t *sale = NULL, *lines = NULL, *ship = NULL;
    err = sb_db_json_one(db, &sale,
                         "SELECT s.id AS sale_id, COALESCE(s.external_number, s.external_id) AS"
                         " number, o.name AS outlet, s.currency, s.total,"
                         " (SELECT MIN(f.id) FROM fulfillments f WHERE f.sale_id = s.id) AS"
                         " fulfillment_id FROM sales s JOIN outlets o ON o.id = s.outlet_id"
                         " WHERE s.id = ?",
                         "i", sale_id);
    if (!err)
        err = sb_db_json_all(db, &lines,
                             "SELECT description, sku, quantity, line_total FROM sale_lines"
                             " WHERE sale_id = ? ORDER BY line_no",
                             "i", sale_id);
    if (!err) {
        err = sb_db_json_one(db, &ship,
                             "SELECT name, company, line1, line2, city, region, postcode, country,"
                             " method FROM shipments WHERE sale_id = ?",
                             "i", sale_id);
        if (err == SB_ENOT_FOUND) {
            ship = json_null();
            err = SB_OK;
        }
    }
    json_t *addrs = json_array();
    for (size_t i = 0; addrs && i < n; i++)
        json_array_append_new(addrs, json_string(to[i]));
    char *text = NULL;
    if (!err && addrs) {
        json_object_set_new(sale, "to", addrs);
        json_object_set_new(sale, "lines", lines);
        json_object_set_new(sale, "ship_to", ship);
        addrs = lines = ship = NULL;
        text = json_dumps(sale, JSON_COMPACT);
        if (!text)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_decref(addrs);
    json_decref(lines);
    json_decref(ship);
    json_decref(sale);
    if (err)
        return err;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    err = sb_db_exec(db,
                     "INSERT INTO outbox (channel_id, kind, ref, payload, next_attempt_at,"
                     " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     "isssss", channel_id, SB_OUTBOX_EMAIL, order_ref, text, now, now);
    free(text);
    return err;
}
